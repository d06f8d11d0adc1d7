"""The schema and its migrations: same meaning as the hand-written DDL, old files opened or
migrated, newer files refused, every migration in one transaction."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from annotations.model import Article
from annotations.store import SCHEMA_VERSION, Store, StoreError
from annotations.store.schema import MIGRATIONS, migrate, stored_version

#: The schema as stancemark 0.1 wrote it by hand (schema_version 1), before the
#: tables were created through sqlite-utils.  Files like this exist on disk.
LEGACY_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, title TEXT NOT NULL DEFAULT '',
    source TEXT, published TEXT, url TEXT, path TEXT, text TEXT NOT NULL,
    text_sha256 TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
    styles TEXT NOT NULL DEFAULT '[]', imported_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX articles_seq ON articles(seq);
CREATE TABLE spans (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    annotator TEXT NOT NULL, label TEXT NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '', note TEXT, attributes TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT,
    anchor TEXT NOT NULL DEFAULT 'ok'
);
CREATE INDEX spans_article ON spans(article_id, annotator, start);
CREATE INDEX spans_annotator ON spans(annotator, article_id, label);
CREATE TABLE relations (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    annotator TEXT NOT NULL, label TEXT NOT NULL, from_span TEXT NOT NULL,
    to_span TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT
);
CREATE INDEX relations_article ON relations(article_id, annotator);
CREATE TABLE statuses (
    article_id TEXT NOT NULL REFERENCES articles(id), annotator TEXT NOT NULL,
    status TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (article_id, annotator)
);
CREATE INDEX statuses_annotator ON statuses(annotator, status);
CREATE TABLE reviews (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    reviewer TEXT NOT NULL, span_id TEXT NOT NULL, decision TEXT NOT NULL,
    gold_span TEXT, at TEXT NOT NULL
);
CREATE INDEX reviews_article ON reviews(article_id, reviewer);
CREATE TABLE positions (
    annotator TEXT PRIMARY KEY, article_id TEXT, cursor INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, annotator TEXT NOT NULL,
    action TEXT NOT NULL, article_id TEXT, target TEXT, before TEXT, after TEXT,
    state TEXT NOT NULL
);
CREATE INDEX events_annotator ON events(annotator, state, id);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid');
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
INSERT INTO meta(key, value) VALUES ('schema_version', '1');
"""

TEXT = "The mayor took bribes, the Café owner said. The mayor denied it."


def legacy_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(LEGACY_V1)
    conn.close()
    return path


def _fts_args(sql: str) -> tuple[str, list[str], dict[str, str]]:
    """Module, columns and options of a CREATE VIRTUAL TABLE, quoting and defaults resolved."""
    module = re.search(r"USING\s+(\w+)", sql, re.I).group(1).lower()  # type: ignore[union-attr]
    inside = sql[sql.index("(", sql.upper().index("USING")) + 1 : sql.rindex(")")]
    columns, options = [], {"content_rowid": "rowid", "tokenize": "unicode61"}
    for arg in (a.strip() for a in inside.split(",")):
        if "=" in arg:
            key, value = (p.strip().strip("'\"[]") for p in arg.split("=", 1))
            options[key.lower()] = value
        else:
            columns.append(arg.strip("'\"[]"))
    return module, columns, options


def schema_meaning(conn: sqlite3.Connection) -> dict[str, Any]:
    """Everything the schema means, read from SQLite's catalogue rather than its SQL text."""
    out: dict[str, Any] = {}
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    for kind, name, table, sql in objects:
        q = name.replace('"', '""')
        if kind == "table" and sql.upper().startswith("CREATE VIRTUAL"):
            out[name] = ("virtual", _fts_args(sql))
        elif kind == "table":
            out[name] = (
                "table",
                conn.execute(f'PRAGMA table_xinfo("{q}")').fetchall(),
                [r[2:] for r in conn.execute(f'PRAGMA foreign_key_list("{q}")')],
                "AUTOINCREMENT" in sql.upper(),
            )
        elif kind == "index":
            info = conn.execute(f'PRAGMA index_xinfo("{q}")').fetchall()
            unique = conn.execute(
                f"SELECT \"unique\" FROM pragma_index_list('{table}') WHERE name = ?", (name,)
            ).fetchone()
            out[name] = ("index", table, info, unique, sql is None)
        elif kind == "trigger":
            out[name] = ("trigger", table, re.sub(r"\s+", " ", sql).strip())
    return out


