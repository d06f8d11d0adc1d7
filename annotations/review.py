"""Comparing annotators on one article, and adjudicating a ``gold`` set.

Every span of the chosen annotators gets one *kind*:

``agree``     every other chosen annotator has a span with the same
              (start, end, label)
``label``     another annotator has a span at the same (start, end) with a
              different label (a label conflict)
``boundary``  another annotator has an overlapping span of the same label
              but other boundaries (a boundary difference)
``single``    anything else: a span that not everyone made (with two
              annotators: only one person made it)

Everything but ``agree`` is a disagreement; the review screen walks them in
text order.  Decisions are recorded in the ``reviews`` table; accepting
copies the span into ``gold`` with its source span and reviewer recorded.

A span's decision is the reviewer's latest one, where an ``accept`` counts only
while its gold copy is live (undoing the copy, or deleting it, makes the span
undecided again) and ``withdrawn`` (an undone reject) means undecided.

Relations are reviewed alongside (:mod:`annotations.review_relations`): their
disagreements are walked with the spans' (at the span each starts on) and
counted in the same progress; accepting one brings the spans it needs into
gold with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from annotations.agreement import AgreementReport, compute_agreement
from annotations.model import GOLD, Relation, Span
from annotations.relation_types import RelationType
from annotations.review_relations import ReviewRelation, classify_relations, relation_decisions
from annotations.store import Store

KINDS = ("agree", "label", "boundary", "single")


@dataclass
class ReviewSpan:
    span: Span
    kind: str
    #: Other annotators' spans this one was compared with (same place or overlapping).
    others: list[Span] = field(default_factory=list)
    decision: str | None = None  # accept / reject, latest by this reviewer

    @property
    def item_id(self) -> str:
        return self.span.id

    @property
    def start(self) -> int:
        return self.span.start


#: What the review walks: a compared span or a compared relation.
ReviewItem = ReviewSpan | ReviewRelation


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def classify(spans: Sequence[Span], annotators: Sequence[str]) -> list[ReviewSpan]:
    """The kind of every span (of ``annotators``) in text order."""
    chosen = [s for s in spans if s.annotator in annotators and s.anchor != "orphaned"]
    chosen.sort(key=lambda s: (s.start, s.end, s.label, s.annotator, s.id))
    by_ann: dict[str, list[Span]] = {a: [] for a in annotators}
    for s in chosen:
        by_ann[s.annotator].append(s)
    out: list[ReviewSpan] = []
    for s in chosen:
        others = [a for a in annotators if a != s.annotator]
        near = [o for a in others for o in by_ann[a] if _overlaps(s, o)]
        same = {o.annotator for o in near if (o.start, o.end, o.label) == (s.start, s.end, s.label)}
        if others and all(a in same for a in others):
            kind = "agree"
        elif any((o.start, o.end) == (s.start, s.end) and o.label != s.label for o in near):
            kind = "label"
        elif any(o.label == s.label and (o.start, o.end) != (s.start, s.end) for o in near):
            kind = "boundary"
        else:
            kind = "single"
        out.append(ReviewSpan(s, kind, near))
    return out


@dataclass
class ArticleReview:
    article_id: str
    reviewer: str
    annotators: list[str]
    items: list[ReviewSpan]
    gold: list[Span]
    agreement: AgreementReport
    #: the compared relations (their spans placed), and gold's
    relations: list[ReviewRelation] = field(default_factory=list)
    gold_relations: list[Relation] = field(default_factory=list)

    @property
    def disagreements(self) -> list[ReviewSpan]:
        return [i for i in self.items if i.kind != "agree"]

    @property
    def relation_disagreements(self) -> list[ReviewRelation]:
        return [i for i in self.relations if i.kind != "agree"]

    @property
    def open_items(self) -> list[ReviewItem]:
        """Every disagreement, spans' and relations', in text order (a relation right
        after the span it starts on)."""
        both: list[ReviewItem] = [*self.disagreements, *self.relation_disagreements]
        return sorted(both, key=lambda it: (it.start, isinstance(it, ReviewRelation)))

    @property
    def disagreement_count(self) -> int:
        return len(self.disagreements) + len(self.relation_disagreements)

    @property
    def decided(self) -> int:
        return sum(1 for i in self.open_items if i.decision)

    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(KINDS, 0)
        for i in self.items:
            c[i.kind] += 1
        return c


def review_article(store: Store, article_id: str, reviewer: str,
                   annotators: Sequence[str], *, include_gold: bool = False) -> ArticleReview:
    """Everything the review screen shows for one article.

    The agreement figures compare ``annotators``; ``include_gold`` counts gold
    among them too where it annotated the article (see :mod:`annotations.raters`).
    """
    names = [a for a in dict.fromkeys(annotators) if a != GOLD]
    article = store.get_article(article_id)
    if article is None:
        raise KeyError(article_id)
    spans = store.spans(article_id, names)
    items = classify(spans, names)
    gold = store.spans(article_id, GOLD)
    decisions = _decisions(store, article_id, reviewer, gold)
    for it in items:
        it.decision = decisions.get(it.span.id)
    done = [(s.article_id, s.annotator) for s in store.statuses(article_id)
            if s.status == "done"]
    raters, rated = names, spans
    if include_gold and (gold or (article_id, GOLD) in done):
        raters, rated = [*names, GOLD], [*spans, *gold]
    links = store.relations(article_id, [*names, GOLD])
    report = compute_agreement({article_id: article.text}, rated, done, annotators=raters,
                               relations=[r for r in links if r.annotator in raters])
    rel_items = classify_relations(links, {s.id: s for s in spans}, names)
    gold_links = [r for r in links if r.annotator == GOLD]
    decided = relation_decisions(store.reviews(article_id), reviewer,
                                 {it.relation.id for it in rel_items},
                                 {r.id for r in gold_links})
    for rel in rel_items:
        rel.decision = decided.get(rel.relation.id)
    return ArticleReview(article_id, reviewer, names, items, gold, report, rel_items,
                         gold_links)


def _decisions(store: Store, article_id: str, reviewer: str,
               gold: Sequence[Span]) -> dict[str, str]:
    """Span id -> the reviewer's standing decision (see the module docstring)."""
    latest: dict[str, dict[str, str | None]] = {}
    for r in store.reviews(article_id):
        if r["reviewer"] == reviewer:
            latest[r["span_id"]] = r
    live_gold = {g.id for g in gold}
    out: dict[str, str] = {}
    for span_id, r in latest.items():
        decision = r["decision"]
        if decision == "accept" and r["gold_span"] not in live_gold:
            continue
        if decision in ("accept", "reject"):
            out[span_id] = decision
    return out


