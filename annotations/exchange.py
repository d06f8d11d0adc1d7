"""Native JSONL packs: export, read and merge (idempotent, order-independent).

A pack holds one article per line with its spans, relations and statuses
(see the README for the contract).  Packs are deterministic: keys in a fixed
order, spans sorted by (start, end, label, annotator, id), so a team can keep
them in git.

Merging is keyed by span id.  Of two versions of one span the one with the
greater *version key* wins: ``(updated_at, tombstoned, canonical JSON)``.
That is a total order, so merging any set of packs in any order, any number
of times, reaches the same database.  A span id that arrives under another
annotator's name is rejected: nobody's spans change except through their own
edits or tombstones.  When a teammate's text of an article differs from
ours, their spans are re-anchored against our text (``moved``) or marked
``orphaned``; never shifted silently.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .anchoring import TextIndex, context, reanchor
from .formats.base import line_safe
from .model import ANCHORS, STATUSES, Article, ExportDoc, sha256_text

if TYPE_CHECKING:
    from .store import MergeReport, Store

SPAN_KEYS = (
    "id",
    "annotator",
    "label",
    "start",
    "end",
    "text",
    "note",
    "attributes",
    "anchor",
    "created_at",
    "updated_at",
    "deleted_at",
    "prefix",
    "suffix",
)
RELATION_KEYS = ("id", "annotator", "label", "from_span", "to_span", "created_at", "updated_at",
                 "deleted_at")


class PackError(Exception):
    """A malformed pack line: ``file:line: reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


# ------------------------------------------------------------------ export
def pack_record(doc: ExportDoc) -> dict[str, Any]:
    """The pack line of one article, as a dict with keys in contract order."""
    a = doc.article
    meta = dict(a.meta)
    for key, value in (("date", a.published), ("source", a.source), ("url", a.url)):
        if value is not None:
            meta.setdefault(key, value)
    spans = []
    for s in doc.spans:
        spans.append({
            "id": s.id, "annotator": s.annotator, "label": s.label, "start": s.start,
            "end": s.end, "text": s.text, "note": s.note, "attributes": s.attributes,
            "anchor": s.anchor, "created_at": s.created_at, "updated_at": s.updated_at,
            "deleted_at": s.deleted_at, "prefix": s.prefix, "suffix": s.suffix,
        })
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
    return line_safe(json.dumps(pack_record(doc), ensure_ascii=False)) + "\n"


def write_pack(docs: Iterable[ExportDoc], stream: IO[bytes]) -> tuple[int, int]:
    """Write docs as a pack; returns (articles, spans)."""
    n_articles = n_spans = 0
    for doc in docs:
        stream.write(pack_line(doc).encode("utf-8"))
        n_articles += 1
        n_spans += len(doc.spans)
    return n_articles, n_spans


# -------------------------------------------------------------------- read
def read_pack(path: Path | str) -> Iterator[Article | PackError]:
    """Pack lines as Articles (annotations attached); bad lines as PackError.

    The same reader as ``stancemark import`` (:func:`articles.read_jsonl`), so
    a pack is validated one way whichever command reads it.
    """
    from .articles import ArticleError, read_jsonl

    for item in read_jsonl(Path(path)):
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


# ------------------------------------------------------------------- merge
def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def version_key(row: dict[str, Any]) -> tuple[str, int, str]:
    """Total order over versions of one record: later, then tombstone, then content."""
    return (row.get("updated_at") or "", 1 if row.get("deleted_at") else 0, _canonical(row))


