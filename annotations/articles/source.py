"""From a file on disk to the text a reader parses: size and type checks, strict UTF-8, newlines.

Every failure is an :class:`~annotations.articles.errors.ArticleError` naming
the file (and the byte offset or line of a bad byte), never a raw ``OSError``
or ``UnicodeDecodeError``. Text keeps every character it had apart from the
newlines (CRLF and CR become LF) and, for the callers that ask, blank lines.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from annotations.articles.errors import ArticleError

#: A single .md/.txt file (or one .jsonl line) larger than this is refused with a
#: clear error instead of exhausting memory; news reports are far smaller.
MAX_ARTICLE_BYTES = 50 * 1024 * 1024
#: The buffer to read a .jsonl file or pack through: larger than a line, or readline
#: stitches each one from several reads (a 21 MB pack of ~10 KB lines: 19 ms with the
#: default 8 KB, 5 ms with this; measured).
READ_BUFFER = 1024 * 1024


def read_source(path: Path) -> str:
    """Read a whole .md/.txt file as text, turning every failure into ArticleError."""
    try:
        check_name(path)
        check_regular(path)
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            limit = MAX_ARTICLE_BYTES // (1024 * 1024)
            raise ArticleError(path, f"file too large ({size / 1048576:.0f} MB; limit {limit} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(path, f"cannot read file: {exc.strerror or exc}") from None
    return decode(data, path)


def iter_lines(handle: IO[bytes], limit: int,
               seen: Callable[[bytes], object] | None = None) -> Iterator[tuple[bytes, int]]:
    """The lines of ``handle`` as ``(bytes, length)``, never holding more than ``limit``
    + 1 bytes of one line: a longer line is yielded as its first ``limit`` + 1 bytes
    (so a caller's length check refuses it) and the rest of it is read and dropped in
    chunks.  ``length`` is the line's true length in bytes; ``seen`` gets every byte
    read (a digest of the file, say)."""
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        if seen is not None:
            seen(raw)
        length = len(raw)
        if length > limit and not raw.endswith(b"\n"):
            while True:  # the rest of the over-long line, dropped
                chunk = handle.readline(1024 * 1024)
                if not chunk:
                    break
                if seen is not None:
                    seen(chunk)
                length += len(chunk)
                if chunk.endswith(b"\n"):
                    break
        yield raw, length


def check_name(path: Path | str) -> None:
    """A name that is not UTF-8 (bytes Python keeps as lone surrogates) cannot be stored,
    shown or exported faithfully: refuse the file, saying how to fix it."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(path, "file name is not valid UTF-8; rename the file") from None


def check_regular(path: Path) -> None:
    """Opening a FIFO or device would block or never end; refuse anything but a file."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise ArticleError(path, "not a regular file")


def decode(
    data: bytes,
    path: Path | str,
    line: int | None = None,
    base: int = 0,
    binary: str = "binary file",
) -> str:
    """Decode strict UTF-8. Offsets in messages are file byte offsets (``base`` is
    where ``data`` starts in the file), for a hex editor; ``line`` for a text editor."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ArticleError(path, "not valid UTF-8 (looks like UTF-16; save it as UTF-8)", line)
    nul = data.find(b"\x00")
    if nul >= 0:
        at = line if line is not None else data.count(b"\n", 0, nul) + 1
        raise ArticleError(path, f"{binary} (NUL byte at offset {base + nul})", at)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        at = line if line is not None else data.count(b"\n", 0, exc.start) + 1
        raise ArticleError(
            path, f"not valid UTF-8 (byte 0x{bad:02x} at offset {base + exc.start})", at
        ) from None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (offsets count in the LF text)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLANK_LINES_START = re.compile(r"(?:[ \t]*\n)+")


def drop_leading_blank_lines(text: str) -> str:
    """Drop the blank lines a text starts with, keeping the first line's indentation."""
    lead = _BLANK_LINES_START.match(text)
    return text[lead.end() :] if lead else text


def trim_blank_lines(text: str) -> str:
    """Drop leading and trailing blank lines, keeping indentation (linear time)."""
    text = drop_leading_blank_lines(text)
    content_end = len(text.rstrip(" \t\n"))
    if content_end == 0:
        return ""
    line_end = text.find("\n", content_end)
    return text if line_end < 0 else text[:line_end]
