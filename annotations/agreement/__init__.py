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
* relation F1 (exact ends, and ends matched by overlap) per pair, over the
  relations whose two spans are compared spans on the articles both
  annotated: :mod:`~annotations.agreement.relations` defines both.

The work is split by what it computes: :mod:`~annotations.agreement.categories`
(token categories), :mod:`~annotations.agreement.spans` (span F1),
:mod:`~annotations.agreement.relations` (relation F1),
:mod:`~annotations.agreement.coefficients` (kappa and alpha) and
:mod:`~annotations.agreement.report` (the pairwise report and its table).
Pure Python, but the per-token and per-span work runs in C builtins (each
module says how); import the public names from here.
"""

from __future__ import annotations

from annotations.agreement.categories import OUTSIDE, token_categories
from annotations.agreement.coefficients import cohen_kappa, krippendorff_alpha_nominal
from annotations.agreement.relations import relation_exact_f1, relation_overlap_f1
from annotations.agreement.report import (
    TABLE_HEADS,
    AgreementReport,
    PairResult,
    compute_agreement,
    figure_text,
    table_rows,
)
from annotations.agreement.spans import exact_f1, overlap_f1
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
    "relation_exact_f1",
    "relation_overlap_f1",
    "table_rows",
    "token_categories",
    "tokenize",
]
