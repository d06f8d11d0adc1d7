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

Span writes stay raw SQL: one ``executemany`` of a prepared INSERT per
article; sqlite-utils' ``insert_all`` takes 2-3x as long for the same rows
(20,000 spans: 130-260 ms against 300-490 ms), and the merge benchmark has
little room.  New ids get a plain INSERT: INSERT OR REPLACE costs about 60 %
more on a large table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from annotations.anchoring import TextIndex, context, reanchor
from annotations.model import ANCHORS, STATUSES, Article, Relation
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
from annotations.store.spans import write_relation, write_status

ID_CHUNK = 500  # pack span ids looked up per query


def version_key(row: dict[str, Any]) -> tuple[str, int, str]:
    """Total order over versions of one record: later, then tombstone, then content."""
    return (row.get("updated_at") or "", 1 if row.get("deleted_at") else 0, canonical_json(row))


def check_span(d: Any) -> str | None:
    """Why a pack's span object is malformed, or ``None`` when it is well formed."""
    if not isinstance(d, dict):
        return "span is not an object"
    get = d.get  # one lookup per field: this runs for every span of every pack
    for key in ("id", "annotator", "label", "text", "created_at", "updated_at"):
        value = get(key)
        if not value or not isinstance(value, str):
            return f"span field '{key}' must be a non-empty string"
    for key in ("start", "end"):
        value = get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            return f"span field '{key}' must be an integer"
    if not 0 <= d["start"] < d["end"]:
        return f"span offsets {d['start']}..{d['end']} are not a range"
    value = get("deleted_at")
    if value is not None and not isinstance(value, str):
        return "span field 'deleted_at' must be a string or null"
    value = get("note")
    if value is not None and not isinstance(value, str):
        return "span field 'note' must be a string or null"
    if not isinstance(get("attributes") or {}, dict):
        return "span field 'attributes' must be an object"
    if get("anchor", "ok") not in ANCHORS:
        return f"span anchor must be one of {', '.join(ANCHORS)}"
    return None


def incoming_span(
    d: dict[str, Any], article_id: str, text: str, index: TextIndex | None = None
) -> dict[str, Any]:
    """The stored form of a teammate's span, placed against *our* text."""
    row = {
        "id": d["id"], "article_id": article_id, "annotator": d["annotator"],
        "label": d["label"], "start": d["start"], "end": d["end"], "text": d["text"],
        "prefix": d.get("prefix") or "", "suffix": d.get("suffix") or "",
        "note": d.get("note"), "attributes": d.get("attributes") or {},
        "created_at": d["created_at"], "updated_at": d["updated_at"],
        "deleted_at": d.get("deleted_at"), "anchor": d.get("anchor") or "ok",
    }
    if row["anchor"] == "orphaned" and text[row["start"] : row["end"]] != row["text"]:
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
    c: sqlite3.Connection, art: Article, ann: dict[str, Any], source: str
) -> MergeReport:
    """Merge one pack line's spans / relations / statuses inside the caller's transaction.

    The article must already be stored (our text is what the spans are placed against).
    """
    report = MergeReport()
    line = ann.get("line")
    where = f"{source}:{line}" if line else source
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
    # The stored rows of the pack's span ids, in a few primary-key queries
    # rather than one query per span: ours (this article) and other articles'.
    existing: dict[str, Sequence[Any]] = {}
    elsewhere: dict[str, str] = {}
    ids = list({d["id"] for d in items if isinstance(d, dict) and isinstance(d.get("id"), str)})
    for i in range(0, len(ids), ID_CHUNK):
        chunk = ids[i : i + ID_CHUNK]
        for r in c.execute(
            f"SELECT {SPAN_SELECT} FROM spans WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ):
            if r[1] == art.id:
                existing[r[0]] = r
            else:
                elsewhere[r[0]] = r[1]
    added: list[list[Any]] = []  # new ids: a plain INSERT (OR REPLACE costs ~60% more)
    writes: list[list[Any]] = []  # newer versions of stored (or just added) spans
    for d in items:
        problem = check_span(d)
        if problem:
            report.rejected += 1
            sid = d.get("id") if isinstance(d, dict) else None
            report.messages.append(f"{where}: span {sid!r}: {problem}")
            continue
        incoming = incoming_span(d, art.id, ours, index)
        if incoming["end"] > len(ours) and incoming["anchor"] != "orphaned":
            incoming["anchor"] = "orphaned"
        cur = existing.get(incoming["id"])
        if cur is None:
            other = elsewhere.get(incoming["id"])
            if other is not None:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to article {other!r}")
                continue
            report.added += 1
        else:
            current = span_from_row(cur)
            cur_row = {k: getattr(current, k) for k in SPAN_COLUMNS}
            if current.annotator != incoming["annotator"]:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to {current.annotator!r}, "
                    f"not {incoming['annotator']!r}")
                continue
            if version_key(incoming) <= version_key(cur_row):
                report.unchanged += 1
                continue
            report.updated += 1
        if incoming["anchor"] == "orphaned":
            report.orphaned += 1
        elif incoming["anchor"] == "moved" and differs:
            report.moved += 1
        attrs = incoming["attributes"]
        stored = dict(incoming, attributes=canonical_json(attrs) if attrs else "{}")
        values = [stored[k] for k in SPAN_COLUMNS]
        (added if cur is None else writes).append(values)
        existing[incoming["id"]] = values
    if added:
        c.executemany(f"INSERT {SPAN_INTO}", added)
    if writes:
        c.executemany(f"INSERT OR REPLACE {SPAN_INTO}", writes)
    merge_relations(c, art.id, ann.get("relations") or [], report, where)
    merge_statuses(c, art.id, ann.get("statuses") or [], report, where)
    return report


