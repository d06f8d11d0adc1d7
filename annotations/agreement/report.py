"""The agreement report: every pair's figures and alpha, walked one article at a time.

:func:`compute_agreement` applies the definitions of :mod:`annotations.agreement`
(which spans are compared, who annotated what) and folds each article's token
categories into each pair's confusion counts and into alpha's unit patterns,
then drops them, so its memory stays at one article's tokens whatever the
corpus size.  The table helpers give the CLI and the stats screen one layout.
"""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotations.agreement.categories import OUTSIDE, TokenIndex, sweep
from annotations.agreement.coefficients import alpha_from_units, kappa_from_confusion
from annotations.agreement.relations import (
    RelationKey,
    relation_ends,
    relation_exact_f1,
    relation_overlap_f1,
)
from annotations.agreement.spans import exact_figure, exact_matches, overlap_figure, overlap_hits
from annotations.model import Relation, Span
from annotations.tokens import tokenize

#: A figure of the per-label table: a span count, or a float (None: undefined).
Figure = float | int | None

_LABEL = operator.attrgetter("label")


@dataclass
class PairResult:
    """Agreement of annotators ``a`` and ``b`` on the articles both annotated."""

    a: str
    b: str
    articles: int
    spans_a: int
    spans_b: int
    exact_f1: float | None
    overlap_f1: float | None
    token_kappa: float | None
    per_label: dict[str, dict[str, Figure]] = field(default_factory=dict)
    #: Compared relations of each (see :mod:`annotations.agreement.relations`).
    relations_a: int = 0
    relations_b: int = 0
    relation_exact_f1: float | None = None
    relation_overlap_f1: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "articles": self.articles,
            "spans_a": self.spans_a,
            "spans_b": self.spans_b,
            "exact_f1": self.exact_f1,
            "overlap_f1": self.overlap_f1,
            "token_kappa": self.token_kappa,
            "per_label": {k: dict(v) for k, v in self.per_label.items()},
            "relations_a": self.relations_a,
            "relations_b": self.relations_b,
            "relation_exact_f1": self.relation_exact_f1,
            "relation_overlap_f1": self.relation_overlap_f1,
        }


