"""The occluding compositor sends the terminal what Textual's own would.

Every frame of a tagging session, on the annotate and the review screen, is
composed twice: first by :class:`tui.compositor.OccludingCompositor` (which
skips hidden widgets, lines and cells), then by Textual's ``Compositor`` on
the same changed regions; what each sends to the terminal must be the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import pytest
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

import tui.screens.tagging as tagging
from tui.compositor import OccludingCompositor

SIZE = (120, 36)
T = TypeVar("T")
pytestmark = pytest.mark.anyio


class CheckedCompositor(OccludingCompositor):
    """Composes each update both ways and compares what they send to the terminal."""

    console = Console(width=SIZE[0], color_system="truecolor", force_terminal=True)

    def __init__(self) -> None:
        super().__init__()
        self.partial = 0
        self.full = 0
        self.textuals = False  # compose with Textual's _render_chops

    def _render_chops(self, crop: Region, is_rendered_line: Callable[[int], bool]
                      ) -> Sequence[Mapping[int, Strip]]:
        if self.textuals:
            return Compositor._render_chops(self, crop, is_rendered_line)
        return super()._render_chops(crop, is_rendered_line)

    def _textuals(self, render: Callable[[], T]) -> T:
        self.textuals = True
        try:
            return render()
        finally:
            self.textuals = False

    def render_partial_update(self) -> ChopsUpdate | None:
        dirty = self._dirty_regions.copy()
        ours = super().render_partial_update()
        self._dirty_regions.update(dirty)
        theirs = self._textuals(lambda: Compositor.render_partial_update(self))
        if ours is None or theirs is None:
            assert ours is theirs is None
            return ours
        assert ours.render_segments(self.console) == theirs.render_segments(self.console)
        self.partial += 1
        return ours

    def render_full_update(self, simplify: bool = False) -> LayoutUpdate:
        ours = super().render_full_update(simplify)
        theirs = self._textuals(lambda: Compositor.render_full_update(self, simplify))
        assert ours.render_segments(self.console) == theirs.render_segments(self.console)
        self.full += 1
        return ours


async def _session(pilot, keys: Sequence[str]) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def test_tagging_frames_equal_textuals(tui_store, tui_app, monkeypatch):
    monkeypatch.setattr(tagging, "OccludingCompositor", CheckedCompositor)
    text = tui_store.get_article("harbor").text
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        compositor = screen._compositor
        assert isinstance(compositor, CheckedCompositor)
        pos = 0
        for n, word in enumerate([w for w in text.split() if w.isalpha() and len(w) > 3][:12]):
            start = text.find(word, pos)
            pos = start + len(word)
            screen.reader.select_offsets(start, pos)
            await pilot.pause()
            await _session(pilot, ["1" if n % 3 else "2"])
        # Moves, selections, the span list focused, edits, undo/redo, the list, the help.
        await _session(pilot, ["home", "right", "w", "b", "down", "tab", "tab", "shift+right",
                               "escape", "s", "escape", "end", "o", "down", "up", "escape",
                               "tab", "d", "backspace", "u", "ctrl+r", "L", "L"])
        assert compositor.partial > 20 and compositor.full  # both kinds were compared


async def test_review_frames_equal_textuals(tui_store, tui_app, monkeypatch):
    from tests.test_tui_review import reviewer_app, seed

    monkeypatch.setattr(tagging, "OccludingCompositor", CheckedCompositor)
    seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        assert isinstance(compositor, CheckedCompositor)
        await _session(pilot, ["tab", "tab", "a", "tab", "r", "shift+tab", "u", "ctrl+r", "A",
                               "home", "s", "x", "d", "backspace", "right", "w", "escape"])
        assert compositor.partial > 10
