"""A repaint request handed straight to the screen, without a message round trip.

Contract: a widget with :class:`DirectRepaint` paints the same frames as
without it; a plain repaint (``refresh()`` of some of its lines, nothing else
pending) only reaches the screen's set of dirty widgets sooner, at once
instead of through two messages.  Everything else (a layout, a scroll, new
styles, a recompose, callbacks waiting for the widget's idle) takes Textual's
own path.

Why (issue 19, the tag key press): in Textual 8.2 ``Widget.refresh`` posts a
``Prompt`` to the widget itself; once handled, the widget's idle handler posts
an ``Update`` to the screen, which adds the widget to ``_dirty_widgets`` for
the next frame.  A tag repaints the reader, the span panel, the details and
the list row: eight of the press's dispatches, each with its look-up of
handlers along the widget's class hierarchy and an ``Idle`` after it (measured
in one process, alternating presses: 0.5 ms of ~8 ms on a busy machine).  Here
the widget does what that ``Update`` would do (``Screen._on_update``) when it
asks for the repaint.

This reads private attributes of Textual's ``Widget`` and ``Screen`` (there is
no public hook; Textual is pinned below 9 in pyproject.toml);
``tests/test_tui_direct_repaint.py`` checks the fast path is taken, that the
other cases keep Textual's, and that frames stay fresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import NoScreen

# A mixin, not a Widget subclass (as FrameStyles): placed before the widget's base.
if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


class DirectRepaint(_Base):
    """``check_idle`` hands a plain repaint to the screen directly (see the module)."""

    def check_idle(self) -> None:
        if (
            self._repaint_required
            and self._is_mounted
            and not self._closing
            and not self._next_callbacks
            and not (self._layout_required or self._scroll_required
                     or self._refresh_styles_required or self._recompose_required)
        ):
            try:
                screen = self.screen
            except NoScreen:
                screen = None
            # What Widget._check_refresh and Screen._on_update would do, in one step.
            if screen is not None and self.display and screen in screen._compositor:
                self._repaint_required = False
                screen._dirty_widgets.add(self)
                screen.check_idle()
                return
        super().check_idle()
