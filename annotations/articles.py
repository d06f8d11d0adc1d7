"""Read report files (.md, .markdown, .txt, .jsonl) into :class:`Article` objects.

Every offset in stancemark is a code-point index into ``Article.text``, so this
module is where that text is fixed: markdown is reduced to plain text plus
display-only :class:`StyleRange` objects, plain text is taken nearly as is, and
native pack lines keep their text byte for byte so their span offsets stay valid.

Untrusted input never raises out of the batch readers (:func:`read_file`,
:func:`read_jsonl`): problems come back as :class:`ArticleError` values so the
rest of a batch goes on. Text is stored faithfully (control characters, ANSI
escapes, ``[markup]``); escaping for display is the front end's job.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from annotations.model import Article, StyleRange

__all__ = [
    "MAX_ARTICLE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ArticleError",
    "WalkResult",
    "iter_articles",
    "parse_markdown",
    "read_file",
    "read_jsonl",
    "read_markdown",
    "read_text",
    "slugify",
    "walk",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".txt", ".jsonl")

#: A single .md/.txt file (or one .jsonl line) larger than this is refused with a
#: clear error instead of exhausting memory; news reports are far smaller.
MAX_ARTICLE_BYTES = 50 * 1024 * 1024

_TITLE_MAX = 200
_SLUG_MAX = 120
#: Front matter values are converted to a JSON tree; YAML aliases can make that
#: tree exponentially large ("billion laughs") or even cyclic, so cap it.
_META_MAX_NODES = 100_000
_META_MAX_DEPTH = 64


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


# ---------------------------------------------------------------------------
# ids and titles

#: Latin letters that NFKD does not decompose into ASCII + accent.
_TRANSLIT = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ł": "l",
    "Ł": "l",
    "ı": "i",
    "ħ": "h",
    "Ħ": "h",
    "ŧ": "t",
    "Ŧ": "t",
}


def slugify(name: str) -> str:
    """Turn a file stem into a stable, path-safe, lowercase id.

    Latin accents are dropped (``Café`` -> ``cafe``) so ids stay typeable;
    letters of other scripts are kept as they are rather than lost.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        # Drop an accent only when it sits on an ASCII letter; marks in other
        # scripts (Devanagari vowel signs, Japanese dakuten...) carry meaning.
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    out: list[str] = []
    for ch in text:
        if ch != "_" and unicodedata.category(ch)[0] in "LNM":
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out)[:_SLUG_MAX].strip("-")
    return slug or "article"


def _clean_title(text: str) -> str:
    """Titles are one-line labels in lists: collapse whitespace, cap length."""
    return " ".join(text.split())[:_TITLE_MAX].strip()


