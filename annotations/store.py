"""The SQLite store: schema, migrations, and every read and write.

One file, WAL mode, foreign keys on, a busy timeout, short transactions.
Every public write method commits before it returns (``BEGIN IMMEDIATE`` ...
``COMMIT``), so a crash or ``kill -9`` after the call loses nothing.  Writes
take the write lock up front (``BEGIN IMMEDIATE``) so several processes can
share one database without a read-to-write upgrade failing with
``database is locked``.

The TUI and the CLI share this API; neither writes SQL of its own.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from .anchoring import TextIndex, context, reanchor
from .model import (
    GOLD,
    STATUSES,
    Article,
    ArticleRow,
    ExportDoc,
    Relation,
    Span,
    StatusRecord,
    StyleRange,
    now_iso,
    sha256_text,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
WAL_AUTOCHECKPOINT = 10_000  # pages
TEXTS_KEPT = 2  # article texts kept in memory by Store._article_text
DEFAULT_DB = "stancemark.db"

_UNSET: Any = object()

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
_SPAN_SELECT = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
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


class StoreError(Exception):
    """A one-line, user-facing problem with the database or a request."""


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, then ``STANCEMARK_DB``, then ``./stancemark.db``."""
    if db:
        return Path(db)
    env = os.environ.get("STANCEMARK_DB")
    return Path(env) if env else Path(DEFAULT_DB)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    #: spans re-checked after a text change, by resulting anchor
    anchors: dict[str, int] = field(default_factory=lambda: {"ok": 0, "moved": 0, "orphaned": 0})
    errors: list[str] = field(default_factory=list)
    merge: MergeReport | None = None


