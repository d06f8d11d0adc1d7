"""The reader: a read-only TextArea that paints markdown styles and spans.

The document shown is :func:`tui.safe.display_text` of the article's plain
text: the same length, so a TextArea location maps 1:1 to a code-point
offset, with control characters made visible.  Styles are painted in the
public :meth:`get_line` hook from per-line run lists (``SpanIndex.rows`` and
the markdown style rows), and each painted line is cached until the spans or
the theme change, so a key press costs a few dictionary look-ups per visible
line however many spans the article holds.

Teammates' spans (the annotate screen's toggle) are a second, read-only
index painted under one's own (:meth:`Reader.set_team`): a faint wash of
their label colour, which one's own spans cover where both are.
Suggestions are a third (:meth:`Reader.set_suggestions`): the text in the
label's colour, italic and underlined, with no background (so they never look
like a span); a new set repaints only the lines whose suggestions differ, a
removed one (accepted, rejected) only its own lines.

Relations: spans that take part in one get a line over them, bold
(:data:`RELATED`, painted with the spans and cached with them:
:meth:`Reader.set_related` repaints the spans whose mark changed).  While a
link's target is picked (:meth:`Reader.set_link`) the target shows in
reverse video, the other candidates underlined, and the spans that cannot be
picked dim; that look is laid over the cached paint in :meth:`get_line`, like
the active span, and entering, moving and leaving drop exactly the cached
screen lines that show the spans whose look changed.

Search matches (:meth:`Reader.set_matches`) are painted in the same pass,
after the spans and their relation marks: a match outside every span gets the
match background, a match inside a span keeps the span's colours (and its
relation mark) and is drawn bold, italic and underlined, so highlighting never
hides a tag.  A new set of matches repaints everything, as a new span index does.

The layers of a painted line, bottom to top: markdown styles, teammates'
washes (background), suggestions (foreground colour, italic, underline: never
a background, and never under one's own spans, which the suggester keeps
them off), one's own spans (background and contrasting text) with their
relation marks (overline), search matches; then, per frame, the active span
and the link-picking looks.  A match over a suggestion takes the match
background and text colour but keeps the italic that marks the suggestion,
whose colour still shows on the rest of its sentence.

Rendered screen lines are cached too (:meth:`Reader.render_line`), one per
section of a wrapped paragraph, and only what changed is repainted: a
selection change repaints the lines of the old and new selection (TextArea
repaints all of itself), a span change the lines of its rows, and a span
change drops from the cache only the sections showing the columns it changed.
Lines that show the cursor or the selection take TextArea's own path.  Any
new wrap (a new text, a resize) repaints everything.  The cached lines live
in TextArea's own cache, so whatever clears that (styles, theme, wrap)
clears them too.  ``tests/test_tui_reader_cache.py`` and
``tests/test_tui_repaint.py`` compare the screen with a full repaint after
every kind of change.

Wrapping is lazy (:class:`~tui.widgets.lazy_wrap.LazyWrap`, issue 19: a 1 MB
text took 0.37 s per wrap, and a new text was wrapped twice before its first
frame): a new text or width wraps the rows around the cursor and on screen at
once, any cursor move or scroll wraps the rows it brings on screen before they
are painted, and a background worker computes the rest once the reader has been
idle for :data:`WRAP_IDLE` and swaps it in at once, the top row of the screen
kept (``tests/test_tui_lazy_wrap.py``).
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.geometry import Region
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, TextAreaTheme, WrappedDocument

from annotations.model import Label, StyleRange
from annotations.text import (
    LineIndex,
    SentenceIndex,
    next_paragraph,
    next_word,
    next_word_end,
    paragraph_at,
    previous_paragraph,
    previous_word,
    sentence_index,
)
from tui import keys as K
from tui.shown_text import shown_text
from tui.spanindex import Changes, SpanIndex, is_placed
from tui.suggestindex import SuggestionIndex
from tui.widgets.direct_repaint import DirectRepaint
from tui.widgets.lazy_wrap import LazyWrap
from tui.widgets.rows import refresh_content_lines

#: Markdown style kinds -> component class with their look (see DEFAULT_CSS).
STYLE_CLASSES = {
    "heading": "reader--heading",
    "emphasis": "reader--emphasis",
    "strong": "reader--strong",
    "link": "reader--link",
    "quote": "reader--quote",
    "code": "reader--code",
}
#: Style pieces (one style on one row) laid out per article, and kept per row, at most:
#: styles are display only, and each costs a ``stylize`` on every row it covers, so
#: 10,000 styles over a whole text took 58 s to first paint.  Past these, the later
#: styles (in text order) are not painted; the text is all there.
MAX_STYLE_PIECES = 100_000
MAX_ROW_STYLES = 16
#: How much of the label colour goes into a span's background.
SPAN_TINT = 0.5
#: ... and into a teammate's span's background (a faint wash under one's own spans).
TEAM_TINT = 0.2
OVERLAP = Style(underline=True, bold=True)
#: A span that takes part in a relation: a line over it (SGR 53), and bold, which shows
#: where a terminal draws no overline.
RELATED = Style(overline=True, bold=True)
#: While a link's target is picked: the target, the other candidates, the rest.
LINK_TARGET = Style(reverse=True, bold=True)
LINK_CANDIDATE = Style(underline=True)
LINK_OTHER = Style(dim=True)
#: The selection: reverse video plus bold over whatever the cell shows (a label's
#: tint, an overlap, plain text), so it never looks like any of them, on a dark or
#: light theme or in 16 colours.  TextArea's own selection is a background colour,
#: which in 256 colours was the same one as the context label's tint.  (CSS cannot
#: say "no colour": the component style would inherit the reader's colours.)
SELECTION = Style(reverse=True, bold=True)
#: TextArea's "css" theme (colours from the CSS) with :data:`SELECTION`.
READER_THEME = TextAreaTheme(name="stancemark-reader", selection_style=SELECTION)
UNKNOWN_LABEL_COLOR = "#999999"
#: Rows changed at once past which a repaint refreshes the whole widget, not row by row.
MANY_ROWS = 200
#: First item of the reader's keys in TextArea's line cache (never a ``Size``, as its own are);
#: the cache tests tell the reader's entries by it.
LINE_KEY = "reader-line"
#: Seconds without a cursor move before the rows off screen are wrapped in the background,
#: and the longest stretch of that work between two turns of the event loop.
WRAP_IDLE = 0.1
WRAP_SLICE = 0.004
#: How long the background wrap waits before it looks again whether input is handled.
WRAP_PAUSE = 0.02


#: Style layouts kept (see :meth:`Reader._cached_layout`), by the text's SHA-256.
LAYOUTS_KEPT = 4
_LAYOUTS: OrderedDict[
    str, tuple[str, list[StyleRange], dict[int, list[tuple[int, int, str]]]]] = OrderedDict()


@dataclass(frozen=True)
class LinkLook:
    """What the reader shows while a link's target is picked."""

    source: str
    candidates: frozenset[str]
    target: str | None


