"""Merging one pack record (a teammate's spans, relations, statuses) into ours.

Idempotent and order-independent.  Merging is keyed by id.  Of two versions
of one span the one with the greater *version key* wins: ``(updated_at,
tombstoned, canonical JSON)``.  That is a total order, so merging any set of
packs in any order, any number of times, reaches the same database.  A span
id that arrives under another annotator's name, or in another article, is
rejected: nobody's spans change except through their own edits or
tombstones.  When a teammate's text of an article differs from ours, their
spans are re-anchored against our text (``moved``) or marked ``orphaned``;
never shifted silently.  Statuses are keyed by (article, annotator), later
``updated_at`` then further along todo -> in_progress -> done winning.

Times are checked and stored canonical (:class:`annotations.timestamps.Clock`):
a record whose ``created_at`` / ``updated_at`` / ``deleted_at`` is not an RFC
3339 time, or is more than a day ahead of the merging clock, is rejected
with the reason, so ``"~forever"`` cannot win every later merge.  A stored
time that is not acceptable (written before times were checked) counts as
the oldest.

Trust (:mod:`annotations.trust`): a record that would change ours (a new one,
or a newer version) is stored only when its annotator is vouched for;
otherwise it is *refused* and counted by annotator.  A record that changes
nothing is unchanged whoever wrote it.  Every change is logged as an event of
the merge (:func:`annotations.store.events.log_merged`) with its before and
after, so the merge can be undone (:mod:`annotations.store.merges`).

Span writes stay raw SQL: one ``executemany`` of a prepared INSERT per
few thousand spans (:class:`MergeContext` holds the rows of many lines); sqlite-utils' ``insert_all`` takes 2-3x as long for the same rows
(20,000 spans: 130-260 ms against 300-490 ms), and the merge benchmark has
little room.  New ids get a plain INSERT: INSERT OR REPLACE costs about 60 %
more on a large table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.anchoring import TextIndex, context, reanchor
from annotations.articles import MAX_ARTICLE_BYTES
from annotations.model import ANCHORS, STATUSES, Article, Relation
from annotations.store.events import MergedChange, log_merged, log_merged_spans
from annotations.store.reports import MergeReport
from annotations.store.rows import (
    RELATION_COLUMNS,
    RELATION_SELECT,
    SPAN_COLUMNS,
    SPAN_INTO,
    SPAN_SELECT,
    canonical_json,
    span_from_row,
)
from annotations.store.spans import write_relation, write_statuses
from annotations.timestamps import Clock, TimestampError
from annotations.trust import Trust

ID_CHUNK = 500  # pack span ids looked up per query
_SPANS_BY_ID = f"SELECT {SPAN_SELECT} FROM spans WHERE id IN"

#: Held rows (spans, statuses, events) written together once there are this many.
FLUSH_ROWS = 5_000
#: No text is longer than the largest article file, so no offset is larger (an
#: orphaned span keeps offsets into an older text, which was no larger either).
MAX_OFFSET = MAX_ARTICLE_BYTES
_ATTRIBUTES = SPAN_COLUMNS.index("attributes")

_MAX_ROWID = "SELECT coalesce(max(rowid), 0) FROM spans"
_INSERT_STATUS = ("INSERT INTO statuses (article_id, annotator, status, updated_at) "
                  "VALUES (?, ?, ?, ?)")


def _rows_in(c: sqlite3.Connection, select: str, keys: Sequence[str]) -> Iterator[Any]:
    """The rows of ``select`` (ending in ``... IN``) over ``keys``, :data:`ID_CHUNK` keys
    per query."""
    for i in range(0, len(keys), ID_CHUNK):
        chunk = keys[i : i + ID_CHUNK]
        yield from c.execute(f"{select} ({', '.join('?' * len(chunk))})", chunk)


@dataclass
class PendingWrites:
    """Rows of several pack lines held for one write (see :meth:`MergeContext.flush`).

    Each row keeps the place (``file:line``) of the line it came from, so a
    row the database refuses is reported with its line.
    """

    #: New span ids (a plain INSERT: OR REPLACE costs ~60 % more) and newer versions.
    added: list[list[Any]] = field(default_factory=list)
    writes: list[list[Any]] = field(default_factory=list)
    #: ``(span id, before)`` of each span written, for its event.
    logged: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    #: Span id -> where it came from; a line touching one of these ids flushes first.
    spans: dict[str, str] = field(default_factory=dict)
    #: Status rows ``(article_id, annotator, status, updated_at)``, new ones first.
    status_added: list[tuple[str, str, str, str]] = field(default_factory=list)
    status_writes: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: ``(article_id, annotator)`` -> where; an article with pending statuses flushes first.
    statuses: dict[tuple[str, str], str] = field(default_factory=dict)
    status_articles: set[str] = field(default_factory=set)
    #: The places of the lines held, first and last (for a failure no row explains).
    first: str = ""
    last: str = ""

    def size(self) -> int:
        return len(self.logged) + len(self.status_added) + len(self.status_writes)

    def clear(self) -> None:
        for rows in (self.added, self.writes, self.logged, self.status_added,
                     self.status_writes):
            rows.clear()
        self.spans.clear()
        self.statuses.clear()
        self.status_articles.clear()
        self.first = self.last = ""

    def culprit(self, c: sqlite3.Connection) -> str:
        """The line of the first held row that is not stored as written (after a refusal).

        ``executemany`` stops at the refused row and keeps the ones before it,
        so that row is the first whose stored form differs from ours.  Rows
        were held once per id, so each id is one row here.
        """
        for row in (*self.added, *self.writes):
            got = c.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (row[0],)).fetchone()
            if got is None or list(got) != row:
                return self.spans[row[0]]
        for art, who, status, at in (*self.status_added, *self.status_writes):
            got = c.execute("SELECT status, updated_at FROM statuses WHERE article_id = ? AND "
                            "annotator = ?", (art, who)).fetchone()
            if got is None or tuple(got) != (status, at):
                return self.statuses[(art, who)]
        return self.lines()

    def lines(self) -> str:
        """The lines held, as a place for a message."""
        if self.first == self.last:
            return self.first
        return f"{self.first} (or a line after it, up to {self.last})"


@dataclass
class MergeContext:
    """What the lines of one pack share: whose records may change, the clock, the merge's log.

    The writes of many lines are held in :attr:`pending` and written together
    (:meth:`flush`: a few statements per thousands of spans instead of a few
    per line), in the order undo needs: the events of articles, relations and
    statuses held, then the spans and their events, then the statuses.  A line
    whose records depend on held rows (the same span id or article status, or
    relations, whose spans must be stored) flushes first, so every line is
    weighed against what the lines before it stored.  The caller flushes
    before its transaction ends.
    """

    trust: Trust
    clock: Clock = field(default_factory=Clock)
    #: The ``merges`` row every change's event points to.
    merge_id: int = 0
    #: Changes not yet logged (relations, statuses, articles); see :meth:`flush`.
    changes: list[MergedChange] = field(default_factory=list)
    pending: PendingWrites = field(default_factory=PendingWrites)
    #: Where the held row the database refused came from (set by a failed :meth:`flush`).
    failed_at: str | None = None
    #: The stored rows of the span ids of the lines read ahead (:meth:`prefetch`), the
    #: ids looked up, and the ids written since (their rows there are stale).
    known: dict[str, Sequence[Any]] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    #: The same for the statuses of the articles read ahead: article id -> annotator ->
    #: ``(status, updated_at)``, the articles looked up, those whose statuses were written.
    known_statuses: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    statuses_looked_up: set[str] = field(default_factory=set)
    statuses_written: set[str] = field(default_factory=set)

    def prefetch(self, c: sqlite3.Connection, lines: Sequence[dict[str, Any]],
                 articles: Sequence[str] = ()) -> None:
        """Look up the stored spans of the ids of the next ``lines``, a few hundred per query,
        and the stored statuses of their ``articles`` (ids).

        One query per line cost more than a third of a fresh import's lookups
        (2,000 lines: 70 ms against 25 ms), and more on a large database, where
        sorted ids read the index in order.  The statuses likewise: 2,000
        articles with 5,714 stored statuses took 20 ms one query per article,
        7 ms read ahead (CPU).  The lines must be merged next, with no other
        writes to spans or statuses in between (:func:`merge_article_annotations`
        and :func:`merge_statuses` fall back to their own query for what was
        written since).
        """
        self.known_statuses, self.statuses_written = {}, set()
        self.statuses_looked_up = set(articles)
        for art, who, status, at in _rows_in(
                c, "SELECT article_id, annotator, status, updated_at FROM statuses "
                "WHERE article_id IN", sorted(self.statuses_looked_up)):
            self.known_statuses.setdefault(art, {})[who] = (status, at)
        ids: set[str] = set()
        for ann in lines:
            spans = ann.get("spans")
            if isinstance(spans, list):
                ids.update(d["id"] for d in spans
                           if type(d) is dict and type(d.get("id")) is str)
        self.known, self.looked_up, self.written = {}, ids, set()
        self.known = {r[0]: r for r in _rows_in(c, _SPANS_BY_ID, sorted(ids))}

    def hold(self, where: str) -> None:
        """A line's rows are about to be held (for a failure's message)."""
        self.pending.first = self.pending.first or where
        self.pending.last = where

    def flush(self, c: sqlite3.Connection) -> None:
        """Write every held row and its event; a refusal names its line in :attr:`failed_at`."""
        p = self.pending
        rows = False  # an event refused is no line's fault: the lines held are named
        try:
            log_merged(c, self.trust.merged_by, self.merge_id, self.changes)
            self.changes.clear()
            rows = True
            new_rowids = None
            if p.added:
                # New rows take rowids after the largest: when there are as many
                # as rows added, they are exactly those rows (see log_merged_spans).
                low = c.execute(_MAX_ROWID).fetchone()[0]
                c.executemany(f"INSERT {SPAN_INTO}", p.added)
                new_rowids = (low, c.execute(_MAX_ROWID).fetchone()[0])
            if p.writes:
                c.executemany(f"INSERT OR REPLACE {SPAN_INTO}", p.writes)
            rows = False
            log_merged_spans(c, self.trust.merged_by, self.merge_id, p.logged, new_rowids)
            rows = True
            if p.status_added:
                c.executemany(_INSERT_STATUS, p.status_added)
            write_statuses(c, p.status_writes)
        except sqlite3.Error:
            try:
                self.failed_at = p.culprit(c) if rows else p.lines()
            except sqlite3.Error:  # the database cannot even be read: the caller stops
                self.failed_at = p.lines()
            raise
        self.written.update(p.spans)
        self.statuses_written.update(p.status_articles)
        p.clear()


def version_key(row: dict[str, Any], clock: Clock) -> tuple[str, int, str]:
    """Total order over versions of one record: later, then tombstone, then content."""
    return (clock.order_key(row.get("updated_at")), 1 if row.get("deleted_at") else 0,
            canonical_json(row))


def check_times(d: dict[str, Any], clock: Clock, required: Sequence[str],
                optional: Sequence[str] = ("deleted_at",)) -> dict[str, str | None] | str:
    """A record's times in canonical form, or why one of them is refused."""
    times: dict[str, str | None] = {}
    canonical = clock.canonical
    for key in required:
        try:
            times[key] = canonical(d.get(key))
        except TimestampError as e:
            return f"field '{key}': {e}"
    for key in optional:
        value = d.get(key)
        if value is None:
            times[key] = None
            continue
        try:
            times[key] = canonical(value)
        except TimestampError as e:
            return f"field '{key}': {e}"
    return times