def base_file(path: Path) -> Path:
    """A new file at version 1: the base step alone (what ``Store.open`` wrote before
    the search indexes of issue 17)."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    assert migrate(db, MIGRATIONS[:1]) == 1
    db.conn.close()
    return path


def test_new_schema_means_what_the_hand_written_one_did(tmp_path: Path) -> None:
    new = sqlite3.connect(base_file(tmp_path / "new.db"))
    old = sqlite3.connect(legacy_file(tmp_path / "old.db"))
    ours, theirs = schema_meaning(new), schema_meaning(old)
    assert set(ours) == set(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert ours["articles_fts"] == ("virtual", ("fts5", ["title", "text"], {
        "content": "articles", "content_rowid": "rowid", "tokenize": "unicode61"}))
    assert ours["events"][3] is True  # AUTOINCREMENT kept


def test_a_hand_written_v1_file_is_migrated_and_works(tmp_path: Path) -> None:
    """Version 1 files (hand-written or not) get the search indexes of version 2, built
    over the rows they hold, and mean what a new file means."""
    path = legacy_file(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO articles (id, seq, title, text, source, text_sha256, imported_at, "
        "updated_at) VALUES ('old', 1, 'Zoë at the embassy', ?, 'Ledger', 'x', 't', 't')",
        ("武打明星李小龍出生於舊金山. The embassy denied it.",))
    conn.execute(
        "INSERT INTO spans (id, article_id, annotator, label, start, \"end\", text, note, "
        "created_at, updated_at) VALUES ('s1', 'old', 'bob', 'denial', 0, 10, "
        "'武打明星李小龍出生於', 'baseless claim', 't', 't')")
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert stored_version(store.db) == SCHEMA_VERSION == 4
    # The indexes hold the rows that were there before the migration.
    assert store.search("zoe", "ana").ids == ["old"]
    assert store.search("李小龍", "ana").ids == ["old"]
    assert store.search("小龍", "ana").ids == ["old"]
    assert store.search("source:ledger", "ana").ids == ["old"]
    assert store.search("span:baseless", "ana").ids == ["old"]
    assert store.search("span:denial:明星李小", "ana").ids == ["old"]
    # Every step's objects are there: version 2's merges table and events.merge_id,
    # version 3's search tables, triggers and index, version 4's events.group_id.
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    assert {"merges", "merges_sha256", "events_merge",
            "articles_fts", "articles_cjk", "spans_fts", "spans_cjk", "articles_published",
            "spans_ai", "spans_ad", "spans_au", "articles_ad", "articles_au",
            "events_group"} <= names
    assert {"merge_id", "group_id"} <= set(store.db["events"].columns_dict)
    # and it works as a new file does
    store.import_articles([Article(id="a", text=TEXT, title="Bribes")])
    span = store.add_span("a", "ana", "claim", 4, 21)
    assert span.text == "mayor took bribes"
    assert [r.id for r in store.list_articles("ana", fulltext="cafe")] == ["a"]  # unicode61
    store.import_articles([Article(id="a", text="A new text about ferries.", title="Ferries")])
    assert [r.id for r in store.list_articles("ana", fulltext="bribes")] == []
    assert [r.id for r in store.list_articles("ana", fulltext="ferries")] == ["a"]
    assert store.undo("ana") is not None
    store.close()
    Store.open(tmp_path / "new.db").close()
    migrated = schema_meaning(sqlite3.connect(path))
    assert migrated == schema_meaning(sqlite3.connect(tmp_path / "new.db"))


def test_migrating_to_2_keeps_the_undo_stack(tmp_path: Path) -> None:
    """Events written at version 1 keep their state (and no merge_id): undo goes on working."""
    conn = sqlite3.connect(legacy_file(tmp_path / "v1.db"))
    conn.execute("INSERT INTO articles (id, seq, title, text, text_sha256, imported_at, "
                 "updated_at) VALUES ('a', 1, '', ?, 'x', 't', 't')", (TEXT,))
    span = {"id": "s1", "article_id": "a", "annotator": "ana", "label": "claim", "start": 4,
            "end": 21, "text": "mayor took bribes", "prefix": "The ", "suffix": ", the Café",
            "note": None, "attributes": {}, "created_at": "2025-01-01T00:00:00.000000Z",
            "updated_at": "2025-01-01T00:00:00.000000Z", "deleted_at": None, "anchor": "ok"}
    conn.execute("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)",
                 [v for k, v in span.items() if k != "attributes"])
    conn.execute("INSERT INTO events (at, annotator, action, article_id, target, before, after, "
                 "state) VALUES ('t', 'ana', 'span.add', 'a', 's1', NULL, ?, 'done')",
                 (json.dumps(span),))
    conn.commit()
    conn.close()
    old = Store.open(tmp_path / "v1.db")
    assert [(e.action, e.state, e.merge_id) for e in old.events("ana")] == [
        ("span.add", "done", None)]
    assert old.undo("ana") is not None and old.get_span("s1").deleted_at is not None
    assert old.redo("ana") is not None and old.get_span("s1").deleted_at is None
    assert old.merges() == []
    old.close()


def test_migrating_to_4_keeps_the_undo_stack_and_groups_new_actions(tmp_path: Path) -> None:
    """A version 3 file: its events get no group (each still undone alone), and a span
    deleted with its relation after the upgrade is one group, undone in one step."""
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "v3.db", isolation_level=None))
    assert migrate(db, MIGRATIONS[:3]) == 3
    db.conn.close()
    conn = sqlite3.connect(tmp_path / "v3.db")
    assert "group_id" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    conn.close()
    store = Store.open(tmp_path / "v3.db")
    assert stored_version(store.db) == 4
    store.import_articles([Article(id="a", text=TEXT)])
    claim = store.add_span("a", "ana", "claim", 4, 21)
    denial = store.add_span("a", "ana", "denial", 44, 64)
    store.add_relation("a", "ana", "rebuts", denial.id, claim.id)
    store.delete_span(claim.id, "ana")
    groups = store.conn.execute(
        "SELECT action, group_id IS NOT NULL FROM events WHERE state = 'done' ORDER BY id"
    ).fetchall()
    assert groups == [("span.add", 0), ("span.add", 0), ("relation.add", 0),
                      ("span.delete", 1), ("relation.delete", 1)]
    ev = store.undo("ana")
    assert ev is not None and ev.action == "span.delete" and ev.group_size == 2
    assert store.get_span(claim.id).deleted_at is None
    assert [r.label for r in store.relations("a")] == ["rebuts"]
    # the search index still follows the spans (version 3's triggers)
    assert store.search("span:bribes", "ana").ids == ["a"]
    store.close()


def test_a_current_file_opens_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "current.db"
    Store.open(path).close()
    before = sqlite3.connect(path).execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
    store = Store.open(path)
    assert store.total_changes() == 0  # nothing written on open
    store.close()
    after = sqlite3.connect(path).execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
    assert after == before


def test_a_file_from_before_versioning_is_migrated(tmp_path: Path) -> None:
    """Version 0: an articles table with rows and nothing else; the rest is created and
    the search index built over the rows already there."""
    path = tmp_path / "v0.db"
    conn = sqlite3.connect(path)
    conn.executescript(LEGACY_V1.split("CREATE INDEX articles_seq")[0].split(";", 1)[1])
    conn.execute(
        "INSERT INTO articles (id, seq, title, text, text_sha256, imported_at, updated_at) "
        "VALUES ('a', 1, 'Bribes', ?, 'x', 't', 't')", (TEXT,))
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert stored_version(store.db) == SCHEMA_VERSION
    assert {"spans", "events", "statuses", "meta", "articles_fts"} <= set(store.db.table_names())
    assert [r.id for r in store.list_articles("ana", fulltext="bribes")] == ["a"]
    store.close()


def rename_cursor(db: sqlite_utils.Database) -> None:
    """A step SQLite's ALTER TABLE cannot do in older versions, made with transform()."""
    db["positions"].transform(rename={"cursor": "offset"})


