"""The search query language, shared by the annotator's ``/`` box and ``stancemark search``.

:func:`parse` turns what a person typed into a :class:`Query`, or raises
:class:`QueryError` with a one-line explanation (never an empty query that
would look like "no match").  The store runs a query
(:mod:`annotations.store.search`); this module holds no SQL.

Why one module of some 650 lines: the tokenizer, the parser and the
:class:`Query` it builds are one grammar, and most of the length is this
docstring and the error messages; split, each half would be read with the other.

The language
============

- ``word``, ``"a phrase"``, ``word*`` (prefix): in an article's title or text.
  Several items must all hold; ``OR`` between two items (words, phrases,
  qualifiers) lets either hold and binds tighter than the implied AND
  (``a OR b c`` is ``(a OR b) AND c``, as in web search).  ``-item`` or
  ``NOT item`` excludes; ``AND`` may be written and means nothing more.
- ``is:todo|progress|done``: this annotator's status (``|`` or ``,`` for
  alternatives; ``in_progress`` and ``started`` also work).
- ``has:LABEL``: this annotator has a live span with that label.
- ``by:NAME``: NAME has a live span in the article.
- ``span:WORDS``: words inside a live span's quote or note, anyone's
  (``span:"a phrase"``, ``span:word*``); ``span:LABEL:WORDS`` only in spans
  with that label.
- ``date:2025``, ``date:2025-11``, ``date:2025-11-01``, or a range
  ``date:2025-11-01..2025-11-30`` (either end may be left open): the
  article's date, compared as ISO text.
- ``source:WORDS``: words in the article's source.

Case and diacritics never matter: ``Zoe`` finds ``Zoë`` (precomposed or with
a combining mark), ``ZOË`` finds both.  Letters that Unicode does not build
from a base letter and a mark (``ø``, ``æ``, ``ß``, ``ł``) are letters of their
own and match as written.

How matching works, and why (measured, SQLite 3.40.1)
======================================================

Words go to FTS5's ``unicode61`` tokenizer with ``remove_diacritics 2``
(case folding, marks removed, precomposed or not; bm25 ranking).
``unicode61`` splits on spaces and punctuation, so a run of Chinese,
Japanese, Korean or Thai text -- scripts written without spaces between
words -- is one token: ``李小龍`` is found only where it stands alone, never
inside ``武打明星李小龍出生於``.  Items holding such characters
(:data:`NO_SPACE_CHARS`) are matched as substrings instead, in a second
index: an FTS5 ``trigram`` table that holds only the articles (and span
quotes and notes) containing such characters, kept by SQL triggers that
test the text with ``GLOB`` (no application code needed: the file stays a
plain SQLite database).  A substring of three or more characters is a
trigram ``MATCH``; ``trigram`` cannot match one or two characters (``小龍``),
so those are an ``instr()`` over that table's rows, which are only the
articles that hold such scripts.

Measured on the benchmarks' scale corpus (``python -m benchmarks --size
scale``: 100,000 reports, 494 million characters, a CJK sentence in 1,924 of
them; SQLite 3.40.1): ``Zoe`` and ``Zoë`` both find the same 26,055 reports
(precomposed and decomposed) in 104 ms; ``李小龍`` finds its 258 reports in
0.3 ms (trigram ``MATCH``), ``小龍`` the same 258 in 15 ms (``instr()`` over the
1,924 rows of the substring table), where ``instr()`` over every text takes
700 ms.  The substring table takes 38 MB for those 1,924 reports (9.5 million
characters: their copy and its trigrams, 4 bytes a character); the word index
takes 205 MB for all 100,000.

The alternatives not taken: a trigram index over every text (``trigram`` in
3.40 cannot remove diacritics, so ``Zoe`` would miss ``Zoë``; and at 4 bytes a
character, about 2 GB for this corpus, ten times the word index); a
normalised copy of every text with CJK characters spaced apart (``unicode61``
would then see each character as a token; but it doubles the stored text,
needs Python at every write, so triggers could not keep it, and every offset
would need mapping back); ``instr()`` over every text for CJK (the 700 ms
full scan above, per query).

Offsets
=======

:class:`Match` offsets are code points into the field they name, so
``field_text[start:end]`` is the match.  The store finds them with FTS5's
``highlight()`` (markers chosen by :func:`markers_for` so that no text can
forge them) and, for CJK items, with ``str.find``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from annotations.model import STATUSES, Status

#: Scripts written without spaces between words (a regex / GLOB character class body):
#: Thai, Lao, Myanmar, Khmer, CJK radicals to unified ideographs (with kana, bopomofo,
#: Hangul jamo and CJK punctuation), Hangul syllables, compatibility ideographs and the
#: supplementary ideograph planes.
_NO_SPACE_BMP = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
NO_SPACE_CHARS = _NO_SPACE_BMP + "\U00020000-\U0003134f"
NO_SPACE = re.compile(f"[{NO_SPACE_CHARS}]")
#: The same class below U+10000: a search is one table lookup per character, half the
#: time of the whole class (measured on news texts, 18 against 37 us per 4 KB).
_NO_SPACE_IN_BMP = re.compile(f"[{_NO_SPACE_BMP}]")
_NO_SPACE_RUNS = re.compile(f"[{NO_SPACE_CHARS}]+")


def holds_no_space(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`NO_SPACE_CHARS` (what the substring
    index holds); the test of every new article's title, text and source."""
    if text.isascii():
        return False
    if _NO_SPACE_IN_BMP.search(text):
        return True
    # Characters past U+FFFF take two UTF-16 units: only a text that has some is searched.
    return (len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)
            and NO_SPACE.search(text) is not None)
