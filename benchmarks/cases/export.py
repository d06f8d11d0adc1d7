"""export jsonl / csv: every span of the database written to one file.

Ours is what ``stancemark export --format jsonl|csv -o FILE`` does:
``Store.export_docs`` (one ordered query over articles, one over spans,
merged into ``ExportDoc`` objects) then ``write_pack`` (jsonl, tombstones
included) or ``FORMATS["csv"].write`` (live spans, formula guard on).

The baselines select the same rows in the same order with bare ``sqlite3``
and serialise them with the standard library: for jsonl one ``json.dumps``
per article line holding the article and its span and status rows as
objects; for csv one ``csv.writer`` row per live span (joined to its
article's title).  Opening the database is set-up, not timed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from annotations.formats import FORMATS, ExportOptions, Output
from annotations.formats.csv_rows import COLUMNS
from annotations.formats.pack import write_pack
from annotations.store import SPAN_COLUMNS, Store
from benchmarks.data import bare_connect
from benchmarks.framework import Case, Measurement, RunContext, Target, register, span_database

_ORDER = 'ORDER BY article_id, start, "end", label, annotator, id'


def jsonl_baseline(conn: Any, out: Path) -> int:
    cols = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
    statuses: dict[str, list[dict[str, Any]]] = {}
    for aid, who, status, at in conn.execute(
        "SELECT article_id, annotator, status, updated_at FROM statuses ORDER BY article_id, annotator"
    ):
        statuses.setdefault(aid, []).append({"annotator": who, "status": status, "updated_at": at})
    arts = conn.execute("SELECT id, title, text, meta FROM articles ORDER BY id")
    spans = conn.cursor().execute(f"SELECT {cols} FROM spans {_ORDER}")
    n = 0
    pending = spans.fetchone()
    with open(out, "w", encoding="utf-8") as fh:
        for aid, title, text, meta in arts:
            rows = []
            while pending is not None and pending[1] == aid:
                rows.append(dict(zip(SPAN_COLUMNS, pending, strict=True)))
                pending = spans.fetchone()
            n += len(rows)
            fh.write(json.dumps({"id": aid, "title": title, "text": text, "meta": meta,
                                 "spans": rows, "statuses": statuses.get(aid, [])},
                                ensure_ascii=False) + "\n")
    return n


def csv_baseline(conn: Any, out: Path) -> int:
    cur = conn.execute(
        "SELECT s.article_id, a.title, s.annotator, s.label, s.start, s.\"end\", s.text, "
        "coalesce(s.note, ''), s.created_at, s.updated_at FROM spans s "
        "JOIN articles a ON a.id = s.article_id "
        "WHERE s.deleted_at IS NULL AND s.anchor != 'orphaned' "
        'ORDER BY s.article_id, s.start, s."end", s.label, s.annotator, s.id'
    )
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in cur:
            writer.writerow(row)
            n += 1
    return n


def run(ctx: RunContext) -> list[Measurement]:
    n_articles, n_spans = ctx.params["articles"], ctx.params["spans"]
    db = span_database(ctx, n_articles, n_spans)
    out = ctx.workdir / "out"
    counts: dict[str, int] = {}

    def open_store() -> Store:
        return Store.open(db, create=False)

    def close(handle: Any) -> None:
        handle.close()
        out.unlink(missing_ok=True)

    def ours_jsonl(store: Store) -> None:
        with open(out, "wb") as fh:
            counts["ours_jsonl"] = write_pack(store.export_docs(include_deleted=True), fh)[1]

    def base_jsonl(conn: Any) -> None:
        counts["baseline_jsonl"] = jsonl_baseline(conn, out)

    def ours_csv(store: Store) -> None:
        with open(out, "wb") as fh:
            rep = FORMATS["csv"].write(store.export_docs(), Output(stream=fh), ExportOptions())
        counts["ours_csv"] = rep.spans

    def base_csv(conn: Any) -> None:
        counts["baseline_csv"] = csv_baseline(conn, out)

    rows = []
    for fmt, ours, base in (("jsonl", ours_jsonl, base_jsonl), ("csv", ours_csv, base_csv)):
        o, b = ctx.compare(ours, base, setup_ours=open_store,
                           setup_baseline=lambda: bare_connect(db), teardown=close,
                           label=f"export {fmt}")
        if counts[f"ours_{fmt}"] != counts[f"baseline_{fmt}"]:
            raise RuntimeError(f"export {fmt}: ours wrote {counts[f'ours_{fmt}']} spans, "
                               f"the baseline {counts[f'baseline_{fmt}']}")
        rows.append(Measurement(f"export {fmt}", o, b,
                                info={"articles": n_articles, "spans_written": counts[f"ours_{fmt}"]}))
    return rows


register(Case(
    name="export",
    title="export jsonl / csv",
    order=20,
    measured="export of every span over all articles (export_docs + write_pack / csv writer)",
    baseline="bare sqlite3 select plus json.dumps / csv.writer of the same rows",
    target=Target(1.5),
    rows=("export jsonl", "export csv"),
    sizes={
        "tiny": {"articles": 20, "spans": 2_000},
        "quick": {"articles": 1_000, "spans": 100_000},
        "full": {"articles": 10_000, "spans": 1_000_000},
    },
    run=run,
))
