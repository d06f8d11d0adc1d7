"""Agreement figures: hand-worked cases, undefined cases, and equality with the references.

scikit-learn's ``cohen_kappa_score`` and the ``krippendorff`` package are the
references (test-only: the core never imports them); naive per-token and
per-span scans are the references for categories and span F1.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotations.agreement import (
    TOKEN_RE,
    AgreementReport,
    PairResult,
    cohen_kappa,
    compute_agreement,
    exact_f1,
    krippendorff_alpha_nominal,
    overlap_f1,
    token_categories,
    tokenize,
)
from annotations.agreement import categories as token_cats
from annotations.model import Span

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("claim", "denial", "context")
_ids = itertools.count()


def span(
    who: str,
    article: str,
    start: int,
    end: int,
    label: str = "claim",
    *,
    deleted: bool = False,
    anchor: str = "ok",
) -> Span:
    return Span(
        id=f"s{next(_ids)}",
        article_id=article,
        annotator=who,
        label=label,
        start=start,
        end=end,
        text="",
        deleted_at="2024-01-01T00:00:00.000000Z" if deleted else None,
        anchor=anchor,
    )


def approx(x: float | None) -> object:
    return None if x is None else pytest.approx(x, rel=1e-9, abs=1e-12)


# -- references -----------------------------------------------------------------------


def ref_kappa(x: Sequence[str], y: Sequence[str]) -> float | None:
    """scikit-learn, with nan (undefined) and empty input mapped to None."""
    if not x:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(list(x), list(y)))
    return None if math.isnan(value) else value


def ref_alpha(rows: Sequence[Sequence[str | None]]) -> float | None:
    """The krippendorff package on coded values; its ValueError and nan mean undefined."""
    codes: dict[str, int] = {}
    data = [[np.nan if v is None else codes.setdefault(v, len(codes)) for v in row] for row in rows]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(
                krippendorff.alpha(
                    reliability_data=np.array(data, dtype=float), level_of_measurement="nominal"
                )
            )
    except ValueError:
        return None
    return None if math.isnan(value) else value


def naive_categories(text: str, spans: Iterable[Span]) -> list[str]:
    spans = list(spans)
    out = []
    for m in TOKEN_RE.finditer(text):
        ts, te = m.span()
        labs = {sp.label for sp in spans if max(ts, sp.start) < min(te, sp.end)}
        out.append("+".join(sorted(labs)) if labs else "O")
    return out


def naive_exact(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    if not a and not b:
        return None
    key = lambda s: (s.article_id, s.start, s.end, s.label)  # noqa: E731
    matched = sum((Counter(map(key, a)) & Counter(map(key, b))).values())
    return 2 * matched / (len(a) + len(b))


def _touches(x: Span, ys: Sequence[Span]) -> bool:
    return any(
        y.article_id == x.article_id
        and y.label == x.label
        and max(x.start, y.start) < min(x.end, y.end)
        for y in ys
    )


def naive_overlap(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    if not a or not b:
        return None
    p = sum(_touches(x, a) for x in b) / len(b)
    r = sum(_touches(x, b) for x in a) / len(a)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def reference_report(
    texts: Mapping[str, str],
    spans: Sequence[Span],
    done: Sequence[tuple[str, str]],
    labels: Sequence[str] | None = None,
) -> dict:
    """The issue's definitions, written out the slow way with the reference libraries."""
    annotated: dict[str, set[str]] = {}
    for sp in spans:
        if sp.deleted_at is None and sp.article_id in texts:
            annotated.setdefault(sp.annotator, set()).add(sp.article_id)
    for art, who in done:
        if art in texts:
            annotated.setdefault(who, set()).add(art)
    names = sorted(annotated)

    def kept(who: str, art: str) -> list[Span]:
        return [
            sp
            for sp in spans
            if sp.annotator == who
            and sp.article_id == art
            and sp.deleted_at is None
            and sp.anchor != "orphaned"
            and (labels is None or sp.label in labels)
        ]

    def kept_l(who: str, art: str, lab: str) -> list[Span]:
        return [s for s in kept(who, art) if s.label == lab]

    pairs = []
    for a, b in itertools.combinations(names, 2):
        shared = sorted(annotated[a] & annotated[b])
        sa = [sp for art in shared for sp in kept(a, art)]
        sb = [sp for art in shared for sp in kept(b, art)]
        xa = [c for art in shared for c in naive_categories(texts[art], kept(a, art))]
        xb = [c for art in shared for c in naive_categories(texts[art], kept(b, art))]
        pair_labels = labels if labels is not None else sorted({s.label for s in sa + sb})
        per_label = {}
        for lab in pair_labels:
            la = [s for s in sa if s.label == lab]
            lb = [s for s in sb if s.label == lab]
            ya = [c for art in shared for c in naive_categories(texts[art], kept_l(a, art, lab))]
            yb = [c for art in shared for c in naive_categories(texts[art], kept_l(b, art, lab))]
            per_label[lab] = {
                "spans_a": len(la),
                "spans_b": len(lb),
                "exact_f1": naive_exact(la, lb),
                "overlap_f1": naive_overlap(la, lb),
                "token_kappa": ref_kappa(ya, yb),
            }
        pairs.append(
            {
                "a": a,
                "b": b,
                "articles": len(shared),
                "spans_a": len(sa),
                "spans_b": len(sb),
                "exact_f1": naive_exact(sa, sb),
                "overlap_f1": naive_overlap(sa, sb),
                "token_kappa": ref_kappa(xa, xb),
                "per_label": per_label,
            }
        )

    rows: list[list[str | None]] = [[] for _ in names]
    alpha_articles = 0
    for art in sorted(texts):
        coders = [who for who in names if art in annotated[who]]
        if len(coders) < 2:
            continue
        alpha_articles += 1
        ntok = len(tokenize(texts[art]))
        for row, who in zip(rows, names, strict=True):
            row.extend(
                naive_categories(texts[art], kept(who, art)) if who in coders else [None] * ntok
            )
    return {
        "annotators": names,
        "pairs": pairs,
        "alpha": ref_alpha(rows) if names else None,
        "alpha_articles": alpha_articles,
    }


