"""The one error type of reading reports: :class:`ArticleError`, one line naming the file.

Readers yield or raise it for anything wrong with a file or a line (never a
raw ``OSError``, ``UnicodeDecodeError`` or YAML error), so an import reports
the problem and goes on with the rest of the batch.
"""

from __future__ import annotations

import os


class ArticleError(Exception):
    """One-line, user-facing: names the file and the problem."""

    def __init__(self, path: str | os.PathLike[str], reason: str, line: int | None = None):
        # Passing every argument to Exception keeps the error picklable.
        super().__init__(str(path), _one_line(reason), line)
        self.path: str = str(path)
        self.reason: str = _one_line(reason)
        self.line: int | None = line

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}: {self.reason}"
        return f"{self.path}: {self.reason}"


def _one_line(text: str) -> str:
    """Error messages end up in one-line lists; fold any line breaks."""
    return " ".join(str(text).split())
