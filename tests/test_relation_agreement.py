"""Relation F1 per pair of annotators, hand-computed; in the CLI's table and --json, gold
left out unless asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.agreement import compute_agreement, relation_exact_f1, relation_overlap_f1
from annotations.model import Article, Relation, Span
from annotations.store import Store
from tests.test_trust import run

TEXT = "x" * 60


def sp(who: str, sid: str, label: str, start: int, end: int, anchor: str = "ok") -> Span:
    return Span(id=sid, article_id="a", annotator=who, label=label, start=start, end=end,
                text=TEXT[start:end], anchor=anchor)  # type: ignore[arg-type]


def rel(who: str, rid: str, label: str, a: str, b: str) -> Relation:
    return Relation(id=rid, article_id="a", annotator=who, label=label, from_span=a, to_span=b)


def data() -> tuple[list[Span], list[Relation]]:
    spans = [
        sp("ana", "ac", "claim", 0, 10), sp("ana", "ad", "denial", 20, 30),
        sp("ana", "ax", "context", 40, 50),
        # bob: the same claim and context, his denial one character shorter
        sp("bob", "bc", "claim", 0, 10), sp("bob", "bd", "denial", 21, 30),
        sp("bob", "bx", "context", 40, 50),
        # carol: exactly ana's
        sp("carol", "cc", "claim", 0, 10), sp("carol", "cd", "denial", 20, 30),
        sp("carol", "cx", "context", 40, 50),
    ]
    relations = [
        rel("ana", "r1", "rebuts", "ad", "ac"), rel("ana", "r2", "supports", "ax", "ac"),
        rel("bob", "r3", "rebuts", "bd", "bc"), rel("bob", "r4", "qualifies", "bx", "bc"),
        rel("carol", "r5", "rebuts", "cd", "cc"), rel("carol", "r6", "supports", "cx", "cc"),
    ]
    return spans, relations


def test_relation_f1_hand_computed() -> None:
    spans, relations = data()
    report = compute_agreement({"a": TEXT}, spans, relations=relations)
    pairs = {(p.a, p.b): p for p in report.pairs}
    ab = pairs[("ana", "bob")]
    # exact: ana (rebuts 20-30 -> 0-10, supports 40-50 -> 0-10), bob (rebuts 21-30 -> 0-10,
    # qualifies 40-50 -> 0-10): no key in common, 2 x 0 / (2 + 2) = 0.
    assert (ab.relations_a, ab.relations_b, ab.relation_exact_f1) == (2, 2, 0.0)
    # overlap: ana's rebuts touches bob's (20-30 / 21-30 share characters, same claim), her
    # supports has no supports of bob's: R = 1/2; bob's rebuts touches hers, his qualifies
    # nothing: P = 1/2.  F1 = 2 * 1/2 * 1/2 / (1/2 + 1/2) = 0.5.
    assert ab.relation_overlap_f1 == 0.5
    ac = pairs[("ana", "carol")]
    assert (ac.relation_exact_f1, ac.relation_overlap_f1) == (1.0, 1.0)
    bc = pairs[("bob", "carol")]
    assert (bc.relation_exact_f1, bc.relation_overlap_f1) == (0.0, 0.5)


def test_direction_orphans_and_deleted_relations() -> None:
    spans, _ = data()
    a_links = [rel("ana", "r1", "rebuts", "ad", "ac")]
    # the same two places linked the other way round: another link
    b_links = [rel("bob", "r3", "rebuts", "bc", "bd")]
    a_keys = [("a", "rebuts", 20, 30, 0, 10)]
    b_keys = [("a", "rebuts", 0, 10, 21, 30)]
    assert (relation_exact_f1(a_keys, b_keys), relation_overlap_f1(a_keys, b_keys)) == (0.0,
                                                                                     0.0)
    report = compute_agreement({"a": TEXT}, spans, relations=a_links + b_links)
    assert report.pairs[0].relation_overlap_f1 == 0.0
    # An orphaned end, or a deleted relation, is not compared; nothing to compare is None.
    orphan = [s if s.id != "bd" else sp("bob", "bd", "denial", 21, 30, "orphaned")
              for s in spans]
    gone = rel("ana", "r9", "supports", "ax", "ac")
    gone.deleted_at = "2025-01-01T00:00:00.000000Z"
    report = compute_agreement({"a": TEXT}, orphan, relations=[
        *a_links, rel("bob", "r3", "rebuts", "bd", "bc"), gone])
    pair = next(p for p in report.pairs if (p.a, p.b) == ("ana", "bob"))
    assert (pair.relations_a, pair.relations_b) == (1, 0)
    assert pair.relation_exact_f1 == 0.0 and pair.relation_overlap_f1 is None
    empty = compute_agreement({"a": TEXT}, spans)
    assert empty.pairs[0].relation_exact_f1 is None
    # The label filter keeps a relation only with both of its spans.
    only = compute_agreement({"a": TEXT}, spans, relations=data()[1], labels=["claim", "denial"])
    ab = next(p for p in only.pairs if (p.a, p.b) == ("ana", "bob"))
    assert (ab.relations_a, ab.relations_b) == (1, 1) and ab.relation_overlap_f1 == 1.0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    text = "The firm paid twice, the report says. The firm denied it."
    path = tmp_path / "a.db"
    s = Store.open(path)
    s.import_articles([Article(id="a", text=text)])
    for who in ("ana", "bob"):
        c = s.add_span("a", who, "claim", 0, 19)
        d = s.add_span("a", who, "denial", 38, 57 if who == "ana" else 52)
        r = s.add_relation("a", who, "rebuts", d.id, c.id)
    s.accept_relation_into_gold(r.id, "rita")
    s.close()
    return path


def test_cli_table_and_json_report_relation_f1_and_leave_gold_out(db: Path) -> None:
    out = json.loads(run("agreement", "--db", str(db), "--json").output)
    assert out["annotators"] == ["ana", "bob"]
    pair = out["pairs"][0]
    assert (pair["relations_a"], pair["relations_b"]) == (1, 1)
    assert (pair["relation_exact_f1"], pair["relation_overlap_f1"]) == (0.0, 1.0)
    table = run("agreement", "--db", str(db)).output
    head, row = table.splitlines()[:2]
    assert head.rstrip().endswith("token kappa  relation F1  rel. overlap F1")
    assert row.split()[-2:] == ["0.000", "1.000"]
    gold = json.loads(run("agreement", "--db", str(db), "--json", "--include-gold").output)
    assert gold["annotators"] == ["ana", "bob", "gold"]
    bob_gold = next(p for p in gold["pairs"] if (p["a"], p["b"]) == ("bob", "gold"))
    assert bob_gold["relation_exact_f1"] == 1.0  # gold copied bob's link
