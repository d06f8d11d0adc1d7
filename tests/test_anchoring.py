"""Re-anchoring spans when a source is edited: every span ends ok, moved or orphaned."""

from __future__ import annotations

from pathlib import Path

from annotations.anchoring import FUZZY_THRESHOLD, context, reanchor
from annotations.model import Article
from annotations.store import Store

P1 = "The ministry claims the dam passed every inspection in 2024."
P2 = "Residents deny that any inspector visited the site last year."
P3 = "The dam was built in 1971 and last repaired in 2009."
TEXT = "\n\n".join([P1, P2, P3])

QUOTES = {
    "claim": "the dam passed every inspection in 2024",
    "denial": "Residents deny that any inspector visited the site",
    "context": "built in 1971",
}


def place(text: str, quote: str, new: str):  # type: ignore[no-untyped-def]
    s = text.index(quote)
    e = s + len(quote)
    pre, suf = context(text, s, e)
    return reanchor(new, s, e, quote, pre, suf)


def test_unchanged_is_ok() -> None:
    p = place(TEXT, QUOTES["claim"], TEXT)
    assert p.anchor == "ok" and TEXT[p.start : p.end] == QUOTES["claim"]


def test_insert_before_moves_every_span() -> None:
    new = "UPDATED: new paragraph first.\n\n" + TEXT
    for q in QUOTES.values():
        p = place(TEXT, q, new)
        assert p.anchor == "moved" and new[p.start : p.end] == q


def test_delete_inside_a_quote_is_fuzzy_moved_or_orphaned() -> None:
    new = TEXT.replace("passed every inspection", "passed inspection")
    p = place(TEXT, QUOTES["claim"], new)
    assert p.anchor == "moved"
    assert new[p.start : p.end] == "the dam passed inspection in 2024"
    # the other spans are untouched
    assert place(TEXT, QUOTES["context"], new).anchor == "moved"  # shifted left by 6
    gone = TEXT.replace(P2, "Residents were not consulted.")
    assert place(TEXT, QUOTES["denial"], gone).anchor == "orphaned"


def test_reword_within_threshold() -> None:
    new = TEXT.replace("Residents deny that any inspector visited the site",
                       "Residents denied that any inspector visited the site")
    p = place(TEXT, QUOTES["denial"], new)
    assert p.anchor == "moved"
    assert new[p.start : p.end] == "Residents denied that any inspector visited the site"
    heavy = TEXT.replace(QUOTES["denial"], "Locals say nobody came to look")
    assert place(TEXT, QUOTES["denial"], heavy).anchor == "orphaned"
    assert 0.5 < FUZZY_THRESHOLD < 1


def test_reorder_paragraphs() -> None:
    new = "\n\n".join([P3, P1, P2])
    for q in QUOTES.values():
        p = place(TEXT, q, new)
        assert p.placed and new[p.start : p.end] == q


def test_duplicate_quote_uses_context() -> None:
    text = "He said yes. Later she said yes. Then nothing."
    s = text.index("yes", 20)  # the second "yes"
    pre, suf = context(text, s, s + 3)
    new = "Intro. " + text
    p = reanchor(new, s, s + 3, "yes", pre, suf)
    assert p.anchor == "moved" and p.start == s + 7


def test_store_reimport_checks_every_span(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "t.db")
    store.import_articles([Article(id="dam", text=TEXT)])
    ids = {}
    for label, q in QUOTES.items():
        s = TEXT.index(q)
        ids[label] = store.add_span("dam", "ana", label, s, s + len(q)).id
    edits = [
        "Breaking.\n\n" + TEXT,
        "\n\n".join([P3, P2, P1]),
        TEXT.replace("every inspection", "all inspections"),
        TEXT.replace(P3, "No history is given."),
    ]
    for new in edits:
        store.import_articles([Article(id="dam", text=new)])
        for sid in ids.values():
            sp = store.get_span(sid)
            assert sp.anchor in ("ok", "moved", "orphaned")
            if sp.anchor != "orphaned":
                assert new[sp.start : sp.end] == sp.text
    final = {label: store.get_span(sid) for label, sid in ids.items()}
    assert final["context"].anchor == "orphaned"
    assert final["context"].text == QUOTES["context"]  # kept for re-placing
    assert final["denial"].anchor in ("ok", "moved")