#: A character FTS5's unicode61 indexes (letters and digits; marks go with their letter).
_TOKEN_CHAR = re.compile(r"[^\W_]")

#: ``is:`` values and what they mean.
STATUS_WORDS: dict[str, Status] = {
    "todo": "todo",
    "new": "todo",
    "progress": "in_progress",
    "in_progress": "in_progress",
    "in-progress": "in_progress",
    "started": "in_progress",
    "done": "done",
}
QUALIFIERS = ("is", "has", "by", "span", "date", "source")
#: Older spellings the list filter took.
_KEY_ALIASES = {"status": "is", "label": "has"}


class QueryError(ValueError):
    """A query that cannot be run: ``str(error)`` is a one-line explanation."""


# ----------------------------------------------------------------- the query
@dataclass(frozen=True)
class Term:
    """Words to find: one word, a phrase (``phrase``), either ending in a prefix (``prefix``)."""

    text: str
    phrase: bool = False
    prefix: bool = False

    @property
    def no_space(self) -> bool:
        """Holds characters of a script without spaces (matched as a substring)."""
        return NO_SPACE.search(self.text) is not None

    def parts(self) -> tuple[str, list[str]]:
        """``(words, runs)``: the text without its no-space runs (for the word index)
        and those runs (substrings to find)."""
        runs = _NO_SPACE_RUNS.findall(self.text)
        rest = _NO_SPACE_RUNS.sub(" ", self.text) if runs else self.text
        return rest, runs

    def describe(self) -> str:
        shown = f'"{self.text}"' if self.phrase else self.text
        return shown + ("*" if self.prefix else "")


@dataclass(frozen=True)
class TextItem:
    """Words in the title or text."""

    term: Term


@dataclass(frozen=True)
class SpanItem:
    """Words in a live span's quote or note (any annotator), of one label if ``label``."""

    term: Term
    label: str | None = None


@dataclass(frozen=True)
class SourceItem:
    """Words in the article's source."""

    term: Term


@dataclass(frozen=True)
class StatusItem:
    """This annotator's status is one of ``statuses``."""

    statuses: tuple[Status, ...]


@dataclass(frozen=True)
class LabelItem:
    """This annotator has a live span with one of ``labels``."""

    labels: tuple[str, ...]


