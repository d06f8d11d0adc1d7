"""The open article's suggestions, indexed for the reader, the span panel and the keys.

* ``ordered``: the suggestions in text order (they never overlap: at most one
  per sentence), with their starts for ``bisect``: the suggestion under the
  cursor, the next and the previous one are a binary search each.
* ``rows``: line index -> ``[(col_start, col_end, key)]``, so the reader paints a
  line from that line's suggestions alone (as :class:`~tui.spanindex.SpanIndex`).
* ``dirty``: the columns changed since the last :meth:`SuggestionIndex.take_dirty`,
  so removing one suggestion repaints only its lines.

A suggestion's key is its ``(start, end)``; its id in the span panel is
:func:`row_id` of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from annotations.suggest.engine import Suggestion
from annotations.text import LineIndex

Key = tuple[int, int]
#: line index -> the ``[col_start, col_end)`` column ranges changed on that line
#: (the same shape as :data:`tui.spanindex.Changes`)
Changes = dict[int, list[tuple[int, int]]]
#: What starts the span panel's id of a suggestion row (span ids are UUIDs).
ROW_PREFIX = "suggestion:"


def row_id(key: Key) -> str:
    return f"{ROW_PREFIX}{key[0]}:{key[1]}"


def key_of(row: str) -> Key | None:
    """The suggestion key of a span panel row id (``None``: the row is a span's)."""
    if not row.startswith(ROW_PREFIX):
        return None
    start, _, end = row[len(ROW_PREFIX):].partition(":")
    return int(start), int(end)


class SuggestionIndex:
    def __init__(self, lines: LineIndex, suggestions: Iterable[Suggestion] = ()) -> None:
        self.lines = lines
        n = len(lines.text)
        self.ordered = sorted((s for s in suggestions if 0 <= s.start < s.end <= n),
                              key=lambda s: s.start)
        self.starts = [s.start for s in self.ordered]
        self.by_key: dict[Key, Suggestion] = {(s.start, s.end): s for s in self.ordered}
        self.rows: dict[int, list[tuple[int, int, Key]]] = {}
        self.dirty: Changes = {}
        for s in self.ordered:
            for row, cs, ce in self.runs(s):
                if ce > cs:
                    self.rows.setdefault(row, []).append((cs, ce, (s.start, s.end)))

    def __len__(self) -> int:
        return len(self.ordered)

    def __bool__(self) -> bool:
        return bool(self.ordered)

    def runs(self, s: Suggestion) -> list[tuple[int, int, int]]:
        """``(row, col_start, col_end)`` of each line the suggestion covers."""
        return self.lines.runs(s.start, s.end)

    # ------------------------------------------------------------ queries
    def at(self, offset: int) -> Suggestion | None:
        """The suggestion holding ``text[offset]``."""
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ordered[i].end:
            return self.ordered[i]
        return None

    def after(self, offset: int) -> Suggestion | None:
        """The first suggestion starting after ``offset``."""
        i = bisect_right(self.starts, offset)
        return self.ordered[i] if i < len(self.ordered) else None

    def before(self, offset: int) -> Suggestion | None:
        """The last suggestion starting before ``offset``."""
        i = bisect_left(self.starts, offset) - 1
        return self.ordered[i] if i >= 0 else None

    def position_of(self, key: Key) -> int | None:
        i = bisect_left(self.starts, key[0])
        if i < len(self.ordered) and (self.ordered[i].start, self.ordered[i].end) == key:
            return i
        return None

    # ----------------------------------------------------------- updating
    def remove(self, key: Key) -> Suggestion | None:
        i = self.position_of(key)
        if i is None:
            return None
        s = self.ordered.pop(i)
        del self.starts[i]
        del self.by_key[key]
        for row, cs, ce in self.runs(s):
            runs = self.rows.get(row)
            if runs:
                runs[:] = [r for r in runs if r[2] != key]
                if not runs:
                    del self.rows[row]
            self.dirty.setdefault(row, []).append((cs, ce))
        return s

    def remove_overlapping(self, start: int, end: int) -> list[Suggestion]:
        """Remove the suggestions sharing a character with ``[start, end)``."""
        gone = []
        i = max(0, bisect_right(self.starts, start) - 1)
        while i < len(self.ordered) and self.ordered[i].start < end:
            s = self.ordered[i]
            if s.end > start:
                self.remove((s.start, s.end))
                gone.append(s)
            else:
                i += 1
        return gone

    def take_dirty(self) -> Changes:
        dirty, self.dirty = self.dirty, {}
        return dirty

    def changes_from(self, old: SuggestionIndex | None) -> Changes:
        """The columns painted differently from ``old`` (``None``: nothing was shown)."""
        out: Changes = {}
        before = old.rows if old is not None else {}
        for row in set(before) | set(self.rows):
            a, b = before.get(row, []), self.rows.get(row, [])
            if a == b and (old is None or all(
                    old.by_key[k].label == self.by_key[k].label for _, _, k in b)):
                continue
            out[row] = [(cs, ce) for cs, ce, _ in a + b]
        return out
