"""The span panel: this annotator's spans of the open article in text order.

One line per span (label, quoted text, note); the span under the reader's
cursor is highlighted.  Orphaned spans (their text changed and they could not
be re-anchored) are listed too, marked, so they can be re-placed or deleted.
When the screen shows teammates' spans (:meth:`SpanPanel.set_team`), they are
listed below one's own, dimmed, each with its annotator's name: they can be
looked at and shown in the text, never edited.  Suggestions (:meth:`SpanPanel.set_suggestions`)
come between the two, each with its source (``cue: denied``, ``model 0.87``); their
rows' ids are :func:`tui.suggestindex.row_id` of them.
Relations (:meth:`SpanPanel.set_links`) are listed under each span they
take part in, one row each (``→ rebuts claim “…”``, ``← rebutted by denial
“…”``), flagged when one of their spans is orphaned or the labels no longer
fit the type; a link row's id is :func:`link_row_id` (the screen deletes the
relation when backspace is pressed on it).  Only the spans that have links
cost anything to lay out: the rows of the rest are found by bisection.
A Line-API widget: thousands of spans cost nothing until they are in view.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from annotations.model import Label, Span
from annotations.relation_types import find_type
from annotations.suggest.engine import Suggestion
from annotations.text import LineIndex
from tui import keys as K
from tui.relationindex import Link, RelationIndex
from tui.safe import one_line
from tui.spanindex import SpanIndex, is_placed
from tui.suggestindex import SuggestionIndex, key_of
from tui.suggestindex import row_id as suggestion_row
from tui.widgets.rows import SpanRows

STRIPS_KEPT = 512  # rendered rows kept (a few screens' worth)
#: Marks a link row's id (never in a span id: ids are printable).
_LINK = "\x00"


def link_row_id(relation_id: str, span_id: str) -> str:
    """The id of the row listing relation ``relation_id`` under span ``span_id``."""
    return f"{_LINK}{relation_id}{_LINK}{span_id}"


def parse_link_row(row_id: str | None) -> tuple[str, str] | None:
    """``(relation id, span id)`` of a link row's id, else ``None``."""
    if not row_id or not row_id.startswith(_LINK):
        return None
    relation_id, _, span_id = row_id[1:].partition(_LINK)
    return relation_id, span_id