def test_an_old_version_is_migrated_step_by_step(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    store.import_articles([Article(id="a", text=TEXT)])
    store.save_position("ana", "a", 7)
    assert stored_version(store.db) == SCHEMA_VERSION
    assert migrate(store.db, (*MIGRATIONS, rename_cursor)) == SCHEMA_VERSION + 1
    assert stored_version(store.db) == SCHEMA_VERSION + 1
    assert store.conn.execute("SELECT annotator, offset FROM positions").fetchall() == [("ana", 7)]
    # run again: nothing left to do
    assert migrate(store.db, (*MIGRATIONS, rename_cursor)) == SCHEMA_VERSION + 1
    store.close()


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    store.save_position("ana", "a", 7)

    def broken(db: sqlite_utils.Database) -> None:
        raise RuntimeError("step 3 failed")

    with pytest.raises(RuntimeError, match="step 3"):
        migrate(store.db, (*MIGRATIONS, rename_cursor, broken))
    assert stored_version(store.db) == SCHEMA_VERSION
    assert "cursor" in store.db["positions"].columns_dict  # step 2 was rolled back too
    assert not store.conn.in_transaction
    store.close()


def test_a_newer_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(SCHEMA_VERSION + 1),))
    conn.commit()
    before = conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    with pytest.raises(StoreError, match="newer stancemark"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall() == before
    assert conn.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="newer"):
        migrate(sqlite_utils.Database(sqlite3.connect(path, isolation_level=None)))
