"""Every way text reaches a terminal uses the one set of unsafe characters (issue 14, section 6).

The CLI passed bidi overrides (U+202E) and C1 controls (U+009B in ``--json``)
raw.  :data:`annotations.safety.UNSAFE_CHARS` is the one set, for the core and
the TUI; here each output path gets a string holding one of each kind and must
show none of them raw: CLI messages (errors, notes, summaries), tables,
``--json``, progress descriptions, serve's printed lines, click's own errors,
store errors met mid-command, a bug's traceback, and in the TUI notifications
and the crash report.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.safety import UNSAFE, UNSAFE_CHARS
from annotations.store import Store
from tui.cli import cli, printable_excepthook

#: ESC (with a screen-clearing sequence), BEL, C1 CSI, NEL, DEL, a bidi override, an
#: isolate, a line separator: one of each kind in the set.
NASTY = "n\x1b[2J\x07\x9b31m\x85\x7f\u202e\u2066\u2028x"
RAW = "\x1b\x07\x9b\x85\x7f\u202e\u2066\u2028"


def clean(text: str) -> bool:
    """No unsafe character raw (and the string above left its escapes behind)."""
    return not any(ch in text for ch in RAW) and UNSAFE.search(text) is None


def test_the_string_holds_every_kind_of_the_one_set() -> None:
    assert all(re.fullmatch(f"[{UNSAFE_CHARS}]", ch) for ch in RAW)


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, env=env, catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    (tmp_path / "a.txt").write_text("Some text here.", encoding="utf-8")
    assert run("import", "--db", str(path), str(tmp_path / "a.txt")).exit_code == 0
    with Store.open(path) as store:
        store.add_span("a", NASTY, "claim", 0, 4)
        store.add_span("a", "bob", "claim", 0, 4)
        store.set_status("a", NASTY, "done")
    return path


# ---------------------------------------------------------------- CLI messages
def test_cli_errors_notes_and_summaries(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / f"bad{NASTY}.md").write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    (src / f"costly{NASTY}.md").write_text("[" * 100_000, encoding="utf-8")
    (tmp_path / f"secret{NASTY}.txt").write_text("A secret.", encoding="utf-8")
    os.symlink(tmp_path / f"secret{NASTY}.txt", src / f"link{NASTY}.txt")
    r = run("import", "--db", str(tmp_path / "t.db"), str(src))
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert [ln.split(":", 1)[0] for ln in lines] == ["note", "error", "note", "imported 1, updated 0"
                                                     ", unchanged 0, skipped 1, failed 1"]
    assert all(clean(ln) and "\\x1b[2J" in ln for ln in lines[:3]), lines
    assert clean(r.stderr)


def test_merge_messages(tmp_path: Path) -> None:
    pack = tmp_path / f"pack{NASTY}.jsonl"
    pack.write_text('{"id": "a", "text": "x", "spans": []}\nnot json\n', encoding="utf-8")
    r = run("merge", "--db", str(tmp_path / "t.db"), str(pack))
    assert r.exit_code == 1 and "error:" in r.stderr and clean(r.stderr)


# ------------------------------------------------------------- tables and JSON
@pytest.mark.parametrize("command", ["stats", "agreement"])
def test_tables(db: Path, command: str) -> None:
    r = run(command, "--db", str(db))
    assert r.exit_code == 0 and clean(r.output) and "\\x1b[2J" in r.output


@pytest.mark.parametrize("command", ["stats", "agreement"])
def test_json(db: Path, command: str) -> None:
    r = run(command, "--db", str(db), "--json")
    assert r.exit_code == 0 and clean(r.output)
    assert NASTY in json.loads(r.output)["annotators"]  # the same data to a JSON reader


# ------------------------------------------------------- progress descriptions
def test_progress_descriptions() -> None:
    from tui.cli.progress import progress_bar

    bar = progress_bar(1000)
    task = bar.add_task(f"importing {NASTY} [bold]x[/]", total=10)
    bar.update(task, description=f"exporting {NASTY}")
    [column, *_] = bar.columns
    shown = column.render(bar.tasks[0])  # type: ignore[attr-defined]
    assert clean(bar.tasks[0].description) and clean(shown.plain)
    assert shown.plain.startswith("exporting n\\x1b[2J")
    first = bar.add_task("[bold]x[/]")
    assert column.render(bar.tasks[first]).plain == "[bold]x[/]"  # type: ignore[attr-defined]


# -------------------------------------------------------- serve's printed lines
def test_serve_startup_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / f"team{NASTY}"
    folder.mkdir()
    (tmp_path / "a.txt").write_text("Some text here.", encoding="utf-8")
    db = folder / "t.db"
    monkeypatch.setattr("tui.serve.server.StancemarkServer.serve",
                        lambda self: self.announce(self.url))
    r = run("serve", "--db", str(db), str(tmp_path / "a.txt"))
    assert r.exit_code == 0, r.output
    assert "stancemark serve: 1 articles in" in r.stdout and "\\x1b[2J" in r.stdout
    assert clean(r.stdout) and clean(r.stderr)


# ---------------------------------------------------------- exceptions' messages
@pytest.mark.parametrize(
    "args",
    [
        [f"--bogus{NASTY}"],                                   # No such option
        ["stats", "--db", "x.db", f"extra{NASTY}"],            # unexpected extra argument
        ["export", "--format", f"csv{NASTY}"],                 # invalid choice
        ["agreement", f"--label{NASTY}", "x"],                 # a subcommand's option
        ["import", "--db", f"no{NASTY}/t.db", "a.txt"],        # a store error, one line
        ["stats", "--db", f"missing{NASTY}.db"],
    ],
)
def test_click_and_store_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Some text here.", encoding="utf-8")
    r = run(*args)
    assert r.exit_code != 0
    assert clean(r.output) and clean(r.stderr) and "Error" in r.stderr
    assert "\\x1b[2J" in r.stderr or "\\\\x1b" in r.stderr


def test_a_damaged_database_met_mid_command(tmp_path: Path) -> None:
    junk = tmp_path / f"junk{NASTY}.db"
    junk.write_bytes(b"not a database at all" * 100)
    r = run("stats", "--db", str(junk))
    assert r.exit_code == 1 and clean(r.stderr) and len(r.stderr.splitlines()) == 1


def test_a_bugs_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stderr", out)
    try:
        raise ValueError(f"unexpected {NASTY}")
    except ValueError as e:
        printable_excepthook(type(e), e, e.__traceback__)
    assert "ValueError: unexpected n\\x1b[2J" in out.getvalue() and clean(out.getvalue())
    assert "Traceback (most recent call last):\n" in out.getvalue()  # lines kept


# ------------------------------------------------------------------- the TUI
@pytest.mark.anyio
async def test_tui_notifications_and_crash_report(tui_app) -> None:  # type: ignore[no-untyped-def]
    app = tui_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.notify(f"a message quoting {NASTY}", title=f"title {NASTY}", markup=False)
        await pilot.pause()
        shown = list(app._notifications)
        assert shown and all(clean(n.message) and clean(n.title) for n in shown)
        assert all(len(n.message) == len(f"a message quoting {NASTY}") for n in shown
                   if n.message.startswith("a message"))  # same length: symbols, not escapes
    # Textual prints a crash report after the app ends: plain and escaped.
    target = io.StringIO()
    app.error_console.file.target = target  # type: ignore[attr-defined]
    app.error_console.print(f"ValueError: {NASTY}")
    assert clean(target.getvalue()) and "\\x1b[2J" in target.getvalue()
