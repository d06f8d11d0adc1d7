"""Partial repaints never leave a stale line on the annotate screen.

A tag or a cursor move repaints only the lines that change: the reader's
selection and span lines, the span panel's changed rows, the details' changed
lines, the list row's counts line.  After each step, the screen as the
compositor holds it (every widget's cached lines) must equal the screen with
every line of every widget rendered again.
"""

from __future__ import annotations

import pytest
from textual.strip import Strip

from tui.screens.annotate import AnnotateScreen

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def _screen_lines(app) -> list[list[object]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def _repainted_lines(app) -> list[list[object]]:
    for widget in app.screen.walk_children(with_self=True):
        widget.refresh()
    return _screen_lines(app)


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
