"""The ``span:`` matches, snippets and list rows read by the quick paths (benchmarks' list filter).

``span:`` items of words read only the spans FTS5 finds (one highlighted
query); items with substrings, or hits holding U+E000, take the path over every
live span.  These pin the exact ids, order, match offsets, snippets and counts
on a small store: deleted spans, other annotators' spans, labels, notes,
forged markers, FTS5 syntax in the words, no hits; and the caches of the
parser and the compiled SQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.model import Article
from annotations.search import Match, QueryError, parse
from annotations.store import Store
from annotations.store.search import compile_query

T1 = "The embassy said the embassy report was false. Officials at the embassy agreed."
T2 = "A ferry report. The embassy (of Ruritania) AND its staff said nothing."
T3 = "Nothing to see here about embassies or anything."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "s.db")
    s.import_articles([Article(id="b1", title="One", text=T1),
                       Article(id="b2", title="Two", text=T2),
                       Article(id="b3", title="Three", text=T3)])
    yield s
    s.close()


def tag(store: Store, aid: str, who: str, label: str, quote: str, nth: int = 0, **kw: object):
    text = store.get_article(aid).text  # type: ignore[union-attr]
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return store.add_span(aid, who, label, start, start + len(quote), **kw)  # type: ignore[arg-type]


def at(text: str, quote: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return start


def test_span_matches_pin_offsets_across_annotators_labels_notes_and_tombstones(
        store: Store) -> None:
    s1 = tag(store, "b1", "ana", "denial", "the embassy report was false")
    s2 = tag(store, "b1", "bob", "claim", "Officials at the embassy agreed")
    s3 = tag(store, "b2", "bob", "context", "A ferry report", note="the embassy staff, see note")
    gone = tag(store, "b3", "ana", "claim", "Nothing to see here")
    store.update_span(gone.id, "ana", note="embassy")
    store.delete_span(gone.id, "ana")
    e1 = at(T1, "embassy", 1)
    e2 = at(T1, "embassy", 2)
    assert store.search("span:embassy", "ana").ids == ["b1", "b2"]
    assert store.search_matches("span:embassy", "b1") == [
        Match("text", e1, e1 + 7, s1.id), Match("text", e2, e2 + 7, s2.id)]
    assert store.search_matches("span:embassy", "b2") == [Match("note", 4, 11, s3.id)]
    assert store.search_matches("span:embassy", "b3") == []  # only a deleted span there
    assert store.search_matches("span:denial:embassy", "b1") == [Match("text", e1, e1 + 7, s1.id)]
    assert store.search_matches("span:Claim:embassy", "b1") == [Match("text", e2, e2 + 7, s2.id)]
    assert store.search_matches("span:context:embassy", "b1") == []
    assert store.search_matches("span:emb*", "b2") == [Match("note", 4, 11, s3.id)]
    page, snips = store.search_page("span:embassy", "ana", 15, width=30)
    assert page.ids == ["b1", "b2"] and page.total == 2
    # around the first span match (the second "embassy"; the first is in no span)
    assert snips["b1"].field == "text" and snips["b1"].text == "The embassy said the embassy r"
    assert snips["b1"].marks == ((21, 28),)
    assert snips["b2"].field == "note" and snips["b2"].text == "the embassy staff, see note"
    assert snips["b2"].marks == ((4, 11),)
    assert store.search_snippets("span:embassy", page.ids, 30) == snips
    # no hits: an empty page, no snippets
    assert store.search_page("span:nowhere", "ana", 15) == (store.search("span:nowhere", "ana"),
                                                          {})
    assert store.search("span:nowhere", "ana").ids == []


def test_a_span_that_no_longer_sits_at_its_offsets_gives_no_text_match(store: Store) -> None:
    s1 = tag(store, "b1", "ana", "claim", "the embassy report was false")
    store.conn.execute("UPDATE spans SET start = start + 1, \"end\" = \"end\" + 1 WHERE id = ?",
                       (s1.id,))
    assert store.search("span:embassy", "ana").ids == ["b1"]
    assert store.search_matches("span:embassy", "b1") == []
    page, snips = store.search_page("span:embassy", "ana", 15, width=20)
    assert snips["b1"].marks == () and snips["b1"].text == T1[:20]


def test_markers_in_a_span_fall_back_to_markers_of_their_own(store: Store) -> None:
    s = tag(store, "b2", "ana", "claim", "A ferry report",
            note="x \ue000\ue001 embassy \ue000\ue002 \ue000\ue000\ue001 y")
    note = "x \ue000\ue001 embassy \ue000\ue002 \ue000\ue000\ue001 y"
    start = note.index("embassy")
    assert store.search_matches("span:embassy", "b2") == [
        Match("note", start, start + 7, s.id)]
    snips = store.search_page("span:embassy", "ana", 15, width=60)[1]
    assert snips["b2"].text == note and snips["b2"].marks == ((start, start + 7),)


@pytest.mark.parametrize("query", [
    'span:"(of Ruritania) AND its"', 'span:"embassy OR"', 'span:"embassy*"', 'span:"NEAR(a b)"',
    'span:"col : embassy"', "span:embassy's", "span:embassy+staff", "span:^embassy",
])
def test_fts_syntax_in_span_words_is_words(store: Store, query: str) -> None:
    tag(store, "b2", "ana", "claim", "The embassy (of Ruritania) AND its staff")
    every = store.search(query, "ana")  # never an FTS5 syntax error
    page, snips = store.search_page(query, "ana", 15)
    assert page.ids == every.ids
    assert set(snips) == set(page.ids)
    for aid in page.ids:
        for m in store.search_matches(query, aid):
            assert m.field == "text" and T2[m.start:m.end].casefold() in query.casefold()


def test_phrase_in_a_span(store: Store) -> None:
    s = tag(store, "b2", "ana", "claim", "The embassy (of Ruritania) AND its staff")
    start = at(T2, "Ruritania")
    assert store.search('span:"of Ruritania and its"', "ana").ids == ["b2"]
    # FTS5's highlight() marks a phrase as one range, across the ") "
    assert store.search_matches('span:"ruritania AND"', "b2") == [
        Match("text", start, start + 14, s.id)]


def test_list_articles_counts_pin_rows(store: Store) -> None:
    tag(store, "b1", "ana", "claim", "embassy")  # tagging makes it in_progress
    tag(store, "b1", "ana", "claim", "embassy", 1)
    tag(store, "b1", "ana", "denial", "Officials")
    tag(store, "b1", "bob", "denial", "report")  # another annotator's: not counted
    gone = tag(store, "b2", "ana", "claim", "ferry")
    store.delete_span(gone.id, "ana")             # deleted: not counted
    store.set_status("b2", "ana", "done")
    rows = store.list_articles("ana", fulltext="embassy")
    assert [(r.id, r.status, r.counts) for r in rows] == [
        ("b1", "in_progress", {"claim": 2, "denial": 1}), ("b2", "done", {})]
    assert rows[0].counts is not rows[1].counts
    assert store.list_articles("ana", fulltext="nowhere") == []
    assert [r.id for r in store.list_articles("ana", fulltext="embassy", label="claim")] == ["b1"]


def test_parse_and_compile_caches_return_equal_independent_results() -> None:
    assert parse("has:denial span:embassy") is parse("has:denial span:embassy")
    assert parse("emb", typing=True) != parse("emb")  # typing is part of the key
    for _ in range(2):  # an error is raised every time, never cached as a result
        with pytest.raises(QueryError):
            parse('span:"open')
    q = parse("has:denial span:embassy is:todo")
    sql, params, ranked = compile_query(q, "ana")
    params.append("junk")  # the caller's copy
    assert compile_query(q, "ana") == (sql, params[:-1], ranked)
    assert compile_query(q, "bob")[1] != params[:-1]  # the annotator is part of the key


def test_titles_in_one_query(store: Store) -> None:
    assert store.titles(["b2", "nope", "b1", "b2"]) == {"b2": "Two", "b1": "One"}
    assert store.titles([]) == {}
    many = [f"x{i}" for i in range(1200)] + ["b3"]  # more ids than one IN (...) takes
    assert store.titles(many) == {"b3": "Three"}
