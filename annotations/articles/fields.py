"""Ids, titles and metadata values as stored: typeable slugs, one-line titles, plain text.

Values come from untrusted front matter and JSON lines: a wrong type is an
:class:`~annotations.articles.errors.ArticleError` naming the field, never a
silent ``str()`` of a list or a mapping.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from typing import Any

from annotations.articles.errors import ArticleError
from annotations.model import StyleRange
from annotations.sentences import line_sentences

_TITLE_MAX = 200
#: A title made from the text's first sentence is a headline, not a paragraph.
_DERIVED_TITLE_MAX = 120
#: Characters of the first line segmented to find its first sentence (a title
#: needs no more; a 1 MB one-line text is not segmented whole for it).
_TITLE_WINDOW = 1000
#: Display styles kept per article (markdown or pack line); the rest are dropped with a
#: note.  They only colour the reader, which paints each row from them: 10,000 styles
#: over a whole text took 58 s to first paint (the reader bounds its own work as well).
MAX_STYLES = 10_000
_SLUG_MAX = 120
#: Left at the end of a title cut short, before the ellipsis.
_CUT_PUNCTUATION = " ,;:-–—([{\"'“‘"
#: Integers must fit SQLite's (and most JSON readers') 64 bits; a larger one
#: (a YAML hex or sexagesimal literal of thousands of digits) is refused
#: rather than stored: Python cannot even print one past 4,300 digits.
INT_LIMIT = 2**63

#: Latin letters that NFKD does not decompose into ASCII + accent.
_TRANSLIT = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ł": "l",
    "Ł": "l",
    "ı": "i",
    "ħ": "h",
    "Ħ": "h",
    "ŧ": "t",
    "Ŧ": "t",
}


def slugify(name: str) -> str:
    """Turn a file stem into a stable, path-safe, lowercase id.

    Latin accents are dropped (``Café`` -> ``cafe``) so ids stay typeable;
    letters of other scripts are kept as they are rather than lost.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        # Drop an accent only when it sits on an ASCII letter; marks in other
        # scripts (Devanagari vowel signs, Japanese dakuten...) carry meaning.
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    out: list[str] = []
    for ch in text:
        if ch != "_" and unicodedata.category(ch)[0] in "LNM":
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out)[:_SLUG_MAX].strip("-")
    return slug or "article"


def clean_title(text: str, limit: int = _TITLE_MAX) -> str:
    """Titles are one-line labels in lists: white space collapsed, at most ``limit``
    characters, a longer one cut at a word boundary with ``…`` (never mid-word)."""
    title = " ".join(text.split())
    if len(title) <= limit:
        return title
    cut = title.rfind(" ", 0, limit)
    if cut <= 0:
        # One long "word" (a script written without spaces, a URL): cut between
        # characters, never before a combining mark.
        cut = limit - 1
        while cut > 1 and unicodedata.combining(title[cut]):
            cut -= 1
    kept = title[:cut].rstrip(_CUT_PUNCTUATION) or title[:cut]
    return kept + "…"


def first_sentence_title(text: str) -> str:
    """The first sentence of the first non-blank line (a line, a heading or a list item
    always ends a sentence), as a title; found without splitting a possibly huge text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end]
        if line.strip():
            window = line[:_TITLE_WINDOW]
            found = line_sentences(window)
            first = window[found[0][0] : found[0][1]] if found else window
            return clean_title(first, _DERIVED_TITLE_MAX)
        start = end + 1
    return ""


def scalar_text(value: Any, name: str, path: str, line: int | None = None) -> str | None:
    """A metadata field as text (numbers and dates converted); None stays None."""
    if value is None:
        return None
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        check_int(value, name, path, line)
    if isinstance(value, bool | int | float):
        return str(value)
    raise ArticleError(path, f"'{name}' must be text, not {type(value).__name__}", line)


def check_int(value: int, name: str, path: str, line: int | None = None) -> None:
    """Refuse an integer outside 64 bits (see :data:`INT_LIMIT`)."""
    if not -INT_LIMIT <= value < INT_LIMIT:
        raise ArticleError(path, f"'{name}' is an integer too large to store (over 64 bits)",
                           line)


def id_text(value: Any, path: str, line: int | None = None, floats: bool = True) -> str:
    allowed = (str, int, float) if floats else (str, int)
    if isinstance(value, bool) or not isinstance(value, allowed):
        kind = "number" if floats else "integer"
        raise ArticleError(
            path, f"'id' must be a non-empty string or {kind}, got {type(value).__name__}", line
        )
    if isinstance(value, int):
        check_int(value, "id", path, line)
    text = str(value).strip()
    if not text:
        raise ArticleError(path, "'id' is empty", line)
    return text


def cap_styles(styles: list[StyleRange], where: str, line: int | None = None,
               total: int | None = None) -> tuple[list[StyleRange], str | None]:
    """At most :data:`MAX_STYLES` of ``styles`` (the first, in text order), and a note
    naming the file when some were dropped (``total``: how many there were, if more
    than ``styles`` holds)."""
    count = len(styles) if total is None else total
    if count <= MAX_STYLES:
        return styles, None
    at = f"{where}:{line}" if line is not None else where
    return styles[:MAX_STYLES], (f"{at}: {count:,} display styles; kept the first "
                                 f"{MAX_STYLES:,} (the text is complete)")
