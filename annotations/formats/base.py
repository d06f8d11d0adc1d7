"""Shared types and helpers for the export formats.

They live here rather than in ``__init__`` so that every format module can
import them without a circular import; ``annotations.formats`` re-exports
the public names.
"""

from __future__ import annotations

import bisect
import errno
import hashlib
import json
import operator
import os
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from annotations.model import ExportDoc, Relation, Span


class FormatUnavailable(Exception):
    """A format cannot run here, e.g. its optional dependency is missing."""


@dataclass
class ExportOptions:
    #: csv: prefix cells a spreadsheet would run as formulas with ``'`` (off: exact text).
    excel_safe: bool = False


@dataclass
class ExportReport:
    articles: int = 0
    spans: int = 0
    #: Relations written (formats that carry them).
    relations: int = 0
    #: Spans left out (conll overlaps dropped, spacy misalignments, bad offsets ...).
    skipped: int = 0
    #: One-line notes for the user.
    messages: list[str] = field(default_factory=list)
    #: One-line warnings: the output may not do what the user expects in its consumer.
    warnings: list[str] = field(default_factory=list)


@dataclass
class Output:
    """Where an export goes: a binary stream (single-file formats) or a folder."""

    stream: BinaryIO | None = None
    directory: Path | None = None
    #: Opens a file of the given name beside the stream's file (replaced whole or not at
    #: all); ``None`` when the stream is no file (stdout, a pipe).  csv writes
    #: ``relations.csv`` through it.
    companion: Callable[[str], AbstractContextManager[BinaryIO]] | None = None

    def require_stream(self, fmt: str) -> BinaryIO:
        if self.stream is None:
            raise ValueError(f"the {fmt} format writes one file: give an output stream")
        return self.stream

    def require_directory(self, fmt: str) -> Path:
        if self.directory is None:
            raise ValueError(f"the {fmt} format writes a folder: give an output directory")
        return Path(self.directory)


Writer = Callable[[Iterable[ExportDoc], Output, ExportOptions], ExportReport]


@dataclass
class FormatSpec:
    name: str
    folder: bool
    binary: bool
    #: True when a record holds one labelling, so each annotator gets their own record.
    one_per_annotator: bool
    description: str
    offset_unit: str
    write: Writer
    #: The format carries tombstones (deleted spans), so the export asks for them.
    wants_deleted: bool = False
    #: Orphaned spans are written as stored (old offsets); other formats skip and count them.
    keeps_orphaned: bool = False


# --------------------------------------------------------------------------- tokens



def token_range(toks: list[tuple[int, int]], start: int, end: int,
                starts: list[int] | None = None) -> tuple[int, int] | None:
    """Indices ``(first, last)`` (inclusive) of the tokens touching ``[start, end)``.

    ``None`` when the range touches no token (e.g. whitespace only).  ``starts``:
    the tokens' starts, when the caller has them (one list per text, not per span).
    """
    if starts is None:
        starts = [s for s, _ in toks]
    first = bisect.bisect_right(starts, start) - 1
    if first < 0 or toks[first][1] <= start:
        first += 1
    last = bisect.bisect_left(starts, end) - 1
    if first >= len(toks) or last < first:
        return None
    return first, last


