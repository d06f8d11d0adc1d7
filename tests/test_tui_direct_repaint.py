"""DirectRepaint (tui/widgets/direct_repaint.py): a plain repaint reaches the screen's
dirty set at once, without the widget's Prompt and the screen's Update; anything else
keeps Textual's path; the frames stay as Textual would paint them."""

from __future__ import annotations

import pytest
from textual import messages
from textual.geometry import Region

from tests.test_tui_repaint import assert_screen_fresh
from tui.widgets.span_details import SpanDetails

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


async def test_a_plain_repaint_goes_straight_to_the_screen(tui_store, tui_app, monkeypatch):
    text = tui_store.get_article("harbor").text
    span = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        details = screen.query_one(SpanDetails)
        posted: list[object] = []
        post = details.post_message

        def recording(message):  # type: ignore[no-untyped-def]
            posted.append(message)
            return post(message)

        monkeypatch.setattr(details, "post_message", recording)
        screen.reader.goto(span.start)  # the details show the span: a plain repaint
        await pilot.pause()
        assert "claim" in details.plain
        assert not any(isinstance(m, messages.Prompt) for m in posted)
        assert_screen_fresh(app, "details after a plain repaint")


async def test_anything_but_a_plain_repaint_takes_textuals_path(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        details = screen.query_one(SpanDetails)
        await pilot.pause()
        screen._dirty_widgets.discard(details)
        details.refresh(layout=True)  # a layout: the Prompt, then Textual's own checks
        assert details not in screen._dirty_widgets
        assert details._message_queue.qsize() == 1
        await pilot.pause()
        screen._dirty_widgets.discard(details)
        details.call_next(lambda: None)  # a callback waits for the widget's idle
        details.refresh(Region(0, 0, 10, 1))
        assert details not in screen._dirty_widgets
        await pilot.pause()
        details.refresh(Region(0, 0, 10, 1))
        assert details in screen._dirty_widgets
        await pilot.pause()
        assert_screen_fresh(app, "after the repaints")