_NONE = type(None)
_STR_OR_NONE = frozenset((str, _NONE))
_DICT_OR_NONE = frozenset((dict, _NONE))


def _plainly_valid(d: dict[str, Any]) -> bool:
    """The usual well-formed span, as JSON gives it, in one expression (no message needed).

    ``False`` only means :func:`check_span` must look closer.  This runs for
    every span of every pack: 20 lookups and type tests per span in a loop cost
    about twice as long.
    """
    get = d.get
    i, a, lab, t, s, e = get("id"), get("annotator"), get("label"), get("text"), get("start"), \
        get("end")
    return bool(
        type(i) is str and i and type(a) is str and a and type(lab) is str and lab
        and type(t) is str and t and type(s) is int and type(e) is int
        and 0 <= s < e <= MAX_OFFSET
        and type(get("deleted_at")) in _STR_OR_NONE and type(get("note")) in _STR_OR_NONE
        and type(get("prefix")) in _STR_OR_NONE and type(get("suffix")) in _STR_OR_NONE
        and type(get("attributes")) in _DICT_OR_NONE and get("anchor", "ok") in ANCHORS
    )


def _placed_row(d: dict[str, Any], article_id: str, ours: str,
                clock: Clock) -> list[Any] | None:
    """The stored row of the usual pack span, in ``SPAN_COLUMNS`` order, or ``None``.

    The usual span is well formed (:func:`_plainly_valid`), has canonical
    times within the clock, and stands where it says in our text: it is
    stored as it is, so its row is built here in one pass over the object.
    ``None`` only means :func:`check_span`, :func:`check_times` and
    :func:`incoming_span` must look closer.  This runs for every span of
    every pack; the three calls and the intermediate dict took about twice
    as long.
    """
    get = d.get
    i, a, lab, t, s, e = get("id"), get("annotator"), get("label"), get("text"), get("start"), \
        get("end")
    if not (type(i) is str and i and type(a) is str and a and type(lab) is str and lab
            and type(t) is str and t and type(s) is int and type(e) is int
            and 0 <= s < e <= len(ours) and e <= MAX_OFFSET and len(t) == e - s
            and ours.startswith(t, s)):
        return None
    prefix, suffix, note, attrs = get("prefix"), get("suffix"), get("note"), get("attributes")
    deleted, anchor = get("deleted_at"), get("anchor", "ok")
    if not (type(prefix) in _STR_OR_NONE and type(suffix) in _STR_OR_NONE
            and type(note) in _STR_OR_NONE and type(deleted) in _STR_OR_NONE
            and type(attrs) in _DICT_OR_NONE and anchor in ANCHORS):
        return None
    created, updated = get("created_at"), get("updated_at")
    canonical = clock.canonical
    try:
        if canonical(created) is not created or canonical(updated) is not updated or (
                deleted is not None and canonical(deleted) is not deleted):
            return None
    except TimestampError:
        return None
    return [i, article_id, a, lab, s, e, t, prefix or "", suffix or "", note,
            canonical_json(attrs) if attrs else "{}", created, updated, deleted, anchor]


