"""Inter-annotator agreement: span F1, token Cohen's kappa, Krippendorff's alpha.

Reviewers decide from these figures whether a batch is good enough to become
gold, and the CLI, the stats screen and the benchmarks must all report the
same numbers, so they are computed once, here. Pure Python (no numpy) keeps
the core light; scikit-learn and ``krippendorff`` are only the tests'
references, and the tests check that the figures equal theirs.

Definitions (from the issue) and the decisions the issue left open:

* Compared spans are live (``deleted_at is None``) and not ``orphaned``: an
  orphaned span has no trustworthy offsets.
* X annotated an article if X marked it done or has at least one live span on
  it (orphaned or not, any label). The ``labels`` filter does not change which
  articles were annotated: an annotator who found no claim in an article still
  read it, so with ``labels=["claim"]`` the article counts as all ``O`` for
  them instead of vanishing from the comparison.
* ``texts`` is the universe: spans and done marks on articles missing from it
  are ignored (pass a subset of texts to compare a subset of articles).
* A pair (A, B) is compared on the articles both annotated; ``spans_a`` and
  ``spans_b`` count A's and B's compared spans on those articles.
* exact F1 = 2 x matches / (|A| + |B|); spans are a multiset keyed by
  (article, start, end, label), so duplicates match at most min(count in A,
  count in B) times. ``None`` when |A| + |B| == 0.
* overlap F1: P = share of B's spans sharing a character with a same-label
  span of A, R = the same from A's side. ``None`` when either side has no
  spans (P or R undefined); 0.0 when P + R == 0 (defined, just no overlap).
  Zero-width spans cover no character: they count in the denominators but
  never overlap anything and never colour a token.
* Tokens are matches of ``TOKEN_RE``; a token's category for an annotator is
  the ``+``-joined sorted set of labels of their spans sharing a character
  with it, or ``O``. (So label names containing ``+`` or equal to ``O`` would
  be ambiguous.)
* token kappa: Cohen's kappa over all tokens of the compared articles;
  ``None`` when there are no tokens or when chance agreement is 1 (both used
  one and the same category everywhere), where scikit-learn gives nan.
* alpha: nominal Krippendorff's alpha; every token of every article annotated
  by at least two of the selected annotators is a unit, and an annotator who
  did not annotate the article is missing there. ``None`` when no unit has two
  values or when expected disagreement is 0 (one category only), where the
  ``krippendorff`` package raises or gives nan.
* ``per_label``: for each label among the pair's compared spans (or each
  requested label when ``labels`` is given): spans_a, spans_b and the three
  figures with only that label kept (kappa then compares label vs ``O``).

Speed (pure Python, but the per-token and per-span work runs in C builtins):
token categories locate each span's token range by bisect (or, for dense
spans, by per-character lookup tables) and turn +1/-1 marks into per-token
counts with ``accumulate``; kappa and alpha are computed from ``Counter``s of
(category, category) pairs and of per-unit value tuples, so the Python-level
work is per distinct pattern, never per token; alpha never builds a dense
reliability matrix. ``compute_agreement`` walks one article at a time, so its
memory stays at one article's tokens.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from itertools import accumulate, combinations, compress, islice, repeat
from typing import Any

from annotations.model import Span
from annotations.tokens import TOKEN_RE, tokenize

__all__ = [
    "OUTSIDE",
    "TOKEN_RE",
    "AgreementReport",
    "PairResult",
    "TABLE_HEADS",
    "cohen_kappa",
    "compute_agreement",
    "exact_f1",
    "figure_text",
    "krippendorff_alpha_nominal",
    "overlap_f1",
    "table_rows",
    "token_categories",
    "tokenize",
]


#: Category of a token no span touches.
OUTSIDE = "O"

Figure = float | int | None


_STARTS = operator.itemgetter(0)
_ENDS = operator.itemgetter(1)
_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
_LABEL = operator.attrgetter("label")
_KEY = operator.attrgetter("article_id", "start", "end", "label")

#: Use character lookup tables instead of bisect once spans are this dense
#: (one per this many characters): building them is O(text length) in C, and
#: a random bisect over a long token list costs about as much as 10 characters.
_TABLE_DENSITY = 16
#: Texts up to this many characters get list tables, longer ones compact arrays.
_LIST_TABLE_LIMIT = 1 << 20


class _TokenIndex:
    """Sorted token bounds of one text, to find the tokens a character range touches.

    Built once per article and shared by every annotator's sweep.
    """

    __slots__ = ("starts", "ends", "size", "_first_after", "_first_from")

    def __init__(self, tokens: Sequence[tuple[int, int]], check: bool = False) -> None:
        self.starts = list(map(_STARTS, tokens))
        self.ends = list(map(_ENDS, tokens))
        if check:
            if self.starts and self.starts[0] < 0:
                raise ValueError("token offsets must not be negative")
            if not all(map(operator.lt, self.starts, self.ends)):
                raise ValueError("tokens must be non-empty (start < end)")
            if not all(map(operator.le, self.ends, self.starts[1:])):
                raise ValueError("tokens must be sorted and non-overlapping")
        self.size = self.ends[-1] if self.ends else 0
        self._first_after: Sequence[int] | None = None
        self._first_from: Sequence[int] | None = None

    def __len__(self) -> int:
        return len(self.starts)

    def build_tables(self) -> tuple[Sequence[int], Sequence[int]]:
        """Per character c: tokens ending at or before c, and tokens starting before c.

        Lists are faster to build and read; past a million characters, 4-byte
        arrays keep the memory at 8 bytes per character.
        """
        if self._first_after is None or self._first_from is None:
            store: Callable[[Iterable[int]], Sequence[int]] = (
                list if self.size <= _LIST_TABLE_LIMIT else partial(array, "i")
            )
            marks = bytearray(self.size + 1)
            deque(map(marks.__setitem__, self.ends, repeat(1)), maxlen=0)
            self._first_after = store(accumulate(marks))
            marks = bytearray(self.size + 1)
            deque(map(marks.__setitem__, map((1).__add__, self.starts), repeat(1)), maxlen=0)
            self._first_from = store(accumulate(marks))
        return self._first_after, self._first_from

    def ranges(self, starts: list[int], ends: list[int]) -> tuple[Iterable[int], Iterable[int]]:
        """For ranges [s, e) with s < e: index of the first token touched, and one past the last.

        A range touches token t iff ends[t] > s and starts[t] < e, so the first
        is bisect_right(ends, s) and one past the last is bisect_left(starts, e).
        """
        if self._first_after is None and len(starts) * _TABLE_DENSITY < self.size:
            return (
                map(bisect_right, repeat(self.ends), starts),
                map(bisect_left, repeat(self.starts), ends),
            )
        first_after, first_from = self.build_tables()
        size = self.size
        if starts and (min(starts) < 0 or max(ends) > size):  # s < e: these two bound all
            starts = [min(max(s, 0), size) for s in starts]
            ends = [min(max(e, 0), size) for e in ends]
        return map(first_after.__getitem__, starts), map(first_from.__getitem__, ends)


class _Decoder(dict[Any, str]):
    """Per-token label counts (an int for one label, a tuple for several) -> category.

    Filled on first sight of each distinct count pattern, so decoding a token
    costs one dict lookup in C.
    """

    def __init__(self, labels: list[str], sets: dict[str, frozenset[str]] | None) -> None:
        super().__init__()
        self.labels = labels
        self.sets = sets

    def __missing__(self, counts: int | tuple[int, ...]) -> str:
        per_label = (counts,) if isinstance(counts, int) else counts
        present = [lab for lab, k in zip(self.labels, per_label, strict=True) if k]
        cat = self[counts] = "+".join(present) or OUTSIDE
        if self.sets is not None:
            self.sets.setdefault(cat, frozenset(present))
        return cat


def _sweep(
    index: _TokenIndex,
    spans: Iterable[Span],
    sets: dict[str, frozenset[str]] | None = None,
) -> list[str]:
    """Category of each token: locate each span's token range, then prefix sums.

    Each span adds +1 at its first token and -1 after its last one in its
    label's difference array; ``accumulate`` (in C) turns those into per-token
    counts and a decoder dict turns counts into category strings. No per-token
    scan of spans and no per-span walk over tokens: O(spans log tokens +
    tokens x labels), the per-token part all in C. ``sets`` (if given) learns
    the label set behind each category.
    """
    n = len(index)
    if sets is not None:
        sets.setdefault(OUTSIDE, frozenset())
    spans = spans if isinstance(spans, list) else list(spans)
    if not spans or not n:
        return [OUTSIDE] * n
    starts = list(map(_START, spans))
    ends = list(map(_END, spans))
    labels = list(map(_LABEL, spans))
    if not all(map(operator.lt, starts, ends)):  # zero-width spans cover nothing
        keep = list(map(operator.lt, starts, ends))
        starts, ends = list(compress(starts, keep)), list(compress(ends, keep))
        labels = list(compress(labels, keep))
        if not labels:
            return [OUTSIDE] * n
    names = sorted(set(labels))
    diffs = {lab: [0] * (n + 1) for lab in names}
    firsts, stops = index.ranges(starts, ends)
    # first <= stop always holds for s < e; an untouched range adds and removes at one index.
    for first, stop, diff in zip(firsts, stops, map(diffs.__getitem__, labels), strict=True):
        diff[first] += 1
        diff[stop] -= 1
    counts: Iterable[Any]
    if len(names) == 1:
        counts = accumulate(islice(diffs[names[0]], n))
    else:
        counts = zip(*(accumulate(islice(diffs[lab], n)) for lab in names), strict=True)
    return list(map(_Decoder(names, sets).__getitem__, counts))


def token_categories(
    text_or_tokens: str | Sequence[tuple[int, int]],
    spans: Sequence[Span],
    tokens: list[tuple[int, int]] | None = None,
) -> list[str]:
    """Category of each token for one annotator's ``spans`` (used as given, unfiltered).

    Pass the article text (tokenised with ``tokenize``) or a token list
    (sorted, non-overlapping, non-empty ``(start, end)`` pairs); ``tokens``
    overrides the text's own tokenisation, so callers can tokenise once.
    """
    if tokens is None and isinstance(text_or_tokens, str):
        return _sweep(_TokenIndex(tokenize(text_or_tokens)), spans)
    given = text_or_tokens if tokens is None else tokens
    return _sweep(_TokenIndex(given, check=True), spans)  # type: ignore[arg-type]


# -- span F1 --------------------------------------------------------------------------


def _exact_matches(a: Sequence[Span], b: Sequence[Span]) -> Counter[str]:
    """Label -> identical (article, start, end, label) pairs, duplicates as a multiset."""
    ca = Counter(map(_KEY, a))
    cb = Counter(map(_KEY, b))
    if len(cb) < len(ca):
        ca, cb = cb, ca
    matched: Counter[str] = Counter()
    for key, n in ca.items():
        m = cb.get(key)
        if m:
            matched[key[3]] += min(n, m)
    return matched


def _overlap_hits(src: Sequence[Span], ref: Sequence[Span]) -> Counter[str]:
    """Label -> how many of ``src`` share a character with a same-label span of ``ref``.

    ``ref`` is indexed per (article, label) by sorted start with a running
    maximum of ends: some ref span overlaps [s, e) iff among those starting
    before e the largest end exceeds s. The per-span test runs as C-level maps.
    """
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for sp in ref:
        if sp.end > sp.start:
            groups[(sp.article_id, sp.label)].append((sp.start, sp.end))
    queries: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for sp in src:
        if sp.end > sp.start and (sp.article_id, sp.label) in groups:
            queries[(sp.article_id, sp.label)].append((sp.start, sp.end))
    hits: Counter[str] = Counter()
    for key, asked in queries.items():
        pairs = sorted(groups[key])
        starts = list(map(_STARTS, pairs))
        reach = [-1, *accumulate(map(_ENDS, pairs), max)]  # reach[k]: max end of first k
        firsts = map(bisect_left, repeat(starts), map(_ENDS, asked))
        hits[key[1]] += sum(map(operator.gt, map(reach.__getitem__, firsts), map(_STARTS, asked)))
    return hits


def _exact_figure(matched: int, na: int, nb: int) -> float | None:
    return None if na + nb == 0 else 2 * matched / (na + nb)


def _overlap_figure(hits_a: int, hits_b: int, na: int, nb: int) -> float | None:
    """2PR / (P + R) with P = hits_b / nb and R = hits_a / na, in integers to stay exact."""
    if na == 0 or nb == 0:
        return None  # P or R undefined
    if hits_a == 0 or hits_b == 0:
        return 0.0  # P + R == 0, or 2PR == 0 with P + R > 0
    return 2 * hits_a * hits_b / (hits_a * nb + hits_b * na)


def exact_f1(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    """2 x |same (article, start, end, label)| / (|A| + |B|), duplicates as a multiset."""
    return _exact_figure(sum(_exact_matches(a, b).values()), len(a), len(b))


def overlap_f1(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    """F1 of P (B's spans touching a same-label span of A) and R (the same from A's side)."""
    if not a or not b:
        return None
    hits_a = sum(_overlap_hits(a, b).values())
    hits_b = sum(_overlap_hits(b, a).values())
    return _overlap_figure(hits_a, hits_b, len(a), len(b))


# -- kappa and alpha ------------------------------------------------------------------


def _kappa_from_confusion(confusion: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa from (category of x, category of y) -> count, in exact integers."""
    n = 0
    agree = 0
    rows: Counter[str] = Counter()
    cols: Counter[str] = Counter()
    for (x, y), count in confusion.items():
        n += count
        rows[x] += count
        cols[y] += count
        if x == y:
            agree += count
    # po = agree / n, pe = chance / n^2; kappa = (po - pe) / (1 - pe).
    chance = sum(count * cols[cat] for cat, count in rows.items() if cat in cols)
    denominator = n * n - chance
    if n == 0 or denominator == 0:
        return None
    return (n * agree - chance) / denominator


