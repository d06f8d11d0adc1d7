"""The store: every API call, undo/redo, visibility to a second connection, re-import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotations.model import GOLD, Article
from annotations.store import SCHEMA_VERSION, Store, StoreError

TEXT = "Acme Ltd. said the mayor took bribes. The mayor denied it. Context follows here."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "t.db")
    s.import_articles([
        Article(id="a1", text=TEXT, title="First", source="Ledger", published="2025-10-01"),
        Article(id="a2", text="Second article text.", title="Second"),
        Article(id="a3", text="Third article text.", title="Third"),
    ])
    yield s
    s.close()


def test_schema_settings(store: Store) -> None:
    c = store.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = set(store.db.table_names())
    assert {"articles", "spans", "relations", "statuses", "events", "meta", "articles_fts"} <= tables
    assert c.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION
    )
    # the full-text index answers
    hits = c.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'bribes'"
    ).fetchall()
    assert len(hits) == 1
    assert [r.id for r in store.list_articles("x", fulltext="bribes")] == ["a1"]


def test_import_is_idempotent(store: Store) -> None:
    again = store.import_articles([
        Article(id="a1", text=TEXT, title="First", source="Ledger", published="2025-10-01")
    ])
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    assert store.count_articles() == 3


def test_get_article_and_sha(store: Store) -> None:
    art = store.get_article("a1")
    assert art is not None and art.text == TEXT and art.title == "First"
    assert art.source == "Ledger" and art.published == "2025-10-01"
    row = store.conn.execute("SELECT text_sha256 FROM articles WHERE id='a1'").fetchone()
    assert row[0] == art.text_sha256
    assert store.get_article("nope") is None


def test_add_update_delete_span(store: Store) -> None:
    s = store.add_span("a1", "ana", "claim", 0, 8, note="who?", attributes={"k": 1})
    assert s.text == TEXT[0:8] == "Acme Ltd"
    assert s.suffix.startswith(". said")
    got = store.spans("a1", "ana")
    assert [x.id for x in got] == [s.id] and got[0].attributes == {"k": 1}
    u = store.update_span(s.id, "ana", label="denial", note="edited")
    assert (u.label, u.note) == ("denial", "edited")
    assert u.updated_at > s.updated_at
    moved = store.update_span(s.id, "ana", start=10, end=14)
    assert moved.text == "said"
    store.delete_span(s.id, "ana")
    assert store.spans("a1", "ana") == []
    dead = store.spans("a1", "ana", include_deleted=True)
    assert dead[0].deleted_at is not None


def test_span_validation(store: Store) -> None:
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span("a1", "ana", "claim", 5, 500)
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span("a1", "ana", "claim", 5, 5)
    with pytest.raises(StoreError, match="no article"):
        store.add_span("zz", "ana", "claim", 0, 1)
    s = store.add_span("a1", "ana", "claim", 0, 4)
    with pytest.raises(StoreError, match="belongs to 'ana'"):
        store.update_span(s.id, "bob", label="denial")
    with pytest.raises(StoreError, match="belongs to 'ana'"):
        store.delete_span(s.id, "bob")
    assert store.spans("a1")[0].label == "claim"


def test_list_articles_counts_and_filters(store: Store) -> None:
    store.add_span("a1", "ana", "claim", 0, 4)
    store.add_span("a1", "ana", "claim", 10, 14)
    store.add_span("a1", "ana", "denial", 38, 47)
    store.add_span("a1", "bob", "context", 0, 4)
    store.set_status("a2", "ana", "done")
    rows = store.list_articles("ana")
    assert [r.id for r in rows] == ["a1", "a2", "a3"]
    assert rows[0].counts == {"claim": 2, "denial": 1}
    assert rows[0].status == "in_progress"
    assert rows[1].status == "done" and rows[2].status == "todo"
    assert [r.id for r in store.list_articles("ana", status="done")] == ["a2"]
    assert [r.id for r in store.list_articles("ana", label="denial")] == ["a1"]
    assert [r.id for r in store.list_articles("ana", label="context")] == []
    assert [r.id for r in store.list_articles("bob", label="context")] == ["a1"]
    assert [r.id for r in store.list_articles("ana", search="sec")] == ["a2"]
    assert [r.id for r in store.list_articles("ana", search="100%")] == []


def test_list_articles_narrowed_rows_carry_their_counts(store: Store) -> None:
    """A filtered or limited list counts each row's own spans (the counts are not taken
    from an aggregate of every span): the same rows as the whole list, for each filter."""
    store.add_span("a1", "ana", "claim", 0, 4)
    store.add_span("a1", "ana", "denial", 38, 47)
    gone = store.add_span("a1", "ana", "denial", 10, 14)
    store.delete_span(gone.id, "ana")
    store.add_span("a2", "ana", "context", 0, 6)
    store.add_span("a1", "bob", "context", 0, 4)
    store.set_status("a3", "ana", "done")
    whole = {r.id: r for r in store.list_articles("ana")}
    assert whole["a1"].counts == {"claim": 1, "denial": 1} and whole["a3"].counts == {}
    for kw in ({"fulltext": "article"}, {"fulltext": "bribes"}, {"search": "i"}, {"limit": 2},
               {"status": "done"}, {"label": "context"}, {"label": "claim", "fulltext": "mayor"},
               {"status": "in_progress", "limit": 1}):
        rows = store.list_articles("ana", **kw)  # type: ignore[arg-type]
        assert rows, kw
        assert rows == [whole[r.id] for r in rows], kw
    assert [r.id for r in store.list_articles("ana", fulltext="article")] == ["a2", "a3"]
    assert [r.id for r in store.list_articles("ana", label="claim", fulltext="mayor")] == ["a1"]
    assert [r.id for r in store.list_articles("ana", limit=2)] == ["a1", "a2"]


def test_list_articles_uses_indexes(store: Store) -> None:
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT article_id, label, count(*) FROM spans "
        "WHERE annotator = 'ana' AND deleted_at IS NULL GROUP BY article_id, label"
    ).fetchall()
    assert any("spans_annotator" in str(r) for r in plan)


def test_status_and_next_article(store: Store) -> None:
    assert store.status("a1", "ana") == "todo"
    assert store.next_article("ana") == "a1"
    store.set_status("a1", "ana", "done")
    assert store.next_article("ana") == "a2"
    assert store.next_article("ana", after="a2") == "a3"
    store.set_status("a3", "ana", "done")
    assert store.next_article("ana", after="a2") is None or store.next_article(
        "ana", after="a2") == "a2"
    assert store.next_article("ana", after="a3") == "a2"
    assert store.previous_article("a2") == "a1"
    with pytest.raises(StoreError):
        store.set_status("a1", "ana", "finished")


def test_first_tag_marks_in_progress(store: Store) -> None:
    store.add_span("a2", "ana", "claim", 0, 6)
    assert store.status("a2", "ana") == "in_progress"


def test_undo_redo(store: Store, tmp_path: Path) -> None:
    s = store.add_span("a1", "ana", "claim", 0, 4)
    store.update_span(s.id, "ana", label="denial")
    store.set_status("a1", "ana", "done")
    bob = store.add_span("a1", "bob", "context", 0, 4)

    assert store.undo("ana").action == "status.set"
    assert store.status("a1", "ana") == "in_progress"
    assert store.undo("ana").action == "span.update"
    assert store.spans("a1", "ana")[0].label == "claim"
    # across a restart: a new connection continues the same history
    store2 = Store.open(tmp_path / "t.db")
    assert store2.undo("ana").action == "span.add"
    assert store2.spans("a1", "ana") == []
    assert store2.undo("ana") is None
    assert store2.redo("ana").action == "span.add"
    assert store2.spans("a1", "ana")[0].label == "claim"
    assert store2.redo("ana").action == "span.update"
    assert store2.spans("a1", "ana")[0].label == "denial"
    # a new action drops the redo stack
    store2.add_span("a1", "ana", "context", 10, 14)
    assert store2.redo("ana") is None
    # nobody else's spans changed
    assert store2.spans("a1", "bob")[0].id == bob.id
    store2.close()


def test_second_connection_sees_writes_at_once(store: Store, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "t.db")
    s = store.add_span("a1", "ana", "claim", 0, 4)
    assert other.execute("SELECT count(*) FROM spans").fetchone()[0] == 1
    store.update_span(s.id, "ana", note="x")
    assert other.execute("SELECT note FROM spans").fetchone()[0] == "x"
    store.set_status("a1", "ana", "done")
    assert other.execute("SELECT status FROM statuses").fetchone()[0] == "done"
    store.delete_span(s.id, "ana")
    assert other.execute("SELECT deleted_at FROM spans").fetchone()[0] is not None
    other.close()


def test_changed_text_reanchors_or_orphans(store: Store) -> None:
    keep = store.add_span("a1", "ana", "claim", 0, 8)  # "Acme Ltd" stays put
    moves = store.add_span("a1", "ana", "denial", 38, 58)  # "The mayor denied it."
    gone = store.add_span("a1", "ana", "context", 59, 66)  # "Context"
    assert moves.text == "The mayor denied it."
    new_text = "Acme Ltd. said the mayor took bribes on Monday. The mayor denied it. Nothing else."
    rep = store.import_articles([Article(id="a1", text=new_text, title="First")])
    assert rep.updated == 1
    spans = {s.id: s for s in store.spans("a1", "ana")}
    assert spans[keep.id].anchor == "ok" and spans[keep.id].start == 0
    m = spans[moves.id]
    assert m.anchor == "moved" and new_text[m.start : m.end] == "The mayor denied it."
    g = spans[gone.id]
    assert g.anchor == "orphaned"
    assert (g.start, g.end, g.text) == (59, 66, "Context")  # never shifted silently
    assert store.orphaned_spans("ana")[0].id == gone.id


def test_tags_quote_the_current_text_after_another_process_changed_it(
    store: Store, tmp_path: Path
) -> None:
    """The store keeps the texts it read; a text changed elsewhere is read again."""
    assert store.get_article("a1").text == TEXT  # read (and kept) by this process
    first = store.add_span("a1", "ana", "claim", 0, 4)
    assert (first.text, first.suffix[:5]) == ("Acme", " Ltd.")
    other = Store.open(tmp_path / "t.db")
    try:
        other.import_articles([Article(id="a1", text="Zeta Inc. said nothing at all.",
                                       title="First")])
    finally:
        other.close()
    second = store.add_span("a1", "ana", "claim", 0, 4)
    assert (second.text, second.suffix[:5]) == ("Zeta", " Inc.")
    moved = store.update_span(second.id, "ana", start=10, end=14)
    assert moved.text == "said"
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span("a1", "ana", "claim", 0, len(TEXT))  # the old, longer text
    # Only the last few texts read stay in memory.
    for article_id in ("a1", "a2", "a3", "a1", "a2"):
        store.add_span(article_id, "ana", "claim", 0, 3)
    assert len(store.connection.texts) <= 2
    with pytest.raises(StoreError, match="no article"):
        store.set_status("missing", "ana", "done")


def test_gold_accept_records_source(store: Store) -> None:
    s = store.add_span("a1", "ana", "claim", 0, 8)
    g = store.accept_into_gold(s.id, reviewer="rita")
    assert g.annotator == GOLD and g.attributes["source_span"] == s.id
    assert g.attributes["reviewer"] == "rita"
    again = store.accept_into_gold(s.id, reviewer="rita")
    assert again.id == g.id
    assert [r["decision"] for r in store.reviews("a1")] == ["accept", "accept"]


def test_position(store: Store) -> None:
    assert store.position("ana") is None
    store.save_position("ana", "a2", 7)
    assert store.position("ana") == ("a2", 7)


def test_stats(store: Store) -> None:
    store.add_span("a1", "ana", "claim", 0, 4)
    store.add_span("a1", "bob", "denial", 0, 4)
    store.set_status("a1", "bob", "done")
    st = store.stats()
    assert st["articles"] == 3 and st["spans"] == 2
    assert st["labels"] == {"claim": 1, "denial": 1}
    assert st["annotators"] == {"ana": {"claim": 1}, "bob": {"denial": 1}}
    assert st["statuses"]["bob"] == {"done": 1}


def test_newer_schema_refused(tmp_path: Path) -> None:
    p = tmp_path / "new.db"
    Store.open(p).close()
    c = sqlite3.connect(p)
    c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    c.commit()
    c.close()
    with pytest.raises(StoreError, match="newer stancemark"):
        Store.open(p)


def test_bad_files_get_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupted|not a stancemark"):
        Store.open(junk)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "missing" / "x.db")
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE unrelated (x)")
    c.commit()
    c.close()
    with pytest.raises(StoreError, match="not a stancemark database"):
        Store.open(other)


def test_read_only_file(tmp_path: Path) -> None:
    import os

    p = tmp_path / "ro.db"
    s = Store.open(p)
    s.import_articles([Article(id="x", text="hello there")])
    s.close()
    # SQLite's own read-only mode: what a file without write permission gives
    # (root ignores permission bits, so the suite uses the mode directly).
    ro = Store.open(p, read_only=True)
    assert ro.get_article("x").text == "hello there"
    with pytest.raises(StoreError, match="read-only|cannot write"):
        ro.add_span("x", "ana", "claim", 0, 5)
    with pytest.raises(StoreError, match="read-only|cannot write"):
        ro.set_status("x", "ana", "done")
    ro.close()
    if os.geteuid() != 0:
        for f in tmp_path.iterdir():
            f.chmod(0o444)
        with pytest.raises(StoreError, match="read-only|cannot write"):
            Store.open(p).add_span("x", "ana", "claim", 0, 5)


def test_undo_after_reimport_never_restores_stale_offsets(store: Store) -> None:
    start = TEXT.index("The mayor denied it.")
    s = store.add_span("a1", "ana", "denial", start, start + len("The mayor denied it."))
    store.update_span(s.id, "ana", label="claim")
    new_text = "A new first paragraph.\n\n" + TEXT
    store.import_articles([Article(id="a1", text=new_text, title="First")])
    assert store.get_span(s.id).anchor == "moved"
    store.undo("ana")  # back to "denial": the quote must still be what it says
    sp = store.get_span(s.id)
    assert sp.label == "denial" and new_text[sp.start : sp.end] == sp.text == "The mayor denied it."
    assert sp.anchor == "moved"
    store.undo("ana")  # the add: tombstoned where it is now
    gone = store.spans("a1", "ana", include_deleted=True)[0]
    assert gone.deleted_at is not None and new_text[gone.start : gone.end] == gone.text
    store.redo("ana")
    sp = store.get_span(s.id)
    assert sp.deleted_at is None and new_text[sp.start : sp.end] == sp.text
    # a snapshot whose quote is gone from the text comes back orphaned, not shifted
    store.import_articles([Article(id="a1", text="Nothing left of it.", title="First")])
    store.undo("ana")
    store.redo("ana")
    sp = store.get_span(s.id)
    assert sp.anchor == "orphaned"


def test_reimport_same_text_new_metadata_updates_it(store: Store) -> None:
    s = store.add_span("a1", "ana", "claim", 0, 8)
    rep = store.import_articles([Article(id="a1", text=TEXT, title="Renamed", source="Ledger",
                                         published="2025-10-02", meta={"k": 1})])
    assert (rep.updated, rep.unchanged) == (1, 0)
    art = store.get_article("a1")
    assert (art.title, art.published, art.meta) == ("Renamed", "2025-10-02", {"k": 1})
    assert store.get_span(s.id).anchor == "ok"
    assert [r.id for r in store.list_articles("x", fulltext="Renamed")] == ["a1"]
    again = store.import_articles([Article(id="a1", text=TEXT, title="Renamed", source="Ledger",
                                           published="2025-10-02", meta={"k": 1})])
    assert again.unchanged == 1


def test_span_quote_and_context_are_code_points(tmp_path: Path) -> None:
    from annotations.anchoring import CONTEXT, context

    text = "Prices 📈 rose, said 王秀英 at Café\u0301 Ōsaka 🚢 port. " * 3
    s = Store.open(tmp_path / "u.db")
    s.import_articles([Article(id="u", text=text)])
    for start, end in [(0, 6), (7, 8), (20, 23), (len(text) - 10, len(text)), (5, 60)]:
        sp = s.add_span("u", "ana", "claim", start, end)
        assert sp.text == text[start:end]
        assert (sp.prefix, sp.suffix) == context(text, start, end)
        assert len(sp.prefix) <= CONTEXT
        assert s.get_span(sp.id).text == text[start:end]
    with pytest.raises(StoreError, match="outside"):
        s.add_span("u", "ana", "claim", 0, len(text) + 1)


def test_text_with_nul_is_refused(store: Store) -> None:
    rep = store.import_articles([Article(id="nul", text="a\x00b", path="x.jsonl")])
    assert rep.failed == 1 and "NUL" in rep.errors[0]
    assert store.get_article("nul") is None


def test_every_public_method_is_guarded() -> None:
    """The facade is the boundary where sqlite3 errors become StoreError: all of it."""
    import inspect

    public = [n for n, v in vars(Store).items() if not n.startswith("_") and inspect.isfunction(v)]
    assert len(public) >= 40
    assert [n for n in public if not hasattr(getattr(Store, n), "__wrapped__")] == []


def test_a_damaged_page_is_a_store_error_in_calls_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    s = Store.open(path)
    s.import_articles([Article(id=f"a{i}", text=TEXT) for i in range(3)])
    for i in range(3):
        s.add_span(f"a{i}", "ana", "claim", 0, 4)
    s.close()
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spans'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(b"\xff" * page)
    s = Store.open(path)
    damaged = "damaged|corrupted|malformed"
    with pytest.raises(StoreError, match=damaged):
        s.spans("a0")
    docs = s.export_docs()  # a stream: its queries run while it is iterated
    with pytest.raises(StoreError, match=damaged):
        list(docs)
    with pytest.raises(StoreError, match=damaged):
        list(s.iter_article_rows("ana"))
    s.close()


def test_span_window_reads_what_a_screen_needs_and_counts_the_rest(store: Store) -> None:
    text = "".join(f"word{i:03d} " for i in range(200))  # 1,600 characters
    store.import_articles([Article(id="w", text=text, title="Words")])
    spans = [("claim", i * 8, i * 8 + 7, {}) for i in range(200)]
    spans.append(("context", 100, 900, {}))  # long: starts well before the window
    spans.append(("denial", 40, 47, {}))  # deleted below
    added = store.add_spans("w", "ana", spans)
    store.add_spans("w", "bob", [("claim", 800, 807, {})])  # someone else's
    store.delete_span(added[-1].id, "ana")
    store.conn.execute("UPDATE spans SET anchor = 'orphaned' WHERE id = ?", (added[0].id,))
    every = store.spans("w", "ana")
    assert len(every) == 201

    w = store.span_window("w", "ana", 800, 880, len(text))
    assert (w.first, w.end, w.total, w.orphaned) == (100, 880, 201, 1)
    # Every span over text[800:880] is among them; those before ``first`` end before 800.
    assert {s.id for s in every if s.start < 880 and s.end > 800} <= {s.id for s in w.spans}
    assert all(s.end <= 800 for s in every if s.start < w.first)
    assert w.spans == [s for s in every if w.first <= s.start < w.end]  # text order
    assert w.before == sum(s.start < w.first for s in every)
    # The rest, by ranges of starts, makes up exactly what the full read gives.
    rest = store.spans_starting("w", "ana", None, w.first) + w.spans + store.spans_starting(
        "w", "ana", w.end, None)
    assert rest == every
    # No span over the window: it starts at the window.
    empty = store.span_window("w", "bob", 0, 50, len(text))
    assert (empty.spans, empty.first, empty.before, empty.total) == ([], 0, 0, 1)


def test_span_window_uses_the_article_index(store: Store) -> None:
    for sql in ("SELECT * FROM spans WHERE article_id = 'a' AND annotator = 'ana' "
                "AND deleted_at IS NULL AND start >= 5 AND start < 9",
                "SELECT COUNT(*) FROM spans WHERE article_id = 'a' AND annotator = 'ana' "
                "AND deleted_at IS NULL AND start < 9"):
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert any("spans_article" in str(r) and "start" in str(r) for r in plan), plan
