"""The record of each merge (``merges``) and undoing one: ``stancemark merge --undo PACK``.

A pack merged (by ``stancemark merge`` or found by ``stancemark import``) gets
one ``merges`` row: who merged it, the pack file's path and SHA-256, whose
records it vouched for (``--from`` names and signers) and whether the person
merging declared themselves a reviewer.  Each change the merge makes is an
event with that row's ``merge_id`` (``state='merged'``: never in anyone's
undo stack).

:func:`undo_merge` finds the merges of a pack by its SHA-256 and reverts
exactly what they changed, newest change first: each record goes back to its
``before`` (a record the merge added is deleted, so the database is as if the
merge had never happened; merging the pack again brings it back).  A record
changed again after the merge (someone's later edit, a later merge) is left
as it is and reported, never clobbered.  An article the merge added is
removed only when nothing refers to it any more, and so is a span the merge
added (a relation made since may link it).  The undo is one
transaction and logs each revert (``*.unmerge`` events, ``state='log'``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from annotations.model import Relation, Span, now_iso
from annotations.store.connection import Connection
from annotations.store.events import EVENT_SELECT, Event, event_from_row, log
from annotations.store.reports import UnmergeReport
from annotations.store.rows import (
    RELATION_COLUMNS,
    RELATION_SELECT,
    SPAN_SELECT,
    canonical_json,
    span_dict,
    span_from_row,
)
from annotations.store.spans import write_relation, write_span, write_status
from annotations.trust import PackSource

MERGE_COLUMNS = ("id", "at", "merged_by", "pack_path", "pack_sha256", "signers", "vouched",
                 "reviewer", "undone_at", "undone_by")


def start_merge(c: sqlite3.Connection, source: PackSource) -> int:
    """Record that ``source`` is being merged; returns the ``merges`` id its events carry."""
    trust = source.trust
    cur = c.execute(
        "INSERT INTO merges (at, merged_by, pack_path, signers, vouched, reviewer) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (now_iso(), trust.merged_by, source.path, canonical_json(list(trust.signers)),
         canonical_json(sorted(trust.vouched)), int(trust.reviewer)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def finish_merge(c: sqlite3.Connection, merge_id: int, source: PackSource) -> None:
    """Record the pack's SHA-256, known once the reader has read the whole file."""
    c.execute("UPDATE merges SET pack_sha256 = ? WHERE id = ?", (source.sha256, merge_id))


def merges(cx: Connection, sha256: str | None = None) -> list[dict[str, Any]]:
    """The merges recorded (of one pack, by SHA-256), oldest first."""
    sql = f"SELECT {', '.join(MERGE_COLUMNS)} FROM merges"
    params: tuple[Any, ...] = ()
    if sha256 is not None:
        sql += " WHERE pack_sha256 = ?"
        params = (sha256,)
    out = []
    for row in cx.conn.execute(sql + " ORDER BY id", params):
        d = dict(zip(MERGE_COLUMNS, row, strict=True))
        d["signers"], d["vouched"] = json.loads(d["signers"]), json.loads(d["vouched"])
        d["reviewer"] = bool(d["reviewer"])
        out.append(d)
    return out


