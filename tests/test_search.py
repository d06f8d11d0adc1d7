"""The search query language (annotations.search) and the store running it (issue 17).

Parser: every qualifier, combinations, the errors (one line each).  Matching:
diacritics, CJK (three characters and more, and fewer), phrases, prefixes,
span qualifiers across annotators, tombstones, exclusion and OR, offsets
that give back the match, snippets, and the indexes kept by every writer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.model import Article
from annotations.search import (
    NO_SPACE,
    AnnotatorItem,
    DateItem,
    Item,
    LabelItem,
    QueryError,
    SourceItem,
    SpanItem,
    StatusItem,
    Term,
    TextItem,
    find_all,
    holds_no_space,
    marked_ranges,
    markers_for,
    parse,
    snippet,
)
from annotations.store import Store
from annotations.trust import Trust

# ------------------------------------------------------------------ parsing


def atoms(text: str, **kw: bool) -> list[list[object]]:
    return [[(it.atom, it.negated) for it in group] for group in parse(text, **kw).groups]


def test_words_phrases_and_prefixes() -> None:
    assert atoms('embassy "fuel surcharge" emb* "fuel sur"*') == [
        [(TextItem(Term("embassy")), False)],
        [(TextItem(Term("fuel surcharge", phrase=True)), False)],
        [(TextItem(Term("emb", prefix=True)), False)],
        [(TextItem(Term("fuel sur", phrase=True, prefix=True)), False)],
    ]


def test_or_binds_tighter_than_and_and_exclusion() -> None:
    assert atoms("a OR b c -d NOT e AND f") == [
        [(TextItem(Term("a")), False), (TextItem(Term("b")), False)],
        [(TextItem(Term("c")), False)],
        [(TextItem(Term("d")), True)],
        [(TextItem(Term("e")), True)],
        [(TextItem(Term("f")), False)],
    ]
    # lower-case or / and / not are words
    assert atoms("war or peace") == [[(TextItem(Term(w)), False)] for w in ("war", "or", "peace")]
    # qualifiers may be joined with OR too
    assert atoms("is:done OR has:claim") == [
        [(StatusItem(("done",)), False), (LabelItem(("claim",)), False)]]


def test_every_qualifier() -> None:
    assert atoms("is:todo is:progress|done IS:in_progress status:started") == [
        [(StatusItem(("todo",)), False)],
        [(StatusItem(("in_progress", "done")), False)],
        [(StatusItem(("in_progress",)), False)],
        [(StatusItem(("in_progress",)), False)],
    ]
    assert atoms("has:denial has:claim,context label:x") == [
        [(LabelItem(("denial",)), False)], [(LabelItem(("claim", "context")), False)],
        [(LabelItem(("x",)), False)]]
    assert atoms('by:ana by:"Ana Lima"') == [
        [(AnnotatorItem(("ana",)), False)], [(AnnotatorItem(("Ana Lima",)), False)]]
    assert atoms('span:embassy span:denial:baseless span:"fuel surcharge" '
                 'span:claim:"two words"* span:emb*') == [
        [(SpanItem(Term("embassy")), False)],
        [(SpanItem(Term("baseless"), "denial"), False)],
        [(SpanItem(Term("fuel surcharge", phrase=True)), False)],
        [(SpanItem(Term("two words", phrase=True, prefix=True), "claim"), False)],
        [(SpanItem(Term("emb", prefix=True)), False)],
    ]
    assert atoms('source:reuters source:"Harbour Ledger"') == [
        [(SourceItem(Term("reuters")), False)],
        [(SourceItem(Term("Harbour Ledger", phrase=True)), False)]]
    dates = [g[0][0] for g in atoms("date:2025 date:2025-11 date:2025-02-28 "
                                    "date:2025-11-01..2025-11-30 date:2024-12.. date:..2025-01")]
    assert [(d.start, d.end) for d in dates if isinstance(d, DateItem)] == [
        ("2025", "2026"), ("2025-11", "2025-12"), ("2025-02-28", "2025-03-01"),
        ("2025-11-01", "2025-12-01"), ("2024-12", None), (None, "2025-02")]
    assert atoms("-is:done -span:x NOT by:bob") == [
        [(StatusItem(("done",)), True)], [(SpanItem(Term("x")), True)],
        [(AnnotatorItem(("bob",)), True)]]


def test_combination_and_simple_filters() -> None:
    q = parse("has:denial span:embassy is:todo")
    assert [type(it.atom) for it in q.items()] == [LabelItem, SpanItem, StatusItem]
    assert q.searches_text and q.simple_filter is None
    assert parse("is:done has:claim").simple_filter == (("done",), ("claim",))
    assert parse("is:done").simple_filter == (("done",), ())
    assert parse("is:done harbor").simple_filter is None
    assert parse("-is:done").simple_filter is None
    assert parse("").groups == () and parse("   ").simple_filter == ((), ())


def test_typing_makes_the_last_word_a_prefix() -> None:
    assert parse("embas", typing=True).groups == ((Item(TextItem(Term("embas", prefix=True))),),)
    assert parse("embas ", typing=True).groups == ((Item(TextItem(Term("embas"))),),)
    assert parse("em", typing=True).groups == ((Item(TextItem(Term("em"))),),)  # too short
    assert parse("embas", typing=False).groups == ((Item(TextItem(Term("embas"))),),)


@pytest.mark.parametrize(("query", "message"), [
    ('"unclosed', "unclosed quote"),
    ('span:"unclosed', "unclosed quote"),
    ("date:2025-13", "month 13 does not exist"),
    ("date:2025-02-30", "day is out of range"),
    ("date:25-11", "dates are YYYY"),
    ("date:2025-12..2025-01", "ends before it starts"),
    ("date:..", "at least one end"),
    ("date:", "needs a date"),
    ("is:nonsense", "is: takes todo, progress or done"),
    ("has:", "needs a value"),
    ("by:a|", "needs a value"),
    ("span:", "needs words"),
    ("span:denial:", "needs words"),
    ("source:", "needs words"),
    ("foo:bar", "unknown qualifier foo:"),
    ("a OR", "OR needs an item on each side"),
    ("OR a", "OR needs an item on each side"),
    ("a OR OR b", "one OR"),
    ("a OR -b", "cannot be part of OR"),
    ("NOT", "NOT needs an item"),
    ("NOT -a", "write NOT or - once"),
    ("(a OR b)", "parentheses"),
    ("*", "end of a word"),
    ("fo*o", "end of a word"),
    ('""', "empty phrase"),
    ("—", "no letters or digits"),
    ('"a"b', "space after the closing quote"),
    ('a"b"', "space before the quote"),
    ("-", "right before the word"),
])
def test_malformed_queries_are_one_line_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as err:
        parse(query)
    assert "\n" not in str(err.value)


def test_markers_cannot_be_forged_by_the_text() -> None:
    text = "a \ue000\ue000\ue001 b"
    o, c = markers_for(text)
    assert o not in text and c not in text
    marked = f"{o}a{c} \ue000\ue000\ue001 {o}b{c}"
    ranges = marked_ranges(marked, o, c)
    assert ranges == [(0, 1), (6, 7)] and [text[s:e] for s, e in ranges] == ["a", "b"]


def test_find_all_and_snippet() -> None:
    assert find_all("小龍與李小龍", "小龍") == [(0, 2), (4, 6)]
    text = "First paragraph here.\nThe embassy said the claim about the embassy was baseless."
    snip = snippet(text, [(26, 33), (59, 66)], width=40)
    assert snip.text.startswith("The embassy") and snip.before and snip.after
    assert [snip.text[s:e] for s, e in snip.marks][0] == "embassy"
    assert len(snip.text) == 40
    assert snippet("short", [], 40).text == "short"


# ------------------------------------------------------------------ matching

TEXT1 = ("The embassy said Zoë Castillo's claim was baseless. Fuel surcharge rose.\n\n"
         "Officials declined to comment on the embassy report.")
TEXT2 = "武打明星李小龍出生於舊金山. Councils accused the operator of a fuel surcharge."
TEXT3 = "Nothing about embassies here. ZOE\u0308 and Søren wrote it."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "s.db")
    s.import_articles([
        Article(id="a1", title="Embassy denies report", text=TEXT1, source="Reuters",
                published="2025-11-03"),
        Article(id="a2", title="Ferry fares: 李小龍 speaks", text=TEXT2,
                source="The Harbour Ledger", published="2025-12-01"),
        Article(id="a3", title="Zoe\u0308 again", text=TEXT3, source="AP",
                published="2024-01-01"),
        Article(id="a4", title="Undated", text="A plain report about ferries."),
    ])
    yield s
    s.close()


def ids(store: Store, query: str, who: str = "ana") -> list[str]:
    return store.search(query, who).ids


def tag(store: Store, aid: str, who: str, label: str, quote: str, **kw: object):
    text = store.get_article(aid).text  # type: ignore[union-attr]
    start = text.index(quote)
    return store.add_span(aid, who, label, start, start + len(quote), **kw)  # type: ignore[arg-type]


def test_case_and_diacritics_are_ignored(store: Store) -> None:
    # Zoe finds Zoë precomposed (a1) and with a combining mark (a3: title and text)
    assert sorted(ids(store, "zoe")) == ["a1", "a3"]
    assert sorted(ids(store, "ZOË")) == ["a1", "a3"]
    assert ids(store, "søren") == ["a3"]  # ø is a letter of its own: as written
    assert ids(store, "soren") == []


def test_title_hits_rank_first(store: Store) -> None:
    # a3 has "Zoë" in its title (weighted) and once in its text; a1 once in the text
    result = store.search("zoe", "ana")
    assert result.ranked and result.ids == ["a3", "a1"] and result.total == 2


def test_cjk_substrings_of_any_length(store: Store) -> None:
    assert ids(store, "李小龍") == ["a2"]      # trigram MATCH, inside a run of Han
    assert ids(store, "小龍") == ["a2"]        # two characters: instr() fallback
    assert ids(store, "龍") == ["a2"]
    assert ids(store, "舊金山 councils") == ["a2"]
    assert ids(store, "李小龍 OR embassy") == ["a1", "a2"]
    assert ids(store, "小龍 -ferry") == []
    assert ids(store, "王小明") == []


def test_phrases_prefixes_exclusion_and_or(store: Store) -> None:
    assert sorted(ids(store, '"fuel surcharge"')) == ["a1", "a2"]
    assert ids(store, '"surcharge fuel"') == []
    assert sorted(ids(store, "embass*")) == ["a1", "a3"]
    assert ids(store, "embassy") == ["a1"]  # a word, not a prefix
    assert ids(store, "fuel -zoe") == ["a2"]
    assert sorted(ids(store, "-zoe")) == ["a2", "a4"]  # every article but those
    assert sorted(ids(store, "ferries OR ferry")) == ["a2", "a4"]
    assert ids(store, "ferries OR ferry plain") == ["a4"]
    assert ids(store, "nothing at all here xyz") == []


def test_source_and_date(store: Store) -> None:
    assert ids(store, "source:harbour") == ["a2"]
    assert ids(store, 'source:"harbour ledger" fuel') == ["a2"]
    assert ids(store, "source:reuters zoe") == ["a1"]
    assert ids(store, "date:2025-11") == ["a1"]
    assert ids(store, "date:2025") == ["a1", "a2"]
    assert ids(store, "date:2025-11-03..2025-12-01") == ["a1", "a2"]
    assert ids(store, "date:2025-11-04..") == ["a2"]
    assert ids(store, "-date:2025") == ["a3", "a4"]  # no date counts as not in 2025


def test_span_qualifiers_across_annotators(store: Store) -> None:
    tag(store, "a1", "ana", "denial", "Zoë Castillo's claim was baseless",
        note="she calls it a fabrication")
    tag(store, "a2", "bob", "claim", "Councils accused the operator")
    tag(store, "a2", "bob", "context", "李小龍出生")
    gone = tag(store, "a3", "bob", "claim", "Nothing about embassies")
    store.delete_span(gone.id, "bob")
    assert ids(store, "span:castillo") == ["a1"]        # ana's span, searched by anyone
    assert ids(store, "span:councils", "ana") == ["a2"]  # bob's span
    assert ids(store, "span:fabrication") == ["a1"]     # in a note
    assert ids(store, "span:denial:baseless") == ["a1"]
    assert ids(store, "span:claim:baseless") == []
    assert ids(store, "span:Denial:baseless") == ["a1"]  # labels ignore case
    assert ids(store, 'span:"the operator"') == ["a2"]
    assert ids(store, "span:embassies") == []           # the only such span is deleted
    assert ids(store, "span:李小龍") == ["a2"] and ids(store, "span:context:小龍") == ["a2"]
    assert ids(store, "span:cast*") == ["a1"]
    assert ids(store, "embassy -span:castillo") == []
    assert ids(store, "has:denial") == ["a1"]
    assert ids(store, "has:denial", "bob") == []
    assert ids(store, "has:claim|context", "bob") == ["a2"]
    assert ids(store, "by:bob") == ["a2"]               # a3's span is deleted
    assert ids(store, "by:ana OR by:bob") == ["a1", "a2"]
    assert ids(store, "-by:bob") == ["a1", "a3", "a4"]


def test_status_and_the_combined_query(store: Store) -> None:
    tag(store, "a1", "bob", "denial", "claim was baseless")  # bob: in progress on a1
    tag(store, "a2", "bob", "denial", "accused the operator")
    store.set_status("a2", "bob", "todo")
    assert ids(store, "is:todo", "bob") == ["a2", "a3", "a4"]
    assert ids(store, "is:progress", "bob") == ["a1"]
    assert ids(store, "is:todo|done", "bob") == ["a2", "a3", "a4"]
    assert ids(store, "has:denial span:accused is:todo", "bob") == ["a2"]
    assert ids(store, "has:denial span:accused is:todo", "ana") == []
    assert ids(store, "has:denial span:baseless is:todo", "bob") == []
    assert ids(store, "-is:todo", "bob") == ["a1"]


def test_warnings_explain_an_empty_result(store: Store) -> None:
    result = store.search("by:nobody", "ana")
    assert result.ids == [] and result.warnings == ["by:nobody: nobody of that name has spans"]
    assert store.search("has:claim", "ana").warnings == ["has:claim: ana has no claim spans"]
    assert store.search("embassy", "ana").warnings == []


def test_limit_offset_and_total(store: Store) -> None:
    everything = store.search("-zzz", "ana")
    assert everything.total == 4
    page = store.search("-zzz", "ana", limit=2, offset=1)
    assert page.ids == everything.ids[1:3] and page.total == 4
    assert store.search("embass* OR ferry", "ana", limit=1).total == 3


def test_match_offsets_give_back_the_match(store: Store) -> None:
    span = tag(store, "a1", "ana", "denial", "Zoë Castillo's claim was baseless",
               note="Castillo denies")
    art = store.get_article("a1")
    assert art is not None
    fields = {"title": art.title, "text": art.text, "source": art.source, "note": span.note}

    def shown(query: str, aid: str = "a1") -> list[tuple[str, str, str | None]]:
        return [(m.field, fields[m.field][m.start:m.end], m.span_id)
                for m in store.search_matches(query, aid)]

    assert shown("embassy") == [("title", "Embassy", None), ("text", "embassy", None),
                                ("text", "embassy", None)]
    assert shown("zoe") == [("text", "Zoë", None)]
    assert shown('"fuel surcharge" source:reuters') == [
        ("text", "Fuel surcharge", None), ("source", "Reuters", None)]
    assert shown("castillo* -nothing") == [("text", "Castillo", None)]
    assert shown("span:castillo") == [("text", "Castillo", span.id), ("note", "Castillo", span.id)]
    assert shown("span:claim:castillo") == []
    assert shown("-embassy") == []
    a2 = store.get_article("a2")
    assert a2 is not None
    got = [(m.field, m.start, m.end) for m in store.search_matches("小龍 李小龍", "a2")]
    start = a2.title.index("李小龍")
    assert ("title", start, start + 3) in got and ("title", start + 1, start + 3) in got
    assert ("text", 4, 7) in got and ("text", 5, 7) in got and a2.text[5:7] == "小龍"
    decomposed = store.get_article("a3")
    assert decomposed is not None
    offsets = [(m.field, m.start, m.end) for m in store.search_matches("zoe", "a3")]
    assert [decomposed.title[s:e] if f == "title" else decomposed.text[s:e]
            for f, s, e in offsets] == ["Zoe\u0308", "ZOE\u0308"]


def test_snippets_mark_the_matches(store: Store) -> None:
    tag(store, "a4", "ana", "claim", "A plain report", note="about the ferries and the embassy")
    snips = store.search_snippets("embassy OR span:embassy", ["a1", "a4"], width=50)
    s1 = snips["a1"]
    assert [s1.text[s:e] for s, e in s1.marks] == ["embassy"] and s1.field == "text"
    s4 = snips["a4"]  # only its note matched
    assert s4.field == "note" and [s4.text[s:e] for s, e in s4.marks] == ["embassy"]
    plain = store.search_snippets("is:todo", ["a2"], width=20)["a2"]
    assert plain.text == TEXT2[:20] and plain.marks == () and plain.after


def test_indexes_follow_every_writer(store: Store, tmp_path: Path) -> None:
    span = tag(store, "a4", "ana", "claim", "plain report")
    assert ids(store, "span:plain") == ["a4"]
    store.update_span(span.id, "ana", note="a verified detail")
    assert ids(store, "span:verified") == ["a4"] and ids(store, "span:plain") == ["a4"]
    store.update_span(span.id, "ana", label="context")  # a replace: no stale words
    assert ids(store, "span:context:plain") == ["a4"] and ids(store, "span:claim:plain") == []
    store.delete_span(span.id, "ana")
    assert ids(store, "span:plain") == []
    store.undo("ana")
    assert ids(store, "span:plain") == ["a4"]
    # A new text re-anchors (or orphans) spans and re-indexes the article.
    store.import_articles([Article(id="a4", title="Undated", text="Now about 李小龍 only.")])
    assert ids(store, "ferries") == [] and ids(store, "李小龍") == ["a2", "a4"]
    assert ids(store, "小龍") == ["a2", "a4"]
    # Spans merged from a pack are searchable too.
    other = Store.open(tmp_path / "other.db")
    other.import_articles([Article(id="a2", title="Ferry fares: 李小龍 speaks", text=TEXT2,
                                   source="The Harbour Ledger", published="2025-12-01")])
    mspan = tag(other, "a2", "carl", "denial", "fuel surcharge", note="無根據")
    docs = [(d.article, {"spans": [vars(s) for s in d.spans]}, "pack")
            for d in other.export_docs()]
    other.close()
    store.merge_docs(docs, trust=Trust.decide(["carl"], merged_by="ana"))
    assert ids(store, "span:denial:surcharge") == ["a2"] and ids(store, "span:根據") == ["a2"]
    assert store.search_matches("span:surcharge", "a2")[0].span_id == mspan.id
    for table in ("articles_fts", "spans_fts"):
        store.conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def test_a_bad_query_never_reaches_sqlite(store: Store) -> None:
    # FTS5 syntax typed as words is searched as words, never run as syntax
    for query in ('NEAR(a b)', "title:x", "{title}", "a^b", "col : x", "AND", "a AND b"):
        try:
            store.search(query, "ana")
        except QueryError:
            pass
    with pytest.raises(QueryError):
        store.search('"unclosed', "ana")


def test_any_text_is_a_result_or_one_line_error(tmp_path: Path) -> None:
    """Whatever is typed (FTS5 syntax, quotes, controls, CJK, qualifiers, NUL) ends as a
    result or a QueryError of one line: never a store error, never a traceback."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    s = Store.open(tmp_path / "fuzz.db")
    s.import_articles([Article(id="a1", title="Zoë", text=TEXT1, source="Reuters",
                               published="2025-11-03"),
                       Article(id="a2", title="李小龍", text=TEXT2)])
    tag(s, "a1", "ana", "denial", "Zoë Castillo", note="fabrication")
    pieces = st.sampled_from([
        "embassy", "zoe", '"', "*", "-", "OR", "AND", "NOT", "(", ")", ":", "is:", "has:",
        "span:", "span:denial:", "date:", "by:", "source:", "2025-11", "..", "|", "NEAR",
        "{title}", "^", "李", "小龍", "\x00", "\x1b", " ", "  ", "todo", "e'", "ë",
    ])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=8).map("".join))
    def run(text: str) -> None:
        try:
            result = s.search(text, "ana")
        except QueryError as e:
            assert str(e) and "\n" not in str(e)
            return
        assert result.total == len(result.ids)
        for aid in result.ids:
            s.search_matches(text, aid)

    try:
        run()
    finally:
        s.close()


