"""Progress bars for long CLI runs: rich, on stderr, only on a terminal and only when worth it.

A bar's description is shown as plain text (never rich markup) and with the
one set of unsafe characters escaped (:func:`annotations.safety.printable`),
whatever a caller passes: it may one day name a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotations.safety import printable

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

PROGRESS_MIN = 50  # items before a progress bar is worth showing


def progress_bar(total: int) -> Progress:
    """A transient bar on stderr, shown for ``total >= PROGRESS_MIN`` items on a terminal.

    Use ``bar.track(items, total=..., description=...)`` inside ``with``.  (rich is
    imported here: commands that show no bar never load it.)
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    class SafeProgress(Progress):
        """A :class:`rich.progress.Progress` whose task descriptions are made printable."""

        def add_task(self, description: str, *args: Any, **kwargs: Any) -> TaskID:
            return super().add_task(printable(description), *args, **kwargs)

        def update(self, task_id: TaskID, *args: Any, description: str | None = None,
                   **kwargs: Any) -> None:
            super().update(task_id, *args, description=None if description is None else
                           printable(description), **kwargs)

    console = Console(stderr=True)
    return SafeProgress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=total < PROGRESS_MIN or not console.is_terminal,
    )
