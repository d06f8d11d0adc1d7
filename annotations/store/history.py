"""Undo and redo, per person, replayed from the events log (so they survive a restart).

Undo takes the person's latest ``done`` event and makes the stored row equal
its ``before``; redo takes the earliest ``undone`` one and restores its
``after``.  Events of one action (one ``group_id``: a span deleted with its
relations, a relation accepted into gold with its spans) are undone and
redone together, as one step.  Nobody's undo touches another person's work.
A span restored after its article's text changed is placed again by its quote (``moved``) or
marked ``orphaned``, never put back at offsets that now point elsewhere.

``shown``: the (article id, text SHA-256) a screen shows.  An undo or redo of
a span, relation or rejected suggestion of that article (any event of the step) is refused with
:class:`~annotations.store.errors.StaleText` when the stored text is another
one, so the screen reloads before anything changes under a stale view.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from annotations.anchoring import context, reanchor
from annotations.model import Relation, Span, now_iso
from annotations.store.articles import article_text, check_text
from annotations.store.connection import Connection
from annotations.store.events import EVENT_SELECT, Event, event_from_row, log
from annotations.store.reviews import write_review
from annotations.store.rows import SPAN_SELECT, span_from_row
from annotations.store.spans import write_relation, write_span, write_status
from annotations.store.suggestions import delete_rejection, write_rejection


def apply_state(cx: Connection, c: sqlite3.Connection, action: str,
                state: dict[str, Any] | None, other: dict[str, Any] | None
                ) -> Span | Relation | None:
    """Make the stored row equal ``state`` (``None``: the row did not exist); returns the
    span or relation as now stored (tombstoned when ``state`` is ``None``)."""
    now = now_iso()
    if action.startswith("span."):
        ref = state if state is not None else other
        assert ref is not None
        row = c.execute(f"SELECT {SPAN_SELECT} FROM spans WHERE id = ?", (ref["id"],)).fetchone()
        if state is None:
            gone = span_from_row(row) if row else Span(**ref)
            gone.deleted_at = gone.updated_at = now
            write_span(c, gone)
            return gone
        else:
            span = Span(**state)
            span.updated_at = now
            text = article_text(cx, c, span.article_id)
            if text[span.start : span.end] != span.text:
                # The text changed since the snapshot: place its quote again
                # rather than restore offsets that now point elsewhere.
                place = reanchor(text, span.start, span.end, span.text, span.prefix,
                                 span.suffix)
                if place.placed:
                    span.start, span.end = place.start, place.end
                    span.text = text[place.start : place.end]
                    span.prefix, span.suffix = context(text, place.start, place.end)
                    span.anchor = "moved"
                else:
                    span.anchor = "orphaned"
            write_span(c, span)
            return span
    elif action.startswith("relation."):
        if state is None:
            assert other is not None
            gone_r = Relation(**other)
            gone_r.deleted_at = gone_r.updated_at = now
            write_relation(c, gone_r)
            return gone_r
        else:
            rel = Relation(**state)
            rel.updated_at = now
            write_relation(c, rel)
            return rel
    elif action.startswith("review."):
        # Decisions are never rewritten: undo appends "withdrawn", redo the decision again.
        row = state if state is not None else dict(other or {}, decision="withdrawn")
        write_review(cx, row["article_id"], row["reviewer"], row["span_id"], row["decision"],
                     row.get("gold_span"))
    elif action.startswith("suggestion."):
        # A rejection is there or not: undo removes it, redo writes it again.
        if state is None:
            assert other is not None
            delete_rejection(cx, other["id"])
        else:
            write_rejection(cx, state)
    elif action == "status.set":
        assert state is not None
        write_status(c, state["article_id"], state["annotator"], state["status"], now)
    return None


def undo(cx: Connection, annotator: str, *, shown: tuple[str, str] | None = None
         ) -> Event | None:
    """Revert this person's latest action (survives restarts: it is in ``events``)."""
    return step(cx, annotator, undo=True, shown=shown)


def redo(cx: Connection, annotator: str, *, shown: tuple[str, str] | None = None
         ) -> Event | None:
    """Re-apply the action most recently undone (until a new action is made)."""
    return step(cx, annotator, undo=False, shown=shown)


def step(cx: Connection, annotator: str, *, undo: bool,
         shown: tuple[str, str] | None = None) -> Event | None:
    """One undo (latest ``done`` action) or redo (earliest ``undone`` one); see the module
    for ``shown``.

    Returns the event that names the action (:func:`_lead`: the span
    deleted, the relation accepted), with ``group_size`` set to how many
    events were reverted and ``reverted`` to what each of them left stored, so
    that a screen can update what it shows without reading the article again.
    """
    state, order, new_state = ("done", "DESC", "undone") if undo else ("undone", "ASC", "done")
    with cx.tx() as c:
        row = c.execute(
            f"SELECT {EVENT_SELECT} FROM events WHERE annotator = ? AND state = ? "
            f"ORDER BY id {order} LIMIT 1",
            (annotator, state),
        ).fetchone()
        if row is None:
            return None
        group = [event_from_row(row)]
        if group[0].group_id is not None:
            group = [event_from_row(r) for r in c.execute(
                f"SELECT {EVENT_SELECT} FROM events WHERE annotator = ? AND state = ? "
                f"AND group_id = ? ORDER BY id {order}",
                (annotator, state, group[0].group_id))]
        if shown is not None and any(_on_text(ev, shown[0]) for ev in group):
            check_text(c, shown[0], shown[1])
        applied: list[Span | Relation | None] = []
        for ev in group:
            target, other = (ev.before, ev.after) if undo else (ev.after, ev.before)
            applied.append(apply_state(cx, c, ev.action, target, other))
            c.execute("UPDATE events SET state = ? WHERE id = ?", (new_state, ev.id))
            log(c, annotator, "undo" if undo else "redo", ev.article_id, str(ev.id), other,
                target, "log")
    lead = _lead(group)
    lead.group_size = len(group)
    lead.reverted = [(ev.action, ev.article_id, record)
                     for ev, record in zip(group, applied, strict=True)]
    return lead


def _on_text(ev: Event, article_id: str) -> bool:
    """Does undoing or redoing ``ev`` change what a screen of ``article_id`` shows over
    its text (a span, a relation between spans, a rejected suggestion of that article)?"""
    return ev.article_id == article_id and ev.action.startswith(
        ("span.", "relation.", "suggestion."))


def _lead(group: list[Event]) -> Event:
    """The event that names an action: its first one that does more than add a span it
    needs (a relation accepted with its spans is "the acceptance of the relation")."""
    ordered = sorted(group, key=lambda e: e.id)
    return next((e for e in ordered if e.action != "span.add"), ordered[0])
