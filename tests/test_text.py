"""The text model (annotations.text): navigation, snapping, sentences; pure Python."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.text import (
    LineIndex,
    next_paragraph,
    next_word,
    previous_paragraph,
    previous_word,
    sentence_at,
    snap,
)

TEXT = (
    "Acme Ltd. said the U.S. market grew 3.5% in May. Dr. J. Smith disagreed! "
    "\u201cIt is false.\u201d Then approx. ten left.\n"
    "\n"
    "Second paragraph, e.g. this one. It ends here."
)


def sentence(text: str, needle: str) -> str:
    found = sentence_at(text, text.index(needle))
    assert found is not None
    return text[found[0] : found[1]]


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("Acme", "Acme Ltd. said the U.S. market grew 3.5% in May."),
        ("market", "Acme Ltd. said the U.S. market grew 3.5% in May."),
        ("Smith", "Dr. J. Smith disagreed!"),
        ("false", "\u201cIt is false.\u201d"),
        ("ten", "Then approx. ten left."),
        ("this one", "Second paragraph, e.g. this one."),
        ("ends", "It ends here."),
    ],
)
def test_sentences_do_not_break_at_abbreviations(needle, expected):
    assert sentence(TEXT, needle) == expected


def test_sentence_on_blank_line_is_none():
    assert sentence_at(TEXT, TEXT.index("\n\n") + 1) is None
    assert sentence_at("", 0) is None


def test_snap_outward_to_words_and_trims_white_space():
    t = "The city awarded Acme Ltd. a harbor contract in the U.S. today."
    assert t[slice(*snap(t, t.index("ity"), t.index("ity") + 2))] == "city"
    assert t[slice(*snap(t, t.index(" awarded") , t.index("awarded") + 3))] == "awarded"
    assert t[slice(*snap(t, t.index("S. today"), t.index("S. today") + 1))] == "U.S."
    assert snap(t, 3, 4) is None  # only a space
    assert t[slice(*snap(t, 5, 7, words=False))] == "it"


def test_word_motion():
    t = "One two-thirds, don't  stop.\nNext"
    assert t[next_word(t, 0) :].startswith("two-thirds")
    assert t[next_word(t, t.index("two")) :].startswith("don't")
    assert t[next_word(t, t.index("stop")) :].startswith("Next")
    assert next_word(t, t.index("Next")) == len(t)
    assert t[previous_word(t, t.index("stop")) :].startswith("don't")
    assert t[previous_word(t, t.index("stop") + 2) :].startswith("stop")
    assert previous_word(t, 0) == 0


def test_paragraph_motion():
    t = "Head\n\nPara one\nstill one\n\n\n  Para two\n\nLast"
    lines = LineIndex(t)
    assert next_paragraph(lines, 0) == t.index("Para one")
    assert next_paragraph(lines, t.index("still")) == t.index("Para two")
    assert next_paragraph(lines, t.index("Last")) == len(t)
    assert previous_paragraph(lines, t.index("still")) == t.index("Para one")
    assert previous_paragraph(lines, t.index("Para one")) == 0
    assert previous_paragraph(lines, t.index("Last")) == t.index("Para two")


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=40), st.data())
def test_snap_never_ends_on_white_space(text, data):
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(0, len(text)))
    for words in (True, False):
        got = snap(text, a, b, words=words)
        if got is None:
            assert not text[min(a, b) : max(a, b)].strip()
            continue
        s, e = got
        assert 0 <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        # It covers every non-space character that was selected.
        lo, hi = min(a, b), max(a, b)
        marked = [i for i in range(lo, hi) if not text[i].isspace()]
        assert s <= marked[0] and e > marked[-1]
        if not words:
            assert (s, e) == (marked[0], marked[-1] + 1)


def test_cjk_sentences_end_at_full_stops():
    t = "港口合同未经招标。公司否认有任何不当行为！Then English. Done."
    assert sentence(t, "合同") == "港口合同未经招标。"
    assert sentence(t, "公司") == "公司否认有任何不当行为！"
    assert sentence(t, "English") == "Then English."


def test_sentence_ends_after_no_and_after_a_company_suffix_before_a_capital():
    cases = [
        ("The U.S. government said no. Dr. Smith agreed.", 40, "Dr. Smith agreed."),
        ("The U.S. government said no. Dr. Smith agreed.", 5, "The U.S. government said no."),
        ('He said "No." Then he left.', 20, "Then he left."),
        ("Signalwatch Analytics Inc. The party said so.", 30, "The party said so."),
        ("Acme Ltd. said it was fine. Next one.", 3, "Acme Ltd. said it was fine."),
        ("The firm, Koru Mining Co., says it is fine.", 5,
         "The firm, Koru Mining Co., says it is fine."),
    ]
    for text, offset, expected in cases:
        s, e = sentence_at(text, offset)
        assert text[s:e] == expected


def test_line_runs_of_a_range_cover_each_line_it_touches() -> None:
    lines = LineIndex("ab\ncde\nf")
    assert lines.runs(1, 2) == [(0, 1, 2)]
    assert lines.runs(1, 5) == [(0, 1, 2), (1, 0, 2)]
    # Ending at a line's end takes the line break: an empty run on the next line.
    assert lines.runs(3, 7) == [(1, 0, 3), (2, 0, 0)]
    assert lines.runs(0, 8) == [(0, 0, 2), (1, 0, 3), (2, 0, 1)]