@dataclass
class MergeReport:
    articles_added: int = 0
    articles_differing: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    orphaned: int = 0
    moved: int = 0
    messages: list[str] = field(default_factory=list)

    def add(self, other: MergeReport) -> None:
        for name in (
            "articles_added",
            "articles_differing",
            "added",
            "updated",
            "unchanged",
            "rejected",
            "orphaned",
            "moved",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.messages.extend(other.messages)


@dataclass
class Event:
    id: int
    at: str
    annotator: str
    action: str
    article_id: str | None
    target: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    state: str


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _span_from_row(row: Sequence[Any]) -> Span:
    # Positional (Span's fields are SPAN_COLUMNS in order) and no JSON parse for
    # the usual empty attributes: this runs once per span of every export.
    if len(row) != len(SPAN_COLUMNS):
        raise ValueError(f"span row has {len(row)} columns, not {len(SPAN_COLUMNS)}")
    span = Span(*row)
    raw = span.attributes
    span.attributes = {} if not raw or raw == "{}" else json.loads(raw)
    return span


def _span_dict(span: Span) -> dict[str, Any]:
    """``asdict(span)`` for JSON: a shallow copy (``asdict`` deep-copies, a third of a tag's
    Python time); attributes get their own dict so callers may change either."""
    d = dict(vars(span))
    d["attributes"] = dict(d["attributes"] or {})
    return d


def _span_row(span: Span) -> dict[str, Any]:
    d = dict(vars(span))
    d["attributes"] = _json(d["attributes"] or {})
    return d


def _relation_from_row(row: Sequence[Any]) -> Relation:
    return Relation(**dict(zip(RELATION_COLUMNS, row, strict=True)))


def _styles_json(styles: Iterable[StyleRange]) -> str:
    return json.dumps(
        [[s.start, s.end, s.kind, s.data] if s.data else [s.start, s.end, s.kind] for s in styles],
        ensure_ascii=False,
    )


def _styles_from_json(raw: str | None) -> list[StyleRange]:
    out = []
    for item in json.loads(raw or "[]"):
        data = item[3] if len(item) > 3 else {}
        out.append(StyleRange(int(item[0]), int(item[1]), str(item[2]), data))
    return out


class Store:
    """A stancemark database.  Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.read_only = False
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)
        # The last texts read, by article id: (SHA-256, text).  See _article_text.
        self._texts: dict[str, tuple[str, str]] = {}

    # ------------------------------------------------------------------ open
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
    ) -> Store:
        """Open (and create or migrate) a database, with clear errors for bad files.

        ``read_only`` opens the file as SQLite does a file it may not write:
        reads work, every write raises :class:`StoreError`.
        """
        p = resolve_db_path(path)
        if read_only:
            create = False
        if not p.parent.exists():
            raise StoreError(f"{p}: folder {p.parent} does not exist")
        if p.is_dir():
            raise StoreError(f"{p}: is a folder, not a database file")
        if not p.exists() and not create:
            raise StoreError(f"{p}: no such database")
        try:
            target = f"{p.resolve().as_uri()}?mode=ro" if read_only else str(p)
            conn = sqlite3.connect(
                target,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
                uri=read_only,
            )
        except sqlite3.Error as e:  # pragma: no cover - depends on the OS
            raise StoreError(f"{p}: cannot open database ({e})") from e
        store = cls(conn, p)
        store.read_only = read_only
        try:
            store._setup()
        except sqlite3.DatabaseError as e:
            conn.close()
            msg = str(e)
            if "not a database" in msg or "malformed" in msg:
                raise StoreError(f"{p}: not a stancemark database or the file is corrupted ({msg})") from e
            if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
                raise StoreError(f"{p}: cannot write to the database ({msg})") from e
            raise StoreError(f"{p}: {msg}") from e
        except StoreError:
            conn.close()
            raise
        return store

    def close(self) -> None:
        try:
            self.checkpoint()
        finally:
            self.conn.close()

    def total_changes(self) -> int:
        """Rows this connection has written since it opened (grows with every write)."""
        return self.conn.total_changes

    def checkpoint(self) -> None:
        """Copy the WAL into the database file without waiting on readers (idle time)."""
        if self.read_only:
            return
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _setup(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA foreign_keys = ON")
        # Checks the header: raises "file is not a database" for junk files.
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()
        writable = not self.read_only and (
            os.access(self.path, os.W_OK) if self.path.exists() else True
        )
        if writable:
            mode = c.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                try:
                    c.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError:  # pragma: no cover - e.g. read-only media
                    pass
        c.execute("PRAGMA synchronous = FULL")
        # Automatic checkpoints run inside whichever commit crosses the limit,
        # adding ~10 ms to that key press; a larger limit plus checkpoints at
        # idle (``checkpoint()``, called by the TUI) and on close keeps them
        # out of the typing path.
        c.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        tables = set(self.db.table_names())
        if "meta" in tables:
            row = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer stancemark (schema {version}, this "
                    f"version reads up to {SCHEMA_VERSION}); upgrade stancemark to open it"
                )
            if version == SCHEMA_VERSION and {"articles", "spans", "events"} <= tables:
                return
        elif tables - {"sqlite_sequence"} and "articles" not in tables:
            raise StoreError(f"{self.path}: is an SQLite file but not a stancemark database")
        if not writable:
            raise StoreError(f"{self.path}: cannot write to the database (read-only file)")
        self._create_schema()

    def _create_schema(self) -> None:
        c = self.conn
        if True:
            # executescript commits on its own, so the script carries its own
            # transaction (BEGIN IMMEDIATE also serialises two first openers).
            c.executescript(
                """
                BEGIN IMMEDIATE;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE IF NOT EXISTS articles (
                    id TEXT PRIMARY KEY,
                    seq INTEGER NOT NULL,
                    title TEXT NOT NULL DEFAULT '',
                    source TEXT,
                    published TEXT,
                    url TEXT,
                    path TEXT,
                    text TEXT NOT NULL,
                    text_sha256 TEXT NOT NULL,
                    meta TEXT NOT NULL DEFAULT '{}',
                    styles TEXT NOT NULL DEFAULT '[]',
                    imported_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS articles_seq ON articles(seq);
                CREATE TABLE IF NOT EXISTS spans (
                    id TEXT PRIMARY KEY,
                    article_id TEXT NOT NULL REFERENCES articles(id),
                    annotator TEXT NOT NULL,
                    label TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    prefix TEXT NOT NULL DEFAULT '',
                    suffix TEXT NOT NULL DEFAULT '',
                    note TEXT,
                    attributes TEXT NOT NULL DEFAULT '{}',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    deleted_at TEXT,
                    anchor TEXT NOT NULL DEFAULT 'ok'
                );
                CREATE INDEX IF NOT EXISTS spans_article ON spans(article_id, annotator, start);
                CREATE INDEX IF NOT EXISTS spans_annotator ON spans(annotator, article_id, label);
                CREATE TABLE IF NOT EXISTS relations (
                    id TEXT PRIMARY KEY,
                    article_id TEXT NOT NULL REFERENCES articles(id),
                    annotator TEXT NOT NULL,
                    label TEXT NOT NULL,
                    from_span TEXT NOT NULL,
                    to_span TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    deleted_at TEXT
                );
                CREATE INDEX IF NOT EXISTS relations_article ON relations(article_id, annotator);
                CREATE TABLE IF NOT EXISTS statuses (
                    article_id TEXT NOT NULL REFERENCES articles(id),
                    annotator TEXT NOT NULL,
                    status TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (article_id, annotator)
                );
                CREATE INDEX IF NOT EXISTS statuses_annotator ON statuses(annotator, status);
                CREATE TABLE IF NOT EXISTS reviews (
                    id TEXT PRIMARY KEY,
                    article_id TEXT NOT NULL REFERENCES articles(id),
                    reviewer TEXT NOT NULL,
                    span_id TEXT NOT NULL,
                    decision TEXT NOT NULL,
                    gold_span TEXT,
                    at TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS reviews_article ON reviews(article_id, reviewer);
                CREATE TABLE IF NOT EXISTS positions (
                    annotator TEXT PRIMARY KEY,
                    article_id TEXT,
                    cursor INTEGER NOT NULL DEFAULT 0,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    annotator TEXT NOT NULL,
                    action TEXT NOT NULL,
                    article_id TEXT,
                    target TEXT,
                    before TEXT,
                    after TEXT,
                    state TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS events_annotator ON events(annotator, state, id);
                CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
                        title, text, content='articles', content_rowid='rowid');
                    CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
                        INSERT INTO articles_fts(articles_fts, rowid, title, text)
                        VALUES('delete', old.rowid, old.title, old.text);
                    END;
                    CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF title, text ON articles BEGIN
                        INSERT INTO articles_fts(articles_fts, rowid, title, text)
                        VALUES('delete', old.rowid, old.title, old.text);
                        INSERT INTO articles_fts(rowid, title, text)
                        VALUES (new.rowid, new.title, new.text);
                    END;
                """
                f"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');"
                "COMMIT;"
            )

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed on exit (retried if busy)."""
        c = self.conn
        for attempt in range(50):
            try:
                c.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or attempt == 49:
                    raise self._friendly(e) from e
                time.sleep(0.05)
        try:
            yield c
        except sqlite3.Error as e:
            c.execute("ROLLBACK")
            raise self._friendly(e) from e
        except BaseException:
            c.execute("ROLLBACK")
            raise
        else:
            try:
                c.execute("COMMIT")
            except sqlite3.OperationalError as e:  # pragma: no cover - disk full etc.
                c.execute("ROLLBACK")
                raise self._friendly(e) from e

    def _friendly(self, e: sqlite3.Error) -> StoreError:
        msg = str(e)
        if "readonly" in msg:
            return StoreError(f"{self.path}: cannot write to the database (read-only)")
        if "malformed" in msg or "not a database" in msg:
            return StoreError(f"{self.path}: the database is damaged or corrupted ({msg})")
        return StoreError(f"{self.path}: {msg}")

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live refresh."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # ---------------------------------------------------------------- articles
    def import_articles(
        self,
        articles: Iterable[Article],
        *,
        on_article: Callable[[Article, str], None] | None = None,
        batch_size: int = 500,
    ) -> ImportReport:
        """Insert or update articles by id; idempotent.

        Unchanged text is a no-op; changed text updates the article and
        re-anchors its spans (``ok`` / ``moved`` / ``orphaned``).  Pack lines
        (``article.annotations``) are merged after their article.  Articles
        are written in batches of ``batch_size`` per transaction.
        """
        report = ImportReport()
        batch: list[Article] = []
        seen: set[str] = set()

        def flush() -> None:
            if not batch:
                return
            with self._tx() as c:
                for art in batch:
                    outcome = self._import_one(c, art, report)
                    if on_article:
                        on_article(art, outcome)
            batch.clear()

        for art in articles:
            if art.id in seen and art.annotations is None:
                report.failed += 1
                report.errors.append(
                    f"{art.path or art.id}: duplicate article id {art.id!r} in this batch; "
                    "the first one was kept"
                )
                if on_article:
                    on_article(art, "failed")
                continue
            seen.add(art.id)
            if art.annotations is not None:
                flush()
                with self._tx() as c:
                    outcome = self._import_one(c, art, report, pack=True)
                    m = self._merge_doc(c, art, art.annotations, source=art.path or "pack")
                if report.merge is None:
                    report.merge = MergeReport()
                report.merge.add(m)
                if on_article:
                    on_article(art, outcome)
                continue
            batch.append(art)
            if len(batch) >= batch_size:
                flush()
        flush()
        return report

    def _import_one(
        self, c: sqlite3.Connection, art: Article, report: ImportReport, pack: bool = False
    ) -> str:
        if not isinstance(art.id, str) or not art.id:
            report.failed += 1
            report.errors.append(f"{art.path or '?'}: article has an empty id")
            return "failed"
        if "\x00" in art.text:
            report.failed += 1
            report.errors.append(f"{art.path or art.id}: text contains a NUL character")
            return "failed"
        sha = sha256_text(art.text)
        row = c.execute(
            "SELECT text_sha256, title, source, published, url, meta, styles FROM articles "
            "WHERE id = ?",
            (art.id,),
        ).fetchone()
        now = now_iso()
        if row is None:
            seq = c.execute("SELECT coalesce(max(seq), 0) + 1 FROM articles").fetchone()[0]
            c.execute(
                "INSERT INTO articles (id, seq, title, source, published, url, path, text, "
                "text_sha256, meta, styles, imported_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    art.id,
                    seq,
                    art.title or "",
                    art.source,
                    art.published,
                    art.url,
                    art.path,
                    art.text,
                    sha,
                    _json(art.meta or {}),
                    _styles_json(art.styles),
                    now,
                    now,
                ),
            )
            # The full-text row is written here rather than by an AFTER INSERT
            # trigger: the same insert costs about 2.5x inside a trigger
            # (measured in benchmarks/, import case).
            c.execute(
                "INSERT INTO articles_fts(rowid, title, text) VALUES (last_insert_rowid(), ?, ?)",
                (art.title or "", art.text),
            )
            report.imported += 1
            return "imported"
        if row[0] == sha:
            described = (art.title or "", art.source, art.published, art.url,
                         _json(art.meta or {}), _styles_json(art.styles))
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
            # re-anchored against ours in _merge_doc.
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
                _json(art.meta or {}),
                _styles_json(art.styles),
                now,
                art.id,
            ),
        )
        self._reanchor_article(c, art.id, art.text, report.anchors)
        report.updated += 1
        return "updated"

    def _reanchor_article(
        self, c: sqlite3.Connection, article_id: str, text: str, counts: dict[str, int]
    ) -> None:
        rows = c.execute(
            f"SELECT {_SPAN_SELECT} FROM spans WHERE article_id = ? AND deleted_at IS NULL",
            (article_id,),
        ).fetchall()
        now = now_iso()
        index = TextIndex(text)
        for row in rows:
            span = _span_from_row(row)
            place = reanchor(
                text, span.start, span.end, span.text, span.prefix, span.suffix, index
            )
            counts[place.anchor] = counts.get(place.anchor, 0) + 1
            if place.anchor == "ok" and span.anchor == "ok":
                continue
            if place.placed:
                prefix, suffix = context(text, place.start, place.end)
                new = (place.anchor if span.anchor == "ok" else place.anchor, place.start,
                       place.end, text[place.start : place.end], prefix, suffix)
            else:
                new = ("orphaned", span.start, span.end, span.text, span.prefix, span.suffix)
            c.execute(
                'UPDATE spans SET anchor = ?, start = ?, "end" = ?, text = ?, prefix = ?, '
                "suffix = ?, updated_at = ? WHERE id = ?",
                (*new, now, span.id),
            )

    def get_article(self, article_id: str) -> Article | None:
        row = self.conn.execute(
            "SELECT id, text, title, source, published, url, path, meta, styles, text_sha256 "
            "FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        self._remember_text(row[0], row[9], row[1])
        return Article(
            id=row[0],
            text=row[1],
            title=row[2],
            source=row[3],
            published=row[4],
            url=row[5],
            path=row[6],
            meta=json.loads(row[7] or "{}"),
            styles=_styles_from_json(row[8]),
        )

    def article_sha(self, article_id: str) -> str | None:
        """The stored text's SHA-256: a cheap check that an open text is current."""
        row = self.conn.execute(
            "SELECT text_sha256 FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq")]

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def list_articles(
        self,
        annotator: str,
        *,
        status: str | None = None,
        label: str | None = None,
        search: str | None = None,
        fulltext: str | None = None,
        limit: int | None = None,
    ) -> list[ArticleRow]:
        """Titles, dates, sources, this annotator's counts per label and status.

        One query: an indexed aggregate over this annotator's live spans joined
        to the articles (text is never read).
        """
        where: list[str] = []
        params: list[Any] = [annotator, annotator]
        if status:
            if status not in STATUSES:
                raise StoreError(f"unknown status {status!r} (todo, in_progress, done)")
            where.append("coalesce(st.status, 'todo') = ?")
            params.append(status)
        if label:
            where.append("instr(coalesce(cnt.counts, ''), ?) > 0")
            params.append(json.dumps(label, ensure_ascii=False) + ":")
        if search:
            where.append("a.title LIKE ? ESCAPE '\\'")
            esc = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{esc}%")
        if fulltext:
            where.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(fulltext)
        sql = (
            "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo'), cnt.counts "
            "FROM articles a "
            "LEFT JOIN statuses st ON st.article_id = a.id AND st.annotator = ? "
            "LEFT JOIN (SELECT article_id, json_group_object(label, n) AS counts FROM "
            "  (SELECT article_id, label, count(*) AS n FROM spans "
            "   WHERE annotator = ? AND deleted_at IS NULL GROUP BY article_id, label) "
            "  GROUP BY article_id) cnt ON cnt.article_id = a.id "
        )
        if where:
            sql += "WHERE " + " AND ".join(where) + " "
        sql += "ORDER BY a.seq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as e:
            raise StoreError(f"bad search: {e}") from e
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else {})
            for r in rows
        ]

    def article_row(self, article_id: str, annotator: str) -> ArticleRow | None:
        """The list row of one article (refreshing one line after an edit)."""
        row = self.conn.execute(
            "SELECT a.id, a.title, a.published, a.source, coalesce(st.status, 'todo') "
            "FROM articles a LEFT JOIN statuses st ON st.article_id = a.id AND st.annotator = ? "
            "WHERE a.id = ?",
            (annotator, article_id),
        ).fetchone()
        if row is None:
            return None
        counts = dict(
            self.conn.execute(
                "SELECT label, count(*) FROM spans WHERE article_id = ? AND annotator = ? "
                "AND deleted_at IS NULL GROUP BY label",
                (article_id, annotator),
            ).fetchall()
        )
        return ArticleRow(row[0], row[1], row[2], row[3], row[4], counts)

    def next_article(
        self, annotator: str, after: str | None = None, *, not_done: bool = True
    ) -> str | None:
        """The next article (in list order) after ``after``, wrapping around."""
        seq = 0
        if after is not None:
            r = self.conn.execute("SELECT seq FROM articles WHERE id = ?", (after,)).fetchone()
            seq = r[0] if r else 0
        cond = (
            "AND NOT EXISTS (SELECT 1 FROM statuses s WHERE s.article_id = a.id "
            "AND s.annotator = ? AND s.status = 'done')"
            if not_done
            else ""
        )
        for op_seq in ((">", seq), (">=", 0)):
            params: list[Any] = [op_seq[1]]
            if not_done:
                params.append(annotator)
            row = self.conn.execute(
                f"SELECT a.id FROM articles a WHERE a.seq {op_seq[0]} ? {cond} "
                "ORDER BY a.seq LIMIT 1",
                params,
            ).fetchone()
            if row and row[0] != after:
                return row[0]
        return None

    def previous_article(self, after: str | None) -> str | None:
        if after is None:
            return None
        r = self.conn.execute("SELECT seq FROM articles WHERE id = ?", (after,)).fetchone()
        if not r:
            return None
        row = self.conn.execute(
            "SELECT id FROM articles WHERE seq < ? ORDER BY seq DESC LIMIT 1", (r[0],)
        ).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ spans
    def spans(
        self,
        article_id: str,
        annotator: str | Sequence[str] | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Span]:
        """Spans of one article in text order (optionally of some annotators)."""
        sql = f"SELECT {_SPAN_SELECT} FROM spans WHERE article_id = ?"
        params: list[Any] = [article_id]
        if isinstance(annotator, str):
            sql += " AND annotator = ?"
            params.append(annotator)
        elif annotator is not None:
            names = list(annotator)
            sql += f" AND annotator IN ({','.join('?' * len(names))})"
            params.extend(names)
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        sql += ' ORDER BY start, "end", label, annotator, id'
        return [_span_from_row(r) for r in self.conn.execute(sql, params)]

    def get_span(self, span_id: str) -> Span | None:
        row = self.conn.execute(
            f"SELECT {_SPAN_SELECT} FROM spans WHERE id = ?", (span_id,)
        ).fetchone()
        return _span_from_row(row) if row else None

    def annotator_spans(self, annotator: str, *, include_deleted: bool = False) -> list[Span]:
        """Every span of one person (per-annotator query)."""
        sql = f"SELECT {_SPAN_SELECT} FROM spans WHERE annotator = ?"
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        sql += ' ORDER BY article_id, start, "end", label, id'
        return [_span_from_row(r) for r in self.conn.execute(sql, (annotator,))]

    def orphaned_spans(self, annotator: str, article_id: str | None = None) -> list[Span]:
        sql = f"SELECT {_SPAN_SELECT} FROM spans WHERE annotator = ? AND anchor = 'orphaned' "
        sql += "AND deleted_at IS NULL"
        params: list[Any] = [annotator]
        if article_id:
            sql += " AND article_id = ?"
            params.append(article_id)
        return [_span_from_row(r) for r in self.conn.execute(sql + " ORDER BY article_id, start", params)]

    def articles_with_spans(self, annotators: Sequence[str]) -> set[str]:
        """Ids of the articles where any of these annotators has a live span."""
        names = list(annotators)
        if not names:
            return set()
        rows = self.conn.execute(
            f"SELECT DISTINCT article_id FROM spans WHERE annotator IN "
            f"({','.join('?' * len(names))}) AND deleted_at IS NULL",
            names,
        )
        return {r[0] for r in rows}

    def annotators(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT annotator FROM spans UNION SELECT annotator FROM statuses ORDER BY 1"
        )
        return [r[0] for r in rows]

    def _article_text(self, c: sqlite3.Connection, article_id: str) -> str:
        """The stored text, without reading it again while it has not changed.

        Reading a 1 MB text takes about 1 ms and every tag needs its quote and
        context, so the last few texts read are kept with their SHA-256.  The
        hash sits in the row's first page (about 10 µs to read), and every write
        of a text writes its hash in the same statement, so a text changed by
        another process is never served from here.
        """
        row = c.execute(
            "SELECT text_sha256 FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id!r}")
        cached = self._texts.get(article_id)
        if cached is not None and cached[0] == row[0]:
            self._remember_text(article_id, *cached)  # the most recently used now
            return cached[1]
        text = c.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        self._remember_text(article_id, row[0], text)
        return text

    def _require_article(self, c: sqlite3.Connection, article_id: str) -> None:
        if c.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
            raise StoreError(f"no article with id {article_id!r}")

    def _remember_text(self, article_id: str, sha: str, text: str) -> None:
        self._texts.pop(article_id, None)
        self._texts[article_id] = (sha, text)
        while len(self._texts) > TEXTS_KEPT:
            del self._texts[next(iter(self._texts))]

    def _slice(
        self, c: sqlite3.Connection, article_id: str, start: int, end: int
    ) -> tuple[str, str, str]:
        """Quote, prefix and suffix of ``text[start:end]``."""
        text = self._article_text(c, article_id)
        self._check_range(text, start, end)
        prefix, suffix = context(text, start, end)
        return text[start:end], prefix, suffix

    def _check_range(self, text: str, start: int, end: int) -> None:
        if not (isinstance(start, int) and isinstance(end, int)):
            raise StoreError("span offsets must be integers")
        if not (0 <= start < end <= len(text)):
            raise StoreError(f"span {start}..{end} is outside the text (length {len(text)})")

    def _log(
        self,
        c: sqlite3.Connection,
        actor: str,
        action: str,
        article_id: str | None,
        target: str | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        state: str = "done",
    ) -> None:
        if state == "done":
            # A new action empties this person's redo stack.
            c.execute(
                "UPDATE events SET state = 'dropped' WHERE annotator = ? AND state = 'undone'",
                (actor,),
            )
        c.execute(
            "INSERT INTO events (at, annotator, action, article_id, target, before, after, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                actor,
                action,
                article_id,
                target,
                None if before is None else _json(before),
                None if after is None else _json(after),
                state,
            ),
        )

    def _write_span(self, c: sqlite3.Connection, span: Span) -> None:
        row = _span_row(span)
        cols = ", ".join(f'"{k}"' for k in SPAN_COLUMNS)
        marks = ", ".join("?" * len(SPAN_COLUMNS))
        c.execute(
            f"INSERT OR REPLACE INTO spans ({cols}) VALUES ({marks})",
            [row[k] for k in SPAN_COLUMNS],
        )

    def add_span(
        self,
        article_id: str,
        annotator: str,
        label: str,
        start: int,
        end: int,
        *,
        note: str | None = None,
        attributes: dict[str, Any] | None = None,
        actor: str | None = None,
        span_id: str | None = None,
    ) -> Span:
        """Tag ``text[start:end]``; committed on return."""
        if not label:
            raise StoreError("a span needs a label")
        if not annotator:
            raise StoreError("a span needs an annotator")
        with self._tx() as c:
            quote, prefix, suffix = self._slice(c, article_id, start, end)
            now = now_iso()
            span = Span(
                id=span_id or str(uuid.uuid4()),
                article_id=article_id,
                annotator=annotator,
                label=label,
                start=start,
                end=end,
                text=quote,
                prefix=prefix,
                suffix=suffix,
                note=note,
                attributes=dict(attributes or {}),
                created_at=now,
                updated_at=now,
            )
            self._write_span(c, span)
            self._touch_status(c, article_id, annotator)
            self._log(c, actor or annotator, "span.add", article_id, span.id, None,
                      _span_dict(span))
        return span

    def update_span(
        self,
        span_id: str,
        annotator: str,
        *,
        label: str | None = None,
        start: int | None = None,
        end: int | None = None,
        note: str | None = _UNSET,
        attributes: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> Span:
        """Relabel, move, annotate; only the span's own annotator may."""
        with self._tx() as c:
            old = self._own_span(c, span_id, annotator)
            new = Span(**asdict(old))
            if label is not None:
                new.label = label
            if note is not _UNSET:
                new.note = note or None
            if attributes is not None:
                new.attributes = dict(attributes)
            if start is not None or end is not None:
                text = self._article_text(c, old.article_id)
                s = old.start if start is None else start
                e = old.end if end is None else end
                self._check_range(text, s, e)
                new.start, new.end, new.text = s, e, text[s:e]
                new.prefix, new.suffix = context(text, s, e)
                new.anchor = "ok"
            if asdict(new) == asdict(old):
                return old
            new.updated_at = now_iso()
            self._write_span(c, new)
            self._log(c, actor or annotator, "span.update", old.article_id, span_id,
                      asdict(old), asdict(new))
        return new

    def delete_span(self, span_id: str, annotator: str, *, actor: str | None = None) -> Span:
        """Tombstone a span (kept for merges and undo)."""
        with self._tx() as c:
            old = self._own_span(c, span_id, annotator)
            new = Span(**asdict(old))
            new.deleted_at = new.updated_at = now_iso()
            self._write_span(c, new)
            self._log(c, actor or annotator, "span.delete", old.article_id, span_id,
                      asdict(old), asdict(new))
        return new

    def _own_span(self, c: sqlite3.Connection, span_id: str, annotator: str) -> Span:
        row = c.execute(f"SELECT {_SPAN_SELECT} FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise StoreError(f"no span with id {span_id!r}")
        span = _span_from_row(row)
        if span.annotator != annotator:
            raise StoreError(f"span {span_id} belongs to {span.annotator!r}, not {annotator!r}")
        if span.deleted_at is not None:
            raise StoreError(f"span {span_id} is deleted")
        return span

    # --------------------------------------------------------------- statuses
    def _touch_status(self, c: sqlite3.Connection, article_id: str, annotator: str) -> None:
        """First tag on a todo article makes it in_progress (not an undoable action)."""
        row = c.execute(
            "SELECT status FROM statuses WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        if row is None or row[0] == "todo":
            c.execute(
                "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, 'in_progress', ?)",
                (article_id, annotator, now_iso()),
            )

    def status(self, article_id: str, annotator: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM statuses WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        return row[0] if row else "todo"

    def statuses(self, article_id: str | None = None) -> list[StatusRecord]:
        sql = "SELECT article_id, annotator, status, updated_at FROM statuses"
        params: tuple[Any, ...] = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            params = (article_id,)
        sql += " ORDER BY article_id, annotator"
        return [StatusRecord(*r) for r in self.conn.execute(sql, params)]

    def set_status(
        self, article_id: str, annotator: str, status: str, *, actor: str | None = None
    ) -> None:
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r} (todo, in_progress, done)")
        with self._tx() as c:
            self._require_article(c, article_id)
            row = c.execute(
                "SELECT status, updated_at FROM statuses WHERE article_id = ? AND annotator = ?",
                (article_id, annotator),
            ).fetchone()
            before = {"article_id": article_id, "annotator": annotator,
                      "status": row[0] if row else "todo"}
            if row and row[0] == status:
                return
            c.execute(
                "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (article_id, annotator, status, now_iso()),
            )
            after = dict(before, status=status)
            self._log(c, actor or annotator, "status.set", article_id, annotator, before, after)

    # ---------------------------------------------------------------- relations
    def add_relation(
        self, article_id: str, annotator: str, label: str, from_span: str, to_span: str
    ) -> Relation:
        with self._tx() as c:
            for sid in (from_span, to_span):
                s = self._own_span(c, sid, annotator)
                if s.article_id != article_id:
                    raise StoreError(f"span {sid} is not in article {article_id!r}")
            now = now_iso()
            rel = Relation(str(uuid.uuid4()), article_id, annotator, label, from_span, to_span,
                           now, now)
            self._write_relation(c, rel)
            self._log(c, annotator, "relation.add", article_id, rel.id, None, asdict(rel))
        return rel

    def delete_relation(self, relation_id: str, annotator: str) -> None:
        with self._tx() as c:
            row = c.execute(
                f"SELECT {', '.join(RELATION_COLUMNS)} FROM relations WHERE id = ?", (relation_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no relation with id {relation_id!r}")
            old = _relation_from_row(row)
            if old.annotator != annotator:
                raise StoreError(f"relation {relation_id} belongs to {old.annotator!r}")
            new = Relation(**asdict(old))
            new.deleted_at = new.updated_at = now_iso()
            self._write_relation(c, new)
            self._log(c, annotator, "relation.delete", old.article_id, old.id, asdict(old),
                      asdict(new))

    def _write_relation(self, c: sqlite3.Connection, rel: Relation) -> None:
        d = asdict(rel)
        c.execute(
            f"INSERT OR REPLACE INTO relations ({', '.join(RELATION_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(RELATION_COLUMNS))})",
            [d[k] for k in RELATION_COLUMNS],
        )

    def relations(self, article_id: str, *, include_deleted: bool = False) -> list[Relation]:
        sql = f"SELECT {', '.join(RELATION_COLUMNS)} FROM relations WHERE article_id = ?"
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        return [_relation_from_row(r) for r in self.conn.execute(sql + " ORDER BY id", (article_id,))]

    # ------------------------------------------------------------ undo / redo
    def _apply_state(self, c: sqlite3.Connection, action: str, state: dict[str, Any] | None,
                     other: dict[str, Any] | None) -> None:
        """Make the stored row equal ``state`` (``None``: the row did not exist)."""
        now = now_iso()
        if action.startswith("span."):
            ref = state if state is not None else other
            assert ref is not None
            row = c.execute(f"SELECT {_SPAN_SELECT} FROM spans WHERE id = ?",
                            (ref["id"],)).fetchone()
            if state is None:
                gone = _span_from_row(row) if row else Span(**ref)
                gone.deleted_at = gone.updated_at = now
                self._write_span(c, gone)
            else:
                span = Span(**state)
                span.updated_at = now
                text = self._article_text(c, span.article_id)
                if text[span.start : span.end] != span.text:
                    # The text changed since the snapshot: place its quote again
                    # rather than restore offsets that now point elsewhere.
                    place = reanchor(text, span.start, span.end, span.text, span.prefix,
                                     span.suffix)
                    if place.placed:
                        span.start, span.end = place.start, place.end
                        span.text = text[place.start : place.end]
                        span.prefix, span.suffix = context(text, place.start, place.end)
                        span.anchor = "moved"
                    else:
                        span.anchor = "orphaned"
                self._write_span(c, span)
        elif action.startswith("relation."):
            if state is None:
                assert other is not None
                gone_r = Relation(**other)
                gone_r.deleted_at = gone_r.updated_at = now
                self._write_relation(c, gone_r)
            else:
                rel = Relation(**state)
                rel.updated_at = now
                self._write_relation(c, rel)
        elif action.startswith("review."):
            # Decisions are never rewritten: undo appends "withdrawn", redo the decision again.
            row = state if state is not None else dict(other or {}, decision="withdrawn")
            self._record_review(c, row["article_id"], row["reviewer"], row["span_id"],
                                row["decision"], row.get("gold_span"))
        elif action == "status.set":
            assert state is not None
            c.execute(
                "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (state["article_id"], state["annotator"], state["status"], now),
            )

    def _event(self, row: Sequence[Any]) -> Event:
        return Event(
            id=row[0], at=row[1], annotator=row[2], action=row[3], article_id=row[4],
            target=row[5], before=json.loads(row[6]) if row[6] else None,
            after=json.loads(row[7]) if row[7] else None, state=row[8],
        )

    _EVENT_COLS = "id, at, annotator, action, article_id, target, before, after, state"

    def undo(self, annotator: str) -> Event | None:
        """Revert this person's latest action (survives restarts: it is in ``events``)."""
        return self._step(annotator, undo=True)

    def redo(self, annotator: str) -> Event | None:
        """Re-apply the action most recently undone (until a new action is made)."""
        return self._step(annotator, undo=False)

    def _step(self, annotator: str, *, undo: bool) -> Event | None:
        """One undo (latest ``done`` event) or redo (earliest ``undone`` one)."""
        state, order, new_state = ("done", "DESC", "undone") if undo else ("undone", "ASC", "done")
        with self._tx() as c:
            row = c.execute(
                f"SELECT {self._EVENT_COLS} FROM events WHERE annotator = ? AND state = ? "
                f"ORDER BY id {order} LIMIT 1",
                (annotator, state),
            ).fetchone()
            if row is None:
                return None
            ev = self._event(row)
            target, other = (ev.before, ev.after) if undo else (ev.after, ev.before)
            self._apply_state(c, ev.action, target, other)
            c.execute("UPDATE events SET state = ? WHERE id = ?", (new_state, ev.id))
            self._log(c, annotator, "undo" if undo else "redo", ev.article_id, str(ev.id),
                      other, target, "log")
        return ev

    def events(self, annotator: str | None = None, limit: int = 100) -> list[Event]:
        sql = f"SELECT {self._EVENT_COLS} FROM events"
        params: tuple[Any, ...] = ()
        if annotator:
            sql += " WHERE annotator = ?"
            params = (annotator,)
        sql += f" ORDER BY id DESC LIMIT {int(limit)}"
        return [self._event(r) for r in self.conn.execute(sql, params)]

    # --------------------------------------------------------------- position
    def save_position(self, annotator: str, article_id: str, cursor: int) -> None:
        """Where this person left off (article and cursor offset)."""
        with self._tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO positions (annotator, article_id, cursor, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (annotator, article_id, int(cursor), now_iso()),
            )

    def position(self, annotator: str) -> tuple[str, int] | None:
        row = self.conn.execute(
            "SELECT p.article_id, p.cursor FROM positions p JOIN articles a ON a.id = p.article_id "
            "WHERE p.annotator = ?",
            (annotator,),
        ).fetchone()
        return (row[0], int(row[1])) if row else None

    # ------------------------------------------------------------------ review
    def record_review(
        self, article_id: str, reviewer: str, span_id: str, decision: str,
        gold_span: str | None = None, *, undoable: bool = False,
    ) -> None:
        """Append a decision to ``reviews`` (the table is append-only).

        ``undoable``: also log it as the reviewer's action, so that undo appends
        a ``withdrawn`` decision for the span and redo appends the decision again.
        """
        with self._tx() as c:
            row = self._record_review(c, article_id, reviewer, span_id, decision, gold_span)
            if undoable:
                self._log(c, reviewer, "review.record", article_id, row["id"], None, row)

    def _record_review(self, c: sqlite3.Connection, article_id: str, reviewer: str, span_id: str,
                       decision: str, gold_span: str | None) -> dict[str, Any]:
        row = {"id": str(uuid.uuid4()), "article_id": article_id, "reviewer": reviewer,
               "span_id": span_id, "decision": decision, "gold_span": gold_span,
               "at": now_iso()}
        c.execute(
            "INSERT INTO reviews (id, article_id, reviewer, span_id, decision, gold_span, at) "
            "VALUES (:id, :article_id, :reviewer, :span_id, :decision, :gold_span, :at)",
            row,
        )
        return row

    def reviews(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Decisions in the order they were made (the latest per span and reviewer counts)."""
        sql = "SELECT id, article_id, reviewer, span_id, decision, gold_span, at FROM reviews"
        params: tuple[Any, ...] = ()
        if article_id:
            sql += " WHERE article_id = ?"
            params = (article_id,)
        cols = ("id", "article_id", "reviewer", "span_id", "decision", "gold_span", "at")
        return [dict(zip(cols, r, strict=True))
                for r in self.conn.execute(sql + " ORDER BY at, rowid", params)]

    def accept_into_gold(self, span_id: str, reviewer: str) -> Span:
        """Copy a span into ``gold`` recording its source and reviewer (undoable)."""
        src = self.get_span(span_id)
        if src is None or src.deleted_at is not None:
            raise StoreError(f"no live span with id {span_id!r}")
        for g in self.spans(src.article_id, GOLD):
            if (g.start, g.end, g.label) == (src.start, src.end, src.label):
                self.record_review(src.article_id, reviewer, span_id, "accept", g.id)
                return g
        attrs = {"source_span": src.id, "source_annotator": src.annotator, "reviewer": reviewer}
        gold = self.add_span(src.article_id, GOLD, src.label, src.start, src.end, note=src.note,
                             attributes=attrs, actor=reviewer)
        self.record_review(src.article_id, reviewer, span_id, "accept", gold.id)
        return gold

    # ------------------------------------------------------------------ stats
    def stats(self) -> dict[str, Any]:
        c = self.conn
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
            "articles": self.count_articles(),
            "spans": sum(labels.values()),
            "labels": labels,
            "annotators": annotators,
            "statuses": statuses,
            "anchors": anchors,
        }

    # ----------------------------------------------------------------- export
    def export_docs(
        self,
        *,
        annotators: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        status: str = "any",
        article_ids: Sequence[str] | None = None,
        include_orphaned: bool = False,
        include_deleted: bool = False,
        with_empty: bool = True,
        counters: dict[str, int] | None = None,
    ) -> Iterator[ExportDoc]:
        """Articles with their chosen spans, sorted by id then (start, end, label, annotator, id).

        Streams: one ordered query over articles and one over spans, merged.
        ``counters`` gets ``orphaned`` (left out) and ``articles``/``spans``.
        ``status='done'`` keeps, per article, only annotators who marked it done.
        """
        counters = counters if counters is not None else {}
        for k in ("articles", "spans", "orphaned"):
            counters.setdefault(k, 0)
        c = self.conn
        conds, params = [], []
        if article_ids:
            conds.append(f"id IN ({','.join('?' * len(article_ids))})")
            params.extend(article_ids)
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        art_cur = self.db.conn.cursor()
        art_cur.execute(
            "SELECT id, text, title, source, published, url, path, meta, styles FROM articles "
            f"{where} ORDER BY id",
            params,
        )
        sconds, sparams = [], []
        if article_ids:
            sconds.append(f"article_id IN ({','.join('?' * len(article_ids))})")
            sparams.extend(article_ids)
        if annotators:
            sconds.append(f"annotator IN ({','.join('?' * len(annotators))})")
            sparams.extend(annotators)
        if labels:
            sconds.append(f"label IN ({','.join('?' * len(labels))})")
            sparams.extend(labels)
        if not include_deleted:
            sconds.append("deleted_at IS NULL")
        swhere = ("WHERE " + " AND ".join(sconds)) if sconds else ""
        span_cur = self.db.conn.cursor()
        span_cur.execute(
            f"SELECT {_SPAN_SELECT} FROM spans {swhere} "
            'ORDER BY article_id, start, "end", label, annotator, id',
            sparams,
        )
        status_rows: dict[str, list[StatusRecord]] = {}
        for rec in self.statuses():
            if annotators and rec.annotator not in annotators:
                continue
            status_rows.setdefault(rec.article_id, []).append(rec)
        rel_rows: dict[str, list[Relation]] = {}
        rsql = f"SELECT {', '.join(RELATION_COLUMNS)} FROM relations"
        if not include_deleted:
            rsql += " WHERE deleted_at IS NULL"
        for row in c.execute(rsql + " ORDER BY article_id, id"):
            rel = _relation_from_row(row)
            if annotators and rel.annotator not in annotators:
                continue
            rel_rows.setdefault(rel.article_id, []).append(rel)

        pending = span_cur.fetchone()
        for arow in art_cur:
            art = Article(
                id=arow[0], text=arow[1], title=arow[2], source=arow[3], published=arow[4],
                url=arow[5], path=arow[6], meta=json.loads(arow[7] or "{}"),
                styles=_styles_from_json(arow[8]),
            )
            spans: list[Span] = []
            while pending is not None and pending[1] < art.id:
                pending = span_cur.fetchone()
            while pending is not None and pending[1] == art.id:
                spans.append(_span_from_row(pending))
                pending = span_cur.fetchone()
            sts = status_rows.get(art.id, [])
            if status == "done":
                done = {s.annotator for s in sts if s.status == "done"}
                spans = [s for s in spans if s.annotator in done]
                sts = [s for s in sts if s.annotator in done]
                if not done:
                    continue
            if not include_orphaned:
                kept = [s for s in spans if s.anchor != "orphaned"]
                counters["orphaned"] += len(spans) - len(kept)
                spans = kept
            if not spans and not with_empty and not sts:
                continue
            live_ids = {s.id for s in spans}
            rels = [r for r in rel_rows.get(art.id, [])
                    if r.from_span in live_ids and r.to_span in live_ids]
            counters["articles"] += 1
            counters["spans"] += len(spans)
            yield ExportDoc(art, spans, rels, sts)

    # --------------------------------------------------------------- agreement
    def agreement_inputs(
        self, annotators: Sequence[str] | None = None
    ) -> tuple[dict[str, str], list[Span], list[tuple[str, str]]]:
        """Texts, live spans and done marks of the articles these annotators touched."""
        cond, params = "", []
        if annotators:
            cond = f" AND annotator IN ({','.join('?' * len(annotators))})"
            params = list(annotators)
        spans = [
            _span_from_row(r)
            for r in self.conn.execute(
                f"SELECT {_SPAN_SELECT} FROM spans WHERE deleted_at IS NULL{cond} "
                'ORDER BY article_id, start, "end", label, annotator, id',
                params,
            )
        ]
        done = [
            (r[0], r[1])
            for r in self.conn.execute(
                f"SELECT article_id, annotator FROM statuses WHERE status = 'done'{cond}", params
            )
        ]
        ids = sorted({s.article_id for s in spans} | {d[0] for d in done})
        texts: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for aid, text in self.conn.execute(
                f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ):
                texts[aid] = text
        return texts, spans, done

    # ------------------------------------------------------------------ merge
    def merge_docs(self, docs: Iterable[tuple[Article, dict[str, Any], str]]) -> MergeReport:
        """Merge pack records ``(article, annotations, source)``; see :mod:`exchange`."""
        report = MergeReport()
        batch: list[tuple[Article, dict[str, Any], str]] = []

        def flush() -> None:
            if not batch:
                return
            with self._tx() as c:
                for art, ann, src in batch:
                    if self._ensure_article(c, art, report):
                        report.add(self._merge_doc(c, art, ann, source=src))
            batch.clear()

        for item in docs:
            batch.append(item)
            if len(batch) >= 200:
                flush()
        flush()
        return report

    def _ensure_article(self, c: sqlite3.Connection, art: Article, report: MergeReport) -> bool:
        row = c.execute("SELECT 1 FROM articles WHERE id = ?", (art.id,)).fetchone()
        if row is None:
            tmp = ImportReport()
            self._import_one(c, art, tmp, pack=True)
            if tmp.failed:
                report.rejected += 1
                report.messages.extend(tmp.errors)
                return False
            report.articles_added += 1
        return True

    def _merge_doc(
        self, c: sqlite3.Connection, art: Article, ann: dict[str, Any], *, source: str
    ) -> MergeReport:
        from .exchange import merge_article_annotations

        return merge_article_annotations(c, self, art, ann, source)

    # --- added for the TUI
    def iter_article_rows(self, annotator: str, *, batch_size: int = 2000) -> Iterator[ArticleRow]:
        """Every list row, in list order, streamed: :meth:`list_articles` without
        filters, fetched ``batch_size`` rows at a time so that a 100,000-article list
        never exists twice in memory (the TUI keeps its own compact copy).

        Use it on a connection of its own (another :class:`Store`) if writes may
        happen while the rows are being read.
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
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql, (annotator,))
            while rows := cursor.fetchmany(batch_size):
                for r in rows:
                    yield ArticleRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else {})
        finally:
            cursor.close()


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Let a public method raise only :class:`StoreError`, never a raw sqlite3 error.

    A damaged page is only found when a query reaches it, in any read;
    callers (the CLI, the TUI) then see one clear error type.
    """
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen(self: Store, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(self, *args, **kwargs)
            except sqlite3.Error as e:
                raise self._friendly(e) from e

        return gen

    @functools.wraps(fn)
    def call(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise self._friendly(e) from e

    return call


for _name, _fn in list(vars(Store).items()):
    if not _name.startswith("_") and inspect.isfunction(_fn):
        setattr(Store, _name, _guarded(_fn))
