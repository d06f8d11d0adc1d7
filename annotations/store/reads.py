"""Read models: the shapes exports, agreement, stats and the article list read the store in.

Each is a few ordered queries merged in Python, streamed where the result
can be large (every article of an export, every row of a 100,000-article
list), so memory stays flat.  Orders are fixed (articles by id; spans by
start, end, label, annotator, id) so that the same database gives the same
bytes.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

from annotations.model import ArticleRow, ExportDoc, Relation, Span, StatusRecord
from annotations.store.articles import count_articles
from annotations.store.connection import Connection
from annotations.store.rows import (
    ARTICLE_SELECT,
    RELATION_SELECT,
    SPAN_SELECT,
    article_from_row,
    article_rows,
    relation_from_row,
    span_from_row,
)
from annotations.store.spans import SPAN_ORDER
from annotations.store.spans import statuses as status_records

ID_CHUNK = 500  # article ids per IN (...) query


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def stats(cx: Connection) -> dict[str, Any]:
    """Articles; live spans per label, per annotator and label, per anchor; statuses."""
    c = cx.conn
    labels = dict(c.execute(
        "SELECT label, count(*) FROM spans WHERE deleted_at IS NULL GROUP BY label ORDER BY label"
    ).fetchall())
    annotators: dict[str, dict[str, int]] = {}
    for ann, label, n in c.execute(
        "SELECT annotator, label, count(*) FROM spans WHERE deleted_at IS NULL "
        "GROUP BY annotator, label ORDER BY annotator, label"
    ):
        annotators.setdefault(ann, {})[label] = n
    statuses: dict[str, dict[str, int]] = {}
    for ann, st, n in c.execute(
        "SELECT annotator, status, count(*) FROM statuses GROUP BY annotator, status "
        "ORDER BY annotator, status"
    ):
        statuses.setdefault(ann, {})[st] = n
    anchors = dict(c.execute(
        "SELECT anchor, count(*) FROM spans WHERE deleted_at IS NULL GROUP BY anchor"
    ).fetchall())
    return {
        "articles": count_articles(cx),
        "spans": sum(labels.values()),
        "labels": labels,
        "annotators": annotators,
        "statuses": statuses,
        "anchors": anchors,
    }


def export_docs(
    cx: Connection,
    *,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    status: str = "any",
    article_ids: Sequence[str] | None = None,
    include_orphaned: bool = False,
    include_deleted: bool = False,
    with_empty: bool = True,
    counters: dict[str, int] | None = None,
) -> Generator[ExportDoc, None, None]:
    """Articles with their chosen spans, sorted by id then (start, end, label, annotator, id).

    Streams: one ordered query over articles and one over spans, merged.
    ``counters`` gets ``orphaned`` (left out), ``articles``/``spans`` and
    ``relations_orphaned`` (live relations left out with an orphaned end).
    A relation comes with its article when both its spans do.
    ``status='done'`` keeps, per article, only annotators who marked it done.
    """
    counters = counters if counters is not None else {}
    for k in ("articles", "spans", "orphaned", "relations_orphaned"):
        counters.setdefault(k, 0)
    c = cx.conn
    conds: list[str] = []
    params: list[Any] = []
    if article_ids:
        conds.append(f"id IN ({_marks(article_ids)})")
        params.extend(article_ids)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    art_cur = c.cursor()
    art_cur.execute(f"SELECT {ARTICLE_SELECT} FROM articles {where} ORDER BY id", params)
    sconds: list[str] = []
    sparams: list[Any] = []
    if article_ids:
        sconds.append(f"article_id IN ({_marks(article_ids)})")
        sparams.extend(article_ids)
    if annotators:
        sconds.append(f"annotator IN ({_marks(annotators)})")
        sparams.extend(annotators)
    if labels:
        sconds.append(f"label IN ({_marks(labels)})")
        sparams.extend(labels)
    if not include_deleted:
        sconds.append("deleted_at IS NULL")
    swhere = ("WHERE " + " AND ".join(sconds)) if sconds else ""
    span_cur = c.cursor()
    span_cur.execute(
        f"SELECT {SPAN_SELECT} FROM spans {swhere} "
        f"ORDER BY article_id, {SPAN_ORDER}",
        sparams,
    )
    status_rows: dict[str, list[StatusRecord]] = {}
    for rec in status_records(cx):
        if annotators and rec.annotator not in annotators:
            continue
        status_rows.setdefault(rec.article_id, []).append(rec)
    rel_rows: dict[str, list[Relation]] = {}
    rsql = f"SELECT {RELATION_SELECT} FROM relations"
    if not include_deleted:
        rsql += " WHERE deleted_at IS NULL"
    for row in c.execute(rsql + " ORDER BY article_id, id"):
        rel = relation_from_row(row)
        if annotators and rel.annotator not in annotators:
            continue
        rel_rows.setdefault(rel.article_id, []).append(rel)

    pending = span_cur.fetchone()
    for arow in art_cur:
        art = article_from_row(arow)
        spans: list[Span] = []
        while pending is not None and pending[1] < art.id:
            pending = span_cur.fetchone()
        while pending is not None and pending[1] == art.id:
            spans.append(span_from_row(pending))
            pending = span_cur.fetchone()
        sts = status_rows.get(art.id, [])
        if status == "done":
            done = {s.annotator for s in sts if s.status == "done"}
            spans = [s for s in spans if s.annotator in done]
            sts = [s for s in sts if s.annotator in done]
            if not done:
                continue
        orphans: set[str] = set()
        if not include_orphaned:
            kept = [s for s in spans if s.anchor != "orphaned"]
            counters["orphaned"] += len(spans) - len(kept)
            orphans = {s.id for s in spans if s.anchor == "orphaned"}
            spans = kept
        if not spans and not with_empty and not sts:
            continue
        live_ids = {s.id for s in spans}
        rels = []
        for r in rel_rows.get(art.id, []):
            if r.from_span in live_ids and r.to_span in live_ids:
                rels.append(r)
            elif r.deleted_at is None and (r.from_span in orphans or r.to_span in orphans):
                counters["relations_orphaned"] += 1
        counters["articles"] += 1
        counters["spans"] += len(spans)
        yield ExportDoc(art, spans, rels, sts)


def agreement_inputs(
    cx: Connection, annotators: Sequence[str] | None = None
) -> tuple[dict[str, str], list[Span], list[tuple[str, str]]]:
    """Texts, live spans and done marks of the articles these annotators touched."""
    cond, params = "", []
    if annotators:
        cond = f" AND annotator IN ({_marks(annotators)})"
        params = list(annotators)
    spans = [
        span_from_row(r)
        for r in cx.conn.execute(
            f"SELECT {SPAN_SELECT} FROM spans WHERE deleted_at IS NULL{cond} "
            f"ORDER BY article_id, {SPAN_ORDER}",
            params,
        )
    ]
    done = [
        (r[0], r[1])
        for r in cx.conn.execute(
            f"SELECT article_id, annotator FROM statuses WHERE status = 'done'{cond}", params
        )
    ]
    ids = sorted({s.article_id for s in spans} | {d[0] for d in done})
    texts: dict[str, str] = {}
    for i in range(0, len(ids), ID_CHUNK):
        chunk = ids[i : i + ID_CHUNK]
        for aid, text in cx.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({_marks(chunk)})", chunk
        ):
            texts[aid] = text
    return texts, spans, done


def agreement_relations(cx: Connection,
                        annotators: Sequence[str] | None = None) -> list[Relation]:
    """Live relations of these annotators (everyone's by default), by article then id."""
    sql = f"SELECT {RELATION_SELECT} FROM relations WHERE deleted_at IS NULL"
    params: list[Any] = []
    if annotators:
        sql += f" AND annotator IN ({_marks(annotators)})"
        params = list(annotators)
    return [relation_from_row(r) for r in cx.conn.execute(sql + " ORDER BY article_id, id",
                                                          params)]


def iter_article_rows(cx: Connection, annotator: str, *,
                      batch_size: int = 2000) -> Generator[ArticleRow, None, None]:
    """Every list row, in list order, streamed: ``list_articles`` without
    filters, fetched ``batch_size`` rows at a time so that a 100,000-article list
    never exists twice in memory (the TUI keeps its own compact copy).

    Use it on a connection of its own (another :class:`Store`) if writes may
    happen while the rows are being read.
    A generator: ``close()`` it to release the cursor if you stop early.
    """
    # The counts are a correlated subquery (an index search per row) rather
    # than a join to an aggregate: the join materialises every count before
    # the first row, which kept a 100,000-article list empty for 0.4 s.
    sql = (
        "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo'), "
        "  (SELECT json_group_object(label, n) FROM "
        "    (SELECT label, count(*) AS n FROM spans WHERE annotator = ?1 "
        "     AND article_id = a.id AND deleted_at IS NULL GROUP BY label)) "
        "FROM articles a "
        "LEFT JOIN statuses st ON st.article_id = a.id AND st.annotator = ?1 "
        "ORDER BY a.seq"
    )
    cursor = cx.conn.cursor()
    try:
        cursor.execute(sql, (annotator,))
        while rows := cursor.fetchmany(batch_size):
            yield from article_rows(rows)
    finally:
        cursor.close()
