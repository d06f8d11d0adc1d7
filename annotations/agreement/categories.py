"""Token categories: which labels of one annotator's spans touch each token.

The category of a token is the ``+``-joined sorted set of labels of the spans
sharing at least one character with it, or :data:`OUTSIDE`; kappa and alpha
compare these per token (see :mod:`annotations.agreement` for the definitions).

Speed (pure Python, but the per-token and per-span work runs in C builtins):
each span's token range is found by bisect (or, for dense spans, by
per-character lookup tables) and +1/-1 marks become per-token counts with
``accumulate``; a decoder dict turns counts into category strings, so the
Python-level work is per distinct pattern, never per token.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import accumulate, compress, islice, repeat
from typing import Any

from annotations.model import Span
from annotations.tokens import tokenize

#: Category of a token no span touches.
OUTSIDE = "O"

_STARTS = operator.itemgetter(0)
_ENDS = operator.itemgetter(1)
_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
_LABEL = operator.attrgetter("label")

#: Use character lookup tables instead of bisect once spans are this dense
#: (one per this many characters): building them is O(text length) in C, and
#: a random bisect over a long token list costs about as much as 10 characters.
TABLE_DENSITY = 16
#: Texts up to this many characters get list tables, longer ones compact arrays.
_LIST_TABLE_LIMIT = 1 << 20


class TokenIndex:
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

    def expect(self, span_count: int) -> None:
        """``span_count`` spans in all will be swept over this index: when that is
        dense enough, build the lookup tables now so that every sweep reuses them."""
        if span_count * TABLE_DENSITY >= self.size:
            self.build_tables()

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
        if self._first_after is None and len(starts) * TABLE_DENSITY < self.size:
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


def sweep(
    index: TokenIndex,
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
    given: Sequence[tuple[int, int]]
    if tokens is not None:
        given = tokens
    elif isinstance(text_or_tokens, str):
        return sweep(TokenIndex(tokenize(text_or_tokens)), spans)
    else:
        given = text_or_tokens
    return sweep(TokenIndex(given, check=True), spans)

