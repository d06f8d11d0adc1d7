"""Making untrusted strings safe to print on a terminal.

Article text, titles, notes and names may carry C0/C1 control characters and
ANSI escape sequences (``\\x1b[2J`` clears a screen, ``\\x1b]0;t\\x07`` retitles
a window).  Before anything reaches a terminal raw (CLI messages, tables),
control characters are replaced by visible escapes.  The TUI has its own
same-length replacement so offsets stay exact.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return named.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")


def printable(value: object, *, one_line: bool = True) -> str:
    """``value`` as text with every control character shown as an escape."""
    text = str(value)
    return (_CONTROL_LINE if one_line else _CONTROL).sub(_escape, text)


def same_length_visible(text: str) -> str:
    """Replace control characters (not ``\\n`` or tab) with U+FFFD, keeping every offset.

    Also U+2028 / U+2029, which ``str.splitlines`` (and so a text widget)
    would treat as line breaks, shifting every later offset.
    """
    return _CONTROL.sub("\ufffd", text)