# ---------------------------------------------------------------------- offsets


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 code-unit offset of code-point ``index``: what JavaScript counts."""
    return len(text[:index].encode("utf-16-le")) // 2


class Utf16Index:
    """Fast code point -> UTF-16 offset conversion for one text.

    Only characters outside the Basic Multilingual Plane differ (they take two
    code units), so we remember where they are and bisect.
    """

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def __call__(self, index: int) -> int:
        return index + bisect.bisect_left(self._astral, index)


# ------------------------------------------------------------------- file names

_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
_NOT_IN_FILENAME = re.compile(r"(?:[^A-Za-z0-9._-]|\.{2,})+")
MAX_NAME = 120


def safe_filename(article_id: str, taken: set[str]) -> str:
    """A portable file stem for ``article_id``, unique within ``taken`` (which it updates).

    Article ids are untrusted: keep ASCII letters, digits, ``.``, ``_`` and
    ``-`` only (any other run, and any ``..``, becomes one ``_``); never start
    with a dot (hidden files) or ``-`` (read as an option by shell tools);
    never end with a dot (Windows drops it); avoid reserved device names
    (``CON``, ``COM1`` ..., also with an extension).  When the id had to change or be cut to
    ``MAX_NAME`` characters, a short hash of the original id is appended so
    that different ids stay different.  ``taken`` holds casefolded names,
    because macOS and Windows file systems ignore case.
    """
    name = _NOT_IN_FILENAME.sub("_", article_id)
    if name != article_id:
        name = name.strip("_")
    name = name.lstrip(".-").rstrip(".")
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    changed = name != article_id
    digest = hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:8]
    if not name:
        name, changed = "article", True
    if changed or len(name) > MAX_NAME:
        name = f"{name[: MAX_NAME - 9].rstrip('.')}-{digest}"
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate.casefold())
    return candidate


def inside(directory: Path, name: str) -> Path:
    """``directory / name``, refused unless it resolves inside ``directory``.

    Resolving follows symlinks, so a planted link pointing elsewhere is refused.
    """
    root = directory.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise ValueError(f"refusing to write {name!r}: it resolves outside {root}")
    return path


#: Where the system can open a file relative to a folder's descriptor without
#: following a link at its last component (Linux, the BSDs, macOS).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FD_WRITES = bool(_NOFOLLOW) and os.open in os.supports_dir_fd


class FolderWriter:
    """Writes files of plain names (from :func:`safe_filename`) into one folder, never
    through a link.

    The folder is resolved once; what it already holds is listed once, and a name
    that is a symbolic link there (or anything but a regular file) is refused,
    so a link planted in the folder never redirects a write, inside or outside
    it.  Each file is then opened relative to the folder's descriptor with
    ``O_NOFOLLOW``, so a link planted after the listing fails the open instead
    of being followed.  (Resolving both paths of every article, as :func:`inside`
    does, cost brat 30 lstat calls an article: 23 % of a 100,000-article export.)
    Where the system has no ``O_NOFOLLOW`` or ``dir_fd``, every path is checked
    with :func:`inside` instead.  Use as a context manager (it holds the folder open).
    """

    def __init__(self, directory: Path) -> None:
        self.root = directory.resolve()
        self._fd: int | None = None
        self._refused: set[str] = set()
        with os.scandir(self.root) as entries:
            for entry in entries:
                if not entry.is_file(follow_symlinks=False):
                    self._refused.add(entry.name)
        if _FD_WRITES:
            self._fd = os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))

    def __enter__(self) -> FolderWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def check(self, name: str) -> None:
        """Raise ``ValueError`` unless ``name`` may be written (before writing any file
        of a group, so that a refused one leaves none of the others behind)."""
        if (not name or name in (".", "..") or os.sep in name
                or (os.altsep is not None and os.altsep in name)):
            raise ValueError(f"refusing to write {name!r}: not a plain file name")
        if name in self._refused:
            raise ValueError(f"refusing to write {name!r}: it is a link (or not a file) in "
                             f"{self.root}, and may lead outside it")
        if self._fd is None:
            inside(self.root, name)

    def write(self, name: str, data: bytes) -> None:
        """Create or replace ``name`` with ``data`` (checked as :meth:`check` does)."""
        self.check(name)
        if self._fd is None:
            (self.root / name).write_bytes(data)
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(name, flags, 0o666, dir_fd=self._fd)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise ValueError(f"refusing to write {name!r}: it is a link in {self.root}, "
                                 "and may lead outside it") from None
            raise
        with open(fd, "wb", closefd=True) as fh:
            fh.write(data)


# ------------------------------------------------------------------ span helpers


#: The export order of spans: article id, start, end, label, annotator, span id
#: (a C-level getter, for sorting every span of an export).
SPAN_ORDER = operator.attrgetter("article_id", "start", "end", "label", "annotator", "id")


def valid_spans(doc: ExportDoc, report: ExportReport, fmt: str) -> list[Span]:
    """The doc's spans in export order, leaving out any whose offsets lost their quote.

    Every format promises ``text[start:end] == quote``; a span that breaks it
    (e.g. an orphaned anchor) is reported instead of exported wrongly.
    """
    text = doc.article.text
    good: list[Span] = []
    for span in sorted(doc.spans, key=SPAN_ORDER):
        ok = 0 <= span.start < span.end <= len(text) and text[span.start : span.end] == span.text
        if ok:
            good.append(span)
        else:
            report.skipped += 1
            report.messages.append(
                f"{fmt}: span {span.id} in {doc.article.id!r} skipped: "
                f"its offsets {span.start}-{span.end} do not give back its text"
            )
    return good


def annotators(doc: ExportDoc, spans: list[Span]) -> list[str]:
    """Who gets a record in one-per-annotator formats: span authors and status holders.

    An annotator who set a status but tagged nothing still gets a record: "no
    span here" is a labelling too (a negative example).
    """
    names = {s.annotator for s in spans} | {st.annotator for st in doc.statuses}
    return sorted(names)


def by_annotator(spans: list[Span], name: str) -> list[Span]:
    return [s for s in spans if s.annotator == name]


def live_relations(doc: ExportDoc, spans: list[Span]) -> list[Relation]:
    """Relations whose both ends were exported, in a stable order."""
    ids = {s.id for s in spans}
    rels = [
        r for r in doc.relations if r.deleted_at is None and r.from_span in ids and r.to_span in ids
    ]
    return sorted(rels, key=lambda r: (r.annotator, r.label, r.from_span, r.to_span, r.id))


def count_relations_left_out(report: ExportReport, doc: ExportDoc, written: int) -> None:
    """Count the doc's live relations that were not written (an end span left out)."""
    live = sum(1 for r in doc.relations if r.deleted_at is None)
    report.relations += written
    skipped = live - written
    if skipped:
        report.messages.append(
            f"{skipped} relation(s) of {doc.article.id!r} left out: a span they link was "
            "not exported")


