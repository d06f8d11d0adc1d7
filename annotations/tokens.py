"""The one tokenisation: the matches of ``\\w+|[^\\w\\s]`` on an article's text.

Shared by the token-based export formats (conll, prodigy) and the agreement
scores so that they stay comparable.  A combining mark (e.g. U+0301) is not
``\\w`` in Python, so it becomes a token of its own.
"""

from __future__ import annotations

import re

TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of every token: sorted, non-overlapping, never empty."""
    return [m.span() for m in TOKEN_RE.finditer(text)]
