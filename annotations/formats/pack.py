"""``jsonl``: the native pack, lossless, the format teammates merge.

One article per line: ``id``, ``title``, ``text``, ``text_sha256``, ``meta``
(the article's metadata plus ``date`` / ``source`` / ``url``), ``spans``,
``relations``, ``statuses`` and, when the text has any, ``styles`` (see the
README for the contract).  Spans are written as stored: tombstones included
(so a merge deletes), orphaned spans with their old offsets and quote (so
nothing is lost; they are re-anchored wherever the pack is merged).

Deterministic: keys in a fixed order, spans sorted by (start, end, label,
annotator, id), relations by id, statuses by annotator, so a team can keep
packs in git.  U+0085, U+2028 and U+2029 are escaped so one record stays one
line for every reader.

Reading a pack goes through the same reader as ``stancemark import``
(:func:`annotations.articles.read_jsonl`), so a pack is validated one way
whichever command reads it; merging it is :mod:`annotations.store.merge`.

Offset unit: code points (our own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from annotations.articles import ArticleError, read_jsonl
from annotations.formats.base import (
    SPAN_ORDER,
    ExportOptions,
    ExportReport,
    Output,
    line_safe,
)
from annotations.model import Article, ExportDoc, sha256_text

RELATION_KEYS = ("id", "annotator", "label", "from_span", "to_span", "created_at", "updated_at",
                 "deleted_at")


class PackError(Exception):
    """A malformed pack line: ``file:line: reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


# ------------------------------------------------------------------ writing
def pack_record(doc: ExportDoc) -> dict[str, Any]:
    """The pack line of one article, as a dict with keys in contract order."""
    a = doc.article
    meta = dict(a.meta)
    for key, value in (("date", a.published), ("source", a.source), ("url", a.url)):
        if value is not None:
            meta.setdefault(key, value)
    spans = [
        {
            "id": s.id, "annotator": s.annotator, "label": s.label, "start": s.start,
            "end": s.end, "text": s.text, "note": s.note, "attributes": s.attributes,
            "anchor": s.anchor, "created_at": s.created_at, "updated_at": s.updated_at,
            "deleted_at": s.deleted_at, "prefix": s.prefix, "suffix": s.suffix,
        }
        for s in sorted(doc.spans, key=SPAN_ORDER)
    ]
    relations = [
        {k: getattr(r, k) for k in RELATION_KEYS} for r in sorted(doc.relations, key=lambda r: r.id)
    ]
    statuses = [
        {"annotator": st.annotator, "status": st.status, "updated_at": st.updated_at}
        for st in sorted(doc.statuses, key=lambda st: st.annotator)
    ]
    rec: dict[str, Any] = {
        "id": a.id,
        "title": a.title,
        "text": a.text,
        "text_sha256": sha256_text(a.text),
        "meta": dict(sorted(meta.items())),
        "spans": spans,
        "relations": relations,
        "statuses": statuses,
    }
    if a.styles:
        rec["styles"] = [[st.start, st.end, st.kind, st.data] if st.data else
                         [st.start, st.end, st.kind] for st in a.styles]
    return rec


def pack_line(doc: ExportDoc) -> str:
    # allow_nan=False: a NaN or infinity is refused, never written as bare NaN (not JSON).
    return line_safe(json.dumps(pack_record(doc), ensure_ascii=False, allow_nan=False)) + "\n"


def write_pack(docs: Iterable[ExportDoc], stream: IO[bytes],
               counts: ExportReport | None = None) -> tuple[int, int]:
    """Write docs as a pack; returns (articles, spans) (``counts`` also gets the relations)."""
    n_articles = n_spans = 0
    for doc in docs:
        stream.write(pack_line(doc).encode("utf-8"))
        n_articles += 1
        n_spans += len(doc.spans)
        if counts is not None:
            counts.relations += len(doc.relations)
    return n_articles, n_spans


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    """The ``jsonl`` format's writer (see :data:`annotations.formats.FORMATS`)."""
    report = ExportReport()
    report.articles, report.spans = write_pack(docs, out.require_stream("jsonl"), report)
    return report


# ------------------------------------------------------------------ reading
def read_pack(path: Path | str, *, stream: IO[bytes] | None = None,
              digest: Any = None) -> Iterator[Article | PackError]:
    """Pack lines as Articles (annotations attached); bad lines as PackError.

    An article line without annotations gets empty ones, so every item
    merges the same way.  ``stream`` and ``digest``: as for
    :func:`~annotations.articles.read_jsonl` (read a private copy; hash what
    was read).
    """
    for item in read_jsonl(Path(path), stream=stream, digest=digest):
        if isinstance(item, ArticleError):
            yield PackError(str(path), item.line or 0, item.reason)
            continue
        sha = (item.annotations or {}).get("text_sha256")
        if sha is not None and sha != sha256_text(item.text):
            line = (item.annotations or {}).get("line", 0)
            yield PackError(str(path), line, "text_sha256 does not match the text")
        else:
            if item.annotations is None:  # an article line without annotations
                item.annotations = {"spans": [], "relations": [], "statuses": []}
            yield item
