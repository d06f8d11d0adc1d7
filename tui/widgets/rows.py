"""Helpers shared by the Line-API list widgets (one row per line)."""

from __future__ import annotations

from textual.scroll_view import ScrollView


def scroll_row_into_view(view: ScrollView, pos: int | None) -> None:
    """Scroll just enough that row ``pos`` is visible (no animation)."""
    height = view.scrollable_content_region.height
    if pos is None or not height:
        return
    y = view.scroll_offset.y
    if pos < y:
        view.scroll_to(y=pos, animate=False, immediate=True)
    elif pos >= y + height:
        view.scroll_to(y=pos - height + 1, animate=False, immediate=True)
