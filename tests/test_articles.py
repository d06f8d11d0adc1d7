"""Reading report files: the plain text every offset refers to, styles, metadata, errors."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotations.articles import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_SUFFIXES,
    ArticleError,
    WalkResult,
    iter_articles,
    parse_markdown,
    read_file,
    read_jsonl,
    read_markdown,
    read_text,
    slugify,
    walk,
)
from annotations.model import STYLE_KINDS, Article, StyleRange

ROOT = Path(__file__).resolve().parent.parent


def check_bounds(text: str, styles: list[StyleRange]) -> None:
    for r in styles:
        assert 0 <= r.start < r.end <= len(text), r
        assert r.kind in STYLE_KINDS, r


def styled(text: str, styles: list[StyleRange], kind: str) -> list[str]:
    """The words covered by each range of one kind, in order."""
    check_bounds(text, styles)
    return [text[r.start : r.end] for r in styles if r.kind == kind]


def data_of(styles: list[StyleRange], kind: str) -> list[dict]:
    return [r.data for r in styles if r.kind == kind]


def one(results) -> Article | ArticleError:
    items = list(results)
    assert len(items) == 1, items
    return items[0]


# ---------------------------------------------------------------------------
# markdown -> plain text + styles


def test_headings_become_lines_with_level():
    text, styles = parse_markdown("# One\n\n### Three *x*\n\nSetext\n======\n")
    assert text == "One\n\nThree x\n\nSetext"
    assert styled(text, styles, "heading") == ["One", "Three x", "Setext"]
    assert data_of(styles, "heading") == [{"level": 1}, {"level": 3}, {"level": 1}]
    assert styled(text, styles, "emphasis") == ["x"]


def test_paragraphs_keep_line_breaks_and_are_separated_by_one_blank_line():
    source = "First line\nsecond line\n\n\n\nNext para  \nhard break\\\nbackslash break"
    text, styles = parse_markdown(source)
    assert text == "First line\nsecond line\n\nNext para\nhard break\nbackslash break"
    assert styles == []


def test_bullet_list_items_are_lines_without_glyphs():
    text, styles = parse_markdown("Intro\n\n- one\n- two\n* three\n\nOutro")
    # "* three" starts a second list (different bullet): a new block.
    assert text == "Intro\n\none\ntwo\n\nthree\n\nOutro"
    assert styled(text, styles, "list_item") == ["one", "two", "three"]
    assert data_of(styles, "list_item") == [
        {"ordered": False, "index": 1, "depth": 0},
        {"ordered": False, "index": 2, "depth": 0},
        {"ordered": False, "index": 1, "depth": 0},
    ]


def test_ordered_list_keeps_its_numbers_in_data_not_text():
    text, styles = parse_markdown("3. three\n4. four\n5. five")
    assert text == "three\nfour\nfive"
    assert [d["index"] for d in data_of(styles, "list_item")] == [3, 4, 5]
    assert all(d["ordered"] for d in data_of(styles, "list_item"))


def test_loose_list_items_are_still_single_lines():
    text, _ = parse_markdown("- a\n\n- b\n\n- c")
    assert text == "a\nb\nc"


def test_nested_lists_carry_depth():
    text, styles = parse_markdown("- a\n  - b\n  - c\n    1. d\n- e *f*")
    assert text == "a\nb\nc\nd\ne f"
    items = [
        (text[r.start : r.end], r.data["depth"], r.data["index"])
        for r in styles
        if r.kind == "list_item"
    ]
    # An item's range covers its nested lists; the deepest range wins on a line.
    assert items == [
        ("a\nb\nc\nd", 0, 1),
        ("b", 1, 1),
        ("c\nd", 1, 2),
        ("d", 2, 1),
        ("e f", 0, 2),
    ]
    assert styled(text, styles, "emphasis") == ["f"]


def test_block_quote_text_and_style():
    text, styles = parse_markdown('Before\n\n> "We deny it," said *X*.\n>\n> Second.\n\nAfter')
    assert text == 'Before\n\n"We deny it," said X.\n\nSecond.\n\nAfter'
    assert styled(text, styles, "quote") == ['"We deny it," said X.\n\nSecond.']
    assert styled(text, styles, "emphasis") == ["X"]


def test_nested_quote_and_list_inside_quote():
    text, styles = parse_markdown("> outer\n>\n> > inner\n>\n> - item")
    assert text == "outer\n\ninner\n\nitem"
    assert styled(text, styles, "quote") == ["outer\n\ninner\n\nitem", "inner"]
    assert styled(text, styles, "list_item") == ["item"]


def test_fenced_and_indented_code_blocks_are_literal():
    source = "Para\n\n```python\n\nx = *1*\n\n  y = [2]\n\n```\n\n    indented\n      more\n"
    text, styles = parse_markdown(source)
    assert text == "Para\n\nx = *1*\n\n  y = [2]\n\nindented\n  more"
    assert styled(text, styles, "code") == ["x = *1*\n\n  y = [2]", "indented\n  more"]
    assert data_of(styles, "code") == [{"block": True, "info": "python"}, {"block": True}]


def test_inline_code_loses_backticks():
    text, styles = parse_markdown("Run `rm *` and ``a ` b`` now")
    assert text == "Run rm * and a ` b now"
    assert styled(text, styles, "code") == ["rm *", "a ` b"]


def test_emphasis_and_strong():
    text, styles = parse_markdown("*em* and _em2_ and **strong** and ***both***")
    assert text == "em and em2 and strong and both"
    assert styled(text, styles, "emphasis") == ["em", "em2", "both"]
    assert styled(text, styles, "strong") == ["strong", "both"]


def test_links_keep_text_and_href():
    source = 'See [the *records*](https://x.org/a "Title") and <https://auto.org>.'
    text, styles = parse_markdown(source)
    assert text == "See the records and https://auto.org."
    assert styled(text, styles, "link") == ["the records", "https://auto.org"]
    assert data_of(styles, "link") == [
        {"href": "https://x.org/a", "title": "Title"},
        {"href": "https://auto.org"},
    ]
    assert styled(text, styles, "emphasis") == ["records"]


def test_reference_links_and_definitions():
    text, styles = parse_markdown("Read [the report][r].\n\n[r]: https://x.org/r\n")
    assert text == "Read the report."
    assert data_of(styles, "link") == [{"href": "https://x.org/r"}]


def test_images_become_alt_text():
    text, styles = parse_markdown("![A *harbor* view](pic.png) and [![logo](l.png)](https://x.org)")
    assert text == "A harbor view and logo"
    assert styled(text, styles, "emphasis") == ["harbor"]
    assert styled(text, styles, "link") == ["logo"]


def test_html_is_kept_as_literal_text():
    source = "<div>\n<script>alert(1)</script> *not md*\n</div>\n\nInline <b>bold</b> & <!-- c -->"
    text, styles = parse_markdown(source)
    assert text == (
        "<div>\n<script>alert(1)</script> *not md*\n</div>\n\nInline <b>bold</b> & <!-- c -->"
    )
    assert styles == []


def test_escapes_and_entities_are_resolved():
    text, _ = parse_markdown("\\*not em\\* &amp; &copy; \\[x\\]")
    assert text == "*not em* & © [x]"


def test_markup_like_text_and_control_characters_are_stored_faithfully():
    source = "[Reuters] said [/] and [@click=quit] \x1b[31mred\x1b[0m \x07bell ~~struck~~"
    text, styles = parse_markdown(source)
    assert text == source
    assert styles == []


def test_thematic_break_and_outer_blank_lines_leave_no_blank_lines():
    text, _ = parse_markdown("\n\n\n# T\n\n---\n\n***\n\nbody\n\n\n   \n")
    assert text == "T\n\nbody"
    assert parse_markdown("") == ("", [])
    assert parse_markdown("---\n\n<!-- -->")[0] == "<!-- -->"


def test_table_rows_become_lines():
    text, styles = parse_markdown("| Name | Role |\n|---|---|\n| Ana | *chair* |\n| Bo |  |")
    assert text == "Name | Role\nAna | chair\nBo"
    assert styled(text, styles, "strong") == ["Name | Role"]
    assert styled(text, styles, "emphasis") == ["chair"]


def test_offsets_are_code_points():
    text, styles = parse_markdown("😀 naïve *é* and **日本**\r\n\r\n> 👍🏽 ok")
    assert text == "😀 naïve é and 日本\n\n👍🏽 ok"
    assert styled(text, styles, "emphasis") == ["é"]
    assert styled(text, styles, "strong") == ["日本"]
    assert styled(text, styles, "quote") == ["👍🏽 ok"]


def test_all_constructs_together_stay_in_bounds():
    source = (
        "# Title\n\nPara *a* **b** `c` [d](u) ![e](i)\n\n- f\n  1. g\n\n> h\n\n```\ni\n```\n\n"
        "<p>j</p>\n\n| k | l |\n|---|---|\n| m | n |\n"
    )
    text, styles = parse_markdown(source)
    check_bounds(text, styles)
    assert not text.startswith("\n") and not text.endswith("\n")
    assert {r.kind for r in styles} == set(STYLE_KINDS)
    assert styles == sorted(styles, key=lambda r: (r.start, -r.end, r.kind))


def test_nesting_deeper_than_the_parser_keeps_is_refused_not_truncated():
    text, _ = parse_markdown("> " * 60 + "deep\n\nafter")
    assert text == "deep\n\nafter"
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_markdown("> " * 120 + "deep\n\nafter")


def test_large_markdown_parses_in_linear_time():
    para = (
        "Port officials said on *Tuesday* that the pier would open in May, a claim the "
        "[transport department](https://x.org) later disputed in a statement.\n\n"
    )
    source = ("## Section\n\n" + para * 4 + "- item one\n- item two\n\n> a quote\n\n") * 2000
    assert len(source) > 1_000_000
    started = time.perf_counter()
    text, styles = parse_markdown(source)
    elapsed = time.perf_counter() - started
    assert len(styles) == 2000 * 12
    check_bounds(text, styles[:50] + styles[-50:])
    assert elapsed < 10, elapsed  # ~0.3 s here; quadratic building would take minutes


# ---------------------------------------------------------------------------
# markdown files: front matter, ids, titles


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def test_markdown_without_front_matter_gets_defaults(tmp_path):
    path = write(tmp_path, "Harbor Report_2.md", "Intro line\n\n## The *real* title\n\nBody.")
    article = read_markdown(path)
    assert article.id == "harbor-report-2"
    assert article.title == "The real title"
    assert article.text == "Intro line\n\nThe real title\n\nBody."
    assert article.path == str(path)
    assert (article.published, article.source, article.url, article.meta) == (None, None, None, {})
    assert article.annotations is None
    check_bounds(article.text, article.styles)


def test_title_defaults_to_first_sentence_cut_at_a_word(tmp_path):
    long_line = "word " * 100
    article = read_markdown(tmp_path / "a.md", f"\n\n{long_line}\nsecond line")
    assert article.title == ("word " * 24).strip() + "\u2026"
    assert len(article.title) <= 120
    article = read_markdown(tmp_path / "a.md", "First one. Second one.\n\nMore.")
    assert article.title == "First one."


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # a sentence longer than 120 characters: cut at the last word that fits
        ("Officials " + "said " * 30 + "so. Next.", "Officials " + "said " * 21 + "said\u2026"),
        # no punctuation left dangling before the ellipsis
        ("A" * 50 + " (NYSE:BABA) , " + "b" * 80 + " end.", "A" * 50 + " (NYSE:BABA)\u2026"),
        # one long word (no spaces, e.g. Chinese): cut between characters
        ("港" * 300 + "。", "港" * 119 + "\u2026"),
        # ... and never between a letter and its combining accent
        ("e\u0301" * 100 + " x.", "e\u0301" * 59 + "\u2026"),
    ],
    ids=["words", "punctuation", "no-spaces", "combining"],
)
def test_long_titles_are_cut_at_a_boundary(tmp_path, text, title):
    got = read_text(tmp_path / "a.txt", text).title
    assert got == title
    assert len(got) <= 120


def test_given_titles_are_cut_at_a_word_too(tmp_path):
    long = "Harbor " * 40
    article = read_markdown(tmp_path / "a.md", f"---\ntitle: {long}\n---\nBody.")
    assert article.title == ("Harbor " * 28).strip() + "\u2026"
    assert len(article.title) <= 200


def test_full_front_matter(tmp_path):
    source = (
        "---\n"
        "id: harbor-001\n"
        "title: Harbor expansion disputed\n"
        "date: 2024-03-05\n"
        "source: Harbor Gazette\n"
        "url: https://example.org/harbor\n"
        "author: A. Writer\n"
        "tags: [port, budget]\n"
        "extra:\n"
        "  seen: 2024-01-02\n"
        "  2023: year key\n"
        "---\n"
        "# Heading\n\nBody text.\n"
    )
    article = read_markdown(tmp_path / "whatever.md", source)
    assert article.id == "harbor-001"
    assert article.title == "Harbor expansion disputed"
    assert article.published == "2024-03-05"
    assert article.source == "Harbor Gazette"
    assert article.url == "https://example.org/harbor"
    assert article.meta == {
        "author": "A. Writer",
        "tags": ["port", "budget"],
        "extra": {"seen": "2024-01-02", "2023": "year key"},
    }
    json.dumps(article.meta)  # JSON-safe
    assert article.text == "Heading\n\nBody text."


def test_front_matter_dates_and_numbers_become_strings(tmp_path):
    source = "---\nid: 42\ndate: 2024-03-05 14:30:00Z\nupdated: 2024-04-01\n...\nBody"
    article = read_markdown(tmp_path / "a.md", source)
    assert article.id == "42"
    assert article.published == "2024-03-05T14:30:00+00:00"
    assert article.meta == {"updated": "2024-04-01"}
    quoted = read_markdown(tmp_path / "a.md", "---\ndate: 'March 5, 2024'\n---\nBody")
    assert quoted.published == "March 5, 2024"


def test_empty_front_matter_block(tmp_path):
    article = read_markdown(tmp_path / "a.md", "---\n---\nBody")
    assert (article.text, article.meta, article.id) == ("Body", {}, "a")


def test_bom_and_crlf_are_normalised(tmp_path):
    path = write(
        tmp_path, "a.md", b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nLine one\r\nline two\r\n"
    )
    article = read_markdown(path)
    assert article.title == "T"
    assert article.text == "Line one\nline two"
    assert "\ufeff" not in article.text


def test_unclosed_front_matter(tmp_path):
    with pytest.raises(ArticleError) as info:
        read_markdown(tmp_path / "a.md", "---\ntitle: T\n\nBody")
    assert info.value.line == 1
    assert "not closed" in info.value.reason
    assert str(info.value) == f"{tmp_path / 'a.md'}:1: {info.value.reason}"


def test_front_matter_not_a_mapping(tmp_path):
    with pytest.raises(ArticleError, match="not a mapping"):
        read_markdown(tmp_path / "a.md", "---\n- a\n- b\n---\nBody")
    with pytest.raises(ArticleError, match="not a mapping"):
        read_markdown(tmp_path / "a.md", "---\njust a string\n---\nBody")


def test_invalid_yaml_reports_file_line_and_problem(tmp_path):
    with pytest.raises(ArticleError) as info:
        read_markdown(tmp_path / "a.md", "---\ntitle: ok\nbad: [unclosed\n---\nBody")
    err = info.value
    assert err.reason.startswith("invalid YAML in front matter:")
    assert err.line is not None and err.line >= 3
    assert "\n" not in str(err)


def test_impossible_date_is_a_yaml_error(tmp_path):
    with pytest.raises(ArticleError, match="invalid YAML"):
        read_markdown(tmp_path / "a.md", "---\ndate: 2024-02-30\n---\nBody")


def test_python_tags_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    source = f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\nBody"
    with pytest.raises(ArticleError, match="constructor"):
        read_markdown(tmp_path / "a.md", source)
    assert not marker.exists()


def test_alias_bombs_and_cycles_are_refused(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    bomb = "---\n" + "\n".join(lines) + "\n---\nBody"
    with pytest.raises(ArticleError, match="too large"):
        read_markdown(tmp_path / "a.md", bomb)
    with pytest.raises(ArticleError, match="too large"):
        read_markdown(tmp_path / "a.md", "---\nx: &x [*x]\n---\nBody")


@pytest.mark.parametrize("value", ["''", "[a, b]", "true", "{a: 1}", ""])
def test_bad_id_in_front_matter(tmp_path, value):
    with pytest.raises(ArticleError, match="'id'"):
        read_markdown(tmp_path / "a.md", f"---\nid: {value}\n---\nBody")


def test_only_front_matter_is_an_empty_article(tmp_path):
    with pytest.raises(ArticleError, match="empty article"):
        read_markdown(tmp_path / "a.md", "---\ntitle: T\n---\n\n  \n")
    with pytest.raises(ArticleError, match="empty article"):
        read_markdown(tmp_path / "a.md", "")


def test_too_deep_markdown_is_an_article_error(tmp_path):
    with pytest.raises(ArticleError, match="nested too deeply"):
        read_markdown(tmp_path / "a.md", "> " * 150 + "x")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Harbor Report_2", "harbor-report-2"),
        ("  --Weird   name!!--  ", "weird-name"),
        ("Café Ünïcode", "cafe-unicode"),
        ("Straße Øresund", "strasse-oresund"),
        ("Москва ёлка", "москва-ёлка"),
        ("日本語のニュース", "日本語のニュース"),
        ("हिन्दी समाचार", "हिन्दी-समाचार"),
        ("report.v2", "report-v2"),
        ("...", "article"),
        ("", "article"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slugify_is_path_safe_and_bounded():
    slug = slugify("../../etc/passwd" + "x" * 500)
    assert "/" not in slug and "." not in slug
    assert len(slug) <= 120


# ---------------------------------------------------------------------------
# plain text


def test_plain_text_is_normalised_lightly(tmp_path):
    raw = b"\xef\xbb\xbf\r\n  \r\n  Harbor closes\r\n\r\n*not markdown* [x](y)\x1b[1m \r\n\t \r\n"
    article = read_text(write(tmp_path, "Port News.txt", raw))
    assert article.text == "  Harbor closes\n\n*not markdown* [x](y)\x1b[1m"
    assert article.title == "Harbor closes"
    assert article.id == "port-news"
    assert article.published is None
    assert article.styles == [] and article.meta == {}


@pytest.mark.parametrize("sep", ["\n", " ", "\n\n  "])
def test_wire_format_date(tmp_path, sep):
    article = read_text(tmp_path / "w.txt", f"date 2024-05-01{sep}Harbor closes\nMore.")
    assert article.published == "2024-05-01"
    assert article.text == "Harbor closes\nMore."
    assert article.title == "Harbor closes"
    assert article.meta == {}


WIRE_FILE = ROOT / "tests" / "files" / "wire-alibaba.txt"
WIRE_FIRST = (
    "A confidential White House memo alleges that Chinese e-commerce giant Alibaba Group "
    "Holding Ltd. (NYSE:BABA) , is helping China's military target the U.S., according to "
    "a report."
)
WIRE_TITLE = (
    "A confidential White House memo alleges that Chinese e-commerce giant Alibaba Group "
    "Holding Ltd. (NYSE:BABA) , is\u2026"
)


def test_real_wire_report_with_a_leading_space():
    """The report exactly as the wire feed delivered it: one space, then the date token."""
    raw = WIRE_FILE.read_bytes()
    assert raw.startswith(b" date 2025-11-15 A confidential")
    article = read_text(WIRE_FILE)
    assert article.published == "2025-11-15"
    assert article.text.startswith(WIRE_FIRST + " The memo, dated Nov. 1,")
    assert "date 2025" not in article.text and not article.text[0].isspace()
    assert article.title == WIRE_TITLE
    assert article.text == raw.decode("utf-8")[len(" date 2025-11-15 "):].rstrip()


@pytest.mark.parametrize(
    "lead",
    [" ", "\t", "\ufeff", "\ufeff  ", "\n\n", "\r\n \r\n\t", "  \n\u3000", "\ufeff\n \n  "],
    ids=["space", "tab", "bom", "bom-spaces", "blank-lines", "crlf-blank-tab", "ideographic",
         "bom-blank-spaces"],
)
@pytest.mark.parametrize("gap", [" ", "\t", "\n", "\r\n\r\n  "], ids=["sp", "tab", "lf", "crlf"])
def test_wire_date_after_any_leading_white_space(tmp_path, lead, gap):
    body = WIRE_FIRST + "\r\nThe company denied it.\r\n"
    for name, reader in (("w.txt", read_text), ("w.md", read_markdown)):
        article = reader(write(tmp_path, name, f"{lead}date 2025-11-15{gap}{body}"))
        assert article.published == "2025-11-15", name
        assert article.text.startswith(WIRE_FIRST), name
        assert "date 2025" not in article.text, name
        assert article.title == WIRE_TITLE, name


def test_markdown_wire_date_only_without_front_matter(tmp_path):
    article = read_markdown(write(tmp_path, "a.md", "---\ntitle: T\n---\ndate 2025-11-15 Body."))
    assert (article.published, article.text) == (None, "date 2025-11-15 Body.")
    article = read_markdown(write(tmp_path, "b.md", " date 2025-11-15 Body *here*.\n\nMore."))
    assert (article.published, article.text, article.title) == (
        "2025-11-15", "Body here.\n\nMore.", "Body here.")


@pytest.mark.parametrize(
    "source",
    [
        "Date 2024-05-01 Harbor",
        "dated 2024-05-01 Harbor",
        "date 2024-13-45 Harbor",
        "date 2024-05-01x Harbor",
        "Harbor date 2024-05-01 x",
    ],
)
def test_text_without_wire_date_is_kept(tmp_path, source):
    article = read_text(tmp_path / "w.txt", source)
    assert article.published is None
    assert article.text == source


@pytest.mark.parametrize("source", ["", "  \n\t\n", "\ufeff", "date 2024-05-01\n\n"])
def test_empty_text_is_an_error(tmp_path, source):
    with pytest.raises(ArticleError, match="empty article"):
        read_text(tmp_path / "e.txt", source)


# ---------------------------------------------------------------------------
# jsonl


def jsonl(tmp_path: Path, name: str, lines: list[str]) -> Path:
    return write(tmp_path, name, "\n".join(lines) + "\n")


def test_jsonl_good_lines(tmp_path):
    path = jsonl(
        tmp_path,
        "Batch One.jsonl",
        [
            json.dumps(
                {
                    "id": 7,
                    "text": "First *line*\r\nsecond",
                    "meta": {
                        "date": "2024-01-02",
                        "source": "Wire",
                        "url": "https://u",
                        "desk": "metro",
                    },
                }
            ),
            "",
            json.dumps(
                {
                    "text": "  \nTitle here\nbody",
                    "title": None,
                    "source": "Top",
                    "meta": {"source": "Inner"},
                    "lang": "en",
                }
            ),
            json.dumps({"id": "x-1", "text": "Body", "title": "Given", "date": "2024-02-03"}),
        ],
    )
    first, second, third = list(read_jsonl(path))
    assert isinstance(first, Article)
    assert first.id == "7"
    assert first.text == "First *line*\nsecond"  # plain text, never markdown
    assert first.styles == []
    assert first.title == "First *line*"
    assert (first.published, first.source, first.url) == ("2024-01-02", "Wire", "https://u")
    assert first.meta == {"desk": "metro"}
    assert first.annotations is None
    assert first.path == str(path)

    assert second.id == "batch-one-3"  # physical line number, blank lines count
    assert second.title == "Title here"
    assert second.source == "Top"  # top-level wins over meta
    assert second.meta == {"lang": "en"}

    assert (third.id, third.title, third.published) == ("x-1", "Given", "2024-02-03")


def test_jsonl_bad_lines_are_reported_and_reading_goes_on(tmp_path):
    path = jsonl(
        tmp_path,
        "b.jsonl",
        [
            json.dumps({"text": "ok one"}),
            '{"text": "broken',
            json.dumps({"id": "no-text"}),
            json.dumps({"text": 5}),
            json.dumps({"text": "  "}),
            json.dumps(["not", "an", "object"]),
            json.dumps({"text": "x", "meta": "nope"}),
            json.dumps({"text": "x", "id": 1.5}),
            json.dumps({"text": "ok two"}),
        ],
    )
    results = list(read_jsonl(path))
    assert [type(r).__name__ for r in results] == ["Article"] + ["ArticleError"] * 7 + ["Article"]
    errors = results[1:-1]
    assert [e.line for e in errors] == [2, 3, 4, 5, 6, 7, 8]
    assert errors[0].reason.startswith("invalid JSON")
    assert str(errors[0]).startswith(f"{path}:2: invalid JSON")
    assert errors[1].reason == 'missing "text"'
    assert "must be a string" in errors[2].reason
    assert errors[3].reason == "empty article"
    assert "not a JSON object" in errors[4].reason
    assert '"meta"' in errors[5].reason
    assert "'id'" in errors[6].reason
    assert [r.text for r in (results[0], results[-1])] == ["ok one", "ok two"]


def test_jsonl_pack_line_keeps_text_and_annotations_raw(tmp_path):
    text = "\ufeffLine one\r\nline two  "
    spans = [{"id": "s1", "start": 1, "end": 5, "label": "claim"}]
    line = {
        "id": "a1",
        "text": text,
        "spans": spans,
        "statuses": [{"annotator": "ana", "status": "done"}],
        "text_sha256": "abc",
    }
    article = one(read_jsonl(jsonl(tmp_path, "pack.jsonl", [json.dumps(line)])))
    assert article.text == text
    assert article.annotations == {
        "spans": spans,
        "statuses": [{"annotator": "ana", "status": "done"}],
        "text_sha256": "abc",
        "line": 1,  # so merge messages can name file:line
    }


def test_jsonl_styles_are_read_and_keep_text_exact(tmp_path):
    line = {
        "text": "Head\r\n\r\nbody *x*",
        "styles": [[0, 4, "heading", {"level": 1}], {"start": 8, "end": 12, "kind": "emphasis"}],
    }
    article = one(read_jsonl(jsonl(tmp_path, "s.jsonl", [json.dumps(line)])))
    assert article.text == "Head\r\n\r\nbody *x*"  # offsets refer to it: not normalised
    assert styled(article.text, article.styles, "heading") == ["Head"]
    assert styled(article.text, article.styles, "emphasis") == ["body"]
    assert article.meta == {} and article.annotations is None


@pytest.mark.parametrize(
    "styles", ["nope", [[0, 99, "heading"]], [[2, 1, "code"]], [[0, 1]], [[0, 1, 5]], [True]]
)
def test_jsonl_bad_styles_are_a_line_error(tmp_path, styles):
    line = json.dumps({"text": "some text", "styles": styles})
    err = one(read_jsonl(jsonl(tmp_path, "s.jsonl", [line])))
    assert isinstance(err, ArticleError) and '"styles"' in err.reason and err.line == 1


def test_pack_written_by_the_pack_format_reads_back_unchanged(tmp_path):
    from annotations.formats import pack
    from annotations.model import ExportDoc

    source = "---\nid: a1\ndate: 2024-01-02\nsource: Wire\ndesk: metro\n---\n# Head\n\n*x* y\r\n"
    article = read_markdown(tmp_path / "a.md", source)
    record = pack.pack_record(ExportDoc(article=article, spans=[]))
    back = one(read_jsonl(jsonl(tmp_path, "pack.jsonl", [json.dumps(record)])))
    assert (back.id, back.title, back.text) == (article.id, article.title, article.text)
    assert (back.published, back.source, back.meta) == ("2024-01-02", "Wire", {"desk": "metro"})
    assert back.styles == article.styles
    assert [r.data for r in back.styles] == [r.data for r in article.styles]
    assert back.annotations is not None and back.annotations["spans"] == []


def test_jsonl_invalid_utf8_line_is_skipped_with_its_number(tmp_path):
    raw = b'\xef\xbb\xbf{"text": "one"}\r\n{"text": "bad \xff"}\r\n{"text": "three"}\r\n'
    results = list(read_jsonl(write(tmp_path, "u.jsonl", raw)))
    assert isinstance(results[0], Article) and results[0].text == "one"
    assert isinstance(results[1], ArticleError)
    assert results[1].line == 2
    # Offsets are file byte offsets: BOM (3) + line one (17) + 14 into line two.
    assert results[1].reason == "not valid UTF-8 (byte 0xff at offset 34)"
    assert isinstance(results[2], Article) and results[2].id == "u-3"


# ---------------------------------------------------------------------------
# read_file: dispatch and reading errors


def test_read_file_dispatches_by_suffix_case_insensitively(tmp_path):
    md = one(read_file(write(tmp_path, "A.MD", "# Head\n\n*x*")))
    assert md.text == "Head\n\nx" and md.styles
    mdown = one(read_file(write(tmp_path, "b.Markdown", "*x*")))
    assert mdown.text == "x"
    txt = one(read_file(write(tmp_path, "c.TXT", "*x*")))
    assert txt.text == "*x*" and txt.styles == []
    lines = list(read_file(write(tmp_path, "d.JSONL", '{"text": "*x*"}\n')))
    assert [a.text for a in lines] == ["*x*"]


def test_invalid_utf8_is_yielded_not_raised(tmp_path):
    err = one(read_file(write(tmp_path, "bad.md", b"ok\nline \xc3\x28 here")))
    assert isinstance(err, ArticleError)
    assert err.reason == "not valid UTF-8 (byte 0xc3 at offset 8)"
    assert err.line == 2
    assert str(err) == f"{tmp_path / 'bad.md'}:2: not valid UTF-8 (byte 0xc3 at offset 8)"


def test_nul_bytes_mean_binary(tmp_path):
    err = one(read_file(write(tmp_path, "bin.txt", b"abc\x00def")))
    assert isinstance(err, ArticleError)
    assert err.reason == "binary file (NUL byte at offset 3)"
    err = one(read_file(write(tmp_path, "bin.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00")))
    assert isinstance(err, ArticleError) and err.reason.startswith("binary file")


def test_utf16_gets_a_helpful_message(tmp_path):
    err = one(read_file(write(tmp_path, "w.txt", "hello".encode("utf-16"))))
    assert isinstance(err, ArticleError) and "UTF-16" in err.reason


def test_unreadable_and_unsupported_files_are_yielded(tmp_path):
    missing = one(read_file(tmp_path / "gone.md"))
    assert isinstance(missing, ArticleError) and "cannot read" in missing.reason
    missing_jsonl = one(read_file(tmp_path / "gone.jsonl"))
    assert isinstance(missing_jsonl, ArticleError)
    folder = one(read_file(write(tmp_path, "dir.md/x.md", "x").parent))
    assert isinstance(folder, ArticleError)
    other = one(read_file(write(tmp_path, "x.pdf", "x")))
    assert isinstance(other, ArticleError) and "unsupported" in other.reason


def test_size_limit_is_generous():
    assert MAX_ARTICLE_BYTES >= 10 * 1024 * 1024


def test_article_error_shape():
    err = ArticleError("a/b.md", "broken\nthing", line=3)
    assert (err.path, err.reason, err.line) == ("a/b.md", "broken thing", 3)
    assert str(err) == "a/b.md:3: broken thing"
    assert str(ArticleError(Path("x.md"), "bad")) == "x.md: bad"
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.reason, again.line) == (err.path, err.reason, err.line)


# ---------------------------------------------------------------------------
# walking folders


def test_walk_recurses_sorted_and_skips(tmp_path):
    for name in [
        "b.md",
        "a.txt",
        "sub/z.jsonl",
        "sub/deeper/c.markdown",
        "A.MD",
        "notes.pdf",
        "sub/img.png",
        "README",
        ".hidden.md",
        ".git/x.md",
        "sub/.cache/y.md",
    ]:
        write(tmp_path, name, "x")
    result = walk([tmp_path])
    assert isinstance(result, WalkResult)
    rel = [p.relative_to(tmp_path).as_posix() for p in result.files]
    assert rel == ["A.MD", "a.txt", "b.md", "sub/deeper/c.markdown", "sub/z.jsonl"]
    skipped = sorted(p.relative_to(tmp_path).as_posix() for p in result.skipped)
    assert skipped == ["README", "notes.pdf", "sub/img.png"]
    assert walk([str(tmp_path)]) == result  # str paths too, deterministic


def test_walk_takes_files_directly_keeps_argument_order_and_drops_duplicates(tmp_path):
    a = write(tmp_path, "a.md", "x")
    z = write(tmp_path, "z.md", "x")
    pdf = write(tmp_path, "doc.pdf", "x")
    hidden = write(tmp_path, ".draft.md", "x")
    result = walk([z, a, pdf, hidden, tmp_path])
    assert result.files == [z, a, hidden]
    assert result.skipped == [pdf]
    assert set(SUPPORTED_SUFFIXES) == {".md", ".markdown", ".txt", ".jsonl"}


def test_walk_missing_path_raises(tmp_path):
    with pytest.raises(ArticleError, match="no such file"):
        walk([tmp_path, tmp_path / "nope"])


def test_iter_articles_reads_everything_and_reports_errors(tmp_path):
    write(tmp_path, "one.md", "# One\n\nBody")
    write(tmp_path, "two.txt", "date 2024-01-01 Two")
    write(tmp_path, "three.jsonl", '{"text": "Three"}\nnot json\n')
    write(tmp_path, "four.md", b"\xff")
    write(tmp_path, "skip.doc", "x")
    found, items = iter_articles([tmp_path])
    assert [p.name for p in found.files] == ["four.md", "one.md", "three.jsonl", "two.txt"]
    assert [p.name for p in found.skipped] == ["skip.doc"]
    items = list(items)
    assert [type(i).__name__ for i in items] == [
        "ArticleError",
        "Article",
        "Article",
        "ArticleError",
        "Article",
    ]
    assert [i.id for i in items if isinstance(i, Article)] == ["one", "three-1", "two"]
    with pytest.raises(ArticleError):
        iter_articles([tmp_path / "missing"])


# ---------------------------------------------------------------------------
# the package stays free of the front end


def test_importing_articles_does_not_pull_in_textual_or_rich():
    code = (
        "import sys, annotations.articles; "
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules, "
        "[m for m in sys.modules if m.startswith(('textual', 'rich'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


SAMPLES = (
    sorted(p for p in (ROOT / "sample_articles").glob("**/*") if p.is_file())
    if (ROOT / "sample_articles").is_dir()
    else []
)


@pytest.mark.skipif(not SAMPLES, reason="sample_articles/ is empty")
def test_every_sample_article_reads_cleanly():
    found, items = iter_articles([ROOT / "sample_articles"])
    items = list(items)
    errors = [str(i) for i in items if isinstance(i, ArticleError)]
    assert errors == []
    assert items
    ids = [a.id for a in items]
    assert len(ids) == len(set(ids))
    for article in items:
        assert article.text and article.title
        check_bounds(article.text, article.styles)
