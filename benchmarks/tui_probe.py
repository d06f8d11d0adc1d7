"""The child process of the TUI cases: runs the annotator headless and prints one JSON line.

``python -m benchmarks.tui_probe startup --db DB --articles N``
    Start the annotator on ``DB`` (``App.run_test``, 120 x 36) and wait until its
    article list has loaded every row.  Prints the times (from just before
    ``Store.open``) of the first frame of the annotate screen, of the first
    *complete* frame (the article in the reader and rows in the list) and of
    the list being fully loaded, and the process's peak RSS (``VmHWM``).

``python -m benchmarks.tui_probe keys --side ours|baseline ...``
    Time key presses: in the annotator on a long article (``ours``), or in a bare
    ``App`` holding one default ``TextArea`` (``baseline``).  See :func:`press`
    for what one timed key press includes.  The ``first_*`` kinds time a key as the
    first one after the article was opened again (``first_right``, ``first_sentence``:
    with no sentence of it segmented yet; ``first_sentence_warm``: with its sentences
    kept from before).  With ``--paired`` the child presses only when the parent says
    (:func:`serve_presses`), so that two children, ours and the baseline, can take
    turns press by press.

``python -m benchmarks.tui_probe open --db DB --article LONG --small SHORT ...``
    Open a long and a short article in turn from the list, each timed until the frame
    that shows it, and the first ``right`` after that frame (see :func:`opening`).

``python -m benchmarks.tui_probe typing --side ours|baseline --query TEXT ...``
    Time the keys of ``TEXT`` typed into the annotator's search box (``ours``, once
    its list holds every row) or into a bare ``Input`` (``baseline``): each press
    as :func:`press` times it, plus the wait until the list shows the hits of the
    text typed so far and the frame that shows them (see :func:`press_until`).

Each run is a fresh process, so no case sees another's caches, imports or
garbage.  Only the standard library, textual, ``tui`` and ``annotations`` are
imported (never numpy), so the peak RSS is the annotator's own.
"""

from __future__ import annotations

import time

_T_PROCESS = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (120, 36)


def peak_rss() -> int:
    """Peak resident set size of this process, in bytes.

    ``VmHWM`` belongs to the process image since ``exec``.  Linux carries the
    parent's peak through ``fork`` and ``exec`` into ``ru_maxrss`` (a child of the
    benchmark runner reports the runner's gigabytes), so that is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return maxrss()


def maxrss() -> int:
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ru if sys.platform == "darwin" else ru * 1024


def current_rss() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


# ------------------------------------------------------------------- startup

async def startup(args: argparse.Namespace) -> dict[str, Any]:
    t_imports = time.perf_counter()
    from annotations.store import Store
    from tui.app import StancemarkApp
    from tui.screens.annotate import AnnotateScreen
    from tui.screens.suggesting import WORKER_GROUP

    imported = time.perf_counter()
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    store = Store.open(args.db, create=False)
    app = StancemarkApp(store, args.annotator)
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        # Every frame the compositor produces goes through App._display (headless
        # runs skip only the write to the terminal).  Stamp the ones we wait for.
        display(screen, renderable)
        if renderable is None or not isinstance(screen, AnnotateScreen):
            return
        now = time.perf_counter()
        marks.setdefault("first_frame", now)
        if "first_paint" not in marks and screen.article is not None and (
            screen.article_list.total > 0 or args.articles == 0
        ):
            marks["first_paint"] = now

    app._display = timed_display  # type: ignore[method-assign]
    info: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.perf_counter() + args.timeout
        while True:
            screen = app.screen
            if (
                isinstance(screen, AnnotateScreen)
                and "first_paint" in marks
                and screen.article_list.total >= args.articles
                # The list's workers; suggestions come after the first paint, worked out
                # in another process, and are waited for by nobody (issue 16).
                and not any(w.is_running or w.state.name == "PENDING" for w in app.workers
                            if w.group != WORKER_GROUP)
            ):
                break
            if time.perf_counter() > deadline:
                raise SystemExit(f"the list did not load {args.articles} rows "
                                 f"in {args.timeout} s")
            await asyncio.sleep(0.002)
        marks["list_loaded"] = time.perf_counter()
        await pilot.pause()
        info["rows"] = screen.article_list.total
        info["article"] = screen.article.id if screen.article else None
        info["peak_rss"] = peak_rss()
        info["ru_maxrss"] = maxrss()
        info["rss"] = current_rss()
    store.close()
    return {
        "imports_s": imported - t_imports,
        "process_to_t0_s": t0 - _T_PROCESS,
        **{f"{k}_s": v - t0 for k, v in marks.items()},
        **info,
    }


# ---------------------------------------------------------------------- keys

async def settle(app: Any) -> None:
    """Let every message pump of the screen run until no queue holds a message.

    A key press travels as messages (``Key`` to the app, then to the focused
    widget; the action posts ``SelectionChanged``, which bubbles to the screen
    ...).  Each ``sleep(0)`` lets each pump with a message handle it; we stop
    after two rounds in which every queue was empty.
    """
    nodes = [app, *app.screen.walk_children(with_self=True)]
    quiet = 0
    for _ in range(10_000):
        await asyncio.sleep(0)
        if any(n._message_queue.qsize() for n in nodes):
            quiet = 0
        else:
            quiet += 1
            if quiet >= 2:
                return
    raise RuntimeError("the app did not settle")


def render(app: Any) -> None:
    """Produce the frame now: what the screen's update timer would do next (see Pilot.pause)."""
    app.screen._on_timer_update()