@dataclass(frozen=True)
class AnnotatorItem:
    """One of ``names`` has a live span here."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class DateItem:
    """The article's date is in ``[start, end)`` (ISO text; ``None``: open)."""

    start: str | None
    end: str | None
    written: str = ""


Atom = TextItem | SpanItem | SourceItem | StatusItem | LabelItem | AnnotatorItem | DateItem


@dataclass(frozen=True)
class Item:
    atom: Atom
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """Every group must hold; a group holds when any of its items does."""

    groups: tuple[tuple[Item, ...], ...]
    text: str = ""

    def items(self) -> Iterable[Item]:
        for group in self.groups:
            yield from group

    def terms(self, kind: type[TextItem | SpanItem | SourceItem]) -> list[Term]:
        """The terms of the positive items of one kind (what a match highlights)."""
        return [it.atom.term for it in self.items()
                if not it.negated and isinstance(it.atom, kind)]

    @property
    def searches_text(self) -> bool:
        """Has words to find (title, text, spans or source), not only conditions."""
        return any(isinstance(it.atom, TextItem | SpanItem | SourceItem) and not it.negated
                   for it in self.items())

    @property
    def simple_filter(self) -> tuple[tuple[Status, ...], tuple[str, ...]] | None:
        """``(statuses, labels)`` when the query is only positive ``is:`` / ``has:``
        items, one per group (a list that holds statuses and counts can apply it
        itself); ``None`` otherwise."""
        statuses: tuple[Status, ...] = ()
        labels: tuple[str, ...] = ()
        for group in self.groups:
            if len(group) != 1 or group[0].negated:
                return None
            atom = group[0].atom
            if isinstance(atom, StatusItem) and not statuses:
                statuses = atom.statuses
            elif isinstance(atom, LabelItem) and not labels:
                labels = atom.labels
            else:
                return None
        return statuses, labels


# ------------------------------------------------------------------ parsing
@dataclass
class _Token:
    kind: Literal["item", "or", "and", "not"]
    item: Item | None = None


@functools.lru_cache(maxsize=256)
def parse(text: str, *, typing: bool = False) -> Query:
    """The query in ``text``; :class:`QueryError` (one line) when it is malformed.

    ``typing``: the text is being typed (the annotator's search box), so a last
    word of three or more characters with no space after it is a prefix
    (``embas`` finds embassy): a search as you type shows hits before the word
    is complete.

    Cached (a :class:`Query` is immutable): the list parses what is typed, and the
    same text comes back as a key is typed and erased; at 2,000 reports parsing
    ``has:denial span:embassy is:todo`` took a fifth of its search.
    """
    if "\x00" in text:  # FTS5 reads its query as a C string
        raise QueryError("a query cannot hold a NUL character")
    tokens = _tokens(text, typing=typing)
    groups: list[tuple[Item, ...]] = []
    current: list[Item] = []
    pending_or = False
    negate_next = False
    for tok in tokens:
        if tok.kind == "or":
            if not current or negate_next:
                raise QueryError("OR needs an item on each side (a OR b)")
            if pending_or:
                raise QueryError("OR OR: one OR between two items")
            pending_or = True
            continue
        if tok.kind == "and":
            if pending_or:
                raise QueryError("OR AND: write a OR b, or a b for both")
            continue
        if tok.kind == "not":
            if negate_next:
                raise QueryError("NOT NOT: write NOT once")
            negate_next = True
            continue
        assert tok.item is not None
        item = tok.item
        if negate_next:
            if item.negated:
                raise QueryError("NOT -item: write NOT or - once")
            item = Item(item.atom, True)
            negate_next = False
        if pending_or:
            if item.negated or any(i.negated for i in current):
                raise QueryError("an excluded item (-word, NOT word) cannot be part of OR")
            current.append(item)
            pending_or = False
            continue
        if current:
            groups.append(tuple(current))
        current = [item]
    if pending_or:
        raise QueryError("OR needs an item on each side (a OR b)")
    if negate_next:
        raise QueryError("NOT needs an item after it")
    if current:
        groups.append(tuple(current))
    return Query(tuple(groups), text)