def check_span(d: Any) -> str | None:
    """Why a pack's span object is malformed, or ``None`` when it is well formed (times apart)."""
    if not isinstance(d, dict):
        return "span is not an object"
    if type(d) is dict and _plainly_valid(d):
        return None
    get = d.get
    for key in ("id", "annotator", "label", "text"):
        value = get(key)
        if not value or not isinstance(value, str):
            return f"span field '{key}' must be a non-empty string"
    for key in ("start", "end"):
        value = get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            return f"span field '{key}' must be an integer"
    if not 0 <= d["start"] < d["end"] <= MAX_OFFSET:
        return f"span offsets {d['start']}..{d['end']} are not a range in a text"
    value = get("deleted_at")
    if value is not None and not isinstance(value, str):
        return "span field 'deleted_at' must be a string or null"
    value = get("note")
    if value is not None and not isinstance(value, str):
        return "span field 'note' must be a string or null"
    for key in ("prefix", "suffix"):
        value = get(key)
        if value is not None and not isinstance(value, str):
            return f"span field '{key}' must be a string"
    if not isinstance(get("attributes") or {}, dict):
        return "span field 'attributes' must be an object"
    if get("anchor", "ok") not in ANCHORS:
        return f"span anchor must be one of {', '.join(ANCHORS)}"
    return None


