"""Running a search query against the search indexes: hits, their matches, snippets.

A :class:`~annotations.search.Query` becomes one ``SELECT`` (see
:mod:`annotations.search` for the language and the indexes).  Word items
that can share one FTS5 expression (positive words and phrases in title or
text, ``source:`` words, their ``OR`` and ``-`` forms) become a single
``MATCH`` on ``articles_fts``, which then drives the query and ranks it
(``ORDER BY rank``, bm25 with the title weighted); every other item is a
condition on the article row: an indexed ``IN`` / ``EXISTS`` subquery
(``span:``, ``has:``, ``by:``, substrings), the status by primary key, the
date by its index.  With no such expression, hits come in list order.

Every user word reaches FTS5 inside a string (:func:`~annotations.search.fts_phrase`),
so nothing typed is FTS5 syntax; FTS5 operators are only the ones built here.

Matches are found per article with FTS5's ``highlight()`` (markers no text
can hold, :func:`~annotations.search.markers_for`) for words, and with
``str.find`` for substrings, so offsets are the index's own idea of a match.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.search import (
    AnnotatorItem,
    Atom,
    DateItem,
    LabelItem,
    Match,
    Query,
    SearchResult,
    Snippet,
    SourceItem,
    SpanItem,
    StatusItem,
    Term,
    TextItem,
    find_all,
    fts_phrase,
    has_words,
    marked_ranges,
    markers_for,
    snippet,
)
from annotations.store.connection import Connection

#: Columns of ``articles_fts`` a title-or-text item searches, and a source item.
TEXT_COLUMNS = "{title text}"
SOURCE_COLUMNS = "{source}"
#: Below this many characters a substring is found with ``instr()`` (trigram needs 3).
TRIGRAM_MIN = 3


@dataclass
class _Plan:
    """A query taken apart: one FTS5 expression (AND parts, excluded parts) and SQL conditions."""

    fts: list[str] = field(default_factory=list)
    fts_not: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)


# ------------------------------------------------------------------ compiling
def _fts_fragment(atom: Atom) -> str | None:
    """The ``articles_fts`` expression of a words item, if it is one (no substrings)."""
    if isinstance(atom, TextItem | SourceItem) and not atom.term.no_space:
        cols = TEXT_COLUMNS if isinstance(atom, TextItem) else SOURCE_COLUMNS
        return f"{cols} : {fts_phrase(atom.term.text, atom.term.prefix)}"
    return None


def _words_in(table: str, cols: str, term: Term, runs_cols: Sequence[str]) -> list[tuple[str, list[Any]]]:
    """Conditions ``rowid IN (...)`` of ``table``'s rows holding ``term``: its words in the
    word index (``table``_fts), each run of a no-space script in the substring index."""
    rest, runs = term.parts()
    out: list[tuple[str, list[Any]]] = []
    if has_words(rest):
        out.append((f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?",
                    [f"{cols} : {fts_phrase(rest.strip(), term.prefix and not runs)}"]))
    for run in runs:
        if len(run) >= TRIGRAM_MIN:
            out.append((f"SELECT rowid FROM {table}_cjk WHERE {table}_cjk MATCH ?",
                        [f"{cols} : {fts_phrase(run)}"]))
        else:
            test = " OR ".join(f"instr({table}_cjk.{c}, ?) > 0" for c in runs_cols)
            out.append((f"SELECT rowid FROM {table}_cjk WHERE ({test})",
                        [run] * len(runs_cols)))
    return out


def _condition(atom: Atom, annotator: str) -> tuple[str, list[Any]]:
    """An SQL condition on ``a`` (the article row) for one item."""
    if isinstance(atom, TextItem | SourceItem):
        text = isinstance(atom, TextItem)
        parts = _words_in("articles", TEXT_COLUMNS if text else SOURCE_COLUMNS, atom.term,
                          ("title", "text") if text else ("source",))
        sql = " AND ".join(f"a.rowid IN ({q})" for q, _ in parts)
        return f"({sql})", [p for _, ps in parts for p in ps]
    if isinstance(atom, SpanItem):
        # The first index drives (joined, as one writes it by hand: a list subquery
        # measured 1.4x the join at 1,000,000 spans); any other part filters.
        (first, first_params), *rest = _words_in("spans", "{text note}", atom.term,
                                                 ("text", "note"))
        table = first.split(" FROM ", 1)[1].split(" ", 1)[0]
        where = first.split(" WHERE ", 1)[1]
        sql = (f"a.id IN (SELECT s.article_id FROM {table} JOIN spans s "
               f"ON s.rowid = {table}.rowid WHERE {where}"
               + "".join(f" AND s.rowid IN ({q})" for q, _ in rest)
               + " AND s.deleted_at IS NULL")
        params = [*first_params, *(p for _, ps in rest for p in ps)]
        if atom.label is not None:
            sql += " AND s.label = ? COLLATE NOCASE"
            params.append(atom.label)
        return sql + ")", params
    if isinstance(atom, StatusItem):
        marks = ", ".join("?" * len(atom.statuses))
        return (f"coalesce((SELECT st.status FROM statuses st WHERE st.article_id = a.id "
                f"AND st.annotator = ?), 'todo') IN ({marks})", [annotator, *atom.statuses])
    if isinstance(atom, LabelItem):
        marks = ", ".join("?" * len(atom.labels))
        return (f"EXISTS (SELECT 1 FROM spans s WHERE s.annotator = ? AND s.article_id = a.id "
                f"AND s.label COLLATE NOCASE IN ({marks}) AND s.deleted_at IS NULL)",
                [annotator, *atom.labels])
    if isinstance(atom, AnnotatorItem):
        marks = ", ".join("?" * len(atom.names))
        return (f"EXISTS (SELECT 1 FROM spans s WHERE s.annotator IN ({marks}) "
                f"AND s.article_id = a.id AND s.deleted_at IS NULL)", list(atom.names))
    assert isinstance(atom, DateItem)
    conds, params = ["a.published IS NOT NULL"], []
    if atom.start is not None:
        conds.append("a.published >= ?")
        params.append(atom.start)
    if atom.end is not None:
        conds.append("a.published < ?")
        params.append(atom.end)
    return "(" + " AND ".join(conds) + ")", params


def plan(query: Query, annotator: str) -> _Plan:
    """Which items share the FTS5 expression and which are SQL conditions."""
    p = _Plan()
    excluded: list[str] = []
    for group in query.groups:
        words = [f for f in (_fts_fragment(it.atom) for it in group) if f is not None]
        if len(words) == len(group):
            if not any(it.negated for it in group):
                p.fts.append(words[0] if len(words) == 1 else "(" + " OR ".join(words) + ")")
                continue
            if len(group) == 1:
                excluded.append(words[0])
                continue
        conds: list[str] = []
        for it in group:
            sql, params = _condition(it.atom, annotator)
            conds.append(f"NOT {sql}" if it.negated else sql)
            p.params.extend(params)
        p.where.append(conds[0] if len(conds) == 1 else "(" + " OR ".join(conds) + ")")
    if excluded:
        if p.fts:
            p.fts_not = excluded
        else:
            p.where.append("a.rowid NOT IN (SELECT rowid FROM articles_fts "
                           "WHERE articles_fts MATCH ?)")
            p.params.append(" OR ".join(excluded))
    return p


def _expression(p: _Plan) -> str:
    expr = " AND ".join(p.fts)
    if p.fts_not:
        expr = f"({expr}) NOT ({' OR '.join(p.fts_not)})"
    return expr


def compile_query(query: Query, annotator: str) -> tuple[str, list[Any], bool]:
    """``(sql, params, ranked)``: the ids of the hits, best first (else in list order)."""
    sql, params, ranked = _compiled(query, annotator)
    return sql, list(params), ranked


@functools.lru_cache(maxsize=256)
def _compiled(query: Query, annotator: str) -> tuple[str, tuple[Any, ...], bool]:
    """:func:`compile_query`, cached: a :class:`Query` is immutable, and the list's search
    runs each one twice (its first page, then every hit); building the SQL of
    ``has:denial span:embassy is:todo`` took a fifth of its search at 2,000 reports."""
    p = plan(query, annotator)
    where = list(p.where)
    if p.fts:
        cond = "".join(f" AND {w}" for w in where)
        sql = ("SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
               f"WHERE articles_fts MATCH ?{cond} ORDER BY articles_fts.rank")
        return sql, (_expression(p), *p.params), True
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    return f"SELECT a.id FROM articles a{cond} ORDER BY a.seq", tuple(p.params), False


def _count(cx: Connection, query: Query, annotator: str) -> int:
    p = plan(query, annotator)
    if p.fts and not p.where:
        row = cx.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                              [_expression(p)]).fetchone()
        return int(row[0])
    sql, params, _ = compile_query(query, annotator)
    sql = sql[: sql.rindex(" ORDER BY ")]
    return int(cx.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


# ---------------------------------------------------------------------- hits
def search(cx: Connection, query: Query, annotator: str, *, limit: int | None = None,
           offset: int = 0, count: bool = True) -> SearchResult:
    """The hits of ``query`` for ``annotator`` (whose ``is:`` and ``has:`` they are).

    With a ``limit``, only that page of ids is read (ranked: FTS5 still ranks
    every hit, but only the page is looked up); ``count=False`` leaves the
    total out when the page is full (``None``), which saves a second query.
    """
    sql, params, ranked = compile_query(query, annotator)
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, int(limit), int(offset)]
    ids = [r[0] for r in cx.conn.execute(sql, params)]
    total: int | None
    if limit is None and not offset:
        total = len(ids)
    elif len(ids) < (limit or 0) and (ids or not offset):
        total = offset + len(ids)
    else:
        total = _count(cx, query, annotator) if count else None
    warnings = _warnings(cx, query, annotator) if total == 0 else []
    return SearchResult(ids, total, ranked, warnings)


def _warnings(cx: Connection, query: Query, annotator: str) -> list[str]:
    """Why nothing was found, when a name or label in the query is nowhere (cheap, indexed)."""
    out: list[str] = []
    c = cx.conn
    for it in query.items():
        if it.negated:
            continue
        atom = it.atom
        if isinstance(atom, AnnotatorItem):
            for name in atom.names:
                if c.execute("SELECT 1 FROM spans WHERE annotator = ? LIMIT 1",
                             (name,)).fetchone() is None:
                    out.append(f"by:{name}: nobody of that name has spans")
        elif isinstance(atom, LabelItem):
            for label in atom.labels:
                if c.execute("SELECT 1 FROM spans WHERE annotator = ? AND label = ? "
                             "COLLATE NOCASE AND deleted_at IS NULL LIMIT 1",
                             (annotator, label)).fetchone() is None:
                    out.append(f"has:{label}: {annotator} has no {label} spans")
    return out


# ------------------------------------------------------------------- matches
#: Articles (or spans) whose matches one FTS5 query finds at a time.
MATCH_CHUNK = 500

#: Highlight markers of :func:`search_page`, chosen before the texts are read: a text
#: holding U+E000 (private use) has its matches found again with markers of its own.
_PAGE_MARKS = ("\ue000\ue001", "\ue000\ue002")


def _ranges(marked: str | None, open_mark: str, close_mark: str) -> list[tuple[int, int]]:
    return marked_ranges(marked, open_mark, close_mark) if marked else []


def _rowid_filter(ids: Sequence[int]) -> tuple[str, list[int]]:
    """The rows to highlight: ``rowid = ?`` for one (FTS5 seeks to it); for several,
    ``+rowid IN (...)``, which SQLite applies to the rows FTS5 finds, so that the
    expression is evaluated once for all of them (a prefix such as ``den*`` costs
    FTS5 about 20 ms to expand at 100,000 reports, every time it is evaluated)."""
    if len(ids) == 1:
        return "rowid = ?", list(ids)
    return f"+rowid IN ({','.join('?' * len(ids))})", list(ids)


def matches(cx: Connection, query: Query, article_id: str) -> list[Match]:
    """Every match of ``query``'s positive words in one article: title, text, source,
    and the quotes (as text offsets) and notes of the live spans a ``span:`` item finds."""
    return matches_in(cx, query, [article_id]).get(article_id, [])


def matches_in(cx: Connection, query: Query, article_ids: Sequence[str], *,
               words: bool = True) -> dict[str, list[Match]]:
    """:func:`matches` for several articles, a few queries for all of them
    (``words=False``: without the word index's matches, which the caller has)."""
    return _matches_and_texts(cx, query, article_ids, words=words)[0]


def _matches_and_texts(cx: Connection, query: Query, article_ids: Sequence[str], *,
                       words: bool = True) -> tuple[dict[str, list[Match]], dict[str, str]]:
    """:func:`matches_in`, and the texts of the articles it read (snippets need them)."""
    c = cx.conn
    wanted = list(dict.fromkeys(article_ids))
    rows: list[Any] = []
    for i in range(0, len(wanted), MATCH_CHUNK):
        chunk = wanted[i : i + MATCH_CHUNK]
        rows += c.execute(
            "SELECT rowid, id, coalesce(title, ''), text, coalesce(source, '') FROM articles "
            f"WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    found: dict[str, list[Match]] = {r[1]: [] for r in rows}
    frags: list[str] = []
    for kind, cols, names in ((TextItem, TEXT_COLUMNS, (2, 3)),
                              (SourceItem, SOURCE_COLUMNS, (4,))):
        for term in query.terms(kind):
            rest, runs = term.parts()
            if has_words(rest):
                frags.append(f"{cols} : {fts_phrase(rest.strip(), term.prefix and not runs)}")
            for run in runs:
                for r in rows:
                    for col in names:
                        found[r[1]].extend(Match(FIELDS[col], s, e)
                                           for s, e in find_all(r[col], run))
    if frags and words:
        by_rowid = {r[0]: r for r in rows}
        for i in range(0, len(rows), MATCH_CHUNK):
            batch = rows[i : i + MATCH_CHUNK]
            o, cl = markers_for(*(v for r in batch for v in r[2:]))
            cond, params = _rowid_filter([r[0] for r in batch])
            for rid, *marked in c.execute(
                "SELECT rowid, highlight(articles_fts, 0, ?1, ?2), "
                "highlight(articles_fts, 1, ?1, ?2), highlight(articles_fts, 2, ?1, ?2) "
                f"FROM articles_fts WHERE articles_fts MATCH ?3 AND {cond}",
                (o, cl, " OR ".join(frags), *params),
            ):
                aid = by_rowid[rid][1]
                for col, value in zip((2, 3, 4), marked, strict=True):
                    found[aid].extend(Match(FIELDS[col], s, e) for s, e in _ranges(value, o, cl))
    span_items = [it.atom for it in query.items()
                  if not it.negated and isinstance(it.atom, SpanItem)]
    if span_items and rows:
        texts = {r[1]: r[3] for r in rows}
        for aid, m in _span_matches(c, span_items, texts):
            found[aid].append(m)
    order = {"title": 0, "text": 1, "note": 2, "source": 3}
    out: dict[str, list[Match]] = {}
    for aid, ms in found.items():
        unique = {(m.field, m.start, m.end, m.span_id): m for m in ms}
        out[aid] = sorted(unique.values(),
                          key=lambda m: (order[m.field], m.start, m.end, m.span_id or ""))
    return out, {r[1]: r[3] for r in rows}


#: ``matches_in``'s article columns by position: rowid, id, title, text, source.
FIELDS = {2: "title", 3: "text", 4: "source"}


_SPAN_COLUMNS = 'rowid, id, label, start, "end", text, note, anchor, article_id'
_S_SPAN_COLUMNS = ", ".join(f"s.{c}" for c in _SPAN_COLUMNS.split(", "))


def _add_span_match(out: list[tuple[str, Match]], texts: dict[str, str], span: Any,
                    column: int, ranges: Sequence[tuple[int, int]]) -> None:
    """Matches in one span (a row of :data:`_SPAN_COLUMNS`): its quote (``column`` 0, as
    offsets into the article's text, unless it no longer sits there) or its note (1)."""
    _, sid, _, start, end, quote, _, anchor, aid = span
    if column == 0:
        text = texts[aid]
        if anchor == "orphaned" or text[start:end] != quote:
            return  # its offsets no longer point at its quote
        out.extend((aid, Match("text", start + s, start + e, sid)) for s, e in ranges)
    else:
        out.extend((aid, Match("note", s, e, sid)) for s, e in ranges)


def _span_matches(c: sqlite3.Connection, items: Sequence[SpanItem], texts: dict[str, str]
                  ) -> list[tuple[str, Match]]:
    """``(article id, match)`` of the live spans of these articles that ``items`` find.

    An item of words only reads just the spans it finds, highlighted, in one query
    (:func:`_word_span_matches`); the others read every live span of the articles."""
    out: list[tuple[str, Match]] = []
    rest_items: list[SpanItem] = []
    for item in items:
        found = _word_span_matches(c, item, texts)
        if found is None:
            rest_items.append(item)
        else:
            out.extend(found)
    if rest_items:
        out.extend(_all_span_matches(c, rest_items, texts))
    return out


def _word_span_matches(c: sqlite3.Connection, item: SpanItem, texts: dict[str, str]
                       ) -> list[tuple[str, Match]] | None:
    """The matches of a words-only ``span:`` item, read with the spans that hold them:
    FTS5 finds the hits, ``+rowid IN`` keeps those of these articles' live spans (the
    expression is evaluated once, as in :func:`_rowid_filter`), and only the hits are
    looked up.  ``None`` when the item has no-space runs, or a hit's quote or note
    holds U+E000 (its markers could be forged): :func:`_all_span_matches` does it.

    Reading every live span of the page's articles and choosing markers over all of
    their texts first made ``span:`` list pages 4x the bare query at 2,000 reports."""
    rest, runs = item.term.parts()
    if runs or not has_words(rest):
        return None
    expr = "{text note} : " + fts_phrase(rest.strip(), item.term.prefix)
    o, cl = _PAGE_MARKS
    ids = list(texts)
    out: list[tuple[str, Match]] = []
    label = item.label.casefold() if item.label is not None else None
    for i in range(0, len(ids), MATCH_CHUNK):
        chunk = ids[i : i + MATCH_CHUNK]
        rows = c.execute(
            f"SELECT {_S_SPAN_COLUMNS}, highlight(spans_fts, 0, ?1, ?2), highlight(spans_fts, 1, ?1, ?2) "
            "FROM spans_fts JOIN spans s ON s.rowid = spans_fts.rowid "
            "WHERE spans_fts MATCH ?3 AND +spans_fts.rowid IN (SELECT rowid FROM spans "
            f"WHERE article_id IN ({','.join('?' * len(chunk))}) AND deleted_at IS NULL)",
            (o, cl, expr, *chunk)).fetchall()
        for *span, qt, nt in rows:
            if "\ue000" in span[5] or "\ue000" in (span[6] or ""):
                return None
            if label is not None and span[2].casefold() != label:
                continue
            _add_span_match(out, texts, span, 0, _ranges(qt, o, cl))
            _add_span_match(out, texts, span, 1, _ranges(nt, o, cl))
    return out


def _all_span_matches(c: sqlite3.Connection, items: Sequence[SpanItem], texts: dict[str, str]
                      ) -> list[tuple[str, Match]]:
    """:func:`_span_matches` over every live span of the articles (substrings, and
    markers chosen over all their quotes and notes)."""
    ids = list(texts)
    spans: list[Any] = []
    for i in range(0, len(ids), MATCH_CHUNK):
        chunk = ids[i : i + MATCH_CHUNK]
        spans += c.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans "
            f"WHERE article_id IN ({','.join('?' * len(chunk))}) AND deleted_at IS NULL",
            chunk).fetchall()
    if not spans:
        return []
    by_rowid = {s[0]: s for s in spans}
    out: list[tuple[str, Match]] = []
    for item in items:
        wanted = [s for s in spans
                  if item.label is None or s[2].casefold() == item.label.casefold()]
        if not wanted:
            continue
        rest, runs = item.term.parts()
        if has_words(rest):
            expr = "{text note} : " + fts_phrase(rest.strip(), item.term.prefix and not runs)
            for i in range(0, len(wanted), MATCH_CHUNK):
                batch = wanted[i : i + MATCH_CHUNK]
                o, cl = markers_for(*(s[5] for s in batch), *(s[6] or "" for s in batch))
                cond, params = _rowid_filter([s[0] for s in batch])
                for rid, qt, nt in c.execute(
                    "SELECT rowid, highlight(spans_fts, 0, ?1, ?2), "
                    f"highlight(spans_fts, 1, ?1, ?2) FROM spans_fts "
                    f"WHERE spans_fts MATCH ?3 AND {cond}",
                    (o, cl, expr, *params),
                ):
                    span = by_rowid[rid]
                    _add_span_match(out, texts, span, 0, _ranges(qt, o, cl))
                    _add_span_match(out, texts, span, 1, _ranges(nt, o, cl))
        for run in runs:
            for span in wanted:
                _add_span_match(out, texts, span, 0, find_all(span[5], run))
                _add_span_match(out, texts, span, 1, find_all(span[6] or "", run))
    return out


def snippets(cx: Connection, query: Query, article_ids: Sequence[str],
             width: int = 120) -> dict[str, Snippet]:
    """A one-line snippet per article: around its first text match, else its first
    note match, else the start of its text."""
    found, texts = _matches_and_texts(cx, query, article_ids)
    return _snippets(cx, found, article_ids, width, texts)


def _snippets(cx: Connection, found: dict[str, list[Match]], article_ids: Sequence[str],
              width: int, texts: dict[str, str] | None = None) -> dict[str, Snippet]:
    ids = [aid for aid in article_ids if aid in found]
    if not ids:
        return {}
    if texts is None:
        texts = dict(cx.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(ids))})", ids))
    notes: dict[str, str] = {}
    note_ids = list({m.span_id for aid in ids for m in found[aid]
                     if m.field == "note" and m.span_id})
    if note_ids:
        notes = dict(cx.conn.execute(
            f"SELECT id, note FROM spans WHERE id IN ({','.join('?' * len(note_ids))})",
            note_ids))
    out: dict[str, Snippet] = {}
    for aid in ids:
        ms = found[aid]
        text_ranges = [(m.start, m.end) for m in ms if m.field == "text"]
        if text_ranges:
            out[aid] = snippet(texts[aid], text_ranges, width)
            continue
        in_notes = [m for m in ms if m.field == "note"]
        if in_notes:
            first = in_notes[0].span_id
            ranges = [(m.start, m.end) for m in in_notes if m.span_id == first]
            out[aid] = snippet(notes.get(first or "") or "", ranges, width, field="note")
            continue
        out[aid] = snippet(texts[aid], [], width)
    return out