def assert_same(got: dict, want: dict) -> None:
    """Equal, with floats compared approximately and None only equal to None."""
    assert got.keys() >= want.keys()
    for key, value in want.items():
        if isinstance(value, dict):
            assert_same(got[key], value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert len(got[key]) == len(value)
            for g, w in zip(got[key], value, strict=True):
                assert_same(g, w)
        elif isinstance(value, float):
            assert got[key] == approx(value), key
        else:
            assert got[key] == value, key


# -- tokens and categories ------------------------------------------------------------

TEXT = "Police said the man fled. He denied it."
#       0     6 7  11  15  19   24 26 29    36 38
# tokens: Police said the man fled . He denied it .


def test_tokenize_words_and_punctuation() -> None:
    toks = tokenize(TEXT)
    assert [TEXT[s:e] for s, e in toks] == [
        "Police", "said", "the", "man", "fled", ".", "He", "denied", "it", ".",
    ]  # fmt: skip
    assert tokenize("") == [] and tokenize("  \n ") == []


def test_overlapping_spans_give_joined_categories() -> None:
    spans = [span("x", "a", 0, 24, "claim"), span("x", "a", 20, 35, "denial")]
    assert token_categories(TEXT, spans) == [
        "claim", "claim", "claim", "claim", "claim+denial", "denial", "denial", "denial",
        "O", "O",
    ]  # fmt: skip


def test_one_shared_character_is_enough_and_touching_is_not() -> None:
    # [11, 13) shares "th" with "the"; [6, 7) is the space before "said": no token.
    spans = [span("x", "a", 11, 13, "context"), span("x", "a", 6, 7, "claim")]
    assert token_categories(TEXT, spans)[:4] == ["O", "O", "context", "O"]
    # Zero-width and out-of-text spans colour nothing.
    spans = [span("x", "a", 12, 12, "claim"), span("x", "a", 100, 120, "claim")]
    assert set(token_categories(TEXT, spans)) == {"O"}


def test_token_categories_accepts_tokens() -> None:
    toks = tokenize(TEXT)
    spans = [span("x", "a", 26, 28, "denial")]
    assert token_categories(toks, spans) == token_categories(TEXT, spans, tokens=toks)
    assert token_categories(toks, spans)[6] == "denial"
    with pytest.raises(ValueError):
        token_categories([(5, 9), (0, 3)], spans)
    with pytest.raises(ValueError):
        token_categories([(0, 0)], spans)
    with pytest.raises(ValueError):
        token_categories([(-2, 3)], spans)
    # Tokens need not come from TOKEN_RE: any sorted, disjoint ranges with gaps work.
    custom = [(0, 2), (5, 9), (9, 10), (30, 40)]
    spans = [span("x", "a", 1, 6, "claim"), span("x", "a", 10, 30, "denial")]
    assert token_categories(custom, spans) == ["claim", "claim", "O", "O"]


words = st.lists(
    st.sampled_from(["Police", "said", ",", ".", "é", "he", "denied", "it", " ", "\n", "«»"]),
    max_size=25,
).map(" ".join)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(words)
    n = len(text) + 3
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, n), st.integers(0, 12), st.sampled_from(LABELS)),
            max_size=12,
        )
    )
    return text, [span("x", "a", s - 2, s - 2 + w, lab) for s, w, lab in raw]


