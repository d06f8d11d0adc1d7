"""Cohen's kappa and nominal Krippendorff's alpha, exact, from counted patterns.

Both take counts of distinct patterns ((category, category) pairs; per-unit
value tuples) rather than one entry per token, so the Python-level work is per
distinct pattern; alpha never builds a dense reliability matrix. ``None`` where
a figure is undefined (scikit-learn gives nan there, ``krippendorff`` raises).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any


def kappa_from_confusion(confusion: Mapping[tuple[str, str], int]) -> float | None:
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
    return kappa_from_confusion(Counter(zip(x, y, strict=True)))


def alpha_from_units(units: Mapping[tuple[str | None, ...], int]) -> float | None:
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
    return alpha_from_units(Counter(map(tuple, units)))
