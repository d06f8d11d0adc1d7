"""Quote selectors and re-anchoring of spans when an article's text changes.

A span remembers its quote plus ``CONTEXT`` characters of prefix and suffix
(the W3C TextQuoteSelector idea). When the text changes we try, in order:

1. the old offsets, if the quote still sits there            -> ``ok``
2. exact occurrences of the quote, ranked by how much of the
   prefix / suffix still surrounds them, then by distance      -> ``moved``
3. the closest fuzzy match (difflib ratio >= ``FUZZY_THRESHOLD``),
   searched paragraph by paragraph                            -> ``moved``
4. otherwise                                                   -> ``orphaned``

Nothing is ever shifted silently: a span that changed place is marked
``moved`` and keeps its new quote; an orphaned span keeps its old offsets
and quote so that a person can re-place or delete it.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
from dataclasses import dataclass

from annotations.model import Anchor
from annotations.tokens import TOKEN_RE

CONTEXT = 32
#: Minimum difflib similarity between the old quote and a candidate.
FUZZY_THRESHOLD = 0.8


def context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    """Prefix and suffix around ``text[start:end]`` used to re-find it later."""
    return text[max(0, start - width) : start], text[end : end + width]


@dataclass(frozen=True)
class Placement:
    anchor: Anchor
    start: int
    end: int

    @property
    def placed(self) -> bool:
        return self.anchor != "orphaned"


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _occurrences(text: str, quote: str, limit: int = 10_000) -> list[int]:
    found: list[int] = []
    i = text.find(quote)
    while i != -1 and len(found) < limit:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


#: At most this many candidate paragraphs are compared with difflib per span.
FUZZY_CANDIDATES = 12


class TextIndex:
    """Paragraphs of a text with an inverted word index, built once per text.

    Re-anchoring many spans against one (possibly 10 MB) text would
    otherwise re-split, re-tokenise and diff the whole text for every span:
    candidates are the few paragraphs sharing the quote's rarest words.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._blocks: list[tuple[int, str]] | None = None
        self._starts: list[int] = []
        self._postings: dict[str, list[int]] = {}

    @property
    def blocks(self) -> list[tuple[int, str]]:
        if self._blocks is None:
            out: list[tuple[int, str]] = []
            postings: dict[str, list[int]] = {}
            pos = 0
            for block in re.split(r"(\n\s*\n)", self.text):
                if block.strip():
                    n = len(out)
                    out.append((pos, block))
                    for w in set(TOKEN_RE.findall(block.lower())):
                        postings.setdefault(w, []).append(n)
                pos += len(block)
            self._blocks, self._postings = out, postings
            self._starts = [b[0] for b in out]
        return self._blocks

    def candidates(self, quote: str, old_start: int) -> list[int]:
        """Indices of the paragraphs most likely to hold a reworded ``quote``."""
        blocks = self.blocks
        n = len(blocks)
        if n == 0:
            return []
        scores: dict[int, float] = {}
        qwords = set(TOKEN_RE.findall(quote.lower()))
        common = max(50, n // 10)
        rare = [w for w in qwords if 0 < len(self._postings.get(w, ())) <= common]
        # Rare words find the paragraph; words in nearly every paragraph say little.
        for w in rare or qwords:
            post = self._postings.get(w, ())
            if not post or len(post) > common and rare:
                continue
            weight = math.log((n + 1) / len(post))
            for i in post if len(post) <= 5 * common else ():
                scores[i] = scores.get(i, 0.0) + weight
        # The paragraph at the old offset is always a candidate.
        near = bisect.bisect_right(self._starts, old_start) - 1
        if near >= 0:
            scores.setdefault(near, 0.0)
        ranked = sorted(scores, key=lambda i: (-scores[i], abs(blocks[i][0] - old_start)))
        return ranked[:FUZZY_CANDIDATES]


def _fuzzy(index: TextIndex, quote: str, old_start: int) -> tuple[int, int, float] | None:
    """Best approximate occurrence of ``quote`` among the candidate paragraphs."""
    if len(quote) < 4:
        return None
    text = index.text
    best: tuple[int, int, float] | None = None
    for i in index.candidates(quote, old_start):
        bstart, block = index.blocks[i]
        if len(block) < len(quote) * FUZZY_THRESHOLD * 0.5:
            continue
        matcher = difflib.SequenceMatcher(None, block, quote, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if not blocks:
            continue
        # The window spanned by the quote's matching pieces inside the block.
        lo = blocks[0].a - blocks[0].b
        hi = blocks[-1].a + blocks[-1].size + (len(quote) - blocks[-1].b - blocks[-1].size)
        lo, hi = max(0, lo), min(len(block), hi)
        # Snap outward to word boundaries so a reworded quote is whole words.
        while lo > 0 and block[lo - 1].isalnum() and block[lo].isalnum():
            lo -= 1
        while hi < len(block) and block[hi - 1].isalnum() and block[hi].isalnum():
            hi += 1
        s, e = _trim(text, bstart + lo, bstart + hi)
        if e <= s:
            continue
        ratio = difflib.SequenceMatcher(None, text[s:e], quote, autojunk=False).ratio()
        if best is None or ratio > best[2] or (
            ratio == best[2] and abs(s - old_start) < abs(best[0] - old_start)
        ):
            best = (s, e, ratio)
    if best and best[2] >= FUZZY_THRESHOLD:
        return best
    return None


def reanchor(
    text: str,
    start: int,
    end: int,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    index: TextIndex | None = None,
) -> Placement:
    """Place a span's quote in a (possibly changed) text; see the module doc.

    Pass one ``index`` (a :class:`TextIndex` of ``text``) when placing many
    spans in the same text.
    """
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return Placement("ok", start, end)
    if not quote:
        return Placement("orphaned", start, end)
    hits = _occurrences(text, quote)
    if hits:

        def score(i: int) -> tuple[int, int]:
            ctx = _common_suffix(text[max(0, i - len(prefix)) : i], prefix) + _common_prefix(
                text[i + len(quote) : i + len(quote) + len(suffix)], suffix
            )
            return (-ctx, abs(i - start))

        best = min(hits, key=score)
        return Placement("moved", best, best + len(quote))
    fuzzy = _fuzzy(index if index is not None and index.text is text else TextIndex(text),
                   quote, start)
    if fuzzy:
        return Placement("moved", fuzzy[0], fuzzy[1])
    return Placement("orphaned", start, end)