async def press(app: Any, key: str, character: str | None) -> float:
    """One key press, timed: the key event's whole path, then the repaint.

    Post the ``Key`` event to the app as the driver does, let every message it
    causes be handled (binding look-up, the action, ``SelectionChanged`` and its
    handlers ...), render the frame, then handle whatever that frame scheduled
    (``call_after_refresh``) and render again if needed.  Pilot's ``press`` adds
    idle waits of tens of milliseconds; this adds about ten ``sleep(0)``.
    """
    from textual import events

    event = events.Key(key, character)
    event.set_sender(app)
    t0 = time.perf_counter()
    app.post_message(event)
    await settle(app)
    render(app)
    await settle(app)
    render(app)
    return time.perf_counter() - t0


async def press_until(app: Any, key: str, character: str | None,
                      ready: Callable[[], bool], timeout: float = 30.0) -> float:
    """:func:`press`, but the clock runs until ``ready()`` (work handed to a thread is
    done and shown), then through the frame that shows it."""
    return await press_burst(app, [(key, character)], ready, timeout)


async def press_burst(app: Any, keys: list[tuple[str, str | None]],
                      ready: Callable[[], bool], timeout: float = 30.0) -> float:
    """Post several key events at once, then wait as :func:`press_until` does."""
    from textual import events

    t0 = time.perf_counter()
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)
    await settle(app)
    while not ready():
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"nothing shown {timeout} s after {[k for k, _ in keys]}")
        # The worker thread's result comes through the event loop; waiting without
        # spinning leaves the thread the interpreter, as an idle app would.
        await asyncio.sleep(0.001)
    await settle(app)
    render(app)
    await settle(app)
    render(app)
    return time.perf_counter() - t0


