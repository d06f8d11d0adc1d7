"""A .jsonl file: one article per line, each line read on its own.

A line holds ``text`` (plain, not markdown) and optionally ``id``, ``title``,
``meta`` and display ``styles``; a line carrying ``spans`` / ``relations`` /
``statuses`` is a native pack line, whose text is kept byte for byte (its
offsets count in it) and whose annotations ride along in
``Article.annotations``. A bad line yields an
:class:`~annotations.articles.errors.ArticleError` and reading goes on.

JSON is read strictly where Python's ``json`` is lenient: ``NaN``,
``Infinity`` and numbers that overflow a float (``1e999``) are refused (a
stored ``NaN`` would be written back into packs as bare ``NaN``, which is not
JSON), and so is a lone surrogate (``"\\ud800"``) anywhere in the line,
which is not Unicode and which SQLite cannot store.

A line is parsed by ``orjson`` first (:func:`fast_parse`) and by the standard
library (:func:`parse_json`) whenever orjson refuses it or might read it
differently, so the lines accepted, their values and every error message are
the standard library's: see :func:`fast_parse` for why.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import orjson

from annotations.articles.errors import ArticleError
from annotations.articles.fields import (
    MAX_STYLES,
    cap_styles,
    clean_title,
    first_sentence_title,
    id_text,
    scalar_text,
    slugify,
)
from annotations.articles.source import (
    MAX_ARTICLE_BYTES,
    READ_BUFFER,
    check_name,
    check_regular,
    decode,
    iter_lines,
    normalise_newlines,
)
from annotations.model import Article, StyleRange

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


#: A ``\\uD800``-``\\uDFFF`` escape: only through one can a lone surrogate get in
#: (the bytes were strict UTF-8), so only a line that has one is searched.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


#: One decoder for every line (``json.loads`` with options builds a new one per call).
_DECODER = json.JSONDecoder(strict=False, parse_constant=_no_constant, parse_float=_finite_float)


def parse_json(line: str) -> Any:
    """``json.loads`` without NaN, Infinity or numbers that overflow to infinity."""
    if line.startswith("\ufeff"):  # what json.loads says of it
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
    return _DECODER.decode(line)


#: Digits 1-9 mapped to 0, so one ``in`` finds a run of :data:`_LONG_DIGITS` digits.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: orjson reads an integer beyond 64 bits as a float (the standard library keeps it
#: exact); an integer of 18 digits or fewer is always within 64 bits.
_LONG_DIGITS = b"0" * 19


def fast_parse(raw: bytes) -> Any | None:
    """orjson's value of a line when it is the standard library's for certain, else ``None``.

    ``None`` means: read the line the usual way (decode, :func:`parse_json`, the
    surrogate check), which then accepts or refuses it with its usual message.
    orjson's value is kept only when the two parsers agree: orjson refuses what
    the usual way refuses (``NaN``, ``Infinity``, a number overflowing a float,
    a byte order mark, invalid UTF-8, a lone surrogate, raw or escaped, and
    anything not JSON) and more besides (raw control characters in strings,
    which ``strict=False`` accepts; nesting past 1,024), all of which go the
    usual way; the one value it reads differently, an integer beyond 64 bits
    (a float), is sent the usual way by a run of 19 digits anywhere in the
    line.  Duplicate keys keep the last value in both.  A success is valid
    UTF-8 with no NUL byte and no lone surrogate, so the checks for those are
    not needed after it.  2,000-line pack (21 MB): 170 ms instead of 290 ms
    to decode, parse and search for surrogate escapes (measured).
    """
    if _LONG_DIGITS in raw.translate(_DIGITS_AS_ZERO):
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def lone_surrogate(value: Any, where: str = "") -> str | None:
    """The place (``spans[0].label``) of the first string or key holding a lone surrogate."""
    if isinstance(value, str):
        return where or "the line" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if _SURROGATE.search(key):
                return f"a key in {where or 'the line'}"
            found = lone_surrogate(item, place)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = lone_surrogate(item, f"{where}[{i}]")
            if found:
                return found
    return None


def read_jsonl(path: Path, *, stream: IO[bytes] | None = None,
               digest: Any = None) -> Iterator[Article | ArticleError]:
    """Yield one Article per JSON line; a bad line yields an ArticleError and reading goes on.

    ``stream``: read these bytes (a private copy of the file, e.g. one whose
    signature was checked) instead of opening ``path``, which then only names
    the file.  ``digest`` (a ``hashlib`` object) is fed every byte read, so a
    caller knows the SHA-256 of exactly what it got once the reader is done.
    """
    path = Path(path)
    where = str(path)
    stem = slugify(path.stem)
    try:
        check_name(path)
        if stream is None:
            check_regular(path)
            handle: IO[bytes] = path.open("rb", buffering=READ_BUFFER)
        else:
            handle = stream
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
            # A line over the limit is refused without ever being held whole; the
            # digest still gets every byte.
            seen = digest.update if digest is not None else None
            lines = iter_lines(handle, MAX_ARTICLE_BYTES, seen)
            for line_no, (raw, size) in enumerate(lines, 1):
                line_start, offset = offset, offset + size
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw, line_start = raw[3:], 3
                if not raw.strip():
                    continue
                try:
                    yield _jsonl_article(raw, where, stem, line_no, line_start)
                except ArticleError as exc:
                    yield exc
                except Exception as exc:  # noqa: BLE001 - one bad line never ends the file
                    yield ArticleError(where, f"cannot read line: {exc}"[:300], line_no)
        except OSError as exc:
            yield ArticleError(where, f"cannot read file: {exc.strerror or exc}")


def _jsonl_article(raw: bytes, where: str, stem: str, line_no: int, line_start: int) -> Article:
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(where, "line too large", line_no)
    obj = fast_parse(raw)
    line = None
    if obj is None:  # refused by orjson, or it might read the line differently
        line = decode(raw, where, line_no, line_start, binary="binary data")
        try:
            obj = parse_json(line)
        except json.JSONDecodeError as exc:
            raise ArticleError(
                where, f"invalid JSON: {exc.msg} (column {exc.colno})", line_no
            ) from None
        except (ValueError, RecursionError) as exc:
            raise ArticleError(where, f"invalid JSON: {exc}"[:200], line_no) from None
    if not isinstance(obj, dict):
        raise ArticleError(where, f"line is not a JSON object (got {type(obj).__name__})", line_no)
    if line is not None and _SURROGATE_ESCAPE.search(line):
        place = lone_surrogate(obj)
        if place:
            raise ArticleError(where, f"lone surrogate (not Unicode) in {place}", line_no)

    text = obj.get("text")
    if text is None:
        raise ArticleError(where, 'missing "text"', line_no)
    if not isinstance(text, str):
        raise ArticleError(where, f'"text" must be a string, not {type(text).__name__}', line_no)
    is_pack = any(key in obj for key in _PACK_KEYS)
    # Offsets (spans, styles) refer to the text as given: never normalise it then.
    if not is_pack and "styles" not in obj:
        text = normalise_newlines(text)
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
                    found = scalar_text(value, name, where, line_no)
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
        article_id = id_text(raw_id, where, line_no, floats=False)
    title = scalar_text(obj.get("title"), "title", where, line_no)
    title = clean_title(title) if title else first_sentence_title(text)

    styles, capped = _jsonl_styles(obj.get("styles"), text, where, line_no)
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
        notes=[capped] if capped else [],
    )


def _jsonl_styles(value: Any, text: str, where: str,
                  line_no: int) -> tuple[list[StyleRange], str | None]:
    """Display styles as packs write them: ``[start, end, kind]`` or ``[start, end, kind, data]``
    (objects with those keys are accepted too). A bad entry is an error for the line.
    At most :data:`~annotations.articles.fields.MAX_STYLES` are kept (the rest are not
    even checked), with a note saying so."""
    if value is None:
        return [], None
    if not isinstance(value, list):
        raise ArticleError(where, '"styles" must be a list', line_no)
    styles = []
    size = len(text)
    for i, item in enumerate(value[:MAX_STYLES]):
        # The usual entry, as packs write it, in one test (a pack line has dozens).
        if type(item) is list and 3 <= len(item) <= 4:
            start, end, kind = item[0], item[1], item[2]
            data = item[3] if len(item) == 4 else {}
            if type(start) is int and type(end) is int and 0 <= start < end <= size \
                    and type(kind) is str and type(data) is dict:
                styles.append(StyleRange(start, end, kind, data))
                continue
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
    return cap_styles(styles, where, line_no, total=len(value))
