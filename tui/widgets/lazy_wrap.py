"""A wrapped document that wraps the rows on screen first and the rest later.

Textual's :class:`WrappedDocument` wraps every row of the text whenever the
width changes: about 0.37 s for a 1 MB article, and a TextArea wraps once on
load and once more when its vertical scroll bar appears.  :class:`LazyWrap`
keeps the same structures (and so every TextArea and navigator path that reads
them) but fills them in stages:

* :meth:`wrap` (a new text, a new width) is *provisional*: each row that may
  need breaking counts as one screen line with no breaks until it is wrapped
  (rows that surely fit -- empty, or at most half the width with no tab -- are
  final at once);
* :meth:`wrap_rows` and :meth:`wrap_around` wrap some rows now, with Textual's
  own :func:`compute_wrap_offsets`, and lay the screen lines below them out
  again (the rows above keep their screen lines);
* :meth:`compute_some` wraps rows in the background into a side table without
  touching what is shown, and :meth:`finish` swaps the whole result in at once.

The structures are always consistent: a row either has its final breaks or
none, and every y offset agrees with them.  A provisional row is never painted:
the reader wraps the rows it shows before it paints them.  A finished document
is exactly what :meth:`WrappedDocument.wrap` builds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from itertools import repeat
from typing import cast

from textual._wrap import compute_wrap_offsets
from textual.document._document import DocumentBase, Location
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths

#: The breaks of every row that has none (shared: see :meth:`LazyWrap.wrap`).
NO_BREAKS: list[int] = []


class LazyWrap(WrappedDocument):
    """A :class:`WrappedDocument` whose rows are wrapped on demand (see the module)."""

    def __init__(self, document: DocumentBase, width: int = 0, tab_width: int = 4) -> None:
        self._done = bytearray()
        self._computed: dict[int, list[int]] = {}
        self._scan = 0
        self._wrapped = False
        self._info: list[tuple[int, int]] = []
        self._by_row: list[list[int]] = []
        #: the first row whose screen lines are out of date (None: none is), and whether
        #: no row has breaks since the last :meth:`wrap` (each row one line)
        self._stale: int | None = None
        self._fresh = False
        #: the rows that have breaks (the others take one screen line each)
        self._broken: set[int] = set()
        super().__init__(document, width, tab_width)

    # The screen lines are laid out when first read after a change, not at each change:
    # a new text wraps the rows on screen right after its provisional wrap, and would
    # otherwise lay out every row twice (issue 19).
    @property
    def _offset_to_line_info(self) -> list[tuple[int, int]]:
        if self._stale is not None:
            self._flush()
        return self._info

    @_offset_to_line_info.setter
    def _offset_to_line_info(self, value: list[tuple[int, int]]) -> None:
        self._info = value

    @property
    def _line_index_to_offsets(self) -> list[list[int]]:
        if self._stale is not None:
            self._flush()
        return self._by_row

    @_line_index_to_offsets.setter
    def _line_index_to_offsets(self, value: list[list[int]]) -> None:
        self._by_row = value

    def line_info(self, y: int) -> tuple[int, int] | None:
        """``_offset_to_line_info[y]`` (clamped; None: no lines), without laying out when
        that line is up to date or the wrap is fresh."""
        stale = self._stale
        if stale is not None:
            n = len(self._wrap_offsets)
            if self._fresh:
                return (max(0, min(y, n - 1)), 0) if n else None
            info = self._info
            if 0 <= y < len(info) and info[y][0] < stale:
                return info[y]
        info = self._offset_to_line_info
        return info[max(0, min(y, len(info) - 1))] if info else None

    # ------------------------------------------------------------ wrapping
    def wrap(self, width: int, tab_width: int | None = None) -> None:
        """Provisional wrap at ``width``: see the module.  Nothing to do at the width and
        tab width it has (the structures are right for them: a new text is a new
        document, and an edit goes through :meth:`wrap_range`), so a TextArea that asks
        again with the same width costs nothing (issue 19: three wraps per opening)."""
        if self._wrapped and width == self._width and tab_width in (None, 0, self._tab_width):
            return
        self._wrapped = True
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        lines = self.document.lines
        n = len(lines)
        half = width // 2
        # One shared empty list for every row without breaks (no one changes a row's
        # list in place: a row's breaks are replaced), laid out when first read.
        self._wrap_offsets = [NO_BREAKS] * n
        self._tab_width_cache = [None] * n  # type: ignore[list-item]  # computed when asked
        self._info, self._by_row = [], []
        self._stale, self._fresh = 0, True
        if width:
            self._done = bytearray(
                len(line) <= half and "\t" not in line for line in lines)
        else:
            self._done = bytearray(b"\x01") * n
        self._computed = {}
        self._scan = 0
        self._broken = set()

    @property
    def pending(self) -> bool:
        """Whether some row still waits for its breaks."""
        return self._done.find(0) >= 0

    def is_wrapped(self, row: int) -> bool:
        return bool(self._done[row])

    def _breaks(self, row: int) -> list[int]:
        found = self._computed.pop(row, None)
        if found is not None:
            return found
        line = self.document.lines[row]
        sections = get_tab_widths(line, self._tab_width)
        return compute_wrap_offsets(line, self._width, tab_size=self._tab_width,
                                    precomputed_tab_sections=sections)

    def _wrap_one(self, row: int) -> bool:
        """Give ``row`` its breaks (not yet laid out); whether its height changed."""
        if self._done[row]:
            return False
        self._done[row] = 1
        breaks = self._breaks(row)
        if not breaks:
            return False
        self._wrap_offsets[row] = breaks
        self._broken.add(row)
        return True

    def wrap_rows(self, rows: Iterable[int]) -> int | None:
        """Wrap these rows now; the first row whose height changed (None: none did)."""
        changed = [row for row in rows if self._wrap_one(row)]
        if not changed:
            return None
        first = min(changed)
        self._lay_out(first)
        return first

    def wrap_around(self, row: int, before: int, after: int) -> int | None:
        """Wrap from ``row`` on until ``after`` screen lines are final, and back from it
        until ``before`` are; the first row whose height changed (None: none did)."""
        n = len(self._done)
        if not n:
            return None
        row = max(0, min(row, n - 1))
        wraps = self._wrap_offsets
        first: int | None = None
        seen, r = 0, row
        while r < n and seen < after:
            if self._wrap_one(r) and first is None:
                first = r
            seen += len(wraps[r]) + 1
            r += 1
        seen, r = 0, row - 1
        while r >= 0 and seen < before:
            if self._wrap_one(r):
                first = r
            seen += len(wraps[r]) + 1
            r -= 1
        if first is not None:
            self._lay_out(first)
        return first

    def _lay_out(self, first: int) -> None:
        """The screen lines of rows ``first`` on are out of date (laid out when read)."""
        self._fresh = False
        self._stale = first if self._stale is None else min(self._stale, first)

    def _flush(self) -> None:
        """Lay out the screen lines of the rows from the first out-of-date one."""
        first = self._stale
        assert first is not None
        self._stale = None
        by_row, info = self._by_row, self._info
        y = by_row[first][0] if first < len(by_row) else 0
        del by_row[first:]
        del info[y:]
        wraps = self._wrap_offsets
        row = first
        # Only the rows with breaks are visited one by one; each stretch of rows without
        # (most rows: blank, short or waiting) is laid out at once (a 1 MB text's 5,500
        # rows, one at a time: 1.8 ms and 11,000 objects for the collector, issue 19).
        for broken in sorted(r for r in self._broken if r >= first):
            if broken > row:
                by_row.extend([[v] for v in range(y, y + broken - row)])
                info.extend(zip(range(row, broken), repeat(0), strict=False))
                y += broken - row
            k = len(wraps[broken]) + 1
            by_row.append(list(range(y, y + k)))
            info.extend(zip(repeat(broken, k), range(k), strict=False))
            y += k
            row = broken + 1
        n = len(wraps)
        if n > row:
            by_row.extend([[v] for v in range(y, y + n - row)])
            info.extend(zip(range(row, n), repeat(0), strict=False))

    def compute_some(self, seconds: float) -> bool:
        """Compute breaks of waiting rows for about ``seconds`` without changing what is
        shown; True once every row's breaks are known (then call :meth:`finish`)."""
        deadline = time.perf_counter() + seconds
        done = self._done
        computed = self._computed
        lines = self.document.lines
        width, tab = self._width, self._tab_width
        row = done.find(0, self._scan)
        while row >= 0:
            if row not in computed:
                line = lines[row]
                computed[row] = compute_wrap_offsets(
                    line, width, tab_size=tab,
                    precomputed_tab_sections=get_tab_widths(line, tab))
            self._scan = row + 1
            if time.perf_counter() >= deadline:
                return done.find(0, self._scan) < 0
            row = done.find(0, self._scan)
        return True

    def finish(self) -> bool:
        """Give every waiting row its breaks at once (computing what is left); whether
        any screen line moved."""
        if not self.pending:
            return False
        return self.wrap_rows(range(len(self._done))) is not None

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        # An edit (the reader never makes one): everything final first, then Textual's way.
        self.finish()
        super().wrap_range(start, old_end, new_end)
        self._done = bytearray(b"\x01") * self.document.line_count
        self._broken = {row for row, breaks in enumerate(self._wrap_offsets) if breaks}

    # ------------------------------------------------------------ reading
    @property
    def height(self) -> int:
        # WrappedDocument sums every row's sections on each call (TextArea asks per
        # painted line); this is the same number.
        return len(self._offset_to_line_info)

    def get_tab_widths(self, line_index: int) -> list[int]:
        # None (not computed yet) for the rows of a provisional wrap.
        widths = cast("list[int] | None", self._tab_width_cache[line_index])
        if widths is None:
            line = self.document.lines[line_index]
            widths = [w for _, w in get_tab_widths(line, self._tab_width)]
            self._tab_width_cache[line_index] = widths
        return widths
