"""The line that says a write is waiting for another process's write lock.

Docked at the top of a tagging screen and hidden until a write waits (see
:meth:`tui.screens.tagging.TaggingScreen.write`); it counts the seconds so the
user sees the screen is alive, says what will be saved and when it gives up.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

WAITING = "waiting for another writer…"


class WriteWait(Static):
    """``waiting for another writer… 3 s: your tag is saved when it finishes (gives up
    at 60 s). Reading and moving go on; edits wait.``"""

    DEFAULT_CSS = """
    WriteWait {
        dock: top;
        height: 1;
        width: 100%;
        display: none;
        background: $warning;
        color: $text;
        padding: 0 1;
        text-style: bold;
    }
    WriteWait.-waiting {
        display: block;
    }
    """

    def show_wait(self, what: str, waited: float, timeout: float) -> None:
        """Show (or update) the line: ``what`` waits, ``waited`` seconds so far."""
        self.update(Content(
            f"{WAITING} {waited:.0f} s: your {what} is saved when it finishes (gives up "
            f"at {timeout:.0f} s). Reading and moving go on; edits wait."))
        self.add_class("-waiting")

    def hide(self) -> None:
        self.remove_class("-waiting")
        self.update(Content(""))
