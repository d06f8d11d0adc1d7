"""merge: a teammate's pack into a database that already holds other spans.

The database holds ``db_spans`` spans of ``alice``; the pack holds
``pack_spans`` spans (and statuses) of ``bob`` on the same articles, with the
same texts: the everyday case of two people labelling one batch.

Ours is what ``stancemark merge --from bob PACK`` does: ``read_pack`` (parse
and validate each line) then ``Store.merge_docs`` (per-span checks, times,
trust, version keys, re-anchoring, an event per change, the pack in one
transaction).  The baseline inserts the very rows that the merge stores with
bare ``executemany`` calls and a commit: the spans, and since issue 14 the
event logged for each of them (who merged, before and after), whose JSON is
made before the clock starts.  Both start from a fresh copy of the same
database (copying is set-up).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from annotations.agreement import tokenize
from annotations.formats.pack import PackError, read_pack, write_pack
from annotations.model import ExportDoc, StatusRecord
from annotations.store import SPAN_COLUMNS, Store
from annotations.store.rows import span_dict
from annotations.trust import Trust
from benchmarks.data import bare_connect, close_and_remove, copy_database, span_row, spans_for
from benchmarks.framework import (
    Case,
    Measurement,
    RunContext,
    Target,
    corpus,
    register,
    span_database,
)


def run(ctx: RunContext) -> list[Measurement]:
    n_articles = ctx.params["articles"]
    n_db, n_pack = ctx.params["db_spans"], ctx.params["pack_spans"]
    db = span_database(ctx, n_articles, n_db, annotators=("alice",))
    arts = corpus(ctx, n_articles)
    per = max(1, n_pack // n_articles)
    docs = []
    rows: list[list[object]] = []
    events: list[tuple[object, ...]] = []
    for art in arts:
        spans = spans_for(ctx.seed, art, "bob", per, tokens=tokenize(art.text))
        docs.append(ExportDoc(art, spans, [], [StatusRecord(art.id, "bob", "done",
                                                            "2025-07-01T00:00:00.000000Z")]))
        rows.extend(span_row(s) for s in spans)
        events.extend(("2025-07-01T00:00:00.000000Z", "alice", "span.merge", art.id, s.id, None,
                       json.dumps(span_dict(s), ensure_ascii=False, sort_keys=True), "merged",
                       1) for s in spans)
    pack = ctx.workdir / "bob.jsonl"
    with open(pack, "wb") as fh:
        write_pack(docs, fh)
    del docs
    numbers = itertools.count()
    cols = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
    insert = f"INSERT INTO spans ({cols}) VALUES ({', '.join('?' * len(SPAN_COLUMNS))})"
    log = ("INSERT INTO events (at, annotator, action, article_id, target, before, after, state, "
           "merge_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")

    def fresh() -> Path:
        return copy_database(db, ctx.workdir / f"merge-{next(numbers)}.db")

    def ours(store: Store) -> None:
        items = []
        for item in read_pack(pack):
            if isinstance(item, PackError):
                raise RuntimeError(str(item))
            items.append((item, item.annotations or {}, str(pack)))
        report = store.merge_docs(items, trust=Trust.decide(["bob"], merged_by="alice"))
        if report.added != len(rows) + n_articles or report.rejected:
            raise RuntimeError(f"merge added {report.added}, rejected {report.rejected}")

    def baseline(conn: Any) -> None:
        conn.executemany(insert, rows)
        conn.executemany(log, events)
        conn.commit()

    o, b = ctx.compare(ours, baseline, setup_ours=lambda: Store.open(fresh(), create=False),
                       setup_baseline=lambda: bare_connect(fresh()), teardown=close_and_remove)
    return [Measurement("merge", o, b, info={
        "articles": n_articles, "spans_in_db": n_db, "spans_in_pack": len(rows),
        "pack_bytes": pack.stat().st_size,
    })]


register(Case(
    name="merge",
    title="merge",
    order=30,
    measured="merge of a pack of spans into a database that holds as many others "
    "(read_pack + merge_docs)",
    baseline="bare sqlite3 executemany insert of the same rows (spans and their events)",
    target=Target(3.0),
    rows=("merge",),
    sizes={
        "tiny": {"articles": 10, "db_spans": 500, "pack_spans": 500},
        "quick": {"articles": 200, "db_spans": 20_000, "pack_spans": 20_000},
        "full": {"articles": 2_000, "db_spans": 200_000, "pack_spans": 200_000},
    },
    run=run,
))
