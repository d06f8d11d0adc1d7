"""first paint: how long the annotator takes to show its first complete screen.

Ours opens a database of 100,000 short reports (the annotator's spans on most
of them, statuses on those); the baseline opens the first 10 of the same
reports.  Each run is a fresh child process (:mod:`benchmarks.tui_probe`)
started with ``App.run_test(size=(120, 36))``, headless.  Imports are done
before the clock starts; the clock starts just before ``Store.open`` and
stops at the first frame of the annotate screen that shows the article in the
reader *and* rows in the article list (a list of more than 2,000 reports is
streamed in by batches, so the very first frame may still show it empty).
Frames are stamped where the compositor hands them to the driver
(``App._display``; headless runs skip only the terminal write).  The figure
is the median over the runs; one untimed warm-up run per side comes first.

The JSON also holds the time to the very first frame, and to the list having
loaded every row.  The same child runs give the memory case its peak RSS.
"""

from __future__ import annotations

from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.tui_runs import STARTUP_SIZES, column, med, startup_info, startup_runs


def run(ctx: RunContext) -> list[Measurement]:
    res = startup_runs(ctx)
    ours, base = res["runs"]["ours"], res["runs"]["baseline"]
    info = {
        **startup_info(res),
        "article_opened": res["article"],
        "first_frame_s": {"ours": column(ours, "first_frame_s"),
                          "baseline": column(base, "first_frame_s")},
        "first_frame_ratio": med(column(ours, "first_frame_s"))
        / med(column(base, "first_frame_s")),
        "list_loaded_s": {"ours": column(ours, "list_loaded_s"),
                          "baseline": column(base, "list_loaded_s")},
        "imports_s": {"ours": column(ours, "imports_s"), "baseline": column(base, "imports_s")},
        "terminal": "120x36, headless",
    }
    if res["profile"]:
        info["profile"] = res["profile"]
    return [Measurement("first paint", column(ours, "first_paint_s"),
                        column(base, "first_paint_s"), info=info)]


register(Case(
    name="first_paint",
    title="first paint",
    order=60,
    measured="time to the first complete screen of the annotator (article and list rows) "
    "with 100,000 articles in the database",
    baseline="the same with 10 articles",
    target=Target(1.5),
    rows=("first paint",),
    sizes=STARTUP_SIZES,
    run=run,
    group="tui",
))
