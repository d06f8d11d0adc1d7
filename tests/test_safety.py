"""Untrusted strings never reach a terminal raw."""

from __future__ import annotations

from annotations.safety import printable, same_length_visible

NASTY = "a\x1b[2J\x1b]0;t\x07b\x85c\u2028d\x00e\x9bf\tg\nh"


def test_printable_escapes_every_control_character() -> None:
    out = printable(NASTY)
    assert out == "a\\x1b[2J\\x1b]0;t\\x07b\\x85c\\u2028d\\x00e\\x9bf\\tg\\nh"
    assert all(ch.isprintable() for ch in out)
    assert printable(NASTY, one_line=False).count("\n") == 1


def test_same_length_visible_keeps_offsets() -> None:
    out = same_length_visible(NASTY)
    assert len(out) == len(NASTY)
    assert out.split("\n")[0].replace("\ufffd", "").isprintable() or "\t" in out
    assert "\x1b" not in out and "\x07" not in out and "\x85" not in out and "\u2028" not in out
    assert out.count("\n") == 1 and "\t" in out
    assert len(out.splitlines()) == 2
