"""What the TUI cases share: their databases and the child processes that drive the annotator.

The annotator always runs in a child process (:mod:`benchmarks.tui_probe`), one
per measured run: a first paint or a peak RSS measured in the runner's own
process would carry the runner's imports, caches and generated data.

``first_paint`` and ``memory`` read the same child runs: each child starts the
annotator, stamps its first frames, waits until the article list has loaded
every row, then reads its peak RSS.  Whichever of the two cases runs first
starts them; the other reuses the results (``ctx.shared``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.data import TUI_ANNOTATOR, build_list_database
from benchmarks.framework import RunContext

ROOT = Path(__file__).resolve().parent.parent

#: Sizes of the first-paint and memory cases (they share their runs, so also their sizes).
#: ``tiny`` still has more reports than ``tui.widgets.article_pane.LIST_SYNC_LIMIT``, so the
#: list streams in, as it does at the other sizes.
STARTUP_SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"articles": 2_500, "baseline_articles": 10},
    "quick": {"articles": 20_000, "baseline_articles": 10},
    "full": {"articles": 100_000, "baseline_articles": 10},
}


def probe(args: list[str], timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m benchmarks.tui_probe ARGS`` and return its JSON result."""
    result: dict[str, Any] = probe_module("benchmarks.tui_probe", args, timeout)
    return result


def probe_module(module: str, args: list[str], timeout: float = 600) -> Any:
    """Run ``python -m MODULE ARGS`` in a child process; its last stdout line is JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=_child_env(), capture_output=True, text=True, timeout=timeout, check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{module} {args[0]} failed (exit {proc.returncode}):\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("TEXTUAL", None)  # no devtools or debug features in the measured process
    return env


def paired_probes(first: tuple[str, list[str]],
                  second: tuple[str, Callable[[dict[str, Any]], list[str]]],
                  steps: list[tuple[str, str]], timeout: float = 600) -> dict[str, dict[str, Any]]:
    """Two ``tui_probe keys --paired`` children at once, taking turns press by press.

    ``first`` is a side's name and probe arguments; ``second``'s arguments are made
    from what the first reported once ready (the baseline's text area takes the
    reader's size).  ``steps`` lists ``(command, kind)`` pairs (``warm``/``press``,
    see :func:`benchmarks.tui_probe.serve_presses`).  Each step is sent to both
    children, one after the other, the side that goes first alternating from step
    to step, once both have prepared it.  The machine's state then changes under both sides alike: on a shared
    host one session can run 1.5x slower than the next, which separate sessions
    would turn into a ratio.  Returns each side's JSON result.
    """
    from benchmarks.tui_probe import REPLY

    # stderr to files, not pipes: a pipe nobody reads while the other side presses
    # could fill up and stall its child.
    errors: dict[str, Any] = {}
    procs: dict[str, subprocess.Popen[str]] = {}
    deadline = time.monotonic() + timeout

    def start(name: str, args: list[str]) -> None:
        errors[name] = tempfile.TemporaryFile("w+", encoding="utf-8")
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.tui_probe", *args, "--paired"],
            cwd=ROOT, env=_child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errors[name], text=True, bufsize=1)

    def tail(name: str) -> str:
        errors[name].seek(0)
        return "\n".join(errors[name].read().strip().splitlines()[-15:])

    def reply(name: str) -> str:
        """The rest of the side's next reply line."""
        proc = procs[name]
        assert proc.stdout is not None
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError(f"tui_probe {name}: no reply in {timeout} s")
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"tui_probe {name} ended (exit {proc.wait()}):\n"
                                   f"{tail(name)}")
            if line.startswith(REPLY):
                return line[len(REPLY):].strip()

    def send(name: str, line: str) -> None:
        stdin = procs[name].stdin
        assert stdin is not None
        stdin.write(line + "\n")
        stdin.flush()

    names = [first[0], second[0]]
    try:
        start(*first)
        ready = json.loads(reply(first[0]).removeprefix("ready"))
        start(second[0], second[1](ready))
        reply(second[0])
        for i, (command, kind) in enumerate(steps):
            # Both prepare first, then both press: each side's press comes after some
            # work of the other's, so neither presses with its caches fresh from its
            # own preparation while the other's are not.
            for name in names:
                send(name, f"prep {kind}")
                reply(name)
            for name in names if i % 2 == 0 else names[::-1]:
                send(name, f"{command} {kind}")
                reply(name)
        results: dict[str, dict[str, Any]] = {}
        for name in names:
            send(name, "end")
            out, _ = procs[name].communicate(timeout=max(1.0, deadline - time.monotonic()))
            if procs[name].returncode != 0:
                raise RuntimeError(f"tui_probe {name} failed (exit {procs[name].returncode}):"
                                   f"\n{tail(name)}")
            results[name] = json.loads(out.strip().splitlines()[-1])
        return results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for file in errors.values():
            file.close()