def incoming_span(
    d: dict[str, Any], article_id: str, text: str, index: TextIndex | None = None,
    times: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The stored form of a teammate's span, placed against *our* text (``times``: canonical)."""
    t = times if times is not None else d
    row = {
        "id": d["id"], "article_id": article_id, "annotator": d["annotator"],
        "label": d["label"], "start": d["start"], "end": d["end"], "text": d["text"],
        "prefix": d.get("prefix") or "", "suffix": d.get("suffix") or "",
        "note": d.get("note"), "attributes": d.get("attributes") or {},
        "created_at": t["created_at"], "updated_at": t["updated_at"],
        "deleted_at": t.get("deleted_at"), "anchor": d.get("anchor") or "ok",
    }
    start, end = row["start"], row["end"]
    if end <= len(text) and text[start:end] == row["text"]:
        return row  # where it was: what reanchor() says first, without the call
    if row["anchor"] == "orphaned":
        return row
    place = reanchor(
        text, row["start"], row["end"], row["text"], row["prefix"], row["suffix"], index
    )
    if place.anchor == "ok":
        return row
    if place.placed:
        row["start"], row["end"] = place.start, place.end
        row["text"] = text[place.start : place.end]
        row["prefix"], row["suffix"] = context(text, place.start, place.end)
        row["anchor"] = "moved"
    else:
        row["anchor"] = "orphaned"
    return row


def merge_article_annotations(
    c: sqlite3.Connection, art: Article, ann: dict[str, Any], source: str, ctx: MergeContext,
    report: MergeReport | None = None, ours: str | None = None,
) -> MergeReport:
    """Merge one pack line's spans / relations / statuses inside the caller's transaction.

    The article must already be stored (our text is what the spans are placed
    against; ``ours``: that text, when the caller has just stored it).  The
    counts go to ``report`` (a new one when ``None``), which is returned.  The
    rows may be held in ``ctx`` with those of the next lines: the caller calls
    :meth:`MergeContext.flush` before its transaction ends.
    """
    report = MergeReport() if report is None else report
    line = ann.get("line")
    where = f"{source}:{line}" if line else source
    if ours is None:
        row = c.execute("SELECT text FROM articles WHERE id = ?", (art.id,)).fetchone()
        if row is None:  # pragma: no cover - the caller inserts the article first
            report.rejected += 1
            report.messages.append(f"{where}: article {art.id!r} is not in the database")
            return report
        ours = row[0]
    differs = ours != art.text
    index = TextIndex(ours)
    if differs:
        report.articles_differing += 1
        report.messages.append(
            f"{where}: article {art.id!r}: the pack's text differs from ours; "
            "its spans were re-anchored against our text"
        )
    items = ann.get("spans") or []
    if not isinstance(items, list):
        report.rejected += 1
        report.messages.append(f"{where}: 'spans' is not a list")
        items = []
    clock, trust = ctx.clock, ctx.trust
    held = ctx.pending.spans
    if held and any(isinstance(d, dict) and d.get("id") in held for d in items):
        ctx.flush(c)  # weighed against what the lines before stored, like every line
    # The stored rows of the pack's span ids, in a few primary-key queries
    # rather than one query per span (or looked up ahead with the next lines:
    # MergeContext.prefetch): ours (this article) and other articles'.
    existing: dict[str, Sequence[Any]] = {}
    elsewhere: dict[str, str] = {}
    ids = list({d["id"] for d in items if isinstance(d, dict) and isinstance(d.get("id"), str)})
    if ctx.looked_up.issuperset(ids) and ctx.written.isdisjoint(ids):
        known = ctx.known
        rows: Iterable[Sequence[Any]] = [known[i] for i in ids if i in known]
    else:
        rows = list(_rows_in(c, _SPANS_BY_ID, ids))
    for r in rows:
        if r[1] == art.id:
            existing[r[0]] = r
        else:
            elsewhere[r[0]] = r[1]
    pend = ctx.pending
    ctx.hold(where)
    allows = trust.allows
    for d in items:
        if type(d) is dict:
            row = _placed_row(d, art.id, ours, clock)
            # A new id, stored as it is: the usual span of a pack, without the detour below.
            if row is not None and row[0] not in existing and row[0] not in elsewhere \
                    and allows(row[2]):
                report.added += 1
                if row[14] != "ok":
                    if row[14] == "orphaned":
                        report.orphaned += 1
                    else:
                        report.moved += 1
                pend.spans[row[0]] = where
                pend.added.append(row)
                existing[row[0]] = row
                pend.logged.append((row[0], None))
                continue
        problem = check_span(d)
        times = check_times(d, clock, ("created_at", "updated_at")) if problem is None else ""
        if isinstance(times, str):
            report.rejected += 1
            sid = d.get("id") if isinstance(d, dict) else None
            report.messages.append(f"{where}: span {sid!r}: {problem or 'span ' + times}")
            continue
        incoming = incoming_span(d, art.id, ours, index, times)
        if incoming["end"] > len(ours) and incoming["anchor"] != "orphaned":
            incoming["anchor"] = "orphaned"
        cur = existing.get(incoming["id"])
        before: dict[str, Any] | None = None
        if cur is None:
            other = elsewhere.get(incoming["id"])
            if other is not None:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to article {other!r}")
                continue
        else:
            current = span_from_row(cur)
            before = {k: getattr(current, k) for k in SPAN_COLUMNS}
            if current.annotator != incoming["annotator"]:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to {current.annotator!r}, "
                    f"not {incoming['annotator']!r}")
                continue
            if version_key(incoming, clock) <= version_key(before, clock):
                report.unchanged += 1
                continue
        if not trust.allows(incoming["annotator"]):
            report.refuse(incoming["annotator"])
            continue
        if cur is None:
            report.added += 1
        else:
            report.updated += 1
        # Count what is stored: the summary's re-anchored figure is the spans this
        # merge stored as moved, whether placed here or already moved in the pack.
        if incoming["anchor"] == "orphaned":
            report.orphaned += 1
        elif incoming["anchor"] == "moved":
            report.moved += 1
        values = [incoming[k] for k in SPAN_COLUMNS]
        attrs = values[_ATTRIBUTES]
        values[_ATTRIBUTES] = canonical_json(attrs) if attrs else "{}"
        if incoming["id"] in pend.spans:
            # The same id twice in one line: store and log the first version first.
            ctx.flush(c)
            ctx.hold(where)
        pend.spans[incoming["id"]] = where
        (pend.added if cur is None else pend.writes).append(values)
        existing[incoming["id"]] = values
        pend.logged.append((incoming["id"], before))
    relations = ann.get("relations") or []
    if relations:  # their spans must be stored: missing_end() reads them
        ctx.flush(c)
        ctx.hold(where)
    merge_relations(c, art.id, relations, report, where, ctx)
    merge_statuses(c, art.id, ann.get("statuses") or [], report, where, ctx)
    if len(ctx.changes) + pend.size() >= FLUSH_ROWS:
        ctx.flush(c)
    return report


