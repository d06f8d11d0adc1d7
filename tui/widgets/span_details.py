"""Details of the span under the cursor: label, who, when, where, note."""

from __future__ import annotations

from textual.content import Content

from annotations.model import Span

from ..safe import one_line
from .content_static import ContentStatic


def short_time(stamp: str | None) -> str:
    """``2024-05-01T12:00:00.123456Z`` -> ``2024-05-01 12:00 UTC`` (no local clock)."""
    if not stamp:
        return "?"
    day, _, clock = stamp.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


class SpanDetails(ContentStatic):
    def show_span(self, span: Span | None, placed: bool = True, color: str = "#999999") -> None:
        if span is None:
            self.show_content(
                Content.styled("No span under the cursor. Tab jumps to the next one.",
                               "$text-muted")
            )
            return
        anchor = "orphaned: select its new place and press p, or delete it" if not placed \
            else span.anchor
        head = Content.assemble(
            ("■ ", f"{color}"),
            (one_line(span.label, 40), "bold"),
            ("  “", ""),
            one_line(span.text, 50),
            ("”  chars ", "$text-muted"),
            f"{span.start}–{span.end}",
            ("  anchor ", "$text-muted"),
            (anchor, "$warning" if not placed else ""),
        )
        who = Content.assemble(
            ("by ", "$text-muted"),
            one_line(span.annotator, 40),
            ("  created ", "$text-muted"),
            short_time(span.created_at),
            ("  updated ", "$text-muted"),
            short_time(span.updated_at),
        )
        if span.note:
            note = Content.assemble(("note  ", "$text-muted"), one_line(span.note))
        else:
            note = Content.styled("no note (n adds one)", "$text-muted")
        self.show_content(Content("\n").join([head, who, note]))
