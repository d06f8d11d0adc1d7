"""Making untrusted strings safe to print on a terminal.

Article text, titles, notes and names may carry C0/C1 control characters and
ANSI escape sequences (``\\x1b[2J`` clears a screen, ``\\x1b]0;t\\x07`` retitles
a window).  Before anything reaches a terminal raw (CLI messages, tables),
control characters are replaced by visible escapes.  The TUI has its own
same-length replacement so offsets stay exact.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\x{ord(ch):02x}")


def printable(value: object, *, one_line: bool = True) -> str:
    """``value`` as text with every control character shown as an escape."""
    text = str(value)
    return (_CONTROL_LINE if one_line else _CONTROL).sub(_escape, text)


def same_length_visible(text: str) -> str:
    """Replace control characters (not ``\\n``) with U+FFFD, keeping every offset."""
    return _CONTROL.sub("\ufffd", text)