def check_relation(d: Any) -> str | None:
    """Why a pack's relation object is malformed, or ``None`` (times apart)."""
    if not isinstance(d, dict):
        return "relation is not an object"
    for key in ("id", "annotator", "label", "from_span", "to_span", "updated_at"):
        value = d.get(key)
        if not value or not isinstance(value, str):
            return f"relation field '{key}' must be a non-empty string"
    if d["from_span"] == d["to_span"]:
        return "a relation cannot link a span to itself"
    for key in ("created_at", "deleted_at"):
        value = d.get(key)
        if value is not None and not isinstance(value, str):
            return f"relation field '{key}' must be a string or null"
    return None


def missing_end(c: sqlite3.Connection, row: dict[str, Any]) -> str | None:
    """Why a relation may not be stored because of its spans (``None``: both are here).

    Both ends must be stored spans (live or tombstoned) of the relation's
    article and annotator once the line's spans are merged, so that no
    relation ever points at a span the database lacks: a pack carries the
    spans of its relations, and one whose span was rejected or refused
    brings its relation nowhere.
    """
    for end in ("from_span", "to_span"):
        found = c.execute("SELECT article_id, annotator FROM spans WHERE id = ?",
                          (row[end],)).fetchone()
        if found is None:
            return f"its span {row[end]!r} is not in the database (nor merged from this pack)"
        if found[0] != row["article_id"]:
            return f"its span {row[end]!r} belongs to article {found[0]!r}"
        if found[1] != row["annotator"]:
            return f"its span {row[end]!r} belongs to {found[1]!r}, not {row['annotator']!r}"
    return None


