"""pack import: a whole team's pack (articles with their spans and statuses) into a new database.

At ``--size scale`` the pack is the scale corpus written as one native pack
(:mod:`benchmarks.scale`: 100,000 reports, 1,000,000 spans of three
annotators, 1 % tombstones, their statuses), as ``stancemark export --format
jsonl`` writes it.  It is written once per corpus and kept beside it.

Ours is what ``stancemark import --from alice --from bob --from carol PACK``
does, without the command line around it: ``open_pack`` (trust), ``read_jsonl``
(each line parsed and checked, the file's SHA-256), then ``Store.store_units``
with the pack as one unit (stored whole or not at all: see
:mod:`annotations.store.ingest` and SECURITY.md), into a new database.  Every
article, span and status is new there, so each is written and logged as an
event of the merge (``merge --undo`` can remove it).

The baseline writes the very rows ours wrote, with bare ``executemany`` calls
into a new database of the same schema (so the same triggers and indexes:
``spans_fts`` and ``spans_cjk`` are kept by triggers on both sides), and one
``COMMIT``: the articles, their full-text rows, the spans, the events and the
statuses, and the ``merges`` row.  Those rows are read from a database that an
untimed import of ours made first (so they are exactly the same, event JSON
included), before the clock starts; the baseline neither reads nor parses the
pack.  Both sides start from a new, empty database (creating it is set-up).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotations.articles import ArticleError, read_jsonl
from annotations.formats.pack import write_pack
from annotations.model import Article
from annotations.store import Store, Unit
from annotations.store.reports import ImportReport
from annotations.trust import TrustPolicy, open_pack
from benchmarks.data import bare_connect, close_and_remove
from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.scale import SPANS_BY

#: The tables an import writes, in the order the baseline fills them.
TABLES = ("articles", "merges", "spans", "events", "statuses")
POLICY = TrustPolicy(from_names=tuple(SPANS_BY), merged_by="lead")


def pack_for(ctx: RunContext) -> tuple[Path, dict[str, Any]]:
    """The corpus of this size written as one pack (kept beside a cached scale corpus)."""
    from benchmarks.cases.search import corpus

    found = corpus(ctx)
    pack = found.path.with_name(found.path.name + ".pack.jsonl")

    def build() -> Path:
        if not pack.exists():
            part = pack.with_name(pack.name + ".building")
            store = Store.open(found.path, create=False)
            try:
                with open(part, "wb") as fh:
                    write_pack(store.export_docs(include_deleted=True), fh)
            finally:
                store.close()
            part.replace(pack)
        return pack

    path: Path = ctx.cached(f"scale-pack:{found.path}", build)
    return path, found.info


def import_pack(store: Store, pack: Path) -> ImportReport:
    """``stancemark import --from alice --from bob --from carol PACK``, minus the CLI."""
    opened = open_pack(pack, POLICY, whole=False)
    items = read_jsonl(pack, stream=opened.stream, digest=opened.source.digest)
    return store.store_units([Unit(str(pack), _articles(items), opened.source)])


def _articles(items: Iterable[Article | ArticleError]) -> Iterator[Article]:
    for item in items:
        if isinstance(item, ArticleError):
            raise RuntimeError(str(item))
        yield item


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def written_rows(db: Path) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Every row an import wrote, per table: ``(INSERT statement, rows)``.

    ``articles`` also gives the full-text rows (``articles_fts``, and
    ``articles_cjk`` for the texts that the substring index holds).
    """
    conn = sqlite3.connect(db)
    out: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
    try:
        for table in TABLES:
            cols = _columns(conn, table)
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" * len(cols))
            rows = conn.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
            if table == "articles":
                names = "rowid, " + names
                marks = "?, " + marks
                rows = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
            out[table] = (f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        fts = conn.execute("SELECT rowid, title, text, source FROM articles ORDER BY rowid")
        out["articles_fts"] = ("INSERT INTO articles_fts (rowid, title, text, source) "
                               "VALUES (?, ?, ?, ?)", fts.fetchall())
        cjk = conn.execute("SELECT rowid, title, text, source FROM articles_cjk ORDER BY rowid")
        out["articles_cjk"] = ("INSERT INTO articles_cjk (rowid, title, text, source) "
                               "VALUES (?, ?, ?, ?)", cjk.fetchall())
    finally:
        conn.close()
    return out


def run(ctx: RunContext) -> list[Measurement]:
    pack, info = pack_for(ctx)
    numbers = itertools.count()

    def fresh() -> Path:
        path = ctx.workdir / f"import-{next(numbers)}.db"
        Store.open(path).close()  # the schema: set-up, on both sides
        return path

    expected = info["articles"]

    def ours(store: Store) -> None:
        report = import_pack(store, pack)
        merged = report.merge
        if report.imported != expected or report.failed or merged is None or merged.rejected \
                or merged.refused:
            raise RuntimeError(f"pack import: {report}")

    ref_store = Store.open(fresh(), create=False)
    ref_path = Path(ref_store.path)
    try:
        ours(ref_store)
    finally:
        ref_store.close()
    rows = written_rows(ref_path)
    close_and_remove(bare_connect(ref_path))
    counts = {table: len(r) for table, (_sql, r) in rows.items()}
    order = ("articles", "articles_fts", "articles_cjk", "merges", "spans", "events", "statuses")

    def baseline(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        for table in order:
            sql, values = rows[table]
            conn.executemany(sql, values)
        conn.execute("COMMIT")

    def check(conn: sqlite3.Connection) -> None:
        got = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
        if got != counts["spans"]:
            raise RuntimeError(f"the baseline stored {got} spans, ours {counts['spans']}")

    def teardown(handle: Store | sqlite3.Connection) -> None:
        if isinstance(handle, sqlite3.Connection):
            check(handle)
        close_and_remove(handle)

    o, b = ctx.compare(
        ours, baseline,
        setup_ours=lambda: Store.open(fresh(), create=False),
        setup_baseline=lambda: bare_connect(fresh()),
        teardown=teardown,
        label="pack import",
    )
    rows.clear()  # gigabytes at the scale size
    return [Measurement("pack import", o, b, info={
        "pack_bytes": pack.stat().st_size, "rows": counts, "corpus": info,
        "trust": "--from " + " --from ".join(SPANS_BY),
    })]


register(Case(
    name="pack_import",
    title="pack import",
    order=12,
    measured="import of one pack with every article, span and status (open_pack + "
    "read_jsonl + store_units, one unit) into a new database",
    baseline="bare sqlite3 executemany of the same rows (articles, full-text rows, spans, "
    "events, statuses, the merge) and one COMMIT, same schema",
    target=Target(1.5),
    rows=("pack import",),
    sizes={
        "tiny": {"articles": 30},
        "quick": {"articles": 2_000},
        "full": {"articles": 10_000},
        "scale": {"articles": 100_000},
    },
    run=run,
))
