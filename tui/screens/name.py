"""The first screen of a browser tab: what the app is, and who is about to work.

``stancemark serve`` without ``--annotator`` gives every tab this screen:
each person types their name (checked by
:func:`annotations.names.check_annotator`, the same rule as ``--annotator``)
and starts annotating (enter, or the first button) or reviewing teammates'
work (the second button).  The screen dismisses with ``(name, "annotate")``
or ``(name, "review")``; the app opens the screen asked for.  Names already
in the database are offered as completions (right arrow accepts), so a
person keeps the same name from one day to the next; only names the check
accepts are offered (a pack may bring any string).
"""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Static

from annotations.names import MAX_NAME_LENGTH, AnnotatorNameError, check_annotator
from annotations.review import default_against
from annotations.store import Store, StoreError

#: What the person chose to do.
Mode = Literal["annotate", "review"]

ABOUT = (
    "Everyone working here shares one database: each tag is saved, under the name you "
    "give below, the moment you make it."
)


def _usable(name: str) -> bool:
    """Whether ``name`` (from the database: packs bring any) may be offered as a completion."""
    try:
        return check_annotator(name) == name
    except AnnotatorNameError:
        return False


class NameScreen(Screen[tuple[str, Mode]]):
    CSS_PATH = "name.tcss"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        try:
            known = [n for n in self.store.annotators() if _usable(n)]
            count = self.store.count_articles()
        except StoreError:
            known, count = [], 0
        with Vertical(id="name-box"):
            yield Static(Content.styled("stancemark", "bold $accent"), id="name-title",
                         markup=False)
            yield Static(Content("Tag claims, denials and context in news reports."),
                         id="name-subtitle", markup=False)
            yield Static(Content(ABOUT), id="name-about", markup=False)
            yield Static(Content.styled(
                f"{count} article{'' if count == 1 else 's'} in this database.", "$text-muted"),
                id="name-count", markup=False)
            yield Static(Content.styled("Your name", "bold"), id="name-label", markup=False)
            yield Input(placeholder="e.g. Ana Pereira", id="name-input",
                        max_length=MAX_NAME_LENGTH + 8,
                        suggester=SuggestFromList(known, case_sensitive=False))
            yield Static("", id="name-error", markup=False)
            with Horizontal(id="name-buttons"):
                yield Button("Annotate", id="name-annotate", variant="primary")
                yield Button("Review teammates' work", id="name-review")
            yield Static(Content.styled(
                "enter starts annotating · tab reaches the buttons · ctrl+q quits",
                "$text-muted"), id="name-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#name-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start("annotate")

    @on(Button.Pressed, "#name-annotate")
    def _annotate(self, event: Button.Pressed) -> None:
        event.stop()
        self.start("annotate")

    @on(Button.Pressed, "#name-review")
    def _review(self, event: Button.Pressed) -> None:
        event.stop()
        self.start("review")

    def start(self, mode: Mode) -> None:
        """Dismiss with the checked name, or say on the screen what is wrong."""
        try:
            name = check_annotator(self.query_one(Input).value)
        except AnnotatorNameError as e:
            self.show_error(str(e))
            return
        if mode == "review":
            try:
                nobody = not default_against(self.store, name)
            except StoreError as e:
                self.show_error(str(e))
                return
            if nobody:
                self.show_error("Nobody but you has tagged anything yet: nothing to review.")
                return
        self.dismiss((name, mode))

    def show_error(self, message: str) -> None:
        self.query_one("#name-error", Static).update(Content.styled(message, "$error"))
        self.query_one(Input).focus()