_OPERATORS: dict[str, Literal["or", "and", "not"]] = {"OR": "or", "AND": "and", "NOT": "not"}


def _tokens(text: str, *, typing: bool) -> list[_Token]:
    """Split ``text`` into items and operators (quotes keep their spaces)."""
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if text[i] == '"':
            phrase, i = _quoted(text, i)
            prefix = i < n and text[i] == "*"
            if prefix:
                i += 1
            if i < n and not text[i].isspace():
                raise QueryError(f"put a space after the closing quote of \"{phrase}\"")
            out.append(_Token("item", Item(TextItem(_term(phrase, True, prefix)), negated)))
            continue
        # A bare word, or key:value where the value may be quoted.
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        word = text[i:j]
        key, colon, value = word.partition(":")
        if colon and key.isalpha():
            qkey = _KEY_ALIASES.get(key.casefold(), key.casefold())
            if qkey not in QUALIFIERS:
                raise QueryError(
                    f"unknown qualifier {key}: (is:, has:, by:, span:, date:, source:); "
                    f'put "{word}" in quotes to search for it'
                )
            atom, j = _qualifier(qkey, text, i + len(key) + 1, j)
            out.append(_Token("item", Item(atom, negated)))
            i = j
            continue
        if j < n and text[j] == '"':
            raise QueryError(f'put a space before the quote after "{word}"')
        i = j
        if not negated and word in _OPERATORS:
            out.append(_Token(_OPERATORS[word]))
            continue
        if word == "-":
            raise QueryError("- goes right before the word it excludes (-word)")
        prefix = word.endswith("*")
        bare = word[:-1] if prefix else word
        if typing and not prefix and j >= n and len(bare) >= 3:
            prefix = True  # the word being typed
        out.append(_Token("item", Item(TextItem(_term(bare, False, prefix, shown=word)),
                                       negated)))
    return out


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The phrase of the quote opening at ``text[i]`` and the index after its close."""
    end = text.find('"', i + 1)
    if end < 0:
        rest = text[i:]
        raise QueryError(f"unclosed quote: {rest} (close it with \")")
    return text[i + 1 : end], end + 1


def _term(text: str, phrase: bool, prefix: bool, *, shown: str = "") -> Term:
    """A checked :class:`Term` (``shown``: how the user wrote it, for messages)."""
    shown = shown or (f'"{text}"' if phrase else text)
    if phrase:
        text = text.strip()
        if not text:
            raise QueryError('an empty phrase ("") finds nothing: put words between the quotes')
    else:
        if "*" in text:
            raise QueryError(f"{shown}: * goes once, at the end of a word (word*), for a prefix")
        if "(" in text or ")" in text:
            raise QueryError(f"{shown}: parentheses are not part of the query language "
                             "(OR binds two neighbours: a OR b c is (a OR b) AND c)")
    if not has_words(text) and NO_SPACE.search(text) is None:
        if not text:
            raise QueryError("* goes at the end of a word (word*), for a prefix")
        raise QueryError(f"{shown} has no letters or digits to search for")
    return Term(text, phrase, prefix)


def _value(text: str, i: int, end: int, what: str) -> tuple[Term, int]:
    """A qualifier's words: a quoted phrase (maybe with ``*``) or a bare word."""
    n = len(text)
    if i < n and text[i] == '"':
        phrase, j = _quoted(text, i)
        prefix = j < n and text[j] == "*"
        if prefix:
            j += 1
        if j < n and not text[j].isspace():
            raise QueryError(f"put a space after the closing quote of {what}\"{phrase}\"")
        return _term(phrase, True, prefix, shown=f'{what}"{phrase}"'), j
    word = text[i:end]
    if not word:
        raise QueryError(f"{what} needs words after it ({what}word or {what}\"a phrase\")")
    prefix = word.endswith("*")
    return _term(word[:-1] if prefix else word, False, prefix, shown=what + word), end