@settings(max_examples=150, deadline=None)
@given(text_and_spans())
def test_token_categories_equal_naive_scan(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    want = naive_categories(text, spans)
    assert token_categories(text, spans) == want
    # Both ways of locating token ranges: bisect (sparse spans) and lookup tables (dense).
    saved = token_cats.TABLE_DENSITY
    try:
        for density in (0, 10**9):
            token_cats.TABLE_DENSITY = density
            assert token_categories(text, spans) == want
    finally:
        token_cats.TABLE_DENSITY = saved


# -- span F1 --------------------------------------------------------------------------


def test_span_f1_hand_worked() -> None:
    a = [span("A", "a", 0, 5, "claim"), span("A", "a", 10, 15, "denial")]
    b = [
        span("B", "a", 0, 5, "claim"),
        span("B", "a", 10, 14, "denial"),
        span("B", "a", 20, 25, "context"),
    ]
    # exact: one identical (0, 5, claim) -> 2 * 1 / (2 + 3) = 0.4
    assert exact_f1(a, b) == pytest.approx(0.4)
    # overlap: P = 2/3 of B touch A (context does not), R = 2/2 -> 2 * 2/3 / (5/3) = 0.8
    assert overlap_f1(a, b) == pytest.approx(0.8)
    assert overlap_f1(b, a) == pytest.approx(0.8)


def test_span_f1_needs_same_article_and_label() -> None:
    a = [span("A", "a", 0, 5, "claim")]
    assert exact_f1(a, [span("B", "b", 0, 5, "claim")]) == 0.0
    assert exact_f1(a, [span("B", "a", 0, 5, "denial")]) == 0.0
    assert overlap_f1(a, [span("B", "a", 2, 3, "denial")]) == 0.0  # P + R == 0: defined 0
    assert overlap_f1(a, [span("B", "a", 5, 9, "claim")]) == 0.0  # touching shares nothing


def test_exact_f1_duplicates_count_as_a_multiset() -> None:
    a = [span("A", "a", 0, 5), span("A", "a", 0, 5)]
    b = [span("B", "a", 0, 5)]
    # min(2, 1) = 1 match -> 2 * 1 / 3
    assert exact_f1(a, b) == pytest.approx(2 / 3)
    assert exact_f1(a, a) == 1.0


def test_span_f1_undefined() -> None:
    a = [span("A", "a", 0, 5)]
    assert exact_f1([], []) is None
    assert exact_f1(a, []) == 0.0  # defined: nothing of A found
    assert overlap_f1(a, []) is None  # P undefined
    assert overlap_f1([], a) is None  # R undefined
    assert overlap_f1([], []) is None


def test_overlap_f1_zero_width_spans_count_but_never_touch() -> None:
    a = [span("A", "a", 0, 5), span("A", "a", 3, 3)]
    b = [span("B", "a", 0, 5)]
    # P = 1/1; R = 1/2 -> 2 * 0.5 / 1.5 = 2/3
    assert overlap_f1(a, b) == pytest.approx(2 / 3)


span_lists = st.lists(
    st.builds(
        span,
        st.just("A"),
        st.sampled_from(["a", "b"]),
        st.integers(0, 20),
        st.integers(0, 20),
        st.sampled_from(LABELS),
    ),
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(span_lists, span_lists)
def test_span_f1_equal_naive_and_symmetric(a: list[Span], b: list[Span]) -> None:
    assert exact_f1(a, b) == approx(naive_exact(a, b))
    assert overlap_f1(a, b) == approx(naive_overlap(a, b))
    assert exact_f1(a, b) == exact_f1(b, a)
    assert overlap_f1(a, b) == approx(overlap_f1(b, a))
    if a:
        assert exact_f1(a, a) == 1.0


# -- kappa ----------------------------------------------------------------------------


def test_kappa_hand_worked() -> None:
    # po = 3/4; pe = (2/4)(1/4) + (2/4)(3/4) = 1/2 -> (3/4 - 1/2) / (1 - 1/2) = 0.5
    assert cohen_kappa(["c", "c", "O", "O"], ["c", "O", "O", "O"]) == pytest.approx(0.5)
    assert cohen_kappa(["c", "O"], ["c", "O"]) == 1.0
    # Total disagreement with no chance overlap: po = 0, pe = 0 -> 0.0, defined.
    assert cohen_kappa(["O", "O"], ["c", "c"]) == 0.0


def test_kappa_undefined() -> None:
    assert cohen_kappa([], []) is None  # no tokens
    assert cohen_kappa(["O"] * 5, ["O"] * 5) is None  # pe == 1 (sklearn: nan)
    with pytest.raises(ValueError):
        cohen_kappa(["O"], [])


categories = st.sampled_from(["O", "claim", "denial", "claim+denial", "context"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(categories, categories), max_size=40))
def test_kappa_equals_sklearn(pairs: list[tuple[str, str]]) -> None:
    x = [p[0] for p in pairs]
    y = [p[1] for p in pairs]
    assert cohen_kappa(x, y) == approx(ref_kappa(x, y))


# -- alpha ----------------------------------------------------------------------------


def test_alpha_hand_worked() -> None:
    # Units (a,a) (a,b) (b,b): n = 6, n_a = n_b = 3, one disagreeing unit with
    # off-diagonal 2^2 - 1 - 1 = 2 over m - 1 = 1 -> D_o = 2;
    # alpha = 1 - (n - 1) * D_o / (n^2 - sum n_c^2) = 1 - 5 * 2 / 18 = 4/9.
    assert krippendorff_alpha_nominal([("a", "a"), ("a", "b"), ("b", "b")]) == pytest.approx(4 / 9)
    # A unit with a single value is not pairable and changes nothing.
    units = [("a", "a", None), ("a", "b", None), ("b", None, "b"), (None, "a", None)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(4 / 9)
    # Krippendorff's own example (nominal, 3 coders, 12 pairable units) -> 0.691358.
    nan = None
    rows = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    assert krippendorff_alpha_nominal(zip(*rows, strict=True)) == pytest.approx(0.691358, abs=1e-6)


def test_alpha_undefined() -> None:
    assert krippendorff_alpha_nominal([]) is None  # nothing at all
    assert krippendorff_alpha_nominal([("a", None), (None, "b")]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([("O", "O")] * 4) is None  # one category: D_e = 0
    assert krippendorff_alpha_nominal([("O", "O"), ("c", None)]) is None  # c not pairable


values = st.one_of(st.none(), st.sampled_from(["O", "claim", "denial", "claim+denial"]))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.lists(st.lists(values, min_size=k, max_size=k))))
def test_alpha_equals_krippendorff_package(units: list[list[str | None]]) -> None:
    rows = [list(r) for r in zip(*units, strict=True)] if units else [[]]
    assert krippendorff_alpha_nominal(units) == approx(ref_alpha(rows))


# -- compute_agreement ----------------------------------------------------------------


def test_compute_agreement_hand_worked() -> None:
    texts = {"a1": TEXT}
    spans = [
        span("alice", "a1", 0, 24, "claim"),  # tokens 0-4: Police said the man fled
        span("bob", "a1", 0, 11, "claim"),  # tokens 0-1: Police said
        span("bob", "a1", 26, 35, "denial"),  # tokens 6-7: He denied
    ]
    report = compute_agreement(texts, spans)
    assert report.annotators == ["alice", "bob"]
    (pair,) = report.pairs
    assert (pair.a, pair.b, pair.articles, pair.spans_a, pair.spans_b) == ("alice", "bob", 1, 1, 2)
    assert pair.exact_f1 == 0.0
    # P = 1/2 (bob's denial touches nothing), R = 1/1 -> 2 * 1/2 / (3/2) = 2/3
    assert pair.overlap_f1 == pytest.approx(2 / 3)
    # alice: c c c c c O O O O O ; bob: c c O O O O d d O O
    # agree 5/10; chance = (5*2 + 5*6) / 100 = 0.4 -> (0.5 - 0.4) / 0.6 = 1/6
    assert pair.token_kappa == pytest.approx(1 / 6)
    # 10 units, n = 20, n_c = 7, n_O = 11, n_d = 2; 5 disagreeing units x 2 -> D_o = 10;
    # alpha = 1 - 19 * 10 / (400 - 49 - 121 - 4) = 1 - 190/226 = 18/113
    assert report.alpha == pytest.approx(18 / 113)
    assert report.alpha_articles == 1
    # claim only: alice c*5 O*5, bob c*2 O*8: agree 7/10, chance (5*2 + 5*8)/100 = 0.5 -> 0.4
    assert pair.per_label["claim"] == {
        "spans_a": 1, "spans_b": 1, "exact_f1": 0.0, "overlap_f1": 1.0,
        "token_kappa": pytest.approx(0.4),
    }  # fmt: skip
    # denial only: alice all O, bob d on 2 tokens: agree 8/10, chance 10*8/100 -> 0.0
    assert pair.per_label["denial"] == {
        "spans_a": 0, "spans_b": 1, "exact_f1": 0.0, "overlap_f1": None, "token_kappa": 0.0,
    }  # fmt: skip
    assert set(pair.per_label) == {"claim", "denial"}


def test_label_filter() -> None:
    texts = {"a1": TEXT}
    spans = [
        span("alice", "a1", 0, 24, "claim"),
        span("bob", "a1", 0, 11, "claim"),
        span("bob", "a1", 26, 35, "denial"),
    ]
    report = compute_agreement(texts, spans, labels=["denial"])
    (pair,) = report.pairs
    # alice's claim-only work still makes a1 hers: she is all O there.
    assert (pair.articles, pair.spans_a, pair.spans_b) == (1, 0, 1)
    assert (pair.exact_f1, pair.overlap_f1, pair.token_kappa) == (0.0, None, 0.0)
    assert list(pair.per_label) == ["denial"]
    # n = 20: O 18, d 2; two disagreeing units -> D_o = 4; 1 - 19 * 4 / (400 - 324 - 4) = -1/18
    assert report.alpha == pytest.approx(-1 / 18)
    assert report.label == ["denial"]
    assert report.to_dict()["labels"] == ["denial"]
    # A requested label nobody used still gets its (undefined) row.
    (pair,) = compute_agreement(texts, spans, labels=["context"]).pairs
    assert pair.per_label == {
        "context": {
            "spans_a": 0, "spans_b": 0, "exact_f1": None, "overlap_f1": None, "token_kappa": None,
        }
    }  # fmt: skip


def test_annotated_by_rule() -> None:
    texts = {"a1": TEXT, "a2": "He denied it.", "a3": "Nothing here."}
    spans = [
        span("alice", "a1", 0, 24, "claim"),
        span("dave", "a2", 0, 2, "claim"),  # spans, not done: annotated a2
        span("eve", "a1", 0, 6, "claim", deleted=True),  # deleted only: annotated nothing
        span("frank", "a1", 0, 6, "claim", anchor="orphaned"),  # live: annotated, not compared
        span("gina", "zz", 0, 6, "claim"),  # article not in texts: ignored
    ]
    done = [("a1", "carol"), ("a2", "carol"), ("zz", "hank")]
    report = compute_agreement(texts, spans, done)
    assert report.annotators == ["alice", "carol", "dave", "frank"]
    pairs = {(p.a, p.b): p for p in report.pairs}
    assert len(pairs) == 6
    ac = pairs[("alice", "carol")]
    # carol is done with no spans: all O on a1 -> agree 5/10, chance 5*10/100 -> 0.0
    assert (ac.articles, ac.spans_a, ac.spans_b) == (1, 1, 0)
    assert (ac.exact_f1, ac.overlap_f1, ac.token_kappa) == (0.0, None, 0.0)
    ad = pairs[("alice", "dave")]  # no shared article: nothing defined
    assert (ad.articles, ad.spans_a, ad.spans_b) == (0, 0, 0)
    assert (ad.exact_f1, ad.overlap_f1, ad.token_kappa, ad.per_label) == (None, None, None, {})
    cd = pairs[("carol", "dave")]
    assert (cd.articles, cd.spans_a, cd.spans_b) == (1, 0, 1)
    cf = pairs[("carol", "frank")]  # both all O on a1: pe == 1
    assert (cf.articles, cf.exact_f1, cf.overlap_f1, cf.token_kappa) == (1, None, None, None)
    assert report.alpha_articles == 2  # a1 (alice, carol, frank), a2 (carol, dave)


def test_explicit_annotators_keep_order_and_restrict() -> None:
    texts = {"a1": TEXT}
    spans = [span("gold", "a1", 0, 24), span("bob", "a1", 0, 24), span("zed", "a1", 0, 6)]
    report = compute_agreement(texts, spans, annotators=["gold", "bob", "nobody"])
    assert report.annotators == ["gold", "bob", "nobody"]
    assert [(p.a, p.b) for p in report.pairs] == [
        ("gold", "bob"), ("gold", "nobody"), ("bob", "nobody"),
    ]  # fmt: skip
    gb = report.pairs[0]
    assert (gb.exact_f1, gb.overlap_f1, gb.token_kappa) == (1.0, 1.0, 1.0)
    assert report.pairs[1].articles == 0
    assert report.alpha == 1.0  # zed's disagreement is not counted


def test_single_annotator_and_empty() -> None:
    report = compute_agreement({"a1": TEXT}, [span("alice", "a1", 0, 24)])
    assert report.pairs == [] and report.alpha is None and report.alpha_articles == 0
    empty = compute_agreement({}, [])
    assert empty.to_dict() == {"annotators": [], "pairs": [], "alpha": None, "alpha_articles": 0}


def test_overlapping_spans_in_compute_agreement() -> None:
    texts = {"a1": TEXT}
    spans = [
        span("alice", "a1", 0, 24, "claim"),
        span("alice", "a1", 20, 35, "denial"),
        span("bob", "a1", 0, 24, "claim"),
        span("bob", "a1", 20, 35, "denial"),
        span("carol", "a1", 0, 35, "claim"),
    ]
    report = compute_agreement(texts, spans)
    cats = {
        who: naive_categories(TEXT, [s for s in spans if s.annotator == who])
        for who in ("alice", "bob", "carol")
    }
    assert "claim+denial" in cats["alice"]
    pairs = {(p.a, p.b): p for p in report.pairs}
    assert pairs[("alice", "bob")].token_kappa == 1.0
    want = ref_kappa(cats["alice"], cats["carol"])
    assert pairs[("alice", "carol")].token_kappa == approx(want)
    assert report.alpha == approx(ref_alpha(list(cats.values())))
    # claim only: carol's claim covers alice's claim and more.
    claim = pairs[("alice", "carol")].per_label["claim"]
    fold = lambda xs: ["claim" if "claim" in c.split("+") else "O" for c in xs]  # noqa: E731
    assert claim["token_kappa"] == approx(ref_kappa(fold(cats["alice"]), fold(cats["carol"])))


def test_json_shape_with_nulls() -> None:
    texts = {"a1": TEXT, "a2": "He denied it."}
    spans = [span("alice", "a1", 0, 24), span("bob", "a1", 0, 24), span("bob", "a2", 0, 2)]
    report = compute_agreement(texts, spans, done=[("a2", "carol")])
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {"annotators", "pairs", "alpha", "alpha_articles"}
    assert data["annotators"] == ["alice", "bob", "carol"]
    for pair in data["pairs"]:
        assert set(pair) == {
            "a", "b", "articles", "spans_a", "spans_b", "exact_f1", "overlap_f1",
            "token_kappa", "per_label", "relations_a", "relations_b", "relation_exact_f1",
            "relation_overlap_f1",
        }  # fmt: skip
    ac = data["pairs"][1]
    assert (ac["a"], ac["b"], ac["articles"]) == ("alice", "carol", 0)
    assert ac["exact_f1"] is None and ac["token_kappa"] is None
    assert '"exact_f1": null' in json.dumps(report.to_dict())
    assert data["pairs"][0]["per_label"]["claim"]["exact_f1"] == 1.0
    assert isinstance(report, AgreementReport) and isinstance(report.pairs[0], PairResult)


@st.composite
def datasets(draw: st.DrawFn) -> tuple[dict[str, str], list[Span], list[tuple[str, str]]]:
    texts = {art: draw(words) for art in draw(st.sets(st.sampled_from("pqrs"), max_size=3))}
    arts = sorted(texts) or ["p"]
    who = st.sampled_from(["ann", "bo", "cy", "gold"])
    spans = []
    for _ in range(draw(st.integers(0, 14))):
        art = draw(st.sampled_from(arts))
        start = draw(st.integers(0, len(texts.get(art, "")) + 2))
        spans.append(
            span(
                draw(who),
                art,
                start,
                start + draw(st.integers(0, 15)),
                draw(st.sampled_from(LABELS)),
                deleted=draw(st.sampled_from([False, False, False, True])),
                anchor=draw(st.sampled_from(["ok", "ok", "ok", "moved", "orphaned"])),
            )
        )
    done = draw(st.lists(st.tuples(st.sampled_from(arts), who), max_size=4))
    return texts, spans, done


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.sampled_from([None, ["claim"], ["denial", "context"]]))
def test_compute_agreement_equals_references(
    data: tuple[dict[str, str], list[Span], list[tuple[str, str]]], labels: list[str] | None
) -> None:
    texts, spans, done = data
    report = compute_agreement(texts, spans, done, labels=labels)
    assert_same(report.to_dict(), reference_report(texts, spans, done, labels))
    assert json.loads(json.dumps(report.to_dict())) == report.to_dict()


def _random_corpus(seed: int, articles: int, coders: Sequence[str]) -> tuple[dict, list, list]:
    rng = random.Random(seed)
    vocab = "the police said that he fled , denied it . officials « reported » 2024".split()
    texts = {
        f"art{i:03d}": " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 120)))
        for i in range(articles)
    }
    spans: list[Span] = []
    done: list[tuple[str, str]] = []
    for art, text in texts.items():
        for who in coders:
            roll = rng.random()
            if roll < 0.2:
                continue
            if roll < 0.3:
                done.append((art, who))
                continue
            for _ in range(rng.randint(0, 6)):
                start = rng.randint(0, max(0, len(text) - 1))
                end = min(len(text), start + rng.randint(1, 60))
                spans.append(span(who, art, start, end, rng.choice(LABELS)))
    return texts, spans, done


def test_seeded_larger_corpus_equals_references() -> None:
    texts, spans, done = _random_corpus(7, 40, ["ann", "bo", "cy", "gold"])
    report = compute_agreement(texts, spans, done)
    want = reference_report(texts, spans, done)
    assert want["alpha"] is not None and all(p["token_kappa"] is not None for p in want["pairs"])
    assert_same(report.to_dict(), want)
    # Same figures whether token ranges come from bisect or from lookup tables.
    saved = token_cats.TABLE_DENSITY
    try:
        for density in (0, 10**9):
            token_cats.TABLE_DENSITY = density
            assert compute_agreement(texts, spans, done).to_dict() == report.to_dict()
    finally:
        token_cats.TABLE_DENSITY = saved


def test_core_does_not_import_heavy_packages() -> None:
    code = (
        "import sys, annotations.agreement\n"
        "bad = {'numpy', 'sklearn', 'krippendorff', 'textual', 'rich'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
