"""Relation disagreements between annotators, and their decisions, for the review.

Two annotators' spans are different records, so their links are compared
through the places they join: a relation *links* (from start, from end) to
(to start, to end).  Every compared annotator's live relation whose two spans
are placed gets one kind:

``agree``   every other compared annotator links the same two places, in the
            same direction, with the same type
``label``   someone else links the same two places with another type (the same
            pair linked differently)
``single``  anything else: a link not everyone made (with two annotators:
            only one person linked those places)

Accepting one copies it into ``gold`` with the gold spans it needs
(:meth:`annotations.store.Store.accept_relation_into_gold`, one undoable
action); rejecting records the decision.  A relation's decision is the
reviewer's latest one, an acceptance counting only while its gold copy is
live, as for spans (:mod:`annotations.review`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.model import Relation, Span

#: The places a relation joins: (from start, from end, to start, to end).
Places = tuple[int, int, int, int]


@dataclass
class ReviewRelation:
    relation: Relation
    #: the spans it links (the annotator's own)
    source: Span
    target: Span
    kind: str
    #: other annotators' relations between the same two places
    others: list[Relation] = field(default_factory=list)
    decision: str | None = None

    @property
    def item_id(self) -> str:
        return self.relation.id

    @property
    def start(self) -> int:
        """Where the review walks to it: the span the link starts on."""
        return self.source.start

    @property
    def places(self) -> Places:
        return (self.source.start, self.source.end, self.target.start, self.target.end)


def classify_relations(relations: Iterable[Relation], spans: Mapping[str, Span],
                       annotators: Sequence[str]) -> list[ReviewRelation]:
    """The kind of every live relation of ``annotators`` whose spans are placed, in the
    order the review walks them (the source span's place, then type, annotator, id)."""
    chosen: list[ReviewRelation] = []
    for r in relations:
        if r.deleted_at is not None or r.annotator not in annotators:
            continue
        a, b = spans.get(r.from_span), spans.get(r.to_span)
        if a is None or b is None or "orphaned" in (a.anchor, b.anchor):
            continue
        chosen.append(ReviewRelation(r, a, b, "single"))
    by_places: dict[Places, list[ReviewRelation]] = {}
    for item in chosen:
        by_places.setdefault(item.places, []).append(item)
    for item in chosen:
        others = [o for o in by_places[item.places]
                  if o.relation.annotator != item.relation.annotator]
        item.others = [o.relation for o in others]
        rest = [a for a in annotators if a != item.relation.annotator]
        same = {o.relation.annotator for o in others if o.relation.label == item.relation.label}
        if rest and all(a in same for a in rest):
            item.kind = "agree"
        elif any(o.relation.label != item.relation.label for o in others):
            item.kind = "label"
    chosen.sort(key=lambda it: (*it.places, it.relation.label, it.relation.annotator,
                                it.relation.id))
    return chosen


def relation_decisions(reviews: Iterable[Mapping[str, Any]], reviewer: str,
                       relation_ids: set[str], live_gold: set[str]) -> dict[str, str]:
    """Relation id -> the reviewer's standing decision (an acceptance while its gold copy,
    the review row's ``gold_span``, is a live gold relation)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for row in reviews:
        if row["reviewer"] == reviewer and row["span_id"] in relation_ids:
            latest[row["span_id"]] = row
    out: dict[str, str] = {}
    for rid, row in latest.items():
        decision = row["decision"]
        if decision == "accept" and row["gold_span"] not in live_gold:
            continue
        if decision in ("accept", "reject"):
            out[rid] = decision
    return out