def label_colors(labels: Sequence[Label], background: Color) -> dict[str, tuple[Style, Style]]:
    """Per label: (span style, active-span style) readable on ``background``."""
    out: dict[str, tuple[Style, Style]] = {}
    for label in labels:
        out[label.name] = _label_styles(label.color, background)
    return out


def _label_styles(color_text: str, background: Color) -> tuple[Style, Style]:
    color = Color.parse(color_text)
    if background.ansi is not None or background.a == 0:
        tint = color
    else:
        tint = background.blend(color, SPAN_TINT)
    span = Style(bgcolor=tint.rich_color, color=tint.get_contrast_text(1.0).rich_color)
    active = Style(
        bgcolor=color.rich_color, color=color.get_contrast_text(1.0).rich_color, bold=True
    )
    return span, active


def team_style(color_text: str, background: Color) -> Style:
    """A teammate's span: a faint wash of the label colour, the text left as it is (on a
    terminal without true colour, where nothing blends, the label colour as text)."""
    color = Color.parse(color_text)
    if background.ansi is not None or background.a == 0:
        return Style(color=color.rich_color)
    return Style(bgcolor=background.blend(color, TEAM_TINT).rich_color)


def suggestion_style(color_text: str) -> Style:
    """A suggestion: the text in its label's colour, italic and underlined, no background
    (a span has one), so it reads as "could be tagged" on any theme."""
    return Style(color=Color.parse(color_text).rich_color, italic=True, underline=True)


def elementary_covers(
    runs: Sequence[tuple[int, int, str]],
) -> Iterator[tuple[int, int, list[str]]]:
    """Each stretch ``[a, b)`` between span edges on a line, with the spans covering it.

    Stretches no span covers are skipped.  One sweep over the runs in start
    order: a densely tagged paragraph has dozens of runs, and testing every run
    against every stretch made painting it quadratic.
    """
    ordered = sorted(runs)
    points = sorted({p for cs, ce, _ in runs for p in (cs, ce)})
    active: list[tuple[int, int, str]] = []
    i, n = 0, len(ordered)
    for a, b in zip(points, points[1:], strict=False):
        while i < n and ordered[i][0] <= a:
            active.append(ordered[i])
            i += 1
        active = [run for run in active if run[1] >= b]
        if active:
            yield a, b, [run[2] for run in active]


def _section_bounds(wrapped: WrappedDocument, row: int, section: int) -> tuple[int, int | None]:
    """First column of screen section ``section`` of ``row``, and of the next (None: the end)."""
    offsets = wrapped.get_offsets(row)
    first = offsets[section - 1] if section > 0 else 0
    last = offsets[section] if section < len(offsets) else None
    return first, last


