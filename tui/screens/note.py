"""A small modal to add or edit the note of a span (Enter saves, Escape cancels)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.safe import one_line


class NoteScreen(ModalScreen[str | None]):
    """Calls ``save(note)`` synchronously when Enter is pressed, then closes."""

    CSS_PATH = "note.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note_cancel")]

    def __init__(self, label: str, quote: str, note: str | None,
                 save: Callable[[str], None]) -> None:
        super().__init__()
        self.label = label
        self.quote = quote
        self.note = note or ""
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(
                Content.assemble(
                    ("Note for ", "$text-muted"),
                    (one_line(self.label, 40), "bold"),
                    ("  “", ""),
                    one_line(self.quote, 80),
                    ("”", ""),
                ),
                id="note-title",
                markup=False,
            )
            yield Input(value=self.note, placeholder="Type a note; empty removes it",
                        id="note-input", select_on_focus=False)
            yield Static(Content.styled("enter saves · escape cancels", "$text-muted"),
                         id="note-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save(event.value)
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