def _check_span(d: Any) -> str | None:
    if not isinstance(d, dict):
        return "span is not an object"
    get = d.get  # one lookup per field: this runs for every span of every pack
    for key in ("id", "annotator", "label", "text", "created_at", "updated_at"):
        value = get(key)
        if not value or not isinstance(value, str):
            return f"span field '{key}' must be a non-empty string"
    for key in ("start", "end"):
        value = get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            return f"span field '{key}' must be an integer"
    if not 0 <= d["start"] < d["end"]:
        return f"span offsets {d['start']}..{d['end']} are not a range"
    value = get("deleted_at")
    if value is not None and not isinstance(value, str):
        return "span field 'deleted_at' must be a string or null"
    value = get("note")
    if value is not None and not isinstance(value, str):
        return "span field 'note' must be a string or null"
    if not isinstance(get("attributes") or {}, dict):
        return "span field 'attributes' must be an object"
    if get("anchor", "ok") not in ANCHORS:
        return f"span anchor must be one of {', '.join(ANCHORS)}"
    return None


def _incoming_span(
    d: dict[str, Any], article_id: str, text: str, index: TextIndex | None = None
) -> dict[str, Any]:
    """The stored form of a teammate's span, placed against *our* text."""
    row = {
        "id": d["id"], "article_id": article_id, "annotator": d["annotator"],
        "label": d["label"], "start": d["start"], "end": d["end"], "text": d["text"],
        "prefix": d.get("prefix") or "", "suffix": d.get("suffix") or "",
        "note": d.get("note"), "attributes": d.get("attributes") or {},
        "created_at": d["created_at"], "updated_at": d["updated_at"],
        "deleted_at": d.get("deleted_at"), "anchor": d.get("anchor") or "ok",
    }
    if row["anchor"] == "orphaned" and text[row["start"] : row["end"]] != row["text"]:
        return row
    place = reanchor(
        text, row["start"], row["end"], row["text"], row["prefix"], row["suffix"], index
    )
    if place.anchor == "ok":
        return row
    if place.placed:
        row["start"], row["end"] = place.start, place.end
        row["text"] = text[place.start : place.end]
        row["prefix"], row["suffix"] = context(text, place.start, place.end)
        row["anchor"] = "moved"
    else:
        row["anchor"] = "orphaned"
    return row


