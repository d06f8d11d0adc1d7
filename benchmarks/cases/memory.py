"""memory: peak RSS of the annotator once its list of 100,000 articles has loaded.

The same child runs as the first-paint case (:func:`benchmarks.tui_runs.startup_runs`):
each starts the annotator headless on the database (``App.run_test``, 120 x 36),
waits until the article list holds every row (it streams in by batches after
the first paint) and the loading worker has finished, lets one more frame
render, then reads the process's peak resident set size, ``VmHWM`` from
``/proc/self/status`` (``ru_maxrss`` where there is no ``/proc``).  The
baseline is the same on the first 10 of the same reports.  The child imports
only the annotator (textual, ``tui``, ``annotations``), never the benchmark's
own data or numpy.
"""

from __future__ import annotations

from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.tui_runs import STARTUP_SIZES, column, startup_info, startup_runs


def run(ctx: RunContext) -> list[Measurement]:
    res = startup_runs(ctx)
    ours, base = res["runs"]["ours"], res["runs"]["baseline"]
    info = {
        **startup_info(res),
        "ru_maxrss": {"ours": column(ours, "ru_maxrss"), "baseline": column(base, "ru_maxrss")},
        "rss_after_load": {"ours": [r["rss"] for r in ours], "baseline": [r["rss"] for r in base]},
        "list_loaded_s": {"ours": column(ours, "list_loaded_s"),
                          "baseline": column(base, "list_loaded_s")},
    }
    return [Measurement("memory (peak RSS)", column(ours, "peak_rss"), column(base, "peak_rss"),
                        unit="bytes", info=info)]


register(Case(
    name="memory",
    title="memory",
    order=80,
    measured="peak RSS of the annotator with 100,000 articles, list fully loaded",
    baseline="with 10 articles",
    target=Target(2.0, strict=True),
    rows=("memory (peak RSS)",),
    sizes=STARTUP_SIZES,
    run=run,
    group="tui",
    unit="bytes",
))
