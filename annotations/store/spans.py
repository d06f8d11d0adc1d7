"""Spans, relations and statuses: what a person marks on an article.

Spans belong to their annotator: only they update or delete one, and a
delete is a tombstone (``deleted_at``), kept for merges and undo.

A relation links two live spans of one annotator on one article (``from_span``
-> ``to_span``) and belongs to that annotator too.  Given the relation types
(:mod:`annotations.relation_types`), :func:`add_relation` refuses a link the
types do not allow before writing anything; it refuses a link to the span
itself and a second identical link too.  Deleting a span tombstones its live
relations in the same transaction, as one action (one ``group_id``, so one
undo brings both back).  Relabelling or orphaning a span never drops its
relations: the TUI and the exports flag or skip what no longer fits.  Quote,
prefix and suffix are always cut from the stored text, so ``text[start:end]
== quote`` holds for every span written here.  A write may carry the
``text_sha256`` of the text its caller showed (the TUI's always do): when the
stored text is another one (re-imported by another process since), the write
is refused with :class:`~annotations.store.errors.StaleText` rather than
stored at offsets chosen in the old text.  The check reuses the hash read that
validates the text cache, so the tag path costs nothing more.  Each change is logged in
``events`` in the same transaction (see :mod:`annotations.store.events`).

Writes stay raw SQL: one key press writes a span, an event and maybe a
status with prepared statements, about 3 µs each, where sqlite-utils'
``Table.insert`` spends about 27 µs per row looking the table up (measured),
which the tag benchmark (commit latency, 1.8x of bare sqlite3 against a 2x
target) cannot absorb.  Undo and the merge reuse the same span, relation and
status writes.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from annotations.anchoring import context
from annotations.model import STATUSES, Relation, Span, Status, StatusRecord, now_iso
from annotations.relation_types import RelationType, refusal
from annotations.store.articles import article_text, check_text, require_article
from annotations.store.connection import Connection
from annotations.store.errors import StoreError
from annotations.store.events import log
from annotations.store.rows import (
    RELATION_COLUMNS,
    RELATION_SELECT,
    SPAN_INTO,
    SPAN_SELECT,
    relation_from_row,
    span_dict,
    span_from_row,
    span_values,
)

#: "Leave the note as it is" for :func:`update_span` (``None`` clears it).
UNSET: Any = object()

_WRITE_SPAN = f"INSERT OR REPLACE {SPAN_INTO}"
_WRITE_STATUS = (
    "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
    "VALUES (?, ?, ?, ?)"
)


# -------------------------------------------------------------------- reads
#: Text order of spans, as :func:`tui.spanindex.sort_key` has it: reads in pieces
#: (:func:`spans_starting`) join up with whole reads.
SPAN_ORDER = 'start, "end", label, annotator, id'


def spans(
    cx: Connection,
    article_id: str,
    annotator: str | Sequence[str] | None = None,
    *,
    include_deleted: bool = False,
) -> list[Span]:
    """Spans of one article in text order (optionally of some annotators)."""
    rows = _article_rows(cx, "spans", SPAN_SELECT, article_id, annotator, include_deleted,
                         SPAN_ORDER)
    return [span_from_row(r) for r in rows]


def _article_rows(
    cx: Connection, table: str, columns: str, article_id: str,
    annotator: str | Sequence[str] | None, include_deleted: bool, order: str,
) -> list[Any]:
    """One article's rows of ``spans`` or ``relations``, of one annotator, several or all."""
    sql = f"SELECT {columns} FROM {table} WHERE article_id = ?"
    params: list[Any] = [article_id]
    if isinstance(annotator, str):
        sql += " AND annotator = ?"
        params.append(annotator)
    elif annotator is not None:
        names = list(annotator)
        sql += f" AND annotator IN ({','.join('?' * len(names))})"
        params.extend(names)
    if not include_deleted:
        sql += " AND deleted_at IS NULL"
    return cx.conn.execute(f"{sql} ORDER BY {order}", params).fetchall()


