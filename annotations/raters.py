"""Whom the agreement figures compare: every annotator but ``gold``, unless asked.

``gold`` is the reviewers' adjudicated set, copied from the annotators'
spans, so it agrees with whoever it was taken from: counted as a rater it
lifts every figure (a team's alpha went from 0.719 to 0.815 after a review).
``stancemark agreement``, the stats screen and the review header therefore
leave it out unless ``include_gold`` is set; naming it (``--annotator gold``)
asks for it too.  The figures themselves are :mod:`annotations.agreement`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.agreement import AgreementReport, compute_agreement
from annotations.model import GOLD
from annotations.store import Store


def counts_gold(annotators: Sequence[str] | None, include_gold: bool) -> bool:
    """Is gold a rater: asked for, or named among the annotators."""
    return include_gold or (annotators is not None and GOLD in annotators)


def store_agreement(
    store: Store,
    *,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    include_gold: bool = False,
) -> AgreementReport:
    """The agreement report over ``store`` (everyone, or ``annotators``), gold left out
    unless :func:`counts_gold`."""
    chosen = list(annotators) if annotators else None
    texts, spans, done = store.agreement_inputs(chosen)
    relations = store.agreement_relations(chosen)
    if not counts_gold(chosen, include_gold):
        spans = [s for s in spans if s.annotator != GOLD]
        done = [d for d in done if d[1] != GOLD]
        relations = [r for r in relations if r.annotator != GOLD]
    return compute_agreement(texts, spans, done, annotators=chosen,
                             labels=list(labels) if labels else None, relations=relations)
