"""The span panel: this annotator's spans of the open article in text order.

One line per span (label, quoted text, note); the span under the reader's
cursor is highlighted.  Orphaned spans (their text changed and they could not
be re-anchored) are listed too, marked, so they can be re-placed or deleted.
A Line-API widget: thousands of spans cost nothing until they are in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.model import Label
from tui.widgets.rows import scroll_row_into_view

from .. import keys as K
from ..safe import one_line
from ..spanindex import SpanIndex, is_placed
from ..textnav import LineIndex


class SpanPanel(ScrollView, can_focus=True):
    BINDINGS = K.bindings(K.SPAN_LIST_KEYS)

    COMPONENT_CLASSES = {
        "span-panel--cursor",
        "span-panel--current",
        "span-panel--orphan",
        "span-panel--note",
        "span-panel--empty",
    }

    @dataclass
    class Highlighted(Message):
        """The user moved the panel's highlight to a span."""

        span_id: str

    @dataclass
    class Chosen(Message):
        """The user chose a span (enter or click): show it in the text."""

        span_id: str

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_colors = {label.name: label.color for label in labels}
        self.index = SpanIndex(LineIndex(""))
        self.current_id: str | None = None

    def set_index(self, index: SpanIndex) -> None:
        self.index = index
        self.spans_changed()

    def spans_changed(self) -> None:
        self.virtual_size = Size(0, max(1, len(self.index)))
        if self.current_id is not None and self.current_id not in self.index.by_id:
            self.current_id = None
        self._scroll_current_into_view()
        self.refresh()

    def set_current(self, span_id: str | None) -> None:
        if span_id == self.current_id:
            return
        old = self.index.position_of(self.current_id) if self.current_id else None
        self.current_id = span_id
        if old is not None:
            self.refresh_lines(old)
        new = self.index.position_of(span_id) if span_id else None
        if new is not None:
            self.refresh_lines(new)
            self._scroll_current_into_view()

    def _scroll_current_into_view(self) -> None:
        scroll_row_into_view(self, self.index.position_of(self.current_id) if self.current_id else None)

    # ------------------------------------------------------------ actions
    def action_move(self, step: int) -> None:
        count = len(self.index)
        if not count:
            return
        pos = self.index.position_of(self.current_id) if self.current_id else None
        pos = (0 if step > 0 else count - 1) if pos is None else max(0, min(count - 1, pos + step))
        span_id = self.index.ordered[pos][4]
        self.set_current(span_id)
        self.post_message(self.Highlighted(span_id))

    def action_open(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Chosen(self.current_id))

    def action_leave(self) -> None:
        self.screen.set_focus(self.screen.query_one("#reader"))

    def on_focus(self) -> None:
        if self.current_id is None and len(self.index):
            self.action_move(1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = offset.y + self.scroll_offset.y
        if 0 <= pos < len(self.index):
            span_id = self.index.ordered[pos][4]
            self.set_current(span_id)
            self.post_message(self.Highlighted(span_id))
            if event.chain >= 2:
                self.post_message(self.Chosen(span_id))

    # ------------------------------------------------------------- render
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        pos = y + self.scroll_offset.y
        if width <= 0:
            return Strip.blank(width, base)
        if not len(self.index):
            if pos == 0:
                empty = base + self.get_component_rich_style("span-panel--empty")
                text = Text(
                    " No spans yet: select text (shift+arrows, s, or drag) and press a "
                    "label key.",
                    style=empty,
                    no_wrap=True,
                    end="",
                )
                text.truncate(width, overflow="ellipsis")
                return Strip(list(text.render(self.app.console))).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if pos >= len(self.index):
            return Strip.blank(width, base)
        span = self.index.span_at_position(pos)
        style = base
        if span.id == self.current_id:
            name = "span-panel--cursor" if self.has_focus else "span-panel--current"
            style = style + self.get_component_rich_style(name)
        color = self.label_colors.get(span.label, "#999999")
        placed = is_placed(span, len(self.index.lines.text))
        parts: list[tuple[str, Style]] = [
            ("▌" if span.id == self.current_id else " ", style + Style(color=color)),
            ("■ ", style + Style(color=color)),
            (one_line(span.label, 12).ljust(8), style + Style(bold=True)),
            (" ", style),
        ]
        if not placed:
            orphan = style + self.get_component_rich_style("span-panel--orphan")
            parts.append(("⚠ orphaned ", orphan))
        parts.append(("“" + one_line(span.text, 60) + "”", style))
        if span.note:
            note = style + self.get_component_rich_style("span-panel--note")
            parts.append(("  ✎ " + one_line(span.note), note))
        text = Text.assemble(*parts, end="", no_wrap=True)
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, style)