def cohen_kappa(x: Sequence[str], y: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long category sequences; None when undefined."""
    if len(x) != len(y):
        raise ValueError(f"cohen_kappa: {len(x)} categories against {len(y)}")
    return _kappa_from_confusion(Counter(zip(x, y, strict=True)))


def _alpha_from_units(units: Mapping[tuple[str | None, ...], int]) -> float | None:
    """Nominal alpha from distinct units (value tuples) -> how often each occurs.

    Uses the coincidence matrix without building it: a value c's total is
    n_c = sum over pairable units of n_uc, and the off-diagonal coincidences
    sum to sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1), so
    alpha = 1 - (n - 1) * D_o / (n^2 - sum_c n_c^2), kept exact with Fraction.
    """
    totals: Counter[Any] = Counter()
    disagreeing: dict[int, int] = defaultdict(int)  # m_u -> sum of weighted off-diagonals
    for unit, times in units.items():
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        per_value = Counter(values)
        for value, k in per_value.items():
            totals[value] += k * times
        off = m * m - sum(k * k for k in per_value.values())
        if off:
            disagreeing[m] += off * times
    n = sum(totals.values())
    expected = n * n - sum(k * k for k in totals.values())
    if n == 0 or expected == 0:
        return None
    observed = sum((Fraction(v, m - 1) for m, v in disagreeing.items()), Fraction(0))
    return float(1 - (n - 1) * observed / expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[str | None]]) -> float | None:
    """Nominal Krippendorff's alpha; each unit holds one value per annotator, None = missing.

    Units are counted as tuples first (in C), so the Python work is per
    distinct unit pattern: O(units x annotators) overall with a tiny constant.
    """
    return _alpha_from_units(Counter(map(tuple, units)))


# -- report ---------------------------------------------------------------------------


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
    matched = _exact_matches(spans_a, spans_b)
    hits_a = _overlap_hits(spans_a, spans_b)
    hits_b = _overlap_hits(spans_b, spans_a)
    per_label: dict[str, dict[str, Figure]] = {}
    for lab in wanted if wanted is not None else sorted(count_a.keys() | count_b.keys()):
        na, nb = count_a[lab], count_b[lab]
        per_label[lab] = {
            "spans_a": na,
            "spans_b": nb,
            "exact_f1": _exact_figure(matched[lab], na, nb),
            "overlap_f1": _overlap_figure(hits_a[lab], hits_b[lab], na, nb),
            "token_kappa": _kappa_from_confusion(_fold(confusion, lab, sets)),
        }
    na, nb = len(spans_a), len(spans_b)
    return PairResult(
        a=a,
        b=b,
        articles=articles,
        spans_a=na,
        spans_b=nb,
        exact_f1=_exact_figure(sum(matched.values()), na, nb),
        overlap_f1=_overlap_figure(sum(hits_a.values()), sum(hits_b.values()), na, nb),
        token_kappa=_kappa_from_confusion(confusion),
        per_label=per_label,
    )


def compute_agreement(
    texts: Mapping[str, str],
    spans: Iterable[Span],
    done: Iterable[tuple[str, str]] = (),
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> AgreementReport:
    """Pairwise span F1 and token kappa, and alpha over everyone (see the module docstring).

    ``texts``: article id -> plain text (the articles considered); ``spans``:
    everyone's spans, any state; ``done``: (article id, annotator) marked done;
    ``annotators``: whom to compare, in this order (default: everyone with a
    live span or a done mark, sorted; gold is an annotator like any other);
    ``labels``: keep only spans with these labels.
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
    units: Counter[tuple[str, ...]] = Counter()
    sets: dict[str, frozenset[str]] = {OUTSIDE: frozenset()}
    alpha_articles = 0
    for art in sorted(coders):
        who_did = coders[art]
        if len(who_did) < 2:
            continue  # no pair and no pairable value
        alpha_articles += 1
        index = _TokenIndex(tokenize(texts[art]))
        their_spans = [compared.get((who, art), []) for who in who_did]
        if sum(map(len, their_spans)) * _TABLE_DENSITY >= index.size:
            index.build_tables()  # dense enough overall: every coder then reuses them
        cats = [_sweep(index, spans_of, sets) for spans_of in their_spans]
        for (a, cats_a), (b, cats_b) in combinations(zip(who_did, cats, strict=True), 2):
            confusions[(a, b)].update(zip(cats_a, cats_b, strict=True))
        # Missing values do not count in alpha, so a unit needs only the coders' values.
        units.update(zip(*cats, strict=True))

    pairs: list[PairResult] = []
    for a, b in combinations(names, 2):
        shared = sorted(annotated.get(a, set()) & annotated.get(b, set()))
        spans_a = [sp for art in shared for sp in compared.get((a, art), ())]
        spans_b = [sp for art in shared for sp in compared.get((b, art), ())]
        confusion = confusions.get((a, b), Counter())
        pairs.append(_pair_result(a, b, len(shared), spans_a, spans_b, confusion, sets, wanted))
    return AgreementReport(
        annotators=names,
        pairs=pairs,
        alpha=_alpha_from_units(units),
        alpha_articles=alpha_articles,
        label=wanted,
    )


# -- shown as a table -----------------------------------------------------------------

#: Column heads of the pairwise table (the CLI's ``agreement`` and the stats screen).
TABLE_HEADS = ("a", "b", "articles", "spans a", "spans b", "exact F1", "overlap F1",
               "token kappa")


def figure_text(value: float | None) -> str:
    """A figure as shown: three decimals, or '-' when undefined (never a made-up 0 or 1)."""
    return "-" if value is None else f"{value:.3f}"


def table_rows(report: AgreementReport) -> list[tuple[str, ...]]:
    """One row of texts per pair, in ``TABLE_HEADS`` order (names as given: make them safe)."""
    return [
        (p.a, p.b, str(p.articles), str(p.spans_a), str(p.spans_b), figure_text(p.exact_f1),
         figure_text(p.overlap_f1), figure_text(p.token_kappa))
        for p in report.pairs
    ]