@dataclass(frozen=True)
class SpanWindow:
    """One annotator's live spans of an article around an offset range, and the counts
    of all of them (:func:`span_window`).

    ``spans`` are those starting in ``[first, end)``, in text order: they include
    every span that overlaps the range asked for, and every span starting before
    ``first`` ends at or before that range's start.  ``before`` counts the live
    spans starting before ``first``, ``total`` all live spans, ``orphaned`` those
    that do not sit in a text of the given length.
    """

    spans: list[Span]
    first: int
    end: int
    before: int
    total: int
    orphaned: int


def span_window(cx: Connection, article_id: str, annotator: str, lo: int, hi: int,
                text_length: int) -> SpanWindow:
    """The live spans of ``annotator`` that a reader showing ``text[lo:hi]`` needs
    first, without reading the others (see :class:`SpanWindow`).

    Three statements over the ``spans_article`` index (article, annotator,
    start): aggregates (no rows leave SQLite), a count of the starts before the
    window, and the window's rows.
    """
    where = "article_id = ? AND annotator = ? AND deleted_at IS NULL"
    first, total, orphaned = cx.conn.execute(
        'SELECT MIN(CASE WHEN start < ? AND "end" > ? THEN start END), COUNT(*), '
        "TOTAL(anchor = 'orphaned' OR start < 0 OR start >= \"end\" OR \"end\" > ?) "
        f"FROM spans WHERE {where}",
        (hi, lo, text_length, article_id, annotator)).fetchone()
    first = lo if first is None else min(first, lo)
    before = cx.conn.execute(f"SELECT COUNT(*) FROM spans WHERE {where} AND start < ?",
                             (article_id, annotator, first)).fetchone()[0]
    return SpanWindow(spans_starting(cx, article_id, annotator, first, hi),
                      first, hi, before, total, int(orphaned))


def spans_starting(cx: Connection, article_id: str, annotator: str,
                   first: int | None, end: int | None, limit: int | None = None) -> list[Span]:
    """The live spans of ``annotator`` starting in ``[first, end)`` (None: no bound),
    in text order, the first ``limit`` of them: an index range of ``spans_article``."""
    sql = (f"SELECT {SPAN_SELECT} FROM spans WHERE article_id = ? AND annotator = ? "
           "AND deleted_at IS NULL")
    params: list[Any] = [article_id, annotator]
    if first is not None:
        sql += " AND start >= ?"
        params.append(first)
    if end is not None:
        sql += " AND start < ?"
        params.append(end)
    sql += f" ORDER BY {SPAN_ORDER}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = cx.conn.execute(sql, params)
    return [span_from_row(r) for r in rows]


def get_span(cx: Connection, span_id: str) -> Span | None:
    row = cx.conn.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (span_id,)).fetchone()
    return span_from_row(row) if row else None


def annotator_spans(cx: Connection, annotator: str, *, include_deleted: bool = False) -> list[Span]:
    """Every span of one person (per-annotator query)."""
    sql = f"SELECT {SPAN_SELECT} FROM spans WHERE annotator = ?"
    if not include_deleted:
        sql += " AND deleted_at IS NULL"
    sql += ' ORDER BY article_id, start, "end", label, id'
    return [span_from_row(r) for r in cx.conn.execute(sql, (annotator,))]


def orphaned_spans(cx: Connection, annotator: str, article_id: str | None = None) -> list[Span]:
    sql = f"SELECT {SPAN_SELECT} FROM spans WHERE annotator = ? AND anchor = 'orphaned' "
    sql += "AND deleted_at IS NULL"
    params: list[Any] = [annotator]
    if article_id:
        sql += " AND article_id = ?"
        params.append(article_id)
    sql += " ORDER BY article_id, start"
    return [span_from_row(r) for r in cx.conn.execute(sql, params)]


def articles_with_spans(cx: Connection, annotators: Sequence[str]) -> set[str]:
    """Ids of the articles where any of these annotators has a live span."""
    names = list(annotators)
    if not names:
        return set()
    rows = cx.conn.execute(
        f"SELECT DISTINCT article_id FROM spans WHERE annotator IN "
        f"({','.join('?' * len(names))}) AND deleted_at IS NULL",
        names,
    )
    return {r[0] for r in rows}


