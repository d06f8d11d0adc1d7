"""The text model's navigation: offsets and locations, words, sentences, paragraphs, snapping.

Everything works on the article's plain text with Python ``str`` offsets
(code points), the unit every span is stored in.  :func:`snap` decides which
boundaries a selection gets before it is stored (trimmed of white space,
widened to whole words), :class:`SentenceIndex` where sentences are (from
:mod:`annotations.sentences`, cached per text by its SHA-256 and segmented a
line at a time), :func:`paragraph_at` what a paragraph is; the TUI's reader
moves and selects with the rest.  Pure Python (no terminal), so it is cheap
to test and fast on a 1 MB article: look-ups are ``bisect`` over line starts,
regex scans over a small window, or the sentences of one line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict

from annotations.model import sha256_text
from annotations.sentences import Bounds, line_sentences

#: A word: letters/digits joined by inner apostrophes, hyphens or dots
#: (``don't``, ``well-known``, ``U.S``, ``3.5``).
WORD = re.compile(r"\w+(?:['’\-.]\w+)*")
_WINDOW = 512

#: Dotted abbreviations and initials: ``U.S.``, ``e.g.``, ``J.``, ``a.m.``.
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+(?:[^\W\d_])?\.?$")
#: Sentence indexes kept, by the SHA-256 of their text (articles recently open).
_SENTENCE_CACHE_SIZE = 16


class LineIndex:
    """Converts between flat offsets and ``(row, column)`` locations.

    Only ``\\n`` separates lines, exactly as in the TUI reader's document (its
    displayed copy has every other line separator replaced by a visible
    symbol of the same length).
    """

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    @classmethod
    def from_starts(cls, text: str, starts: list[int]) -> LineIndex:
        """The index of ``text`` whose line starts are known already (``starts`` must be
        what :meth:`__init__` finds: 0, then one past each ``\\n``)."""
        index = cls.__new__(cls)
        index.text = text
        index.starts = starts
        return index

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_end(self, row: int) -> int:
        """Offset just past the last character of ``row`` (its ``\\n`` excluded)."""
        if row + 1 < len(self.starts):
            return self.starts[row + 1] - 1
        return len(self.text)

    def line(self, row: int) -> str:
        return self.text[self.starts[row] : self.line_end(row)]

    def row_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def to_location(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        row = bisect_right(self.starts, offset) - 1
        return row, offset - self.starts[row]

    def runs(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """``(row, col_start, col_end)`` of each line ``text[start:end]`` covers.

        A range ending at a line's end also covers the line break; its run on the
        next line is then empty (``col_start == col_end == 0``).
        """
        (r0, c0), (r1, c1) = self.to_location(start), self.to_location(end)
        starts = self.starts
        return [(row, c0 if row == r0 else 0,
                 c1 if row == r1 else self.line_end(row) - starts[row])
                for row in range(r0, r1 + 1)]

    def to_offset(self, row: int, column: int) -> int:
        row = max(0, min(row, len(self.starts) - 1))
        return min(self.starts[row] + max(0, column), self.line_end(row))


# ------------------------------------------------------------------- words
def _words_in(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Word spans overlapping ``[lo, hi)``, widened to white space so none is cut."""
    n = len(text)
    lo = max(0, lo)
    hi = min(n, hi)
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < n and not text[hi].isspace():
        hi += 1
    return [(m.start(), m.end()) for m in WORD.finditer(text, lo, hi)]


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word containing ``text[offset]``, if it is part of one."""
    for start, end in _words_in(text, offset, offset + 1):
        if start <= offset < end:
            return start, end
    return None


def next_word(text: str, offset: int) -> int:
    """Start of the first word after the one at ``offset`` (or the end of the text)."""
    lo = offset
    while lo < len(text):
        for start, _end in _words_in(text, lo, lo + _WINDOW):
            if start > offset:
                return start
        lo += _WINDOW
    return len(text)


def previous_word(text: str, offset: int) -> int:
    """Start of the word before ``offset`` (or of the word ``offset`` is inside)."""
    hi = offset
    while hi > 0:
        starts = [s for s, _e in _words_in(text, hi - _WINDOW, hi) if s < offset]
        if starts:
            return starts[-1]
        hi -= _WINDOW
    return 0


def next_word_end(text: str, offset: int) -> int:
    """End of the first word that ends after ``offset`` (or the end of the text).

    From inside or at the start of a word, that word's end; from its end or
    from white space, the next word's end (what ``W`` extends a selection to).
    """
    lo = offset
    while lo < len(text):
        for _start, end in _words_in(text, lo, lo + _WINDOW):
            if end > offset:
                return end
        lo += _WINDOW
    return len(text)


def snap(text: str, start: int, end: int, *, words: bool = True) -> tuple[int, int] | None:
    """A selection made fit to tag: no white space at either end, whole words.

    White space is trimmed first; then, with ``words``, an end that falls
    inside a word moves outward to the word's edge.  ``None`` when nothing
    but white space was selected.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    if words:
        w = word_at(text, start)
        if w is not None:
            start = w[0]
        w = word_at(text, end - 1)
        if w is not None:
            end = w[1]
            # Keep the final dot of "U.S." or "e.g." with its word.
            if text[end : end + 1] == "." and _DOTTED.match(text[w[0] : end + 1]):
                end += 1
    return start, end


