"""A compact footer that never runs past the terminal's width.

Textual's :class:`~textual.widgets.Footer` scrolls its keys sideways when they
do not fit, under a command-palette key docked on the right: at 80 columns
the keys ran under it and the last column showed a stray letter of a hidden
key (``… ^p paletteo``).  This footer shows the keys in their order while
they fit beside the palette key and leaves the rest out, always keeping the
help key (``?`` lists every key) and the palette key.  It lays itself out
again when the terminal is resized.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeGuard

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

#: The action of the key that stays in the footer whatever the width.
PINNED_ACTIONS = frozenset({"help", "app.help"})


class FooterKey(Protocol):
    """What this module reads of Textual's footer keys (their class is private)."""

    key_display: str
    description: str
    action: str

    def has_class(self, *names: str) -> bool: ...


def is_key(widget: Widget) -> TypeGuard[FooterKey]:
    return hasattr(widget, "key_display") and hasattr(widget, "action")


def key_width(key: FooterKey) -> int:
    """The cells a compact footer key takes: ``key description`` and its one-cell margin."""
    width = cell_len(key.key_display)
    if key.description:
        width += 1 + cell_len(key.description)
    return width + 1


def palette_width(key: FooterKey) -> int:
    """The docked palette key: its left border, ``^p palette``, no padding when compact."""
    return 1 + cell_len(key.key_display) + 1 + cell_len(key.description)


def fitting(widgets: Iterable[Widget], width: int) -> list[Widget]:
    """``widgets`` with keys dropped from the end (never a pinned one, never the palette
    key) until they fit in ``width`` cells."""
    items = list(widgets)
    keys = [w for w in items if is_key(w) and not w.has_class("-command-palette")]
    palette = [w for w in items if is_key(w) and w.has_class("-command-palette")]
    room = width - sum(palette_width(p) for p in palette)
    used = sum(key_width(k) for k in keys)
    dropped: set[int] = set()
    for key in reversed(keys):
        if used <= room:
            break
        if key.action in PINNED_ACTIONS:
            continue
        used -= key_width(key)
        dropped.add(id(key))
    return [w for w in items if id(w) not in dropped]


class FittingFooter(Footer):
    """A compact :class:`Footer` whose keys always fit its width (see the module)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(compact=True, id=id)
        self._laid_out_for = 0

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        yield from fitting(super().compose(), width)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
