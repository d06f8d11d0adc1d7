"""The events log: an append-only record of every change (who, when, what, before, after).

Each write of the store logs its change here in the same transaction, so the
log and the data never disagree.  An event's ``state`` is ``done``,
``undone`` (on the redo stack), ``dropped`` (a redo made impossible by a new
action) or ``log`` (an undo or redo itself, kept for the audit trail);
:mod:`annotations.store.history` replays the log for undo and redo.

A merge logs each change it makes with ``state='merged'`` and the
``merge_id`` of its ``merges`` row (:func:`log_merged`); ``annotator`` is
then the person who merged.  Undo and redo only ever take ``done`` and
``undone`` events, so a merge never enters anyone's undo stack, and it never
drops anyone's redo stack either; ``stancemark merge --undo`` reverts it
instead (:mod:`annotations.store.merges`), turning its events ``unmerged``.

Appending stays raw SQL: it is on the tag path (see
:mod:`annotations.store.spans`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.model import Relation, Span, now_iso
from annotations.store.connection import Connection
from annotations.store.rows import SPAN_COLUMNS, canonical_json

EVENT_SELECT = ("id, at, annotator, action, article_id, target, before, after, state, merge_id, "
                "group_id")
_INSERT = ("INSERT INTO events (at, annotator, action, article_id, target, before, after, state, "
           "merge_id, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


@dataclass
class Event:
    id: int
    at: str
    annotator: str
    action: str
    article_id: str | None
    target: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    state: str
    #: The ``merges`` row of the merge that made this change (``None``: a person's own action).
    merge_id: int | None = None
    #: Shared by the events of one action that changed several records (deleting a span
    #: and its relations): undo and redo take them together.  ``None``: a single change.
    group_id: str | None = None
    #: How many events the undo or redo that returned this one reverted (not stored).
    group_size: int = 1
    #: What the undo or redo that returned this one did (not stored): per event
    #: reverted, its action, its article and the span or relation as now stored
    #: (tombstoned when it is gone; ``None`` for other records).
    reverted: list[tuple[str, str | None, Span | Relation | None]] = field(
        default_factory=list)


def event_from_row(row: Sequence[Any]) -> Event:
    """An :class:`Event` from a row selected with :data:`EVENT_SELECT`."""
    return Event(
        id=row[0], at=row[1], annotator=row[2], action=row[3], article_id=row[4],
        target=row[5], before=json.loads(row[6]) if row[6] else None,
        after=json.loads(row[7]) if row[7] else None, state=row[8], merge_id=row[9],
        group_id=row[10],
    )


def log(
    c: sqlite3.Connection,
    actor: str,
    action: str,
    article_id: str | None,
    target: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    state: str = "done",
    merge_id: int | None = None,
    group_id: str | None = None,
) -> None:
    """Append one event inside the caller's transaction.

    A new action (``state='done'``) empties this person's redo stack.
    ``group_id``: the action this change is part of (see :class:`Event`).
    """
    if state == "done":
        c.execute(
            "UPDATE events SET state = 'dropped' WHERE annotator = ? AND state = 'undone'",
            (actor,),
        )
    c.execute(
        _INSERT,
        (
            now_iso(),
            actor,
            action,
            article_id,
            target,
            None if before is None else canonical_json(before),
            None if after is None else canonical_json(after),
            state,
            merge_id,
            group_id,
        ),
    )


#: One change made by a merge: action, article id, target, before, after.
MergedChange = tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]

#: A span row as the JSON object of an event's ``after``, built by SQLite from the
#: stored row (the same values ``span_dict`` gives, keys sorted like ``canonical_json``).
_SPAN_JSON = "json_object({})".format(", ".join(
    f"'{col}', " + ("json(attributes)" if col == "attributes" else f'"{col}"')
    for col in sorted(SPAN_COLUMNS)))
_LOG_SPAN = (f"INSERT INTO events (at, annotator, action, article_id, target, before, after, "
             f"state, merge_id) SELECT ?, ?, 'span.merge', article_id, id, ?, {_SPAN_JSON}, "
             f"'merged', ? FROM spans WHERE id ")
_ID_CHUNK = 500  # ids per IN (...) of new spans


def log_merged_spans(c: sqlite3.Connection, merged_by: str, merge_id: int,
                     changes: Sequence[tuple[str, dict[str, Any] | None]],
                     new_rowids: tuple[int, int] | None = None) -> None:
    """Append the events of spans a merge just wrote: ``(span id, before)`` each.

    ``after`` is the stored row, turned into JSON by SQLite, and the events
    of new spans (no ``before``) are written a few hundred per statement: a
    large merge writes one event per span, and one statement per span with
    the JSON built in Python took about three times as long (20,000 spans).
    ``new_rowids``: ``(low, high)`` when the new spans are exactly the rows
    ``low < rowid <= high``: then one statement reads them in table order
    (span ids are random, and looking each up took twice as long).
    The events of one call are independent records (a span written twice is
    logged in two calls), so their order among themselves does not matter.
    """
    if not changes:
        return
    at = now_iso()
    new = [span_id for span_id, before in changes if before is None]
    if new_rowids is not None and new_rowids[1] - new_rowids[0] == len(new):
        c.execute(_LOG_SPAN.removesuffix("id ") + "rowid > ? AND rowid <= ?",
                  (at, merged_by, None, merge_id, *new_rowids))
        new = []
    for i in range(0, len(new), _ID_CHUNK):
        chunk = new[i : i + _ID_CHUNK]
        c.execute(_LOG_SPAN + f"IN ({', '.join('?' * len(chunk))})",
                  (at, merged_by, None, merge_id, *chunk))
    c.executemany(_LOG_SPAN + "= ?", [
        (at, merged_by, canonical_json(before), merge_id, span_id)
        for span_id, before in changes if before is not None
    ])


def log_merged(c: sqlite3.Connection, merged_by: str, merge_id: int,
               changes: Sequence[MergedChange]) -> None:
    """Append the events of a merge's changes (``state='merged'``) in one statement."""
    if not changes:
        return
    at = now_iso()
    c.executemany(_INSERT, [
        (at, merged_by, action, article_id, target,
         None if before is None else canonical_json(before),
         None if after is None else canonical_json(after), "merged", merge_id, None)
        for action, article_id, target, before, after in changes
    ])


def events(cx: Connection, annotator: str | None = None, limit: int = 100) -> list[Event]:
    """The latest events, newest first (optionally of one person)."""
    sql = f"SELECT {EVENT_SELECT} FROM events"
    params: tuple[Any, ...] = ()
    if annotator:
        sql += " WHERE annotator = ?"
        params = (annotator,)
    sql += f" ORDER BY id DESC LIMIT {int(limit)}"
    return [event_from_row(r) for r in cx.conn.execute(sql, params)]
