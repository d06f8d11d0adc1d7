"""Rows <-> dataclasses: the column lists and the conversions every module shares.

Pure functions, no SQL is run here.  Column tuples are in table order, and
:class:`~annotations.model.Span` declares its fields in ``SPAN_COLUMNS``
order, so a span row converts positionally (the hot path of every export).
JSON columns (attributes, meta, styles) are stored as canonical JSON, never
with ``NaN`` or ``Infinity`` (not JSON: ``allow_nan=False`` refuses them).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from annotations.model import Article, ArticleRow, Relation, Span, StyleRange

SPAN_COLUMNS = (
    "id",
    "article_id",
    "annotator",
    "label",
    "start",
    "end",
    "text",
    "prefix",
    "suffix",
    "note",
    "attributes",
    "created_at",
    "updated_at",
    "deleted_at",
    "anchor",
)
_ATTRIBUTES = SPAN_COLUMNS.index("attributes")
#: ``SPAN_COLUMNS`` quoted for a SELECT or INSERT list (``end`` is an SQL keyword).
SPAN_SELECT = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
#: ``INSERT INTO spans (...) VALUES (?, ...)`` minus the verb, for INSERT / INSERT OR REPLACE.
SPAN_INTO = f"INTO spans ({SPAN_SELECT}) VALUES ({', '.join('?' * len(SPAN_COLUMNS))})"

RELATION_COLUMNS = (
    "id",
    "article_id",
    "annotator",
    "label",
    "from_span",
    "to_span",
    "created_at",
    "updated_at",
    "deleted_at",
)
RELATION_SELECT = ", ".join(RELATION_COLUMNS)

#: The columns :func:`article_from_row` reads, in its order.
ARTICLE_SELECT = "id, text, title, source, published, url, path, meta, styles"


#: One encoder for every value: ``json.dumps`` with options builds a new one per call,
#: which was a fifth of the time of the small objects a merge logs (tens of thousands).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False).encode
_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and real characters: the stored form of JSON columns."""
    return _CANONICAL(value)


def span_from_row(row: Sequence[Any]) -> Span:
    """A :class:`Span` from a row selected with :data:`SPAN_SELECT`."""
    # Positional (Span's fields are SPAN_COLUMNS in order) and no JSON parse for
    # the usual empty attributes: this runs once per span of every export.
    if len(row) != len(SPAN_COLUMNS):
        raise ValueError(f"span row has {len(row)} columns, not {len(SPAN_COLUMNS)}")
    span = Span(*row)
    raw: Any = span.attributes
    span.attributes = {} if not raw or raw == "{}" else json.loads(raw)
    return span


def span_dict(span: Span) -> dict[str, Any]:
    """``asdict(span)`` for JSON: a shallow copy (``asdict`` deep-copies, a third of a tag's
    Python time); attributes get their own dict so callers may change either."""
    d = dict(vars(span))
    d["attributes"] = dict(d["attributes"] or {})
    return d


def span_values(span: Span) -> list[Any]:
    """The span as a row in ``SPAN_COLUMNS`` order, attributes as canonical JSON."""
    d = vars(span)
    values = [d[k] for k in SPAN_COLUMNS]
    values[_ATTRIBUTES] = canonical_json(values[_ATTRIBUTES] or {})
    return values


def relation_from_row(row: Sequence[Any]) -> Relation:
    """A :class:`Relation` from a row selected with :data:`RELATION_SELECT`."""
    return Relation(**dict(zip(RELATION_COLUMNS, row, strict=True)))


def styles_json(styles: Iterable[StyleRange]) -> str:
    """Style ranges as compact JSON lists (``[start, end, kind]`` plus data if any)."""
    return _COMPACT(
        [[s.start, s.end, s.kind, s.data] if s.data else [s.start, s.end, s.kind] for s in styles])


def styles_from_json(raw: str | None) -> list[StyleRange]:
    """The style ranges stored as ``raw``.  A long list read lately is not parsed again
    (:func:`_kept_styles`): the new list holds the same (frozen) ranges, whose
    ``data`` no one may change."""
    if not raw or raw == "[]":
        return []
    if len(raw) < _STYLES_MIN_CHARS:  # short ones cost less to parse than to keep
        return _parse_styles(raw)
    return list(_kept_styles(raw))


#: Style lists shorter than this are parsed each time.
_STYLES_MIN_CHARS = 4096


@functools.lru_cache(maxsize=4)
def _kept_styles(raw: str) -> tuple[StyleRange, ...]:
    """Parsed style lists of the texts recently read, by their JSON (opening a 1 MB
    article again parsed its 2,000 styles again, 2.2 ms, issue 19)."""
    return tuple(_parse_styles(raw))


def _parse_styles(raw: str) -> list[StyleRange]:
    out = []
    for item in json.loads(raw):
        data = item[3] if len(item) > 3 else {}
        out.append(StyleRange(int(item[0]), int(item[1]), str(item[2]), data))
    return out


def article_from_row(row: Sequence[Any]) -> Article:
    """An :class:`Article` from a row selected with :data:`ARTICLE_SELECT`."""
    return Article(
        id=row[0],
        text=row[1],
        title=row[2],
        source=row[3],
        published=row[4],
        url=row[5],
        path=row[6],
        meta=json.loads(row[7] or "{}"),
        styles=styles_from_json(row[8]),
    )


def article_rows(rows: Sequence[Sequence[Any]]) -> list[ArticleRow]:
    """List rows from ``(id, title, published, source, status, counts JSON or None)``.

    Every row's counts are decoded by one ``json.loads``: a call per row was a
    third of a 79-row full-text list at 2,000 reports (benchmarks/ list_filter)."""
    counts = json.loads("[" + ",".join(r[5] or "{}" for r in rows) + "]")
    return [ArticleRow(r[0], r[1], r[2], r[3], r[4], c) for r, c in zip(rows, counts, strict=True)]
