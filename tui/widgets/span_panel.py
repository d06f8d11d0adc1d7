"""The span panel: this annotator's spans of the open article in text order.

One line per span (label, quoted text, note); the span under the reader's
cursor is highlighted.  Orphaned spans (their text changed and they could not
be re-anchored) are listed too, marked, so they can be re-placed or deleted.
When the screen shows teammates' spans (:meth:`SpanPanel.set_team`), they are
listed below one's own, dimmed, each with its annotator's name: they can be
looked at and shown in the text, never edited.  Suggestions (:meth:`SpanPanel.set_suggestions`)
come between the two, each with its source (``cue: denied``, ``model 0.87``); their
rows' ids are :func:`tui.suggestindex.row_id` of them.
A Line-API widget: thousands of spans cost nothing until they are in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from annotations.model import Label, Span
from annotations.suggest.engine import Suggestion
from annotations.text import LineIndex
from tui import keys as K
from tui.safe import one_line
from tui.spanindex import SpanIndex, is_placed
from tui.suggestindex import SuggestionIndex, key_of, row_id
from tui.widgets.rows import SpanRows

STRIPS_KEPT = 512  # rendered rows kept (a few screens' worth)


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
        #: suggestions, listed between :attr:`index` and :attr:`team` (None: none)
        self.suggestions: SuggestionIndex | None = None
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
        before = self.scroll_offset.y
        self.set_row_count(self.row_count())
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
        return len(self.index) + self._suggestion_count() + self._team_count()

    def id_at(self, pos: int) -> str:
        found = self._suggestion_at(pos)
        if found is not None:
            return row_id((found.start, found.end))
        return self._span_at(pos)[0].id

    def position_of(self, span_id: str) -> int | None:
        pos = self.index.position_of(span_id)
        key = key_of(span_id) if pos is None else None
        if key is not None and self.suggestions is not None:
            mine = self.suggestions.position_of(key)
            return None if mine is None else len(self.index) + mine
        if pos is None and self.team is not None:
            theirs = self.team.position_of(span_id)
            pos = None if theirs is None else len(self.index) + self._suggestion_count() + theirs
        return pos

    def _suggestion_at(self, pos: int) -> Suggestion | None:
        """The suggestion on row ``pos`` (``None``: the row is a span's)."""
        i = pos - len(self.index)
        if self.suggestions is not None and 0 <= i < len(self.suggestions):
            return self.suggestions.ordered[i]
        return None

    def _span_at(self, pos: int) -> tuple[Span, bool]:
        """The span on row ``pos`` and whether it is a teammate's."""
        own = len(self.index)
        if pos < own:
            return self.index.span_at_position(pos), False
        assert self.team is not None
        return self.team.span_at_position(pos - own - self._suggestion_count()), True

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
            suggestion = self._suggestion_at(pos)
            if suggestion is not None:
                current = row_id((suggestion.start, suggestion.end)) == self.current_id
                strip = self._render_suggestion(suggestion, current, width, base)
            else:
                span, theirs = self._span_at(pos)
                strip = self._render_row(span, span.id == self.current_id, width, base,
                                         team=theirs)
            self._strips[key] = strip
        return strip

    def _row_key(self, pos: int, width: int, base: Style) -> tuple[object, ...]:
        """Everything row ``pos`` shows (the base style last)."""
        if not 0 <= pos < self.row_count():
            return ("empty" if pos == 0 else None, width, base)
        suggestion = self._suggestion_at(pos)
        if suggestion is not None:
            current = row_id((suggestion.start, suggestion.end)) == self.current_id
            state = (1 if self.has_focus else 2) if current else 0
            return ("suggestion", suggestion, state, width, base)
        span, theirs = self._span_at(pos)
        state = ((1 if self.has_focus else 2) if span.id == self.current_id else 0)
        return (span.id, theirs, span.annotator if theirs else "", span.updated_at, span.label,
                span.text, span.note, span.anchor, span.start, span.end, state, width, base)

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
