"""An article's text as the reader needs it: split once, cached by its SHA-256.

Opening an article needs three whole-text structures before its first frame:
the :class:`~annotations.text.LineIndex` of the plain text (offsets <->
locations), the displayed copy (:func:`tui.safe.display_text`, the same
length) and that copy's rows (the reader's ``Document``).  Built apart, each
walks the whole text (a 1 MB article: about 0.8 ms, 2.2 ms and 1.9 ms, issue
19).  :func:`shown_text` builds all three from one ``split("\\n")``: when every
row is printable the displayed copy is the text itself and its rows are those
pieces; otherwise the copy is made as before and split again.

The contract: ``ShownText.lines`` equals ``LineIndex(text)``, ``shown`` equals
``display_text(text)`` and ``rows`` equals ``Document(shown).lines`` (only
``\\n`` separates rows in a displayed copy: every other line break is unsafe and
replaced), for any text (``tests/test_shown_text.py``).

The last few texts are kept by SHA-256 (checked against the text itself, a
memory compare), so an article opened again costs none of this.  Nothing in a
``ShownText`` may be changed in place: the reader gives its document a copy of
``rows``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate

from annotations.model import sha256_text
from annotations.text import LineIndex
from tui.safe import display_text

#: Texts kept (articles recently open).
CACHE_SIZE = 4


@dataclass(frozen=True)
class ShownText:
    """One text split for the reader (see the module)."""

    lines: LineIndex
    shown: str
    rows: tuple[str, ...]


_CACHE: OrderedDict[str, ShownText] = OrderedDict()


def _build(text: str) -> ShownText:
    parts = text.split("\n")
    # accumulate over lengths runs in C (the find loop of LineIndex is a Python loop)
    starts = list(accumulate(map((1).__add__, map(len, parts[:-1])), initial=0))
    lines = LineIndex.from_starts(text, starts)
    if all(map(str.isprintable, parts)):
        # Nothing to replace (every unsafe character is unprintable, and every line
        # break but "\n" is unsafe): the copy is the text, its rows the pieces.
        return ShownText(lines, text, tuple(parts))
    shown = display_text(text)
    return ShownText(lines, shown, tuple(shown.split("\n")))


def shown_text(text: str, sha256: str | None = None) -> ShownText:
    """The split of ``text`` (``sha256``: its SHA-256 when known), from the cache when
    the same text was split lately."""
    key = sha256 or sha256_text(text)
    found = _CACHE.get(key)
    if found is None or found.lines.text != text:
        found = _build(text)
        _CACHE[key] = found
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return found