def default_against(store: Store, reviewer: str, *, include_self: bool = False) -> list[str]:
    """Whom to review by default: everyone with spans or statuses but gold and (unless
    ``include_self``, as the annotator's "Review this article…" asks) the reviewer.

    Empty when nobody but the reviewer (and gold) has any: nothing to compare.
    """
    others = [a for a in store.annotators() if a not in (reviewer, GOLD)]
    if include_self and others and reviewer in store.annotators():
        return [a for a in store.annotators() if a != GOLD]
    return others


def review_queue(store: Store, annotators: Sequence[str]) -> list[str]:
    """Ids (in list order) of the articles where any of ``annotators`` has a live span."""
    names = [a for a in annotators if a != GOLD]
    tagged = store.articles_with_spans(names)
    if not tagged:
        return []
    return [aid for aid in store.article_ids() if aid in tagged]


def accept(store: Store, span_id: str, reviewer: str, *,
           text_sha256: str | None = None) -> Span:
    """Copy a span into gold (source span and reviewer recorded; undo removes the copy).

    ``text_sha256``: the hash of the text the reviewer saw (refused if it changed).
    """
    return store.accept_into_gold(span_id, reviewer, text_sha256=text_sha256)


def reject(store: Store, span_id: str, reviewer: str) -> None:
    """Record a rejection (undoable: undo withdraws it).  A gold copy made earlier stays."""
    span = store.get_span(span_id)
    if span is None:
        raise KeyError(span_id)
    store.record_review(span.article_id, reviewer, span_id, "reject", undoable=True)


def accept_relation(store: Store, relation_id: str, reviewer: str,
                    types: Sequence[RelationType] | None = None, *,
                    text_sha256: str | None = None) -> Relation:
    """Copy a relation into gold with the gold spans it needs (one undoable action;
    ``text_sha256`` as for :func:`accept`)."""
    return store.accept_relation_into_gold(relation_id, reviewer, types=types,
                                           text_sha256=text_sha256)


def reject_relation(store: Store, relation_id: str, reviewer: str) -> None:
    """Record a relation's rejection (undoable: undo withdraws it)."""
    rel = store.get_relation(relation_id)
    if rel is None:
        raise KeyError(relation_id)
    store.record_review(rel.article_id, reviewer, relation_id, "reject", undoable=True)


def accept_agreed(store: Store, article_id: str, reviewer: str,
                  annotators: Sequence[str], *, text_sha256: str | None = None) -> list[Span]:
    """Accept every span on which all chosen annotators agree (one gold copy each).

    Every agreeing span is recorded as accepted; spans already accepted are
    skipped, so pressing it twice adds nothing.  Returns the gold copies made
    or reused for the newly accepted places, in text order.
    """
    review = review_article(store, article_id, reviewer, annotators)
    seen: set[tuple[int, int, str]] = set()
    out = []
    for it in review.items:
        if it.kind != "agree" or it.decision == "accept":
            continue
        key = (it.span.start, it.span.end, it.span.label)
        gold = store.accept_into_gold(it.span.id, reviewer, text_sha256=text_sha256)
        if key not in seen:
            seen.add(key)
            out.append(gold)
    return out


def article_progress(store: Store, article_id: str, reviewer: str,
                     annotators: Sequence[str]) -> tuple[int, int] | None:
    """(disagreements decided, disagreements) on one article, relations' included; None
    when nobody tagged it."""
    names = [a for a in dict.fromkeys(annotators) if a != GOLD]
    spans = store.spans(article_id, names)
    if not spans:
        return None
    dis = [i for i in classify(spans, names) if i.kind != "agree"]
    links = store.relations(article_id, [*names, GOLD])
    rel_dis = [i for i in classify_relations(links, {s.id: s for s in spans}, names)
               if i.kind != "agree"]
    if not dis and not rel_dis:
        return (0, 0)
    decided = _decisions(store, article_id, reviewer, store.spans(article_id, GOLD))
    if rel_dis:
        decided.update(relation_decisions(
            store.reviews(article_id), reviewer, {i.relation.id for i in rel_dis},
            {r.id for r in links if r.annotator == GOLD}))
    ids = [i.span.id for i in dis] + [i.relation.id for i in rel_dis]
    return (sum(1 for i in ids if i in decided), len(ids))


def review_progress(store: Store, reviewer: str, annotators: Sequence[str],
                    article_ids: Sequence[str] | None = None) -> dict[str, tuple[int, int]]:
    """Article id -> (disagreements decided, disagreements) for the article list."""
    ids = list(article_ids) if article_ids is not None else store.article_ids()
    out: dict[str, tuple[int, int]] = {}
    for aid in ids:
        progress = article_progress(store, aid, reviewer, annotators)
        if progress is not None:
            out[aid] = progress
    return out
