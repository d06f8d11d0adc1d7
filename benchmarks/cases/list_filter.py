"""list filter: a search typed in the article list, against the bare query for the rows it shows.

On the scale corpus (100,000 reports, 1,000,000 spans at ``--size scale``),
annotator ``alice`` (500,000 spans of hers).  A query with words cannot be
answered from the titles the list holds, so it runs in SQL; the list then
shows its first screenful of hits (:data:`FIRST` rows: a 36-line terminal
shows 11 rows of three lines) with their snippets.  What that costs should
grow with the rows shown (and, for a ranked query, with the hits FTS5 ranks),
not with the corpus.

* ``list filter: <query>`` -- ours: ``Store.search_page(query, "alice", FIRST)``,
  what the list's search worker runs first: the first page of ids, ranked when
  the query has words for the word index, and a snippet for each.  Baseline:
  one bare ``SELECT`` of the same rows as the list shows them (id, title,
  date, source, alice's status, her counts per label, and a snippet from
  FTS5's ``snippet()`` or the text's start), ``LIMIT FIRST``.  The ids must
  be the same, in the same order.
* ``list_articles: fulltext`` -- ours: ``Store.list_articles("alice",
  fulltext="embassy")``, every list row of the articles holding the word (ids,
  titles, statuses, counts), against the bare query that gives the same rows
  for the same ids (the FTS5 ids, their articles, statuses and counts).

The JSON adds, per query, the second step of the list's search (every hit's
id: ``Store.search``) and the number of hits.
"""

from __future__ import annotations

import json
from typing import Any

from annotations.store import Store
from benchmarks.data import bare_connect
from benchmarks.framework import Case, Measurement, RunContext, Target, register

WHO = "alice"
#: Rows the list's first page holds: a screenful of 3-line rows and a few more
#: (``ArticlePane._rows_in_view`` at 120 x 36).
FIRST = 15
_COUNTS = ("(SELECT json_group_object(label, n) FROM (SELECT label, count(*) AS n FROM spans "
           "WHERE annotator = :who AND article_id = a.id AND deleted_at IS NULL GROUP BY label))")
_ROW = ("a.id, a.title, a.published, a.source, "
        "coalesce((SELECT status FROM statuses WHERE article_id = a.id AND annotator = :who), "
        f"'todo'), {_COUNTS}")
_RANKED = (f"SELECT {_ROW}, snippet(articles_fts, 1, '[', ']', '…', 20) FROM articles_fts "
           "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH :fts {and_} "
           "ORDER BY articles_fts.rank LIMIT :first")
_SPAN_IDS = ("SELECT s.article_id FROM spans_fts JOIN spans s ON s.rowid = spans_fts.rowid "
             "WHERE spans_fts MATCH :span AND s.deleted_at IS NULL")
_IS_TODO = ("AND coalesce((SELECT status FROM statuses WHERE article_id = a.id AND "
            "annotator = :who), 'todo') = 'todo'")
#: row -> (our query, the bare SQL for the rows shown, its parameters)
QUERIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "list filter: word": ("embassy", _RANKED.format(and_=""), {"fts": "embassy"}),
    "list filter: common word": ("bank", _RANKED.format(and_=""), {"fts": "bank"}),
    "list filter: word is:todo": ("embassy is:todo", _RANKED.format(and_=_IS_TODO),
                                  {"fts": "embassy"}),
    "list filter: span": (
        "span:embassy",
        f"SELECT {_ROW}, substr(a.text, 1, 120) FROM articles a WHERE a.id IN ({_SPAN_IDS}) "
        "ORDER BY a.seq LIMIT :first",
        {"span": "embassy"}),
}
_LIST_FULLTEXT = (
    "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo'), "
    f"{_COUNTS} FROM articles a LEFT JOIN statuses st ON st.article_id = a.id "
    "AND st.annotator = :who WHERE a.rowid IN (SELECT rowid FROM articles_fts "
    "WHERE articles_fts MATCH :fts) ORDER BY a.seq")


def run(ctx: RunContext) -> list[Measurement]:
    from benchmarks.cases.search import corpus

    found = corpus(ctx)
    store = Store.open(found.path, create=False)
    conn = bare_connect(found.path)
    out: list[Measurement] = []
    try:
        for row, (query, sql, params) in QUERIES.items():
            bound = {"who": WHO, "first": FIRST, **params}
            ours_ids = store.search_page(query, WHO, FIRST)[0].ids
            base_ids = [r[0] for r in conn.execute(sql, bound)]
            if ours_ids != base_ids:
                raise RuntimeError(f"{row}: {query!r}: ours showed {ours_ids[:3]}..., the bare "
                                   f"query {base_ids[:3]}...")
            ours, base = ctx.compare(
                ours=lambda q=query: store.search_page(q, WHO, FIRST),
                baseline=lambda s=sql, b=bound: conn.execute(s, b).fetchall(),
                label=row)
            every = []
            for _ in range(3):
                every.append(_timed(lambda q=query: store.search(q, WHO)))
            out.append(Measurement(row, ours, base, info={
                "query": query, "bare_sql": sql, "rows_shown": len(ours_ids),
                "hits": store.search(query, WHO).total, "every_hit_s": sorted(every)[1],
                "articles": found.info["articles"]}))
        bound = {"who": WHO, "fts": "embassy"}
        ours_rows = [(r.id, r.status, r.counts) for r in store.list_articles(WHO, fulltext="embassy")]
        base_rows = [(r[0], r[4], json.loads(r[5]) if r[5] else {})
                     for r in conn.execute(_LIST_FULLTEXT, bound)]
        if ours_rows != base_rows:
            raise RuntimeError("list_articles(fulltext=...) differs from the bare query")
        ours, base = ctx.compare(
            ours=lambda: store.list_articles(WHO, fulltext="embassy"),
            baseline=lambda: conn.execute(_LIST_FULLTEXT, bound).fetchall(),
            label="list_articles: fulltext")
        out.append(Measurement("list_articles: fulltext", ours, base, info={
            "rows": len(ours_rows), "bare_sql": _LIST_FULLTEXT}))
    finally:
        store.close()
        conn.close()
    return out


def _timed(fn: Any) -> float:
    import time

    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


register(Case(
    name="list_filter",
    title="list filter",
    order=82,
    measured="a search typed in the list: its first screenful of hits with snippets "
    "(Store.search_page), and list_articles with a full-text filter",
    baseline="one bare SELECT of the same rows as the list shows them, LIMIT a screenful",
    target=Target(1.5),
    rows=(*QUERIES, "list_articles: fulltext"),
    sizes={
        "tiny": {"articles": 300},
        "quick": {"articles": 2_000},
        "scale": {"articles": 100_000},
    },
    run=run,
))
