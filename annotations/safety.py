"""Making untrusted strings safe to print on a terminal.

Article text, titles, notes and names may carry C0/C1 control characters,
ANSI escape sequences (``\\x1b[2J`` clears a screen, ``\\x1b]0;t\\x07``
retitles a window) and bidi overrides (``\\u202e`` shows text reversed).
:data:`UNSAFE_CHARS` is the one set of characters that never reach a
terminal raw, for the core and the TUI alike: C0 controls except tab and
newline, DEL, C1, the Unicode line and paragraph separators, bidi
embeddings, overrides and isolates, and lone surrogates.  Before anything
reaches a terminal from the command line (messages, tables, exports shown on
a terminal) :func:`printable` replaces each of them by a visible escape; the
TUI replaces the same set by same-length symbols so offsets stay exact
(``tui/safe.py``).
"""

from __future__ import annotations

import re

#: The characters that never reach a terminal raw, as a regex character-class body.
UNSAFE_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
#: Matches one unsafe character (tab and newline are safe).
UNSAFE = re.compile(f"[{UNSAFE_CHARS}]")
_UNSAFE_LINE = re.compile(f"[\t\n{UNSAFE_CHARS}]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")


def printable(value: object, *, one_line: bool = True) -> str:
    """``value`` as text with every unsafe character (and, on one line, tab and newline) escaped."""
    text = str(value)
    return (_UNSAFE_LINE if one_line else UNSAFE).sub(_escape, text)
