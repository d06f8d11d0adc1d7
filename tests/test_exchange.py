"""Native packs: export, read back, merge (idempotent, order-independent, lossless)."""

from __future__ import annotations

import io
import itertools
import json
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.formats.pack import pack_line, read_pack, write_pack
from annotations.model import Article
from annotations.store import Store
from annotations.timestamps import format_timestamp, utc_now
from annotations.trust import Trust

#: Tests of the merge's mechanics vouch for both annotators (the trust rules have tests of their own).
TEAM = Trust.decide(["ana", "bob"], merged_by="carol")
TEXT = "The council claims the bridge is safe. Engineers deny it. Built in 1962 by Acme Ltd."

#: A time an hour ahead: wins over what the tests store, without being refused as future.
SOON = format_timestamp(utc_now() + timedelta(hours=1))


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
    rep = b.import_articles((a for a in read_pack(p)), trust=TEAM)  # type: ignore[misc]
    assert rep.imported == 1
    assert pack_bytes(b) == first


def test_merge_idempotent_and_tombstones(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    sp = a.add_span("art", "ana", "claim", 4, 37)
    p1 = write(tmp_path, "p1.jsonl", pack_bytes(a))
    b = make_store(tmp_path / "b.db")
    r1 = b.merge_docs(((x, x.annotations, str(p1)) for x in read_pack(p1)), trust=TEAM)
    assert (r1.added, r1.updated) == (2, 0)  # span + status
    r2 = b.merge_docs(((x, x.annotations, str(p1)) for x in read_pack(p1)), trust=TEAM)
    assert (r2.added, r2.updated, r2.unchanged) == (0, 0, 1 + 1)  # span + status
    a.delete_span(sp.id, "ana")
    p2 = write(tmp_path, "p2.jsonl", pack_bytes(a))
    b.merge_docs(((x, x.annotations, str(p2)) for x in read_pack(p2)), trust=TEAM)
    assert b.spans("art") == []
    # the older pack does not resurrect the span
    b.merge_docs(((x, x.annotations, str(p1)) for x in read_pack(p1)), trust=TEAM)
    assert b.spans("art") == []


def test_merge_rejects_foreign_rewrites_and_bad_lines(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    sp = a.add_span("art", "ana", "claim", 4, 37)
    rec = json.loads(pack_bytes(a))
    rec["spans"][0]["annotator"] = "mallory"
    rec["spans"][0]["label"] = "denial"
    rec["spans"][0]["updated_at"] = SOON  # newer than ours, but not refused as future
    good = pack_bytes(a).decode()
    data = good + "{not json\n" + json.dumps(rec) + "\n"
    p = write(tmp_path, "mixed.jsonl", data.encode())
    items = list(read_pack(p))
    errors = [x for x in items if not isinstance(x, Article)]
    assert len(errors) == 1 and str(errors[0]).startswith(f"{p}:2: invalid JSON")
    report = a.merge_docs(((x, x.annotations, str(p)) for x in items if isinstance(x, Article)), trust=TEAM)
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
    rep = b.merge_docs(((x, x.annotations, str(p)) for x in read_pack(p)), trust=TEAM)
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


def build_packs(base: Path, ops: list[list[tuple[str, str, int, str]]]) -> list[Path]:
    """Packs of the stores that the ops build (each re-exported after merging the previous)."""
    packs: list[Path] = []
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
            s.merge_docs(((x, x.annotations, "p") for x in read_pack(packs[i - 1])), trust=TEAM)
            packs.append(write(base, f"q{i}.jsonl", pack_bytes(s)))
        s.close()
    return packs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(span_ops, min_size=2, max_size=3))
def test_merge_order_independent_property(tmp_path_factory, ops) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("m")
    packs = build_packs(base, ops)
    states = []
    for n, order in enumerate(itertools.islice(itertools.permutations(packs), 4)):
        t = make_store(base / f"t{n}.db")
        for p in (*order, *order):  # merging twice changes nothing
            t.merge_docs(((x, x.annotations, str(p)) for x in read_pack(p)), trust=TEAM)
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


HOSTILE_TIMES = ["~forever", "9999-12-31T23:59:59Z", "2999-01-01T00:00:00.000000Z",
                 "2025-01-01", "2025-02-30T00:00:00Z", "NaN", "", None, 1e308]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(span_ops, min_size=2, max_size=3),
       vouched=st.sets(st.sampled_from(["ana", "bob"])),
       poison=st.lists(st.tuples(st.integers(0, 50), st.sampled_from(HOSTILE_TIMES),
                                 st.sampled_from(["updated_at", "created_at", "deleted_at"])),
                       max_size=4),
       forge=st.booleans())