def list_database(ctx: RunContext, n: int) -> Path:
    """A store of ``n`` short reports with the annotator's spans and statuses (once a run)."""

    def build() -> Path:
        folder = Path(ctx.shared["workroot"]) / "shared"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"list-{n}.db"
        counts = build_list_database(path, ctx.seed, n)
        ctx.shared[f"tui-list-counts:{n}"] = counts
        return path

    return ctx.cached(f"tui-list-db:{n}", build)


def startup_runs(ctx: RunContext) -> dict[str, Any]:
    """Child runs of the annotator on the big and the small database, interleaved.

    One untimed warm-up run per side first (it fills the OS cache and saves the
    reading position, which every later run then finds).  Then ``repeat`` runs
    per side, alternating which goes first.
    """
    params = STARTUP_SIZES[ctx.size]
    n, n_base = params["articles"], params["baseline_articles"]
    key = f"tui-startup:{ctx.size}:{n}:{n_base}:{ctx.repeat}:{ctx.seed}"

    def run_all() -> dict[str, Any]:
        dbs = {"ours": (list_database(ctx, n), n),
               "baseline": (list_database(ctx, n_base), n_base)}

        def one(side: str) -> dict[str, Any]:
            db, rows = dbs[side]
            return probe(["startup", "--db", str(db), "--articles", str(rows),
                          "--annotator", TUI_ANNOTATOR])

        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
        for side in ("ours", "baseline"):
            one(side)  # warm-up
        for i in range(ctx.repeat):
            order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
            for side in order:
                r = one(side)
                runs[side].append(r)
                ctx.log(f"  startup {side} #{i + 1}: first paint {r['first_paint_s'] * 1e3:.0f} ms"
                        f" (first frame {r['first_frame_s'] * 1e3:.0f} ms), list loaded "
                        f"{r['list_loaded_s']:.2f} s, peak RSS {r['peak_rss'] / 2**20:.1f} MiB")
        opened = {r["article"] for side in runs.values() for r in side}
        if len(opened) != 1:
            raise RuntimeError(f"the two sides opened different articles: {sorted(opened)}")
        for side, (_, rows) in dbs.items():
            if any(r["rows"] != rows for r in runs[side]):
                raise RuntimeError(f"{side}: the list did not load {rows} rows")
        profile = None
        if ctx.profile_dir is not None:
            ctx.profile_dir.mkdir(parents=True, exist_ok=True)
            profile = ctx.profile_dir / f"profile-{ctx.size}-startup.txt"
            probe(["startup", "--db", str(dbs["ours"][0]), "--articles", str(n),
                   "--annotator", TUI_ANNOTATOR, "--profile", str(profile)])
            ctx.log(f"  profile written to {profile}")
        return {"runs": runs, "articles": n, "baseline_articles": n_base,
                "database": ctx.shared.get(f"tui-list-counts:{n}", {}),
                "database_bytes": dbs["ours"][0].stat().st_size,
                "article": opened.pop(), "profile": str(profile) if profile else None}

    if key not in ctx.shared:
        t0 = time.perf_counter()
        ctx.shared[key] = run_all()
        ctx.log(f"  startup runs done in {time.perf_counter() - t0:.1f} s")
    return ctx.shared[key]


def column(runs: list[dict[str, Any]], name: str) -> list[float]:
    return [float(r[name]) for r in runs]


def med(values: list[float]) -> float:
    return statistics.median(values)


def startup_info(res: dict[str, Any]) -> dict[str, Any]:
    """The sizes both start-up cases (first paint, memory) report in their JSON."""
    return {k: res[k] for k in ("articles", "baseline_articles", "database", "database_bytes")}
