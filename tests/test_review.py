"""Review core: classifying disagreements and writing the gold set."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import review
from annotations.model import GOLD, Article
from annotations.store import Store

TEXT = "Alpha said the plan failed. Beta denied that. Gamma gave context. Delta added more."
#        0         1         2         3         4         5         6         7


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "r.db")
    s.import_articles([Article(id="a", text=TEXT)])
    # agreement: both tag "Alpha said the plan failed." as claim
    s.add_span("a", "ana", "claim", 0, 27)
    s.add_span("a", "bob", "claim", 0, 27)
    # label conflict on "Beta denied that."
    s.add_span("a", "ana", "denial", 28, 45)
    s.add_span("a", "bob", "context", 28, 45)
    # boundary difference on "Gamma gave context"
    s.add_span("a", "ana", "context", 46, 64)
    s.add_span("a", "bob", "context", 46, 51)
    # only one person
    s.add_span("a", "bob", "claim", 66, 83)
    return s


def test_classify_four_kinds(store: Store) -> None:
    rv = review.review_article(store, "a", "rita", ["ana", "bob"])
    kinds = [(i.span.annotator, i.span.start, i.kind) for i in rv.items]
    assert kinds == [
        ("ana", 0, "agree"), ("bob", 0, "agree"),
        ("bob", 28, "label"), ("ana", 28, "label"),  # sorted by label: context < denial
        ("bob", 46, "boundary"), ("ana", 46, "boundary"),  # shorter end first
        ("bob", 66, "single"),
    ]
    assert rv.counts() == {"agree": 2, "label": 2, "boundary": 2, "single": 1}
    assert len(rv.disagreements) == 5
    pair = rv.agreement.pairs[0]
    assert pair.exact_f1 == pytest.approx(2 * 1 / (3 + 4))


def test_accept_reject_and_accept_agreed(store: Store) -> None:
    rv = review.review_article(store, "a", "rita", ["ana", "bob"])
    conflict = rv.disagreements[1].span  # ana's denial
    g = review.accept(store, conflict.id, "rita")
    assert g.annotator == GOLD and (g.start, g.end, g.label) == (28, 45, "denial")
    assert g.attributes == {"source_span": conflict.id, "source_annotator": "ana",
                            "reviewer": "rita"}
    other = rv.disagreements[0].span  # bob's context
    review.reject(store, other.id, "rita")
    agreed = review.accept_agreed(store, "a", "rita", ["ana", "bob"])
    assert [(s.start, s.end, s.label) for s in agreed] == [(0, 27, "claim")]
    gold = store.spans("a", GOLD)
    assert sorted((s.start, s.label) for s in gold) == [(0, "claim"), (28, "denial")]
    decisions = {(r["span_id"], r["decision"]) for r in store.reviews("a")}
    assert (other.id, "reject") in decisions and (conflict.id, "accept") in decisions
    rv2 = review.review_article(store, "a", "rita", ["ana", "bob"])
    assert rv2.decided == 2
    assert review.review_progress(store, "rita", ["ana", "bob"]) == {"a": (2, 5)}
    # the reviewer's gold edits are undoable as the reviewer's own actions
    store.undo("rita")
    assert len(store.spans("a", GOLD)) == 1
    # nobody's own spans changed
    assert len(store.spans("a", "ana")) == 3 and len(store.spans("a", "bob")) == 4


def test_undo_and_redo_of_decisions(store: Store) -> None:
    rv = review.review_article(store, "a", "rita", ["ana", "bob"])
    bob_context, ana_denial = (i.span for i in rv.disagreements[:2])
    review.accept(store, ana_denial.id, "rita")
    review.reject(store, bob_context.id, "rita")

    def decisions() -> dict[str, str | None]:
        items = review.review_article(store, "a", "rita", ["ana", "bob"]).items
        return {i.span.id: i.decision for i in items if i.decision}

    assert decisions() == {ana_denial.id: "accept", bob_context.id: "reject"}
    store.undo("rita")  # the rejection: withdrawn, the table only grows
    assert decisions() == {ana_denial.id: "accept"}
    assert [r["decision"] for r in store.reviews("a")] == ["accept", "reject", "withdrawn"]
    store.undo("rita")  # the gold copy: the acceptance no longer stands
    assert decisions() == {} and store.spans("a", GOLD) == []
    store.redo("rita")
    store.redo("rita")
    assert decisions() == {ana_denial.id: "accept", bob_context.id: "reject"}
    assert review.article_progress(store, "a", "rita", ["ana", "bob"]) == (2, 5)
    # deleting the gold copy by hand also makes the span undecided again
    (gold,) = store.spans("a", GOLD)
    store.delete_span(gold.id, GOLD, actor="rita")
    assert decisions() == {bob_context.id: "reject"}


def test_accept_agreed_twice_adds_nothing(store: Store) -> None:
    first = review.accept_agreed(store, "a", "rita", ["ana", "bob"])
    assert [(s.start, s.end, s.label) for s in first] == [(0, 27, "claim")]
    items = review.review_article(store, "a", "rita", ["ana", "bob"]).items
    assert [i.decision for i in items if i.kind == "agree"] == ["accept", "accept"]
    assert review.accept_agreed(store, "a", "rita", ["ana", "bob"]) == []
    assert len(store.spans("a", GOLD)) == 1
    assert sum(r["decision"] == "accept" for r in store.reviews("a")) == 2


def test_default_against_queue_and_progress(store: Store) -> None:
    store.import_articles([Article(id="b", text="Nothing tagged here."),
                           Article(id="c", text="Only cy tagged this one.")])
    store.add_span("c", "cy", "claim", 0, 4)
    review.accept(store, store.spans("a", "bob")[0].id, "rita")  # rita writes gold only
    assert review.default_against(store, "rita") == ["ana", "bob", "cy"]
    assert review.default_against(store, "ana") == ["bob", "cy"]
    assert review.review_queue(store, ["ana", "bob"]) == ["a"]
    assert review.review_queue(store, ["ana", "cy", GOLD]) == ["a", "c"]
    assert store.articles_with_spans([]) == set()
    assert review.article_progress(store, "b", "rita", ["ana", "bob"]) is None
    assert review.article_progress(store, "c", "rita", ["cy"]) == (0, 1)  # alone: single
    assert review.review_progress(store, "rita", ["ana", "cy"]) == {"a": (0, 3), "c": (0, 1)}