class SpanPanel(SpanRows, can_focus=True):
    BINDINGS = K.bindings(K.SPAN_LIST_KEYS)

    DEFAULT_CSS = """
    SpanPanel {
        background: $surface;
        scrollbar-size-vertical: 1;

        & > .span-panel--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .span-panel--current {
            background: $boost;
            text-style: bold;
        }
        & > .span-panel--orphan {
            color: $warning;
            text-style: bold;
        }
        & > .span-panel--note {
            color: $text-muted;
            text-style: italic;
        }
        & > .span-panel--empty {
            color: $text-muted;
        }
        & > .span-panel--team {
            color: $text-muted;
        }
        & > .span-panel--link {
            color: $text-muted;
        }
        & > .span-panel--suggestion {
            text-style: italic;
        }
    }
    """

    COMPONENT_CLASSES = {
        "span-panel--cursor",
        "span-panel--current",
        "span-panel--orphan",
        "span-panel--note",
        "span-panel--empty",
        "span-panel--team",
        "span-panel--link",
        "span-panel--suggestion",
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
        super().__init__(labels, id=id)
        self.index = SpanIndex(LineIndex(""))
        #: teammates' spans, listed below :attr:`index` (None: not shown)
        self.team: SpanIndex | None = None
        #: suggestions, listed between :attr:`index` (with its links) and :attr:`team`
        #: (None: none)
        self.suggestions: SuggestionIndex | None = None
        #: relations listed under their spans (None: none shown)
        self.links: RelationIndex | None = None
        self._links_of: dict[str, list[Link]] = {}
        #: positions (in the index) of the spans that have links, the row each is on, how
        #: many link rows it has, and the link rows up to and including each
        self._anchors: list[int] = []
        self._anchor_rows: list[int] = []
        self._anchor_counts: list[int] = []
        self._link_rows_upto: list[int] = []
        # Rendered rows by what they show: a new span shifts every row below
        # it, and only the rows whose span or highlight changed render again.
        self._strips: dict[tuple[object, ...], Strip] = {}
        # What each line of the widget showed when last rendered (its row key).
        self._shown: dict[int, tuple[object, ...]] = {}

    def set_index(self, index: SpanIndex) -> None:
        self.index = index
        self._strips.clear()
        self._shown.clear()
        self.spans_changed()

    def set_links(self, links: RelationIndex | None) -> None:
        """List ``links`` (over :attr:`index`) under their spans, or none."""
        self.links = links
        self.spans_changed()

    def _lay_out_links(self) -> None:
        """Where the link rows go, after a change of spans or relations."""
        self._links_of = self.links.links_by_span() if self.links is not None else {}
        anchors = sorted((pos, len(links)) for sid, links in self._links_of.items()
                         if (pos := self.index.position_of(sid)) is not None)
        self._anchors = [pos for pos, _ in anchors]
        self._anchor_counts = [n for _, n in anchors]
        self._link_rows_upto = list(accumulate(self._anchor_counts))
        self._anchor_rows = [pos + upto - n for (pos, n), upto
                             in zip(anchors, self._link_rows_upto, strict=True)]

    def _own_rows(self) -> int:
        return len(self.index) + (self._link_rows_upto[-1] if self._link_rows_upto else 0)

    def _locate(self, row: int) -> tuple[str, int, int]:
        """What row ``row`` shows: ("span", position, -1), ("link", span position, k-th
        link), ("suggestion", position among the suggestions, -1) or ("team", position
        among the teammates' spans, -1)."""
        own = self._own_rows()
        if row >= own:
            suggested = self._suggestion_count()
            if row - own < suggested:
                return "suggestion", row - own, -1
            return "team", row - own - suggested, -1
        j = bisect_right(self._anchor_rows, row) - 1
        if j >= 0 and row <= self._anchor_rows[j] + self._anchor_counts[j]:
            k = row - self._anchor_rows[j]
            return ("span", self._anchors[j], -1) if k == 0 else ("link", self._anchors[j], k - 1)
        return "span", row - (self._link_rows_upto[j] if j >= 0 else 0), -1

    def _row_of(self, pos: int) -> int:
        """The row of the span at index position ``pos``."""
        j = bisect_left(self._anchors, pos)
        return pos + (self._link_rows_upto[j - 1] if j > 0 else 0)

    def link_at(self, row_id: str | None) -> Link | None:
        """The link a link row shows."""
        parsed = parse_link_row(row_id)
        if parsed is None:
            return None
        relation_id, span_id = parsed
        return next((lk for lk in self._links_of.get(span_id, ())
                     if lk.relation.id == relation_id), None)

    def set_team(self, team: SpanIndex | None) -> None:
        """List ``team`` (teammates' spans) below this annotator's, or stop (``None``)."""
        self.team = team
        if self.current_id is not None and self.position_of(self.current_id) is None:
            self.current_id = None
        self.spans_changed()

    def set_suggestions(self, suggestions: SuggestionIndex | None) -> None:
        """List ``suggestions`` below this annotator's spans, or stop (``None``)."""
        self.suggestions = suggestions
        if self.current_id is not None and self.position_of(self.current_id) is None:
            self.current_id = None
        self.spans_changed()

    def _suggestion_count(self) -> int:
        return len(self.suggestions) if self.suggestions is not None else 0

    def is_team(self, span_id: str) -> bool:
        """Is ``span_id`` a teammate's span listed here (shown, never edited)?"""
        return self.team is not None and span_id in self.team.by_id

    def _team_count(self) -> int:
        return len(self.team) if self.team is not None else 0

    def notify_style_update(self) -> None:
        self._strips.clear()
        self._shown.clear()
        super().notify_style_update()

    def spans_changed(self) -> None:
        self._lay_out_links()
        before = self.scroll_offset.y
        # The rows that changed are repainted below: a full repaint here (with the
        # panel's scroll bar, whose cells it covers) cost a tag 6 + 5 lines, not ~3.
        self.set_row_count(self.row_count(), repaint=False)
        if self.current_id is not None and self.position_of(self.current_id) is None:
            self.current_id = None
        self._scroll_current_into_view()
        if self.scroll_offset.y != before or not self._shown:
            self.refresh()
            return
        # Repaint only the rows that now show something else (a new span
        # shifts the rows below it; those above stay as they are).
        width = self.scrollable_content_region.width
        for y, shown in list(self._shown.items()):
            base = shown[-1]  # a row key ends with the base style it was rendered with
            if not isinstance(base, Style) or self._row_key(y + before, width, base) != shown:
                self.refresh_lines(y + before)

    # ------------------------------------------------------------ rows
    def row_count(self) -> int:
        return self._own_rows() + self._suggestion_count() + self._team_count()

    def id_at(self, pos: int) -> str:
        kind, at, k = self._locate(pos)
        if kind == "team":
            assert self.team is not None
            return self.team.ordered[at][4]
        if kind == "suggestion":
            assert self.suggestions is not None
            found = self.suggestions.ordered[at]
            return suggestion_row((found.start, found.end))
        span_id = self.index.id_at_position(at)
        if kind == "link":
            return link_row_id(self._links_of[span_id][k].relation.id, span_id)
        return span_id

    def position_of(self, span_id: str) -> int | None:
        parsed = parse_link_row(span_id)
        if parsed is not None:
            relation_id, owner = parsed
            at = self.index.position_of(owner)
            links = self._links_of.get(owner, [])
            k = next((i for i, lk in enumerate(links) if lk.relation.id == relation_id), None)
            return None if at is None or k is None else self._row_of(at) + 1 + k
        pos = self.index.position_of(span_id)
        if pos is not None:
            return self._row_of(pos)
        key = key_of(span_id)
        if key is not None:
            mine = self.suggestions.position_of(key) if self.suggestions is not None else None
            return None if mine is None else self._own_rows() + mine
        if self.team is not None:
            theirs = self.team.position_of(span_id)
            return None if theirs is None else (
                self._own_rows() + self._suggestion_count() + theirs)
        return None

    def _row_at(self, pos: int) -> tuple[Suggestion | None, Span | None, bool, Link | None]:
        """What row ``pos`` lists, located once: ``(suggestion, span, theirs, link)``, a
        suggestion's row (no span), or a span (a teammate's: ``theirs``) and, on a link
        row, the link of that span."""
        kind, at, k = self._locate(pos)
        if kind == "suggestion":
            assert self.suggestions is not None
            return self.suggestions.ordered[at], None, False, None
        if kind == "team":
            assert self.team is not None
            return None, self.team.span_at_position(at), True, None
        span = self.index.span_at_position(at)
        return None, span, False, self._links_of[span.id][k] if kind == "link" else None

    def _span_at(self, pos: int) -> tuple[Span, bool]:
        """The span on row ``pos`` (the span a link row lists a link of) and whether it is
        a teammate's; never a suggestion's row."""
        _, span, theirs, _ = self._row_at(pos)
        assert span is not None
        return span, theirs

    # ------------------------------------------------------------- render
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style()
        pos = y + self.scroll_offset.y
        if width <= 0:
            return Strip.blank(width, base)
        key = self._shown[y] = self._row_key(pos, width, base)
        if not self.row_count():
            if pos == 0:
                empty = base + self.part_style("span-panel--empty")
                text = Text(
                    " No spans yet: select text (s sentence, W word by word, P paragraph, or "
                    "drag) and press a label key.",
                    style=empty,
                    no_wrap=True,
                    end="",
                )
                text.truncate(width, overflow="ellipsis")
                return Strip(list(text.render(self.app.console))).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if pos >= self.row_count():
            return Strip.blank(width, base)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) >= STRIPS_KEPT:
                self._strips.clear()
            suggestion, span, theirs, link = self._row_at(pos)
            if suggestion is not None:
                current = suggestion_row((suggestion.start, suggestion.end)) == self.current_id
                self._strips[key] = strip = self._render_suggestion(suggestion, current, width,
                                                                    base)
                return strip
            assert span is not None
            if link is not None:
                row_id = link_row_id(link.relation.id, span.id)
                strip = self._render_link(link, row_id == self.current_id, width, base)
            else:
                strip = self._render_row(span, span.id == self.current_id, width, base,
                                         team=theirs)
            self._strips[key] = strip
        return strip

    def _row_key(self, pos: int, width: int, base: Style) -> tuple[object, ...]:
        """Everything row ``pos`` shows (the base style last)."""
        if not 0 <= pos < self.row_count():
            return ("empty" if pos == 0 else None, width, base)
        suggestion, span, theirs, link = self._row_at(pos)
        if suggestion is not None:
            current = suggestion_row((suggestion.start, suggestion.end)) == self.current_id
            state = (1 if self.has_focus else 2) if current else 0
            return ("suggestion", suggestion, state, width, base)
        assert span is not None
        if link is not None:
            row_id = link_row_id(link.relation.id, span.id)
            state = ((1 if self.has_focus else 2) if row_id == self.current_id else 0)
            other = link.other
            return ("link", row_id, link.outgoing, link.relation.label, other.label, other.text,
                    link.flag, state, width, base)
        state = ((1 if self.has_focus else 2) if span.id == self.current_id else 0)
        return (span.id, theirs, span.annotator if theirs else "", span.updated_at, span.label,
                span.text, span.note, span.anchor, span.start, span.end, state, width, base)

    def _render_row(self, span: Span, current: bool, width: int, base: Style, *,
                    team: bool = False) -> Strip:
        style = base
        if current:
            name = "span-panel--cursor" if self.has_focus else "span-panel--current"
            style = style + self.part_style(name)
        elif team:
            style = style + self.part_style("span-panel--team")
        color = self.label_colors.get(span.label, "#999999")
        placed = is_placed(span, len(self.index.lines.text))
        parts: list[tuple[str, Style]] = [
            ("▌" if current else " ", style + Style(color=color)),
            ("■ ", style + Style(color=color)),
            (one_line(span.label, 12).ljust(8), style + Style(bold=not team)),
            (" ", style),
        ]
        if team:
            # whose it is: a teammate's span is shown, never edited
            parts.append((one_line(span.annotator, 16) + " ", style + Style(italic=True)))
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

    def _render_suggestion(self, suggestion: Suggestion, current: bool, width: int,
                           base: Style) -> Strip:
        """``◇ denial   cue: denied · model 0.87  “quote”``: dim, in italics."""
        style = base
        if current:
            name = "span-panel--cursor" if self.has_focus else "span-panel--current"
            style = style + self.part_style(name)
        else:
            style = style + self.part_style("span-panel--team")
        style = style + self.part_style("span-panel--suggestion")
        color = self.label_colors.get(suggestion.label, "#999999")
        quote = self.index.lines.text[suggestion.start:suggestion.end]
        text = Text.assemble(
            ("▌" if current else " ", style + Style(color=color)),
            ("◇ ", style + Style(color=color)),
            (one_line(suggestion.label, 12).ljust(8), style),
            (" ", style),
            (one_line(suggestion.describe(), 40) + "  ", style + Style(bold=True)),
            ("“" + one_line(quote, 60) + "”", style),
            end="", no_wrap=True,
        )
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, style)

    def _render_link(self, link: Link, current: bool, width: int, base: Style) -> Strip:
        style = base + self.part_style("span-panel--link")
        if current:
            name = "span-panel--cursor" if self.has_focus else "span-panel--current"
            style = base + self.part_style(name)
        types = self.links.types if self.links is not None else ()
        kind = find_type(types, link.relation.label)
        color = kind.color if kind is not None else "#999999"
        words = link.words(types, 50)
        parts: list[tuple[str, Style]] = [
            ("▌" if current else " ", style + Style(color=color)),
            ("    ", style),
            (words[:1], style + Style(color=color, bold=True)),
            (words[1:], style),
        ]
        if link.flag:
            parts.append(("  ⚠ " + one_line(link.flag, 40), style + self.part_style(
                "span-panel--orphan")))
        text = Text.assemble(*parts, end="", no_wrap=True)
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, style)
