"""Build ``sample-articles.gold.jsonl`` from ``sentence-labels.txt`` (run from the repository root).

    python sample_gold/build.py

Imports ``sample_articles/`` into a temporary database, stores one ``gold`` span
per labelled sentence (the sentences of :func:`annotations.sentences.sentences`),
marks every article done by ``gold``, and exports the native pack of gold's
spans and statuses.  The labels are the hand-made part; this only places them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from annotations.articles import iter_articles
from annotations.formats.pack import write_pack
from annotations.model import GOLD
from annotations.sentences import sentences
from annotations.store import Store

HERE = Path(__file__).resolve().parent
LABELS = {"c": "claim", "d": "denial", "x": "context"}


def read_labels(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        article_id, *marks = line.split()
        out[article_id] = out.get(article_id, "") + "".join(marks)
    return out


def main() -> int:
    labels = read_labels(HERE / "sentence-labels.txt")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "gold.db")
        _found, items = iter_articles([HERE.parent / "sample_articles"])
        store.import_articles(a for a in items if not isinstance(a, Exception))
        for article_id in store.article_ids():
            article = store.get_article(article_id)
            assert article is not None
            bounds = sentences(article.text)
            marks = labels[article_id]
            if len(marks) != len(bounds):
                sys.exit(f"{article_id}: {len(marks)} labels for {len(bounds)} sentences")
            for (start, end), mark in zip(bounds, marks, strict=True):
                if mark in LABELS:
                    store.add_span(article_id, GOLD, LABELS[mark], start, end)
            store.set_status(article_id, GOLD, "done")
        out = HERE / "sample-articles.gold.jsonl"
        with out.open("wb") as stream:
            n_articles, n_spans = write_pack(store.export_docs(annotators=[GOLD]), stream)
        store.close()
    print(f"{out.name}: {n_articles} articles, {n_spans} gold spans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
