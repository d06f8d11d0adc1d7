"""The reader: a read-only TextArea that paints markdown styles and spans.

The document shown is :func:`tui.safe.display_text` of the article's plain
text: the same length, so a TextArea location maps 1:1 to a code-point
offset, with control characters made visible.  Styles are painted in the
public :meth:`get_line` hook from per-line run lists (``SpanIndex.rows`` and
the markdown style rows), and each painted line is cached until the spans or
the theme change, so a key press costs a few dictionary look-ups per visible
line however many spans the article holds.

Rendered screen lines are cached too (:meth:`Reader.render_line`): with soft
wrap on, TextArea keys its own line cache on the whole selection, so every
cursor move re-renders every visible line.  The reader re-renders only the
screen lines of the document rows that hold the cursor or the selection; the
others come from TextArea's own cache, under a key without the selection, so
they are dropped by every clear of that cache (spans, styles, theme, wrap,
size, a new document).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, WrappedDocument

from annotations.model import Label, StyleRange

from .. import keys as K
from ..safe import display_text
from ..spanindex import SpanIndex, is_placed
from ..textnav import (
    LineIndex,
    next_paragraph,
    next_word,
    previous_paragraph,
    previous_word,
    sentence_at,
)

#: Markdown style kinds -> component class with their look (see reader.tcss).
STYLE_CLASSES = {
    "heading": "reader--heading",
    "emphasis": "reader--emphasis",
    "strong": "reader--strong",
    "link": "reader--link",
    "quote": "reader--quote",
    "code": "reader--code",
}
#: How much of the label colour goes into a span's background.
SPAN_TINT = 0.5
OVERLAP = Style(underline=True, bold=True)
UNKNOWN_LABEL_COLOR = "#999999"
#: First item of the reader's keys in TextArea's line cache (never a ``Size``, as its own are).
_LINE_KEY = "reader-line"


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


class _WrappedText(WrappedDocument):
    """A wrapped document whose height is summed once per wrap, not once per painted line.

    ``WrappedDocument.height`` adds up every line's wrap count on each call, and
    TextArea asks for it for every line it paints: on a 1 MB article that is most
    of the cost of a key press.  The reader never edits, so the sum only changes
    when the document is wrapped again (a resize).
    """

    _height: int | None = None

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._height = None
        super().wrap(width, tab_width)
        self._height = None

    def wrap_range(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._height = None
        return super().wrap_range(*args, **kwargs)

    @property
    def height(self) -> int:
        if self._height is None:
            self._height = WrappedDocument.height.fget(self)  # type: ignore[attr-defined]
        return self._height


class Reader(TextArea, inherit_bindings=False):
    """Read-only article text with spans painted in their label colours."""

    BINDINGS = K.bindings(K.READER_KEYS)

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | set(STYLE_CLASSES.values())

    _shown = ""

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
        self.cursor_blink = False
        self.match_cursor_bracket = False
        self.labels = list(labels)
        self.source_text = ""
        self._shown = ""
        self.lines = LineIndex("")
        self.index = SpanIndex(self.lines)
        self.active_span: str | None = None
        self._style_rows: dict[int, list[tuple[int, int, str]]] = {}
        self._painted: dict[int, Text] = {}
        self._label_styles: dict[str, tuple[Style, Style]] = {}
        self._kind_styles: dict[str, Style] = {}

    # ------------------------------------------------------------ content
    def show_article(self, text: str, styles: Sequence[StyleRange], index: SpanIndex,
                     cursor: int = 0) -> None:
        """Display ``text`` (sanitised, same length) with its styles and spans."""
        self.source_text = text
        self.lines = index.lines
        self.index = index
        self.active_span = None
        self._style_rows = self._layout_styles(styles)
        self._painted.clear()
        index.take_dirty_rows()
        self._shown = display_text(text)
        self.load_text(self._shown)
        # Same object, same wrap: only its (otherwise per-line) height sum gets cached.
        self.wrapped_document.__class__ = _WrappedText
        self.goto(cursor, center=True)

    def _layout_styles(self, styles: Sequence[StyleRange]) -> dict[int, list[tuple[int, int, str]]]:
        rows: dict[int, list[tuple[int, int, str]]] = {}
        n = len(self.source_text)
        lines = self.lines
        for st in styles:
            if st.kind not in STYLE_CLASSES or not (0 <= st.start < st.end <= n):
                continue
            r0, c0 = lines.to_location(st.start)
            r1, c1 = lines.to_location(st.end)
            for row in range(r0, r1 + 1):
                cs = c0 if row == r0 else 0
                ce = c1 if row == r1 else lines.line_end(row) - lines.starts[row]
                if ce > cs:
                    rows.setdefault(row, []).append((cs, ce, st.kind))
        return rows

    def spans_changed(self) -> None:
        """Repaint the lines whose spans changed (call after updating the index)."""
        dirty = self.index.take_dirty_rows()
        if not dirty:
            return
        for row in dirty:
            self._painted.pop(row, None)
        self._forget_rows(dirty)
        self.refresh()

    def repaint(self) -> None:
        """Repaint every line (after the whole span index was reloaded)."""
        self.index.take_dirty_rows()
        self._painted.clear()
        self.notify_style_update()
        self.refresh()

    def set_active_span(self, span_id: str | None) -> None:
        """Highlight the span under the cursor (full label colour)."""
        if span_id == self.active_span:
            return
        old = self._span_rows(self.active_span)
        new = self._span_rows(span_id)
        self.active_span = span_id
        if old is None or new is None:
            self.notify_style_update()
        else:
            self._forget_rows(old | new)
        self.refresh()

    def _span_rows(self, span_id: str | None) -> set[int] | None:
        """The rows where :meth:`get_line` paints ``span_id`` as active.

        ``None`` when that cannot be told from the index (an id it no longer
        holds): the caller then drops every cached line.
        """
        if span_id is None:
            return set()
        span = self.index.by_id.get(span_id)
        if span is None:
            return None
        lines = self.index.lines
        if not is_placed(span, len(lines.text)):
            return set()
        return set(range(lines.row_of(span.start), lines.row_of(span.end - 1) + 1))

    def _forget_rows(self, rows: set[int]) -> None:
        """Drop the rendered lines of document ``rows`` from TextArea's line cache.

        Only the reader's own entries of other rows survive: TextArea's own
        entries (the cursor and selection rows, keyed on the selection) go too,
        since they may show these rows or an active span that changed.
        """
        cache = self._line_cache
        stale = [key for key in cache.keys() if key[0] != _LINE_KEY or key[4] in rows]
        for key in stale:
            cache.discard(key)

    def restyle(self) -> None:
        """Recompute colours from the current theme and repaint everything."""
        background = self.styles.background
        if background.a == 0:
            background = Color.parse(self.app.current_theme.surface or "#1e1e1e")
        self._label_styles = label_colors(self.labels, background)
        kinds: dict[str, Style] = {}
        for kind, name in STYLE_CLASSES.items():
            # Only the component's colour and text style: the span tints own the background.
            full = self.get_component_rich_style(name)
            kinds[kind] = full.without_color + Style(color=full.color)
        self._kind_styles = kinds
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
    def render_line(self, y: int) -> Strip:
        """One screen line; lines away from the cursor and selection are reused.

        A screen line shows the cursor or the selection only if its document row
        lies between the selection's rows (the cursor is the selection's end), so
        every other line renders the same whatever the selection: it is cached
        under TextArea's key without the selection and cursor fields.  Lines that
        do hold them, and any line whose rendering this cannot vouch for (no
        soft wrap, out of the document, the placeholder) take TextArea's own path.
        The entries live in TextArea's ``_line_cache``, so whatever clears that
        (:meth:`notify_style_update` after span, style and theme changes, a
        rewrap on a resize or a width change, a new document) clears them too.
        Scrolling needs no clearing: the key holds the document line, not the
        line of the widget.
        """
        if not self.soft_wrap or not self._shown:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        wrapped = self.wrapped_document
        if not 0 <= absolute_y < wrapped.height:
            return super().render_line(y)
        try:
            info = wrapped._offset_to_line_info[absolute_y]
        except IndexError:
            info = None
        if info is None:
            return super().render_line(y)
        row = info[0]
        start, end = self.selection
        top, bottom = (start[0], end[0]) if start[0] <= end[0] else (end[0], start[0])
        if top <= row <= bottom:
            return super().render_line(y)
        key = (
            _LINE_KEY,
            self.size,
            scroll_x,
            absolute_y,
            row,
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
        cache = self._line_cache
        line = cache.get(key)
        if line is None:
            line = self._render_line(y)
            cache[key] = line
        return line

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
            for cs, ce, sid in self.index.rows.get(line_index, ()):
                if sid == active:
                    span = self.index.by_id.get(sid)
                    if span is not None:
                        line.stylize(self.label_style(span.label)[1], cs, ce)
        return line

    def _paint(self, row: int) -> Text:
        line = Text(self.document.get_line(row), end="", no_wrap=True)
        for cs, ce, kind in self._style_rows.get(row, ()):
            style = self._kind_styles.get(kind)
            if style:
                line.stylize(style, cs, ce)
        runs = self.index.rows.get(row)
        if runs:
            self._paint_spans(line, runs)
        return line

    def _paint_spans(self, line: Text, runs: list[tuple[int, int, str]]) -> None:
        """Innermost (shortest) span's colour on top; overlaps underlined and bold."""
        by_id = self.index.by_id
        if len(runs) == 1:
            cs, ce, sid = runs[0]
            line.stylize(self.label_style(by_id[sid].label)[0], cs, ce)
            return
        points = sorted({p for cs, ce, _ in runs for p in (cs, ce)})
        lengths = {sid: by_id[sid].end - by_id[sid].start for _, _, sid in runs}
        for a, b in zip(points, points[1:], strict=False):
            cover = [sid for cs, ce, sid in runs if cs <= a and ce >= b]
            if not cover:
                continue
            inner = min(cover, key=lambda sid: (lengths[sid], sid))
            style = self.label_style(by_id[inner].label)[0]
            if len(cover) > 1:
                style = style + OVERLAP
            line.stylize(style, a, b)

    @property  # type: ignore[override]
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
        self.move_cursor(self.cursor_location)

    def action_select_sentence(self) -> None:
        found = sentence_at(self.source_text, self.cursor_offset)
        if found is None:
            self.app.bell()
            return
        self.select_offsets(*found)
