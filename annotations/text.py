"""The text model's navigation: offsets and locations, words, sentences, paragraphs, snapping.

Everything works on the article's plain text with Python ``str`` offsets
(code points), the unit every span is stored in.  :func:`snap` decides which
boundaries a selection gets before it is stored (trimmed of white space,
widened to whole words), :func:`sentence_at` what a sentence is; the TUI's
reader moves with the rest.  Pure Python (no terminal), so it is cheap to
test and fast on a 1 MB article: look-ups are ``bisect`` over line starts or
regex scans over a small window.
"""

from __future__ import annotations

import re
from bisect import bisect_right

#: A word: letters/digits joined by inner apostrophes, hyphens or dots
#: (``don't``, ``well-known``, ``U.S``, ``3.5``).
WORD = re.compile(r"\w+(?:['’\-.]\w+)*")
_WINDOW = 512

#: Words that end with a period without ending a sentence (lower case, no dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sr jr st mt ft rev hon gen lt col maj capt cpt sgt cmdr adm
    gov sen rep pres amb supt insp det
    ltd inc co corp plc llc llp bros dept univ assn intl
    vol vols pp fig figs approx ca cf vs etc al eg ie viz
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri
    """.split()
)
#: Abbreviations that often do end a sentence: they end one when the next
#: word is capitalised ("... Signalwatch Analytics Inc. The party said").
#: ("no", "am", "sat" are left out of the list altogether: "she said no.")
SENTENCE_FINAL = frozenset("ltd inc co corp plc llc llp bros etc".split())
#: Dotted abbreviations and initials: ``U.S.``, ``e.g.``, ``J.``, ``a.m.``.
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+(?:[^\W\d_])?\.?$")
_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’)\]»」』]*")
_CJK_END = "。！？"
_OPENERS = "\"'“‘([«"


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
def _is_boundary(text: str, line_start: int, punct_start: int, punct_end: int,
                 line_end: int) -> bool:
    """Does the sentence-ending punctuation at ``[punct_start, punct_end)`` end a sentence?"""
    if text[punct_start] in _CJK_END:
        return True  # 。！？ end a sentence without a following space
    if punct_end < line_end and not text[punct_end].isspace():
        return False  # "3.5", "example.com", "U.S.-led"
    marks = text[punct_start:punct_end]
    if marks.startswith(".") and not marks.startswith(".."):
        # The token before the period: is it an abbreviation or an initial?
        tok_start = punct_start
        while tok_start > line_start and not text[tok_start - 1].isspace():
            tok_start -= 1
        token = text[tok_start:punct_start].lstrip(_OPENERS)
        if token:
            bare = token.rstrip(".").lower()
            if bare in SENTENCE_FINAL:
                nxt = punct_end
                while nxt < line_end and (text[nxt].isspace() or text[nxt] in _OPENERS):
                    nxt += 1
                return nxt >= line_end or text[nxt].isupper()
            if bare in ABBREVIATIONS or _DOTTED.match(token + "."):
                return False
    # A lower-case word after the gap continues the sentence ("approx. ten").
    nxt = punct_end
    while nxt < line_end and text[nxt].isspace():
        nxt += 1
    while nxt < line_end and text[nxt] in _OPENERS:
        nxt += 1
    return not (nxt < line_end and text[nxt].islower())


def sentence_at(text: str, offset: int) -> tuple[int, int] | None:
    """The sentence around ``offset``: within its line, ends trimmed of white space.

    Sentences end at ``.``, ``!``, ``?`` or ``…`` (with closing quotes or
    brackets) followed by white space, except after abbreviations such as
    ``Ltd.``, ``Dr.``, ``U.S.`` or initials, and before a lower-case word.
    A line (heading, paragraph, list item) always ends a sentence.
    """
    if not text:
        return None
    offset = max(0, min(offset, len(text) - 1))
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end == -1:
        line_end = len(text)
    if not text[line_start:line_end].strip():
        return None
    bounds = [line_start]
    for m in _SENTENCE_END.finditer(text, line_start, line_end):
        if _is_boundary(text, line_start, m.start(), m.end(), line_end):
            bounds.append(m.end())
    if bounds[-1] != line_end:
        bounds.append(line_end)
    # The sentence whose extent (including trailing white space) holds offset.
    chosen = (bounds[-2], bounds[-1])
    for a, b in zip(bounds, bounds[1:], strict=False):
        if offset < b:
            chosen = (a, b)
            break
    a, b = chosen
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a >= b:
        return None
    if offset > b and b < line_end:
        # Between sentences: take the next one.
        nxt = sentence_at(text, b + 1) if b + 1 < line_end else None
        return nxt or (a, b)
    return a, b


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


def _first_char(index: LineIndex, row: int) -> int:
    line = index.line(row)
    return index.starts[row] + (len(line) - len(line.lstrip()))
