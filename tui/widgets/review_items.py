"""The review list: every compared span of the open article, in text order.

One line per span: its kind (agreed, label conflict, boundary difference,
only one), who made it, its label, the reviewer's decision and the quote.
Each compared relation has a line too, right after the span it starts on:
its kind (agreed, linked differently, only one), who made it, ``→`` and its
type, the decision and both quotes.  The item under the reader's cursor (or
reached with tab) is highlighted.
A Line-API widget, like the span panel: long articles cost nothing until in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from annotations.model import Label
from annotations.review import ReviewItem, ReviewSpan
from annotations.review_relations import ReviewRelation
from tui import keys as K
from tui.safe import one_line
from tui.widgets.rows import SpanRows

#: Per kind: glyph and the short name shown in the list.
KIND_MARKS = {
    "agree": ("=", "agreed"),
    "label": ("≠", "conflict"),
    "boundary": ("↔", "boundary"),
    "single": ("·", "only one"),
}
DECISION_TEXT = {"accept": "✓ accepted", "reject": "✗ rejected"}
#: A relation's kinds where they read otherwise than a span's.
RELATION_KIND_NAMES = {"label": "linked ≠"}


class ReviewItems(SpanRows, can_focus=True):
    BINDINGS = K.bindings(K.SPAN_LIST_KEYS)

    DEFAULT_CSS = """
    ReviewItems {
        background: $surface;
        scrollbar-size-vertical: 1;

        & > .review-items--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .review-items--current {
            background: $boost;
            text-style: bold;
        }
        & > .review-items--agree {
            color: $success;
        }
        & > .review-items--label {
            color: $error;
            text-style: bold;
        }
        & > .review-items--boundary {
            color: $warning;
            text-style: italic;
        }
        & > .review-items--single {
            color: $text-muted;
        }
        & > .review-items--accept {
            color: $success;
        }
        & > .review-items--reject {
            color: $error;
        }
        & > .review-items--open {
            color: $text-muted;
        }
        & > .review-items--empty {
            color: $text-muted;
        }
    }
    """

    COMPONENT_CLASSES = {
        "review-items--cursor",
        "review-items--current",
        "review-items--agree",
        "review-items--label",
        "review-items--boundary",
        "review-items--single",
        "review-items--accept",
        "review-items--reject",
        "review-items--open",
        "review-items--empty",
    }

    @dataclass
    class Highlighted(Message):
        """The user moved the list's highlight to a span."""

        span_id: str

    @dataclass
    class Chosen(Message):
        """The user chose a span (enter or click): show it in the text."""

        span_id: str

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(labels, id=id)
        self.items: list[ReviewItem] = []
        self._positions: dict[str, int] = {}
        self.empty_text = "Nobody tagged this article: nothing to compare."
        #: what "single" is called: "only one" with two annotators, "not all" with more
        self.single_name = "only one"
        self.name_width = 8

    def set_items(self, items: Sequence[ReviewSpan],
                  relations: Sequence[ReviewRelation] = ()) -> None:
        """The compared spans in text order, each followed by the relations starting on it
        (a relation whose span is not listed comes after the spans at its place)."""
        after: dict[str, list[ReviewRelation]] = {}
        for rel in relations:
            after.setdefault(rel.source.id, []).append(rel)
        rows: list[ReviewItem] = []
        for it in items:
            rows.append(it)
            rows.extend(after.pop(it.span.id, ()))
        for rest in after.values():
            rows.extend(rest)
        self.items = rows
        self._positions = {it.item_id: i for i, it in enumerate(self.items)}
        self.name_width = min(12, max((len(one_line(_who(it))) for it in rows), default=8))
        self.set_row_count(len(self.items))
        if self.current_id not in self._positions:
            self.current_id = None
        self._scroll_current_into_view()
        self.refresh()

    # ------------------------------------------------------------ rows
    def row_count(self) -> int:
        return len(self.items)

    def id_at(self, pos: int) -> str:
        return self.items[pos].item_id

    def position_of(self, span_id: str) -> int | None:
        return self._positions.get(span_id)

    def accepts(self, span_id: str | None) -> str | None:
        return span_id if span_id in self._positions else None

    # ------------------------------------------------------------- render
    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, style)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style()
        pos = y + self.scroll_offset.y
        if width <= 0:
            return Strip.blank(width, base)
        if not self.items:
            if pos == 0:
                empty = base + self.part_style("review-items--empty")
                return self._strip(Text(" " + self.empty_text, style=empty, end="",
                                        no_wrap=True), width, base)
            return Strip.blank(width, base)
        if pos >= len(self.items):
            return Strip.blank(width, base)
        item = self.items[pos]
        if isinstance(item, ReviewRelation):
            return self._relation_row(item, width, base)
        span = item.span
        style = base
        current = span.id == self.current_id
        if current:
            name = "review-items--cursor" if self.has_focus else "review-items--current"
            style = style + self.part_style(name)
        glyph, kind_name = KIND_MARKS.get(item.kind, ("?", item.kind))
        if item.kind == "single":
            kind_name = self.single_name
        kind_style = style + self.part_style(f"review-items--{item.kind}",
                                                           default=Style())
        color = self.label_colors.get(span.label, "#999999")
        if item.decision in DECISION_TEXT:
            decision = DECISION_TEXT[item.decision]
            decision_style = self.part_style(f"review-items--{item.decision}")
        elif item.kind != "agree":
            decision, decision_style = "· open", self.part_style(
                "review-items--open")
        else:
            decision, decision_style = "", Style()
        parts: list[tuple[str, Style]] = [
            ("▌" if current else " ", style + Style(color=color)),
            (f"{glyph} {kind_name:<9}", kind_style),
            (one_line(span.annotator, self.name_width).ljust(self.name_width) + " ", style),
            ("■ ", style + Style(color=color)),
            (one_line(span.label, 10).ljust(9), style + Style(bold=True)),
            (f"{decision:<11}", style + decision_style),
            ("“" + one_line(span.text, 80) + "”", style),
        ]
        return self._strip(Text.assemble(*parts, end="", no_wrap=True), width, style)

    def _relation_row(self, item: ReviewRelation, width: int, base: Style) -> Strip:
        rel = item.relation
        style = base
        current = rel.id == self.current_id
        if current:
            name = "review-items--cursor" if self.has_focus else "review-items--current"
            style = style + self.part_style(name)
        glyph, kind_name = KIND_MARKS.get(item.kind, ("?", item.kind))
        kind_name = RELATION_KIND_NAMES.get(item.kind, kind_name)
        if item.kind == "single":
            kind_name = self.single_name
        kind_style = style + self.part_style(f"review-items--{item.kind}", default=Style())
        if item.decision in DECISION_TEXT:
            decision = DECISION_TEXT[item.decision]
            decision_style = self.part_style(f"review-items--{item.decision}")
        elif item.kind != "agree":
            decision, decision_style = "· open", self.part_style("review-items--open")
        else:
            decision, decision_style = "", Style()
        parts: list[tuple[str, Style]] = [
            ("▌" if current else " ", style),
            (f"{glyph} {kind_name:<9}", kind_style),
            (one_line(rel.annotator, self.name_width).ljust(self.name_width) + " ", style),
            ("→ ", style),
            (one_line(rel.label, 10).ljust(9) + " ", style + Style(bold=True)),
            (f"{decision:<10}", style + decision_style),
            ("“" + one_line(item.source.text, 30) + "” → “" + one_line(item.target.text, 30)
             + "”", style),
        ]
        return self._strip(Text.assemble(*parts, end="", no_wrap=True), width, style)


def _who(item: ReviewItem) -> str:
    return item.relation.annotator if isinstance(item, ReviewRelation) else item.span.annotator