def merge_relations(c: sqlite3.Connection, article_id: str, items: list[Any],
                    report: MergeReport, where: str) -> None:
    """Merge a pack line's relations (same rules as spans: owner only, greater version wins)."""
    for d in items:
        if not isinstance(d, dict) or not all(
            isinstance(d.get(k), str) and d.get(k)
            for k in ("id", "annotator", "label", "from_span", "to_span", "updated_at")
        ):
            report.rejected += 1
            report.messages.append(f"{where}: malformed relation")
            continue
        row: dict[str, Any] = {k: d.get(k) for k in RELATION_COLUMNS}
        row["article_id"] = article_id
        row["created_at"] = row["created_at"] or row["updated_at"]
        cur = c.execute(f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?",
                        (row["id"],)).fetchone()
        if cur is not None:
            cur_row = dict(zip(RELATION_COLUMNS, cur, strict=True))
            if cur_row["annotator"] != row["annotator"]:
                report.rejected += 1
                report.messages.append(f"{where}: relation {row['id']!r} belongs to "
                                       f"{cur_row['annotator']!r}")
                continue
            if version_key(row) <= version_key(cur_row):
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added += 1
        write_relation(c, Relation(**row))


def merge_statuses(c: sqlite3.Connection, article_id: str, items: list[Any],
                   report: MergeReport, where: str) -> None:
    """Merge a pack line's statuses: later ``updated_at`` wins, then the further status."""
    for d in items:
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("annotator"), str)
            or not d.get("annotator")
            or d.get("status") not in STATUSES
            or not isinstance(d.get("updated_at"), str)
        ):
            report.rejected += 1
            report.messages.append(f"{where}: malformed status")
            continue
        cur = c.execute(
            "SELECT status, updated_at FROM statuses WHERE article_id = ? AND annotator = ?",
            (article_id, d["annotator"]),
        ).fetchone()
        new_key = (d["updated_at"], STATUSES.index(d["status"]))
        if cur is not None:
            if new_key <= (cur[1], STATUSES.index(cur[0])):
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added += 1
        write_status(c, article_id, d["annotator"], d["status"], d["updated_at"])
