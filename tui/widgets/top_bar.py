"""One line at the top: who is annotating (and whether teammates' spans show), where,
and the snapping mode."""

from __future__ import annotations

from textual.content import Content

from tui.safe import one_line
from tui.widgets.content_static import ContentStatic


class TopBar(ContentStatic):
    DEFAULT_CSS = """
    TopBar {
        height: 1;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, annotator: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotator = annotator

    def show(self, position: int | None, total: int, snap_words: bool, done: int,
             team: bool = False) -> None:
        """``team``: teammates' spans are shown (the ``T`` toggle)."""
        where = f"article {position} of {total}" if position else f"{total} articles"
        self.show_content(
            Content.assemble(
                (" stancemark ", "bold reverse"),
                ("  annotator ", "$text-muted"),
                (one_line(self.annotator, 60), "bold"),
                ("  + teammates' spans", "bold $accent") if team else "",
                ("   ", ""),
                where,
                ("   done ", "$text-muted"),
                f"{done}",
                ("   snap ", "$text-muted"),
                "words" if snap_words else "characters",
            )
        )
