"""import: markdown reports from a folder into a fresh database.

Ours is what ``stancemark import DIR`` does: ``walk`` the folder, ``read_file``
each report (front matter, markdown -> plain text + styles) and
``Store.import_articles`` (batched transactions, full-text index kept).
The baseline reads the same files, parses them with markdown-it-py (the same
parser configuration as ours) and inserts the texts with one bare
``executemany``.  Opening the databases is set-up, not timed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from annotations.articles import ArticleError, read_file, walk
from annotations.model import Article
from annotations.store import Store
from benchmarks.data import bare_connect, close_and_remove, write_markdown_corpus
from benchmarks.framework import Case, Measurement, RunContext, Target, register


def run(ctx: RunContext) -> list[Measurement]:
    n = ctx.params["articles"]
    folder = ctx.workdir / "reports"
    paths = write_markdown_corpus(folder, ctx.seed, n)
    total_bytes = sum(p.stat().st_size for p in paths)
    numbers = itertools.count()
    md = MarkdownIt("commonmark", {"maxNesting": 100}).enable("table")

    def fresh() -> Path:
        return ctx.workdir / f"import-{next(numbers)}.db"

    def setup_ours() -> Store:
        return Store.open(fresh())

    def ours(store: Store) -> None:
        def reports() -> Iterator[Article]:
            for f in walk([folder]).files:
                for item in read_file(f):
                    if isinstance(item, ArticleError):
                        raise RuntimeError(str(item))
                    yield item

        report = store.import_articles(reports())
        if report.imported != n:
            raise RuntimeError(f"imported {report.imported} of {n}")

    def setup_baseline() -> Any:
        conn = bare_connect(fresh())
        conn.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, text TEXT NOT NULL)")
        conn.commit()
        return conn

    def baseline(conn: Any) -> None:
        rows = []
        for p in paths:
            source = p.read_text(encoding="utf-8")
            md.parse(source)
            rows.append((p.stem, source))
        conn.executemany("INSERT INTO docs (id, text) VALUES (?, ?)", rows)
        conn.commit()

    ours_s, base_s = ctx.compare(ours, baseline, setup_ours=setup_ours,
                                 setup_baseline=setup_baseline, teardown=close_and_remove)
    return [Measurement("import", ours_s, base_s,
                        info={"articles": n, "bytes": total_bytes})]


register(Case(
    name="import",
    title="import",
    order=10,
    measured="import of markdown articles of about 5 KB (walk + read_file + import_articles)",
    baseline="markdown-it-py parsing the same files plus a bare sqlite3 executemany of the texts",
    target=Target(1.5),
    rows=("import",),
    sizes={
        "tiny": {"articles": 20},
        "quick": {"articles": 1_000},
        "full": {"articles": 10_000},
    },
    run=run,
))
