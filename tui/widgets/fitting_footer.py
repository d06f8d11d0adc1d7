"""A compact footer that never runs past the terminal's width.

Textual's :class:`~textual.widgets.Footer` scrolls its keys sideways when they
do not fit, under a command-palette key docked on the right: at 80 columns
the keys ran under it and the last column showed a stray letter of a hidden
key (``… ^p paletteo``).  This footer shows the keys in their order while
they fit beside the palette key and leaves the rest out, always keeping the
help key (``?`` lists every key) and the palette key.  It lays itself out
again when the terminal is resized.

It also lays itself out again only when what it shows changed.  Textual's
footer rebuilds all of its keys whenever the screen's bindings are updated
(new widgets, their styles, their first render: 30-60 ms), and the bindings
are updated for changes that leave the footer as it was (the suggestions of
an article arriving, the cursor entering a span whose keys are not shown):
that rebuild landed in the first key press after opening a short article.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Protocol, TypeGuard

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
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
        #: :meth:`_shown` when the keys were last composed (None: not yet)
        self._composed: Hashable | None = None

    def _shown(self) -> Hashable:
        """Everything :meth:`compose` reads: the width and each shown binding's key, its
        display, text, action, state and tooltip (the palette key's among them)."""
        return (
            self.size.width or self.app.size.width,
            self.show_command_palette,
            tuple(
                (key, binding.key, self.app.get_key_display(binding), binding.description,
                 binding.action, enabled, tooltip, binding.show, binding.group)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == self.app.COMMAND_PALETTE_BINDING
            ),
        )

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        self._composed = self._shown() if self._bindings_ready else None
        yield from fitting(super().compose(), width)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual's, but the keys are composed again only if what they show changed."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        if self._composed is None or self._shown() != self._composed:
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
