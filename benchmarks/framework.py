"""The benchmark framework: a registry of cases, a run context, and results.

A *case* is one line of the issue's table (import, export, merge ...).  It
declares what it measures, its baseline and its target, its parameters at
each size (``tiny`` for the smoke test, ``quick`` by default, ``full`` for the
issue's sizes), and a ``run`` function that returns one :class:`Measurement`
per row (export has two rows, jsonl and csv; tag-a-span has p50 and p99).

Adding a case is adding a module under ``benchmarks/cases/`` (named in its
``__init__``)::

    from benchmarks.framework import Case, Measurement, RunContext, Target, register

    def run(ctx: RunContext) -> list[Measurement]:
        ours, base = ctx.compare(ours=lambda: ..., baseline=lambda: ...)
        return [Measurement("first paint", ours, base)]

    register(Case(name="first_paint", ..., run=run))

A case registered with ``run=None`` is *pending*: it is listed in the table
with no figures.  A case whose ``run`` raises :class:`CaseSkipped` (it needs
something this machine lacks, e.g. a browser) is listed as *skipped*, with
the reason.  Registering a real case under a pending case's name
replaces the placeholder, whatever the import order.

Every target is a ratio against a baseline timed in the same run, in the
same process, interleaved with ours (ours, baseline, baseline, ours, ...), so
machine noise hits both sides alike.  Figures are medians over the repeats.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: ``scale`` is the 100,000-report / 1,000,000-span corpus built once per seed and kept
#: (:mod:`benchmarks.scale`); only the cases that have parameters for it run there.
SIZES = ("tiny", "quick", "full", "scale")

#: Repeats per size when ``--repeat`` is not given.
DEFAULT_REPEAT = {"tiny": 1, "quick": 5, "full": 3, "scale": 5}


@dataclass(frozen=True)
class Target:
    """Pass when ``ours / baseline <= max_ratio`` (``< max_ratio`` when ``strict``).

    ``higher``: the figures are scores where more is better (an F1), and the row
    passes when ``ours / baseline >= max_ratio`` instead.
    A goal in time (``under``, seconds) replaces the ratio: pass when ours is
    under it; the ratio to the baseline is still reported.
    """

    max_ratio: float
    strict: bool = False
    higher: bool = False
    under: float | None = None
    #: The unit of ``under``: "s" (seconds) or "bytes".
    unit: str = "s"

    def met(self, ratio: float) -> bool:
        if self.higher:
            return ratio > self.max_ratio if self.strict else ratio >= self.max_ratio
        return ratio < self.max_ratio if self.strict else ratio <= self.max_ratio

    def passes(self, ours: float, ratio: float) -> bool:
        return ours < self.under if self.under is not None else self.met(ratio)

    def describe(self) -> str:
        if self.higher:
            return f"at least {self.max_ratio:g}x"
        if self.under is not None and self.unit == "bytes":
            return f"under {self.under / 2**20:g} MiB"
        if self.under is not None:
            return f"under {self.under * 1e3:g} ms"
        if self.strict and self.max_ratio == 1.0:
            return "faster (< 1x)"
        if self.strict:
            return f"under {self.max_ratio:g}x"
        return f"within {self.max_ratio:g}x"


@dataclass
class Measurement:
    """One row of the table: samples of ours and of the baseline (seconds unless ``unit``)."""

    row: str
    ours: list[float]
    baseline: list[float]
    #: "s" (seconds), "bytes" (e.g. peak RSS), "keys" or "score" (an F1, 0 to 1).
    unit: str = "s"
    #: Optional per-row target (else the case's).
    target: Target | None = None
    #: What was measured, for the JSON (sizes, counts, checks ...).
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    name: str
    title: str
    #: Table order.
    order: int
    #: What is measured and against what, in the issue's words.
    measured: str
    baseline: str
    target: Target
    #: Row names, known up front so pending cases can be listed.
    rows: tuple[str, ...]
    #: Parameters per size; ``run`` reads ``ctx.params``.
    sizes: dict[str, dict[str, Any]]
    run: Callable[[RunContext], list[Measurement]] | None = None
    #: "core" cases need no terminal; "tui" cases drive the annotator.
    group: str = "core"
    #: Unit of the figures ("s" or "bytes"), for pending rows.
    unit: str = "s"

    @property
    def pending(self) -> bool:
        return self.run is None


class CaseSkipped(Exception):
    """Raised by a case's ``run`` that cannot run on this machine (e.g. no browser).

    The message says why; the runner lists the case's rows as ``skipped`` with it.
    """


_REGISTRY: dict[str, Case] = {}


def register(case: Case) -> Case:
    """Add a case; a real case replaces a pending one of the same name (and not vice versa)."""
    current = _REGISTRY.get(case.name)
    if current is not None:
        if case.pending and not current.pending:
            return current
        if not case.pending and not current.pending and current.run is not case.run:
            raise ValueError(f"benchmark case {case.name!r} is registered twice")
    _REGISTRY[case.name] = case
    return case


def registered() -> list[Case]:
    """Every case, in table order (importing ``benchmarks.cases`` fills the registry)."""
    from benchmarks import cases  # noqa: F401  (imports every case module)

    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))


class RunContext:
    """What a case gets: its parameters, a seed, a temp folder, repeat count and timers."""

    def __init__(
        self,
        case: Case,
        *,
        size: str,
        seed: int,
        repeat: int,
        workdir: Path,
        shared: dict[str, Any],
        log: Callable[[str], None] = lambda msg: None,
        profile_dir: Path | None = None,
    ) -> None:
        self.case = case
        self.size = size
        self.params: dict[str, Any] = dict(case.sizes[size])
        self.seed = seed
        self.repeat = repeat
        self.workdir = workdir
        #: Data shared between cases of one run (e.g. a parsed corpus), keyed by the builder.
        self.shared = shared
        self.log = log
        self.profile_dir = profile_dir

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.case.name}:{name}")

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Build once per run: the same corpus or database serves several cases."""
        if key not in self.shared:
            t0 = time.perf_counter()
            self.shared[key] = build()
            self.log(f"  built {key} in {time.perf_counter() - t0:.1f} s")
        return self.shared[key]

    def compare(
        self,
        ours: Callable[..., Any],
        baseline: Callable[..., Any],
        *,
        setup_ours: Callable[[], Any] | None = None,
        setup_baseline: Callable[[], Any] | None = None,
        teardown: Callable[[Any], None] | None = None,
        label: str = "",
    ) -> tuple[list[float], list[float]]:
        """Time ``ours`` and ``baseline`` ``repeat`` times each, interleaved.

        A ``setup_*`` function runs untimed before each call and its result is
        passed to the timed function (e.g. a fresh database); ``teardown``
        gets it afterwards, untimed.  The order alternates between repeats.
        """
        out: dict[str, list[float]] = {"ours": [], "baseline": []}
        sides = {"ours": (ours, setup_ours), "baseline": (baseline, setup_baseline)}
        for i in range(self.repeat):
            order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
            for side in order:
                fn, setup = sides[side]
                out[side].append(_timed(fn, setup, teardown))
                self.log(f"  {label or self.case.name} {side} #{i + 1}: {out[side][-1]:.3f} s")
        if self.profile_dir is not None:
            self.profile(label or self.case.name, ours, setup_ours, teardown)
        return out["ours"], out["baseline"]

    def profile(
        self,
        label: str,
        fn: Callable[..., Any],
        setup: Callable[[], Any] | None = None,
        teardown: Callable[[Any], None] | None = None,
    ) -> Path | None:
        """One more untimed run of ``fn`` under pyinstrument (or cProfile), saved as text."""
        if self.profile_dir is None:
            return None
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        slug = "".join(ch if ch.isalnum() else "-" for ch in label).strip("-")
        arg = setup() if setup else None
        args = () if setup is None else (arg,)
        try:
            try:
                from pyinstrument import Profiler
            except ImportError:
                import cProfile
                import io
                import pstats

                prof = cProfile.Profile()
                prof.runcall(fn, *args)
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
                text = buf.getvalue()
            else:
                profiler = Profiler(interval=0.001)
                profiler.start()
                try:
                    fn(*args)
                finally:
                    profiler.stop()
                text = profiler.output_text(unicode=True, color=False, show_all=False)
        finally:
            if teardown:
                teardown(arg)
        path = self.profile_dir / f"profile-{self.size}-{slug}.txt"
        path.write_text(text, encoding="utf-8")
        self.log(f"  profile written to {path}")
        return path