def _first_line_title(text: str) -> str:
    """First non-blank line, found without splitting a possibly huge text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if not text[start:end].isspace() and end > start:
            return _clean_title(text[start:end])
        start = end + 1
    return ""


# ---------------------------------------------------------------------------
# markdown

#: markdown-it silently drops whatever is nested deeper than ``maxNesting``;
#: the commonmark preset's 20 is reachable by real files, 100 is not, and we
#: refuse (rather than truncate) anything deeper. Strikethrough stays literal
#: ``~~text~~``: with no style for it, hiding the marks would hide a retraction.
_MAX_NESTING = 100
_MD = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable("table")
_TOO_DEEP = (
    "markdown nested too deeply (quotes or lists over 100 levels); "
    "rename it to .txt to import it as plain text"
)

#: Separator placed between non-empty children of each container.
_BLOCK_SEP = {
    "root": "\n\n",
    "blockquote": "\n\n",
    "list": "\n",
    "list_item": "\n",
    "table": "\n",
    "table_section": "\n",
}

_BLANK_LINES_START = re.compile(r"(?:[ \t]*\n)+")


def _trim_blank_lines(text: str) -> str:
    """Drop leading and trailing blank lines, keeping indentation (linear time)."""
    lead = _BLANK_LINES_START.match(text)
    if lead:
        text = text[lead.end() :]
    content_end = len(text.rstrip(" \t\n"))
    if content_end == 0:
        return ""
    line_end = text.find("\n", content_end)
    return text if line_end < 0 else text[:line_end]


class _Frame:
    """An open block or inline element while walking the token stream."""

    __slots__ = ("kind", "data", "sep", "start", "count", "ordered", "first_index")

    def __init__(
        self, kind: str | None, data: dict[str, Any] | None = None, sep: str | None = None
    ) -> None:
        self.kind = kind  # style kind to record, or None
        self.data = data
        self.sep = sep  # separator between non-empty children (containers only)
        self.start: int | None = None  # offset of first emitted character
        self.count = 0  # children seen (list items, table cells)
        self.ordered = False
        self.first_index = 1


class _Renderer:
    """Turns markdown-it tokens into plain text and style ranges.

    Text is collected as a list of parts with a running offset (linear in the
    size of the text). Separators between blocks are emitted lazily, just
    before the next real character, so empty blocks leave no blank lines and
    no range ever starts on a separator.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.pending: str | None = None
        self.stack: list[_Frame] = [_Frame(None, sep=_BLOCK_SEP["root"])]
        self.styles: list[StyleRange] = []
        self.list_depth = 0

    # -- low level ---------------------------------------------------------

    def emit(self, text: str) -> None:
        if not text:
            return
        if self.pending is not None:
            self.parts.append(self.pending)
            self.pos += len(self.pending)
            self.pending = None
        # Frames without a start form a suffix of the stack.
        for frame in reversed(self.stack):
            if frame.start is not None:
                break
            frame.start = self.pos
        self.parts.append(text)
        self.pos += len(text)

    def begin_child(self) -> None:
        """A new child of the innermost container starts."""
        parent = self.stack[-1]
        if parent.sep is not None and parent.start is not None:
            self.pending = parent.sep

    def push(
        self, kind: str | None, data: dict[str, Any] | None = None, sep: str | None = None
    ) -> _Frame:
        frame = _Frame(kind, data, sep)
        self.stack.append(frame)
        return frame

    def pop(self) -> _Frame:
        frame = self.stack.pop()
        if frame.kind is not None and frame.start is not None and self.pos > frame.start:
            self.styles.append(StyleRange(frame.start, self.pos, frame.kind, frame.data or {}))
        return frame

    # -- blocks ------------------------------------------------------------

    def render(self, tokens: list[Token]) -> None:
        for token in tokens:
            ttype = token.type
            if token.nesting == -1:
                if ttype in ("bullet_list_close", "ordered_list_close"):
                    self.list_depth -= 1
                self.pop()
                continue
            if token.nesting == 1:
                self.open_block(token)
                continue
            if ttype == "inline":
                self.inline(token.children or [])
            elif ttype in ("fence", "code_block"):
                code = _trim_blank_lines(token.content)
                data: dict[str, Any] = {"block": True}
                info = token.info.strip()
                if info:
                    data["info"] = info
                self.begin_child()
                self.push("code", data)
                self.emit(code)
                self.pop()
            elif ttype == "html_block":
                self.begin_child()
                self.emit(_trim_blank_lines(token.content))
            elif ttype == "hr":
                continue
            elif token.content:  # unknown leaf block from a plugin: keep its text
                self.begin_child()
                self.emit(token.content)

    def open_block(self, token: Token) -> None:
        ttype = token.type
        parent = self.stack[-1]
        if token.level >= _MAX_NESTING - 1 and ttype in ("blockquote_open", "list_item_open"):
            raise ValueError(_TOO_DEEP)  # markdown-it dropped this block's content
        if ttype in ("th_open", "td_open"):
            # Cells are joined with " | "; separators accumulate over empty cells
            # (keeping columns aligned) and are dropped at the end of a row.
            if parent.start is not None:
                self.pending = (self.pending or "") + " | "
            self.push(None)
            return
        self.begin_child()
        if ttype == "heading_open":
            self.push("heading", {"level": int(token.tag[1:]) if token.tag[1:].isdigit() else 1})
        elif ttype == "paragraph_open":
            self.push(None)
        elif ttype == "blockquote_open":
            self.push("quote", None, _BLOCK_SEP["blockquote"])
        elif ttype in ("bullet_list_open", "ordered_list_open"):
            frame = self.push(None, None, _BLOCK_SEP["list"])
            frame.ordered = ttype == "ordered_list_open"
            start = token.attrs.get("start", 1)
            frame.first_index = start if isinstance(start, int) else 1
            self.list_depth += 1
        elif ttype == "list_item_open":
            index = parent.first_index + parent.count if parent.ordered else parent.count + 1
            parent.count += 1
            data = {"ordered": parent.ordered, "index": index, "depth": self.list_depth - 1}
            self.push("list_item", data, _BLOCK_SEP["list_item"])
        elif ttype == "table_open":
            self.push(None, None, _BLOCK_SEP["table"])
        elif ttype == "thead_open":
            # Header cells are shown bold, as a terminal reader has no table grid.
            self.push("strong", None, _BLOCK_SEP["table_section"])
        elif ttype == "tbody_open":
            self.push(None, None, _BLOCK_SEP["table_section"])
        else:  # tr_open and containers from plugins
            self.push(None, None, "\n")

    # -- inline ------------------------------------------------------------

    def inline(self, children: list[Token]) -> None:
        for tok in children:
            ttype = tok.type
            if ttype in ("text", "text_special", "html_inline"):
                self.emit(tok.content)
            elif ttype in ("softbreak", "hardbreak"):
                self.emit("\n")
            elif ttype == "code_inline":
                self.push("code")
                self.emit(tok.content)
                self.pop()
            elif ttype == "em_open":
                self.push("emphasis")
            elif ttype == "strong_open":
                self.push("strong")
            elif ttype == "link_open":
                data = {"href": str(tok.attrs.get("href", ""))}
                if tok.attrs.get("title"):
                    data["title"] = str(tok.attrs["title"])
                self.push("link", data)
            elif ttype == "image":
                self.inline(tok.children or [])
            elif tok.nesting == 1:  # other inline containers (plugins): text only
                self.push(None)
            elif tok.nesting == -1:
                self.pop()
            else:
                self.emit(tok.content)

    def result(self) -> tuple[str, list[StyleRange]]:
        text = "".join(self.parts)
        styles = sorted(self.styles, key=lambda r: (r.start, -r.end, r.kind))
        return text, styles


