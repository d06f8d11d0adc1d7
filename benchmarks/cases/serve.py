"""serve: the annotator in a browser tab against the same annotator in a terminal.

Ours is ``stancemark serve`` (already listening; loopback, so no token)
opened in Debian's headless Chromium, xterm.js drawing with its WebGL
renderer in software.  The baseline is ``stancemark`` itself in a
pseudo-terminal of the same size (the browser's terminal, about 142 x 38),
read by pyte.  Both run on one database of generated reports, as two
annotators of their own, and open the same article.  See
:mod:`benchmarks.serve_runs` for how each side is timed.

* open to article: from the page's navigation start (a new tab on the
  server, which starts that tab's app process) to the first paint that
  shows the article's first paragraph; baseline: from the spawn of the
  terminal app to the same paint.
* tag key to paint: the sentence at the cursor selected (``s``, untimed,
  then 0.15 s to settle), the claim key ``c``: from its keydown to the
  first paint showing the new span in the span panel (``■ claim``); then
  ``u`` (undo, untimed) restores the article for the next press.  Baseline:
  the same keys written to the terminal.  Each sample is one press; the
  sides alternate press by press.

Skipped, with the reason, when chromium or the Python packages playwright
and pyte are missing.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from annotations.store import Store
from benchmarks.framework import Case, CaseSkipped, Measurement, RunContext, Target, register
from benchmarks.serve_runs import (
    Browser,
    BrowserTab,
    TerminalApp,
    chromium_version,
    config_home,
    describe,
    first_line,
    served,
    skip_reason,
)

#: What shows once the tag is painted, and once its undo is.
TAGGED = "■ claim"
UNTAGGED = "No spans yet"
#: Seconds after ``s`` before the timed key (the selection is handled in a few ms).
SETTLE = 0.15


def _database(ctx: RunContext) -> tuple[Path, str]:
    """A store of ``articles`` generated reports; the text the first one opens on."""
    from benchmarks.data import articles

    path = ctx.workdir / "serve.db"
    reports = articles(ctx.seed, ctx.params["articles"])
    with Store.open(path) as store:
        store.import_articles(reports)
        first = store.next_article("web", None, not_done=True)
        article = store.get_article(first) if first else None
    if article is None:
        raise RuntimeError("no article to open")
    paragraphs = [p for p in article.text.split("\n\n") if p.strip()]
    return path, first_line(paragraphs[1] if len(paragraphs) > 1 else paragraphs[0])


def run(ctx: RunContext) -> list[Measurement]:
    reason = skip_reason()
    if reason:
        raise CaseSkipped(reason)
    p = ctx.params
    db, watch = _database(ctx)
    load: dict[str, list[float]] = {"ours": [], "baseline": []}
    tag: dict[str, list[float]] = {"ours": [], "baseline": []}
    shape: dict[str, Any] = {}
    with served(db, "web", ctx.workdir) as url:
        browser = Browser(first_watch=watch)

        def open_tab() -> BrowserTab:
            tab = BrowserTab(browser, url)
            if not shape:  # the browser's terminal size: the terminal side gets the same
                shape.update(size=tab.size(), renderer=tab.renderer())
            return tab

        def open_terminal() -> TerminalApp:
            cols, rows = shape["size"]
            return TerminalApp(db, "term", cols, rows, watch,
                               config=config_home(ctx.workdir))

        try:
            if p["warmup"]:  # untimed: OS caches, bytecode, the server's first tab
                open_tab().close()
                open_terminal().close()
            for i in range(p["loads"]):  # the browser first: it sizes the terminal
                for side in (("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")):
                    app = open_tab() if side == "ours" else open_terminal()
                    load[side].append(app.load_ms / 1e3)
                    app.close()
                    ctx.log(f"  open to article {side} #{i + 1}: {load[side][-1] * 1e3:.0f} ms")
            tab, term = open_tab(), open_terminal()
            try:
                sides: dict[str, BrowserTab | TerminalApp] = {"ours": tab, "baseline": term}
                for i in range(p["warmup"] + p["presses"]):
                    for side in (("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")):
                        app = sides[side]
                        app.press("s")
                        if isinstance(app, TerminalApp):
                            app.settle(SETTLE)  # reads what it paints meanwhile
                        else:
                            time.sleep(SETTLE)
                        ms = app.press("c", until=TAGGED)
                        app.press("u", until=UNTAGGED)
                        if i >= p["warmup"]:
                            tag[side].append(ms / 1e3)
                ctx.log("  tag key to paint: browser {:.1f} ms, terminal {:.1f} ms (medians)".format(
                    statistics.median(tag["ours"]) * 1e3,
                    statistics.median(tag["baseline"]) * 1e3))
            finally:
                tab.close()
                term.close()
        finally:
            browser.close()
    with Store.open(db) as store:
        left = sum(len(store.spans(a, who)) for a in store.article_ids()
                   for who in ("web", "term"))
    if left:
        raise RuntimeError(f"{left} spans left after tag + undo: the presses went astray")
    common = {
        "terminal": "{}x{}".format(*shape["size"]),
        "renderer": shape["renderer"],
        "chromium": chromium_version(),
        "viewport": "1280x800",
        "articles": p["articles"],
        "watched_text": watch,
    }
    return [
        Measurement("serve: open to article", load["ours"], load["baseline"],
                    info={**common, "ours": describe(load["ours"]),
                          "baseline": describe(load["baseline"])}),
        Measurement("serve: tag key to paint", tag["ours"], tag["baseline"],
                    info={**common, "keys": "s (untimed), c timed, u (untimed)",
                          "ours": describe(tag["ours"]), "baseline": describe(tag["baseline"])}),
    ]


register(Case(
    name="serve",
    title="serve",
    order=90,
    measured="the annotator in a browser tab (stancemark serve, headless Chromium): "
    "opening the page to the article painted, and the tag key to its paint",
    baseline="the same in the terminal app (a pseudo-terminal of the same size)",
    target=Target(2.0),
    rows=("serve: open to article", "serve: tag key to paint"),
    sizes={
        # tiny: the smoke test's, as short as it can be (no warm-up of the terminal side)
        "tiny": {"articles": 10, "loads": 1, "presses": 1, "warmup": 0},
        "quick": {"articles": 200, "loads": 5, "presses": 20, "warmup": 3},
        "full": {"articles": 200, "loads": 10, "presses": 40, "warmup": 5},
    },
    run=run,
    group="tui",
))
