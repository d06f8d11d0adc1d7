"""What one markdown file or pack line may cost (issue 14, section 6).

Found: 1 MB of ``[`` took 67 s to parse, a 6 MB table 4 GB, and a pack line's
10,000 display styles 58 s to first paint; a JSONL line was read whole before
its length was checked.  Now the parser's work is counted (deterministically:
the same file gives the same text on every machine) and a body over the bound
is imported as plain text with a note naming the file; styles are capped per
article and the reader bounds its own work; a JSONL line is refused while it
is read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.articles import jsonl as jsonl_module
from annotations.articles import read_jsonl, read_markdown
from annotations.articles.fields import MAX_STYLES
from annotations.articles.markdown import (
    MAX_MARKDOWN_CHARS,
    MAX_WORK,
    MarkdownTooCostly,
    parse_markdown,
    work_budget,
)
from annotations.articles.source import iter_lines
from annotations.model import Article, StyleRange
from annotations.store import Store
from tui.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ROW = "| a | b | c | d |\n"
TABLE_HEAD = "| h | h | h | h |\n|---|---|---|---|\n"
NORMAL = (
    "## Section\n\nPort officials said on *Tuesday* that the pier would open in May, a claim "
    "the [transport department](https://x.org) later disputed in a **statement**.\n\n"
    "- item one\n- item two\n\n> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
)


# ------------------------------------------------------------ the parser's work
#: Shapes that cost the parser far more per character than prose, 100 KB each: one per
#: kind of count (link labels, table cells, block tokens and lines, inline steps,
#: references).  Unbounded, 1 MB of the first took 67 s and a 6 MB table 4 GB.
COSTLY = {
    "brackets": "[" * 100_000,
    "images": "![" * 50_000,
    "nested brackets": "[" * 50_000 + "]" * 50_000,
    "closed brackets": "[]" * 50_000,
    "unclosed links": "[a](" * 25_000,
    "escapes": "\\[" * 50_000,
    "table": TABLE_HEAD + ROW * 6_000,
    "list items": "- a\n" * 25_000,
    "quote lines": "> a\n" * 25_000,
    "headings": "# a\n" * 25_000,
    "emphasis": "*a " * 35_000,
    "underscores": "_a_ " * 25_000,
    "autolinks": "<a:" * 35_000,
    "entities": "&#" * 50_000,
    "references": "[a]: b\n" * 15_000,
}


@pytest.mark.parametrize("shape", sorted(COSTLY))
def test_costly_shapes_stop_at_the_work_bound(shape: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Each shape runs into the bound (lowered here to 40,000 steps, so that each stops
    within a fraction of a second; the real bound is ten times that)."""
    from annotations.articles import markdown

    monkeypatch.setattr(markdown, "MAX_WORK", 40_000)
    started = time.perf_counter()
    with pytest.raises(MarkdownTooCostly, match="more than 40,000 parser steps"):
        parse_markdown(COSTLY[shape])
    assert time.perf_counter() - started < 5  # about 0.2 s here


