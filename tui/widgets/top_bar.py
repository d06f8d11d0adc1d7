"""One line at the top: who is annotating, where, and the snapping mode."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..safe import one_line


class TopBar(Static):
    def __init__(self, annotator: str, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.annotator = annotator

    def show(self, position: int | None, total: int, snap_words: bool, done: int) -> None:
        where = f"article {position} of {total}" if position else f"{total} articles"
        self.update(
            Content.assemble(
                (" stancemark ", "bold reverse"),
                ("  annotator ", "$text-muted"),
                (one_line(self.annotator, 60), "bold"),
                ("   ", ""),
                where,
                ("   done ", "$text-muted"),
                f"{done}",
                ("   selection snaps to ", "$text-muted"),
                "whole words" if snap_words else "exact characters",
            ),
            layout=False,
        )