@contextmanager
def store_timers(store: Any) -> Any:
    """Time every call into the store (and its commits) while a key press runs."""
    spent = {"store": 0.0, "commit": 0.0}
    depth = [0]

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **k: Any) -> Any:
            if depth[0]:
                return fn(*a, **k)
            depth[0] += 1
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent["store"] += time.perf_counter() - t
                depth[0] -= 1
        return timed

    names = [n for n in dir(type(store)) if not n.startswith("_")
             and callable(getattr(type(store), n)) and n not in ("open", "close")]
    for n in names:
        setattr(store, n, wrap(n, getattr(store, n)))
    # Every write of the store goes through its connection's tx() (see
    # annotations.store.connection); an instance attribute shadows the method.
    connection = getattr(store, "connection", None)
    orig_tx = getattr(connection, "tx", None)
    if connection is not None and orig_tx is not None:
        @contextmanager
        def tx(*a: Any, **k: Any) -> Any:
            cm = orig_tx(*a, **k)
            c = cm.__enter__()
            try:
                yield c
            except BaseException:
                if not cm.__exit__(*sys.exc_info()):
                    raise
            else:
                t = time.perf_counter()
                cm.__exit__(None, None, None)  # COMMIT
                spent["commit"] += time.perf_counter() - t
        connection.tx = tx
    # A commit overlapped with the repaint's preparation (Connection.overlapped) is
    # waited for in settle(): that wait is the commit's share of the press.
    orig_settle = getattr(connection, "settle", None)
    if connection is not None and orig_settle is not None:
        def settle() -> None:
            pending = connection._pending is not None
            t = time.perf_counter()
            try:
                orig_settle()
            finally:
                if pending:
                    waited = time.perf_counter() - t
                    spent["commit"] += waited
                    spent["store"] += waited
        connection.settle = settle
    try:
        yield spent
    finally:
        for n in names:
            store.__dict__.pop(n, None)
        if connection is not None:
            connection.__dict__.pop("tx", None)
            connection.__dict__.pop("settle", None)


KEYS = {
    # kind: (ours key, baseline key) and their characters.  ``undo`` (ours only) is three
    # keys a round, see ``run_undo`` in :func:`keys`.
    "undo": (("u", "u"), ("right", None)),
    "right": (("right", None), ("right", None)),
    "word": (("w", "w"), ("ctrl+right", None)),
    "tag": (("1", "1"), ("1", "1")),
    # Ours only (their baseline is the cursor move).  first_*: the first key after the
    # article was opened again; cold: with no sentence of it segmented, warm: with
    # the sentences kept from before (by the text's SHA-256).
    "first_right": (("right", None), ("right", None)),
    "first_sentence": (("s", "s"), ("right", None)),
    "first_sentence_warm": (("s", "s"), ("right", None)),
    "sentence": (("right_parenthesis", ")"), ("right", None)),
}


