"""Make untrusted strings safe to put on a terminal.

Article texts, titles, notes, label and annotator names come from files and
other people.  Two things can go wrong when they reach the screen:

* Textual parses ``[...]`` in plain strings as markup.  Every widget here is
  handed :class:`~textual.content.Content` (or ``markup=False``), built with
  :func:`content`, never a markup string.
* Control characters (``ESC``, ``BEL``, C1 codes, line separators, bidi
  overrides) must not reach the terminal raw.  :func:`display_text` swaps
  each one for a visible symbol of the *same length* (one code point), so
  that positions in the displayed copy equal positions in the stored text.
"""

from __future__ import annotations

import io
import re

from textual.content import Content

from annotations.safety import UNSAFE_CHARS, printable

# The core's one set of unsafe characters, plus tab: a tab is shown as one
# space so that it keeps its length.
_UNSAFE = re.compile(f"[\t{UNSAFE_CHARS}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return " "  # a tab shows as one space: same length, reads as white space
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "control pictures": ␛ ␇ ␍ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def display_text(text: str) -> str:
    """``text`` with every unsafe character replaced; ``len()`` is unchanged."""
    # Every unsafe character is one ``str.isprintable`` refuses (controls, separators,
    # format characters, surrogates: a test checks), and the check is about twice as
    # fast as the search on a long text (1 MB: 3 ms, issue 19).
    if text.replace("\n", " ").isprintable() or _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_visible, text)


def one_line(text: str | None, limit: int | None = None) -> str:
    """A safe single-line rendering (newlines become spaces), optionally shortened."""
    if not text:
        return ""
    shown = display_text(text).replace("\n", " ")
    if limit is not None and len(shown) > limit:
        shown = shown[: max(0, limit - 1)] + "…"
    return shown


def content(text: str | None, style: str = "", *, single_line: bool = True) -> Content:
    """Literal :class:`Content` (never parsed as markup) for a data string."""
    if not text:
        return Content("")
    shown = one_line(text) if single_line else display_text(text)
    return Content.styled(shown, style) if style else Content(shown)


class PrintableStream(io.TextIOBase):
    """A text stream that escapes the unsafe characters (:func:`annotations.safety.printable`,
    lines kept) before they reach ``target``: for crash reports and a tab's stderr, which
    may quote article text."""

    def __init__(self, target: io.TextIOBase) -> None:
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.target.write(printable(text, one_line=False))
        return len(text)

    def flush(self) -> None:
        self.target.flush()
