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
triggers, and gives the rows new rowids (which the search indexes are keyed
by): a step that transforms ``articles`` or ``spans`` must call
:func:`create_search_triggers`, rebuild ``articles_fts`` / ``spans_fts``
(``rebuild_fts()``) and refill ``articles_cjk`` / ``spans_cjk`` as
:func:`create_search_indexes` does.

What stays raw SQL here, and why:

- ``events``: its ``INTEGER PRIMARY KEY AUTOINCREMENT`` (ids never reused, so
  undo never confuses two events) has no public sqlite-utils option.
- the full-text triggers: ``enable_fts(create_triggers=True)`` would also
  add an AFTER INSERT trigger on articles (the import writes that row itself:
  the insert costs 2.5x inside a trigger, see :mod:`annotations.store.articles`)
  and AFTER UPDATE triggers that fire on every column, not only the searched
  ones; and the substring tables hold only some rows (:func:`create_search_triggers`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import sqlite_utils

from annotations.search import NO_SPACE_CHARS
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


#: The word indexes' tokenizer: case folded, diacritics removed (also from letters
#: that carry several, as Vietnamese ones do).
WORD_TOKENIZER = "unicode61 remove_diacritics 2"
#: ``bm25`` weights of ``articles_fts``'s columns (title, text, source): a hit in the
#: title counts as much as four in the text.
ARTICLE_RANK = "bm25(4.0, 1.0, 1.0)"
#: An SQL condition on ``{v}`` (a column): it holds a character of a script written
#: without spaces (see :mod:`annotations.search`), so it belongs in a substring index.
NO_SPACE_SQL = "{v} GLOB '*[" + NO_SPACE_CHARS + "]*'"


def _no_space(*columns: str) -> str:
    return " OR ".join(NO_SPACE_SQL.format(v=c) for c in columns)


def create_search_indexes(db: sqlite_utils.Database) -> None:
    """Version 2 -> 3: the search indexes of issue 17, built over the rows already there.

    - ``articles_fts`` again, now over title, text and source, with
      :data:`WORD_TOKENIZER` and the :data:`ARTICLE_RANK` weights (its triggers
      follow ``source`` too).
    - ``spans_fts``: the words of every span's quote and note (external content:
      no copy), kept by triggers, so every writer (tags, merges, undo,
      re-anchoring, other programs) keeps it current.  It costs a tag about five
      more pages in its commit (FTS5 writes a segment per transaction; measured
      with the WAL's growth: 4.9 pages a tag without it, 9.8 with it).
    - ``articles_cjk`` / ``spans_cjk``: ``trigram`` tables holding a copy of the
      articles and spans that contain a script written without spaces (only
      those: :mod:`annotations.search` says why), kept by the same triggers.
    - ``articles_published``: an index for ``date:``.

    Raw SQL for the triggers (see the module docstring) and for filling the
    substring tables (sqlite-utils' ``populate_fts`` copies every row; these
    hold only some).
    """
    for trigger in ("articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    # Dropped by name: sqlite-utils' replace=True finds the old table only when its
    # SQL quotes "content" its own way, which a hand-written file may not.
    db.table("articles_fts").drop(ignore=True)
    articles = db.table("articles")
    articles.enable_fts(["title", "text", "source"], fts_version="FTS5",
                        tokenize=WORD_TOKENIZER)
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)", [ARTICLE_RANK])
    if not db.table("articles_cjk").exists():
        db.execute("CREATE VIRTUAL TABLE articles_cjk USING fts5(title, text, source, "
                   "tokenize='trigram')")
        db.execute("INSERT INTO articles_cjk(rowid, title, text, source) "
                   "SELECT rowid, title, text, source FROM articles WHERE "
                   + _no_space("title", "text", "source"))
    if not db.table("spans_fts").exists():
        # columnsize=0: no per-span lengths (nothing ranks spans by bm25), one page
        # less in every tag's commit, which sqlite-utils' enable_fts cannot ask for.
        db.execute("CREATE VIRTUAL TABLE spans_fts USING fts5(text, note, content='spans', "
                   f"tokenize='{WORD_TOKENIZER}', columnsize=0)")
        db.table("spans").populate_fts(["text", "note"])
    if not db.table("spans_cjk").exists():
        db.execute("CREATE VIRTUAL TABLE spans_cjk USING fts5(text, note, tokenize='trigram')")
        db.execute("INSERT INTO spans_cjk(rowid, text, note) SELECT rowid, text, note "
                   "FROM spans WHERE " + _no_space("text", "note"))
    create_search_triggers(db)
    articles.create_index(["published"], index_name="articles_published", if_not_exists=True)


def create_search_triggers(db: sqlite_utils.Database) -> None:
    """Keep the four search indexes in step with every write of articles and spans.

    An article's insert writes its rows itself (see
    :mod:`annotations.store.articles`: cheaper than a trigger on the import
    path); everything else is here.  The span writes' ``INSERT OR REPLACE``
    deletes the old row through ``spans_ad`` because the store's connections
    turn ``recursive_triggers`` on (as sqlite-utils does for every
    connection it opens); a program that replaces a span with the pragma off
    leaves the old row's words in ``spans_fts``, harmless (its rowid points at
    no span, so it matches nothing) until ``INSERT INTO spans_fts(spans_fts)
    VALUES ('rebuild')``.
    """
    article_cols = "title, text, source"
    old_a = "old.title, old.text, old.source"
    new_a = "new.title, new.text, new.source"
    db.executescript(
        f"""
        DROP TRIGGER IF EXISTS articles_ad;
        DROP TRIGGER IF EXISTS articles_au;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, {article_cols})
            VALUES ('delete', old.rowid, {old_a});
            DELETE FROM articles_cjk WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF {article_cols} ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, {article_cols})
            VALUES ('delete', old.rowid, {old_a});
            INSERT INTO articles_fts(rowid, {article_cols}) VALUES (new.rowid, {new_a});
            DELETE FROM articles_cjk WHERE rowid = old.rowid;
            INSERT INTO articles_cjk(rowid, {article_cols}) SELECT new.rowid, {new_a}
            WHERE {_no_space("new.title", "new.text", "new.source")};
        END;
        CREATE TRIGGER IF NOT EXISTS spans_ai AFTER INSERT ON spans BEGIN
            INSERT INTO spans_fts(rowid, text, note) VALUES (new.rowid, new.text, new.note);
            INSERT INTO spans_cjk(rowid, text, note) SELECT new.rowid, new.text, new.note
            WHERE {_no_space("new.text", "new.note")};
        END;
        CREATE TRIGGER IF NOT EXISTS spans_ad AFTER DELETE ON spans BEGIN
            INSERT INTO spans_fts(spans_fts, rowid, text, note)
            VALUES ('delete', old.rowid, old.text, old.note);
            DELETE FROM spans_cjk WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER IF NOT EXISTS spans_au AFTER UPDATE OF text, note ON spans
        WHEN old.text IS NOT new.text OR old.note IS NOT new.note BEGIN
            INSERT INTO spans_fts(spans_fts, rowid, text, note)
            VALUES ('delete', old.rowid, old.text, old.note);
            INSERT INTO spans_fts(rowid, text, note) VALUES (new.rowid, new.text, new.note);
            DELETE FROM spans_cjk WHERE rowid = old.rowid;
            INSERT INTO spans_cjk(rowid, text, note) SELECT new.rowid, new.text, new.note
            WHERE {_no_space("new.text", "new.note")};
        END;
        """
    )


def add_event_groups(db: sqlite_utils.Database) -> None:
    """Version 3 -> 4: ``events.group_id``, the one user action several events make up.

    Deleting a span also tombstones its relations, and accepting a relation
    into gold may copy its spans too: each is one action, so undo and redo
    take all its events at once (:mod:`annotations.store.history`).  Events of
    one action share a ``group_id``; the events of a single change have none.
    The index is partial (raw SQL, as for ``events_merge``), so key presses
    that write no group pay nothing for it.
    """
    if "group_id" not in db.table("events").columns_dict:
        db.table("events").add_column("group_id", str)
    db.execute("CREATE INDEX IF NOT EXISTS events_group ON events(annotator, group_id) "
               "WHERE group_id IS NOT NULL")


#: ``MIGRATIONS[n]`` takes a file from version ``n`` to ``n + 1``; append, never edit.
MIGRATIONS: tuple[Migration, ...] = (create_base_schema, add_merges, create_search_indexes,
                                     add_event_groups)
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

