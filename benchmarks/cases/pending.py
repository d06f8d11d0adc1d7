"""Placeholders for the cases that drive the annotator (TUI); listed as pending until written.

To implement one, add a module here (e.g. ``first_paint.py``) that registers a
:class:`~benchmarks.framework.Case` of the same ``name`` with a ``run``
function; it replaces the placeholder below.  Keep the rows, target and
sizes, so the table and ``BENCHMARKS.md`` stay comparable.
"""

from __future__ import annotations

from benchmarks.framework import Case, Target, register

register(Case(
    name="first_paint",
    title="first paint",
    order=60,
    measured="time to first paint of the annotator with 100,000 articles in the database",
    baseline="the same with 10 articles",
    target=Target(1.5),
    rows=("first paint",),
    sizes={
        "tiny": {"articles": 100, "baseline_articles": 10},
        "quick": {"articles": 10_000, "baseline_articles": 10},
        "full": {"articles": 100_000, "baseline_articles": 10},
    },
    group="tui",
))

register(Case(
    name="key_press",
    title="key press",
    order=70,
    measured="cursor move and tag in the reader, 1 MB article with 5,000 spans",
    baseline="the same key on a bare TextArea holding 1 KB",
    target=Target(1.2),
    rows=("key press: cursor move", "key press: tag"),
    sizes={
        "tiny": {"article_bytes": 10_000, "spans": 50, "baseline_bytes": 1_000},
        "quick": {"article_bytes": 100_000, "spans": 500, "baseline_bytes": 1_000},
        "full": {"article_bytes": 1_000_000, "spans": 5_000, "baseline_bytes": 1_000},
    },
    group="tui",
))

register(Case(
    name="memory",
    title="memory",
    order=80,
    measured="peak RSS of the annotator with 100,000 articles",
    baseline="with 10 articles",
    target=Target(2.0, strict=True),
    rows=("memory (peak RSS)",),
    sizes={
        "tiny": {"articles": 100, "baseline_articles": 10},
        "quick": {"articles": 10_000, "baseline_articles": 10},
        "full": {"articles": 100_000, "baseline_articles": 10},
    },
    group="tui",
    unit="bytes",
))
