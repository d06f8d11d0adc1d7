"""Span F1: exact (same article, start, end and label) and overlap (a shared character).

The counting functions return per-label counts, so that the report can give
every label's figures from one pass over a pair's spans (matches and overlaps
only ever pair spans of one label).
"""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import accumulate, repeat

from annotations.model import Span

_STARTS = operator.itemgetter(0)
_ENDS = operator.itemgetter(1)
_KEY = operator.attrgetter("article_id", "start", "end", "label")


def exact_matches(a: Sequence[Span], b: Sequence[Span]) -> Counter[str]:
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


def overlap_hits(src: Sequence[Span], ref: Sequence[Span]) -> Counter[str]:
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


def exact_figure(matched: int, na: int, nb: int) -> float | None:
    return None if na + nb == 0 else 2 * matched / (na + nb)


def overlap_figure(hits_a: int, hits_b: int, na: int, nb: int) -> float | None:
    """2PR / (P + R) with P = hits_b / nb and R = hits_a / na, in integers to stay exact."""
    if na == 0 or nb == 0:
        return None  # P or R undefined
    if hits_a == 0 or hits_b == 0:
        return 0.0  # P + R == 0, or 2PR == 0 with P + R > 0
    return 2 * hits_a * hits_b / (hits_a * nb + hits_b * na)


def exact_f1(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    """2 x |same (article, start, end, label)| / (|A| + |B|), duplicates as a multiset."""
    return exact_figure(sum(exact_matches(a, b).values()), len(a), len(b))


def overlap_f1(a: Sequence[Span], b: Sequence[Span]) -> float | None:
    """F1 of P (B's spans touching a same-label span of A) and R (the same from A's side)."""
    if not a or not b:
        return None
    hits_a = sum(overlap_hits(a, b).values())
    hits_b = sum(overlap_hits(b, a).values())
    return overlap_figure(hits_a, hits_b, len(a), len(b))