def test_the_bound_is_far_above_what_reports_need() -> None:
    """250 KB of dense markdown (a heading, list, quote and table every 270 characters)
    parses in full, as before, within half the bound; reports are 5-50 KB."""
    from annotations.articles import markdown

    source = NORMAL * (250_000 // len(NORMAL))
    budget = markdown._Budget(10**9)
    markdown._MD.parse(source, {markdown._BUDGET: budget})
    assert budget.limit - budget.left < MAX_WORK / 2
    text, styles = parse_markdown(source)
    assert len(styles) > 7_000 and "transport department" in text
    assert work_budget(len(source)) == MAX_WORK
    for sample in sorted((ROOT / "sample_articles").glob("*.md")):
        read_markdown(sample)  # every sample parses as markdown, with no note
        assert read_markdown(sample).notes == []


def test_too_large_a_body_is_refused_before_parsing() -> None:
    started = time.perf_counter()
    with pytest.raises(MarkdownTooCostly, match="markdown too large to parse"):
        parse_markdown("word " * (MAX_MARKDOWN_CHARS // 5 + 1))
    assert time.perf_counter() - started < 1


@pytest.mark.slow
def test_the_issues_cases_are_bounded_in_time_and_memory(tmp_path: Path) -> None:
    """1 MB of ``[`` (67 s before) and a 6 MB table (4 GB before), in a fresh process (its
    peak resident memory from /proc: ``ru_maxrss`` would count the forked parent's)."""
    probe = (
        "import sys, time\n"
        "from annotations.articles.markdown import parse_markdown, MarkdownTooCostly\n"
        "for source in ('[' * 1_000_000, sys.argv[1] + sys.argv[2] * (6_000_000 // 18),\n"
        "               sys.argv[1] + sys.argv[2] * (2_000_000 // 18)):\n"
        "    t = time.perf_counter()\n"
        "    try:\n"
        "        parse_markdown(source)\n"
        "    except MarkdownTooCostly:\n"
        "        pass\n"
        "    print(time.perf_counter() - t)\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(status.split('VmHWM:')[1].split()[0]) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, TABLE_HEAD, ROW], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    *seconds, peak_mb = out
    assert all(float(s) < 10 for s in seconds), seconds  # about 0.4, 0.0 and 0.1 s here
    assert int(peak_mb) < 200, peak_mb  # about 45 MB here, the interpreter included


def test_a_costly_markdown_file_is_imported_as_plain_text_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "brackets.md"
    body = "Opening line of the report.\n\n" + "[" * 50_000
    path.write_text(f"---\ntitle: Brackets\n---\n\n{body}\n", encoding="utf-8")
    article = read_markdown(path)
    assert article.text == body and article.styles == [] and article.title == "Brackets"
    assert article.notes == [f"{path}: markdown too costly to parse (more than "
                             f"{MAX_WORK:,} parser steps); imported as plain text"]
    again = read_markdown(path)  # the bound counts steps, not time: always the same
    assert again.text == article.text
    db = tmp_path / "t.db"
    r = CliRunner().invoke(cli, ["import", "--db", str(db), str(path)], obj={},
                           catch_exceptions=False)
    assert r.exit_code == 0
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    assert notes == [f"note: {article.notes[0]}"]
    with Store.open(db) as store:
        stored = store.get_article("brackets")
        assert stored is not None and stored.text == body


# ------------------------------------------------------------------- styles
def test_markdown_styles_are_capped_per_article(tmp_path: Path) -> None:
    path = tmp_path / "many.md"
    path.write_text("*a* " * (MAX_STYLES + 500), encoding="utf-8")
    article = read_markdown(path)
    assert len(article.styles) == MAX_STYLES
    assert article.styles == sorted(article.styles, key=lambda r: (r.start, -r.end, r.kind))
    assert article.notes == [f"{path}: {MAX_STYLES + 500:,} display styles; kept the first "
                             f"{MAX_STYLES:,} (the text is complete)"]


def test_pack_line_styles_are_capped_and_said(tmp_path: Path) -> None:
    text = "word " * 30_000
    styles = [[i * 5, i * 5 + 4, "strong"] for i in range(30_000)]
    path = tmp_path / "pack.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text, "styles": styles}) + "\n"
                    + json.dumps({"id": "b", "text": "fine", "styles": [[0, 4, "strong"]]})
                    + "\n", encoding="utf-8")
    first, second = list(read_jsonl(path))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert len(first.styles) == MAX_STYLES and first.text == text
    assert first.notes == [f"{path}:1: 30,000 display styles; kept the first "
                           f"{MAX_STYLES:,} (the text is complete)"]
    assert second.notes == [] and len(second.styles) == 1
    r = CliRunner().invoke(cli, ["import", "--db", str(tmp_path / "t.db"), str(path)], obj={},
                           catch_exceptions=False)
    assert r.exit_code == 0 and f"note: {first.notes[0]}" in r.stderr.splitlines()


@pytest.mark.anyio
async def test_the_reader_bounds_its_work_for_styles_over_the_whole_text(tmp_path: Path) -> None:
    """10,000 styles each over all 2,000 lines: 58 s to first paint before."""
    from annotations.labels import DEFAULT_LABELS
    from annotations.suggest.settings import OFF
    from tui.app import StancemarkApp
    from tui.widgets.reader import MAX_ROW_STYLES, MAX_STYLE_PIECES

    text = "\n".join(f"Line {i} of a long report with some words in it." for i in range(2000))
    styles = [StyleRange(0, len(text), "emphasis") for _ in range(10_000)]
    store = Store.open(tmp_path / "t.db")
    store.import_articles([Article(id="a", text=text, styles=styles)])
    app = StancemarkApp(store=store, annotator="ana", labels=list(DEFAULT_LABELS),
                        start_article="a", suggest=OFF)
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert time.perf_counter() - started < 10  # about 0.4 s here
        rows = app.screen.reader._style_rows
        assert sum(len(v) for v in rows.values()) <= MAX_STYLE_PIECES
        assert max(len(v) for v in rows.values()) == MAX_ROW_STYLES
        assert app.screen.reader.text.startswith("Line 0 of")
    store.close()


# ------------------------------------------------------------- JSONL lines
class Recording(io.BytesIO):
    """A stream that remembers the largest piece it handed out."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        piece = super().readline(size)
        self.largest = max(self.largest, len(piece))
        return piece


def test_lines_are_never_held_whole_beyond_the_limit() -> None:
    data = b"short\n" + b"x" * 5_000_000 + b"\n" + b"after\n" + b"tail without newline"
    stream = Recording(data)
    seen = bytearray()
    lines = list(iter_lines(stream, 1000, seen.extend))
    assert [(raw[:6], size) for raw, size in lines] == [
        (b"short\n", 6), (b"x" * 6, 5_000_001), (b"after\n", 6), (b"tail w", 20)]
    assert len(lines[1][0]) == 1001
    assert stream.largest <= 1024 * 1024  # the rest of the long line went by in chunks
    assert bytes(seen) == data  # every byte was seen (a digest of the file stays whole)


def test_an_over_long_jsonl_line_is_refused_while_read(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "MAX_ARTICLE_BYTES", 10_000)
    path = tmp_path / "a.jsonl"
    long_line = json.dumps({"id": "big", "text": "x" * 3_000_000})
    path.write_text(json.dumps({"id": "one", "text": "One."}) + "\n" + long_line + "\n"
                    + json.dumps({"id": "two", "text": "Two."}) + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert [getattr(i, "id", None) for i in items] == ["one", None, "two"]
    assert str(items[1]) == f"{path}:2: line too large"
