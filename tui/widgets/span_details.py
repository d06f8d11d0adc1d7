"""Details of the span under the cursor: label, who, when, where, note, links.

A Line-API widget: its three lines change with every tag and every move onto
another span, and rendering them as Rich text is about three times cheaper
than a ``Static`` laying out ``Content``.  The text is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from annotations.model import Span
from annotations.suggest.engine import Suggestion
from tui.safe import one_line
from tui.widgets.direct_repaint import DirectRepaint
from tui.widgets.frame_styles import FrameStyles

#: A line: pieces of text with a look ("" plain, "bold", "muted", "warning" or a colour).
Piece = tuple[str, str]

LOOKS = {"muted": "span-details--muted", "warning": "span-details--warning"}


def short_time(stamp: str | None) -> str:
    """``2024-05-01T12:00:00.123456Z`` -> ``2024-05-01 12:00 UTC`` (no local clock)."""
    if not stamp:
        return "?"
    day, _, clock = stamp.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


def detail_lines(span: Span | None, placed: bool = True, color: str = "#999999",
                 links: Sequence[str] = ()) -> tuple[tuple[Piece, ...], ...]:
    """What the details show, as lines of (text, look) pieces; ``links``: the span's
    relations as the span panel words them, listed after the note."""
    if span is None:
        return ((("No span under the cursor. Tab jumps to the next one.", "muted"),),)
    anchor = "orphaned: select its new place and press p, or delete it" if not placed \
        else span.anchor
    head = (
        ("■ ", color),
        (one_line(span.label, 40), "bold"),
        ("  “", ""),
        (one_line(span.text, 50), ""),
        ("”  chars ", "muted"),
        (f"{span.start}–{span.end}", ""),
        ("  anchor ", "muted"),
        (anchor, "warning" if not placed else ""),
    )
    who = (
        ("by ", "muted"),
        (one_line(span.annotator, 40), ""),
        ("  created ", "muted"),
        (short_time(span.created_at), ""),
        ("  updated ", "muted"),
        (short_time(span.updated_at), ""),
    )
    if span.note:
        note: tuple[Piece, ...] = (("note  ", "muted"), (one_line(span.note), ""))
    else:
        note = (("no note (n adds one)", "muted"),)
    if links:
        note += (("  links  ", "muted"), ("  ·  ".join(links), ""))
    return (head, who, note)


def suggestion_lines(suggestion: Suggestion, quote: str,
                     color: str = "#999999") -> tuple[tuple[Piece, ...], ...]:
    """What the details show for the suggestion under the cursor (no span there)."""
    head = (
        ("◇ ", color),
        ("suggested: ", "muted"),
        (one_line(suggestion.label, 40), "bold"),
        ("  “", ""),
        (one_line(quote, 50), ""),
        ("”  chars ", "muted"),
        (f"{suggestion.start}–{suggestion.end}", ""),
    )
    source = (("from ", "muted"), (one_line(suggestion.describe(), 60), ""))
    keys = (("a accepts it, a label key accepts it as that label, r rejects it, "
             "f goes to the next", "muted"),)
    return (head, source, keys)


class SpanDetails(DirectRepaint, FrameStyles, Widget):
    COMPONENT_CLASSES = set(LOOKS.values())  # their look: DEFAULT_CSS

    DEFAULT_CSS = """
    SpanDetails {
        height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;

        & > .span-details--muted {
            color: $text-muted;
        }
        & > .span-details--warning {
            color: $warning;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[tuple[Piece, ...], ...] = detail_lines(None)

    def show_span(self, span: Span | None, placed: bool = True, color: str = "#999999",
                  links: Sequence[str] = ()) -> None:
        self._show(detail_lines(span, placed, color, links))

    def show_suggestion(self, suggestion: Suggestion, quote: str,
                        color: str = "#999999") -> None:
        """The suggestion under the cursor, where there is no span of one's own."""
        self._show(suggestion_lines(suggestion, quote, color))

    def _show(self, lines: tuple[tuple[Piece, ...], ...]) -> None:
        old, self.lines = self.lines, lines
        # Only the lines that changed (moving to another span by the same
        # person often keeps the second and third).
        for y in range(max(len(old), len(lines))):
            if y >= len(old) or y >= len(lines) or old[y] != lines[y]:
                self.refresh(Region(0, y, self.size.width, 1))

    @property
    def plain(self) -> str:
        """The text shown, one line per line (for tests and tools)."""
        return "\n".join("".join(text for text, _ in line) for line in self.lines)

    def _look(self, look: str, base: Style) -> Style:
        if not look:
            return base
        if look == "bold":
            return base + Style(bold=True)
        name = LOOKS.get(look)
        if name is not None:
            return base + self.part_style(name)
        return base + Style(color=look)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.base_style()
        if y >= len(self.lines) or width <= 0:
            return Strip.blank(width, base)
        text = Text.assemble(*((t, self._look(look, base)) for t, look in self.lines[y]),
                             end="", no_wrap=True)
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, base)