def test_a_first_page_with_its_snippets_equals_the_slow_way(store: Store) -> None:
    store.import_articles([Article(id="pua", title="Private use",
                                   text="The \ue000\ue001 embassy \ue000\ue002 said so.")])
    tag(store, "a4", "ana", "claim", "A plain report", note="the embassy again")
    for query in ("embassy", "embass* -zoe", "embassy OR span:embassy", "李小龍 OR embassy",
                  "span:embassy", "is:todo", "zzz"):
        every = store.search(query, "ana")
        page, snips = store.search_page(query, "ana", 2, width=40)
        assert page.ids == every.ids[:2] and page.ranked == every.ranked, query
        assert every.total is not None
        assert page.total == (every.total if every.total < 2 else None)  # a full page: unknown
        slow = store.search_snippets(query, page.ids, 40) if parse(query).searches_text else {}
        assert snips == slow, query
    pua = store.search_page("embassy", "ana", 10)[1]["pua"]  # markers in the text itself
    assert [pua.text[s:e] for s, e in pua.marks] == ["embassy"]


@pytest.mark.parametrize("text", [
    "", "plain ascii", "café — “quoted”", "\u0e01", "\u0eff\u0f00", "a\u109f", "\u10a0",
    "\u17ff", "\u1800\u2e7f", "x\u2e80", "\u9fff", "\ua000\uabff", "\uac00", "\ud7af",
    "\ud7b0\uf8ff", "\uf900", "\ufaff", "\ufb00 \U0001f600", "emoji \U0001ffff",
    "\U00020000", "— \U0003134f", "\U00031350 \u2014", "mixed 李小龍 text",
])
def test_holds_no_space_is_the_whole_class(text: str) -> None:
    """The fast test of new articles (BMP first, supplementary planes only when present)
    says what the whole character class says, at every range's edges."""
    assert holds_no_space(text) == (NO_SPACE.search(text) is not None)
