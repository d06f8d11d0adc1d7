"""`stancemark search`: text and JSON output, exit statuses like grep's, terminal safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.model import Article
from annotations.store import Store
from tui.cli import cli

TEXT = ("The embassy said Zoë Castillo's claim was baseless.\n\n"
        "武打明星李小龍出生於舊金山. Officials at the embassy declined to comment.")


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, env=env, catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    store = Store.open(path)
    store.import_articles([
        Article(id="emb", title="Embassy denies report", text=TEXT, source="Reuters",
                published="2025-11-03"),
        Article(id="evil", title="Evil \x1b[2J title [b]x[/b]",
                text="A \x1b]0;pwned\x07 embassy \u202eword here.", source="Wire"),
        Article(id="plain", title="Ferry fares", text="Nothing to see."),
    ])
    start = TEXT.index("Zoë")
    store.add_span("emb", "bob", "denial", start, TEXT.index(" was"), note="Castillo denies")
    store.close()
    return path


def test_text_output_ranks_hits_with_snippets(db: Path) -> None:
    r = run("search", "--db", str(db), "embassy")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "emb  Embassy denies report"  # the title hit ranks first
    assert lines[1].startswith("    The embassy said Zoë")
    assert lines[2].startswith("evil  Evil ")
    assert r.stderr.strip() == "2 hits"


def test_terminal_safety_of_titles_and_snippets(db: Path) -> None:
    r = run("search", "--db", str(db), "embassy")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\u202e" not in r.stdout
    assert "Evil \\x1b[2J title [b]x[/b]" in r.stdout  # escaped, never interpreted
    assert "\\x1b]0;pwned\\x07 embassy \\u202eword" in r.stdout


def test_several_arguments_make_one_query_and_qualifiers_work(db: Path) -> None:
    r = run("search", "--db", str(db), "--annotator", "bob", "has:denial", "span:castillo",
            "is:progress")
    assert r.exit_code == 0 and r.stdout.splitlines()[0] == "emb  Embassy denies report"
    assert "Castillo" in r.stdout.splitlines()[1]
    r = run("search", "--db", str(db), "--annotator", "ana", "has:denial")
    assert r.exit_code == 1 and r.stdout == ""
    assert "warning: has:denial: ana has no denial spans" in r.stderr
    r = run("--db", str(db), "--annotator", "bob", "search", "has:denial")  # group options
    assert r.exit_code == 0
    r = run("search", "--db", str(db), "span:castillo")
    assert "note: " not in r.stdout and "Castillo" in r.stdout


def test_exit_status_like_grep(db: Path) -> None:
    assert run("search", "--db", str(db), "小龍").exit_code == 0
    none = run("search", "--db", str(db), "zzzz")
    assert none.exit_code == 1 and none.stdout == "" and "0 hits" in none.stderr
    for bad, why in (('"unclosed', "unclosed quote"), ("date:2025-13", "month 13"),
                     ("foo:bar", "unknown qualifier")):
        r = run("search", "--db", str(db), bad)
        assert r.exit_code == 2 and r.stdout == ""
        assert r.stderr.startswith("Error: bad query: ") and why in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert run("search", "--db", str(db), " ").exit_code == 2
    assert run("search", "--db", str(db)).exit_code == 2  # no query: usage error


def test_limit(db: Path) -> None:
    r = run("search", "--db", str(db), "--limit", "1", "embassy")
    assert r.exit_code == 0
    assert [ln for ln in r.stdout.splitlines() if not ln.startswith(" ")] == [
        "emb  Embassy denies report"]
    assert "2 hits (showing 1; --limit 0 for all)" in r.stderr
    # a leading - excludes; after -- it is not taken for an option
    assert run("search", "--db", str(db), "--limit", "0", "--", "-zzz").stderr.strip() == "3 hits"


def test_json_lines_with_the_offsets_of_every_match(db: Path) -> None:
    r = run("search", "--db", str(db), "--json", 'embassy OR 小龍 span:castillo "zoë castillo"')
    assert r.exit_code == 0
    (hit,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert hit["id"] == "emb" and hit["rank"] == 1 and hit["title"] == "Embassy denies report"
    store = Store.open(db)
    article = store.get_article("emb")
    note = store.spans("emb")[0].note
    store.close()
    assert article is not None
    fields = {"title": article.title, "text": article.text, "note": note}
    got = [(m["field"], m["text"]) for m in hit["matches"]]
    assert got == [("title", "Embassy"), ("text", "embassy"), ("text", "Zoë Castillo"),
                   ("text", "Castillo"), ("text", "小龍"), ("text", "embassy"),
                   ("note", "Castillo")]
    for m in hit["matches"]:
        assert fields[m["field"]][m["start"]:m["end"]] == m["text"]  # code points
    assert {m.get("span_id") for m in hit["matches"]} >= {None}
    assert sum(1 for m in hit["matches"] if "span_id" in m) == 2


def test_json_is_terminal_safe(db: Path) -> None:
    r = run("search", "--db", str(db), "--json", "embassy")
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    evil = [json.loads(line) for line in r.stdout.splitlines()][1]
    assert evil["title"] == "Evil \x1b[2J title [b]x[/b]"  # the same data once parsed
