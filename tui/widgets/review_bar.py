"""One line at the top of the review screen: who reviews whom, where, how far."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from tui.safe import one_line


class ReviewBar(Static):
    DEFAULT_CSS = """
    ReviewBar {
        height: 1;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show(self, reviewer: str, against: Sequence[str], position: int | None, total: int,
             progress: tuple[int, int] | None) -> None:
        where = f"article {position} of {total}" if position else f"{total} articles to review"
        names = ", ".join(one_line(a, 20) for a in against[:4])
        if len(against) > 4:
            names += f" +{len(against) - 4}"
        if progress is None:
            decided = Content.styled("nothing to compare here", "$text-muted")
        elif progress[1] == 0:
            decided = Content.styled("no disagreements here", "$success")
        else:
            done = progress[0] >= progress[1]
            decided = Content.assemble(
                (f"{progress[0]} of {progress[1]}", "$success" if done else "bold $warning"),
                (" disagreements decided", "$text-muted"),
            )
        self.update(
            Content.assemble(
                (" stancemark review ", "bold reverse"),
                ("  reviewer ", "$text-muted"),
                (one_line(reviewer, 40), "bold"),
                ("  against ", "$text-muted"),
                names,
                ("   ", ""),
                where,
                ("   ", ""),
                decided,
            ),
            layout=False,
        )
