"""The open article's spans, indexed for the reader and the span panel.

* ``ordered``: every live span in text order (the store's order), orphans
  included, for the span panel and for tab / shift+tab.
* ``rows``: line index -> ``[(col_start, col_end, span_id)]`` for the spans
  that sit in the text, so painting a line or finding the span under the
  cursor looks only at that line's spans, never at all of them.

Updates are incremental (one span added, changed or removed), so a key press
on an article with thousands of spans stays cheap.

An index may start *partial* (:meth:`SpanIndex.partial`, issue 19: reading and
indexing 5,000 spans cost 40-75 ms of a 1 MB article's first frame): it holds
the spans starting in one offset range, which include every span over the text
on screen, plus the store's counts of all of them, and a reader for the rest.
Then painting a line inside that range (:meth:`line_runs`, :meth:`at`), the
count, and the positions of the loaded spans (:meth:`position_of`,
:meth:`span_at_position`, :meth:`get`) are answered from what is loaded;
:meth:`load_more` grows the range a step at a time (the screen calls it in the
background); and anything else -- ``by_id``, ``ordered``, ``rows``,
``label_counts``, ``orphan_ids``, tab, every update, a line or a position
outside the range -- first reads the rest (:meth:`complete`), so no caller
ever sees a partial answer.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotations.model import Span
from annotations.text import LineIndex

SortKey = tuple[int, int, str, str, str]
#: line index -> the ``[col_start, col_end)`` column ranges changed on that line
Changes = dict[int, list[tuple[int, int]]]


def sort_key(span: Span) -> SortKey:
    return (span.start, span.end, span.label, span.annotator, span.id)


#: Reads the live spans starting in ``[first, end)`` (None: no bound), in text order.
SpanReader = Callable[[int | None, int | None], list[Span]]


@dataclass
class _Partial:
    """What a partial index holds: spans starting in ``[low, high)`` (None: no bound)."""

    low: int | None
    high: int | None
    #: the offsets whose lines are fully known (from ``paint_from`` to ``high``)
    paint_from: int
    before: int
    total: int
    orphaned: int
    read: SpanReader
    #: the first spans of the text order when they are not loaded (the span panel's
    #: top rows), by id and in order
    head: dict[str, Span]
    head_keys: list[SortKey]


def is_placed(span: Span, text_length: int) -> bool:
    """Does the span sit in the text (not orphaned, offsets inside it)?"""
    return span.anchor != "orphaned" and 0 <= span.start < span.end <= text_length


class SpanIndex:
    def __init__(self, lines: LineIndex, spans: Iterable[Span] = ()) -> None:
        self.lines = lines
        self._by_id: dict[str, Span] = {}
        self._ordered: list[SortKey] = []
        self._rows: dict[int, list[tuple[int, int, str]]] = {}
        #: columns of each line touched since the last :meth:`take_dirty` (a span
        #: only changes how the columns it covers are painted)
        self.dirty: Changes = {}
        #: live spans (orphans too) per label: the open article's list-row counts
        self._label_counts: Counter[str] = Counter()
        #: live spans that do not sit in the text (orphaned)
        self._orphan_ids: set[str] = set()
        self._partial: _Partial | None = None
        self.reset(spans)

    @classmethod
    def partial(cls, lines: LineIndex, spans: list[Span], *, first: int, end: int,
                before: int, total: int, orphaned: int, paint_from: int,
                read: SpanReader, head: Iterable[Span] = ()) -> SpanIndex:
        """An index of ``spans`` (the live spans starting in ``[first, end)``, which
        must hold every span over ``text[paint_from:end]``), ``before`` of them
        starting before ``first``, ``total`` in all, ``orphaned`` not placed; ``read``
        brings the others when asked (see the module).  ``head``: the first spans in
        text order (those starting before ``first`` among them are only listed, by
        position: the span panel's top rows)."""
        index = cls(lines)
        for span in spans:
            index._take(span)
        index._ordered = sorted(sort_key(s) for s in spans)
        if before or len(index._ordered) != total:
            above = sorted((s for s in head if s.start < first), key=sort_key)
            # ``low`` None: nothing starts below what is loaded.
            index._partial = _Partial(first if before else None, end, paint_from,
                                      before, total, orphaned, read,
                                      {s.id: s for s in above}, [sort_key(s) for s in above])
            if index._partial.low is None:
                index._partial.paint_from = 0
        return index

    # ------------------------------------------------------ the partial state
    @property
    def is_partial(self) -> bool:
        return self._partial is not None

    def complete(self) -> None:
        """Read every span not loaded yet (nothing once complete)."""
        part = self._partial
        if part is None:
            return
        if part.high is not None:
            self._grow_up(part, None)
        if part.low is not None:
            self._grow_down(part, None)
        self._partial = None

    def load_more(self, step: int) -> bool:
        """Load the spans of about ``step`` more characters of starts, after the loaded
        range first, then before it; whether the index is complete now."""
        part = self._partial
        if part is None:
            return True
        if part.high is not None:
            end = part.high + step
            self._grow_up(part, end if end < len(self.lines.text) else None)
        elif part.low is not None:
            first = part.low - step
            self._grow_down(part, first if first > 0 else None)
        if part.high is None and part.low is None:
            self._partial = None
        return self._partial is None

    def _grow_up(self, part: _Partial, end: int | None) -> None:
        found = part.read(part.high, end)
        for span in found:
            self._take(span)
        self._ordered.extend(sorted(sort_key(s) for s in found))
        part.high = end

    def _grow_down(self, part: _Partial, first: int | None) -> None:
        found = part.read(first, part.low)
        for span in found:
            self._take(span)
        self._ordered[:0] = sorted(sort_key(s) for s in found)
        part.before -= len(found)
        part.low = first
        if first is None:
            part.paint_from = 0
            part.head, part.head_keys = {}, []  # loaded now

    def _take(self, span: Span) -> None:
        """Index a span read from the store (none of the index's yet): not dirty, no
        line shows it before it is indexed."""
        self._by_id[span.id] = span
        self._label_counts[span.label] += 1
        self._place(span, dirty=False)

    def _line_known(self, row: int) -> bool:
        part = self._partial
        if part is None:
            return True
        lines = self.lines
        return lines.starts[row] >= part.paint_from and (
            part.high is None or lines.line_end(row) < part.high)

    # ------------------------------------------- the whole index (complete)
    @property
    def by_id(self) -> dict[str, Span]:
        self.complete()
        return self._by_id

    @property
    def ordered(self) -> list[SortKey]:
        self.complete()
        return self._ordered

    @property
    def rows(self) -> dict[int, list[tuple[int, int, str]]]:
        self.complete()
        return self._rows

    @property
    def label_counts(self) -> Counter[str]:
        self.complete()
        return self._label_counts

    @property
    def orphan_ids(self) -> set[str]:
        self.complete()
        return self._orphan_ids

    # ----------------------------------------------------------- updating
    def reset(self, spans: Iterable[Span]) -> None:
        self._partial = None
        self._by_id = {}
        self._rows = {}
        self.dirty = {}
        self._orphan_ids = set()
        for span in spans:
            if span.deleted_at is None:
                self._by_id[span.id] = span
                self._place(span)
        self._ordered = sorted(sort_key(s) for s in self._by_id.values())
        self._label_counts = Counter(s.label for s in self._by_id.values())

    def add(self, span: Span) -> None:
        if span.id in self.by_id:
            self.remove(span.id)
        if span.deleted_at is not None:
            return
        self._by_id[span.id] = span
        insort(self._ordered, sort_key(span))
        self._label_counts[span.label] += 1
        self._place(span)

    def remove(self, span_id: str) -> Span | None:
        self.complete()
        span = self._by_id.pop(span_id, None)
        if span is None:
            return None
        self._orphan_ids.discard(span_id)
        counts = self._label_counts
        counts[span.label] -= 1
        if not counts[span.label]:
            del counts[span.label]
        key = sort_key(span)
        ordered = self._ordered
        i = bisect_left(ordered, key)
        if i < len(ordered) and ordered[i] == key:
            del ordered[i]
        if is_placed(span, len(self.lines.text)):
            for row, cs, ce in self.runs(span):
                runs = self._rows.get(row)
                if runs:
                    runs[:] = [r for r in runs if r[2] != span_id]
                    if not runs:
                        del self._rows[row]
                self.dirty.setdefault(row, []).append((cs, ce))
        return span

    def runs(self, span: Span) -> list[tuple[int, int, int]]:
        """``(row, col_start, col_end)`` of each line a placed span covers.

        A span ending at a line's end also covers the line break; its run on
        the next line is then empty (``col_start == col_end == 0``).
        """
        return self.lines.runs(span.start, span.end)

    def _place(self, span: Span, *, dirty: bool = True) -> None:
        """Put a placed span on its lines (``dirty``: note their columns to repaint:
        not for a new set of spans, which repaints everything anyway)."""
        if not is_placed(span, len(self.lines.text)):
            self._orphan_ids.add(span.id)
            return
        rows = self._rows
        sid = span.id
        lines = self.lines
        (r0, c0) = lines.to_location(span.start)
        if span.end <= lines.line_end(r0):  # the usual span: on one line
            if span.end > span.start:
                rows.setdefault(r0, []).append((c0, c0 + span.end - span.start, sid))
            if dirty:
                self.dirty.setdefault(r0, []).append((c0, c0 + span.end - span.start))
            return
        for row, cs, ce in self.runs(span):
            if ce > cs:
                rows.setdefault(row, []).append((cs, ce, sid))
            if dirty:
                self.dirty.setdefault(row, []).append((cs, ce))

    def take_dirty(self) -> Changes:
        """The columns changed since the last call, by line."""
        dirty, self.dirty = self.dirty, {}
        return dirty

    # ------------------------------------------------------------ queries
    def __len__(self) -> int:
        part = self._partial
        return len(self._ordered) if part is None else part.total

    def has_orphans(self) -> bool:
        part = self._partial
        return bool(self._orphan_ids) if part is None else part.orphaned > 0

    def get(self, span_id: str) -> Span | None:
        """The live span ``span_id``, or None (read from what is loaded when it is there)."""
        span = self._by_id.get(span_id)
        if span is not None or self._partial is None:
            return span
        span = self._partial.head.get(span_id)
        return span if span is not None else self.by_id.get(span_id)

    @property
    def known(self) -> dict[str, Span]:
        """The spans loaded so far, by id: only for ids taken from :meth:`line_runs` or
        :meth:`at` (which are loaded); anything else asks :attr:`by_id`."""
        return self._by_id

    def line_runs(self, row: int) -> list[tuple[int, int, str]] | tuple[()]:
        """``rows[row]`` (``()`` for none), from what is loaded when it holds that line."""
        if not self._line_known(row):
            self.complete()
        return self._rows.get(row, ())

    def id_at_position(self, position: int) -> str:
        """The id of the span at ``position`` in text order (from what is loaded, or the
        head, when it is there; else completing first)."""
        part = self._partial
        if part is not None:
            local = position - part.before
            if 0 <= local < len(self._ordered):
                return self._ordered[local][4]
            if 0 <= position < len(part.head_keys):
                return part.head_keys[position][4]
            self.complete()
        return self._ordered[position][4]

    def span_at_position(self, position: int) -> Span:
        """The span at ``position`` in text order."""
        span_id = self.id_at_position(position)
        part = self._partial
        return self._by_id[span_id] if part is None or span_id in self._by_id \
            else part.head[span_id]

    def position_of(self, span_id: str) -> int | None:
        span = self.get(span_id)
        if span is None:
            return None
        key = sort_key(span)
        part = self._partial
        if part is not None and span_id in part.head:
            return bisect_left(part.head_keys, key)
        ordered = self._ordered
        i = bisect_left(ordered, key)
        if i < len(ordered) and ordered[i] == key:
            return i + (part.before if part is not None else 0)
        return None

    def at(self, offset: int) -> list[Span]:
        """Placed spans containing ``text[offset]``, innermost (shortest) first."""
        row, col = self.lines.to_location(offset)
        by_id = self._by_id
        found = [by_id[sid] for cs, ce, sid in self.line_runs(row) if cs <= col < ce]
        found.sort(key=lambda s: (s.end - s.start, s.start, s.id))
        return found

    def placed(self) -> list[Span]:
        self.complete()
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
        self.complete()
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
