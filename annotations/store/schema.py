"""Tables, indexes, the search index, and the migrations that bring a file up to date.

The version of a file is ``meta.schema_version``.  ``MIGRATIONS[n]`` takes a
database from version ``n`` to ``n + 1`` (version 0 is an empty file), so
:data:`SCHEMA_VERSION` is ``len(MIGRATIONS)``.  :func:`migrate` runs every
step a file lacks plus the version bump in one ``BEGIN IMMEDIATE``
transaction: a crash leaves the file at its old version, and of two
processes opening a new file at once the second finds it migrated and does
nothing.  A file written by a newer stancemark is refused, never changed.

To change the schema, append a step and nothing else: a step gets the
:class:`sqlite_utils.Database` and uses its table API (``create``,
``add_column``, ``create_index``, ``transform`` for changes SQLite's ALTER
TABLE cannot make, ``enable_fts`` / ``populate_fts`` for the search index).
``transform()`` copies a table into a new one, keeping its indexes but not its
triggers, and gives the rows new rowids: a step that transforms ``articles``
must call :func:`create_fts_triggers` and ``db.table("articles").rebuild_fts()``.

What stays raw SQL here, and why:

- ``events``: its ``INTEGER PRIMARY KEY AUTOINCREMENT`` (ids never reused, so
  undo never confuses two events) has no public sqlite-utils option.
- the two full-text triggers: ``enable_fts(create_triggers=True)`` would also
  add an AFTER INSERT trigger (the import writes that row itself: the insert
  costs 2.5x inside a trigger, see :mod:`annotations.store.articles`) and an
  AFTER UPDATE trigger that fires on every column, not only title and text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import sqlite_utils

from annotations.store.errors import StoreError

#: The tables a file at the current version must have (others are created on demand).
CORE_TABLES = frozenset({"articles", "spans", "events"})

Migration = Callable[[sqlite_utils.Database], None]


def create_fts_triggers(db: sqlite_utils.Database) -> None:
    """Keep ``articles_fts`` (external content) in step with deletes and text/title edits."""
    db.executescript(
        """
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
    )


