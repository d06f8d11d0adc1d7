"""The reader's split of a text (:mod:`tui.shown_text`) and the stored styles' cache
give what the whole-text passes they replace give (issue 19)."""

from __future__ import annotations

import pytest
from textual.document._document import Document

from annotations.model import StyleRange, sha256_text
from annotations.store.rows import styles_from_json, styles_json
from annotations.text import LineIndex
from tui import shown_text as shown_module
from tui.safe import display_text
from tui.shown_text import shown_text

TEXTS = [
    "",
    "\n",
    "\n\n",
    "one line",
    "a\nb\n",
    "a\r\nb\rc\n",
    "tab\there\nbell\x07 and esc\x1b[31m",
    "line\u2028sep\u2029para\x85next\x0bvt\x0cff\x1cfs",
    "zero\u200bwidth\ufeffbom\u00a0nbsp\n\nend",
    "émigré — “quotes” 日本語\n" * 50,
    ("P{} the minister said [Reuters] it was wrong.\n\n" * 300).format(*range(300)),
]


@pytest.mark.parametrize("text", TEXTS)
def test_shown_text_is_the_three_passes(text: str) -> None:
    split = shown_text(text, sha256_text(text))
    assert split.lines.starts == LineIndex(text).starts
    assert split.lines.text == text
    assert split.shown == display_text(text)
    assert len(split.shown) == len(text)
    assert list(split.rows) == Document(split.shown).lines
    lines = split.lines
    for offset in (0, len(text) // 2, len(text)):  # start, middle, end
        assert lines.to_location(offset) == LineIndex(text).to_location(offset)


def test_shown_text_cached_by_sha_and_checked_against_the_text() -> None:
    text = "cached\ntext\x07\n"
    first = shown_text(text, "k")
    assert shown_text("".join(["cached\n", "text\x07\n"]), "k") is first  # another str
    # A different text under the same key (a stale or wrong hash) is split again.
    other = shown_text("other", "k")
    assert other is not first and other.shown == "other"
    for i in range(shown_module.CACHE_SIZE + 1):
        shown_text(f"t{i}", f"key{i}")
    assert "k" not in shown_module._CACHE


def test_styles_from_json_kept_and_equal() -> None:
    styles = [StyleRange(i * 10, i * 10 + 5, "emphasis") for i in range(600)]
    styles.append(StyleRange(0, 4, "link", {"href": "https://example.org"}))
    raw = styles_json(styles)
    assert len(raw) >= 4096
    first = styles_from_json(raw)
    assert first == styles and first[-1].data == {"href": "https://example.org"}
    first.append(StyleRange(1, 2, "code"))  # a caller's list is its own
    again = styles_from_json(raw)
    assert again == styles and again is not first
    assert all(a is b for a, b in zip(again, first, strict=False))  # the same ranges
    assert styles_from_json(None) == [] and styles_from_json("[]") == []
    short = styles_json(styles[:2])
    assert styles_from_json(short) == styles[:2]