def undo_merge(cx: Connection, sha256: str, by: str) -> UnmergeReport:
    """Revert what the merges of the pack with this SHA-256 changed (see the module docstring)."""
    report = UnmergeReport()
    with cx.tx() as c:
        ids = [r[0] for r in c.execute(
            "SELECT id FROM merges WHERE pack_sha256 = ? AND undone_at IS NULL", (sha256,))]
        if not ids:
            return report
        report.merges = len(ids)
        marks = ", ".join("?" * len(ids))
        rows = c.execute(f"SELECT {EVENT_SELECT} FROM events WHERE merge_id IN ({marks}) "
                         "AND state = 'merged' ORDER BY id DESC", ids).fetchall()
        for ev in map(event_from_row, rows):
            if _current(c, ev) != _state(ev.after):
                report.kept += 1
                report.messages.append(f"{_what(ev)} was changed after the merge; left as it is")
                continue
            if not _restore(c, ev):
                report.kept += 1
                report.messages.append(f"{_what(ev)} is still used (annotations made after "
                                       "the merge); kept")
                continue
            report.reverted += 1
            c.execute("UPDATE events SET state = 'unmerged' WHERE id = ?", (ev.id,))
            log(c, by, ev.action.replace(".merge", ".unmerge"), ev.article_id, ev.target,
                ev.after, ev.before, "log", ev.merge_id)
        c.execute(f"UPDATE merges SET undone_at = ?, undone_by = ? WHERE id IN ({marks})",
                  (now_iso(), by, *ids))
    return report


def _what(ev: Event) -> str:
    kind = ev.action.split(".")[0]
    if kind == "status":
        return f"the status of {ev.target!r} on article {ev.article_id!r}"
    return f"{kind} {ev.target!r}" + ("" if kind == "article" else f" of article {ev.article_id!r}")


def _state(row: dict[str, Any] | None) -> str | None:
    """A record's state as canonical JSON, for comparing a stored row with an event's."""
    return None if row is None else canonical_json(row)


def _current(c: sqlite3.Connection, ev: Event) -> str | None:
    """The record an event changed, as it is stored now (in the event's own form)."""
    kind = ev.action.split(".")[0]
    if kind == "span":
        row = c.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (ev.target,)).fetchone()
        return None if row is None else _state(span_dict(span_from_row(row)))
    if kind == "relation":
        row = c.execute(f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?",
                        (ev.target,)).fetchone()
        return None if row is None else _state(dict(zip(RELATION_COLUMNS, row, strict=True)))
    if kind == "status":
        row = c.execute("SELECT status, updated_at FROM statuses WHERE article_id = ? AND "
                        "annotator = ?", (ev.article_id, ev.target)).fetchone()
        return None if row is None else _state({"article_id": ev.article_id,
                                                "annotator": ev.target, "status": row[0],
                                                "updated_at": row[1]})
    if kind == "article":
        row = c.execute("SELECT text_sha256 FROM articles WHERE id = ?",
                        (ev.target,)).fetchone()
        return None if row is None else _state({"id": ev.target, "text_sha256": row[0]})
    raise ValueError(f"not a merge event: {ev.action}")  # pragma: no cover


def _restore(c: sqlite3.Connection, ev: Event) -> bool:
    """Put a record back as it was before the merge; ``False`` if it must be kept."""
    kind, before = ev.action.split(".")[0], ev.before
    if kind == "span":
        if before is None:
            # A relation made since (or kept by another merge) still points at it.
            if c.execute("SELECT 1 FROM relations WHERE article_id = ? AND (from_span = ? OR "
                         "to_span = ?) LIMIT 1", (ev.article_id, ev.target, ev.target)
                         ).fetchone():
                return False
            c.execute("DELETE FROM spans WHERE id = ?", (ev.target,))
        else:
            write_span(c, Span(**before))
    elif kind == "relation":
        if before is None:
            c.execute("DELETE FROM relations WHERE id = ?", (ev.target,))
        else:
            write_relation(c, Relation(**before))
    elif kind == "status":
        if before is None:
            c.execute("DELETE FROM statuses WHERE article_id = ? AND annotator = ?",
                      (ev.article_id, ev.target))
        else:
            write_status(c, before["article_id"], before["annotator"], before["status"],
                         before["updated_at"])
    elif kind == "article":
        for table in ("spans", "relations", "statuses", "reviews"):
            if c.execute(f"SELECT 1 FROM {table} WHERE article_id = ? LIMIT 1",
                         (ev.target,)).fetchone():
                return False
        c.execute("DELETE FROM articles WHERE id = ?", (ev.target,))
    return True
