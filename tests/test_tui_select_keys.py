"""Pilot tests for the selection keys of issue 12 (W / B, ctrl+shift+arrows, ( ), S, P) and
where the cursor goes after a tag; each test checks the offsets stored in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.articles import read_text
from annotations.model import GOLD
from annotations.store import Store
from tui.screens.review import ReviewScreen

SIZE = (120, 36)
WIRE = Path(__file__).parent / "files" / "wire-alibaba.txt"
pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


def stored(store: Store, article: str = "harbor", who: str = "ana") -> list[tuple[str, int, int]]:
    """(label, start, end) of the live spans, checking each quote against the text."""
    text = store.get_article(article).text
    out = []
    for s in store.spans(article, who):
        assert text[s.start : s.end] == s.text
        out.append((s.label, s.start, s.end))
    return sorted(out, key=lambda x: (x[1], x[2]))


def place(text: str, quote: str, label: str) -> tuple[str, int, int]:
    start = at(text, quote)
    return label, start, start + len(quote)


async def test_W_and_ctrl_shift_right_extend_by_words(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "according"))
        await pilot.press("W", "W", "W")
        assert reader.selection_offsets() == (at(text, "according"), at(text, " seen by"))
        await pilot.press("c")
        reader.goto(at(text, "harbor contract"))
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "d")
        # From the middle of a word: to that word's end, snapped outward to the whole word.
        reader.goto(at(text, "spokeswoman") + 5)
        await pilot.press("W", "x")
    assert stored(tui_store) == [
        place(text, "harbor contract", "denial"),
        place(text, "according to documents", "claim"),
        place(text, "spokeswoman", "context"),
    ]


async def test_B_and_ctrl_shift_left_extend_back_and_shrink(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "reporters.") + len("reporters"))
        await pilot.press("B", "B")
        assert reader.selection_offsets() == (at(text, "by reporters"), at(text, "."+" The U.S."))
        await pilot.press("c")
        reader.goto(at(text, "said Jane") + len("said Jane"))
        await pilot.press("ctrl+shift+left", "ctrl+shift+left", "d")
        # W then B: B takes the last word back off the selection.
        reader.goto(at(text, "a public"))
        await pilot.press("W", "W", "W", "B", "x")
    assert stored(tui_store) == [
        place(text, "a public", "context"),
        place(text, "by reporters", "claim"),
        place(text, "said Jane", "denial"),
    ]


async def test_parentheses_move_between_sentence_starts(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        assert reader.cursor_offset == 0
        await pilot.press("right_parenthesis")  # across the blank line
        assert reader.cursor_offset == at(text, "The city")
        await pilot.press("right_parenthesis")  # not at "Acme Ltd. a harbor"
        assert reader.cursor_offset == at(text, "The U.S.")
        await pilot.press("right_parenthesis", "right_parenthesis")
        assert reader.cursor_offset == at(text, "Officials")
        await pilot.press("left_parenthesis")
        assert reader.cursor_offset == at(text, "\u201cWe followed")
        reader.goto(at(text, "firm denied"))
        await pilot.press("left_parenthesis")  # inside a sentence: to its own start
        assert reader.cursor_offset == at(text, "The U.S.")
        await pilot.press("left_parenthesis", "s", "c")
        reader.goto(len(text) - 3)
        await pilot.press("right_parenthesis")  # no sentence after the last: stays
        assert reader.cursor_offset == len(text) - 3
    assert stored(tui_store) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters.", "claim"),
    ]


async def test_S_extends_by_whole_sentences(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "harbor contract"))
        await pilot.press("S")  # nothing selected: the sentence at the cursor
        assert reader.selection_offsets() == (at(text, "The city"), at(text, " The U.S."))
        await pilot.press("S", "c")  # ... and the next one: a two-sentence claim
        # From a phrase, S first completes the sentence it ends in.
        reader.goto(at(text, "Officials"))
        await pilot.press("W", "W", "S")
        assert reader.selection_offsets() == (at(text, "Officials"), at(text, "comment.") + 8)
        await pilot.press("d")
    assert stored(tui_store) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters. The U.S. firm "
                    "denied any wrongdoing.", "claim"),
        place(text, "Officials did not respond to requests for comment.", "denial"),
    ]


async def test_P_selects_the_paragraph(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "Jane Doe"))
        await pilot.press("P", "x")
        reader.goto(at(text, "\n\nThe contract") + 1)  # a blank line: nothing to select
        await pilot.press("P")
        assert reader.selection_offsets() is None
    assert stored(tui_store) == [
        place(text, "\u201cWe followed every rule,\u201d said Jane Doe, a spokeswoman for Acme. "
                    "Officials did not respond to requests for comment.", "context"),
    ]


async def test_after_a_tag_the_cursor_is_at_the_next_sentence(tui_store, tui_app):
    """Tagging consecutive sentences is `s` + a label key each time."""
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "The city"))
        await pilot.press("s", "c")
        assert reader.cursor_offset == at(text, "The U.S.")
        assert reader.selection_offsets() is None
        await pilot.press("s", "d", "s", "x", "s", "c")  # on across the paragraph break
        assert reader.cursor_offset == at(text, "The contract")
        # After a phrase: the next sentence too.
        reader.goto(at(text, "signed"))
        await pilot.press("W", "W", "W", "x")
        assert reader.cursor_offset == at(text, "Critics")
    assert stored(tui_store) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters.", "claim"),
        place(text, "The U.S. firm denied any wrongdoing.", "denial"),
        place(text, "\u201cWe followed every rule,\u201d said Jane Doe, a spokeswoman for Acme.",
              "context"),
        place(text, "Officials did not respond to requests for comment.", "claim"),
        place(text, "signed in May", "context"),
    ]


async def test_after_a_tag_the_new_span_stays_current_until_the_cursor_moves(tui_store, tui_app):
    """A label key, n or backspace right after a tag act on the span just made."""
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.reader.goto(at(text, "The city"))
        await pilot.press("s", "c")
        assert screen.reader.cursor_offset == at(text, "The U.S.")
        await pilot.press("d")  # nothing selected: relabels the new span
        await pilot.press("right", "left")  # the cursor moved: the span under it counts again
        assert screen.current_span is None
        await pilot.press("x")  # nothing selected, no span here: nothing happens
    assert stored(tui_store) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters.", "denial"),
    ]


async def test_after_tag_stay_keeps_the_cursor(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app(after_tag="stay")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.reader.goto(at(text, "The city"))
        await pilot.press("s", "c")
        assert screen.reader.cursor_offset == at(text, "The city")
        await pilot.press("d")  # the span under the cursor: relabelled, as before
    assert stored(tui_store) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters.", "denial"),
    ]


async def test_wire_report_phrase_and_sentences(tui_store, tui_app):
    """The issue's report: the first sentence whole (not cut at `Ltd.`), and the
    four-word phrase in five keys."""
    tui_store.import_articles([read_text(WIRE)])
    text = tui_store.get_article("wire-alibaba").text
    app = tui_app(start_article="wire-alibaba")
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        await pilot.press("s", "c")  # the cursor opens at 0; then on to the next sentence
        reader.goto(at(text, "according to a report"))
        await pilot.press("W", "W", "W", "W", "x")
    first = ("A confidential White House memo alleges that Chinese e-commerce giant Alibaba "
             "Group Holding Ltd. (NYSE:BABA) , is helping China's military target the U.S., "
             "according to a report.")
    assert stored(tui_store, "wire-alibaba") == [
        place(text, first, "claim"),
        place(text, "according to a report", "context"),
    ]


async def test_new_keys_can_be_remapped(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    app = tui_app(keymap={"extend_word_next": "E", "select_paragraph": "ctrl+g"})
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen.reader
        reader.goto(at(text, "Critics"))
        await pilot.press("W")  # no longer bound
        assert reader.selection_offsets() is None
        await pilot.press("E", "E", "c")
        reader.goto(at(text, "Officials"))
        await pilot.press("ctrl+g", "d")
    assert stored(tui_store) == [
        place(text, "\u201cWe followed every rule,\u201d said Jane Doe, a spokeswoman for Acme. "
                    "Officials did not respond to requests for comment.", "denial"),
        place(text, "Critics say", "claim"),
    ]


async def test_the_keys_tag_gold_on_the_review_screen(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", "ana", "claim", at(text, "The city"), at(text, "tender,") + 6)
    tui_store.add_span("harbor", "bob", "denial", at(text, "The city"), at(text, "tender,") + 6)
    app = tui_app(annotator="rita", review_against=["ana", "bob"], start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        reader = screen.reader
        reader.goto(at(text, "The city"))
        await pilot.press("S", "S", "c")  # two sentences into gold
        assert reader.cursor_offset == at(text, "\u201cWe followed")
        reader.goto(at(text, "said Jane"))
        await pilot.press("W", "W", "ctrl+shift+right", "B", "d")
        reader.goto(at(text, "Critics"))
        await pilot.press("left_parenthesis", "P", "x")
        reader.goto(0)
        await pilot.press("right_parenthesis", "s", "1")  # the label's number tags gold too
    assert stored(tui_store, who=GOLD) == [
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters.", "claim"),
        place(text, "The city awarded Acme Ltd. a harbor contract worth $40 million without a "
                    "public tender, according to documents seen by reporters. The U.S. firm "
                    "denied any wrongdoing.", "claim"),
        place(text, "said Jane", "denial"),
        place(text, "The contract was signed in May. Critics say the process lacked "
                    "transparency.", "context"),
    ]
    # ana's own span is untouched
    assert stored(tui_store) == [("claim", at(text, "The city"), at(text, "tender,") + 6)]
