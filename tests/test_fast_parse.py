"""orjson reads .jsonl lines first (annotations.articles.jsonl.fast_parse): the lines accepted,
their values (types included) and every error must be what the standard library alone gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.articles import ArticleError, read_jsonl
from annotations.articles import jsonl as jsonl_module
from annotations.articles.jsonl import fast_parse
from annotations.model import Article

GOOD = b'{"id": "g", "text": "fine"}'

#: Lines where orjson and ``json`` (strict=False, no NaN, finite floats) could part ways.
HOSTILE: dict[str, bytes] = {
    "NaN": b'{"id": "a", "text": "x", "meta": {"v": NaN}}',
    "Infinity": b'{"id": "a", "text": "x", "meta": {"v": -Infinity}}',
    "1e999": b'{"id": "a", "text": "x", "meta": {"v": 1e999}}',
    "-1e400": b'{"id": "a", "text": "x", "meta": {"v": -1e400}}',
    "just over the largest float": b'{"id": "a", "text": "x", "v": 1.7976931348623159e308}',
    "an overflowing integer part": b'{"id": "a", "text": "x", "v": 1' + b"0" * 400 + b'.0}',
    "tiny float": b'{"id": "a", "text": "x", "v": 1e-400}',
    "u64 max": b'{"id": "a", "text": "x", "v": 18446744073709551615}',
    "past u64": b'{"id": "a", "text": "x", "v": 18446744073709551616}',
    "below i64": b'{"id": "a", "text": "x", "v": -9223372036854775809}',
    "19-digit id": b'{"id": 1234567890123456789, "text": "x"}',
    "21-digit id": b'{"id": 123456789012345678901, "text": "x"}',
    "18-digit int": b'{"id": "a", "text": "x", "v": -999999999999999999}',
    "too many digits for int()": b'{"id": "a", "text": "x", "v": ' + b"7" * 5000 + b"}",
    "float forms": b'{"id": "a", "text": "x", "v": [0.1, -0.0, 1E5, 2.5e-3, 123456789.125]}',
    "raw tab and control chars": b'{"id": "a", "text": "tab\there \x01 \x1f \r end"}',
    "escaped NUL": b'{"id": "a", "text": "nul \\u0000 here"}',
    "raw NUL": b'{"id": "a", "text": "x"}\x00',
    "lone high surrogate": b'{"id": "a", "text": "x \\ud800"}',
    "lone low surrogate": b'{"id": "a", "text": "x \\udc00 y"}',
    "reversed pair": b'{"id": "a", "text": "\\udc00\\ud800"}',
    "surrogate key": b'{"id": "a", "text": "x", "meta": {"\\ud800": 1}}',
    "valid pair": b'{"id": "a", "text": "smile \\ud83d\\ude00"}',
    "raw UTF-8 surrogate": b'{"id": "a", "text": "\xed\xa0\x80"}',
    "invalid UTF-8": b'{"id": "a", "text": "caf\xe9"}',
    "UTF-16 BOM": b'\xff\xfe{"id": "a", "text": "x"}',
    "BOM after line 1": b'\xef\xbb\xbf{"id": "a", "text": "x"}',
    "duplicate keys": b'{"id": "a", "text": "first", "meta": {"k": 1, "j": 2, "k": 3}, "text": "y"}',
    "deep nesting": b'{"id": "a", "text": "x", "v": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    "nesting orjson refuses": b'{"id": "a", "text": "x", "v": ' + b"[" * 1100 + b"]" * 1100
    + b"}",
    "trailing data": b'{"id": "a", "text": "x"} {}',
    "trailing comma": b'{"id": "a", "text": "x",}',
    "leading zero": b'{"id": "a", "text": "x", "v": 01}',
    "not an object": b'["id", "text"]',
    "a string": b'"\\ud800"',
    "odd whitespace": b' \t{ "id" : "a" ,\t"text":"x" } \r',
    "non-breaking space outside": b'\xc2\xa0{"id": "a", "text": "x"}',
    "unicode escapes": b'{"id": "\\u00e9t\\u00C9", "text": "\\/\\b\\f\\n\\r\\t\\"\\\\"}',
    "empty text": b'{"id": "a", "text": ""}',
    "pack line": b'{"id": "p", "text": "hello world", "spans": [{"id": "s", "annotator": "al", '
    b'"label": "claim", "start": 0, "end": 5, "text": "hello", "attributes": {"w": 0.5}}], '
    b'"statuses": [], "styles": [[0, 5, "strong"], [6, 11, "link", {"href": "u"}]]}',
}


def _outcome(items: list[Article | ArticleError]) -> list[str]:
    """Every field of what was read, with types (``1 == 1.0``, so compare reprs)."""
    out = []
    for item in items:
        if isinstance(item, Article):
            out.append(repr(sorted(vars(item).items())))
        else:
            out.append(f"error line {item.line}: {item.reason}")
    return out


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool) -> list[str]:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(jsonl_module, "fast_parse", lambda raw: None)
        return _outcome(list(read_jsonl(path)))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_line_reads_as_the_standard_library_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    p = tmp_path / "h.jsonl"
    p.write_bytes(GOOD + b"\n" + HOSTILE[name] + b"\n" + GOOD + b"\n")
    fast = _read(p, monkeypatch, fast=True)
    assert fast == _read(p, monkeypatch, fast=False)
    assert len(fast) == 3 and fast[0] == fast[2] and "error" not in fast[0]


def test_the_refusals_stay_refusals(tmp_path: Path) -> None:
    """The cases the reader's contract names are still line errors, orjson or not."""
    refused = ("NaN", "Infinity", "1e999", "-1e400", "just over the largest float",
               "an overflowing integer part", "lone high surrogate", "lone low surrogate",
               "reversed pair", "surrogate key", "raw NUL", "escaped NUL", "invalid UTF-8",
               "raw UTF-8 surrogate", "BOM after line 1", "trailing data", "not an object")
    p = tmp_path / "r.jsonl"
    p.write_bytes(b"\n".join(HOSTILE[name] for name in refused) + b"\n")
    items = list(read_jsonl(p))
    assert [type(x).__name__ for x in items] == ["ArticleError"] * len(refused)


def test_big_integers_stay_exact(tmp_path: Path) -> None:
    p = tmp_path / "b.jsonl"
    p.write_bytes(HOSTILE["past u64"] + b"\n" + HOSTILE["21-digit id"] + b"\n")
    first, second = read_jsonl(p)
    assert isinstance(first, Article) and first.meta["v"] == 2**64
    assert type(first.meta["v"]) is int
    # Read as the integer it is (orjson alone would make it the float 1.2345678901234568e+20).
    assert isinstance(second, ArticleError) and "integer too large" in second.reason


def test_the_usual_pack_line_takes_the_fast_path() -> None:
    """Else the speed-up is silently gone (a new orjson refusing what packs hold)."""
    assert fast_parse(HOSTILE["pack line"]) == json.loads(HOSTILE["pack line"])
    assert fast_parse(HOSTILE["raw tab and control chars"]) is None
    assert fast_parse(HOSTILE["past u64"]) is None


_NUMBER = st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?",
                        fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(_NUMBER, min_size=1, max_size=5), st.floats(allow_nan=False))
def test_numbers_parse_to_the_same_value_and_type(numbers: list[str], x: float) -> None:
    raw = ("[" + ", ".join([*numbers, json.dumps(x)]) + "]").encode()
    fast = fast_parse(raw)
    if fast is None:  # refused, or possibly read differently: the usual way decides
        return
    slow = json.loads(raw)
    assert [(type(v), v) for v in fast] == [(type(v), v) for v in slow]
