"""The link bar: two lines over the reader while a link's target is picked.

Hidden until the ``>`` key starts a link; then it shows where the link starts
and which target is picked, and holds the focus, so that only the picking
keys work: its bindings (:data:`tui.keys.LINK_KEYS`, the relation types' own
keys, and ``?``, whose binding is the app's).  Every other key is swallowed
here before any binding of the screen sees it (a label key, delete, undo,
``q``), so nothing else can happen half-way through a link.  Losing the focus
(a click elsewhere) cancels the link.  The text shown is never parsed as
markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from annotations.relation_types import RelationType
from tui import keys as K

#: Keys that go on to the app while picking (the help).
PASS_THROUGH = frozenset({"question_mark", "ctrl+p", "ctrl+q"})


class LinkBar(Static, can_focus=True):
    """What is being linked, and the keys that link it (see the module)."""

    DEFAULT_CSS = """
    LinkBar {
        display: none;
        height: 2;
        padding: 0 1;
        background: $accent 30%;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;

        &.-linking {
            display: block;
        }
    }
    """

    BINDINGS = K.bindings(K.LINK_KEYS)

    @dataclass
    class Left(Message):
        """The bar lost the focus while a link was being picked: the link is cancelled."""

    def __init__(self, types: Sequence[RelationType] = (),
                 keymap: Mapping[str, str] | None = None, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.linking = False
        key_map = self._bindings.key_to_bindings
        for key in K.relation_keys(types):
            for binding in Binding.make_bindings([key.binding()]):
                key_map[binding.key] = [binding]
        #: the keys that work while picking (after the user's remaps), as Textual names them
        self.own_keys = frozenset(
            binding.key
            for key in (*K.LINK_KEYS, *K.relation_keys(types))
            for binding in Binding.make_bindings([key.binding(",".join(K.keys_for(key, keymap)))])
        ) | PASS_THROUGH

    def show_link(self, text: Content) -> None:
        """Start (or update) showing a link being picked, and take the focus."""
        self.update(text)
        if not self.linking:
            self.linking = True
            self.add_class("-linking")
            self.focus()

    def hide(self) -> None:
        self.linking = False
        self.remove_class("-linking")
        self.update("")

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Every key but the bar's own: the screen's bindings for them are out of the chain
        (and out of the footer) while a target is picked."""
        return self.linking and key not in self.own_keys

    def on_key(self, event: events.Key) -> None:
        """Swallow every key but the bar's own and the help's, before a binding sees it."""
        if not self.linking or event.key in self.own_keys:
            return  # a binding of this bar (or the app's help) runs it
        event.stop()
        event.prevent_default()
        self.app.bell()

    def on_blur(self) -> None:
        if self.linking:
            self.post_message(self.Left())
