"""The Line-API span lists (span panel, review list): one span per row.

They share a current row, moving it, choosing it (enter, double click),
clicking and scrolling it into view; each subclass says how its rows map to
span ids and defines its own ``Highlighted`` / ``Chosen`` messages (so the
handlers keep their widget's name).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import Any

from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget

from annotations.model import Label
from tui.widgets.direct_repaint import DirectRepaint
from tui.widgets.frame_styles import FrameStyles


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


def refresh_content_lines(view: ScrollView, y_start: int, line_count: int = 1) -> None:
    """``ScrollView.refresh_lines`` over the lines' cells only, not the scroll bar's.

    Textual's spans the widget's width, scroll bar included (``size`` holds it), so
    the bar rendered again with every changed line although it draws only its thumb
    (issue 19: 8 of a tag key press's 30 lines).  The bar repaints itself when the
    thumb moves.
    """
    view.refresh(Region(0, y_start - view.scroll_offset.y,
                        view.scrollable_content_region.width, line_count))


def set_virtual_height(view: ScrollView, height: int, *, repaint: bool = True) -> None:
    """Set ``view``'s virtual height; lay the screen out again only if the scroll bar
    comes or goes.  ``repaint=False``: the caller repaints the lines that changed
    (else, with no layout, every line of ``view`` is).

    Setting ``virtual_size`` lays out the whole screen (the reactive is declared
    with ``layout=True``), and after a tag, or a key typed in the list's
    filter, that layout and the full repaint it brings cost more than
    everything else the key repaints.  While the vertical scroll bar stays (or
    stays away), a new height changes only the bar's thumb and the scroll limit.
    """
    new = Size(0, max(1, height))
    old = view.virtual_size
    if new == old:
        return
    visible = view.container_size.height
    if (
        not visible
        or old.width
        or view.styles.overflow_y != "auto"
        or (old.height > visible) != (new.height > visible)
    ):
        view.virtual_size = new
        return
    view.set_reactive(Widget.virtual_size, new)
    if view.show_vertical_scrollbar:
        view.vertical_scrollbar.window_virtual_size = new.height
    if view.scroll_y > view.max_scroll_y:
        view.scroll_to(y=view.max_scroll_y, animate=False, immediate=True)
    if repaint:
        view.refresh()


class SteadyScrollBar(ScrollBar):
    """A vertical scroll bar that repaints only when what it draws changes.

    A span list's bar gets a new virtual height with every tag and a new
    position with every row it scrolls; over thousands of rows neither moves
    the thumb by an eighth of a cell (the bar's resolution), yet Textual's bar
    repaints for each: 0.3-0.4 ms of a tag key press (issue 19).  Here the
    three values set no repaint by themselves; a change repaints only if
    ``ScrollBarRender.render_bar``, which draws the bar, draws it otherwise.
    Hover, grab, style and size changes repaint as before.
    """

    window_virtual_size: Reactive[int] = Reactive(100, repaint=False)
    window_size: Reactive[int] = Reactive(0, repaint=False)
    position: Reactive[float] = Reactive(0, repaint=False)

    _drawn: list[Any] | None = None

    def _looks(self) -> list[Any]:
        """The bar's cells for the current values (in the default colours)."""
        window = self.window_size if self.window_size < self.window_virtual_size else 0
        return ScrollBarRender.render_bar(
            size=self.size.height, virtual_size=ceil(self.window_virtual_size),
            window_size=ceil(window), position=self.position, thickness=self.thickness,
            vertical=True).segments

    def _repaint_if_moved(self) -> None:
        if self._drawn is None or self._looks() != self._drawn:
            self.refresh()

    def watch_window_virtual_size(self) -> None:
        self._repaint_if_moved()

    def watch_window_size(self) -> None:
        self._repaint_if_moved()

    def watch_position(self) -> None:
        self._repaint_if_moved()

    def render(self) -> Any:
        self._drawn = self._looks()
        return super().render()


class SpanRows(DirectRepaint, FrameStyles, ScrollView, can_focus=True):
    """Base of the span lists: the current row and the keys and mouse around it."""

    DEFAULT_CSS = """
    SpanRows {
        border-top: hkey $border-blurred;

        &:focus {
            border-top: hkey $border;
        }
    }
    """

    Highlighted: Any
    Chosen: Any

    current_id: str | None = None

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_colors = {label.name: label.color for label in labels}
        self.current_id = None

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's property, creating a :class:`SteadyScrollBar` instead."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = SteadyScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    # ------------------------------------------------------ row mapping (subclasses)
    def row_count(self) -> int:
        raise NotImplementedError

    def id_at(self, pos: int) -> str:
        raise NotImplementedError

    def position_of(self, span_id: str) -> int | None:
        raise NotImplementedError

    def accepts(self, span_id: str | None) -> str | None:
        """The id to make current for ``span_id`` (a subclass may refuse unknown ids)."""
        return span_id

    def set_row_count(self, count: int, *, repaint: bool = True) -> None:
        """Set the number of rows (see :func:`set_virtual_height`: no layout while the
        scroll bar stays as it is; ``repaint=False``: the caller repaints what changed)."""
        set_virtual_height(self, count, repaint=repaint)

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        refresh_content_lines(self, y_start, line_count)

    # ----------------------------------------------------------------- current row
    def set_current(self, span_id: str | None) -> None:
        if span_id == self.current_id:
            return
        old = self.position_of(self.current_id) if self.current_id else None
        self.current_id = self.accepts(span_id)
        if old is not None:
            self.refresh_lines(old)
        new = self.position_of(self.current_id) if self.current_id else None
        if new is not None:
            self.refresh_lines(new)
            self._scroll_current_into_view()

    def _scroll_current_into_view(self) -> None:
        scroll_row_into_view(self, self.position_of(self.current_id) if self.current_id else None)

    # --------------------------------------------------------------------- actions
    def action_move(self, step: int) -> None:
        count = self.row_count()
        if not count:
            return
        pos = self.position_of(self.current_id) if self.current_id else None
        pos = (0 if step > 0 else count - 1) if pos is None else max(0, min(count - 1, pos + step))
        span_id = self.id_at(pos)
        self.set_current(span_id)
        self.post_message(self.Highlighted(span_id))

    def action_open(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Chosen(self.current_id))

    def action_leave(self) -> None:
        self.screen.set_focus(self.screen.query_one("#reader"))

    def on_focus(self) -> None:
        if self.current_id is None and self.row_count():
            self.action_move(1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = offset.y + self.scroll_offset.y
        if 0 <= pos < self.row_count():
            span_id = self.id_at(pos)
            self.set_current(span_id)
            self.post_message(self.Highlighted(span_id))
            if event.chain >= 2:
                self.post_message(self.Chosen(span_id))