def _alternatives(value: str, what: str) -> list[str]:
    parts = [p for p in re.split(r"[|,]", value)]
    if not value or any(not p for p in parts):
        raise QueryError(f"{what} needs a value (alternatives separated by |)")
    return parts


def _qualifier(key: str, text: str, i: int, end: int) -> tuple[Atom, int]:
    """The qualifier ``key:`` whose value starts at ``text[i]`` (a bare value ends at ``end``)."""
    what = key + ":"
    if key in ("span", "source"):
        label = None
        if key == "span" and i < len(text) and text[i] != '"':
            # span:LABEL:words -- a label, then the words
            head, colon, rest = text[i:end].partition(":")
            if colon:
                if not head:
                    raise QueryError("span::  put a label between the colons (span:denial:word)")
                label = head
                what = f"span:{head}:"
                i += len(head) + 1
        term, j = _value(text, i, end, what)
        return (SpanItem(term, label) if key == "span" else SourceItem(term)), j
    if i < len(text) and text[i] == '"':
        phrase, j = _quoted(text, i)
        if j < len(text) and not text[j].isspace():
            raise QueryError(f'put a space after the closing quote of {what}"{phrase}"')
        value, end = phrase, j
    else:
        value = text[i:end]
    if key == "is":
        statuses: list[Status] = []
        for part in _alternatives(value, what):
            status = STATUS_WORDS.get(part.casefold())
            if status is None:
                raise QueryError(f"is:{part}: is: takes todo, progress or done")
            if status not in statuses:
                statuses.append(status)
        return StatusItem(tuple(s for s in STATUSES if s in statuses)), end
    if key == "has":
        return LabelItem(tuple(_alternatives(value, what))), end
    if key == "by":
        return AnnotatorItem(tuple(_alternatives(value, what))), end
    return _date(value), end


_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date(value: str) -> DateItem:
    """``date:`` a year, month or day, or a range of them (either end open)."""
    written = "date:" + value
    if not value:
        raise QueryError("date: needs a date (date:2025-11, date:2025-11-01..2025-11-30)")
    if ".." in value:
        lo_text, _, hi_text = value.partition("..")
        if ".." in hi_text:
            raise QueryError(f"{written}: one .. between two dates")
        if not lo_text and not hi_text:
            raise QueryError(f"{written}: give at least one end of the range")
        lo = _period(lo_text, written)[0] if lo_text else None
        hi = _period(hi_text, written)[1] if hi_text else None
        if lo is not None and hi is not None and lo >= hi:
            raise QueryError(f"{written}: the range ends before it starts")
        return DateItem(lo, hi, written)
    lo, hi = _period(value, written)
    return DateItem(lo, hi, written)


