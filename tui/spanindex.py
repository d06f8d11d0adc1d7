"""The open article's spans, indexed for the reader and the span panel.

* ``ordered``: every live span in text order (the store's order), orphans
  included, for the span panel and for tab / shift+tab.
* ``rows``: line index -> ``[(col_start, col_end, span_id)]`` for the spans
  that sit in the text, so painting a line or finding the span under the
  cursor looks only at that line's spans, never at all of them.

Updates are incremental (one span added, changed or removed), so a key press
on an article with thousands of spans stays cheap.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable

from annotations.model import Span
from annotations.text import LineIndex

SortKey = tuple[int, int, str, str, str]
#: line index -> the ``[col_start, col_end)`` column ranges changed on that line
Changes = dict[int, list[tuple[int, int]]]


def sort_key(span: Span) -> SortKey:
    return (span.start, span.end, span.label, span.annotator, span.id)


def is_placed(span: Span, text_length: int) -> bool:
    """Does the span sit in the text (not orphaned, offsets inside it)?"""
    return span.anchor != "orphaned" and 0 <= span.start < span.end <= text_length


class SpanIndex:
    def __init__(self, lines: LineIndex, spans: Iterable[Span] = ()) -> None:
        self.lines = lines
        self.by_id: dict[str, Span] = {}
        self.ordered: list[SortKey] = []
        self.rows: dict[int, list[tuple[int, int, str]]] = {}
        #: columns of each line touched since the last :meth:`take_dirty` (a span
        #: only changes how the columns it covers are painted)
        self.dirty: Changes = {}
        #: live spans (orphans too) per label: the open article's list-row counts
        self.label_counts: Counter[str] = Counter()
        #: live spans that do not sit in the text (orphaned)
        self.orphan_ids: set[str] = set()
        self.reset(spans)

    # ----------------------------------------------------------- updating
    def reset(self, spans: Iterable[Span]) -> None:
        self.by_id = {}
        self.rows = {}
        self.dirty = {}
        self.orphan_ids = set()
        for span in spans:
            if span.deleted_at is None:
                self.by_id[span.id] = span
                self._place(span)
        self.ordered = sorted(sort_key(s) for s in self.by_id.values())
        self.label_counts = Counter(s.label for s in self.by_id.values())

    def add(self, span: Span) -> None:
        if span.id in self.by_id:
            self.remove(span.id)
        if span.deleted_at is not None:
            return
        self.by_id[span.id] = span
        insort(self.ordered, sort_key(span))
        self.label_counts[span.label] += 1
        self._place(span)

    def remove(self, span_id: str) -> Span | None:
        span = self.by_id.pop(span_id, None)
        if span is None:
            return None
        self.orphan_ids.discard(span_id)
        self.label_counts[span.label] -= 1
        if not self.label_counts[span.label]:
            del self.label_counts[span.label]
        key = sort_key(span)
        i = bisect_left(self.ordered, key)
        if i < len(self.ordered) and self.ordered[i] == key:
            del self.ordered[i]
        if is_placed(span, len(self.lines.text)):
            for row, cs, ce in self.runs(span):
                runs = self.rows.get(row)
                if runs:
                    runs[:] = [r for r in runs if r[2] != span_id]
                    if not runs:
                        del self.rows[row]
                self.dirty.setdefault(row, []).append((cs, ce))
        return span

    def runs(self, span: Span) -> list[tuple[int, int, int]]:
        """``(row, col_start, col_end)`` of each line a placed span covers.

        A span ending at a line's end also covers the line break; its run on
        the next line is then empty (``col_start == col_end == 0``).
        """
        lines = self.lines
        (r0, c0) = lines.to_location(span.start)
        (r1, c1) = lines.to_location(span.end)
        return [
            (row, c0 if row == r0 else 0,
             c1 if row == r1 else lines.line_end(row) - lines.starts[row])
            for row in range(r0, r1 + 1)
        ]

    def _place(self, span: Span) -> None:
        if not is_placed(span, len(self.lines.text)):
            self.orphan_ids.add(span.id)
            return
        for row, cs, ce in self.runs(span):
            if ce > cs:
                self.rows.setdefault(row, []).append((cs, ce, span.id))
            self.dirty.setdefault(row, []).append((cs, ce))

    def take_dirty(self) -> Changes:
        """The columns changed since the last call, by line."""
        dirty, self.dirty = self.dirty, {}
        return dirty

    # ------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self.ordered)

    def span_at_position(self, position: int) -> Span:
        """The span at ``position`` in text order."""
        return self.by_id[self.ordered[position][4]]

    def position_of(self, span_id: str) -> int | None:
        span = self.by_id.get(span_id)
        if span is None:
            return None
        key = sort_key(span)
        i = bisect_left(self.ordered, key)
        return i if i < len(self.ordered) and self.ordered[i] == key else None

    def at(self, offset: int) -> list[Span]:
        """Placed spans containing ``text[offset]``, innermost (shortest) first."""
        row, col = self.lines.to_location(offset)
        found = [
            self.by_id[sid] for cs, ce, sid in self.rows.get(row, ()) if cs <= col < ce
        ]
        found.sort(key=lambda s: (s.end - s.start, s.start, s.id))
        return found

    def placed(self) -> list[Span]:
        n = len(self.lines.text)
        spans = (self.by_id[k[4]] for k in self.ordered)
        return [s for s in spans if is_placed(s, n)]

    def orphans(self) -> list[Span]:
        """Orphaned spans in text order (of their old offsets)."""
        return sorted((self.by_id[i] for i in self.orphan_ids), key=sort_key)

    def neighbour(self, current: str | None, offset: int, step: int) -> Span | None:
        """The next (``step=1``) or previous (``-1``) placed span, wrapping around.

        From ``current`` when given, else from the cursor ``offset``.
        """
        n = len(self.lines.text)
        count = len(self.ordered)
        if not count:
            return None
        pos = self.position_of(current) if current else None
        if pos is None:
            # Pretend to stand just before the first span starting after the
            # cursor (step 1) or just after the last one starting before it.
            if step > 0:
                pos = bisect_left(self.ordered, (offset + 1, -1, "", "", "")) - 1
            else:
                pos = bisect_left(self.ordered, (offset, -1, "", "", ""))
        for k in range(1, count + 1):
            span = self.by_id[self.ordered[(pos + step * k) % count][4]]
            if is_placed(span, n):
                return span
        return None
