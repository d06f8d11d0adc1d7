"""open article and undo / redo: the reader with a 1 MB article of 5,000 spans.

The database is the key press case's (:func:`benchmarks.data.build_reader_database`):
one long report (1 MB of plain text, 5,000 spans of the annotator) and ten
short ones of about 1 KB.  The annotator runs headless in a child process
(:mod:`benchmarks.tui_probe`), a new one per session, the sessions of the two
cases' sides alternating as in the other TUI cases.

``open_article`` (``tui_probe open``): the long and a short report opened in
turn from the list (the ``ArticleList.Chosen`` message that enter on a row
posts), each timed from the message to the frame that shows the article, then
``right`` pressed at once after that frame, timed as
:func:`benchmarks.tui_probe.press` times a key.  Before each of these
openings the process forgets what it kept of both texts (their split, parsed
styles and layout, the text itself: caches by SHA-256 that a second opening
finds), so the rows time a first opening; the JSON adds both articles opened
once more with their texts kept (``reopen``).

* ``open 1 MB article: first screen`` -- the long report against the short one;
  issue 19 wants it within 1.5x.
* ``open 1 MB article: first key`` -- ``right`` just after the long report's
  first frame against ``right`` just after the short one's: the first key must
  not wait for work left from the opening.

``undo_redo`` (``tui_probe keys --kinds undo``): on the long report, cursor in
the middle, per round a word is selected (untimed), then ``1`` tags it, ``u``
undoes the tag and ``ctrl+r`` redoes it, each timed; the case checks the span
count after each.  Undo and redo are measured against the tag press of the
same rounds (issue 19: within 1.5x of it).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from benchmarks.data import TUI_ANNOTATOR, article_id, build_reader_database, copy_database
from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.tui_runs import probe


def reader_database(ctx: RunContext) -> tuple[Path, Any]:
    p = ctx.params
    folder = Path(ctx.shared["workroot"]) / "shared"
    folder.mkdir(parents=True, exist_ok=True)

    def build() -> tuple[Path, Any]:
        path = folder / f"reader-{p['article_chars']}-{p['spans']}.db"
        return path, build_reader_database(path, ctx.seed, p["article_chars"], p["spans"])

    found: tuple[Path, Any] = ctx.cached(f"tui-reader-db:{p['article_chars']}:{p['spans']}",
                                         build)
    return found


def run_open(ctx: RunContext) -> list[Measurement]:
    source, article = reader_database(ctx)
    small = article_id(0)
    sessions: list[dict[str, Any]] = []
    for i in range(ctx.repeat):
        db = copy_database(source, ctx.workdir / "reader.db")
        r = probe(["open", "--db", str(db), "--article", article.id, "--small", small,
                   "--annotator", TUI_ANNOTATOR, "--opens", str(ctx.params["opens"])])
        sessions.append(r)
        med = {k: statistics.median(v) * 1e3 for k, v in r["samples"].items()}
        ctx.log(f"  open #{i + 1}: big {med['open_big']:.1f} ms, small {med['open_small']:.1f} "
                f"ms (again: {med['reopen_big']:.1f} / {med['reopen_small']:.1f} ms); "
                f"first key {med['key_big']:.2f} / {med['key_small']:.2f} ms")

    def per(kind: str) -> list[float]:
        return [statistics.median(r["samples"][kind]) for r in sessions]

    info = {"article_chars": sessions[0]["big_chars"], "small_chars": sessions[0]["small_chars"],
            "spans": ctx.params["spans"], "opens_per_session": ctx.params["opens"],
            "min_max": {k: [min(per(k)), max(per(k))] for k in sessions[0]["samples"]},
            "terminal": "120x36, headless",
            "sides": "each session opens both articles in turn (the same child process)",
            "first_openings": "the rows time openings that find nothing of either text kept "
                              "from before (split, styles, their layout, the text)",
            "reopen": {"keys": "each article opened again with its text kept",
                       "ours": per("reopen_big"), "baseline": per("reopen_small"),
                       "ratio": statistics.median(per("reopen_big"))
                       / statistics.median(per("reopen_small"))}}
    return [
        Measurement("open 1 MB article: first screen", per("open_big"), per("open_small"),
                    info=info),
        Measurement("open 1 MB article: first key", per("key_big"), per("key_small"),
                    info=info),
    ]


def run_undo(ctx: RunContext) -> list[Measurement]:
    p = ctx.params
    source, article = reader_database(ctx)
    sessions: list[dict[str, Any]] = []
    for i in range(ctx.repeat):
        db = copy_database(source, ctx.workdir / "reader.db")
        args = ["keys", "--side", "ours", "--db", str(db), "--article", article.id,
                "--annotator", TUI_ANNOTATOR, "--kinds", "undo", "--presses", str(p["rounds"]),
                "--warmup", str(p["warmup"])]
        if ctx.profile_dir is not None and i == ctx.repeat - 1:
            ctx.profile_dir.mkdir(parents=True, exist_ok=True)
            args += ["--profile", str(ctx.profile_dir / f"profile-{ctx.size}-undo")]
        r = probe(args)
        sessions.append(r)
        med = {k: statistics.median(v) * 1e3 for k, v in r["samples"].items()}
        ctx.log(f"  undo #{i + 1}: tag {med['undo_tag']:.2f} ms, undo {med['undo']:.2f} ms, "
                f"redo {med['redo']:.2f} ms")

    def per(kind: str) -> list[float]:
        return [statistics.median(r["samples"][kind]) for r in sessions]

    info = {"article_chars": len(article.text), "spans": p["spans"],
            "rounds_per_session": p["rounds"],
            "min_max": {k: [min(per(k)), max(per(k))] for k in ("undo_tag", "undo", "redo")},
            "baseline_is": "the tag press (1) of the same rounds",
            "terminal": "120x36, headless"}
    return [Measurement("undo", per("undo"), per("undo_tag"), info=info),
            Measurement("redo", per("redo"), per("undo_tag"), info=info)]


_SIZES = {
    "tiny": {"article_chars": 10_000, "spans": 50},
    "quick": {"article_chars": 1_000_000, "spans": 5_000},
    "full": {"article_chars": 1_000_000, "spans": 5_000},
    "scale": {"article_chars": 1_000_000, "spans": 5_000},
}

register(Case(
    name="open_article",
    title="open a 1 MB article",
    order=72,
    measured="opening an article from the list until its first frame, and the first key "
    "after it: 1 MB with 5,000 spans",
    baseline="the same with a report of about 1 KB, same session",
    target=Target(1.5),
    rows=("open 1 MB article: first screen", "open 1 MB article: first key"),
    sizes={k: {**v, "opens": {"tiny": 2, "quick": 8, "full": 10, "scale": 10}[k]}
           for k, v in _SIZES.items()},
    run=run_open,
    group="tui",
))

register(Case(
    name="undo_redo",
    title="undo / redo",
    order=74,
    measured="u and ctrl+r after a tag, 1 MB article with 5,000 spans (key event + handlers "
    "+ repaint)",
    baseline="the tag key press (1) of the same rounds",
    target=Target(1.5),
    rows=("undo", "redo"),
    sizes={k: {**v, "rounds": {"tiny": 5, "quick": 30, "full": 40, "scale": 40}[k],
               "warmup": {"tiny": 2, "quick": 5, "full": 5, "scale": 5}[k]}
           for k, v in _SIZES.items()},
    run=run_undo,
    group="tui",
))