def annotators(cx: Connection) -> list[str]:
    rows = cx.conn.execute(
        "SELECT annotator FROM spans UNION SELECT annotator FROM statuses ORDER BY 1"
    )
    return [r[0] for r in rows]


# ------------------------------------------------------------------- writes
def write_span(c: sqlite3.Connection, span: Span) -> None:
    """Store ``span`` as it is (insert or replace by id) inside the caller's transaction."""
    c.execute(_WRITE_SPAN, span_values(span))


def check_range(text: str, start: int, end: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int)):
        raise StoreError("span offsets must be integers")
    if not (0 <= start < end <= len(text)):
        raise StoreError(f"span {start}..{end} is outside the text (length {len(text)})")


def own_span(c: sqlite3.Connection, span_id: str, annotator: str) -> Span:
    """The live span ``span_id``, refused unless ``annotator`` wrote it."""
    row = c.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (span_id,)).fetchone()
    if row is None:
        raise StoreError(f"no span with id {span_id!r}")
    span = span_from_row(row)
    if span.annotator != annotator:
        raise StoreError(f"span {span_id} belongs to {span.annotator!r}, not {annotator!r}")
    if span.deleted_at is not None:
        raise StoreError(f"span {span_id} is deleted")
    return span


def add_span(
    cx: Connection,
    article_id: str,
    annotator: str,
    label: str,
    start: int,
    end: int,
    *,
    note: str | None = None,
    attributes: dict[str, Any] | None = None,
    actor: str | None = None,
    span_id: str | None = None,
    text_sha256: str | None = None,
) -> Span:
    """Tag ``text[start:end]``; committed on return (refused if the text is not
    ``text_sha256``)."""
    with cx.tx() as c:
        return insert_span(cx, c, article_id, annotator, label, start, end, note=note,
                           attributes=attributes, actor=actor, span_id=span_id,
                           text_sha256=text_sha256)


def insert_span(
    cx: Connection,
    c: sqlite3.Connection,
    article_id: str,
    annotator: str,
    label: str,
    start: int,
    end: int,
    *,
    note: str | None = None,
    attributes: dict[str, Any] | None = None,
    actor: str | None = None,
    span_id: str | None = None,
    group_id: str | None = None,
    text_sha256: str | None = None,
) -> Span:
    """:func:`add_span` inside the caller's transaction (``group_id``: see ``events``)."""
    if not label:
        raise StoreError("a span needs a label")
    if not annotator:
        raise StoreError("a span needs an annotator")
    text = article_text(cx, c, article_id, text_sha256)
    check_range(text, start, end)
    prefix, suffix = context(text, start, end)
    now = now_iso()
    span = Span(
        id=span_id or str(uuid.uuid4()),
        article_id=article_id,
        annotator=annotator,
        label=label,
        start=start,
        end=end,
        text=text[start:end],
        prefix=prefix,
        suffix=suffix,
        note=note,
        attributes=dict(attributes or {}),
        created_at=now,
        updated_at=now,
    )
    write_span(c, span)
    touch_status(c, article_id, annotator)
    log(c, actor or annotator, "span.add", article_id, span.id, None, span_dict(span),
        group_id=group_id)
    return span


def update_span(
    cx: Connection,
    span_id: str,
    annotator: str,
    *,
    label: str | None = None,
    start: int | None = None,
    end: int | None = None,
    note: str | None = UNSET,
    attributes: dict[str, Any] | None = None,
    actor: str | None = None,
    text_sha256: str | None = None,
) -> Span:
    """Relabel, move, annotate; only the span's own annotator may (refused if the
    article's text is not ``text_sha256``)."""
    with cx.tx() as c:
        old = own_span(c, span_id, annotator)
        moving = start is not None or end is not None
        if not moving:
            check_text(c, old.article_id, text_sha256)
        new = Span(**asdict(old))
        if label is not None:
            new.label = label
        if note is not UNSET:
            new.note = note or None
        if attributes is not None:
            new.attributes = dict(attributes)
        if moving:
            text = article_text(cx, c, old.article_id, text_sha256)
            s = old.start if start is None else start
            e = old.end if end is None else end
            check_range(text, s, e)
            new.start, new.end, new.text = s, e, text[s:e]
            new.prefix, new.suffix = context(text, s, e)
            new.anchor = "ok"
        if asdict(new) == asdict(old):
            return old
        new.updated_at = now_iso()
        write_span(c, new)
        log(c, actor or annotator, "span.update", old.article_id, span_id, asdict(old),
            asdict(new))
    return new


