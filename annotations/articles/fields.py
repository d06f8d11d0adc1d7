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

_TITLE_MAX = 200
#: Display styles kept per article (markdown or pack line); the rest are dropped with a
#: note.  They only colour the reader, which paints each row from them: 10,000 styles
#: over a whole text took 58 s to first paint (the reader bounds its own work as well).
MAX_STYLES = 10_000
_SLUG_MAX = 120

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


def clean_title(text: str) -> str:
    """Titles are one-line labels in lists: collapse whitespace, cap length."""
    return " ".join(text.split())[:_TITLE_MAX].strip()


def first_line_title(text: str) -> str:
    """First non-blank line, found without splitting a possibly huge text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if not text[start:end].isspace() and end > start:
            return clean_title(text[start:end])
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
    if isinstance(value, bool | int | float):
        return str(value)
    raise ArticleError(path, f"'{name}' must be text, not {type(value).__name__}", line)


def id_text(value: Any, path: str, line: int | None = None, floats: bool = True) -> str:
    allowed = (str, int, float) if floats else (str, int)
    if isinstance(value, bool) or not isinstance(value, allowed):
        kind = "number" if floats else "integer"
        raise ArticleError(
            path, f"'id' must be a non-empty string or {kind}, got {value!r:.40}", line
        )
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
