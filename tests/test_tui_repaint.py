"""Partial repaints never leave a stale line on the annotate screen.

A tag or a cursor move repaints only the lines that change: the reader's
selection and span lines, the span panel's changed rows, the details' changed
lines, the list row's counts line.  After each step, the screen as the
compositor holds it (every widget's cached lines) must equal the screen with
every line of every widget rendered again.
"""

from __future__ import annotations

import dataclasses

import pytest
from textual.cache import LRUCache
from textual.strip import Strip

from annotations.model import Article
from annotations.store import Store
from tui.screens.annotate import AnnotateScreen

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def _screen_lines(app) -> list[list[object]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


#: The widgets' own caches of rendered or painted lines (reader, span panel).
CACHES = {"_line_cache": lambda: LRUCache(1024), "_painted": dict, "_strips": dict}


def _repainted_lines(app) -> list[list[object]]:
    """Every line of every widget rendered again, with the widgets' own caches empty.

    The caches are swapped out for the render and put back after, so later
    steps still run on what the earlier ones left in them.
    """
    saved = []
    for widget in app.screen.walk_children(with_self=True):
        for name, empty in CACHES.items():
            if name in vars(widget):
                saved.append((widget, name, getattr(widget, name)))
                setattr(widget, name, empty())
        widget.refresh()
        # Scroll bars are not children: refreshed too, so a stale thumb shows.
        for bar in (widget._vertical_scrollbar, widget._horizontal_scrollbar):
            if bar is not None:
                bar.refresh()
    try:
        return _screen_lines(app)
    finally:
        for widget, name, cache in saved:
            setattr(widget, name, cache)


def assert_screen_fresh(app, step: str) -> None:
    shown = _screen_lines(app)
    fresh = _repainted_lines(app)
    for y, (a, b) in enumerate(zip(shown, fresh, strict=True)):
        if a != b:
            raise AssertionError(
                f"{step}: screen line {y} is stale:\n"
                f"  shown {Strip(a).text!r}\n  fresh {Strip(b).text!r}"
            )


def assert_panel_bar(screen: AnnotateScreen, step: str) -> None:
    """The span panel's scroll bar matches its row count (rows set without a layout)."""
    panel = screen.panel
    rows = len(screen.index)
    height = panel.container_size.height
    assert panel.virtual_size.height == max(1, rows), step
    assert panel.show_vertical_scrollbar == (rows > height), f"{step}: scroll bar shown"
    if panel.show_vertical_scrollbar:
        assert panel.vertical_scrollbar.window_virtual_size == rows, step
    assert panel.scroll_offset.y <= panel.max_scroll_y, step


async def test_tagging_and_moving_leave_no_stale_line(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        reader = screen.reader
        assert_screen_fresh(app, "open")
        assert_panel_bar(screen, "open")
        panel_height = screen.panel.container_size.height
        assert panel_height > 1

        # Tag one word after another: the panel fills, then scrolls; the list
        # row's counts change; the details show each new span.
        words = [m for m in text.split() if m.isalpha() and len(m) > 3]
        pos = 0
        tagged = 0
        for word in words:
            start = text.find(word, pos)
            if start < 0:
                continue
            pos = start + len(word)
            reader.select_offsets(start, pos)
            await pilot.pause()
            await pilot.press("1" if tagged % 3 else "2")
            await pilot.pause()
            tagged += 1
            assert len(screen.index) == tagged
            assert_screen_fresh(app, f"tag {tagged}")
            assert_panel_bar(screen, f"tag {tagged}")
            if tagged >= panel_height + 3:
                break
        assert len(screen.index) > panel_height  # the scroll bar came

        # Move around: cursor keys, words, spans (the active span and the
        # panel's current row change), selections made and dropped.
        for key in ("home", "right", "right", "w", "w", "b", "down", "up", "tab", "tab",
                    "shift+tab", "shift+right", "shift+right", "shift+down", "escape",
                    "s", "escape", "end", "right_curly_bracket", "left_curly_bracket"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, key)

        # Relabel, delete, undo and redo: rows change label, leave and come back.
        for key in ("tab", "d", "backspace", "u", "u", "ctrl+r", "backspace", "backspace"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, f"edit {key}")
            assert_panel_bar(screen, f"edit {key}")

        # Delete until the scroll bar goes again, then the panel is empty.
        while len(screen.index):
            await pilot.press("tab")
            await pilot.press("backspace")
            await pilot.pause()
            assert_screen_fresh(app, f"delete to {len(screen.index)}")
            assert_panel_bar(screen, f"delete to {len(screen.index)}")
        assert tui_store.spans("harbor", "ana") == []

        # The span list focused: moving its highlight repaints its rows.
        await pilot.press("u", "u")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        for key in ("down", "up", "down", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, f"span list {key}")


async def test_reviewing_leaves_no_stale_line(tui_store, tui_app):
    from tests.test_tui_review import reviewer_app, seed

    seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert_screen_fresh(app, "open")
        # Walk the disagreements, accept, reject, undo, redo, tag gold by hand.
        for key in ("tab", "tab", "a", "tab", "r", "shift+tab", "u", "ctrl+r", "A",
                    "home", "s", "x", "d", "backspace", "right", "w", "escape"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, f"review {key}")


async def test_new_text_with_the_same_height_repaints_every_line(tui_store, tui_app):
    """A new text (another article, or this one changed elsewhere) repaints the
    reader even when it wraps to the same number of lines."""
    def twin(article_id: str, word: str) -> Article:
        paragraph = " ".join([word] * 30)
        return Article(id=article_id, title=article_id,
                       text=f"{article_id} heading\n\n{paragraph}\n\n{paragraph}")

    tui_store.import_articles([twin("aaaa", "alpha"), twin("bbbb", "bravo")])
    app = tui_app(start_article="aaaa")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        height = screen.reader.wrapped_document.height
        screen.open_article("bbbb")
        await pilot.pause()
        assert screen.reader.wrapped_document.height == height
        assert_screen_fresh(app, "other article")

        # The open text changed by another process (one letter): live refresh.
        screen.open_article("harbor")
        await pilot.pause()
        article = tui_store.get_article("harbor")
        other = Store.open(tui_store.path)
        try:
            other.import_articles([dataclasses.replace(
                article, text=article.text.replace("Acme Ltd.", "Acne Ltd."))])
        finally:
            other.close()
        for _ in range(40):
            await pilot.pause(0.1)
            if "Acne" in screen.reader.text:
                break
        await pilot.pause()
        assert "Acne" in screen.reader.text
        assert_screen_fresh(app, "changed elsewhere")


async def test_resize_and_backward_selection_from_an_empty_line(tui_store, tui_app):
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = app.screen.reader
        reader.move_cursor((2, 5))
        await pilot.pause()
        # A narrower terminal: the text wraps again; then a move repaints only
        # the cursor's lines, so every other line must already be right.
        await pilot.resize_terminal(110, 36)
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert_screen_fresh(app, "resized, moved")
        # From an empty line, select backwards: the empty line shows the marker.
        reader.move_cursor((1, 0))
        await pilot.pause()
        await pilot.press("shift+up")
        await pilot.pause()
        assert reader.selection == ((1, 0), (0, 0))
        assert_screen_fresh(app, "backward selection")
        await pilot.resize_terminal(*SIZE)  # everything rendered again while selected
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert_screen_fresh(app, "selection cleared")


async def test_search_matches_leave_no_stale_line(tui_store, tui_app):
    """Match highlights go through the reader's invalidation: searching, opening a hit,
    moving between matches, tagging over a match and clearing leave no stale line, and
    the list's third (snippet) line comes and goes with the search."""
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        steps = [("slash", "search typed", ("slash", *"the ")),
                 ("enter", "hit opened", ("enter",)),
                 ("m", "next match", ("m",)), ("m", "next match", ("m",)),
                 ("M", "previous match", ("M",)),
                 ("tag", "tag over a match", ("shift+right", "shift+right", "1")),
                 ("relabel", "relabel", ("2",)), ("undo", "undo", ("u",)),
                 ("list", "list moved", ("slash", "down", "down")),
                 ("open", "another hit", ("enter",)),
                 ("clear", "search cleared", ("escape", "escape"))]
        for _, step, keys in steps:
            await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await pilot.pause(0.4 if step == "search typed" else None)  # matches follow a pause
            await pilot.pause()
            assert_screen_fresh(app, step)
            if step == "search typed":
                assert screen.matches and screen.article_list.row_height == 3
        assert not screen.matches and screen.article_list.row_height == 2


async def test_undoing_or_deleting_the_active_span_repaints_only_its_lines(tui_store, tui_app):
    """The active span leaving the index (undo, delete) repaints the lines it was
    painted on, not the whole reader (issue 19: an undo repainted 22 lines, not 5)."""
    text = tui_store.get_article("harbor").text
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        reader = screen.reader
        full: list[str] = []
        original = reader.refresh

        def refresh(*regions, **kwargs):
            if not regions and step[0]:
                full.append(step[0])
            return original(*regions, **kwargs)

        reader.refresh = refresh
        step = [""]
        start = text.index("The ")
        reader.select_offsets(start, start + 3)
        await pilot.pause()
        previous = ""
        for key in ("1", "u", "ctrl+r", "backspace", "u"):
            if key == "backspace":  # the redone span under the cursor: active again
                reader.goto(start + 1)
                await pilot.pause()
            if previous == "1" or key == "backspace":  # the span about to go is active
                assert reader.active_span is not None, key
            previous = key
            step[0] = key
            await pilot.press(key)
            await pilot.pause()
            step[0] = ""
            assert_screen_fresh(app, key)
        assert full == []
        assert [s.start for s in tui_store.spans("harbor", "ana")] == [start]


async def test_a_tag_repaints_only_the_wrapped_lines_it_touches(tui_store, tui_app):
    """A tag at the end of a paragraph that wraps to several screen lines repaints the
    screen line showing it, not the paragraph's first line (issue 19)."""
    text = tui_store.get_article("harbor").text
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        reader = screen.reader
        start = text.index("wrongdoing")
        row, _ = reader.lines.to_location(start)
        ys = reader.wrapped_document._line_index_to_offsets[row]
        assert len(ys) >= 2  # the paragraph wraps
        reader.select_offsets(start, start + len("wrongdoing"))
        await pilot.pause()
        refreshed: list[int] = []
        original = reader.refresh_lines

        def refresh_lines(y_start: int, line_count: int = 1) -> None:
            refreshed.extend(range(y_start, y_start + line_count))
            original(y_start, line_count)

        reader.refresh_lines = refresh_lines
        await pilot.press("1")
        await pilot.pause()
        assert [s.text for s in tui_store.spans("harbor", "ana")] == ["wrongdoing"]
        assert ys[-1] in refreshed and ys[0] not in refreshed
        assert_screen_fresh(app, "tag")


async def test_a_line_refresh_leaves_the_scroll_bar_out(tui_store, tui_app):
    """Refreshing lines of the reader, the span panel or the list marks only their
    cells dirty, not the scroll bar's column, which repaints itself when its thumb
    moves (issue 19)."""
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        for view in (screen.reader, screen.panel, screen.article_list):
            view.styles.scrollbar_gutter = "stable"  # a bar's column whatever the rows
            await pilot.pause()
            view._repaint_regions.clear()
            view.refresh_lines(view.scroll_offset.y, 2)
            (region,) = view._repaint_regions
            content = view.scrollable_content_region
            assert region.width == content.width < view.size.width, view
            assert (region.x, region.height) == (view.content_offset.x, 2)
