"""Progress bars for long CLI runs: rich, on stderr, only on a terminal and only when worth it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

PROGRESS_MIN = 50  # items before a progress bar is worth showing


def progress_bar(total: int) -> Progress:
    """A transient bar on stderr, shown for ``total >= PROGRESS_MIN`` items on a terminal.

    Use ``bar.track(items, total=..., description=...)`` inside ``with``.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=total < PROGRESS_MIN or not console.is_terminal,
    )
