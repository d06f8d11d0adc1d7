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
from textual.message import Message
from textual.strip import Strip

from annotations.model import Label
from tui.widgets.rows import SpanRows

from .. import keys as K
from ..safe import one_line
from ..spanindex import SpanIndex, is_placed
from ..textnav import LineIndex


class SpanPanel(SpanRows, can_focus=True):
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
        self.set_row_count(len(self.index))
        if self.current_id is not None and self.current_id not in self.index.by_id:
            self.current_id = None
        self._scroll_current_into_view()
        self.refresh()

    # ------------------------------------------------------------ rows
    def row_count(self) -> int:
        return len(self.index)

    def id_at(self, pos: int) -> str:
        return self.index.ordered[pos][4]

    def position_of(self, span_id: str) -> int | None:
        return self.index.position_of(span_id)

    # ------------------------------------------------------------- render
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style()
        pos = y + self.scroll_offset.y
        if width <= 0:
            return Strip.blank(width, base)
        if not len(self.index):
            if pos == 0:
                empty = base + self.part_style("span-panel--empty")
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
            style = style + self.part_style(name)
        color = self.label_colors.get(span.label, "#999999")
        placed = is_placed(span, len(self.index.lines.text))
        parts: list[tuple[str, Style]] = [
            ("▌" if span.id == self.current_id else " ", style + Style(color=color)),
            ("■ ", style + Style(color=color)),
            (one_line(span.label, 12).ljust(8), style + Style(bold=True)),
            (" ", style),
        ]
        if not placed:
            orphan = style + self.part_style("span-panel--orphan")
            parts.append(("⚠ orphaned ", orphan))
        parts.append(("“" + one_line(span.text, 60) + "”", style))
        if span.note:
            note = style + self.part_style("span-panel--note")
            parts.append(("  ✎ " + one_line(span.note), note))
        text = Text.assemble(*parts, end="", no_wrap=True)
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, style)