# ---------------------------------------------------------------- sentences
class SentenceIndex:
    """The sentences of one text, segmented a line at a time on first use and kept.

    Boundaries come from :func:`annotations.sentences.line_sentences` (sentencex
    plus measured corrections); ``\\n`` is a hard boundary, so each line's
    sentences depend on that line alone.  A key press segments only the lines
    it looks at (about 45 µs for a news paragraph), never a whole 1 MB article
    (0.1-0.3 s).  Offsets are code points into ``lines.text``, trimmed of white
    space, end-exclusive.
    """

    __slots__ = ("lines", "_rows")

    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self._rows: dict[int, list[Bounds]] = {}

    def row(self, row: int) -> list[Bounds]:
        """The sentences of line ``row`` (empty for a blank line)."""
        found = self._rows.get(row)
        if found is None:
            base = self.lines.starts[row]
            found = [(base + s, base + e) for s, e in line_sentences(self.lines.line(row))]
            self._rows[row] = found
        return found

    def at(self, offset: int) -> Bounds | None:
        """The sentence around ``offset``; ``None`` on a blank line.

        The white space between two sentences belongs to the later one; white
        space after a line's last sentence to that sentence.
        """
        text = self.lines.text
        if not text:
            return None
        offset = max(0, min(offset, len(text) - 1))
        found = self.row(self.lines.row_of(offset))
        if not found:
            return None
        for bounds in found:
            if offset < bounds[1]:
                return bounds
        return found[-1]

    def next_start(self, offset: int) -> int | None:
        """Start of the first sentence that starts after ``offset`` (``None``: none does)."""
        lines = self.lines
        for row in range(lines.row_of(max(0, offset)), lines.line_count):
            for start, _end in self.row(row):
                if start > offset:
                    return start
        return None

    def previous_start(self, offset: int) -> int | None:
        """Start of the last sentence that starts before ``offset``: the start of the
        sentence the cursor is inside, or of the one before when already at a start."""
        lines = self.lines
        for row in range(lines.row_of(min(offset, len(lines.text))), -1, -1):
            for start, _end in reversed(self.row(row)):
                if start < offset:
                    return start
        return None

    def ending_after(self, offset: int) -> Bounds | None:
        """The first sentence that ends after ``offset`` (the next whole sentence of a
        selection ending there, or the rest of the one it ends inside)."""
        lines = self.lines
        for row in range(lines.row_of(max(0, offset)), lines.line_count):
            for bounds in self.row(row):
                if bounds[1] > offset:
                    return bounds
        return None


_SENTENCE_CACHE: OrderedDict[str, SentenceIndex] = OrderedDict()


def sentence_index(text: str | LineIndex, sha256: str | None = None) -> SentenceIndex:
    """The shared sentence index of a text, cached by the text's SHA-256.

    Re-opening an article (another string with the same text) finds the lines
    already segmented.  The same string object is found without hashing.
    """
    lines = text if isinstance(text, LineIndex) else None
    raw = lines.text if lines is not None else text
    assert isinstance(raw, str)
    for key, same in _SENTENCE_CACHE.items():
        if same.lines.text is raw:
            _SENTENCE_CACHE.move_to_end(key)
            return same
    key = sha256 or sha256_text(raw)
    found = _SENTENCE_CACHE.get(key)
    if found is None:
        found = SentenceIndex(lines if lines is not None else LineIndex(raw))
        _SENTENCE_CACHE[key] = found
        while len(_SENTENCE_CACHE) > _SENTENCE_CACHE_SIZE:
            _SENTENCE_CACHE.popitem(last=False)
    _SENTENCE_CACHE.move_to_end(key)
    return found


def sentence_at(text: str, offset: int) -> Bounds | None:
    """The sentence around ``offset`` (see :meth:`SentenceIndex.at`)."""
    return sentence_index(text).at(offset)


# --------------------------------------------------------------- paragraphs
def _blank(index: LineIndex, row: int) -> bool:
    return not index.line(row).strip()


def next_paragraph(index: LineIndex, offset: int) -> int:
    """Start of the next paragraph (a run of non-blank lines), or the text end."""
    row = index.row_of(offset)
    n = index.line_count
    r = row
    while r < n and not _blank(index, r):
        r += 1
    while r < n and _blank(index, r):
        r += 1
    if r >= n:
        return len(index.text)
    return _first_char(index, r)


def previous_paragraph(index: LineIndex, offset: int) -> int:
    """Start of this paragraph, or of the previous one when already at its start."""
    row = index.row_of(offset)
    r = row
    while r > 0 and _blank(index, r):
        r -= 1
    while r > 0 and not _blank(index, r - 1):
        r -= 1
    start = _first_char(index, r)
    if start < offset:
        return start
    # Already at the start: go to the paragraph before.
    r -= 1
    while r > 0 and _blank(index, r):
        r -= 1
    if r < 0 or _blank(index, r):
        return 0
    while r > 0 and not _blank(index, r - 1):
        r -= 1
    return _first_char(index, r)


def paragraph_at(index: LineIndex, offset: int) -> Bounds | None:
    """The paragraph (run of non-blank lines) around ``offset``, trimmed of white
    space; ``None`` on a blank line."""
    row = index.row_of(max(0, min(offset, len(index.text))))
    if _blank(index, row):
        return None
    first = last = row
    while first > 0 and not _blank(index, first - 1):
        first -= 1
    while last + 1 < index.line_count and not _blank(index, last + 1):
        last += 1
    start, end = index.starts[first], index.line_end(last)
    text = index.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _first_char(index: LineIndex, row: int) -> int:
    line = index.line(row)
    return index.starts[row] + (len(line) - len(line.lstrip()))
