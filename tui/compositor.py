"""A screen compositor that renders only what a partial update can show.

Contract: :class:`OccludingCompositor` produces the same screen lines as
Textual's ``Compositor`` for every update (full or partial); it only calls
``render_lines`` on fewer widgets, over fewer lines.

Why (issue 19, the tag key press): Textual's partial update renders every
widget that overlaps the bounding box of the changed regions, each over its
whole height, then keeps the changed lines.  A tag changes the list row on
the left and the reader, span panel and details on the right, so the box is
the whole screen and all of its 16 widgets render every line (the screen,
three containers that their children hide entirely, the footer, the filter
box, ...): about a third of the press's frame.  Here, widgets are visited front
to back as Textual does (the first to cover a cell wins) and a widget is
rendered only over the changed lines on which some cell of its own is still
uncovered; one whose every such cell a widget in front has already filled is
not rendered at all.  Its lines stay dirty in its own cache until a frame
needs them.

This overrides ``Compositor._render_chops``, a private method (Textual 8.2,
pinned below 9 in pyproject.toml); ``tests/test_tui_compositor.py`` checks the
override against Textual's own on the annotate and review screens.  There is
no public hook for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

#: What an edge chop (see :meth:`OccludingCompositor.render_partial_update`) holds.
_EDGE = Strip([])
_MISSING = object()


class OccludingCompositor(Compositor):
    """Textual's compositor, skipping the widgets (and lines) hidden in an update."""

    #: In a partial update, the chops (cells between two cuts) of each line that the
    #: update sends, by their first column; ``None``: every chop of a rendered line.
    _wanted: dict[int, set[int]] | None = None

    def render_partial_update(self) -> ChopsUpdate | None:
        """Textual's, but only the chops that meet a changed region are composed
        (``ChopsUpdate`` skips the others: an empty chop is not sent).

        A chop that starts exactly where a changed span of its line ends is one
        ``ChopsUpdate`` does not skip, yet sends none of its cells: only the cursor
        move to it.  Such a chop (the scroll bar right of a list's rows, or of the
        reader's lines) gets an empty strip, which sends the same move, instead of
        rendering its widget (issue 19: 9 of a tag's 30 rendered lines).
        """
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        cuts = self.cuts
        wanted: dict[int, set[int]] = {}
        edges: dict[int, set[int]] = {}
        for y, x1, x2 in spans:
            if 0 <= y < len(cuts):
                line = cuts[y]
                overlapping = wanted.setdefault(y, set())
                for start, end in zip(line, line[1:], strict=False):
                    if start < x2 and end > x1:
                        overlapping.add(start)
                    elif start == x2:  # as ChopsUpdate skips a chop: not if start > x2
                        edges.setdefault(y, set()).add(start)
        self._wanted = wanted
        try:
            chops = self._render_chops(crop, wanted.__contains__)
        finally:
            self._wanted = None
        for y, starts in edges.items():
            line_chops = cast("dict[int, Strip | None]", chops[y])
            for start in starts - wanted[y]:
                if line_chops.get(start, _MISSING) is None:
                    line_chops[start] = _EDGE
        return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in cuts])

    def _render_chops(
        self,
        crop: Region,
        is_rendered_line: Callable[[int], bool],
    ) -> Sequence[Mapping[int, Strip]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        wanted = self._wanted
        # The chops of each line still to fill, by their first column.
        todo: list[set[int]] = [
            (set(line) if wanted is None else wanted.get(y, set()))
            if is_rendered_line(y) else set()
            for y, line in enumerate(chops)
        ]
        crop_overlaps = crop.overlaps
        intersection = Region.intersection
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            if not crop_overlaps(clip):
                continue
            x, y, width, height = intersection(region, clip)
            if not (width and height):
                continue
            end = x + width
            needed = [line_y for line_y in range(y, y + height)
                      if any(x <= cut < end for cut in todo[line_y])]
            if not needed:
                continue
            top, bottom = needed[0], needed[-1] + 1
            strips = widget.render_lines(
                Region(x - region.x, top - region.y, width, bottom - top))
            for line_y, strip in zip(range(top, bottom), strips, strict=False):
                left = todo[line_y]
                if not left:
                    continue
                final_cuts = [cut for cut in cuts[line_y] if end >= cut >= x]
                pieces = strip.divide([cut - x for cut in final_cuts[1:]])
                # No piece after the last cut (the widget's right edge).
                for cut, piece in zip(final_cuts, pieces, strict=False):
                    if cut in left:
                        chops[line_y][cut] = piece
                        left.discard(cut)
        return cast("Sequence[Mapping[int, Strip]]", chops)
