"""Output helpers for any front end: files written atomically, nothing unsafe sent to a terminal.

* :func:`atomic_write` yields a binary stream for a path the user named.  A
  regular file (or a new name) is written to a fresh temporary file in the
  same folder, created by :func:`tempfile.mkstemp` (``O_CREAT | O_EXCL``, an
  unpredictable name, so a symlink planted at a guessable name is never
  followed), then flushed, fsynced and renamed over the target: a reader
  sees the old file or the new one, never half of one.  A symlinked target
  is followed (the link stays, the file it names is replaced), as the shell's
  ``>`` follows it.  A target that exists and is not a regular file
  (``/dev/stdout``, ``/dev/null``, a FIFO, a terminal) is written in place:
  renaming over it would swap the device node for a regular file.  Every
  failure (``ENOSPC`` from ``/dev/full``, a missing folder, a folder given as
  the file) raises :class:`OutputError`, one line naming the path; the
  temporary file is removed and the target left as it was.
* :func:`terminal_safe` wraps a binary stream bound for a terminal so that
  :data:`annotations.safety.UNSAFE` characters arrive as visible escapes
  (files and pipes get the faithful bytes instead).
* :func:`print_message` writes one human-readable line to stderr and
  :func:`json_text` renders JSON, both with no unsafe character left raw.

No textual, rich or click here: the core stays free of front ends.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TextIO

from annotations.safety import UNSAFE, printable

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class OutputError(Exception):
    """Output could not be written: one line naming the path and the reason."""


# ---------------------------------------------------------------- files
# Written here rather than taken from atomicwrites (archived since 2022) or
# its successors because none of them writes a device or FIFO target in
# place, which is the case that matters for `-o /dev/stdout`.
@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream whose bytes replace ``path`` whole when the block ends without error.

    An :class:`OSError` raised inside the block (a write to the stream
    failing) becomes :class:`OutputError` as well, so a full disk reads the
    same whether it shows at a write or at the final flush.
    """
    target = Path(path)
    try:
        try:
            info: os.stat_result | None = os.stat(target)  # follows symlinks
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            with open(target, "wb") as stream:
                yield stream
                stream.flush()
        else:
            with _replacing(Path(os.path.realpath(target)), info) as stream:
                yield stream
    except OSError as e:
        raise OutputError(f"cannot write {target}: {e.strerror or e}") from e


@contextmanager
def _replacing(final: Path, info: os.stat_result | None) -> Iterator[BinaryIO]:
    """Write a temporary file beside ``final`` and rename it over ``final`` at the end."""
    folder = final.parent
    fd, name = tempfile.mkstemp(prefix=f".{final.name[:100]}.", suffix=".tmp", dir=folder)
    temporary = Path(name)
    try:
        # mkstemp creates 0600; give the file the mode it has (or a new file would get).
        os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        with open(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_folder(folder)


def _umask() -> int:
    """The process umask (reading it means setting it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; a file system that cannot sync a folder is left as it is."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------- terminal
class TerminalSafeWriter(io.RawIOBase):
    """A raw stream that escapes unsafe characters on their way to ``stream``.

    UTF-8 is decoded incrementally, so a character split between two writes
    stays whole; bytes that are not UTF-8 show as U+FFFD.  Closing it flushes
    ``stream`` but leaves it open (it is usually stdout).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        chunk = bytes(data)
        self._emit(self._decoder.decode(chunk))
        return len(chunk)

    def flush(self) -> None:
        if not self.closed:
            self._stream.flush()

    def close(self) -> None:
        if not self.closed:
            self._emit(self._decoder.decode(b"", final=True))
            self._stream.flush()
        super().close()

    def _emit(self, text: str) -> None:
        if text:
            self._stream.write(printable(text, one_line=False).encode("utf-8"))


def terminal_safe(stream: IO[bytes]) -> BinaryIO:
    """A buffered binary stream over ``stream`` (a terminal) that escapes unsafe characters.

    Close it (or use it as a context manager) to write out the last bytes.
    """
    return io.BufferedWriter(TerminalSafeWriter(stream))


# ------------------------------------------------------------- messages
def print_message(message: object, file: TextIO | None = None) -> None:
    """One line for a human on ``file`` (default stderr), every control character escaped."""
    stream = file if file is not None else sys.stderr
    stream.write(printable(message) + "\n")
    stream.flush()


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    """JSON with real characters but each unsafe one as a ``\\uXXXX`` escape.

    ``json.dumps(ensure_ascii=False)`` escapes C0 controls only, leaving C1,
    DEL, line separators, bidi overrides and lone surrogates raw; they can
    only stand inside strings, where an escape means the same to any JSON
    reader.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys,
                      allow_nan=False)
    return UNSAFE.sub(_json_escape, text)