def parse_markdown(source: str) -> tuple[str, list[StyleRange]]:
    """Reduce markdown to the plain text every offset refers to, plus display styles.

    Blocks become lines separated by one blank line; items of one list are
    separated by single newlines; inline markup is removed; HTML is kept as
    literal text (never interpreted). ``list_item`` ranges cover the whole
    item including nested lists; ``data["depth"]`` is 0 for a top-level list
    and ``data["index"]`` is the item's number (ordered) or 1-based position.
    Raises ValueError for blocks nested so deeply the parser would drop text.
    """
    source = _normalise_newlines(source.removeprefix("\ufeff"))
    renderer = _Renderer()
    renderer.render(_MD.parse(source))
    text, styles = renderer.result()
    # Defensive: the renderer never emits outer blank lines, but keep the
    # promise even if a future token type does.
    lead = len(text) - len(text.lstrip("\n"))
    trimmed = text.strip("\n")
    if lead or len(trimmed) != len(text):
        styles = _shift_styles(styles, lead, len(trimmed))
        text = trimmed
    return text, styles


def _shift_styles(styles: list[StyleRange], lead: int, length: int) -> list[StyleRange]:
    out = []
    for r in styles:
        start, end = max(r.start - lead, 0), min(r.end - lead, length)
        if start < end:
            out.append(StyleRange(start, end, r.kind, r.data))
    return out


# ---------------------------------------------------------------------------
# front matter and metadata