def merge_article_annotations(
    c: sqlite3.Connection, store: Store, art: Article, ann: dict[str, Any], source: str
) -> MergeReport:
    """Merge one pack line's spans / relations / statuses inside the caller's transaction."""
    from .store import SPAN_COLUMNS, MergeReport, _span_from_row

    report = MergeReport()
    line = ann.get("line")
    where = f"{source}:{line}" if line else source
    row = c.execute("SELECT text FROM articles WHERE id = ?", (art.id,)).fetchone()
    if row is None:  # pragma: no cover - the caller inserts the article first
        report.rejected += 1
        report.messages.append(f"{where}: article {art.id!r} is not in the database")
        return report
    ours = row[0]
    differs = ours != art.text
    index = TextIndex(ours)
    if differs:
        report.articles_differing += 1
        report.messages.append(
            f"{where}: article {art.id!r}: the pack's text differs from ours; "
            "its spans were re-anchored against our text"
        )
    cols = ", ".join(f'"{k}"' for k in SPAN_COLUMNS)
    items = ann.get("spans") or []
    # The stored rows of the pack's span ids, in a few primary-key queries
    # rather than one query per span: ours (this article) and other articles'.
    existing: dict[str, Sequence[Any]] = {}
    elsewhere: dict[str, str] = {}
    ids = list({d["id"] for d in items if isinstance(d, dict) and isinstance(d.get("id"), str)})
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in c.execute(
            f"SELECT {cols} FROM spans WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ):
            if r[1] == art.id:
                existing[r[0]] = r
            else:
                elsewhere[r[0]] = r[1]
    added: list[list[Any]] = []  # new ids: a plain INSERT (OR REPLACE costs ~60% more)
    writes: list[list[Any]] = []  # newer versions of stored (or just added) spans
    for d in items:
        problem = _check_span(d)
        if problem:
            report.rejected += 1
            sid = d.get("id") if isinstance(d, dict) else None
            report.messages.append(f"{where}: span {sid!r}: {problem}")
            continue
        incoming = _incoming_span(d, art.id, ours, index)
        if incoming["end"] > len(ours) and incoming["anchor"] != "orphaned":
            incoming["anchor"] = "orphaned"
        cur = existing.get(incoming["id"])
        if cur is None:
            other = elsewhere.get(incoming["id"])
            if other is not None:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to article {other!r}")
                continue
            report.added += 1
        else:
            current = _span_from_row(cur)
            cur_row = {k: getattr(current, k) for k in SPAN_COLUMNS}
            if current.annotator != incoming["annotator"]:
                report.rejected += 1
                report.messages.append(
                    f"{where}: span {incoming['id']!r} belongs to {current.annotator!r}, "
                    f"not {incoming['annotator']!r}")
                continue
            if version_key(incoming) <= version_key(cur_row):
                report.unchanged += 1
                continue
            report.updated += 1
        if incoming["anchor"] == "orphaned":
            report.orphaned += 1
        elif incoming["anchor"] == "moved" and differs:
            report.moved += 1
        attrs = incoming["attributes"]
        stored = dict(incoming, attributes=_canonical(attrs) if attrs else "{}")
        values = [stored[k] for k in SPAN_COLUMNS]
        (added if cur is None else writes).append(values)
        existing[incoming["id"]] = values
    marks = ", ".join("?" * len(SPAN_COLUMNS))
    if added:
        c.executemany(f"INSERT INTO spans ({cols}) VALUES ({marks})", added)
    if writes:
        c.executemany(f"INSERT OR REPLACE INTO spans ({cols}) VALUES ({marks})", writes)
    _merge_relations(c, art.id, ann.get("relations") or [], report, where)
    _merge_statuses(c, art.id, ann.get("statuses") or [], report, where)
    return report


def _merge_relations(c: sqlite3.Connection, article_id: str, items: list[Any],
                     report: MergeReport, where: str) -> None:
    from .store import RELATION_COLUMNS

    for d in items:
        if not isinstance(d, dict) or not all(
            isinstance(d.get(k), str) and d.get(k)
            for k in ("id", "annotator", "label", "from_span", "to_span", "updated_at")
        ):
            report.rejected += 1
            report.messages.append(f"{where}: malformed relation")
            continue
        row = {k: d.get(k) for k in RELATION_COLUMNS}
        row["article_id"] = article_id
        row["created_at"] = row["created_at"] or row["updated_at"]
        cur = c.execute(f"SELECT {', '.join(RELATION_COLUMNS)} FROM relations WHERE id = ?",
                        (row["id"],)).fetchone()
        if cur is not None:
            cur_row = dict(zip(RELATION_COLUMNS, cur, strict=True))
            if cur_row["annotator"] != row["annotator"]:
                report.rejected += 1
                report.messages.append(f"{where}: relation {row['id']!r} belongs to "
                                       f"{cur_row['annotator']!r}")
                continue
            if version_key(row) <= version_key(cur_row):
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added += 1
        c.execute(
            f"INSERT OR REPLACE INTO relations ({', '.join(RELATION_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(RELATION_COLUMNS))})",
            [row[k] for k in RELATION_COLUMNS],
        )


def _merge_statuses(c: sqlite3.Connection, article_id: str, items: list[Any],
                    report: MergeReport, where: str) -> None:
    for d in items:
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("annotator"), str)
            or not d.get("annotator")
            or d.get("status") not in STATUSES
            or not isinstance(d.get("updated_at"), str)
        ):
            report.rejected += 1
            report.messages.append(f"{where}: malformed status")
            continue
        cur = c.execute(
            "SELECT status, updated_at FROM statuses WHERE article_id = ? AND annotator = ?",
            (article_id, d["annotator"]),
        ).fetchone()
        new_key = (d["updated_at"], STATUSES.index(d["status"]))
        if cur is not None:
            if new_key <= (cur[1], STATUSES.index(cur[0])):
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added += 1
        c.execute(
            "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
            "VALUES (?, ?, ?, ?)",
            (article_id, d["annotator"], d["status"], d["updated_at"]),
        )
