"""Native packs: export, read back, merge (idempotent, order-independent, lossless)."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.formats.pack import pack_line, read_pack, write_pack
from annotations.model import Article
from annotations.store import Store

TEXT = "The council claims the bridge is safe. Engineers deny it. Built in 1962 by Acme Ltd."


def make_store(path: Path, text: str = TEXT) -> Store:
    s = Store.open(path)
    s.import_articles([Article(id="art", text=text, title="Bridge", published="2025-09-01",
                               meta={"section": "city"})])
    return s


def pack_bytes(store: Store, **kw: object) -> bytes:
    buf = io.BytesIO()
    write_pack(store.export_docs(include_deleted=True, **kw), buf)
    return buf.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def live_state(store: Store) -> list[tuple]:
    rows = store.conn.execute(
        'SELECT id, article_id, annotator, label, start, "end", text, note, updated_at, '
        "deleted_at, anchor FROM spans ORDER BY id"
    ).fetchall()
    sts = store.conn.execute("SELECT * FROM statuses ORDER BY article_id, annotator").fetchall()
    return [*rows, *sts]


def test_pack_line_contract(tmp_path: Path) -> None:
    s = make_store(tmp_path / "a.db")
    sp = s.add_span("art", "ana", "claim", 4, 37, note="n")
    s.set_status("art", "ana", "done")
    rec = json.loads(pack_bytes(s))
    assert list(rec)[:8] == ["id", "title", "text", "text_sha256", "meta", "spans", "relations",
                             "statuses"]
    assert rec["meta"]["date"] == "2025-09-01" and rec["meta"]["section"] == "city"
    span = rec["spans"][0]
    for key in ("id", "annotator", "label", "start", "end", "text", "note", "attributes",
                "anchor", "created_at", "updated_at", "deleted_at"):
        assert key in span
    assert span["id"] == sp.id and rec["text"][span["start"]:span["end"]] == span["text"]
    assert rec["statuses"] == [{"annotator": "ana", "status": "done",
                                "updated_at": rec["statuses"][0]["updated_at"]}]


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    s1 = a.add_span("art", "ana", "claim", 4, 37, note="ünïcode ✓")
    a.add_span("art", "bob", "denial", 39, 56)
    a.delete_span(s1.id, "ana")
    a.add_span("art", "ana", "context", 58, 84, attributes={"confidence": 2})
    a.set_status("art", "bob", "done")
    first = pack_bytes(a)
    p = write(tmp_path, "pack.jsonl", first)
    b = Store.open(tmp_path / "b.db")
    rep = b.import_articles(a for a in read_pack(p))  # type: ignore[misc]
    assert rep.imported == 1
    assert pack_bytes(b) == first


def test_merge_idempotent_and_tombstones(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    sp = a.add_span("art", "ana", "claim", 4, 37)
    p1 = write(tmp_path, "p1.jsonl", pack_bytes(a))
    b = make_store(tmp_path / "b.db")
    r1 = b.merge_docs((x, x.annotations, str(p1)) for x in read_pack(p1))
    assert (r1.added, r1.updated) == (2, 0)  # span + status
    r2 = b.merge_docs((x, x.annotations, str(p1)) for x in read_pack(p1))
    assert (r2.added, r2.updated, r2.unchanged) == (0, 0, 1 + 1)  # span + status
    a.delete_span(sp.id, "ana")
    p2 = write(tmp_path, "p2.jsonl", pack_bytes(a))
    b.merge_docs((x, x.annotations, str(p2)) for x in read_pack(p2))
    assert b.spans("art") == []
    # the older pack does not resurrect the span
    b.merge_docs((x, x.annotations, str(p1)) for x in read_pack(p1))
    assert b.spans("art") == []


def test_merge_rejects_foreign_rewrites_and_bad_lines(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    sp = a.add_span("art", "ana", "claim", 4, 37)
    rec = json.loads(pack_bytes(a))
    rec["spans"][0]["annotator"] = "mallory"
    rec["spans"][0]["label"] = "denial"
    rec["spans"][0]["updated_at"] = "2999-01-01T00:00:00Z"
    good = pack_bytes(a).decode()
    data = good + "{not json\n" + json.dumps(rec) + "\n"
    p = write(tmp_path, "mixed.jsonl", data.encode())
    items = list(read_pack(p))
    errors = [x for x in items if not isinstance(x, Article)]
    assert len(errors) == 1 and str(errors[0]).startswith(f"{p}:2: invalid JSON")
    report = a.merge_docs((x, x.annotations, str(p)) for x in items if isinstance(x, Article))
    assert report.rejected == 1
    assert "belongs to 'ana'" in " ".join(report.messages)
    assert a.get_span(sp.id).label == "claim"


def test_merge_differing_text_reanchors(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    a.add_span("art", "ana", "denial", 39, 56)  # "Engineers deny it"
    a.add_span("art", "ana", "context", 58, 84)  # "Built in 1962 by Acme Ltd."
    p = write(tmp_path, "p.jsonl", pack_bytes(a))
    ours = "Update: The council claims the bridge is safe. Engineers deny it. Nothing more."
    b = make_store(tmp_path / "b.db", text=ours)
    rep = b.merge_docs((x, x.annotations, str(p)) for x in read_pack(p))
    assert rep.articles_differing == 1 and rep.moved == 1 and rep.orphaned == 1
    spans = {s.label: s for s in b.spans("art")}
    d = spans["denial"]
    assert d.anchor == "moved" and ours[d.start:d.end] == "Engineers deny it"
    assert spans["context"].anchor == "orphaned"
    assert b.get_article("art").text == ours  # our text is never overwritten


span_ops = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bob"]),
        st.sampled_from(["add", "relabel", "delete", "done"]),
        st.integers(0, 3),
        st.sampled_from(["claim", "denial", "context"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(span_ops, min_size=2, max_size=3))
def test_merge_order_independent_property(tmp_path_factory, ops) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("m")
    packs = []
    for i, history in enumerate(ops):
        s = make_store(base / f"src{i}.db")
        for who, op, pos, label in history:
            mine = s.spans("art", who)
            if op == "add":
                s.add_span("art", who, label, pos * 10, pos * 10 + 5)
            elif op == "relabel" and mine:
                s.update_span(mine[pos % len(mine)].id, who, label=label)
            elif op == "delete" and mine:
                s.delete_span(mine[pos % len(mine)].id, who)
            elif op == "done":
                s.set_status("art", who, "done")
        packs.append(write(base, f"p{i}.jsonl", pack_bytes(s)))
        # re-export after a merge of the previous pack: shares ids across packs
        if i:
            s.merge_docs((x, x.annotations, "p") for x in read_pack(packs[i - 1]))
            packs.append(write(base, f"q{i}.jsonl", pack_bytes(s)))
        s.close()
    states = []
    for n, order in enumerate(itertools.islice(itertools.permutations(packs), 4)):
        t = make_store(base / f"t{n}.db")
        for p in (*order, *order):  # merging twice changes nothing
            t.merge_docs((x, x.annotations, str(p)) for x in read_pack(p))
        states.append(live_state(t))
        # never loses a live span: every span live in its latest version is live here
        latest: dict[str, dict] = {}
        for p in packs:
            for line in p.read_text().splitlines():
                for sp in json.loads(line)["spans"]:
                    key = (sp["updated_at"], sp["deleted_at"] is not None)
                    if sp["id"] not in latest or key > latest[sp["id"]]["k"]:
                        latest[sp["id"]] = {"k": key, "live": sp["deleted_at"] is None}
        live_ids = {s.id for s in t.spans("art")}
        assert {i for i, v in latest.items() if v["live"]} == live_ids
        t.close()
    assert all(s == states[0] for s in states)


def test_pack_line_deterministic(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    a.add_span("art", "bob", "claim", 4, 37)
    a.add_span("art", "ana", "claim", 4, 37)
    docs = list(a.export_docs())
    assert pack_line(docs[0]) == pack_line(list(a.export_docs())[0])
    anns = [s["annotator"] for s in json.loads(pack_line(docs[0]))["spans"]]
    assert anns == ["ana", "bob"]