def merge_relations(c: sqlite3.Connection, article_id: str, items: Any,
                    report: MergeReport, where: str, ctx: MergeContext) -> None:
    """Merge a pack line's relations, after its spans: the same rules as spans (times
    checked, owner only, greater version wins, trust), and both ends must be stored spans
    of the relation's annotator (:func:`missing_end`)."""
    if not isinstance(items, list):
        report.rejected += 1
        report.messages.append(f"{where}: 'relations' is not a list")
        return
    for d in items:
        problem = check_relation(d)
        if problem is not None:
            report.rejected += 1
            rid = d.get("id") if isinstance(d, dict) else None
            report.messages.append(f"{where}: relation {rid!r}: {problem}")
            continue
        times = check_times(dict(d, created_at=d.get("created_at") or d["updated_at"]),
                            ctx.clock, ("created_at", "updated_at"))
        if isinstance(times, str):
            report.rejected += 1
            report.messages.append(f"{where}: relation {d['id']!r}: {times}")
            continue
        row: dict[str, Any] = {k: d.get(k) for k in RELATION_COLUMNS}
        row.update(times, article_id=article_id)
        cur = c.execute(f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?",
                        (row["id"],)).fetchone()
        before: dict[str, Any] | None = None
        if cur is not None:
            before = dict(zip(RELATION_COLUMNS, cur, strict=True))
            if before["annotator"] != row["annotator"]:
                report.rejected += 1
                report.messages.append(f"{where}: relation {row['id']!r} belongs to "
                                       f"{before['annotator']!r}")
                continue
            if before["article_id"] != article_id:
                report.rejected += 1
                report.messages.append(f"{where}: relation {row['id']!r} belongs to article "
                                       f"{before['article_id']!r}")
                continue
            if version_key(row, ctx.clock) <= version_key(before, ctx.clock):
                report.unchanged += 1
                continue
        if not ctx.trust.allows(row["annotator"]):
            report.refuse(row["annotator"])
            continue
        why = missing_end(c, row)
        if why is not None:
            report.rejected += 1
            report.messages.append(f"{where}: relation {row['id']!r}: {why}")
            continue
        if cur is None:
            report.added += 1
        else:
            report.updated += 1
        write_relation(c, Relation(**row))
        ctx.changes.append(("relation.merge", article_id, row["id"], before, row))


