"""Relations in the core: the schema in the labels YAML, links checked in the store,
deletion with a span, undo / redo across a restart, orphaned ends, gold acceptance."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.labels import DEFAULT_LABELS, LabelError, load_labels
from annotations.model import GOLD, Article
from annotations.relation_types import (
    DEFAULT_RELATION_TYPES,
    LabelList,
    fitting,
    refusal,
    relation_types_of,
)
from annotations.store import Store, StoreError

TEXT = ("A confidential report says the ministry paid the firm twice. "
        "The ministry denied it on Monday. Audits began in 2019.")
TYPES = DEFAULT_RELATION_TYPES


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "r.db")
    s.import_articles([Article(id="art", text=TEXT, title="Report")])
    return s


def tag(store: Store, label: str, needle: str, who: str = "ana"):  # type: ignore[no-untyped-def]
    return store.add_span("art", who, label, *at(needle))


def rows(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT annotator, label, from_span, to_span, deleted_at IS NOT NULL FROM relations "
        "ORDER BY created_at, id").fetchall()


# ------------------------------------------------------------------ the schema (YAML)
def test_default_relation_types_fit_the_default_labels() -> None:
    assert [t.name for t in relation_types_of(DEFAULT_LABELS)] == ["rebuts", "supports",
                                                                   "qualifies"]
    assert [t.name for t in fitting(TYPES, "denial", "claim")] == ["rebuts"]
    assert [t.name for t in fitting(TYPES, "context", "claim")] == ["supports", "qualifies"]
    assert fitting(TYPES, "claim", "denial") == []
    assert refusal(TYPES, "rebuts", "context", "claim") == (
        "rebuts links denial -> claim, not context -> claim")
    assert refusal(TYPES, "rebuts", "denial", "claim") is None


def test_relations_yaml_is_read_with_the_labels(tmp_path: Path) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(
        "labels:\n"
        "  - {name: claim, key: c, color: '#E69F00'}\n"
        "  - {name: denial, key: d, color: '#56B4E9'}\n"
        "  - {name: context, key: x, color: '#009E73'}\n"
        "relations:\n"
        "  - {name: rebuts, key: r, from: [denial], to: [claim], "
        "description: The denial answers this claim}\n"
        "  - {name: supports, key: s, from: [context], to: [claim]}\n"
        "  - {name: qualifies, key: q, from: [context], to: [claim, denial], color: '#123456',"
        " inverse: qualified by}\n", encoding="utf-8")
    labels = load_labels(f)
    assert isinstance(labels, LabelList) and [lb.name for lb in labels] == [
        "claim", "denial", "context"]
    types = relation_types_of(labels)
    assert [(t.name, t.key, t.from_labels, t.to_labels) for t in types] == [
        ("rebuts", "r", ("denial",), ("claim",)), ("supports", "s", ("context",), ("claim",)),
        ("qualifies", "q", ("context",), ("claim", "denial"))]
    assert types[0].description == "The denial answers this claim"
    assert types[2].color == "#123456" and types[2].inverse == "qualified by"


def test_relations_alone_use_the_default_labels_and_an_empty_list_turns_them_off(
        tmp_path: Path) -> None:
    (tmp_path / "stancemark.yaml").write_text(
        "relations:\n  - {name: answers, key: a, from: denial, to: claim}\n", encoding="utf-8")
    labels = load_labels(cwd=tmp_path)
    assert [lb.name for lb in labels] == ["claim", "denial", "context"]
    assert [t.name for t in relation_types_of(labels)] == ["answers"]
    f = tmp_path / "off.yaml"
    f.write_text("labels:\n  - {name: claim, color: '#112233'}\nrelations: []\n",
                 encoding="utf-8")
    assert relation_types_of(load_labels(f)) == ()


def test_custom_labels_keep_only_the_default_relations_that_fit(tmp_path: Path) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text("labels:\n  - {name: claim, color: '#112233'}\n"
                 "  - {name: denial, color: '#112244'}\n", encoding="utf-8")
    assert [t.name for t in relation_types_of(load_labels(f))] == ["rebuts"]


LABELS = "labels:\n  - {name: claim, key: c, color: '#112233'}\n" \
         "  - {name: denial, key: d, color: '#112244'}\n"


@pytest.mark.parametrize(
    ("relations", "problem"),
    [
        ("  - {name: rebuts, from: [denail], to: [claim]}\n",
         "relation 'rebuts': 'from' names 'denail', which is not a label (labels: claim, "
         "denial)"),
        ("  - {name: rebuts, to: [opinion]}\n",
         "relation 'rebuts': 'to' names 'opinion', which is not a label"),
        ("  - {name: rebuts, key: r}\n  - {name: rejects, key: r}\n",
         "relation 'rejects': key 'r' is used twice (also by 'rebuts')"),
        ("  - {name: rebuts}\n  - {name: rebuts}\n", "duplicate relation name 'rebuts'"),
        ("  - {name: rebuts, key: j}\n", "key 'j' moves the cursor"),
        ("  - {name: rebuts, key: rr}\n", "'key' must be a single character"),
        ("  - {name: rebuts, key: 7}\n", "'key' must be a single character (got 7)"),
        ("  - {name: rebuts, key: [r]}\n", "'key' must be a single character"),
        ("  - {name: rebuts, key: ','}\n", "key ',' cannot be bound"),
        ("  - {name: rebuts, colour: '#112233'}\n",
         "relation 'rebuts': unknown key 'colour' (did you mean 'color'?)"),
        ("  - {key: r}\n", "relation #1 needs a non-empty 'name'"),
        ("  - {name: rebuts, color: red}\n", "'color' must look like"),
        ("  rebuts\n", "'relations' must be a list"),
    ],
)
def test_invalid_relation_schemas_stop_with_one_line(tmp_path: Path, relations: str,
                                                     problem: str) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(LABELS + "relations:\n" + relations, encoding="utf-8")
    with pytest.raises(LabelError) as e:
        load_labels(f)
    message = str(e.value)
    assert message.startswith(f"{f}: ") and problem in message and "\n" not in message


def test_the_link_key_is_reserved_for_labels(tmp_path: Path) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text("labels:\n  - {name: claim, key: '>', color: '#112233'}\n", encoding="utf-8")
    with pytest.raises(LabelError, match="reserved"):
        load_labels(f)


# ------------------------------------------------------------------ links in the store
def test_a_link_is_stored_and_a_link_the_types_refuse_is_not(store: Store) -> None:
    claim = tag(store, "claim", "the ministry paid the firm twice")
    denial = tag(store, "denial", "The ministry denied it")
    context = tag(store, "context", "Audits began in 2019.")
    rel = store.add_relation("art", "ana", "rebuts", denial.id, claim.id, types=TYPES)
    assert rows(store) == [("ana", "rebuts", denial.id, claim.id, 0)]
    assert store.events("ana", 1)[0].action == "relation.add"
    for label, a, b, why in [
        ("rebuts", context.id, claim.id, "link refused: rebuts links denial -> claim, not "
                                         "context -> claim"),
        ("supports", claim.id, denial.id, "link refused: supports links context -> claim"),
        ("nope", denial.id, claim.id, "no relation type 'nope'"),
        ("rebuts", denial.id, claim.id, "already linked"),
        ("rebuts", denial.id, denial.id, "cannot be linked to itself"),
    ]:
        with pytest.raises(StoreError, match=why):
            store.add_relation("art", "ana", label, a, b, types=TYPES)
    assert rows(store) == [("ana", "rebuts", denial.id, claim.id, 0)]  # nothing more stored
    # Only one's own live spans can be linked.
    theirs = tag(store, "claim", "Audits began", who="bob")
    with pytest.raises(StoreError, match="belongs to 'bob'"):
        store.add_relation("art", "ana", "rebuts", denial.id, theirs.id, types=TYPES)
    assert store.get_relation(rel.id) == rel


def test_deleting_a_relation_and_undo_redo_across_a_restart(tmp_path: Path,
                                                            store: Store) -> None:
    claim = tag(store, "claim", "the ministry paid the firm twice")
    denial = tag(store, "denial", "The ministry denied it")
    rel = store.add_relation("art", "ana", "rebuts", denial.id, claim.id, types=TYPES)
    store.delete_relation(rel.id, "ana")
    assert store.relations("art") == [] and rows(store)[0][4] == 1
    with pytest.raises(StoreError, match="belongs to 'ana'"):
        store.delete_relation(rel.id, "bob")
    store.close()
    again = Store.open(tmp_path / "r.db")
    ev = again.undo("ana")
    assert ev is not None and ev.action == "relation.delete"
    assert [r.id for r in again.relations("art")] == [rel.id]
    ev = again.undo("ana")
    assert ev is not None and ev.action == "relation.add" and again.relations("art") == []
    again.close()
    third = Store.open(tmp_path / "r.db")
    assert third.redo("ana") is not None and [r.id for r in third.relations("art")] == [rel.id]
    third.close()


def test_deleting_a_span_tombstones_its_relations_and_one_undo_brings_both_back(
        tmp_path: Path, store: Store) -> None:
    claim = tag(store, "claim", "the ministry paid the firm twice")
    denial = tag(store, "denial", "The ministry denied it")
    context = tag(store, "context", "Audits began in 2019.")
    r1 = store.add_relation("art", "ana", "rebuts", denial.id, claim.id, types=TYPES)
    r2 = store.add_relation("art", "ana", "supports", context.id, claim.id, types=TYPES)
    store.delete_span(claim.id, "ana")
    assert {s.id for s in store.spans("art", "ana")} == {denial.id, context.id}
    assert store.relations("art") == []
    assert {r[2:] for r in rows(store)} == {(denial.id, claim.id, 1), (context.id, claim.id, 1)}
    store.close()
    again = Store.open(tmp_path / "r.db")  # after a restart: one undo, both back
    ev = again.undo("ana")
    assert ev is not None and ev.action == "span.delete" and ev.group_size == 3
    assert again.get_span(claim.id).deleted_at is None
    assert {r.id for r in again.relations("art")} == {r1.id, r2.id}
    ev = again.redo("ana")
    assert ev is not None and ev.group_size == 3
    assert again.relations("art") == [] and again.get_span(claim.id).deleted_at is not None
    again.undo("ana")
    # The next undo is the action before: the supports link alone.
    ev = again.undo("ana")
    assert ev is not None and ev.action == "relation.add" and ev.group_size == 1
    assert [r.id for r in again.relations("art")] == [r1.id]
    again.close()


def test_a_relation_whose_span_is_orphaned_stays(store: Store) -> None:
    claim = tag(store, "claim", "the ministry paid the firm twice")
    denial = tag(store, "denial", "The ministry denied it")
    rel = store.add_relation("art", "ana", "rebuts", denial.id, claim.id, types=TYPES)
    changed = TEXT.replace("the ministry paid the firm twice", "an agency erred")
    store.import_articles([Article(id="art", text=changed, title="Report")])
    assert store.get_span(claim.id).anchor == "orphaned"
    assert [r.id for r in store.relations("art")] == [rel.id]  # flagged by readers, kept
    # Exports leave it out with its orphaned end (and count the span).
    counters: dict[str, int] = {}
    doc = next(store.export_docs(counters=counters))
    assert doc.relations == [] and counters["orphaned"] == 1


def test_accepting_a_relation_brings_its_spans_into_gold_as_one_undo(store: Store) -> None:
    claim = tag(store, "claim", "the ministry paid the firm twice", who="bob")
    denial = tag(store, "denial", "The ministry denied it", who="bob")
    rel = store.add_relation("art", "bob", "rebuts", denial.id, claim.id, types=TYPES)
    store.accept_into_gold(claim.id, "rita")  # gold already holds the claim
    gold = store.accept_relation_into_gold(rel.id, "rita", types=TYPES)
    gold_spans = {s.id: s for s in store.spans("art", GOLD)}
    assert set(gold_spans) == {gold.from_span, gold.to_span}
    assert (gold_spans[gold.from_span].text, gold_spans[gold.to_span].text) == (
        denial.text, claim.text)
    assert (gold.annotator, gold.label) == (GOLD, "rebuts")
    decided = {(r["span_id"], r["decision"]) for r in store.reviews("art")}
    assert {(rel.id, "accept"), (denial.id, "accept"), (claim.id, "accept")} <= decided
    # Accepting again changes nothing.
    assert store.accept_relation_into_gold(rel.id, "rita", types=TYPES).id == gold.id
    assert len(store.relations("art", GOLD)) == 1
    # One undo takes back the relation and the denial it copied (not the claim, accepted
    # before by its own action).
    ev = store.undo("rita")
    assert ev is not None and ev.action == "relation.add" and ev.group_size == 2
    assert store.relations("art", GOLD) == []
    assert [s.text for s in store.spans("art", GOLD)] == [claim.text]
