"""The scale corpus: 100,000 reports and 1,000,000 spans, built once per seed and kept on disk.

``python -m benchmarks --size scale`` runs the cases that have a ``scale`` size
against this one database.  Building it takes minutes (parsing 100,000
markdown reports is most of it), so it is built once per seed and kept in the
cache folder (``--cache``, default ``benchmarks/out/cache``), under a name that
holds everything it depends on: its size, the seed, :data:`SCALE_VERSION` (bump
it when what is generated here changes) and the store's schema version.  A
build goes to a temporary name first and is renamed when complete, so an
interrupted build is never taken for a corpus.

Cases must not change it: open it to read (a :class:`~annotations.store.Store`
opened on it writes nothing unless told to), or copy it first
(:func:`benchmarks.data.copy_database`) to write.  :func:`scale_corpus` returns
the path and what the corpus holds (``info``: counts, topic frequencies, build
time, size on disk).

What it holds, per report ``i`` (each from its own seeded generator, so a
smaller corpus is a prefix of a bigger one):

- :func:`benchmarks.data.markdown_article`, plus, from a generator of its own
  (so the reports are the other cases' reports), a paragraph about an embassy
  in 5 % of them and a sentence naming a person in Chinese, Japanese or Korean
  script in 2 % (the search cases' selective words and CJK text);
- spans of three annotators, 5 + 3 + 2 per report (1 % tombstones), labels in
  the claim/denial/context mix, some with notes;
- statuses: alice's is ``todo`` on 30 % of the reports (half of them as an
  explicit row), ``in_progress`` on 45 %, ``done`` on 25 %; bob's and carol's
  ``in_progress`` or ``done``.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.agreement import tokenize
from annotations.articles import read_markdown
from annotations.model import Article, Span, StatusRecord
from annotations.store import SCHEMA_VERSION, Store
from benchmarks.data import (
    _stamp,
    article_id,
    insert_spans,
    insert_statuses,
    markdown_article,
    spans_for,
)

#: Bump when this module generates something else (the cache name holds it).
SCALE_VERSION = 1
DEFAULT_CACHE = Path(__file__).resolve().parent / "out" / "cache"
#: Spans per report, per annotator.
SPANS_BY = {"alice": 5, "bob": 3, "carol": 2}
BATCH = 2_000

EMBASSY_SHARE = 0.05
CJK_SHARE = 0.02
_COUNTRIES = ("Norwegian", "Brazilian", "Kenyan", "Japanese", "Canadian", "Polish", "Chilean")
_EMBASSY = (
    "The {c} embassy in {p} said the {n} was {v}, according to a {r}.",
    "A spokesperson for the {c} embassy denied that the ambassador had {v} the {n}.",
    "Officials at the embassy described the {n} as {a} and said the consulate had {v} it.",
)
_CJK_NAMES = ("李小龍", "王小明", "張偉", "陳美玲", "田中太郎", "山田花子", "김민준", "이서연")
_CJK_SENTENCES = (
    "{name}出席了會議並否認了報導。",
    "{name}は記者会見で報告書について説明した。",
    "{name} 씨는 기자회견에서 보고서를 부인했다.",
)


@dataclass(frozen=True)
class ScaleCorpus:
    path: Path
    info: dict[str, Any]


def topic_paragraph(seed: int, i: int) -> str:
    """The scale corpus's extra text for report ``i`` (often empty)."""
    rng = random.Random(f"{seed}:scale-topic:{i}")
    parts = []
    if rng.random() < EMBASSY_SHARE:
        parts.append(" ".join(
            rng.choice(_EMBASSY).format(
                c=rng.choice(_COUNTRIES), p=rng.choice(("Valmont", "Eastmere", "Lagos", "Aarhus")),
                n=rng.choice(("visa backlog", "security review", "trade memo", "grant")),
                v=rng.choice(("delayed", "approved", "questioned", "disputed")),
                r=rng.choice(("press officer", "diplomat", "senior official")),
                a=rng.choice(("routine", "confidential", "disputed")))
            for _ in range(rng.randint(1, 3))))
    if rng.random() < CJK_SHARE:
        parts.append(rng.choice(_CJK_SENTENCES).format(name=rng.choice(_CJK_NAMES)))
    return "\n\n".join(parts)


