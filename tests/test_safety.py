"""Untrusted strings never reach a terminal raw."""

from __future__ import annotations

from annotations.safety import printable

NASTY = "a\x1b[2J\x1b]0;t\x07b\x85c\u2028d\x00e\x9bf\tg\nh"


def test_printable_escapes_every_control_character() -> None:
    out = printable(NASTY)
    assert out == "a\\x1b[2J\\x1b]0;t\\x07b\\x85c\\u2028d\\x00e\\x9bf\\tg\\nh"
    assert all(ch.isprintable() for ch in out)
    assert printable(NASTY, one_line=False).count("\n") == 1


def test_printable_escapes_bidi_overrides_and_surrogates() -> None:
    """Trojan-source reordering and lone surrogates are escaped too (issue 14)."""
    out = printable("a\u202eb\u2066c\ud800d\u200ee", one_line=False)
    assert out == "a\\u202eb\\u2066c\\ud800d\u200ee"
    out.encode("utf-8")  # nothing left that a terminal stream cannot encode