@dataclass
class AgreementReport:
    """Every pair's figures plus alpha over all annotators; ``label`` is the filter, if any."""

    annotators: list[str]
    pairs: list[PairResult]
    alpha: float | None
    alpha_articles: int
    label: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape; undefined figures are None (JSON null)."""
        out: dict[str, Any] = {
            "annotators": list(self.annotators),
            "pairs": [p.to_dict() for p in self.pairs],
            "alpha": self.alpha,
            "alpha_articles": self.alpha_articles,
        }
        if self.label is not None:
            out["labels"] = list(self.label)
        return out


def _fold(
    confusion: Counter[tuple[str, str]], label: str, sets: Mapping[str, frozenset[str]]
) -> Counter[tuple[str, str]]:
    """The confusion counts with only ``label`` kept: every category becomes label or O."""
    folded: Counter[tuple[str, str]] = Counter()
    for (x, y), count in confusion.items():
        fx = label if label in sets[x] else OUTSIDE
        fy = label if label in sets[y] else OUTSIDE
        folded[(fx, fy)] += count
    return folded


def _pair_result(
    a: str,
    b: str,
    articles: int,
    spans_a: list[Span],
    spans_b: list[Span],
    confusion: Counter[tuple[str, str]],
    sets: Mapping[str, frozenset[str]],
    wanted: list[str] | None,
) -> PairResult:
    """One pair's figures; span matches are counted once per label, then summed.

    Matches and overlaps only ever pair same-label spans, so the per-label
    counts are exactly those of the label-filtered spans.
    """
    count_a = Counter(map(_LABEL, spans_a))
    count_b = Counter(map(_LABEL, spans_b))
    matched = exact_matches(spans_a, spans_b)
    hits_a = overlap_hits(spans_a, spans_b)
    hits_b = overlap_hits(spans_b, spans_a)
    per_label: dict[str, dict[str, Figure]] = {}
    for lab in wanted if wanted is not None else sorted(count_a.keys() | count_b.keys()):
        na, nb = count_a[lab], count_b[lab]
        per_label[lab] = {
            "spans_a": na,
            "spans_b": nb,
            "exact_f1": exact_figure(matched[lab], na, nb),
            "overlap_f1": overlap_figure(hits_a[lab], hits_b[lab], na, nb),
            "token_kappa": kappa_from_confusion(_fold(confusion, lab, sets)),
        }
    na, nb = len(spans_a), len(spans_b)
    return PairResult(
        a=a,
        b=b,
        articles=articles,
        spans_a=na,
        spans_b=nb,
        exact_f1=exact_figure(sum(matched.values()), na, nb),
        overlap_f1=overlap_figure(sum(hits_a.values()), sum(hits_b.values()), na, nb),
        token_kappa=kappa_from_confusion(confusion),
        per_label=per_label,
    )


def compute_agreement(
    texts: Mapping[str, str],
    spans: Iterable[Span],
    done: Iterable[tuple[str, str]] = (),
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    relations: Iterable[Relation] = (),
) -> AgreementReport:
    """Pairwise span F1, token kappa and relation F1, and alpha over everyone (see the
    module docstring).

    ``texts``: article id -> plain text (the articles considered); ``spans``:
    everyone's spans, any state; ``done``: (article id, annotator) marked done;
    ``annotators``: whom to compare, in this order (default: everyone with a
    live span or a done mark, sorted; gold is an annotator like any other);
    ``labels``: keep only spans with these labels; ``relations``: everyone's
    relations, compared where both their spans are compared spans.
    """
    wanted = list(dict.fromkeys(labels)) if labels is not None else None
    keep = set(wanted) if wanted is not None else None
    annotated: dict[str, set[str]] = defaultdict(set)
    compared: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for sp in spans:
        if sp.deleted_at is not None or sp.article_id not in texts:
            continue
        annotated[sp.annotator].add(sp.article_id)
        if sp.anchor == "orphaned" or (keep is not None and sp.label not in keep):
            continue
        compared[(sp.annotator, sp.article_id)].append(sp)
    for article_id, who in done:
        if article_id in texts:
            annotated[who].add(article_id)
    names = sorted(annotated) if annotators is None else list(dict.fromkeys(annotators))

    # One article at a time: categories of everyone who annotated it, folded
    # into each pair's confusion counts and into alpha's unit patterns, then
    # dropped, so memory stays at one article's tokens whatever the corpus size.
    coders: dict[str, list[str]] = defaultdict(list)  # article -> its annotators, in names order
    for who in names:
        for art in annotated.get(who, ()):
            coders[art].append(who)
    confusions: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    units: Counter[tuple[str | None, ...]] = Counter()
    sets: dict[str, frozenset[str]] = {OUTSIDE: frozenset()}
    alpha_articles = 0
    for art in sorted(coders):
        who_did = coders[art]
        if len(who_did) < 2:
            continue  # no pair and no pairable value
        alpha_articles += 1
        index = TokenIndex(tokenize(texts[art]))
        their_spans = [compared.get((who, art), []) for who in who_did]
        index.expect(sum(map(len, their_spans)))  # dense enough: every coder reuses tables
        cats = [sweep(index, spans_of, sets) for spans_of in their_spans]
        for (a, cats_a), (b, cats_b) in combinations(zip(who_did, cats, strict=True), 2):
            confusions[(a, b)].update(zip(cats_a, cats_b, strict=True))
        # Missing values do not count in alpha, so a unit needs only the coders' values.
        units.update(zip(*cats, strict=True))

    by_id = {sp.id: sp for group in compared.values() for sp in group}
    links = relation_ends(relations, by_id)
    pairs: list[PairResult] = []
    for a, b in combinations(names, 2):
        shared = sorted(annotated.get(a, set()) & annotated.get(b, set()))
        spans_a = [sp for art in shared for sp in compared.get((a, art), ())]
        spans_b = [sp for art in shared for sp in compared.get((b, art), ())]
        confusion = confusions.get((a, b), Counter())
        pair = _pair_result(a, b, len(shared), spans_a, spans_b, confusion, sets, wanted)
        links_a: list[RelationKey] = [k for art in shared for k in links.get((a, art), ())]
        links_b: list[RelationKey] = [k for art in shared for k in links.get((b, art), ())]
        pair.relations_a, pair.relations_b = len(links_a), len(links_b)
        pair.relation_exact_f1 = relation_exact_f1(links_a, links_b)
        pair.relation_overlap_f1 = relation_overlap_f1(links_a, links_b)
        pairs.append(pair)
    return AgreementReport(
        annotators=names,
        pairs=pairs,
        alpha=alpha_from_units(units),
        alpha_articles=alpha_articles,
        label=wanted,
    )


#: Column heads of the pairwise table (the CLI's ``agreement`` and the stats screen).
TABLE_HEADS = ("a", "b", "articles", "spans a", "spans b", "exact F1", "overlap F1",
               "token kappa", "relation F1", "rel. overlap F1")


def figure_text(value: float | None) -> str:
    """A figure as shown: three decimals, or '-' when undefined (never a made-up 0 or 1)."""
    return "-" if value is None else f"{value:.3f}"


def table_rows(report: AgreementReport) -> list[tuple[str, ...]]:
    """One row of texts per pair, in ``TABLE_HEADS`` order (names as given: make them safe)."""
    return [
        (p.a, p.b, str(p.articles), str(p.spans_a), str(p.spans_b), figure_text(p.exact_f1),
         figure_text(p.overlap_f1), figure_text(p.token_kappa),
         figure_text(p.relation_exact_f1), figure_text(p.relation_overlap_f1))
        for p in report.pairs
    ]

