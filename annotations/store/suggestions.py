"""What suggestions leave in the database: rejections, and spans stored in bulk.

Suggestions themselves are never stored (they are derived from the labels'
cues and from the team's spans, see :mod:`annotations.suggest`).  Two things
they lead to are:

* a **rejection** (``suggestion_rejections``): "not this sentence", remembered
  per annotator and article by the sentence's quote, so the suggestion does
  not come back (not even after an edit of the text elsewhere moves it) and
  the model learns the sentence as "no label".  Each is an undoable action
  (``suggestion.reject`` in the events log): undo removes the row, redo
  writes it again.
* **spans in bulk** (:func:`add_spans`): ``stancemark suggest --apply`` stores an
  article's suggestions as one annotator's spans in one transaction, each
  logged as a ``span.add`` of the person applying them, skipping any that
  annotator already has (same range and label), so applying twice adds
  nothing.

A rejection is one row a key press, written through sqlite-utils (off the
measured tag path, like the review decisions).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from annotations.anchoring import context
from annotations.model import Span, now_iso
from annotations.store.articles import article_text
from annotations.store.connection import Connection
from annotations.store.events import log
from annotations.store.rows import span_dict
from annotations.store.spans import check_range, touch_status, write_span

TABLE = "suggestion_rejections"
REJECTION_COLUMNS = ("id", "article_id", "annotator", "start", "end", "label", "quote",
                     "source", "at")


@dataclass(frozen=True)
class Rejection:
    """``annotator`` said no to the suggestion ``label`` on ``quote`` (at start..end then)."""

    id: str
    article_id: str
    annotator: str
    start: int
    end: int
    label: str
    quote: str
    source: str
    at: str


def reject(cx: Connection, article_id: str, annotator: str, start: int, end: int, label: str,
           source: str, *, actor: str | None = None,
           text_sha256: str | None = None) -> Rejection:
    """Remember that ``annotator`` rejected the suggestion on ``text[start:end]``
    (:class:`~annotations.store.errors.StaleText` if the article's text is not
    ``text_sha256``, the text the suggestion was shown in)."""
    with cx.tx() as c:
        text = article_text(cx, c, article_id, text_sha256)
        check_range(text, start, end)
        row = Rejection(str(uuid.uuid4()), article_id, annotator, start, end, label,
                        text[start:end], source, now_iso())
        write_rejection(cx, asdict(row))
        log(c, actor or annotator, "suggestion.reject", article_id, row.id, None, asdict(row))
    return row


def write_rejection(cx: Connection, row: dict[str, Any]) -> None:
    """Store one rejection row (insert or replace by id) inside the caller's transaction."""
    cx.db.table(TABLE).insert({k: row[k] for k in REJECTION_COLUMNS}, replace=True)


def delete_rejection(cx: Connection, rejection_id: str) -> None:
    """Remove one rejection inside the caller's transaction (its undo)."""
    cx.conn.execute(f"DELETE FROM {TABLE} WHERE id = ?", (rejection_id,))


def rejections(cx: Connection, annotator: str, article_id: str | None = None) -> list[Rejection]:
    """This annotator's rejections (of one article), oldest first."""
    sql = f"SELECT {', '.join(f'[{c}]' for c in REJECTION_COLUMNS)} FROM {TABLE} " \
          "WHERE annotator = ?"
    params: list[Any] = [annotator]
    if article_id is not None:
        sql += " AND article_id = ?"
        params.append(article_id)
    sql += " ORDER BY at, rowid"
    return [Rejection(*r) for r in cx.conn.execute(sql, params)]


def add_spans(cx: Connection, article_id: str, annotator: str,
              items: Sequence[tuple[str, int, int, dict[str, Any]]], *,
              actor: str | None = None, text_sha256: str | None = None) -> list[Span]:
    """Store ``(label, start, end, attributes)`` as ``annotator``'s spans in one transaction,
    leaving out those ``annotator`` already has; returns the spans added.  ``text_sha256``:
    the text the offsets were worked out in (another one: :class:`StaleText`, nothing
    stored)."""
    added: list[Span] = []
    with cx.tx() as c:
        text = article_text(cx, c, article_id, text_sha256)
        have = {(r[0], r[1], r[2]) for r in c.execute(
            'SELECT label, start, "end" FROM spans WHERE article_id = ? AND annotator = ? '
            "AND deleted_at IS NULL", (article_id, annotator))}
        for label, start, end, attributes in items:
            if (label, start, end) in have:
                continue
            check_range(text, start, end)
            prefix, suffix = context(text, start, end)
            now = now_iso()
            span = Span(id=str(uuid.uuid4()), article_id=article_id, annotator=annotator,
                        label=label, start=start, end=end, text=text[start:end],
                        prefix=prefix, suffix=suffix, attributes=dict(attributes),
                        created_at=now, updated_at=now)
            write_span(c, span)
            log(c, actor or annotator, "span.add", article_id, span.id, None, span_dict(span))
            have.add((label, start, end))
            added.append(span)
        if added:
            touch_status(c, article_id, annotator)
    return added