def search_page(cx: Connection, query: Query, annotator: str, first: int,
                width: int = 120) -> tuple[SearchResult, dict[str, Snippet]]:
    """The first ``first`` hits (``total`` is ``None`` when there are more) and their
    snippets, for a list that shows one screenful at once.

    A ranked query reads the page's highlights in the statement that ranks it: FTS5
    evaluates its expression once instead of twice (a common prefix such as
    ``den*`` costs about 20 ms each time at 100,000 reports).
    """
    p = plan(query, annotator)
    if not p.fts:
        result = search(cx, query, annotator, limit=first, count=False)
        return result, (snippets(cx, query, result.ids, width) if query.searches_text else {})
    o, cl = _PAGE_MARKS
    cond = "".join(f" AND {w}" for w in p.where)
    rows = cx.conn.execute(
        "SELECT a.id, a.text, highlight(articles_fts, 1, ?, ?) FROM articles_fts "
        "JOIN articles a ON a.rowid = articles_fts.rowid "
        f"WHERE articles_fts MATCH ?{cond} ORDER BY articles_fts.rank LIMIT ?",
        [o, cl, _expression(p), *p.params, int(first)]).fetchall()
    ids = [r[0] for r in rows]
    total = len(ids) if len(ids) < first else None
    result = SearchResult(ids, total, True,
                          _warnings(cx, query, annotator) if total == 0 else [])
    if not query.searches_text:
        return result, {}
    found = matches_in(cx, query, ids, words=False)  # substrings and spans
    texts = {}
    forged = []
    for aid, text, marked in rows:
        texts[aid] = text
        if "\ue000" in text:
            forged.append(aid)
            continue
        found.setdefault(aid, []).extend(Match("text", s, e)
                                         for s, e in _ranges(marked, o, cl))
    if forged:
        found.update(matches_in(cx, query, forged))
    for aid in found:
        found[aid].sort(key=lambda m: (m.field != "text", m.start, m.end))
    return result, _snippets(cx, found, ids, width, texts)


def interrupt(cx: Connection) -> None:
    """Stop the query running on this connection (from another thread)."""
    cx.conn.interrupt()

