"""A Static that repaints only when what it shows changes."""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.widgets import Static


class ContentStatic(Static):
    """Shows a :class:`Content`; setting the same content again costs nothing.

    After each tag the annotate screen re-sends the header, the top bar and the
    span details.  Most of the time they say the same thing, and a Static
    repaints on every ``update`` (and an auto-height one lays out the whole
    screen).  Only a change of text or style repaints here, and only a change
    in the number of lines lays out again, when the height follows the content.
    """

    AUTO_HEIGHT: ClassVar[bool] = False
    """True when the CSS height is ``auto``: a new line count needs a layout."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._shown: tuple[str, tuple[object, ...]] | None = None

    def show_content(self, content: Content) -> None:
        key = (content.plain, tuple(content.spans))
        if key == self._shown:
            return
        lines_changed = self._shown is None or (
            key[0].count("\n") != self._shown[0].count("\n")
        )
        self._shown = key
        self.update(content, layout=self.AUTO_HEIGHT and lines_changed)
