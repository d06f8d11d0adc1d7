"""A pack's rows are held across lines and written together (MergeContext.flush).

However many lines are held, the result must be what merging line by line
gives: a line is weighed against what the lines before it stored (the same
span twice, the same article's statuses, relations that need their spans),
every change has its event in the order undo needs, and a held row the
database refuses names its own line, not the line being read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.formats.pack import read_pack
from annotations.model import Article
from annotations.store import Store, ingest, merge
from annotations.trust import Trust
from tui.cli import cli

T1 = "2025-01-01T00:00:00.000000Z"
T2 = "2025-02-01T00:00:00.000000Z"
TEXT = "The minister denied the claim. Officials said the bridge would open."


def span(sid: str, start: int, end: int, label: str = "claim", at: str = T1) -> dict[str, Any]:
    return {"id": sid, "annotator": "ana", "label": label, "start": start, "end": end,
            "text": TEXT[start:end], "note": None, "attributes": {}, "anchor": "ok",
            "created_at": T1, "updated_at": at, "deleted_at": None,
            "prefix": TEXT[max(0, start - 8):start], "suffix": TEXT[end:end + 8]}


def line(aid: str, spans: list[dict[str, Any]], statuses: list[dict[str, Any]] | None = None,
         relations: list[dict[str, Any]] | None = None) -> str:
    return json.dumps({"id": aid, "title": aid, "text": TEXT, "meta": {}, "spans": spans,
                       "relations": relations or [], "statuses": statuses or []})


def status(value: str, at: str) -> dict[str, Any]:
    return {"annotator": "ana", "status": value, "updated_at": at}


def tricky_pack(path: Path) -> Path:
    """Lines that depend on the lines before them."""
    relation = {"id": "r1", "annotator": "ana", "label": "supports", "from_span": "a-s1",
                "to_span": "a-s2", "created_at": T2, "updated_at": T2, "deleted_at": None}
    path.write_text("\n".join([
        line("a", [span("a-s1", 0, 12)], [status("todo", T1)]),
        line("b", [span("b-s1", 4, 12)], [status("in_progress", T1)]),
        line("b", [], [status("done", T2)]),  # a later status of the same article
        # The same article again: a newer version of a-s1, a new span, a relation
        # between them, and a later status of the same annotator.
        line("a", [span("a-s1", 0, 12, "denial", T2), span("a-s2", 13, 19)],
             [status("done", T2)], [relation]),
        line("c", [span("a-s1", 0, 12), span("c-s1", 20, 29)]),  # a's span id: rejected
    ]) + "\n")
    return path


def state(s: Store) -> dict[str, Any]:
    c = s.conn
    return {
        "articles": sorted(r[0] for r in c.execute("SELECT id FROM articles")),
        "spans": sorted(c.execute('SELECT id, article_id, label, "start", "end" FROM spans')),
        "statuses": sorted(c.execute("SELECT article_id, annotator, status FROM statuses")),
        "relations": sorted(c.execute("SELECT id, from_span, to_span FROM relations")),
    }


@pytest.mark.parametrize("lookahead", [1, 2, 256])
@pytest.mark.parametrize("flush_rows", [1, 2, 3, 5_000])
def test_held_lines_store_what_line_by_line_stores(tmp_path: Path, flush_rows: int,
                                                   lookahead: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "FLUSH_ROWS", flush_rows)
    # Lines read ahead in windows of 1, 2 or all: the same article's statuses within one
    # window and across windows (MergeContext.prefetch reads them ahead).
    monkeypatch.setattr(ingest, "LOOKAHEAD", lookahead)
    pack = tricky_pack(tmp_path / "p.jsonl")
    db = tmp_path / "o.db"
    r = CliRunner().invoke(cli, ["import", "--db", str(db), "--from", "ana", str(pack)],
                           obj={}, catch_exceptions=False)
    assert f"{pack}:5: span 'a-s1' belongs to article 'a'" in r.output
    s = Store.open(db)
    assert state(s) == {
        "articles": ["a", "b", "c"],
        "spans": [("a-s1", "a", "denial", 0, 12), ("a-s2", "a", "claim", 13, 19),
                  ("b-s1", "b", "claim", 4, 12), ("c-s1", "c", "claim", 20, 29)],
        "statuses": [("a", "ana", "done"), ("b", "ana", "done")],
        "relations": [("r1", "a-s1", "a-s2")],
    }
    events = list(reversed(s.events(limit=100)))
    order = [(e.action, e.target) for e in events]
    # Each change once, and what undo needs: an article before its spans, a span
    # before its newer version and before the relation that uses it.
    assert sorted(order) == sorted([
        ("article.merge", "a"), ("article.merge", "b"), ("article.merge", "c"),
        ("span.merge", "a-s1"), ("span.merge", "a-s1"), ("span.merge", "a-s2"),
        ("span.merge", "b-s1"), ("span.merge", "c-s1"), ("relation.merge", "r1"),
        ("status.merge", "ana"), ("status.merge", "ana"), ("status.merge", "ana"),
        ("status.merge", "ana")])
    assert order.index(("article.merge", "a")) < order.index(("span.merge", "a-s1"))
    assert order.index(("article.merge", "c")) < order.index(("span.merge", "c-s1"))
    assert order.index(("span.merge", "a-s2")) < order.index(("relation.merge", "r1"))
    a_s1 = [e for e in events if e.target == "a-s1"]
    assert [(e.before and e.before["label"], e.after["label"]) for e in a_s1] == [
        (None, "claim"), ("claim", "denial")]
    for aid, first in (("a", "todo"), ("b", "in_progress")):
        changes = [e for e in events if e.action == "status.merge" and e.article_id == aid]
        assert [(e.before and e.before["status"], e.after["status"]) for e in changes] == [
            (None, first), (first, "done")]
    undone = s.undo_merge(hashlib.sha256(pack.read_bytes()).hexdigest(), "rita")
    assert (undone.reverted, undone.kept) == (13, 0)
    assert state(s) == {"articles": [], "spans": [], "statuses": [], "relations": []}


def _refuse(s: Store, table: str, when: str) -> None:
    s.conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} WHEN {when} "
                   "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END")


@pytest.mark.parametrize(("table", "when", "bad_line"), [
    ("spans", "NEW.id = 'b-s1'", 2),
    ("statuses", "NEW.article_id = 'b'", 2),
    ("spans", "NEW.id = 'c-s1'", 5),
])
def test_a_held_row_refused_names_its_own_line(tmp_path: Path, table: str, when: str,
                                               bad_line: int) -> None:
    """The rows are written after later lines were read: the message still names the line."""
    s = Store.open(tmp_path / "t.db")
    _refuse(s, table, when)
    pack = tricky_pack(tmp_path / "p.jsonl")
    docs = [(x, x.annotations, str(pack)) for x in read_pack(pack) if isinstance(x, Article)]
    report = s.merge_docs(docs, trust=Trust.decide(["ana"]))
    assert report.messages[-1] == (f"{pack}:{bad_line}: not stored: IntegrityError: refused by "
                                   f"a trigger; nothing of {pack} was stored")
    assert state(s) == {"articles": [], "spans": [], "statuses": [], "relations": []}


def test_span_events_when_new_rowids_are_not_the_next_ones(tmp_path: Path) -> None:
    """A span at the largest rowid makes SQLite pick new rowids at random: the events of the
    new spans are then found by id, one each, with the stored row as ``after``."""
    s = Store.open(tmp_path / "r.db")
    s.import_articles([Article(id="z", text=TEXT, title="z")])
    s.conn.execute(f'INSERT INTO spans (rowid, id, article_id, annotator, label, "start", "end", '
                   f"text, created_at, updated_at) VALUES (9223372036854775807, 'z-s1', 'z', "
                   f"'ana', 'claim', 0, 3, 'The', '{T1}', '{T1}')")
    pack = tricky_pack(tmp_path / "p.jsonl")
    docs = [(x, x.annotations, str(pack)) for x in read_pack(pack) if isinstance(x, Article)]
    s.merge_docs(docs, trust=Trust.decide(["ana"]))
    events = [e for e in s.events(limit=100) if e.action == "span.merge"]
    assert sorted(e.target for e in events) == ["a-s1", "a-s1", "a-s2", "b-s1", "c-s1"]
    for e in events:
        if e.before is None:
            stored = s.get_span(e.target)
            assert stored is not None and e.after["id"] == stored.id
            assert e.after["article_id"] == stored.article_id


@pytest.mark.parametrize("lookahead", [1, 3, 256])
def test_statuses_read_ahead_are_weighed_against_the_stored_ones(
        tmp_path: Path, lookahead: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Statuses already stored (a second import) win or lose as when read line by line."""
    monkeypatch.setattr(ingest, "LOOKAHEAD", lookahead)
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join([line("a", [], [status("done", T1)]),
                                line("b", [], [status("in_progress", T1)])]) + "\n")
    second = tmp_path / "second.jsonl"
    second.write_text("\n".join([
        line("a", [], [status("todo", "2024-12-31T00:00:00.000000Z")]),  # older: unchanged
        line("b", [], [status("done", T2)]),  # newer: updated
        line("b", [], [status("todo", T1)]),  # older than the line before it: unchanged
        line("c", [], [status("todo", T1)]),  # new
    ]) + "\n")
    s = Store.open(tmp_path / "s.db")
    trust = Trust.decide(("ana",))
    for pack in (first, second):
        docs = [(art, art.annotations or {}, str(pack)) for art in read_pack(pack)]
        merged = s.merge_docs(docs, trust=trust)
    assert (merged.added, merged.updated, merged.unchanged, merged.rejected) == (1, 1, 2, 0)
    assert state(s)["statuses"] == [("a", "ana", "done"), ("b", "ana", "done"),
                                    ("c", "ana", "todo")]
