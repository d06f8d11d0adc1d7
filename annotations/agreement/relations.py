"""Relation F1: do two annotators link the same places with the same type?

A relation is compared through its ends, since two people's spans are
different records: its key is (article, type, from start, from end, to
start, to end), the ends' offsets taken from the compared spans.  The ends'
labels do not enter the key (the types' constraints already tie them).

* exact F1 = 2 x |same key| / (|A| + |B|), a multiset as for spans; ``None``
  when neither has a relation.
* overlap F1: P = share of B's relations with a relation of A of the same type
  whose from-ends share a character and whose to-ends share a character
  (direction counts: a link the other way round is another link); R = the
  same from A's side; F1 = 2PR / (P + R), ``None`` when either has none,
  0.0 when nothing overlaps.

Which relations are compared (:func:`relation_ends`): live ones whose two
spans are compared spans (live, not orphaned, kept by the label filter).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from annotations.agreement.spans import exact_figure, overlap_figure
from annotations.model import Relation, Span

#: (article, type, from start, from end, to start, to end)
RelationKey = tuple[str, str, int, int, int, int]


def relation_ends(relations: Iterable[Relation],
                  spans: Mapping[str, Span]) -> dict[tuple[str, str], list[RelationKey]]:
    """(annotator, article) -> the keys of their compared relations (see the module)."""
    out: dict[tuple[str, str], list[RelationKey]] = defaultdict(list)
    for r in relations:
        if r.deleted_at is not None:
            continue
        a, b = spans.get(r.from_span), spans.get(r.to_span)
        if a is None or b is None:
            continue
        out[(r.annotator, r.article_id)].append(
            (r.article_id, r.label, a.start, a.end, b.start, b.end))
    return out


def relation_exact_matches(a: Sequence[RelationKey], b: Sequence[RelationKey]) -> int:
    ca, cb = Counter(a), Counter(b)
    return sum(min(n, cb[key]) for key, n in ca.items() if key in cb)


def _touch(s1: int, e1: int, s2: int, e2: int) -> bool:
    return s1 < e2 and s2 < e1


def relation_overlap_hits(src: Sequence[RelationKey], ref: Sequence[RelationKey]) -> int:
    """How many of ``src`` have a same-type relation in ``ref`` (same article) whose ends
    each share a character with theirs.  Relations are few per article: a plain scan."""
    by_group: dict[tuple[str, str], list[RelationKey]] = defaultdict(list)
    for key in ref:
        by_group[(key[0], key[1])].append(key)
    hits = 0
    for art, label, fs, fe, ts, te in src:
        if any(_touch(fs, fe, o[2], o[3]) and _touch(ts, te, o[4], o[5])
               for o in by_group.get((art, label), ())):
            hits += 1
    return hits


def relation_exact_f1(a: Sequence[RelationKey], b: Sequence[RelationKey]) -> float | None:
    return exact_figure(relation_exact_matches(a, b), len(a), len(b))


def relation_overlap_f1(a: Sequence[RelationKey], b: Sequence[RelationKey]) -> float | None:
    if not a or not b:
        return None
    return overlap_figure(relation_overlap_hits(a, b), relation_overlap_hits(b, a), len(a),
                          len(b))
