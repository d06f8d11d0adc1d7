"""tag a span: commit latency of one tag through the core API, p50 and p99.

Ours is ``Store.add_span`` (``BEGIN IMMEDIATE``, read the article text, write
the span with its quote and context, touch the status, log the event for
undo, ``COMMIT`` with ``synchronous = FULL``): the whole of what a key press
in the reader costs the database.  The baseline is a bare ``sqlite3``
``INSERT`` of a prepared span row plus ``commit()`` on the same file, with
the same PRAGMAs (WAL, synchronous FULL, busy timeout).

The database is a copy of the export case's (many articles, many spans), so
the indexes are realistically deep.  Each repeat times ``tags`` of ours
then ``tags`` of the baseline (alternating which goes first); an annotator
tags about 20 spans per article before moving on.  Reported: the median
over repeats of each repeat's p50 and p99.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Any

from annotations.agreement import tokenize
from annotations.store import SPAN_COLUMNS, Store
from benchmarks.data import bare_connect, copy_database, make_span, span_row, token_ranges
from benchmarks.framework import (
    Case,
    Measurement,
    RunContext,
    Target,
    corpus,
    percentile,
    register,
    span_database,
)

PER_ARTICLE = 20
WARM_UP = 50


def run(ctx: RunContext) -> list[Measurement]:
    n_articles, n_spans, n_tags = ctx.params["articles"], ctx.params["spans"], ctx.params["tags"]
    source = span_database(ctx, n_articles, n_spans)
    arts = corpus(ctx, n_articles)
    db = copy_database(source, ctx.workdir / "tag.db")
    rng = ctx.rng("tags")
    cols = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
    insert = f"INSERT INTO spans ({cols}) VALUES ({', '.join('?' * len(SPAN_COLUMNS))})"

    def plan() -> list[tuple[Any, int, int, str]]:
        """(article, start, end, label) of each tag, about PER_ARTICLE per article."""
        out: list[tuple[Any, int, int, str]] = []
        while len(out) < n_tags:
            art = arts[rng.randrange(len(arts))]
            for s, e in token_ranges(rng, tokenize(art.text), PER_ARTICLE):
                out.append((art, s, e, rng.choice(("claim", "denial", "context"))))
        return out[:n_tags]

    p50: dict[str, list[float]] = {"ours": [], "baseline": []}
    p99: dict[str, list[float]] = {"ours": [], "baseline": []}
    store = Store.open(db, create=False)
    conn = bare_connect(db)
    try:
        # Warm both connections' caches (untimed), as a session in progress would be.
        for art, s, e, label in plan()[:WARM_UP]:
            store.add_span(art.id, "warm-up", label, s, e)
            conn.execute(insert, span_row(make_span(rng, art, "warm-up-bare", s, e, label)))
            conn.commit()
        for r in range(ctx.repeat):
            tags = plan()
            rows = [span_row(make_span(rng, art, f"dave-{r}", s, e, label))
                    for art, s, e, label in tags]
            order = ("ours", "baseline") if r % 2 == 0 else ("baseline", "ours")
            for side in order:
                times: list[float] = []
                gc.collect()
                # Start each block with no dirty pages in the OS (e.g. from copying the
                # database), which would otherwise make the first fsyncs slow.
                if hasattr(os, "sync"):
                    os.sync()
                if side == "ours":
                    who = f"carol-{r}"
                    for art, s, e, label in tags:
                        t0 = time.perf_counter()
                        store.add_span(art.id, who, label, s, e)
                        times.append(time.perf_counter() - t0)
                else:
                    for row in rows:
                        t0 = time.perf_counter()
                        conn.execute(insert, row)
                        conn.commit()
                        times.append(time.perf_counter() - t0)
                p50[side].append(percentile(times, 50))
                p99[side].append(percentile(times, 99))
                ctx.log(f"  tag {side} #{r + 1}: p50 {p50[side][-1] * 1e3:.2f} ms, "
                        f"p99 {p99[side][-1] * 1e3:.2f} ms")
    finally:
        store.close()
        conn.close()
    info = {"articles": n_articles, "spans_in_db": n_spans, "tags_per_repeat": n_tags}
    return [
        Measurement("tag a span p50", p50["ours"], p50["baseline"], info=info),
        Measurement("tag a span p99", p99["ours"], p99["baseline"], info=info),
    ]


register(Case(
    name="tag",
    title="tag a span",
    order=50,
    measured="commit latency p50 / p99 over 1,000 tags through the core API (Store.add_span)",
    baseline="a bare sqlite3 insert + commit on the same file and settings",
    target=Target(2.0),
    rows=("tag a span p50", "tag a span p99"),
    sizes={
        "tiny": {"articles": 20, "spans": 2_000, "tags": 50},
        "quick": {"articles": 1_000, "spans": 100_000, "tags": 1_000},
        "full": {"articles": 10_000, "spans": 1_000_000, "tags": 1_000},
    },
    run=run,
))