class RelationsLeftOut:
    """For formats without relations: count the relations an export leaves out, and say
    so once (as the formats say how many overlapping spans they dropped)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.count = 0

    def add(self, doc: ExportDoc) -> None:
        self.count += sum(1 for r in doc.relations if r.deleted_at is None)

    def report(self, report: ExportReport) -> None:
        if self.count:
            report.messages.append(
                f"{self.fmt}: {self.count} relation(s) left out: the format has no relations "
                "(jsonl, brat, labelstudio, doccano, w3c and csv carry them)")


_LINE_BREAKERS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def line_safe(s: str) -> str:
    """Escape the code points that ``str.splitlines`` and JavaScript treat as line ends.

    JSON leaves U+0085, U+2028 and U+2029 raw with ``ensure_ascii=False``;
    escaping them keeps one record on one line for every reader.
    """
    if "\x85" in s or "\u2028" in s or "\u2029" in s:
        for ch, esc in _LINE_BREAKERS.items():
            s = s.replace(ch, esc)
    return s


def dumps(obj: Any) -> str:
    """Deterministic JSON: keys sorted, real characters rather than ``\\u`` escapes."""
    return line_safe(json.dumps(obj, ensure_ascii=False, sort_keys=True, allow_nan=False))


def signed32(data: str) -> int:
    """A stable signed 32-bit int (Prodigy hashes are ints of this size)."""
    return int.from_bytes(hashlib.sha256(data.encode("utf-8")).digest()[:4], "big", signed=True)