async def keys(args: argparse.Namespace) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    from annotations.store import Store
    from tui.app import StancemarkApp

    kinds = args.kinds.split(",")
    out: dict[str, Any] = {"side": args.side, "samples": {}, "store_s": {}, "commit_s": {}}
    t_setup = time.perf_counter()
    if args.side == "ours":
        from annotations.suggest.settings import OFF, SuggestSettings

        store = Store.open(args.db, create=False)
        app: Any = StancemarkApp(store, args.annotator, start_article=args.article,
                                 suggest=SuggestSettings() if args.suggest == "on" else OFF)
    else:
        store = None
        text = Path(args.baseline_text).read_text(encoding="utf-8")

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield TextArea(text)

        app = Bare()
    area: Any = None  # the baseline's TextArea
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if args.side == "ours":
            screen = app.screen
            reader = screen.reader
            source = screen.article.text
            if screen.article.id != args.article:
                raise SystemExit(f"opened {screen.article.id}, not {args.article}")
            reader.goto(len(source) // 2, center=True)
            if args.suggest == "on" and not args.no_wait:
                # Measure with the article's suggestions shown (they arrive a few
                # seconds after the first paint, from the worker process).
                t_wait = time.perf_counter()
                while screen.suggesting.index is None:
                    if time.perf_counter() - t_wait > 120:
                        raise SystemExit("no suggestions arrived in 120 s")
                    await asyncio.sleep(0.05)
                await pilot.pause()
                out["suggestions_wait_s"] = time.perf_counter() - t_wait
                out["suggestions_first"] = len(screen.suggesting)
            out["spans_before"] = len(screen.index)
            region = reader.scrollable_content_region
        else:
            area = app.query_one(TextArea)
            area.focus()
            await pilot.pause()
            if args.content_size:
                w, h = (int(v) for v in args.content_size.split("x"))
                area.styles.width = w + area.outer_size.width - area.scrollable_content_region.width
                area.styles.height = h + area.outer_size.height - area.scrollable_content_region.height
            area.move_cursor(area.document.end)
            await pilot.pause()
            area.move_cursor((area.document.line_count // 2, 0))
            region = area.scrollable_content_region
        await settle(app)
        render(app)
        out["content_size"] = [region.width, region.height]
        out["setup_s"] = time.perf_counter() - t_setup
        side = 0 if args.side == "ours" else 1
        words = None
        if args.side == "ours":
            from annotations.text import WORD, snap

            words = WORD.finditer(source, len(source) // 2)
        last_end = [0]

        async def select_next_word() -> None:
            """Untimed: select the next word that holds no tag of the first label yet."""
            assert words is not None
            label = screen.labels[0].name
            for m in words:
                found = snap(source, *m.span())
                if found is None or found[0] < last_end[0]:
                    continue
                s, e = found
                if not any((sp.start, sp.end, sp.label) == (s, e, label)
                           for sp in screen.index.at(s)):
                    last_end[0] = e
                    reader.select_offsets(s, e)
                    await settle(app)
                    render(app)
                    return
            raise RuntimeError("no word left to tag")

        async def reopen(cold: bool) -> None:
            """Untimed: open the article again, cursor in the middle; ``cold``: as a fresh
            process would find it (no sentence segmented yet)."""
            from annotations import text as text_model

            if cold:
                text_model._SENTENCE_CACHE.clear()
            screen.open_article(args.article, len(source) // 2)
            await settle(app)
            render(app)

        async def run_undo(n: int, record: bool, profiler: Any = None) -> None:
            """Per round: a word selected (untimed), then three timed presses: ``1`` (tag),
            ``u`` (undo it), ``ctrl+r`` (redo it); each checked against the span count."""
            times: dict[str, list[float]] = {"undo_tag": [], "undo": [], "redo": []}
            for _ in range(n):
                await select_next_word()
                before = len(screen.index)
                for name, (key, char) in (("undo_tag", ("1", "1")), ("undo", ("u", "u")),
                                          ("redo", ("ctrl+r", None))):
                    if profiler is not None and name != "undo_tag":
                        profiler.start()
                        try:
                            await press(app, key, char)
                        finally:
                            profiler.stop()
                    else:
                        times[name].append(await press(app, key, char))
                    want = before if name == "undo" else before + 1
                    if len(screen.index) != want:
                        raise RuntimeError(f"{name}: {len(screen.index)} spans, not {want}")
            if record:
                for name, values in times.items():
                    out["samples"].setdefault(name, []).extend(values)

        async def prepare(kind: str) -> None:
            """Untimed, before each press: select the next word to tag (ours), open the
            article again (ours, ``first_*``), move a cursor at the end of the 1 KB text
            back to its middle (the baseline: a cursor key there would move nothing)."""
            key = KEYS[kind][side][0]
            if kind == "tag" and words is not None:
                await select_next_word()
            if area is not None and key != "1" and area.cursor_location == area.document.end:
                area.move_cursor((area.document.line_count // 2, 0))
                await settle(app)
                render(app)
            if kind.startswith("first_") and args.side == "ours":
                await reopen(cold=not kind.endswith("_warm"))

        async def run(kind: str, n: int, record: bool, profiler: Any = None,
                      prepared: bool = False) -> None:
            """``n`` presses of ``kind``, each after :func:`prepare` (unless ``prepared``:
            the one press was prepared already)."""
            if kind == "undo":
                await run_undo(n, record, profiler)
                return
            key, char = KEYS[kind][side]
            times: list[float] = []
            store_s: list[float] = []
            commit_s: list[float] = []
            for _ in range(n):
                if not prepared:
                    await prepare(kind)
                if profiler is not None:  # the presses only, not the untimed selections
                    profiler.start()
                    try:
                        await press(app, key, char)
                    finally:
                        profiler.stop()
                elif store is not None and record:
                    with store_timers(store) as spent:
                        times.append(await press(app, key, char))
                    store_s.append(spent["store"])
                    commit_s.append(spent["commit"])
                else:
                    times.append(await press(app, key, char))
            if record:
                out["samples"].setdefault(kind, []).extend(times)
                if store is not None:
                    out["store_s"].setdefault(kind, []).extend(store_s)
                    out["commit_s"].setdefault(kind, []).extend(commit_s)

        if args.paired:
            def busy() -> bool:
                """Ours still working for the last press: the rest of a reopened article's
                wrap or spans, or its suggestions (a worker thread waiting on the worker
                process)."""
                return args.side == "ours" and bool(
                    getattr(reader, "wrapping", False) or getattr(screen, "spans_loading", False)
                    or any(not w.is_finished for w in app.workers))

            await serve_presses(run, prepare, {"content_size": out["content_size"]}, busy)
        else:
            for kind in kinds:
                presses = args.presses
                first = kind.startswith("first_")
                if first:
                    presses = min(presses, args.first_presses)  # each reopens a 1 MB article
                await run(kind, 0 if first else args.warmup, record=False)
                await run(kind, presses, record=True)
        if args.side == "ours":
            out["spans_after"] = len(screen.index)
            out["cursor"] = reader.cursor_offset
            out["suggestions_shown"] = len(screen.suggesting)
            out["suggestion_note"] = screen.suggesting.model_note
        if args.profile:
            await profile_keys(args, run, kinds)
    if store is not None:
        store.close()
    out["peak_rss"] = peak_rss()
    return out


#: What a ``--paired`` child writes before each reply line (the last stdout line stays
#: the result's JSON).
REPLY = "@@"


async def serve_presses(run: Callable[..., Any], prepare: Callable[[str], Any],
                        ready: dict[str, Any], busy: Callable[[], bool]) -> None:
    """``keys --paired``: press as the parent says, one press a command, so that the
    parent can alternate two children (ours and the baseline) press by press.

    Commands on stdin, one a line: ``prep KIND`` (what comes untimed before a press
    of ``KIND``: selecting the word to tag, reopening the article ...), ``warm KIND``
    (an untimed press), ``press KIND`` (a timed one, recorded), ``end``.  Each is
    answered with a :data:`REPLY` line once done (the press and its frame); the
    child is idle (waiting on stdin, in a thread) while the other side works.  The first reply, once the app is set up,
    is ``ready`` and ``ready`` as JSON (the text area's size, which the baseline's
    is then given).  A reply waits, untimed, until ``busy()`` is false: work a press
    left running in the background (the rest of a reopened article's wrap or spans)
    would otherwise run while the other side presses.
    """
    loop = asyncio.get_running_loop()
    print(REPLY, "ready", json.dumps(ready), flush=True)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        command = line.split()
        if not command or command[0] == "end":
            return
        what, kind = command
        if what == "prep":
            await prepare(kind)
        else:
            await run(kind, 1, record=what == "press", prepared=True)
        for _ in range(20_000):
            if not busy():
                break
            await asyncio.sleep(0.005)
        print(REPLY, "done", flush=True)


async def typing(args: argparse.Namespace) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.keys import _character_to_key
    from textual.widgets import Input

    from annotations.store import Store
    from tui.app import StancemarkApp
    from tui.screens.annotate import AnnotateScreen
    from tui.screens.suggesting import WORKER_GROUP

    store = None
    if args.side == "ours":
        store = Store.open(args.db, create=False)
        app: Any = StancemarkApp(store, args.annotator)
    else:
        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Input()

        app = Bare()
    samples: list[float] = []
    per_key: list[tuple[str, float, int]] = []
    out: dict[str, Any] = {"side": args.side}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if args.side == "ours":
            deadline = time.perf_counter() + args.timeout
            while True:  # every row loaded, no worker left (suggestions' aside, as at startup)
                screen = app.screen
                if (isinstance(screen, AnnotateScreen) and screen.article_list.total
                        >= args.articles and not any(
                            w.is_running or w.state.name == "PENDING" for w in app.workers
                            if w.group != WORKER_GROUP)):
                    break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"the list did not load {args.articles} rows")
                await asyncio.sleep(0.005)
            pane = screen.pane
            await press(app, "slash", None)
            box = app.focused
            lst = screen.article_list

            def shown() -> bool:
                return bool(pane.applied_text == box.value)
        else:
            box = app.query_one(Input)
            box.focus()
            lst = None

            def shown() -> bool:
                return True
        await settle(app)
        render(app)
        async def start_round() -> None:
            """Untimed: the box holds ``--prefill`` (often empty) and the list shows it."""
            box.value = args.prefill
            box.cursor_position = len(args.prefill)
            while not shown():
                await asyncio.sleep(0.001)
            await settle(app)
            render(app)

        bursts: list[float] = []
        await start_round()
        for round_ in range(args.rounds + 1):  # the first round warms up, untimed
            for ch in args.query:
                t = await press_until(app, _character_to_key(ch), ch, shown)
                if round_:
                    samples.append(t)
                    if round_ == 1:
                        per_key.append((box.value, t, len(lst.view) if lst is not None else 0))
            await start_round()
            if args.burst:
                # The same keys at once, as a fast typist or a paste sends them: timed
                # until the list shows the whole text's result, and that frame.
                t = await press_burst(app, [(_character_to_key(ch), ch) for ch in args.query],
                                      shown)
                if round_:
                    bursts.append(t)
                await start_round()
        if bursts:
            out["bursts"] = bursts
            out["burst_median_s"] = sorted(bursts)[len(bursts) // 2]
        out["hits"] = per_key[-1][2] if per_key else 0
    if store is not None:
        store.close()
    ordered = sorted(samples)
    out["samples"] = samples
    out["per_key"] = per_key
    out["median_s"] = ordered[len(ordered) // 2]
    out["p95_s"] = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    out["peak_rss"] = peak_rss()
    return out


async def opening(args: argparse.Namespace) -> dict[str, Any]:
    """Open a long and a short article in turn, from the list (``ArticleList.Chosen``, what
    enter on a row posts), timing each until the frame that shows it, then the first key
    (``right``) pressed at once after that frame.  Each of these openings finds nothing
    of either text kept from before (as a first opening in a session); then each article
    is opened once more with its text kept (``reopen_*``, going back to an article)."""
    from annotations.store import Store
    from tui.app import StancemarkApp
    from tui.widgets.article_list import ArticleList

    store = Store.open(args.db, create=False)
    app = StancemarkApp(store, args.annotator, start_article=args.small)
    out: dict[str, Any] = {"samples": {"open_big": [], "open_small": [], "key_big": [],
                                       "key_small": []}}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen: Any = app.screen
        lst = screen.article_list

        async def open_one(article_id: str) -> float:
            event = ArticleList.Chosen(article_id)
            event.set_sender(lst)
            t0 = time.perf_counter()
            screen.post_message(event)
            await settle(app)
            render(app)
            await settle(app)
            render(app)
            took = time.perf_counter() - t0
            if screen.article is None or screen.article.id != article_id:
                raise RuntimeError(f"{article_id} was not opened")
            return took

        async def quiet() -> None:
            """Untimed: let whatever the opening left to do in the background finish (the
            rest of the wrap and of the span read, both after the first key)."""
            for _ in range(2000):
                await pilot.pause(0.005)
                if not (getattr(screen.reader, "wrapping", False)
                        or getattr(screen, "spans_loading", False)):
                    break
            await settle(app)
            render(app)

        def forget_texts() -> None:
            """Untimed: forget what was kept of the texts opened before (split, styles
            and their layout, the text itself), as if neither article had been opened in
            this process; the database's pages stay in the OS's cache."""
            from annotations.store import rows
            from tui import shown_text
            from tui.widgets import reader

            shown_text._CACHE.clear()
            reader._LAYOUTS.clear()
            rows._kept_styles.cache_clear()
            store.connection.texts.clear()

        pairs = (("big", args.article), ("small", args.small))
        for round_ in range(args.opens + 1):  # the first round warms up, untimed
            for name, article_id in pairs:  # first openings: nothing of either text kept
                forget_texts()
                t_open = await open_one(article_id)
                t_key = await press(app, "right", None)
                if round_:
                    out["samples"][f"open_{name}"].append(t_open)
                    out["samples"][f"key_{name}"].append(t_key)
                await quiet()
            for name, article_id in pairs:  # opened again: both texts kept from above
                t_open = await open_one(article_id)
                if round_:
                    out["samples"].setdefault(f"reopen_{name}", []).append(t_open)
                await quiet()
        out["big_chars"] = len(store.get_article(args.article).text)  # type: ignore[union-attr]
        out["small_chars"] = len(store.get_article(args.small).text)  # type: ignore[union-attr]
    store.close()
    out["peak_rss"] = peak_rss()
    return out


async def profile_keys(args: argparse.Namespace, run: Any, kinds: list[str]) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return
    for kind in kinds:
        # One more round of presses, each profiled (the sessions add up).
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        await run(kind, args.presses, record=False, profiler=profiler)
        for suffix, show_all in (("", False), ("-all", True)):
            path = Path(f"{args.profile}-{kind}{suffix}.txt")
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=show_all),
                            encoding="utf-8")


# ---------------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.tui_probe")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--db", required=True)
    s.add_argument("--articles", type=int, required=True, help="rows the list must reach")
    s.add_argument("--annotator", default="ana")
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--profile", default="", help="write a pyinstrument report of the run here")
    k = sub.add_parser("keys")
    k.add_argument("--side", choices=("ours", "baseline"), required=True)
    k.add_argument("--db")
    k.add_argument("--article")
    k.add_argument("--annotator", default="ana")
    k.add_argument("--baseline-text")
    k.add_argument("--content-size", default="", help="WxH of the baseline's text area")
    k.add_argument("--kinds", default="right,word,tag")
    k.add_argument("--presses", type=int, default=100)
    k.add_argument("--warmup", type=int, default=10)
    k.add_argument("--first-presses", type=int, default=10,
                   help="presses of the first_* kinds (each after reopening the article)")
    k.add_argument("--profile", default="", help="path prefix of pyinstrument reports")
    k.add_argument("--suggest", choices=("on", "off"), default="on",
                   help="suggestions (cue words and the model, as by default) on or off")
    k.add_argument("--paired", action="store_true",
                   help="after the set-up, press as stdin says (see serve_presses)")
    k.add_argument("--no-wait", action="store_true",
                   help="with suggestions on, press while they are still being worked out "
                   "(by default the presses wait until they are shown)")
    o = sub.add_parser("open")
    o.add_argument("--db", required=True)
    o.add_argument("--article", required=True, help="the long article")
    o.add_argument("--small", required=True, help="the short article")
    o.add_argument("--annotator", default="ana")
    o.add_argument("--opens", type=int, default=10)
    t = sub.add_parser("typing")
    t.add_argument("--side", choices=("ours", "baseline"), required=True)
    t.add_argument("--db")
    t.add_argument("--annotator", default="ana")
    t.add_argument("--articles", type=int, default=0, help="rows the list must reach first")
    t.add_argument("--query", required=True, help="the text typed, one key per character")
    t.add_argument("--rounds", type=int, default=3)
    t.add_argument("--prefill", default="", help="the box's text before each round (untimed)")
    t.add_argument("--burst", action="store_true",
                   help="also time the query's keys sent at once, after each round")
    t.add_argument("--timeout", type=float, default=600)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "startup" and args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001, async_mode="enabled")
        profiler.start()
        try:
            result = asyncio.run(startup(args))
        finally:
            profiler.stop()
        Path(args.profile).write_text(
            profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    else:
        command = {"startup": startup, "keys": keys, "typing": typing,
                   "open": opening}[args.command]
        result = asyncio.run(command(args))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
