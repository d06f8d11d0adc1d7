"""One .md or .txt report: its header (YAML front matter, or a wire date) and its body.

A markdown file may open with YAML front matter (``id``, ``title``, ``date``,
``source``, ``url``; any other key is kept as metadata), read by the app's one
bounded YAML loader (:mod:`annotations.bounded_yaml`: PyYAML's safe loader,
with size, depth, alias expansion and integer length capped). A plain-text
file (or a markdown file without front matter) whose first non-blank
characters are ``date YYYY-MM-DD`` gets that date, and the token and the white
space around it leave the text. A title not given is the text's first
sentence, cut at a word boundary with ``…``. Both readers raise
:class:`~annotations.articles.errors.ArticleError` for a bad file.  A markdown
body too costly to parse (see :mod:`~annotations.articles.markdown`) is read
as plain text instead, and the article carries a note saying so.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from annotations.articles.errors import ArticleError
from annotations.articles.fields import (
    cap_styles,
    check_int,
    clean_title,
    first_sentence_title,
    id_text,
    scalar_text,
    slugify,
)
from annotations.articles.markdown import MarkdownTooCostly, parse_markdown
from annotations.articles.source import (
    drop_leading_blank_lines,
    normalise_newlines,
    read_source,
)
from annotations.bounded_yaml import YAMLLimitError, load_yaml
from annotations.model import Article

_FM_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


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
        # The YAML starts on the file's second line.
        data = load_yaml(yaml_text)
    except YAMLLimitError as exc:
        line = exc.line + 1 if exc.line is not None else None
        if exc.over_bound:
            raise ArticleError(path, f"front matter too large or too deeply nested "
                                     f"({exc.reason})", line) from None
        raise ArticleError(path, f"invalid YAML in front matter: {exc.reason}", line) from None
    if data is None:
        return {}, body
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ArticleError(path, f"front matter is not a mapping of keys to values (got {kind})")
    return data, body


def _json_safe(value: Any, path: str) -> Any:
    """Make YAML values storable as JSON (dates -> ISO strings, keys -> str).

    The loader has bounded the expanded size and depth of ``value`` already.
    """

    def convert(v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            check_int(v, "front matter value", path)
        if v is None or isinstance(v, bool | int | str):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else str(v)
        if isinstance(v, date | datetime | time):
            return v.isoformat()
        if isinstance(v, dict):
            return {_key_text(k, path): convert(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [convert(x) for x in v]
        if isinstance(v, set | frozenset):
            return sorted((convert(x) for x in v), key=repr)
        if isinstance(v, bytes):
            return base64.b64encode(v).decode("ascii")
        return str(v)

    return convert(value)


def _key_text(key: Any, path: str) -> str:
    if isinstance(key, date | datetime | time):
        return key.isoformat()
    if isinstance(key, int) and not isinstance(key, bool):
        check_int(key, "front matter key", path)
    return key if isinstance(key, str) else str(key)


def read_markdown(path: Path, source: str | None = None) -> Article:
    """Read one markdown report (optional YAML front matter); raise ArticleError if bad."""
    path = Path(path)
    where = str(path)
    if source is None:
        source = read_source(path)
    source = normalise_newlines(source.removeprefix("\ufeff"))
    front, body = _split_front_matter(where, source)
    front = {_key_text(k, where): v for k, v in front.items()}
    wire_date = None
    if not _FM_OPEN.match(source):
        # No front matter: a wire report saved as .md may open with the date token.
        wire_date, body = split_wire_date(body)

    notes: list[str] = []
    try:
        text, styles = parse_markdown(body)
    except MarkdownTooCostly as exc:
        # Bounded work: the body as it is, without styles, rather than minutes or GBs.
        text, styles = drop_leading_blank_lines(body).rstrip(), []
        notes.append(f"{where}: {exc}; imported as plain text")
    except ValueError as exc:
        raise ArticleError(where, str(exc)) from None
    if not text.strip():
        raise ArticleError(where, "empty article")
    styles, capped = cap_styles(styles, where)
    if capped:
        notes.append(capped)

    article_id = id_text(front.pop("id"), where) if "id" in front else slugify(path.stem)
    title = scalar_text(front.pop("title", None), "title", where)
    published_raw = front.pop("date", None)
    if published_raw is None:
        published_raw = front.pop("published", None)
    if published_raw is None:
        published_raw = wire_date
    published = scalar_text(published_raw, "date", where)
    source_name = scalar_text(front.pop("source", None), "source", where)
    url = scalar_text(front.pop("url", None), "url", where)
    meta = _json_safe(front, where)

    title = clean_title(title) if title else ""
    if not title:
        heading = next((r for r in styles if r.kind == "heading"), None)
        title = clean_title(text[heading.start : heading.end]) if heading else ""
    if not title:
        title = first_sentence_title(text)
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
        notes=notes,
    )


#: A wire report's date token: the first thing in the file after any white space,
#: BOMs and blank lines (wire feeds send `` date 2025-11-15 A confidential ...``);
#: the white space after it goes with it.
_WIRE_DATE = re.compile(r"[\s\ufeff]*date[^\S\n]+([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+|\Z)")


def split_wire_date(text: str) -> tuple[str | None, str]:
    """``(date, rest)`` when ``text`` opens with a valid wire date token, else ``(None, text)``."""
    wire = _WIRE_DATE.match(text)
    if wire and _valid_date(wire.group(1)):
        return wire.group(1), text[wire.end() :]
    return None, text


def read_text(path: Path, source: str | None = None) -> Article:
    """Read one plain-text report; a leading ``date YYYY-MM-DD`` token becomes its date,
    and neither the token nor the white space around it stays in the text."""
    path = Path(path)
    where = str(path)
    if source is None:
        source = read_source(path)
    text = normalise_newlines(source.removeprefix("\ufeff")).rstrip()
    published, text = split_wire_date(text)
    if published is None:
        text = drop_leading_blank_lines(text)
    if not text.strip():
        raise ArticleError(where, "empty article")
    return Article(
        id=slugify(path.stem),
        text=text,
        title=first_sentence_title(text),
        published=published,
        path=where,
    )


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