_FM_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
#: ``yaml.safe_load`` with libyaml's parser when PyYAML has it: the same safe
#: constructors (no tags, no objects), about 8x faster on front matter, which
#: was 40% of the time of an import (benchmarks/cases/import_reports.py).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(path: str, source: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body). Front matter starts on line 1."""
    opening = _FM_OPEN.match(source)
    if not opening:
        return {}, source
    closing = _FM_CLOSE.search(source, opening.end())
    if closing is None:
        raise ArticleError(path, "front matter not closed (no closing '---' line)", line=1)
    yaml_text = source[opening.end() : closing.start()]
    body = source[closing.end() :].removeprefix("\n")
    try:
        data = yaml.load(yaml_text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        problem = exc.problem or exc.context or "unreadable"
        raise ArticleError(path, f"invalid YAML in front matter: {problem}"[:300], line) from None
    except RecursionError:
        raise ArticleError(path, "invalid YAML in front matter: nested too deeply") from None
    except Exception as exc:
        # Untrusted input: every failure is the user's to fix, e.g. the
        # ValueError for "date: 2024-02-30" raised while building the date.
        raise ArticleError(path, f"invalid YAML in front matter: {exc}"[:300]) from None
    if data is None:
        return {}, body
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ArticleError(path, f"front matter is not a mapping of keys to values (got {kind})")
    return data, body


def _json_safe(value: Any, path: str) -> Any:
    """Make YAML values storable as JSON (dates -> ISO strings, keys -> str)."""
    budget = [_META_MAX_NODES]

    def convert(v: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > _META_MAX_DEPTH:
            raise ArticleError(path, "front matter too large or too deeply nested")
        if v is None or isinstance(v, bool | int | str):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else str(v)
        if isinstance(v, date | datetime | time):
            return v.isoformat()
        if isinstance(v, dict):
            return {_key_text(k): convert(x, depth + 1) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [convert(x, depth + 1) for x in v]
        if isinstance(v, set | frozenset):
            return sorted((convert(x, depth + 1) for x in v), key=repr)
        if isinstance(v, bytes):
            return base64.b64encode(v).decode("ascii")
        return str(v)

    return convert(value, 0)


def _key_text(key: Any) -> str:
    if isinstance(key, date | datetime | time):
        return key.isoformat()
    return key if isinstance(key, str) else str(key)


def _scalar_text(value: Any, name: str, path: str, line: int | None = None) -> str | None:
    """A metadata field as text (numbers and dates converted); None stays None."""
    if value is None:
        return None
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool | int | float):
        return str(value)
    raise ArticleError(path, f"'{name}' must be text, not {type(value).__name__}", line)


def _id_text(value: Any, path: str, line: int | None = None, floats: bool = True) -> str:
    allowed = (str, int, float) if floats else (str, int)
    if isinstance(value, bool) or not isinstance(value, allowed):
        kind = "number" if floats else "integer"
        raise ArticleError(
            path, f"'id' must be a non-empty string or {kind}, got {value!r:.40}", line
        )
    text = str(value).strip()
    if not text:
        raise ArticleError(path, "'id' is empty", line)
    return text


# ---------------------------------------------------------------------------
# readers


def _read_source(path: Path) -> str:
    """Read a whole .md/.txt file as text, turning every failure into ArticleError."""
    try:
        _check_regular(path)
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            limit = MAX_ARTICLE_BYTES // (1024 * 1024)
            raise ArticleError(path, f"file too large ({size / 1048576:.0f} MB; limit {limit} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(path, f"cannot read file: {exc.strerror or exc}") from None
    return _decode(data, path)


def _check_regular(path: Path) -> None:
    """Opening a FIFO or device would block or never end; refuse anything but a file."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise ArticleError(path, "not a regular file")


def _decode(
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


def read_markdown(path: Path, source: str | None = None) -> Article:
    """Read one markdown report (optional YAML front matter); raise ArticleError if bad."""
    path = Path(path)
    where = str(path)
    if source is None:
        source = _read_source(path)
    source = _normalise_newlines(source.removeprefix("\ufeff"))
    front, body = _split_front_matter(where, source)
    front = {_key_text(k): v for k, v in front.items()}

    try:
        text, styles = parse_markdown(body)
    except ValueError as exc:
        raise ArticleError(where, str(exc)) from None
    if not text.strip():
        raise ArticleError(where, "empty article")

    article_id = _id_text(front.pop("id"), where) if "id" in front else slugify(path.stem)
    title = _scalar_text(front.pop("title", None), "title", where)
    published_raw = front.pop("date", None)
    if published_raw is None:
        published_raw = front.pop("published", None)
    published = _scalar_text(published_raw, "date", where)
    source_name = _scalar_text(front.pop("source", None), "source", where)
    url = _scalar_text(front.pop("url", None), "url", where)
    meta = _json_safe(front, where)

    title = _clean_title(title) if title else ""
    if not title:
        heading = next((r for r in styles if r.kind == "heading"), None)
        title = _clean_title(text[heading.start : heading.end]) if heading else ""
    if not title:
        title = _first_line_title(text)
    return Article(
        id=article_id,
        text=text,
        title=title,
        source=source_name,
        published=published,
        url=url,
        path=where,
        meta=meta,
        styles=styles,
    )


_WIRE_DATE = re.compile(r"date ([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+|\Z)")


def read_text(path: Path, source: str | None = None) -> Article:
    """Read one plain-text report; a leading ``date YYYY-MM-DD`` token becomes its date."""
    path = Path(path)
    where = str(path)
    if source is None:
        source = _read_source(path)
    text = _normalise_newlines(source.removeprefix("\ufeff")).rstrip()
    lead = _BLANK_LINES_START.match(text)
    if lead:
        text = text[lead.end() :]
    published = None
    wire = _WIRE_DATE.match(text)
    if wire and _valid_date(wire.group(1)):
        published = wire.group(1)
        text = text[wire.end() :]
    if not text.strip():
        raise ArticleError(where, "empty article")
    return Article(
        id=slugify(path.stem),
        text=text,
        title=_first_line_title(text),
        published=published,
        path=where,
    )


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_PACK_KEYS = ("spans", "relations", "statuses")
_JSONL_KNOWN = {
    "id",
    "text",
    "title",
    "meta",
    "date",
    "published",
    "source",
    "url",
    "text_sha256",
    "styles",
}


def read_jsonl(path: Path) -> Iterator[Article | ArticleError]:
    """Yield one Article per JSON line; a bad line yields an ArticleError and reading goes on."""
    path = Path(path)
    where = str(path)
    stem = slugify(path.stem)
    try:
        _check_regular(path)
        handle = path.open("rb")
    except ArticleError as exc:
        yield exc
        return
    except OSError as exc:
        yield ArticleError(where, f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        try:
            head = handle.read(8192)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
                yield ArticleError(where, "not valid UTF-8 (looks like UTF-16; save it as UTF-8)")
                return
            nul = head.find(b"\x00")
            if nul >= 0 and not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
                yield ArticleError(where, f"binary file (NUL byte at offset {nul})")
                return
            handle.seek(0)
            offset = 0  # of the current line in the file, for error messages
            for line_no, raw in enumerate(handle, 1):
                line_start, offset = offset, offset + len(raw)
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw, line_start = raw[3:], 3
                if not raw.strip():
                    continue
                try:
                    yield _jsonl_article(raw, where, stem, line_no, line_start)
                except ArticleError as exc:
                    yield exc
        except OSError as exc:
            yield ArticleError(where, f"cannot read file: {exc.strerror or exc}")


def _jsonl_article(raw: bytes, where: str, stem: str, line_no: int, line_start: int) -> Article:
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(where, "line too large", line_no)
    line = _decode(raw, where, line_no, line_start, binary="binary data")
    try:
        obj = json.loads(line, strict=False)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            where, f"invalid JSON: {exc.msg} (column {exc.colno})", line_no
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ArticleError(where, f"invalid JSON: {exc}"[:200], line_no) from None
    if not isinstance(obj, dict):
        raise ArticleError(where, f"line is not a JSON object (got {type(obj).__name__})", line_no)

    text = obj.get("text")
    if text is None:
        raise ArticleError(where, 'missing "text"', line_no)
    if not isinstance(text, str):
        raise ArticleError(where, f'"text" must be a string, not {type(text).__name__}', line_no)
    is_pack = any(key in obj for key in _PACK_KEYS)
    # Offsets (spans, styles) refer to the text as given: never normalise it then.
    if not is_pack and "styles" not in obj:
        text = _normalise_newlines(text)
    if not text.strip():
        raise ArticleError(where, "empty article", line_no)
    if "\x00" in text:
        raise ArticleError(where, "text contains a NUL character", line_no)

    meta_raw = obj.get("meta")
    if meta_raw is None:
        meta: dict[str, Any] = {}
    elif isinstance(meta_raw, dict):
        meta = dict(meta_raw)
    else:
        raise ArticleError(
            where, f'"meta" must be an object, not {type(meta_raw).__name__}', line_no
        )

    def field_value(*names: str) -> str | None:
        """Top-level keys win over the same keys inside "meta"."""
        found = None
        for container in (obj, meta):
            for name in names:
                value = container.pop(name, None) if container is meta else container.get(name)
                if found is None and value is not None:
                    found = _scalar_text(value, name, where, line_no)
        return found

    published = field_value("date", "published")
    source_name = field_value("source")
    url = field_value("url")
    # Unknown top-level keys are metadata too; nothing the file says is dropped.
    for key, value in obj.items():
        if key not in _JSONL_KNOWN and key not in _PACK_KEYS and key not in meta:
            meta[key] = value

    raw_id = obj.get("id")
    if raw_id is None:
        article_id = f"{stem}-{line_no}"
    else:
        article_id = _id_text(raw_id, where, line_no, floats=False)
    title = _scalar_text(obj.get("title"), "title", where, line_no)
    title = _clean_title(title) if title else _first_line_title(text)

    styles = _jsonl_styles(obj.get("styles"), text, where, line_no)
    annotations = None
    if is_pack:
        annotations = {k: obj[k] for k in (*_PACK_KEYS, "text_sha256") if k in obj}
        annotations["line"] = line_no
    return Article(
        id=article_id,
        text=text,
        title=title,
        source=source_name,
        published=published,
        url=url,
        path=where,
        meta=meta,
        styles=styles,
        annotations=annotations,
    )


def _jsonl_styles(value: Any, text: str, where: str, line_no: int) -> list[StyleRange]:
    """Display styles as packs write them: ``[start, end, kind]`` or ``[start, end, kind, data]``
    (objects with those keys are accepted too). A bad entry is an error for the line."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ArticleError(where, '"styles" must be a list', line_no)
    styles = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            item = [item.get("start"), item.get("end"), item.get("kind"), item.get("data") or {}]
        if not isinstance(item, list) or len(item) not in (3, 4):
            raise ArticleError(where, f'"styles" entry {i} is not [start, end, kind]', line_no)
        start, end, kind = item[:3]
        data = item[3] if len(item) == 4 else {}
        ok = (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and 0 <= start < end <= len(text)
            and isinstance(kind, str)
            and isinstance(data, dict)
        )
        if not ok:
            raise ArticleError(where, f'"styles" entry {i} is out of range or malformed', line_no)
        styles.append(StyleRange(start, end, kind, data))
    return styles


def read_file(path: Path) -> Iterator[Article | ArticleError]:
    """Read any supported file; every problem is yielded as ArticleError, never raised."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(path)
        return
    reader = {".md": read_markdown, ".markdown": read_markdown, ".txt": read_text}.get(suffix)
    if reader is None:
        yield ArticleError(path, f"unsupported file type '{path.suffix or '(none)'}'")
        return
    try:
        yield reader(path)
    except ArticleError as exc:
        yield exc


# ---------------------------------------------------------------------------
# folders


@dataclass
class WalkResult:
    """Files to import, and files passed over because of their type (for the summary)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def _is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def walk(paths: Iterable[Path | str]) -> WalkResult:
    """Expand files and folders into a deterministic list of readable files.

    Folders are searched recursively in sorted order; hidden entries (names
    starting with '.') inside them are ignored, symlinked folders are not
    followed (no cycles). Arguments keep their order; duplicates are dropped.
    A path that does not exist raises ArticleError before anything is read.
    """
    result = WalkResult()
    seen: set[Path] = set()

    def add(file: Path) -> None:
        key = Path(os.path.abspath(file))
        if key in seen:
            return
        seen.add(key)
        if file.is_file() and _is_supported(file):
            result.files.append(file)
        else:  # other suffixes, sockets, FIFOs...
            result.skipped.append(file)

    for given in paths:
        root = Path(given)
        if not os.path.lexists(root) or (root.is_symlink() and not root.exists()):
            raise ArticleError(root, "no such file or directory")
        if not root.is_dir():
            add(root)
            continue
        found: list[tuple[tuple[str, ...], Path]] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            base = Path(dirpath)
            rel = base.relative_to(root).parts
            for name in filenames:
                if not name.startswith("."):
                    found.append(((*rel, name), base / name))
        for _key, file in sorted(found, key=lambda item: item[0]):
            add(file)
    return result


def iter_articles(
    paths: Iterable[Path | str],
) -> tuple[WalkResult, Iterator[Article | ArticleError]]:
    """Walk the paths now (so missing paths fail early), read the files lazily."""
    found = walk(paths)

    def generate() -> Iterator[Article | ArticleError]:
        for file in found.files:
            yield from read_file(file)

    return found, generate()