def _timed(
    fn: Callable[..., Any],
    setup: Callable[[], Any] | None,
    teardown: Callable[[Any], None] | None,
) -> float:
    arg = setup() if setup else None
    gc.collect()
    try:
        t0 = time.perf_counter()
        if setup is None:
            fn()
        else:
            fn(arg)
        return time.perf_counter() - t0
    finally:
        if teardown:
            teardown(arg)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


# ------------------------------------------------------------------- shared data

def corpus(ctx: RunContext, n: int) -> list[Any]:
    """The first ``n`` generated reports, parsed (shared by every case of the run)."""
    from benchmarks.data import articles

    have = ctx.shared.get("corpus")
    if have is None or len(have) < n:
        t0 = time.perf_counter()
        have = ctx.shared["corpus"] = articles(ctx.seed, n)
        ctx.log(f"  parsed a corpus of {n} reports in {time.perf_counter() - t0:.1f} s")
    return have[:n]


def span_database(ctx: RunContext, n_articles: int, n_spans: int,
                  annotators: tuple[str, ...] = ("alice", "bob")) -> Path:
    """A checkpointed store with ``n_articles`` reports and ``n_spans`` spans (built once a run).

    Cases copy it before writing to it (:func:`benchmarks.data.copy_database`).
    """
    from benchmarks.data import build_database

    key = f"db:{n_articles}:{n_spans}:{','.join(annotators)}"

    def build() -> Path:
        folder = Path(ctx.shared["workroot"]) / "shared"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"spans-{n_articles}-{n_spans}.db"
        per_article = max(1, n_spans // n_articles)
        build_database(path, corpus(ctx, n_articles), per_article, annotators, ctx.seed)
        return path

    return ctx.cached(key, build)