class Reader(DirectRepaint, TextArea, inherit_bindings=False):
    """Read-only article text with spans painted in their label colours."""

    BINDINGS = K.bindings(K.READER_KEYS)

    DEFAULT_CSS = """
    Reader {
        height: 1fr;
        border: none;
        border-left: outer $border-blurred;
        padding: 0 1;
        background: $surface;

        &:focus {
            border: none;
            border-left: outer $border;
        }

        & > .reader--heading {
            color: $primary;
            text-style: bold;
        }
        & > .reader--strong {
            text-style: bold;
        }
        & > .reader--emphasis {
            text-style: italic;
        }
        & > .reader--link {
            color: $accent;
            text-style: underline;
        }
        & > .reader--quote {
            color: $text-muted;
            text-style: italic;
        }
        & > .reader--code {
            color: $warning;
        }
        & > .reader--match {
            background: $warning 45%;
            color: $text;
            text-style: bold underline;
        }
    }
    """

    _frame_key: tuple[object, ...] | None = None  # set while render_lines runs
    _css_applied: tuple[object, ...] | None = None  # the CSS state last applied to the theme
    _style_updates = 0

    # TextArea repaints all of itself on every selection change; the reader
    # repaints only the screen lines the old and the new selection touch
    # (:meth:`_watch_selection`), so a key press renders one or two lines.
    selection: Reactive[Selection] = reactive(
        Selection(), init=False, always_update=True, repaint=False
    )

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | set(STYLE_CLASSES.values()) | {
        "reader--match"}

    class NothingToClear(Message):
        """Escape with nothing selected: the screen may clear something else (a search)."""

    _shown = ""
    #: The rows of the text being loaded, split already (see :meth:`_set_document`).
    _rows: tuple[str, ...] | None = None
    #: True from a new text or width until every row is wrapped (benchmarks wait on it).
    wrapping = False
    _wrap_generation = 0
    _last_activity = 0.0

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(
            "",
            read_only=True,
            soft_wrap=True,
            highlight_cursor_line=False,
            show_cursor=True,
            tab_behavior="focus",
            id=id,
        )
        self.register_theme(READER_THEME)
        self.theme = READER_THEME.name
        self.cursor_blink = False
        self.match_cursor_bracket = False
        self.labels = list(labels)
        self.source_text = ""
        self._shown = ""
        self.lines = LineIndex("")
        self.sentences = SentenceIndex(self.lines)
        self.index = SpanIndex(self.lines)
        #: teammates' spans, painted faintly under :attr:`index` (None: not shown)
        self.team: SpanIndex | None = None
        self._team_styles: dict[str, Style] = {}
        #: the open article's suggestions (None: none shown)
        self.suggestions: SuggestionIndex | None = None
        self._suggestion_styles: dict[str, Style] = {}
        self.active_span: str | None = None
        #: Where :attr:`active_span` was last painted (its columns then), to repaint
        #: those lines once it has left the index (undone, deleted).
        self._active_columns: Changes = {}
        #: spans that take part in a relation (marked); while linking, the link's looks
        self.related: frozenset[str] = frozenset()
        self.link: LinkLook | None = None
        self._style_rows: dict[int, list[tuple[int, int, str]]] = {}
        self._painted: dict[int, Text] = {}
        self._label_styles: dict[str, tuple[Style, Style]] = {}
        self._kind_styles: dict[str, Style] = {}
        #: Search matches per document row: ``[(start column, end column)]``.
        self._match_rows: dict[int, list[tuple[int, int]]] = {}
        #: The match look outside spans (background and text) and inside them (text only).
        self._match_style = Style(bold=True, underline=True)
        self._match_text_style = Style(bold=True, underline=True)

    async def _on_key(self, event: events.Key) -> None:
        """Run the key's binding here, not after the key has bubbled back to the app.

        Textual looks up a key's (non-priority) binding in ``App._on_key``, once
        the key has travelled from the app down to the focused reader and back up
        through every container: six dispatches of each key where a widget
        handling its own key needs two (issue 19, the tag key press).  The look-up
        here is the app's own (``App._check_bindings``: the same chain, from the
        reader up, so the same binding wins); a key it handles stops here (no
        container or screen above has a key handler), any other bubbles on as
        before.  Keys stay in order: each reaches the reader through the same
        queues as before.  First the screen follows a cursor move whose
        ``SelectionChanged`` it has not handled yet (``catch_up``): a key queued
        behind a move acts where the move went.  A key that has a binding is
        stopped here even when its action is off just now: looked up again at the
        app, after the keys typed behind it, it could run out of order.

        (``TextArea._on_key`` is not called from here: Textual calls it after this
        one, along the class hierarchy.)
        """
        if event._stop_propagation:
            return
        catch_up = getattr(self.screen, "catch_up", None)
        if catch_up is not None:
            catch_up()
        key = event.key
        if await self.app._check_bindings(key) or any(
                key in bindings.key_to_bindings
                for _, bindings in self.screen._modal_binding_chain):
            event.stop()

    def post_message(self, message: Message) -> bool:
        """``SelectionChanged`` goes straight to the screen, its only listener.

        Every cursor move and tag posts one; bubbling, it was dispatched on the
        reader and on each container above it before the screen handled it
        (issue 19: three dispatches saved per key).  Every other message
        bubbles as usual.
        """
        if isinstance(message, TextArea.SelectionChanged) and self.is_attached:
            return self.screen.post_message(message)
        return super().post_message(message)

    # ------------------------------------------------------------ content
    def show_article(self, text: str, styles: Sequence[StyleRange], index: SpanIndex,
                     cursor: int = 0, *, sha256: str | None = None) -> None:
        """Display ``text`` (sanitised, same length) with its styles and spans.

        ``sha256`` (the text's, when known) finds the sentences of a text shown
        before; they are segmented a line at a time as the keys need them.
        """
        self.source_text = text
        self.lines = index.lines
        self.sentences = sentence_index(index.lines, sha256)
        self.index = index
        self.active_span = None
        self._active_columns = {}
        self.suggestions = None
        self._style_rows = self._cached_layout(text, styles, sha256)
        self._match_rows = {}
        self._painted.clear()
        index.take_dirty()
        split = shown_text(text, sha256)
        self._shown = split.shown
        self._rows = split.rows
        try:
            self.load_text(self._shown)
        finally:
            self._rows = None
        self.goto(cursor, center=True)
        self._schedule_wrap()

    def _cached_layout(self, text: str, styles: Sequence[StyleRange],
                       sha256: str | None) -> dict[int, list[tuple[int, int, str]]]:
        """:meth:`_layout_styles`, kept for the last few texts by their SHA-256, the text
        and its styles (an article opened again: 2.3 ms for a 1 MB text's 2,000 styles,
        issue 19; the text and the styles compare by identity first, and the store hands
        out the same ones for the same stored row).  The rows are read only."""
        if sha256 is None or not styles:
            return self._layout_styles(styles)
        found = _LAYOUTS.get(sha256)
        if found is not None and found[0] == text and found[1] == styles:
            _LAYOUTS.move_to_end(sha256)
            return found[2]
        rows = self._layout_styles(styles)
        _LAYOUTS[sha256] = (text, list(styles), rows)
        while len(_LAYOUTS) > LAYOUTS_KEPT:
            _LAYOUTS.popitem(last=False)
        return rows

    def _layout_styles(self, styles: Sequence[StyleRange]) -> dict[int, list[tuple[int, int, str]]]:
        """Each style's piece on each row it covers, within :data:`MAX_STYLE_PIECES` in all
        and :data:`MAX_ROW_STYLES` per row (outer styles first: they are sorted so)."""
        rows: dict[int, list[tuple[int, int, str]]] = {}
        n = len(self.source_text)
        lines = self.lines
        starts = lines.starts
        budget = MAX_STYLE_PIECES
        for st in styles:
            start, end = st.start, st.end
            if st.kind not in STYLE_CLASSES or not (0 <= start < end <= n):
                continue
            # lines.to_location, inline (2,000 styles of a 1 MB text: a third of the time)
            r0 = bisect_right(starts, start) - 1
            r1 = bisect_right(starts, end) - 1
            c0, c1 = start - starts[r0], end - starts[r1]
            if r0 == r1:
                budget -= 1
                if budget < 0:
                    break
                pieces = rows.setdefault(r0, [])
                if len(pieces) < MAX_ROW_STYLES:
                    pieces.append((c0, c1, st.kind))
                continue
            budget -= r1 - r0 + 1
            if budget < 0:
                break
            for row in range(r0, r1 + 1):
                cs = c0 if row == r0 else 0
                ce = c1 if row == r1 else lines.line_end(row) - lines.starts[row]
                if ce > cs:
                    pieces = rows.setdefault(row, [])
                    if len(pieces) < MAX_ROW_STYLES:
                        pieces.append((cs, ce, st.kind))
        return rows

    def set_team(self, team: SpanIndex | None, *, repaint: bool = True) -> None:
        """Paint ``team`` (teammates' spans, over the same text) under the spans, or
        stop (``None``).  Its changes are never incremental: a new one repaints all."""
        self.team = team
        if repaint:
            self.repaint()

    def set_matches(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Highlight these ``[start, end)`` text ranges (search matches); repaints all."""
        rows: dict[int, list[tuple[int, int]]] = {}
        n = len(self.source_text)
        lines = self.lines
        for start, end in ranges:
            start, end = max(0, start), min(n, end)
            if start >= end:
                continue
            for row, cs, ce in lines.runs(start, end):
                if ce > cs:
                    rows.setdefault(row, []).append((cs, ce))
        if rows == self._match_rows:
            return
        self._match_rows = rows
        self._painted.clear()
        self.notify_style_update()
        self.refresh()

    @property
    def has_matches(self) -> bool:
        return bool(self._match_rows)

    def spans_changed(self) -> None:
        """Repaint the columns whose spans changed (call after updating the index)."""
        self._repaint_changes(self.index.take_dirty())
        self._remember_active()

    def _remember_active(self) -> None:
        """Keep the active span's columns while the index still holds it."""
        columns = self._span_columns(self.active_span)
        if columns is not None:
            self._active_columns = columns

    def set_suggestions(self, suggestions: SuggestionIndex | None) -> None:
        """Paint ``suggestions`` (over the text shown) instead of the ones shown now,
        repainting only the lines where the two differ."""
        old = self.suggestions
        self.suggestions = suggestions
        if suggestions is not None:
            suggestions.take_dirty()
            changes = suggestions.changes_from(old)
        elif old is not None:
            changes = {row: [(cs, ce) for cs, ce, _ in runs] for row, runs in old.rows.items()}
        else:
            changes = {}
        self._repaint_changes(changes)

    def suggestions_changed(self) -> None:
        """Repaint the columns of suggestions removed since the last call."""
        if self.suggestions is not None:
            self._repaint_changes(self.suggestions.take_dirty())

    def _repaint_changes(self, dirty: Changes) -> None:
        """Repaint the columns ``dirty`` names (painted rows and rendered lines).

        Past :data:`MANY_ROWS` rows (a new article's suggestions arriving) the
        whole widget is refreshed instead of row by row: only the lines in view
        render again either way, and one refresh is cheaper than thousands.
        """
        if not dirty:
            return
        for row in dirty:
            self._painted.pop(row, None)
        self._forget(dirty)
        if len(dirty) > MANY_ROWS:
            self.refresh()
        else:
            self._refresh_columns(dirty)

    def _rewrap_and_refresh_virtual_size(self) -> None:
        # A new wrap (a new text, a resize, soft wrap turned on) changes what
        # every screen line shows, even when the height stays the same.
        # TextArea counts on the next selection change to repaint them all; the
        # reader repaints only the selection's lines then, so it repaints here.
        # The wrap is provisional (:class:`LazyWrap`): the rows around the cursor
        # and on screen are wrapped before the height is taken (it decides whether a
        # scroll bar shows, which changes the width again), the rest in the background.
        self.wrapped_document.wrap(self.wrap_width, tab_width=self.indent_width)
        self._wrap_visible(sized=False)
        self._new_layout()
        self._schedule_wrap()

    def _set_document(self, text: str, language: str | None) -> None:
        """TextArea's own, for plain text, with a :class:`LazyWrap` as the wrapped
        document (TextArea builds a ``WrappedDocument``, whose constructor alone
        walks every row: 50 ms on a 1 MB text)."""
        if language:
            super()._set_document(text, language)
            return
        self._highlight_query = None
        rows = self._rows
        if rows is not None and text is self._shown:
            # The rows of this text, split already (:mod:`tui.shown_text`): a Document
            # with them is what ``Document(text)`` builds (only "\n" separates rows in a
            # displayed text), without splitting 1 MB again.
            document = Document("")
            document._lines = list(rows)
            self.document = document
        else:
            self.document = Document(text)
        # Wrapped once, at the width it is shown at: a text with more lines than the
        # screen has rows surely shows the vertical scroll bar, which narrows the wrap
        # (its appearing would wrap it all again: issue 19).
        overflow = (self.soft_wrap and not self.show_vertical_scrollbar
                    and self.styles.overflow_y == "auto"
                    and self.document.line_count > self.scrollable_content_region.height > 0)
        width = self.wrap_width
        if overflow:
            width = max(0, width - self.styles.scrollbar_size_vertical)
        self.wrapped_document = LazyWrap(self.document, width, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        if overflow:
            self.show_vertical_scrollbar = True  # its watcher rewraps: at this width
        self._rewrap_and_refresh_virtual_size()

    def _wrap_visible(self, *, cursor: bool = True, sized: bool = True) -> bool:
        """Wrap the rows around the cursor (``cursor``) and the rows on screen; whether
        any screen line moved.  ``sized``: the virtual size is brought up to date and
        the row at the top of the screen kept there (else the caller does both)."""
        wrapped = self.wrapped_document
        if not isinstance(wrapped, LazyWrap) or not wrapped.pending:
            return False
        height = max(self.size.height, 1)
        anchor = self._top_anchor()
        moved = False
        if cursor:
            moved = wrapped.wrap_around(self.selection.end[0], height, height) is not None
        if anchor is not None:
            if moved and sized:
                self._refresh_size()
                self._restore_anchor(anchor)
            moved = wrapped.wrap_around(anchor[0], 0, height) is not None or moved
        return moved

    def _top_anchor(self) -> tuple[int, int] | None:
        """The document row and its section at the top of the screen."""
        wrapped = self.wrapped_document
        if isinstance(wrapped, LazyWrap):  # without laying the lines out when not needed
            return wrapped.line_info(self.scroll_offset.y)
        info = wrapped._offset_to_line_info
        if not info:
            return None
        return info[max(0, min(self.scroll_offset.y, len(info) - 1))]

    def _restore_anchor(self, anchor: tuple[int, int]) -> None:
        """Scroll so that ``anchor`` (see :meth:`_top_anchor`) is at the top again."""
        row, section = anchor
        ys = self.wrapped_document._line_index_to_offsets[row]
        y = ys[min(section, len(ys) - 1)]
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True)

    def _new_layout(self) -> None:
        """The wrap changed: forget the rendered lines, take the new height, repaint."""
        self._line_cache.clear()
        self._refresh_size()
        self.refresh()

    def _watch_scroll_y(self) -> None:
        if self._wrap_visible(cursor=False):
            self._new_layout()
        super()._watch_scroll_y()

    def _schedule_wrap(self) -> None:
        """Wrap the rest of the text in the background (:meth:`_wrap_rest`), starting
        :data:`WRAP_IDLE` seconds after the next frame (so the first keys after opening
        never wait for it)."""
        self._wrap_generation += 1
        wrapped = self.wrapped_document
        self.wrapping = isinstance(wrapped, LazyWrap) and wrapped.pending
        if self.wrapping and self.is_mounted:
            self.call_after_refresh(self._start_wrap, self._wrap_generation)

    def _start_wrap(self, generation: int) -> None:
        # A worker (its own task): a timer's callback would run in the reader's message
        # loop and hold every message to the reader until it returned.
        if generation == self._wrap_generation:
            self._last_activity = time.monotonic()
            self.run_worker(self._wrap_rest(), group="reader-wrap", exclusive=True,
                            description="wrap the rest of the text")

    def input_pending(self) -> bool:
        """Whether input is being handled: the reader used in the last :data:`WRAP_IDLE`
        seconds, or a message waiting for the app, the screen or the reader (Textual
        has no public look at a queue; a key press travels through these three).
        Background work that shares the event loop (the wrap, the screen's span
        read) waits while it is."""
        if time.monotonic() - self._last_activity < WRAP_IDLE:
            return True
        return any(node._message_queue.qsize() for node in (self.app, self.screen, self))

    async def _wrap_rest(self) -> None:
        """Compute the waiting rows' breaks in slices of :data:`WRAP_SLICE` seconds while
        no input is handled, yielding to the event loop between them, then swap them in
        at once with the top row of the screen kept."""
        generation = self._wrap_generation
        wrapped = self.wrapped_document
        assert isinstance(wrapped, LazyWrap)
        while True:
            if generation != self._wrap_generation:
                return
            if self.input_pending():
                await asyncio.sleep(WRAP_PAUSE)
                continue
            if wrapped.compute_some(WRAP_SLICE):
                break
            await asyncio.sleep(0)
        if generation != self._wrap_generation:
            return
        anchor = self._top_anchor()
        if wrapped.finish():
            self._new_layout()
            if anchor is not None:
                self._restore_anchor(anchor)
            self._recompute_cursor_offset()  # type: ignore[no-untyped-call]
        self.wrapping = False

    def _watch_selection(self, previous_selection: Selection, selection: Selection) -> None:
        self._last_activity = time.monotonic()
        if self._wrap_visible():
            self._new_layout()
        super()._watch_selection(previous_selection, selection)
        if self.is_mounted:
            self._refresh_between(*previous_selection)
            self._refresh_between(*selection)

    def _screen_y(self, location: tuple[int, int]) -> int:
        """The line of the wrapped document that shows ``location``."""
        wrapped = self.wrapped_document
        row, column = location
        ys = wrapped._line_index_to_offsets[row]
        return ys[min(bisect_right(wrapped.get_offsets(row), column), len(ys) - 1)]

    def _refresh_between(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        """Repaint the screen lines from location ``a`` to ``b``.

        A location on a wrap boundary shows at the start of the later section
        (as TextArea draws the cursor), and a selection ending there ends on
        the line before: both are in the range.
        """
        top, bottom = (a, b) if a <= b else (b, a)
        try:
            y0, y1 = self._screen_y(top), self._screen_y(bottom)
        except IndexError:  # a location of the text shown before
            self.refresh()
            return
        self.refresh_lines(y0, y1 - y0 + 1)

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        refresh_content_lines(self, y_start, line_count)

    def _refresh_columns(self, changes: Changes) -> None:
        """Repaint the screen lines that show any of ``changes``' columns: the sections
        of their rows that :meth:`_forget` drops, not every section of a wrapped
        paragraph (a tag in a paragraph of five screen lines repainted all five).
        The other sections render as before: no column of theirs changed."""
        wrapped = self.wrapped_document
        offsets = wrapped._line_index_to_offsets
        lines: set[int] = set()
        for row, ranges in changes.items():
            try:
                ys = offsets[row]
                breaks = wrapped.get_offsets(row)
            except IndexError:
                self.refresh()
                return
            for section, y in enumerate(ys):
                first = breaks[section - 1] if section > 0 else 0
                last = breaks[section] if section < len(breaks) else None
                if any(ce > first and (last is None or cs <= last) for cs, ce in ranges):
                    lines.add(y)
        start = count = 0
        for y in sorted(lines):  # consecutive lines in one refresh
            if count and y == start + count:
                count += 1
                continue
            if count:
                self.refresh_lines(start, count)
            start, count = y, 1
        if count:
            self.refresh_lines(start, count)

    def repaint(self) -> None:
        """Repaint every line (after the whole span index was reloaded)."""
        self.index.take_dirty()
        self._painted.clear()
        self._remember_active()
        self.notify_style_update()
        self.refresh()

    def set_active_span(self, span_id: str | None) -> None:
        """Highlight the span under the cursor (full label colour)."""
        if span_id == self.active_span:
            return
        old = self._span_columns(self.active_span)
        if old is None:
            # It left the index (an undo, a deletion): its lines are where it was
            # last painted.  Repainting all of them instead cost an undo 17 more lines.
            old = {row: list(ranges) for row, ranges in self._active_columns.items()}
        new = self._span_columns(span_id)
        self.active_span = span_id
        self._active_columns = new or {}
        if new is None:
            self.notify_style_update()
            self.refresh()
        else:
            for row, ranges in new.items():
                old.setdefault(row, []).extend(ranges)
            self._forget(old)
            self._refresh_columns(old)

    def set_related(self, span_ids: Collection[str]) -> None:
        """Mark the spans that take part in a relation; repaint those whose mark changed."""
        ids = frozenset(span_ids)
        if ids == self.related:
            return
        changed = ids ^ self.related
        self.related = ids
        changes = self._columns_of(changed)
        for row in changes:
            self._painted.pop(row, None)
        self._forget(changes)
        self._refresh_columns(changes)

    def set_link(self, source: str | None, candidates: Collection[str] = (),
                 target: str | None = None) -> None:
        """Show a link being picked from ``source`` (``None``: no link any more).

        Entering or leaving changes how every span looks; moving the target only
        the old and the new target.
        """
        new = None if source is None else LinkLook(source, frozenset(candidates), target)
        old = self.link
        if new == old:
            return
        self.link = new
        if old is not None and new is not None and (old.source, old.candidates) == (
                new.source, new.candidates):
            changes = self._columns_of({i for i in (old.target, new.target) if i})
        else:
            changes = {row: [(cs, ce) for cs, ce, _ in runs]
                       for row, runs in self.index.rows.items()}
        self._forget(changes)
        self._refresh_columns(changes)

    def _columns_of(self, span_ids: Iterable[str]) -> Changes:
        """The columns of the placed spans among ``span_ids``, by line."""
        out: Changes = {}
        n = len(self.index.lines.text)
        for sid in span_ids:
            span = self.index.get(sid)
            if span is None or not is_placed(span, n):
                continue
            for row, cs, ce in self.index.runs(span):
                out.setdefault(row, []).append((cs, ce))
        return out

    def _span_columns(self, span_id: str | None) -> Changes | None:
        """The columns where :meth:`get_line` paints ``span_id`` as active.

        ``None`` when that cannot be told from the index (an id it no longer
        holds): the caller then drops every cached line.
        """
        if span_id is None:
            return {}
        span = self.index.get(span_id)
        if span is None:
            return None
        if not is_placed(span, len(self.index.lines.text)):
            return {}
        return {row: [(cs, ce)] for row, cs, ce in self.index.runs(span)}

    def _forget(self, changes: Changes) -> None:
        """Drop the rendered screen lines that show any of ``changes``' columns.

        A screen line is one section of a wrapped document row; only sections
        that reach a changed column go (with the same generous edges as
        :meth:`_touches_selection`).  TextArea's own entries (the cursor and
        selection lines, keyed on the selection) all go, since they may show
        these columns.
        """
        cache = self._line_cache
        wrapped = self.wrapped_document
        info = wrapped._offset_to_line_info
        stale = []
        for key in cache.keys():
            if key[0] != LINE_KEY:
                stale.append(key)
                continue
            row = key[-1]
            ranges = changes.get(row)
            if ranges is None:
                continue
            y = key[-2]
            try:
                line_row, section = info[y]
            except (IndexError, TypeError):
                stale.append(key)
                continue
            if line_row != row:
                stale.append(key)
                continue
            first, last = _section_bounds(wrapped, row, section)
            if any(ce > first and (last is None or cs <= last) for cs, ce in ranges):
                stale.append(key)
        for key in stale:
            cache.discard(key)

    def restyle(self) -> None:
        """Recompute colours from the current theme and repaint everything."""
        background = self.styles.background
        if background.a == 0:
            background = Color.parse(self.app.current_theme.surface or "#1e1e1e")
        self._label_styles = label_colors(self.labels, background)
        self._team_styles = {lb.name: team_style(lb.color, background) for lb in self.labels}
        self._team_styles[""] = team_style(UNKNOWN_LABEL_COLOR, background)
        self._suggestion_styles = {lb.name: suggestion_style(lb.color) for lb in self.labels}
        self._suggestion_styles[""] = suggestion_style(UNKNOWN_LABEL_COLOR)
        kinds: dict[str, Style] = {}
        for kind, name in STYLE_CLASSES.items():
            # Only the component's colour and text style: the span tints own the background.
            full = self.get_component_rich_style(name)
            kinds[kind] = full.without_color + Style(color=full.color)
        self._kind_styles = kinds
        match = self.get_component_rich_style("reader--match")
        self._match_style = match
        # Inside a span: no colour of its own (the span's stays), italic besides, so it
        # reads apart from an overlap of two spans (bold, underlined).
        self._match_text_style = match.without_color + Style(italic=True)
        self._painted.clear()
        self.notify_style_update()
        self.refresh()

    def label_style(self, label: str) -> tuple[Style, Style]:
        styles = self._label_styles.get(label)
        if styles is None:
            background = self.styles.background
            styles = _label_styles(UNKNOWN_LABEL_COLOR, background)
            self._label_styles[label] = styles
        return styles

    # ------------------------------------------------------------ painting
    def _line_key_prefix(self) -> tuple[object, ...]:
        """The part of a cached line's key that is the same for every line of a frame."""
        return (
            LINE_KEY,
            self.size,
            self.scroll_offset.x,
            self.theme,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.soft_wrap,
            self.show_line_numbers,
            self.line_number_start,
            self.read_only,
            self.show_cursor,
            self.suggestion,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        # Read once per frame: each part is a reactive or property read, which
        # adds up over every visible line of every key press.
        self._frame_key = self._line_key_prefix()
        try:
            theme = self._theme
            css = (self.app.theme, id(theme), self._style_updates,
                   tuple(node.styles._cache_key for node in self.ancestors_with_self))
            if theme is not None and css == self._css_applied:
                # TextArea.render_lines applies the CSS to its theme and renders;
                # the CSS has not changed since it last did (same app theme, no
                # style update here or on any ancestor), so only render.
                return super(TextArea, self).render_lines(crop)
            self._css_applied = css
            return super().render_lines(crop)
        finally:
            self._frame_key = None

    def notify_style_update(self) -> None:
        self._style_updates += 1
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """One screen line; lines away from the cursor and selection are reused.

        A screen line shows the cursor or the selection only if its part of its
        document row (the section soft wrap gives it) reaches the selection or
        the cursor (the selection's end).  Every other line renders the same
        whatever the selection (the reader highlights no cursor line and matches
        no brackets): it is cached under TextArea's key without the selection and
        cursor fields.  Lines that do hold them, and any line whose rendering
        this cannot vouch for (no soft wrap, out of the document, the
        placeholder) take TextArea's own path.  The entries live in TextArea's
        ``_line_cache``, so whatever clears that (:meth:`notify_style_update`
        after span, style and theme changes, a rewrap on a resize or a width
        change, a new document) clears them too.  Scrolling needs no clearing:
        the key holds the document line, not the line of the widget.
        """
        if not self.soft_wrap or not self._shown or self.highlight_cursor_line:
            return super().render_line(y)
        scroll_y = self.scroll_offset.y
        absolute_y = scroll_y + y
        wrapped = self.wrapped_document
        try:
            info = wrapped._offset_to_line_info[absolute_y]
        except IndexError:
            info = None
        if info is None or absolute_y < 0:
            return super().render_line(y)
        row, section = info
        if self._touches_selection(wrapped, row, section):
            return super().render_line(y)
        frame = self._frame_key or self._line_key_prefix()  # None outside render_lines
        key = (*frame, absolute_y, row)
        cache = self._line_cache
        line = cache.get(key)
        if line is None:
            line = self._render_line(y)
            cache[key] = line
        return line

    def _touches_selection(self, wrapped: WrappedDocument, row: int, section: int) -> bool:
        """Whether screen section ``section`` of document ``row`` may show the cursor or selection.

        Generous at the edges: a section counts from its first column to the
        first column of the next one inclusive, and the last one to the line's
        end (where the cursor may sit past the last character).
        """
        start, end = self.selection
        top, bottom = (start, end) if start <= end else (end, start)
        if not top[0] <= row <= bottom[0]:
            return False
        first, last = _section_bounds(wrapped, row, section)

        def within(column: int) -> bool:
            return first <= column and (last is None or column <= last)
        if end[0] == row and within(end[1]):
            return True  # the cursor
        if start == end:
            return False
        if not self.document.get_line(row):
            return True  # an empty row in a selection shows a marker (except the cursor's)
        # The selected columns of this row, as [a, b) (b None: to the end).
        a = top[1] if top[0] == row else 0
        b = bottom[1] if bottom[0] == row else None
        if b is not None and b <= first:
            return False
        return last is None or a <= last

    def render_line_uncached(self, y: int) -> Strip:
        """Screen line ``y`` rendered afresh, bypassing every line cache (for tests).

        Neither the rendered-line cache nor the painted-row cache is read or
        written: the row is painted again from the span index and the styles.
        """
        painted = self._painted
        self._painted = {}
        try:
            return self._render_line(y)
        finally:
            self._painted = painted

    def get_line(self, line_index: int) -> Text:
        painted = self._painted.get(line_index)
        if painted is None:
            painted = self._paint(line_index)
            self._painted[line_index] = painted
        line = painted.copy()
        active = self.active_span
        if active is not None:
            for cs, ce, sid in self.index.line_runs(line_index):
                if sid == active:
                    span = self.index.known.get(sid)
                    if span is not None:
                        line.stylize(self.label_style(span.label)[1], cs, ce)
        if self.link is not None:
            self._paint_link(line, self.link, self.index.line_runs(line_index))
        return line

    @staticmethod
    def _paint_link(line: Text, link: LinkLook, runs: Sequence[tuple[int, int, str]]) -> None:
        """The target, the other candidates and the rest, where spans overlap the look of
        the one that matters most (target, candidate, source, other)."""
        if not runs:
            return
        for a, b, cover in elementary_covers(runs):
            if link.target in cover:
                line.stylize(LINK_TARGET, a, b)
            elif not link.candidates.isdisjoint(cover):
                line.stylize(LINK_CANDIDATE, a, b)
            elif link.source not in cover:
                line.stylize(LINK_OTHER, a, b)

    def _paint(self, row: int) -> Text:
        line = Text(self.document.get_line(row), end="", no_wrap=True)
        for cs, ce, kind in self._style_rows.get(row, ()):
            style = self._kind_styles.get(kind)
            if style:
                line.stylize(style, cs, ce)
        team = self.team.rows.get(row) if self.team is not None else None
        if team:
            self._paint_team(line, team)
        suggested = self.suggestions.rows.get(row) if self.suggestions is not None else None
        if suggested:
            self._paint_suggestions(line, suggested)
        runs = self.index.line_runs(row)
        if runs:
            self._paint_spans(line, runs)
            if self.related:
                for cs, ce, sid in runs:
                    if sid in self.related:
                        line.stylize(RELATED, cs, ce)
        found = self._match_rows.get(row)
        if found:
            self._paint_matches(line, found, runs or ())
        return line

    def _paint_team(self, line: Text, runs: list[tuple[int, int, str]]) -> None:
        """Teammates' spans: the innermost one's wash where several overlap."""
        assert self.team is not None
        by_id = self.team.by_id
        styles = self._team_styles
        for a, b, cover in elementary_covers(runs):
            inner = min(cover, key=lambda sid: (by_id[sid].end - by_id[sid].start, sid))
            label = by_id[inner].label
            line.stylize(styles.get(label) or styles.get("") or Style(), a, b)

    def _paint_suggestions(self, line: Text, runs: list[tuple[int, int, tuple[int, int]]]) -> None:
        """Suggestions: the label's colour, italic and underlined (they never overlap)."""
        assert self.suggestions is not None
        by_key = self.suggestions.by_key
        styles = self._suggestion_styles
        for cs, ce, key in runs:
            style = styles.get(by_key[key].label) or styles.get("") or Style()
            line.stylize(style, cs, ce)

    def _paint_matches(self, line: Text, found: list[tuple[int, int]],
                       runs: Sequence[tuple[int, int, str]]) -> None:
        """Matches over the spans: the match's text style everywhere, its colours
        only where no span's colour is."""
        for ms, me in found:
            line.stylize(self._match_text_style, ms, me)
            pos = ms
            for cs, ce, _ in sorted(runs):
                if ce <= pos or cs >= me:
                    continue
                if cs > pos:
                    line.stylize(self._match_style, pos, cs)
                pos = max(pos, ce)
            if pos < me:
                line.stylize(self._match_style, pos, me)

    def _paint_spans(self, line: Text, runs: list[tuple[int, int, str]]) -> None:
        """Innermost (shortest) span's colour on top; overlaps underlined and bold."""
        by_id = self.index.known  # ids from line_runs: loaded
        if len(runs) == 1:
            cs, ce, sid = runs[0]
            line.stylize(self.label_style(by_id[sid].label)[0], cs, ce)
            return
        ordered = sorted(runs)
        if all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
            # No two overlap (the usual case): each in its own colour.
            for cs, ce, sid in ordered:
                line.stylize(self.label_style(by_id[sid].label)[0], cs, ce)
            return
        lengths = {sid: by_id[sid].end - by_id[sid].start for _, _, sid in runs}
        for a, b, cover in elementary_covers(runs):
            inner = min(cover, key=lambda sid: (lengths[sid], sid))
            style = self.label_style(by_id[inner].label)[0]
            if len(cover) > 1:
                style = style + OVERLAP
            line.stylize(style, a, b)

    @property
    def text(self) -> str:
        """The displayed text, without re-joining the document's lines.

        TextArea reads ``text`` for every painted line (to decide whether to show
        a placeholder); joining a 1 MB document there would dominate a key press.
        The reader is read-only, so the string only changes in :meth:`show_article`.
        """
        return self._shown

    @text.setter
    def text(self, value: str) -> None:
        self._shown = value
        self.load_text(value)

    # ------------------------------------------------------------ offsets
    @property
    def cursor_offset(self) -> int:
        return self.lines.to_offset(*self.cursor_location)

    def selection_offsets(self) -> tuple[int, int] | None:
        """The selected ``[start, end)`` as text offsets, or ``None``."""
        start, end = self.selection
        if start == end:
            return None
        a = self.lines.to_offset(*start)
        b = self.lines.to_offset(*end)
        return (a, b) if a < b else (b, a)

    def goto(self, offset: int, *, center: bool = False) -> None:
        self.move_cursor(self.lines.to_location(offset), center=center)

    def select_offsets(self, start: int, end: int) -> None:
        self.selection = Selection(self.lines.to_location(start), self.lines.to_location(end))

    # ------------------------------------------------------------- actions
    def action_word_next(self) -> None:
        self.goto(next_word(self.source_text, self.cursor_offset))

    def action_word_previous(self) -> None:
        self.goto(previous_word(self.source_text, self.cursor_offset))

    def action_paragraph_next(self) -> None:
        self.goto(next_paragraph(self.lines, self.cursor_offset))

    def action_paragraph_previous(self) -> None:
        self.goto(previous_paragraph(self.lines, self.cursor_offset))

    def action_clear_selection(self) -> None:
        if self.selection.is_empty:
            self.post_message(self.NothingToClear())
            return
        self.move_cursor(self.cursor_location)

    def action_select_sentence(self) -> None:
        found = self.sentences.at(self.cursor_offset)
        if found is None:
            self.app.bell()
            return
        self.select_offsets(*found)

    def action_sentence_next(self) -> None:
        """``)``: the start of the next sentence (across lines and paragraphs)."""
        found = self.sentences.next_start(self.cursor_offset)
        if found is None:
            self.app.bell()
            return
        self.goto(found)

    def action_sentence_previous(self) -> None:
        """``(``: the start of this sentence, or of the one before when already there."""
        found = self.sentences.previous_start(self.cursor_offset)
        if found is None:
            self.app.bell()
            return
        self.goto(found)

    def action_extend_word_next(self) -> None:
        """``W``: extend the selection (from the cursor if none) to the end of the next word."""
        self._extend_to(next_word_end(self.source_text, self.cursor_offset))

    def action_extend_word_previous(self) -> None:
        """``B``: move the selection's moving end back to the start of the previous word."""
        self._extend_to(previous_word(self.source_text, self.cursor_offset))

    def action_extend_sentence(self) -> None:
        """``S``: extend the selection by the next whole sentence (select the sentence at
        the cursor when nothing is selected)."""
        selected = self.selection_offsets()
        if selected is None:
            self.action_select_sentence()
            return
        start, end = selected
        found = self.sentences.ending_after(end)
        if found is None:
            self.app.bell()
            return
        self.select_offsets(start, found[1])

    def action_select_paragraph(self) -> None:
        """``P``: select the paragraph (the run of non-blank lines) at the cursor."""
        found = paragraph_at(self.lines, self.cursor_offset)
        if found is None:
            self.app.bell()
            return
        self.select_offsets(*found)

    def _extend_to(self, offset: int) -> None:
        """Move the cursor to ``offset``, keeping the selection's anchor (the cursor's
        old place when nothing was selected)."""
        self.move_cursor(self.lines.to_location(offset), select=True)