def create_base_schema(db: sqlite_utils.Database) -> None:
    """Version 0 -> 1: every table, index and the search index (only what is missing)."""
    db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db.table("articles").create(
        {
            "id": str, "seq": int, "title": str, "source": str, "published": str, "url": str,
            "path": str, "text": str, "text_sha256": str, "meta": str, "styles": str,
            "imported_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"seq", "title", "text", "text_sha256", "meta", "styles", "imported_at",
                  "updated_at"},
        defaults={"title": "", "meta": "{}", "styles": "[]"},
        if_not_exists=True,
    )
    db.table("articles").create_index(["seq"], index_name="articles_seq", if_not_exists=True)
    db.table("spans").create(
        {
            "id": str, "article_id": str, "annotator": str, "label": str, "start": int,
            "end": int, "text": str, "prefix": str, "suffix": str, "note": str,
            "attributes": str, "created_at": str, "updated_at": str, "deleted_at": str,
            "anchor": str,
        },
        pk="id",
        not_null={"article_id", "annotator", "label", "start", "end", "text", "prefix",
                  "suffix", "attributes", "created_at", "updated_at", "anchor"},
        defaults={"prefix": "", "suffix": "", "attributes": "{}", "anchor": "ok"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("spans").create_index(["article_id", "annotator", "start"], index_name="spans_article",
                             if_not_exists=True)
    db.table("spans").create_index(["annotator", "article_id", "label"], index_name="spans_annotator",
                             if_not_exists=True)
    db.table("relations").create(
        {
            "id": str, "article_id": str, "annotator": str, "label": str, "from_span": str,
            "to_span": str, "created_at": str, "updated_at": str, "deleted_at": str,
        },
        pk="id",
        not_null={"article_id", "annotator", "label", "from_span", "to_span", "created_at",
                  "updated_at"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("relations").create_index(["article_id", "annotator"], index_name="relations_article",
                                 if_not_exists=True)
    db.table("statuses").create(
        {"article_id": str, "annotator": str, "status": str, "updated_at": str},
        pk=("article_id", "annotator"),
        not_null={"article_id", "annotator", "status", "updated_at"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("statuses").create_index(["annotator", "status"], index_name="statuses_annotator",
                                if_not_exists=True)
    db.table("reviews").create(
        {
            "id": str, "article_id": str, "reviewer": str, "span_id": str, "decision": str,
            "gold_span": str, "at": str,
        },
        pk="id",
        not_null={"article_id", "reviewer", "span_id", "decision", "at"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("reviews").create_index(["article_id", "reviewer"], index_name="reviews_article",
                               if_not_exists=True)
    db.table("positions").create(
        {"annotator": str, "article_id": str, "cursor": int, "updated_at": str},
        pk="annotator",
        not_null={"cursor", "updated_at"},
        defaults={"cursor": 0},
        if_not_exists=True,
    )
    db.execute(
        """
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
        )
        """
    )
    db.table("events").create_index(["annotator", "state", "id"], index_name="events_annotator",
                              if_not_exists=True)
    if not db.table("articles_fts").exists():
        # FTS5 with articles as external content (rowids shared) and the default
        # unicode61 tokenizer; enable_fts also indexes any rows already there.
        db.table("articles").enable_fts(["title", "text"], fts_version="FTS5")
    create_fts_triggers(db)


def add_merges(db: sqlite_utils.Database) -> None:
    """Version 1 -> 2: the ``merges`` table (one row per pack merged) and ``events.merge_id``.

    Every change a merge makes is an event whose ``merge_id`` names its
    ``merges`` row (who merged which pack file, its SHA-256, whose records it
    vouched for), so ``stancemark merge --undo PACK`` finds exactly what one
    merge changed.  The index on ``merge_id`` is partial (raw SQL: sqlite-utils
    has no ``WHERE`` for indexes), so the events of key presses, which have
    none, cost nothing more to write.
    """
    db.table("merges").create(
        {
            "id": int, "at": str, "merged_by": str, "pack_path": str, "pack_sha256": str,
            "signers": str, "vouched": str, "reviewer": int, "undone_at": str,
            "undone_by": str,
        },
        pk="id",
        not_null={"at", "merged_by", "pack_path", "signers", "vouched", "reviewer"},
        defaults={"signers": "[]", "vouched": "[]", "reviewer": 0},
        if_not_exists=True,
    )
    db.table("merges").create_index(["pack_sha256"], index_name="merges_sha256",
                                    if_not_exists=True)
    if "merge_id" not in db.table("events").columns_dict:
        db.table("events").add_column("merge_id", int)
    db.execute("CREATE INDEX IF NOT EXISTS events_merge ON events(merge_id) "
               "WHERE merge_id IS NOT NULL")


def add_suggestion_rejections(db: sqlite_utils.Database) -> None:
    """Version 2 -> 3: ``suggestion_rejections``, the suggestions each annotator said no to.

    One row per rejection (see :mod:`annotations.store.suggestions`), found by
    annotator and article when an article's suggestions are worked out.
    """
    db.table("suggestion_rejections").create(
        {"id": str, "article_id": str, "annotator": str, "start": int, "end": int,
         "label": str, "quote": str, "source": str, "at": str},
        pk="id",
        not_null={"article_id", "annotator", "start", "end", "label", "quote", "source", "at"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("suggestion_rejections").create_index(
        ["annotator", "article_id"], index_name="suggestion_rejections_annotator",
        if_not_exists=True)


#: ``MIGRATIONS[n]`` takes a file from version ``n`` to ``n + 1``; append, never edit.
MIGRATIONS: tuple[Migration, ...] = (create_base_schema, add_merges, add_suggestion_rejections)
SCHEMA_VERSION = len(MIGRATIONS)


def stored_version(db: sqlite_utils.Database) -> int:
    """``meta.schema_version`` (0 when the file has no version yet)."""
    if not db.table("meta").exists():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Run the steps this file lacks and record the new version, all in one transaction.

    A file whose core tables are missing (one from before versioning, or one a
    user trimmed) starts again from the base step, which creates only what is
    missing.  Returns the version the file is at afterwards.
    """
    target = len(migrations)
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")  # also serialises two first openers of a new file
    try:
        version = stored_version(db)
        if version > target:
            raise StoreError(f"schema {version} is newer than {target}")
        if not CORE_TABLES <= set(db.table_names()):
            version = 0
        for step in migrations[version:]:
            step(db)
        if version < target:
            db.table("meta").insert({"key": "schema_version", "value": str(target)}, replace=True)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return target


def ensure_schema(db: sqlite_utils.Database, path: Path, *, writable: bool) -> None:
    """Check an opened file is ours and current; migrate it when it is older.

    Raises :class:`StoreError` for a file of a newer stancemark, an SQLite
    file of something else, or an old file that cannot be written.
    ``sqlite3`` errors (a damaged file) propagate for the caller to explain.
    """
    tables = set(db.table_names())
    if "meta" in tables:
        version = stored_version(db)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: written by a newer stancemark (schema {version}, this "
                f"version reads up to {SCHEMA_VERSION}); upgrade stancemark to open it"
            )
        if version == SCHEMA_VERSION and CORE_TABLES <= tables:
            return
    elif tables - {"sqlite_sequence"} and "articles" not in tables:
        raise StoreError(f"{path}: is an SQLite file but not a stancemark database")
    if not writable:
        raise StoreError(f"{path}: cannot write to the database (read-only file)")
    try:
        migrate(db)
    except StoreError as e:  # another process upgraded it past us meanwhile
        raise StoreError(f"{path}: {e}; upgrade stancemark to open it") from e