def delete_span(cx: Connection, span_id: str, annotator: str, *, actor: str | None = None,
                text_sha256: str | None = None) -> Span:
    """Tombstone a span and its live relations, as one action (kept for merges and undo;
    refused if the article's text is not ``text_sha256``)."""
    with cx.tx() as c:
        old = own_span(c, span_id, annotator)
        check_text(c, old.article_id, text_sha256)
        linked = [relation_from_row(r) for r in c.execute(
            f"SELECT {RELATION_SELECT} FROM relations WHERE article_id = ? AND annotator = ? "
            "AND deleted_at IS NULL AND (from_span = ? OR to_span = ?) ORDER BY id",
            (old.article_id, annotator, span_id, span_id))]
        group = str(uuid.uuid4()) if linked else None
        new = Span(**asdict(old))
        new.deleted_at = new.updated_at = now_iso()
        write_span(c, new)
        log(c, actor or annotator, "span.delete", old.article_id, span_id, asdict(old),
            asdict(new), group_id=group)
        for rel in linked:
            _tombstone_relation(c, rel, actor or annotator, group, new.deleted_at)
    return new


# ----------------------------------------------------------------- statuses
def write_status(c: sqlite3.Connection, article_id: str, annotator: str, status: str,
                 updated_at: str) -> None:
    c.execute(_WRITE_STATUS, (article_id, annotator, status, updated_at))


