"""The Line-API span lists (span panel, review list): one span per row.

They share a current row, moving it, choosing it (enter, double click),
clicking and scrolling it into view; each subclass says how its rows map to
span ids and defines its own ``Highlighted`` / ``Chosen`` messages (so the
handlers keep their widget's name).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.scroll_view import ScrollView


def scroll_row_into_view(view: ScrollView, pos: int | None) -> None:
    """Scroll just enough that row ``pos`` is visible (no animation)."""
    height = view.scrollable_content_region.height
    if pos is None or not height:
        return
    y = view.scroll_offset.y
    if pos < y:
        view.scroll_to(y=pos, animate=False, immediate=True)
    elif pos >= y + height:
        view.scroll_to(y=pos - height + 1, animate=False, immediate=True)


class SpanRows(ScrollView, can_focus=True):
    """Base of the span lists: the current row and the keys and mouse around it."""

    Highlighted: Any
    Chosen: Any

    current_id: str | None = None

    # ------------------------------------------------------ row mapping (subclasses)
    def row_count(self) -> int:
        raise NotImplementedError

    def id_at(self, pos: int) -> str:
        raise NotImplementedError

    def position_of(self, span_id: str) -> int | None:
        raise NotImplementedError

    def accepts(self, span_id: str | None) -> str | None:
        """The id to make current for ``span_id`` (a subclass may refuse unknown ids)."""
        return span_id

    # ----------------------------------------------------------------- current row
    def set_current(self, span_id: str | None) -> None:
        if span_id == self.current_id:
            return
        old = self.position_of(self.current_id) if self.current_id else None
        self.current_id = self.accepts(span_id)
        if old is not None:
            self.refresh_lines(old)
        new = self.position_of(self.current_id) if self.current_id else None
        if new is not None:
            self.refresh_lines(new)
            self._scroll_current_into_view()

    def _scroll_current_into_view(self) -> None:
        scroll_row_into_view(self, self.position_of(self.current_id) if self.current_id else None)

    # --------------------------------------------------------------------- actions
    def action_move(self, step: int) -> None:
        count = self.row_count()
        if not count:
            return
        pos = self.position_of(self.current_id) if self.current_id else None
        pos = (0 if step > 0 else count - 1) if pos is None else max(0, min(count - 1, pos + step))
        span_id = self.id_at(pos)
        self.set_current(span_id)
        self.post_message(self.Highlighted(span_id))

    def action_open(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Chosen(self.current_id))

    def action_leave(self) -> None:
        self.screen.set_focus(self.screen.query_one("#reader"))

    def on_focus(self) -> None:
        if self.current_id is None and self.row_count():
            self.action_move(1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = offset.y + self.scroll_offset.y
        if 0 <= pos < self.row_count():
            span_id = self.id_at(pos)
            self.set_current(span_id)
            self.post_message(self.Highlighted(span_id))
            if event.chain >= 2:
                self.post_message(self.Chosen(span_id))
