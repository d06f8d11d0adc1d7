"""``python -m benchmarks``: run the cases, print a table, write a JSON file."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.framework import (
    DEFAULT_REPEAT,
    SIZES,
    Case,
    CaseSkipped,
    Measurement,
    RunContext,
    median,
    registered,
)

DEFAULT_JSON = Path(__file__).resolve().parent / "out" / "results.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure stancemark against same-run baselines (see BENCHMARKS.md).",
    )
    p.add_argument("--size", choices=SIZES, default=None,
                   help="data size: tiny (smoke test), quick (default, about 12 minutes with every case), "
                   "full (the issue's sizes), scale (the cases that run on the "
                   "100,000-report / 1,000,000-span corpus, built once per seed)")
    p.add_argument("--full", action="store_true", help="same as --size full")
    p.add_argument("--seed", type=int, default=20250101, help="data seed (default 20250101)")
    p.add_argument("--repeat", type=int, default=None,
                   help="timed runs per side (default: 1 tiny, 5 quick, 3 full)")
    p.add_argument("--only", default="",
                   help="comma-separated case names (see --list), e.g. export,merge")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON,
                   help="results file (default benchmarks/out/results.json)")
    p.add_argument("--tmp", type=Path, default=None,
                   help="where to put generated data (default: the system temp folder)")
    p.add_argument("--keep", action="store_true", help="keep the generated data")
    p.add_argument("--cache", type=Path, default=None,
                   help="where the scale corpus is kept between runs (default "
                   "benchmarks/out/cache)")
    p.add_argument("--profile", action="store_true",
                   help="also profile each of our timed functions once (pyinstrument, else "
                   "cProfile); text reports go next to the JSON file")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    args = p.parse_args(argv)
    if args.full:
        if args.size not in (None, "full"):
            p.error("--full conflicts with --size " + args.size)
        args.size = "full"
    args.size = args.size or "quick"
    if args.repeat is None:
        args.repeat = DEFAULT_REPEAT[args.size]
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def select(cases: list[Case], only: str) -> list[Case]:
    if not only:
        return cases
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    known = {c.name for c in cases}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [c for c in cases if c.name in wanted]


# ------------------------------------------------------------------------- machine

def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "ram_gb": None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    if hasattr(os, "sched_getaffinity"):
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    versions: dict[str, str | None] = {}
    for dist in ("markdown-it-py", "sqlite-utils", "krippendorff", "numpy", "textual"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    info["packages"] = versions
    return info


# ------------------------------------------------------------------------- results

def row_result(case: Case, m: Measurement, params: dict[str, Any]) -> dict[str, Any]:
    ours, base = median(m.ours), median(m.baseline)
    target = m.target or case.target
    ratio = ours / base if ours is not None and base else None
    return {
        "case": case.name,
        "row": m.row,
        "group": case.group,
        "status": "ok",
        "unit": m.unit,
        "median": ours,
        "baseline_median": base,
        "ratio": ratio,
        "target": target.describe(),
        "target_ratio": target.max_ratio,
        "target_strict": target.strict,
        "pass": None if ratio is None or ours is None else target.passes(ours, ratio),
        "samples": {"ours": m.ours, "baseline": m.baseline},
        "measured": case.measured,
        "baseline_is": case.baseline,
        "params": params,
        "info": m.info,
    }


def placeholder(case: Case, status: str, params: dict[str, Any], error: str = "",
                reason: str = "") -> list[dict]:
    out: list[dict[str, Any]] = []
    for row in case.rows:
        out.append({
            "case": case.name, "row": row, "group": case.group, "status": status,
            "unit": case.unit, "median": None, "baseline_median": None, "ratio": None,
            "target": case.target.describe(), "target_ratio": case.target.max_ratio,
            "target_strict": case.target.strict, "pass": None,
            "samples": {"ours": [], "baseline": []}, "measured": case.measured,
            "baseline_is": case.baseline, "params": params, "info": {},
            **({"error": error} if error else {}),
            **({"reason": reason} if reason else {}),
        })
    return out


def fmt_value(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit == "bytes":
        return f"{value / 2**20:.1f} MiB"
    if unit == "keys":
        return f"{value:g} keys"
    if unit == "score":
        return f"{value:.3f}"
    return fmt_time(value)


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def verdict(r: dict[str, Any]) -> str:
    if r["status"] != "ok":
        return r["status"]
    return "pass" if r["pass"] else "MISS"


def table(results: list[dict[str, Any]]) -> str:
    head = ("case", "ours (median)", "baseline", "ratio", "target", "verdict")
    rows = [head]
    for r in results:
        rows.append((
            r["row"], fmt_value(r["median"], r["unit"]), fmt_value(r["baseline_median"], r["unit"]),
            "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["target"], verdict(r),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i == 0 or i >= 4 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


# ----------------------------------------------------------------------------- run

def run(args: argparse.Namespace) -> dict[str, Any]:
    cases = select(registered(), args.only)

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    base_tmp = args.tmp
    if base_tmp is not None:
        base_tmp.mkdir(parents=True, exist_ok=True)
    workroot = Path(tempfile.mkdtemp(prefix="stancemark-bench-", dir=base_tmp))
    shared: dict[str, Any] = {"workroot": workroot, "cache": args.cache}
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    profile_dir = args.json.parent if args.profile else None
    try:
        for case in cases:
            if not case.pending and args.size not in case.sizes:
                log(f"{case.name}: not measured at size {args.size}")
                continue
            params = dict(case.sizes.get(args.size, {}))
            if case.pending:
                log(f"{case.name}: pending (not implemented yet)")
                results.extend(placeholder(case, "pending", params))
                continue
            log(f"{case.name}: {case.measured} [{args.size}: {params}]")
            workdir = workroot / case.name
            workdir.mkdir(parents=True, exist_ok=True)
            ctx = RunContext(case, size=args.size, seed=args.seed, repeat=args.repeat,
                             workdir=workdir, shared=shared, log=log, profile_dir=profile_dir)
            t0 = time.perf_counter()
            try:
                assert case.run is not None
                measurements = case.run(ctx)
            except CaseSkipped as e:
                log(f"  {case.name} skipped: {e}")
                results.extend(placeholder(case, "skipped", params, reason=str(e)))
                continue
            except Exception as e:  # one broken case must not hide the others
                log(traceback.format_exc())
                results.extend(placeholder(case, "error", params, f"{type(e).__name__}: {e}"))
                continue
            finally:
                if not args.keep:
                    shutil.rmtree(workdir, ignore_errors=True)
            for m in measurements:
                results.append(row_result(case, m, params))
            log(f"  {case.name} done in {time.perf_counter() - t0:.1f} s")
    finally:
        if args.keep:
            log(f"data kept in {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)
    return {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "size": args.size,
            "seed": args.seed,
            "repeat": args.repeat,
            "only": args.only or None,
            "wall_s": round(time.perf_counter() - started, 1),
            "machine": machine(),
            "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for case in registered():
            state = "pending" if case.pending else case.group
            print(f"{case.name:12} {state:8} {case.measured}  [target: {case.target.describe()}]")
        return 0
    report = run(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    meta = report["meta"]
    print(f"stancemark benchmarks: size {meta['size']}, seed {meta['seed']}, "
          f"{meta['repeat']} run(s) per side, {meta['wall_s']} s")
    print(table(report["results"]))
    print(f"results: {args.json}")
    return 1 if any(r["status"] == "error" for r in report["results"]) else 0