def write_statuses(c: sqlite3.Connection, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """Write ``(article_id, annotator, status, updated_at)`` rows, in order, in one statement."""
    if rows:
        c.executemany(_WRITE_STATUS, rows)


def touch_status(c: sqlite3.Connection, article_id: str, annotator: str) -> None:
    """First tag on a todo article makes it in_progress (not an undoable action)."""
    row = c.execute(
        "SELECT status FROM statuses WHERE article_id = ? AND annotator = ?",
        (article_id, annotator),
    ).fetchone()
    if row is None or row[0] == "todo":
        write_status(c, article_id, annotator, "in_progress", now_iso())


def status(cx: Connection, article_id: str, annotator: str) -> Status:
    row = cx.conn.execute(
        "SELECT status FROM statuses WHERE article_id = ? AND annotator = ?",
        (article_id, annotator),
    ).fetchone()
    return row[0] if row else "todo"


def statuses(cx: Connection, article_id: str | None = None) -> list[StatusRecord]:
    sql = "SELECT article_id, annotator, status, updated_at FROM statuses"
    params: tuple[Any, ...] = ()
    if article_id is not None:
        sql += " WHERE article_id = ?"
        params = (article_id,)
    sql += " ORDER BY article_id, annotator"
    return [StatusRecord(*r) for r in cx.conn.execute(sql, params)]


def set_status(
    cx: Connection, article_id: str, annotator: str, status: Status, *, actor: str | None = None
) -> None:
    if status not in STATUSES:  # callers may pass what a user typed
        raise StoreError(f"unknown status {status!r} (todo, in_progress, done)")
    with cx.tx() as c:
        require_article(c, article_id)
        row = c.execute(
            "SELECT status, updated_at FROM statuses WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        before = {"article_id": article_id, "annotator": annotator,
                  "status": row[0] if row else "todo"}
        if row and row[0] == status:
            return
        write_status(c, article_id, annotator, status, now_iso())
        after = dict(before, status=status)
        log(c, actor or annotator, "status.set", article_id, annotator, before, after)


# ---------------------------------------------------------------- relations
def write_relation(c: sqlite3.Connection, rel: Relation) -> None:
    """Store ``rel`` as it is (insert or replace by id) inside the caller's transaction."""
    d = vars(rel)
    c.execute(
        f"INSERT OR REPLACE INTO relations ({RELATION_SELECT}) "
        f"VALUES ({', '.join('?' * len(RELATION_COLUMNS))})",
        [d[k] for k in RELATION_COLUMNS],
    )


def _tombstone_relation(c: sqlite3.Connection, rel: Relation, actor: str,
                        group_id: str | None, at: str | None = None) -> Relation:
    new = Relation(**asdict(rel))
    new.deleted_at = new.updated_at = at or now_iso()
    write_relation(c, new)
    log(c, actor, "relation.delete", rel.article_id, rel.id, asdict(rel), asdict(new),
        group_id=group_id)
    return new


def insert_relation(
    c: sqlite3.Connection,
    article_id: str,
    annotator: str,
    label: str,
    from_span: str,
    to_span: str,
    *,
    types: Sequence[RelationType] | None = None,
    actor: str | None = None,
    relation_id: str | None = None,
    group_id: str | None = None,
) -> Relation:
    """:func:`add_relation` inside the caller's transaction."""
    if not label:
        raise StoreError("a relation needs a type")
    if from_span == to_span:
        raise StoreError("a span cannot be linked to itself")
    ends = []
    for sid in (from_span, to_span):
        s = own_span(c, sid, annotator)
        if s.article_id != article_id:
            raise StoreError(f"span {sid} is not in article {article_id!r}")
        ends.append(s)
    if types is not None:
        why = refusal(types, label, ends[0].label, ends[1].label)
        if why is not None:
            raise StoreError(f"link refused: {why}")
    same = c.execute(
        "SELECT 1 FROM relations WHERE article_id = ? AND annotator = ? AND label = ? "
        "AND from_span = ? AND to_span = ? AND deleted_at IS NULL",
        (article_id, annotator, label, from_span, to_span)).fetchone()
    if same is not None:
        raise StoreError(f"these spans are already linked ({label})")
    now = now_iso()
    rel = Relation(relation_id or str(uuid.uuid4()), article_id, annotator, label, from_span,
                   to_span, now, now)
    write_relation(c, rel)
    log(c, actor or annotator, "relation.add", article_id, rel.id, None, asdict(rel),
        group_id=group_id)
    return rel


def add_relation(
    cx: Connection,
    article_id: str,
    annotator: str,
    label: str,
    from_span: str,
    to_span: str,
    *,
    types: Sequence[RelationType] | None = None,
    actor: str | None = None,
    relation_id: str | None = None,
    text_sha256: str | None = None,
) -> Relation:
    """Link two live spans of ``annotator``; committed on return.

    ``types``: the schema's relation types; a link they do not allow is
    refused (:class:`StoreError` with the reason) and nothing is stored.
    ``text_sha256``: as for :func:`add_span` (the spans were picked in that text).
    """
    with cx.tx() as c:
        check_text(c, article_id, text_sha256)
        return insert_relation(c, article_id, annotator, label, from_span, to_span,
                               types=types, actor=actor, relation_id=relation_id)


def get_relation(cx: Connection, relation_id: str) -> Relation | None:
    row = cx.conn.execute(f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?",
                          (relation_id,)).fetchone()
    return relation_from_row(row) if row else None


def delete_relation(cx: Connection, relation_id: str, annotator: str, *,
                    actor: str | None = None, text_sha256: str | None = None) -> Relation:
    """Tombstone a relation (only its annotator may); committed on return (refused if the
    article's text is not ``text_sha256``)."""
    with cx.tx() as c:
        row = c.execute(
            f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?", (relation_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no relation with id {relation_id!r}")
        old = relation_from_row(row)
        if old.annotator != annotator:
            raise StoreError(f"relation {relation_id} belongs to {old.annotator!r}")
        if old.deleted_at is not None:
            raise StoreError(f"relation {relation_id} is deleted")
        check_text(c, old.article_id, text_sha256)
        return _tombstone_relation(c, old, actor or annotator, None)


def relations(
    cx: Connection,
    article_id: str,
    annotator: str | Sequence[str] | None = None,
    *,
    include_deleted: bool = False,
) -> list[Relation]:
    """Relations of one article (optionally of some annotators), by id."""
    rows = _article_rows(cx, "relations", RELATION_SELECT, article_id, annotator,
                         include_deleted, "id")
    return [relation_from_row(r) for r in rows]