def _period(text: str, written: str) -> tuple[str, str]:
    """``[start, end)`` of a year, month or day, as ISO text."""
    m = _DAY.match(text)
    if m is None:
        raise QueryError(f"{written}: dates are YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise QueryError(f"{written}: month {month} does not exist")
    if month is None:
        return f"{year:04d}", f"{year + 1:04d}"
    if day is None:
        nxt = (year + 1, 1) if month == 12 else (year, month + 1)
        return f"{year:04d}-{month:02d}", f"{nxt[0]:04d}-{nxt[1]:02d}"
    try:
        d = date(year, month, day)
    except ValueError as e:
        raise QueryError(f"{written}: {e}") from None
    following = date.fromordinal(d.toordinal() + 1)
    return d.isoformat(), following.isoformat()


# --------------------------------------------------------- FTS5 expressions
def fts_phrase(text: str, prefix: bool = False) -> str:
    """``text`` as one FTS5 string (its tokens a phrase); nothing in it is syntax."""
    return '"' + text.replace('"', '""') + '"' + (" *" if prefix else "")


def has_words(text: str) -> bool:
    """Whether ``text`` has a character the word index keeps (a letter or digit)."""
    return _TOKEN_CHAR.search(text) is not None


# ------------------------------------------------------------------ matches
@dataclass(frozen=True)
class Match:
    """One match: ``field_text[start:end]`` (code points).

    ``field`` is ``title``, ``text``, ``source`` or ``note``; ``span_id`` is
    the span whose quote (field ``text``, offsets into the article's text) or
    note (field ``note``, offsets into the note) matched a ``span:`` item.
    """

    field: str
    start: int
    end: int
    span_id: str | None = None


_MARK_RUNS = re.compile("\ue000+")


def markers_for(*texts: str) -> tuple[str, str]:
    """Open and close markers for ``highlight()`` that occur in none of ``texts``.

    A run of U+E000 one longer than any run in the texts, then U+E001 (open)
    or U+E002 (close): the texts cannot hold it, so every marker found in the
    highlighted copy is one FTS5 put there.
    """
    longest = 0
    for t in texts:
        if "\ue000" not in t:  # nearly every text: a scan in C, no regex call
            continue
        for run in _MARK_RUNS.findall(t):
            longest = max(longest, len(run))
    lead = "\ue000" * (longest + 1)
    return lead + "\ue001", lead + "\ue002"


def marked_ranges(marked: str, open_mark: str, close_mark: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges that ``highlight()`` wrapped in ``marked``, as offsets
    into the text without the markers."""
    out: list[tuple[int, int]] = []
    pos = 0  # in ``marked``
    removed = 0
    while True:
        a = marked.find(open_mark, pos)
        if a < 0:
            return out
        b = marked.find(close_mark, a + len(open_mark))
        if b < 0:  # pragma: no cover - FTS5 always closes what it opens
            return out
        start = a - removed
        removed += len(open_mark)
        end = b - removed
        removed += len(close_mark)
        out.append((start, end))
        pos = b + len(close_mark)


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``text``, case-insensitively (as trigram matches)."""
    if not needle:
        return []
    hay, pin = text.casefold(), needle.casefold()
    if len(hay) != len(text):  # casefold changed lengths (ß -> ss): match as written
        hay, pin = text, needle
    out = []
    i = hay.find(pin)
    while i >= 0:
        out.append((i, i + len(pin)))
        i = hay.find(pin, i + len(pin))
    return out


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching ranges joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


# ----------------------------------------------------------------- snippets
@dataclass(frozen=True)
class Snippet:
    """A one-line window of a text around its first matches.

    ``text`` is a slice of the source text (with its line breaks; the front end
    shows it on one line) and ``marks`` the matches in it, as offsets into
    ``text``; ``before`` / ``after``: text was cut there.
    """

    text: str
    marks: tuple[tuple[int, int], ...] = ()
    before: bool = False
    after: bool = False
    field: str = "text"


def snippet(text: str, ranges: Sequence[tuple[int, int]], width: int = 120,
            lead: int = 24, field: str = "text") -> Snippet:
    """The ``width`` characters of ``text`` from ``lead`` before its first match,
    widened to the start of a word, with the matches that fall inside."""
    n = len(text)
    ranges = merge_ranges((max(0, s), min(n, e)) for s, e in ranges if s < e)
    if not ranges:
        cut = text[:width]
        return Snippet(cut, (), False, n > width, field)
    first = ranges[0][0]
    start = max(0, first - lead)
    line = text.rfind("\n", start, first)
    if line >= 0:
        start = line + 1  # no earlier paragraph's end
    elif start > 0:
        space = text.rfind(" ", max(0, start - 12), start)
        if space >= 0:
            start = space + 1  # a whole first word
    end = min(n, start + width)
    marks = tuple((max(s, start) - start, min(e, end) - start)
                  for s, e in ranges if s < end and e > start)
    return Snippet(text[start:end], marks, start > 0, end < n, field)


@dataclass
class SearchResult:
    """Hits of a query: article ids best first (list order when nothing is ranked).

    ``total`` counts every hit (``ids`` may hold fewer when a limit was
    given; ``None`` when a first page was asked for without the count);
    ``warnings`` say why a result may surprise (a name nobody has spans
    under), one line each.
    """

    ids: list[str]
    total: int | None
    ranked: bool
    warnings: list[str] = field(default_factory=list)
