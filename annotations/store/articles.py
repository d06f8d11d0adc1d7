"""Articles: writing one (new, changed, re-anchored), reading, listing, moving between them.

An article is written by id: unchanged text is a no-op, new metadata on the
same text touches no span, and a changed text re-anchors the article's live
spans (``ok`` / ``moved`` / ``orphaned``) in the same transaction.  A pack
line never overwrites our text.  Reads that feed the screen are indexed
queries that never read a text they do not need; the last texts read are
cached on the :class:`Connection` and checked against their SHA-256.

Writes here stay raw SQL: an import writes thousands of rows, each with its
full-text row written directly after it (``last_insert_rowid()``), because
the same insert costs about 2.5x inside a trigger and sqlite-utils'
``insert_all`` costs 2-3x a prepared ``executemany`` (both measured).  The
saved reading position is one row per person written at idle, through
sqlite-utils.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from annotations.anchoring import TextIndex, context, reanchor
from annotations.model import STATUSES, Article, ArticleRow, now_iso
from annotations.search import holds_no_space
from annotations.store.connection import Connection
from annotations.store.errors import StaleText, StoreError
from annotations.store.reports import ImportReport
from annotations.store.rows import (
    ARTICLE_SELECT,
    SPAN_SELECT,
    article_from_row,
    article_rows,
    canonical_json,
    span_from_row,
    styles_json,
)

# ------------------------------------------------------------------ writing
#: A new article's full-text row, ``(rowid, title, text, source)``, for
#: :func:`write_search_rows`.
SearchRow = tuple[int, str, str, str | None]


def write_article(c: sqlite3.Connection, art: Article, report: ImportReport,
                  pack: bool = False, search_rows: list[SearchRow] | None = None) -> str:
    """Insert or update one article inside the caller's transaction; returns the outcome.

    The outcome is ``imported``, ``updated``, ``unchanged`` or ``failed``
    (counted in ``report``).  ``pack``: the article came with a pack line, so
    a different text of ours is kept (its spans are re-anchored by the merge).
    ``search_rows``: a new article's full-text row is appended there for the
    caller to write later (:func:`write_search_rows`) instead of now.
    """
    if not isinstance(art.id, str) or not art.id:
        report.failed += 1
        report.errors.append(f"{art.path or '?'}: article has an empty id")
        return "failed"
    if "\x00" in art.text:
        report.failed += 1
        report.errors.append(f"{art.path or art.id}: text contains a NUL character")
        return "failed"
    sha = art.text_sha256  # kept on the article: a pack's merge event names it too
    row = c.execute(
        "SELECT text_sha256, title, source, published, url, meta, styles FROM articles "
        "WHERE id = ?",
        (art.id,),
    ).fetchone()
    now = now_iso()
    if row is None:
        # The next seq inside the INSERT: one statement, not a SELECT first (2,000
        # new articles: 12 ms instead of 17, measured).
        rowid = c.execute(
            "INSERT INTO articles (id, seq, title, source, published, url, path, text, "
            "text_sha256, meta, styles, imported_at, updated_at) "
            "VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM articles), "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                art.id,
                art.title or "",
                art.source,
                art.published,
                art.url,
                art.path,
                art.text,
                sha,
                canonical_json(art.meta or {}),
                styles_json(art.styles),
                now,
                now,
            ),
        ).lastrowid
        # The full-text rows are written here rather than by an AFTER INSERT
        # trigger: the same insert costs about 2.5x inside a trigger
        # (measured in benchmarks/, import case).  Which articles the substring
        # index holds, and why, is in annotations.search.
        assert rowid is not None
        row_for_search = (rowid, art.title or "", art.text, art.source)
        if search_rows is not None:
            search_rows.append(row_for_search)
        else:
            write_search_rows(c, [row_for_search])
        report.imported += 1
        return "imported"
    if row[0] == sha:
        described = (art.title or "", art.source, art.published, art.url,
                     canonical_json(art.meta or {}), styles_json(art.styles))
        if pack or tuple(row[1:]) == described:
            report.unchanged += 1
            return "unchanged"
        # Same text, new title / date / source / metadata: offsets are
        # untouched, so no span needs checking.
        c.execute(
            "UPDATE articles SET title = ?, source = ?, published = ?, url = ?, meta = ?, "
            "styles = ?, path = ?, updated_at = ? WHERE id = ?",
            (*described, art.path, now, art.id),
        )
        report.updated += 1
        return "updated"
    if pack:
        # A teammate's pack never overwrites our text: its spans are
        # re-anchored against ours by the merge.
        report.unchanged += 1
        return "unchanged"
    c.execute(
        "UPDATE articles SET title = ?, source = ?, published = ?, url = ?, path = ?, "
        "text = ?, text_sha256 = ?, meta = ?, styles = ?, updated_at = ? WHERE id = ?",
        (
            art.title or "",
            art.source,
            art.published,
            art.url,
            art.path,
            art.text,
            sha,
            canonical_json(art.meta or {}),
            styles_json(art.styles),
            now,
            art.id,
        ),
    )
    reanchor_article(c, art.id, art.text, report.anchors)
    report.updated += 1
    return "updated"


def write_search_rows(c: sqlite3.Connection, rows: list[SearchRow]) -> None:
    """Add new articles' rows to the full-text index.

    An import writes them just before it commits, outside any savepoint:
    FTS5 writes its pending index data out at every savepoint, which made an
    import of one-article files, one savepoint each, 1.5-2x as slow (measured).
    """
    if rows:
        c.executemany("INSERT INTO articles_fts(rowid, title, text, source) VALUES (?, ?, ?, ?)",
                      rows)
        # Which articles the substring index holds, and why, is in annotations.search.
        # (An ASCII string holds none of its characters: most texts are skipped unread.)
        cjk = [r for r in rows if any(v and holds_no_space(v) for v in r[1:])]
        if cjk:
            c.executemany("INSERT INTO articles_cjk(rowid, title, text, source) "
                          "VALUES (?, ?, ?, ?)", cjk)


def reanchor_article(
    c: sqlite3.Connection, article_id: str, text: str, counts: dict[str, int]
) -> None:
    """Place every live span of an article again in its new ``text``, counting anchors."""
    rows = c.execute(
        f"SELECT {SPAN_SELECT} FROM spans WHERE article_id = ? AND deleted_at IS NULL",
        (article_id,),
    ).fetchall()
    now = now_iso()
    index = TextIndex(text)
    for row in rows:
        span = span_from_row(row)
        place = reanchor(
            text, span.start, span.end, span.text, span.prefix, span.suffix, index
        )
        counts[place.anchor] = counts.get(place.anchor, 0) + 1
        if place.anchor == "ok" and span.anchor == "ok":
            continue
        if place.placed:
            prefix, suffix = context(text, place.start, place.end)
            new = (place.anchor, place.start, place.end, text[place.start : place.end], prefix,
                   suffix)
        else:
            new = ("orphaned", span.start, span.end, span.text, span.prefix, span.suffix)
        c.execute(
            'UPDATE spans SET anchor = ?, start = ?, "end" = ?, text = ?, prefix = ?, '
            "suffix = ?, updated_at = ? WHERE id = ?",
            (*new, now, span.id),
        )


# ------------------------------------------------------------- one article
#: :data:`ARTICLE_SELECT` with NULL for the text (read from the texts kept when their
#: hash is the stored one: see :func:`get_article`).
_WITHOUT_TEXT = ARTICLE_SELECT.replace("id, text,", "id, NULL,", 1)
assert _WITHOUT_TEXT != ARTICLE_SELECT


def get_article(cx: Connection, article_id: str) -> Article | None:
    """The article, its text taken from the texts kept (:func:`article_text`) when the
    stored hash is theirs: opening a 1 MB article again read and decoded its text
    again, 1-2 ms (issue 19).  One row is read either way, so the text and the other
    columns are always of the same moment."""
    cached = cx.texts.get(article_id)
    row = None
    if cached is not None:
        row = cx.conn.execute(
            f"SELECT {_WITHOUT_TEXT}, text_sha256 FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        if row[9] == cached[0]:
            row = (row[0], cached[1], *row[2:])
        else:
            row = None  # the text changed: read it
    if row is None:
        row = cx.conn.execute(
            f"SELECT {ARTICLE_SELECT}, text_sha256 FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
    if row is None:
        return None
    cx.remember_text(row[0], row[9], row[1])
    article = article_from_row(row)
    article.stored_sha(row[9])
    return article


def article_sha(cx: Connection, article_id: str) -> str | None:
    """The stored text's SHA-256: a cheap check that an open text is current."""
    row = cx.conn.execute(
        "SELECT text_sha256 FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    return row[0] if row else None


def article_text(cx: Connection, c: sqlite3.Connection, article_id: str,
                 expected_sha: str | None = None) -> str:
    """The stored text, without reading it again while it has not changed.

    Reading a 1 MB text takes about 1 ms and every tag needs its quote and
    context, so the last few texts read are kept with their SHA-256.  The
    hash sits in the row's first page (about 10 µs to read), and every write
    of a text writes its hash in the same statement, so a text changed by
    another process is never served from here.

    ``expected_sha``: the SHA-256 of the text the caller chose its offsets in;
    a different stored hash raises :class:`StaleText` (the same read, no cost).
    """
    row = c.execute(
        "SELECT text_sha256 FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        raise StoreError(f"no article with id {article_id!r}")
    if expected_sha is not None and row[0] != expected_sha:
        raise StaleText(article_id)
    cached = cx.texts.get(article_id)
    if cached is not None and cached[0] == row[0]:
        cx.remember_text(article_id, *cached)  # the most recently used now
        return cached[1]
    text: str = c.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
    cx.remember_text(article_id, row[0], text)
    return text


def check_text(c: sqlite3.Connection, article_id: str, expected_sha: str | None) -> None:
    """Raise :class:`StaleText` unless the stored text's SHA-256 is ``expected_sha``
    (``None``: no check), for writes that do not read the text itself."""
    if expected_sha is None:
        return
    row = c.execute("SELECT text_sha256 FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise StoreError(f"no article with id {article_id!r}")
    if row[0] != expected_sha:
        raise StaleText(article_id)


def require_article(c: sqlite3.Connection, article_id: str) -> None:
    if c.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
        raise StoreError(f"no article with id {article_id!r}")


# ------------------------------------------------------------------ listing
def article_ids(cx: Connection) -> list[str]:
    return [r[0] for r in cx.conn.execute("SELECT id FROM articles ORDER BY seq")]


def count_articles(cx: Connection) -> int:
    return int(cx.conn.execute("SELECT count(*) FROM articles").fetchone()[0])


#: One list row's counts per label (JSON), from the spans of that row's article only.
_ROW_COUNTS = (
    "(SELECT json_group_object(label, n) FROM (SELECT label, count(*) AS n FROM spans "
    "WHERE annotator = :who AND article_id = a.id AND deleted_at IS NULL GROUP BY label))"
)


def list_articles(
    cx: Connection,
    annotator: str,
    *,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
    fulltext: str | None = None,
    limit: int | None = None,
) -> list[ArticleRow]:
    """Titles, dates, sources, this annotator's counts per label and status.

    One query; the text is never read.  Each row's counts come from the spans
    of that row's article (a correlated subquery on ``spans_annotator``), so
    the cost follows the rows returned: aggregating all 500,000 of an
    annotator's spans first made a full-text filter 12x the bare query at
    100,000 reports (measured, benchmarks/ list_filter), and the whole list
    takes 0.84 s instead of 1.0 s.  Only a label filter over the whole list
    aggregates first: it tests every row's counts (1.0 s against 0.88 s).
    """
    where: list[str] = []
    params: dict[str, Any] = {"who": annotator}
    if status:
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r} (todo, in_progress, done)")
        where.append("coalesce(st.status, 'todo') = :status")
        params["status"] = status
    if label:
        where.append("instr(coalesce(counts, ''), :label) > 0")
        params["label"] = json.dumps(label, ensure_ascii=False) + ":"
    if search:
        where.append("a.title LIKE :title ESCAPE '\\'")
        esc = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["title"] = f"%{esc}%"
    if fulltext:
        where.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts)")
        params["fts"] = fulltext
    narrow = not label or bool(fulltext or search or limit)
    sql = (
        "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo'), "
        + (_ROW_COUNTS if narrow else "cnt.counts")
        + " AS counts FROM articles a "
        "LEFT JOIN statuses st ON st.article_id = a.id AND st.annotator = :who "
    )
    if not narrow:
        sql += (
            "LEFT JOIN (SELECT article_id, json_group_object(label, n) AS counts FROM "
            "  (SELECT article_id, label, count(*) AS n FROM spans "
            "   WHERE annotator = :who AND deleted_at IS NULL GROUP BY article_id, label) "
            "  GROUP BY article_id) cnt ON cnt.article_id = a.id "
        )
    if where:
        sql += "WHERE " + " AND ".join(where) + " "
    sql += "ORDER BY a.seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    try:
        rows = cx.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as e:
        raise StoreError(f"bad search: {e}") from e
    return article_rows(rows)


#: Ids looked up by one ``IN (...)`` (under SQLite's bound-parameter limit).
TITLE_CHUNK = 500


def titles(cx: Connection, article_ids: Sequence[str]) -> dict[str, str]:
    """The titles of these articles (those that exist), a query per 500 ids: the CLI's
    search listed its hits with two queries each (``article_row``) for a title."""
    ids = list(dict.fromkeys(article_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), TITLE_CHUNK):
        chunk = ids[i : i + TITLE_CHUNK]
        out.update(cx.conn.execute(
            f"SELECT id, coalesce(title, '') FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
            chunk))
    return out


def article_row(cx: Connection, article_id: str, annotator: str) -> ArticleRow | None:
    """The list row of one article (refreshing one line after an edit)."""
    row = cx.conn.execute(
        "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo') "
        "FROM articles a LEFT JOIN statuses st ON st.article_id = a.id AND st.annotator = ? "
        "WHERE a.id = ?",
        (annotator, article_id),
    ).fetchone()
    if row is None:
        return None
    counts = dict(
        cx.conn.execute(
            "SELECT label, count(*) FROM spans WHERE article_id = ? AND annotator = ? "
            "AND deleted_at IS NULL GROUP BY label",
            (article_id, annotator),
        ).fetchall()
    )
    return ArticleRow(row[0], row[1], row[2], row[3], row[4], counts)


# --------------------------------------------------------------- navigation
def next_article(
    cx: Connection, annotator: str, after: str | None = None, *, not_done: bool = True
) -> str | None:
    """The next article (in list order) after ``after``, wrapping around."""
    seq = 0
    if after is not None:
        r = cx.conn.execute("SELECT seq FROM articles WHERE id = ?", (after,)).fetchone()
        seq = r[0] if r else 0
    cond = (
        "AND NOT EXISTS (SELECT 1 FROM statuses s WHERE s.article_id = a.id "
        "AND s.annotator = ? AND s.status = 'done')"
        if not_done
        else ""
    )
    for op, value in ((">", seq), (">=", 0)):
        params: list[Any] = [value]
        if not_done:
            params.append(annotator)
        row = cx.conn.execute(
            f"SELECT a.id FROM articles a WHERE a.seq {op} ? {cond} ORDER BY a.seq LIMIT 1",
            params,
        ).fetchone()
        if row and row[0] != after:
            return str(row[0])
    return None


def previous_article(cx: Connection, after: str | None) -> str | None:
    if after is None:
        return None
    r = cx.conn.execute("SELECT seq FROM articles WHERE id = ?", (after,)).fetchone()
    if not r:
        return None
    row = cx.conn.execute(
        "SELECT id FROM articles WHERE seq < ? ORDER BY seq DESC LIMIT 1", (r[0],)
    ).fetchone()
    return row[0] if row else None


def save_position(cx: Connection, annotator: str, article_id: str, cursor: int) -> None:
    """Where this person left off (article and cursor offset).  A convenience, saved at
    idle: it never waits for another process's write lock (:class:`WriterBusy` at once)."""
    with cx.tx(wait=0.0):
        cx.db.table("positions").insert(
            {"annotator": annotator, "article_id": article_id, "cursor": int(cursor),
             "updated_at": now_iso()},
            replace=True,
        )


def position(cx: Connection, annotator: str) -> tuple[str, int] | None:
    row = cx.conn.execute(
        "SELECT p.article_id, p.cursor FROM positions p JOIN articles a ON a.id = p.article_id "
        "WHERE p.annotator = ?",
        (annotator,),
    ).fetchone()
    return (row[0], int(row[1])) if row else None