def test_merge_trust_property(tmp_path_factory, ops, vouched, poison, forge) -> None:  # type: ignore[no-untyped-def]
    """With any vouched subset, hostile times and mallory's forgeries in the packs, merging
    stays order-independent and idempotent, changes exactly the vouched annotators' records
    (what a merge trusting everyone stores, restricted to them) and stores no hostile time."""
    base = tmp_path_factory.mktemp("t")
    packs = build_packs(base, ops)
    all_spans = [(p, n, k) for p in packs for n, line in enumerate(p.read_text().splitlines())
                 for k in range(len(json.loads(line)["spans"]))]
    for i, value, field in poison if all_spans else []:
        p, n, k = all_spans[i % len(all_spans)]
        lines = [json.loads(x) for x in p.read_text().splitlines()]
        lines[n]["spans"][k][field] = value
        p.write_text("".join(json.dumps(x) + "\n" for x in lines))
    if forge and all_spans:  # mallory's pack: everyone's spans relabelled, under their names
        lines = [json.loads(x) for x in packs[0].read_text().splitlines()]
        for sp in lines[0]["spans"]:
            sp.update(label="forged", updated_at=SOON)
        lines[0]["statuses"] = [{"annotator": a, "status": "todo", "updated_at": SOON}
                                for a in ("ana", "bob", "gold")]
        packs.append(write(base, "mallory.jsonl",
                           "".join(json.dumps(x) + "\n" for x in lines).encode()))
    trust = Trust.decide(sorted(vouched))

    def merged(name: str, how: Trust, order: tuple[Path, ...]) -> list[tuple]:
        t = make_store(base / name)
        for p in (*order, *order):
            t.merge_docs(((x, x.annotations, str(p)) for x in read_pack(p)
                          if isinstance(x, Article)), trust=how)
        times = t.conn.execute(
            "SELECT updated_at FROM spans UNION ALL SELECT created_at FROM spans UNION ALL "
            "SELECT deleted_at FROM spans WHERE deleted_at IS NOT NULL UNION ALL "
            "SELECT updated_at FROM statuses").fetchall()
        assert all(len(v) == 27 and v.endswith("Z") for (v,) in times)
        assert not t.conn.execute("SELECT 1 FROM spans WHERE label = 'forged' AND annotator "
                                  f"NOT IN ({','.join('?' * len(how.vouched))})",
                                  sorted(how.vouched)).fetchall()
        state = live_state(t)
        t.close()
        return state

    orders = list(itertools.islice(itertools.permutations(packs), 3))
    states = [merged(f"o{n}.db", trust, order) for n, order in enumerate(orders)]
    assert all(x == states[0] for x in states)
    everyone = merged("all.db", Trust.decide(["ana", "bob", "mallory"]), orders[0])
    # live_state rows: spans (annotator in column 2), then statuses (annotator in column 1)
    assert states[0] == [r for r in everyone if r[2 if len(r) > 4 else 1] in vouched]


def test_pack_line_deterministic(tmp_path: Path) -> None:
    a = make_store(tmp_path / "a.db")
    a.add_span("art", "bob", "claim", 4, 37)
    a.add_span("art", "ana", "claim", 4, 37)
    docs = list(a.export_docs())
    assert pack_line(docs[0]) == pack_line(list(a.export_docs())[0])
    anns = [s["annotator"] for s in json.loads(pack_line(docs[0]))["spans"]]
    assert anns == ["ana", "bob"]


def test_merge_statuses_in_bulk_keep_per_item_rules(tmp_path: Path) -> None:
    """A line's statuses are read and written per article in bulk: the rules stay per item
    (a later item of the same annotator is weighed against the earlier one's result; each
    change is one event whose before is what it replaced)."""
    b = make_store(tmp_path / "b.db")
    b.set_status("art", "bob", "in_progress")
    stored_at = b.conn.execute("SELECT updated_at FROM statuses WHERE annotator = 'bob'").fetchone()[0]
    older = "2020-01-01T00:00:00.000000Z"
    soon2 = format_timestamp(utc_now() + timedelta(hours=2))
    art = Article(id="art", text=TEXT, title="Bridge")
    ann = {"statuses": [
        {"annotator": "ana", "status": "in_progress", "updated_at": SOON},
        {"annotator": "ana", "status": "done", "updated_at": soon2},   # newer: replaces the first
        {"annotator": "ana", "status": "todo", "updated_at": SOON},    # older than that: unchanged
        {"annotator": "bob", "status": "done", "updated_at": older},   # older than ours: unchanged
        {"annotator": "bob", "status": "nonsense", "updated_at": SOON},  # malformed
    ]}
    report = b.merge_docs([(art, ann, "p.jsonl")], trust=TEAM)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (1, 1, 2, 1)
    assert b.conn.execute("SELECT annotator, status, updated_at FROM statuses ORDER BY annotator"
                          ).fetchall() == [("ana", "done", soon2), ("bob", "in_progress", stored_at)]
    logged = [(json.loads(bf) if bf else None, json.loads(af)) for bf, af in b.conn.execute(
        "SELECT before, after FROM events WHERE action = 'status.merge' ORDER BY id")]
    assert [(x and x["status"], y["status"]) for x, y in logged] == [(None, "in_progress"),
                                                                      ("in_progress", "done")]
