"""Review decisions and the gold set.

``reviews`` is append-only: a reviewer's latest decision on a span counts,
and undoing one appends ``withdrawn`` rather than rewriting history.
Accepting a span into ``gold`` copies it (recording its source span,
annotator and reviewer) unless gold already holds the same range and label.
Accepting a relation copies it between gold copies of its two spans (made
the same way when gold lacks them), as one action: one transaction, one undo.

A decision is one row a key press, written through sqlite-utils (about 25 µs
more than a prepared statement, off the measured tag path).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from annotations.model import GOLD, Relation, Span, now_iso
from annotations.relation_types import RelationType
from annotations.store.articles import check_text
from annotations.store.connection import Connection
from annotations.store.errors import StoreError
from annotations.store.events import log
from annotations.store.rows import RELATION_SELECT, SPAN_SELECT, relation_from_row, span_from_row
from annotations.store.spans import insert_relation, insert_span

REVIEW_COLUMNS = ("id", "article_id", "reviewer", "span_id", "decision", "gold_span", "at")


def write_review(cx: Connection, article_id: str, reviewer: str, span_id: str, decision: str,
                 gold_span: str | None) -> dict[str, Any]:
    """Append one decision inside the caller's transaction; returns the row."""
    row = {"id": str(uuid.uuid4()), "article_id": article_id, "reviewer": reviewer,
           "span_id": span_id, "decision": decision, "gold_span": gold_span, "at": now_iso()}
    cx.db.table("reviews").insert(row)
    return row


def record_review(
    cx: Connection, article_id: str, reviewer: str, span_id: str, decision: str,
    gold_span: str | None = None, *, undoable: bool = False,
) -> None:
    """Append a decision to ``reviews`` (the table is append-only).

    ``undoable``: also log it as the reviewer's action, so that undo appends
    a ``withdrawn`` decision for the span and redo appends the decision again.
    """
    with cx.tx() as c:
        row = write_review(cx, article_id, reviewer, span_id, decision, gold_span)
        if undoable:
            log(c, reviewer, "review.record", article_id, row["id"], None, row)


def reviews(cx: Connection, article_id: str | None = None) -> list[dict[str, Any]]:
    """Decisions in the order they were made (the latest per span and reviewer counts)."""
    sql = f"SELECT {', '.join(REVIEW_COLUMNS)} FROM reviews"
    params: tuple[Any, ...] = ()
    if article_id:
        sql += " WHERE article_id = ?"
        params = (article_id,)
    sql += " ORDER BY at, rowid"
    return [dict(zip(REVIEW_COLUMNS, r, strict=True)) for r in cx.conn.execute(sql, params)]


def _live_span(c: sqlite3.Connection, span_id: str) -> Span:
    row = c.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (span_id,)).fetchone()
    span = span_from_row(row) if row else None
    if span is None or span.deleted_at is not None:
        raise StoreError(f"no live span with id {span_id!r}")
    return span


def _gold_copy(cx: Connection, c: sqlite3.Connection, src: Span, reviewer: str,
               group_id: str | None = None) -> Span:
    """Gold's span at ``src``'s place and label: the one gold has, else a new copy."""
    row = c.execute(
        f"SELECT {SPAN_SELECT} FROM spans WHERE article_id = ? AND annotator = ? AND start = ? "
        'AND "end" = ? AND label = ? AND deleted_at IS NULL ORDER BY id LIMIT 1',
        (src.article_id, GOLD, src.start, src.end, src.label)).fetchone()
    if row is not None:
        return span_from_row(row)
    attrs = {"source_span": src.id, "source_annotator": src.annotator, "reviewer": reviewer}
    return insert_span(cx, c, src.article_id, GOLD, src.label, src.start, src.end,
                       note=src.note, attributes=attrs, actor=reviewer, group_id=group_id)


def accept_into_gold(cx: Connection, span_id: str, reviewer: str,
                     text_sha256: str | None = None) -> Span:
    """Copy a span into ``gold`` recording its source and reviewer (undoable; refused
    with :class:`~annotations.store.errors.StaleText` if the article's text is not
    ``text_sha256``)."""
    with cx.tx() as c:
        src = _live_span(c, span_id)
        check_text(c, src.article_id, text_sha256)
        gold = _gold_copy(cx, c, src, reviewer)
        write_review(cx, src.article_id, reviewer, span_id, "accept", gold.id)
    return gold


def accept_relation_into_gold(cx: Connection, relation_id: str, reviewer: str, *,
                              types: Sequence[RelationType] | None = None,
                              text_sha256: str | None = None) -> Relation:
    """Copy a relation into ``gold`` with the gold spans it needs, as one undoable action.

    Each end gets gold's span at its place and label (copied when gold has
    none); gold's link between them is reused when it exists.  The acceptance
    is recorded for the relation and for both of its spans.  ``types``: a
    link the schema does not allow is refused, and nothing is written; so is
    any acceptance when the article's text is not ``text_sha256``
    (:class:`~annotations.store.errors.StaleText`).
    """
    with cx.tx() as c:
        row = c.execute(f"SELECT {RELATION_SELECT} FROM relations WHERE id = ?",
                        (relation_id,)).fetchone()
        rel = relation_from_row(row) if row else None
        if rel is None or rel.deleted_at is not None:
            raise StoreError(f"no live relation with id {relation_id!r}")
        check_text(c, rel.article_id, text_sha256)
        group = str(uuid.uuid4())
        ends = [_live_span(c, rel.from_span), _live_span(c, rel.to_span)]
        if any(end.anchor == "orphaned" for end in ends):
            raise StoreError("a span of this relation is orphaned: re-place it first")
        gold_from, gold_to = (_gold_copy(cx, c, end, reviewer, group) for end in ends)
        found = c.execute(
            f"SELECT {RELATION_SELECT} FROM relations WHERE article_id = ? AND annotator = ? "
            "AND label = ? AND from_span = ? AND to_span = ? AND deleted_at IS NULL",
            (rel.article_id, GOLD, rel.label, gold_from.id, gold_to.id)).fetchone()
        if found is not None:
            gold = relation_from_row(found)
        else:
            gold = insert_relation(c, rel.article_id, GOLD, rel.label, gold_from.id,
                                   gold_to.id, types=types, actor=reviewer, group_id=group)
        write_review(cx, rel.article_id, reviewer, rel.id, "accept", gold.id)
        for end, copy in zip(ends, (gold_from, gold_to), strict=True):
            write_review(cx, rel.article_id, reviewer, end.id, "accept", copy.id)
    return gold