def merge_statuses(c: sqlite3.Connection, article_id: str, items: Any,
                   report: MergeReport, where: str, ctx: MergeContext) -> None:
    """Merge a pack line's statuses: later ``updated_at`` wins, then the further status.

    Set-based: the article's stored statuses are read in one query and the
    winners written in one ``executemany`` (a large pack has a few statuses on
    each of 100,000 lines).
    """
    if not isinstance(items, list):
        report.rejected += 1
        report.messages.append(f"{where}: 'statuses' is not a list")
        return
    if not items:
        return
    pend = ctx.pending
    if article_id in pend.status_articles:
        ctx.flush(c)  # the same article's statuses again: weighed against the stored ones
        ctx.hold(where)
    stored: dict[str, tuple[str, str]]
    if article_id in ctx.statuses_looked_up and article_id not in ctx.statuses_written:
        stored = dict(ctx.known_statuses.get(article_id, {}))  # read ahead (prefetch)
    else:
        stored = {who: (status, at) for who, status, at in c.execute(
            "SELECT annotator, status, updated_at FROM statuses WHERE article_id = ?",
            (article_id,))}
    # New rows get a plain INSERT, written first (a later item of the same annotator
    # replaces its row); INSERT OR REPLACE costs about 4x as much.
    for d in items:
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("annotator"), str)
            or not d.get("annotator")
            or d.get("status") not in STATUSES
        ):
            report.rejected += 1
            report.messages.append(f"{where}: malformed status")
            continue
        times = check_times(d, ctx.clock, ("updated_at",), ())
        if isinstance(times, str):
            report.rejected += 1
            report.messages.append(f"{where}: status of {d['annotator']!r}: {times}")
            continue
        who = d["annotator"]
        updated_at = times["updated_at"] or ""
        cur = stored.get(who)
        new_key = (updated_at, STATUSES.index(d["status"]))
        before: dict[str, Any] | None = None
        if cur is not None:
            before = {"article_id": article_id, "annotator": who, "status": cur[0],
                      "updated_at": cur[1]}
            if new_key <= (ctx.clock.order_key(cur[1]), STATUSES.index(cur[0])):
                report.unchanged += 1
                continue
        if not ctx.trust.allows(who):
            report.refuse(who)
            continue
        if cur is None:
            report.added += 1
        else:
            report.updated += 1
        # The same annotator twice in one line: the later item is compared with the
        # earlier one's result, as when each was written before the next was read.
        stored[who] = (d["status"], updated_at)
        row = (article_id, who, d["status"], updated_at)
        (pend.status_writes if cur is not None else pend.status_added).append(row)
        pend.statuses[(article_id, who)] = where
        pend.status_articles.add(article_id)
        after = {"article_id": article_id, "annotator": who, "status": d["status"],
                 "updated_at": times["updated_at"]}
        ctx.changes.append(("status.merge", article_id, who, before, after))