def scale_article(seed: int, i: int, size: int = 5000) -> Article:
    """Report ``i`` of the scale corpus, parsed as an import parses it."""
    md = markdown_article(seed, i, size)
    extra = topic_paragraph(seed, i)
    if extra:
        md = md.rstrip("\n") + "\n\n" + extra + "\n"
    return read_markdown(Path(f"{article_id(i)}.md"), md)


def scale_statuses(seed: int, art: Article) -> list[StatusRecord]:
    rng = random.Random(f"{seed}:scale-status:{art.id}")
    out = []
    r = rng.random()
    if r < 0.15:
        out.append(StatusRecord(art.id, "alice", "todo", _stamp(200 * 86400)))
    elif r >= 0.30:
        out.append(StatusRecord(art.id, "alice", "in_progress" if r < 0.75 else "done",
                                _stamp(200 * 86400)))
    for who in ("bob", "carol"):
        out.append(StatusRecord(art.id, who, rng.choice(("in_progress", "done")),
                                _stamp(200 * 86400)))
    return out


def build_scale_database(path: Path, seed: int, articles: int, size: int = 5000,
                         log: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Fill a new store at ``path`` (batches of :data:`BATCH` reports) and describe it."""
    started = time.perf_counter()
    store = Store.open(path)
    counts = {"articles": 0, "spans": 0, "embassy_articles": 0, "cjk_articles": 0}
    try:
        for first in range(0, articles, BATCH):
            batch = [scale_article(seed, i, size)
                     for i in range(first, min(first + BATCH, articles))]
            store.import_articles(batch)

            def spans(batch: list[Article] = batch) -> Iterator[Span]:
                for art in batch:
                    toks = tokenize(art.text)
                    for who, n in SPANS_BY.items():
                        yield from spans_for(seed, art, who, n, deleted=0.01, tokens=toks)

            counts["spans"] += insert_spans(store, spans())
            insert_statuses(store, [st for art in batch for st in scale_statuses(seed, art)])
            counts["articles"] += len(batch)
            counts["embassy_articles"] += sum("embassy" in a.text for a in batch)
            counts["cjk_articles"] += sum(any("\u3040" <= ch <= "\ud7af" for ch in a.text)
                                          for a in batch)
            if counts["articles"] % 10_000 == 0 or counts["articles"] == articles:
                log(f"  scale corpus: {counts['articles']:,} reports, {counts['spans']:,} spans "
                    f"({time.perf_counter() - started:.0f} s)")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return {**counts, "article_size": size, "seed": seed, "scale_version": SCALE_VERSION,
            "schema_version": SCHEMA_VERSION, "annotators": SPANS_BY,
            "build_s": round(time.perf_counter() - started, 1)}


def corpus_name(seed: int, articles: int) -> str:
    spans = articles * sum(SPANS_BY.values())
    return f"scale-{articles}-{spans}-seed{seed}-v{SCALE_VERSION}-schema{SCHEMA_VERSION}.db"


def cached_corpus(folder: Path, seed: int, articles: int,
                  log: Callable[[str], None] = lambda m: None) -> ScaleCorpus:
    """The corpus of ``articles`` reports for ``seed`` in ``folder``: built if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / corpus_name(seed, articles)
    meta = path.with_name(path.name + ".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text(encoding="utf-8"))
        log(f"  scale corpus: reusing {path}")
        return ScaleCorpus(path, info)
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    log(f"  scale corpus: building {articles:,} reports in {path} (once per seed)")
    info = build_scale_database(building, seed, articles, log=log)
    info["bytes"] = building.stat().st_size
    os.replace(building, path)
    meta.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return ScaleCorpus(path, info)
