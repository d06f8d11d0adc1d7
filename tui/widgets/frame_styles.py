"""Styles looked up once per frame by the Line-API widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

# A mixin, not a Widget subclass: a class between a widget and ScrollView in
# the MRO brings Widget's default CSS back (overflow hidden, no scroll bars).
if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class FrameStyles(_Base):
    """Caches ``rich_style`` and component styles while the widget renders its lines.

    ``rich_style`` walks every ancestor's background and
    ``get_component_rich_style`` resolves the CSS again on each call: together
    about 0.1 ms per rendered line of a list, more than the line's own text.
    The styles cannot change in the middle of one ``render_lines``, so each is
    looked up once there; outside it they are looked up afresh.
    """

    _frame_styles: dict[Any, Style] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    def base_style(self) -> Style:
        """The widget's own ``rich_style``."""
        cache = self._frame_styles
        if cache is None:
            return self.rich_style
        style = cache.get(None)
        if style is None:
            style = cache[None] = self.rich_style
        return style

    def part_style(self, name: str, default: Style | None = None) -> Style:
        """``get_component_rich_style(name, default=default)``."""
        cache = self._frame_styles
        if cache is None:
            return self.get_component_rich_style(name, default=default)
        key = (name, default)
        style = cache.get(key)
        if style is None:
            style = cache[key] = self.get_component_rich_style(name, default=default)
        return style
