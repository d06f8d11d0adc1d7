"""The `stancemark` command through click's test runner."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.store import Store
from annotations.timestamps import format_timestamp, utc_now
from tui.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_articles"

#: A time an hour ahead: wins over what the tests store, without being refused as future.
SOON = format_timestamp(utc_now() + timedelta(hours=1))


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, env=env, input=input,
                              catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def write(p: Path, text: str | bytes) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def test_import_samples_then_idempotent(db: Path) -> None:
    r = run("import", "--db", str(db), str(SAMPLES))
    assert r.exit_code == 0, r.output
    assert "failed 0" in r.stderr
    n = Store.open(db).count_articles()
    assert n >= 12 + 4  # markdown + txt + several jsonl articles
    r2 = run("import", "--db", str(db), str(SAMPLES))
    assert f"imported 0, updated 0, unchanged {n}" in r2.stderr


def test_import_bad_file_reports_and_continues(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    write(src / "good.md", "---\ntitle: Good\n---\nA fine article.\n")
    write(src / "bad.md", "---\ntitle: [unclosed\n---\nBody\n")
    write(src / "latin1.txt", "caf\xe9 au lait".encode("latin-1"))
    write(src / "notes.pdf", b"%PDF-1.4")
    r = run("import", "--db", str(db), str(src))
    assert r.exit_code == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2
    assert any("bad.md" in ln for ln in lines) and any("latin1.txt" in ln for ln in lines)
    assert "imported 1" in r.stderr and "skipped 1" in r.stderr and "failed 2" in r.stderr
    assert [a for a in Store.open(db).article_ids()] == ["good"]


def test_import_missing_path(db: Path, tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "Hello there.")
    r = run("import", "--db", str(db), str(tmp_path / "nope"), str(tmp_path / "ok.txt"))
    assert r.exit_code == 1
    assert "nope" in r.stderr and "imported 1" in r.stderr


def test_db_env_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "Some text here.")
    envdb = tmp_path / "env.db"
    r = run("import", str(tmp_path / "a.txt"), env={"STANCEMARK_DB": str(envdb)})
    assert r.exit_code == 0 and envdb.exists()
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["import", "a.txt"], obj={}, env={"STANCEMARK_DB": None})
    assert r.exit_code == 0 and (tmp_path / "stancemark.db").exists()


def test_stats_json_and_table(db: Path) -> None:
    run("import", "--db", str(db), str(SAMPLES))
    s = Store.open(db)
    aid = s.article_ids()[0]
    s.add_span(aid, "ana", "claim", 0, 5)
    s.add_span(aid, "bob", "denial", 0, 5)
    s.set_status(aid, "bob", "done")
    s.close()
    r = run("stats", "--db", str(db), "--json")
    data = json.loads(r.output)
    assert data["spans"] == 2 and data["labels"] == {"claim": 1, "denial": 1}
    assert data["statuses"]["bob"] == {"done": 1}
    t = run("stats", "--db", str(db))
    assert "claim: 1" in t.output and "bob" in t.output


def test_stats_names_are_printable(db: Path, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Some text here.")
    run("import", "--db", str(db), str(tmp_path / "a.txt"))
    s = Store.open(db)
    s.add_span("a", "\x1b[2Jevil", "claim", 0, 4)
    s.close()
    r = run("stats", "--db", str(db))
    assert "\x1b" not in r.output and "\\x1b[2Jevil" in r.output


def _seed(db: Path) -> None:
    run("import", "--db", str(db), str(SAMPLES))
    s = Store.open(db)
    ids = s.article_ids()
    t = s.get_article(ids[0]).text
    s.add_span(ids[0], "ana", "claim", 0, len(t.split()[0]), note="first")
    s.add_span(ids[0], "bob", "claim", 0, len(t.split()[0]))
    s.add_span(ids[1], "ana", "denial", 0, 3)
    s.set_status(ids[0], "ana", "done")
    s.close()


def test_export_jsonl_to_stdout_and_file(db: Path, tmp_path: Path) -> None:
    _seed(db)
    r = run("export", "--db", str(db), "--format", "jsonl")
    lines = r.stdout.splitlines()
    assert len(lines) == Store.open(db).count_articles()
    assert "exported" in r.stderr and "spans as jsonl" in r.stderr
    out = tmp_path / "pack.jsonl"
    run("export", "--db", str(db), "--format", "jsonl", "-o", str(out))
    assert out.read_text(encoding="utf-8") == r.stdout
    # filters
    r = run("export", "--db", str(db), "--format", "jsonl", "--status", "done")
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(recs) == 1 and {s["annotator"] for s in recs[0]["spans"]} == {"ana"}
    r = run("export", "--db", str(db), "--format", "jsonl", "--annotator", "bob",
            "--label", "claim")
    spans = [s for x in r.stdout.splitlines() for s in json.loads(x)["spans"]]
    assert [s["annotator"] for s in spans] == ["bob"]


def test_export_csv_and_orphans(db: Path) -> None:
    _seed(db)
    r = run("export", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 3
    assert {"article_id", "title", "annotator", "label", "start", "end", "text", "note",
            "created_at", "updated_at"} <= set(rows[0])
    s = Store.open(db)
    aid = s.article_ids()[1]
    s.conn.execute("UPDATE spans SET anchor = 'orphaned' WHERE article_id = ?", (aid,))
    s.close()
    r = run("export", "--db", str(db), "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 2
    assert "1 orphaned" in r.stderr
    r = run("export", "--db", str(db), "--format", "csv", "--include-orphaned")
    assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 3


def test_export_csv_exact_with_one_warning_and_excel_safe(db: Path, tmp_path: Path) -> None:
    """csv cells are exact; the formula-like ones (two quotes, a note, the title on each
    row) are counted in one stderr line."""
    write(tmp_path / "f.txt", "=SUM(A1) said the memo. @handle replied.")
    run("import", "--db", str(db), str(tmp_path / "f.txt"))
    s = Store.open(db)
    s.add_span("f", "ana", "claim", 0, 8, note="-check")
    s.add_span("f", "ana", "context", 24, 31)
    s.close()
    r = run("export", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["text"] for row in rows] == ["=SUM(A1)", "@handle"]
    assert rows[0]["note"] == "-check"
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: csv: 5 cell(s) start with =, +, -, @, tab or CR, which a spreadsheet runs "
        "as a formula; to open the export in one use --format xlsx (exact and safe) or "
        "--excel-safe"
    ]
    r = run("export", "--db", str(db), "--format", "csv", "--excel-safe")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["text"] for row in rows] == ["'=SUM(A1)", "'@handle"]
    assert "warning:" not in r.stderr and "5 cell(s)" in r.stderr


def test_export_xlsx_needs_a_file_and_is_deterministic(db: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(db)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run("export", "--db", str(db), "--format", "xlsx", "-o", str(a)).exit_code == 0
    assert run("export", "--db", str(db), "--format", "xlsx", "-o", str(b)).exit_code == 0
    assert a.read_bytes() == b.read_bytes() and a.read_bytes().startswith(b"PK")
    import tui.cli.export as export_module

    class Terminal:
        buffer = io.BytesIO()

        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(export_module, "_stdout", Terminal)
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "xlsx"], obj={})
    assert r.exit_code != 0 and "binary" in r.output


def test_export_is_deterministic(db: Path) -> None:
    _seed(db)
    a = run("export", "--db", str(db), "--format", "jsonl").stdout_bytes
    b = run("export", "--db", str(db), "--format", "jsonl").stdout_bytes
    assert a == b


def test_export_folder_format_needs_output(db: Path, tmp_path: Path) -> None:
    _seed(db)
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "brat"], obj={})
    assert r.exit_code != 0 and "-o DIR" in r.output
    out = tmp_path / "brat"
    r = run("export", "--db", str(db), "--format", "brat", "-o", str(out))
    assert r.exit_code == 0
    assert sorted(p.suffix for p in out.iterdir()) and all(
        p.resolve().parent == out.resolve() for p in out.rglob("*"))


def test_merge_command(db: Path, tmp_path: Path) -> None:
    _seed(db)
    pack = tmp_path / "pack.jsonl"
    run("export", "--db", str(db), "--format", "jsonl", "-o", str(pack))
    other = tmp_path / "other.db"
    team = ["--from", "ana", "--from", "bob"]
    r = run("merge", "--db", str(other), *team, str(pack))
    assert r.exit_code == 0, r.stderr
    assert "3 added" not in r.stderr and "added" in r.stderr
    assert Store.open(other).count_articles() == Store.open(db).count_articles()
    r2 = run("merge", "--db", str(other), *team, str(pack))
    assert " 0 added, 0 updated" in r2.stderr
    bad = write(tmp_path / "bad.jsonl", pack.read_text(encoding="utf-8") + "{oops\n")
    r3 = CliRunner().invoke(cli, ["merge", "--db", str(other), *team, str(bad)], obj={})
    assert r3.exit_code == 1 and f"{bad}:" in r3.stderr


def test_agreement_json_nulls(db: Path) -> None:
    _seed(db)
    r = run("agreement", "--db", str(db), "--json")
    data = json.loads(r.output)
    assert data["annotators"] == ["ana", "bob"]
    pair = data["pairs"][0]
    assert (pair["a"], pair["b"]) == ("ana", "bob")
    assert pair["exact_f1"] == 1.0
    r = run("agreement", "--db", str(db), "--json", "--label", "context")
    assert json.loads(r.output)["pairs"][0]["exact_f1"] is None
    t = run("agreement", "--db", str(db))
    assert "exact F1" in t.output and "alpha" in t.output


def test_agreement_leaves_gold_out_unless_asked(db: Path) -> None:
    """gold copies the annotators: as a rater it would lift every figure."""
    _seed(db)
    s = Store.open(db)
    ids = s.article_ids()
    t = s.get_article(ids[0]).text
    s.add_span(ids[0], "gold", "claim", 0, len(t.split()[0]))
    s.set_status(ids[1], "gold", "done")
    s.close()
    data = json.loads(run("agreement", "--db", str(db), "--json").output)
    assert data["annotators"] == ["ana", "bob"] and len(data["pairs"]) == 1
    table = run("agreement", "--db", str(db)).output
    assert "gold" not in table
    data = json.loads(run("agreement", "--db", str(db), "--json", "--include-gold").output)
    assert data["annotators"] == ["ana", "bob", "gold"] and len(data["pairs"]) == 3
    # naming gold asks for it too
    data = json.loads(run("agreement", "--db", str(db), "--json", "--annotator", "ana",
                          "--annotator", "gold").output)
    assert data["annotators"] == ["ana", "gold"]
    # the same first-word claim; ana's denial on the second article gold marked done without
    assert data["pairs"][0]["exact_f1"] == pytest.approx(2 / 3)


def test_default_command_needs_articles(db: Path) -> None:
    r = CliRunner().invoke(cli, ["--db", str(db)], obj={})
    assert r.exit_code != 0 and "no articles" in r.output


def test_invalid_labels_file_stops_startup(db: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "labels.yaml", "labels:\n  - name: claim\n    color: red\n")
    r = CliRunner().invoke(cli, ["--db", str(db), "--labels", str(bad)], obj={})
    assert r.exit_code != 0 and "labels.yaml" in r.output and "color" in r.output


def test_bad_databases_get_one_line_messages(tmp_path: Path) -> None:
    import sqlite3

    junk = write(tmp_path / "junk.db", b"\x00garbage" * 512)
    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    c = sqlite3.connect(newer)
    c.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    c.commit()
    c.close()
    cases = {
        str(junk): "corrupted",
        str(newer): "newer stancemark",
        str(tmp_path / "no" / "such" / "x.db"): "does not exist",
    }
    for path, words in cases.items():
        for args in (["stats", "--db", path], ["import", "--db", path, str(SAMPLES)],
                     ["--db", path]):
            r = CliRunner().invoke(cli, args, obj={})
            assert r.exit_code == 1, (args, r.output)
            assert words in r.output and "Traceback" not in r.output
            assert len([ln for ln in r.output.splitlines() if ln.strip()]) == 1


@pytest.mark.parametrize("command", [["stats"], ["stats", "--json"], ["agreement"],
                                     ["export", "--format", "csv"], ["review"]])
def test_read_only_commands_refuse_a_missing_database(tmp_path: Path,
                                                      command: list[str]) -> None:
    """A mistyped --db is one line, not a new empty database reporting zeros."""
    typo = tmp_path / "stancemrak.db"
    for args in ([*command, "--db", str(typo)], ["--db", str(typo), *command]):
        r = CliRunner().invoke(cli, [*args, "--annotator", "rita"] if command == ["review"]
                               else args, obj={})
        assert r.exit_code == 1, r.output
        assert r.output == (f"Error: {typo}: no such database (check --db or $STANCEMARK_DB; "
                            "`stancemark import` creates one)\n")
        assert not typo.exists() and list(tmp_path.iterdir()) == []
    r = CliRunner().invoke(cli, ["stats"], obj={}, env={"STANCEMARK_DB": str(typo)})
    assert r.exit_code == 1 and "no such database" in r.output and not typo.exists()


def test_commands_that_add_create_the_database(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    pack = write(tmp_path / "p.jsonl", '{"id": "a", "text": "Alpha."}\n')
    assert run("merge", "--db", str(db), str(pack)).exit_code == 0 and db.exists()
    db.unlink()
    assert run("import", "--db", str(db), str(pack)).exit_code == 0 and db.exists()


def test_damaged_database_mid_command_is_one_line(db: Path) -> None:
    import sqlite3

    _seed(db)
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spans'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(b"\xff" * page)
    for args in (["stats"], ["export", "--format", "csv"], ["agreement"]):
        r = CliRunner().invoke(cli, [*args, "--db", str(db)], obj={})
        assert r.exit_code == 1, (args, r.output)
        assert "damaged" in r.output or "corrupted" in r.output or "malformed" in r.output
        assert "Traceback" not in r.output


def test_export_to_a_terminal_escapes_controls(db: Path, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    write(tmp_path / "evil.txt", "Bad \x1b[2J news \x1b]0;t\x07 here.")
    run("import", "--db", str(db), str(tmp_path / "evil.txt"))
    s = Store.open(db)
    s.add_span("evil", "ana\x1b[31m", "claim", 0, 3)
    s.close()
    import tui.cli.export as export_module

    class FakeOut:
        def __init__(self) -> None:
            self.buffer = io.BytesIO()

        def isatty(self) -> bool:
            return True

    fake = FakeOut()
    monkeypatch.setattr(export_module, "_stdout", lambda: fake)
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "csv"], obj={})
    assert r.exit_code == 0, r.output
    out = fake.buffer.getvalue().decode()
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J" in out
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "xlsx"], obj={})
    assert r.exit_code != 0 and "binary" in r.output
    # spacy writes a folder of shards since issue 19 (it was a binary file)
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "spacy"], obj={})
    assert r.exit_code != 0 and "folder" in r.output


def test_import_pack_with_rejected_spans_fails(db: Path, tmp_path: Path) -> None:
    _seed(db)
    pack = tmp_path / "p.jsonl"
    run("export", "--db", str(db), "--format", "jsonl", "-o", str(pack))
    lines = pack.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["spans"][0]["annotator"] = "mallory"
    rec["spans"][0]["updated_at"] = SOON  # newer than ours, but not refused as future
    lines[0] = json.dumps(rec)
    pack.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["import", "--db", str(db), str(pack)], obj={})
    assert r.exit_code == 1
    assert f"{pack}:1:" in r.stderr and "1 rejected" in r.stderr


# ------------------------------------------------------------------ review
@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Records what `review` would open instead of running the TUI."""
    from tui.app import StancemarkApp

    seen: list[dict[str, object]] = []

    def fake_run(self: StancemarkApp) -> None:
        seen.append({"annotator": self.annotator, "against": self.review_against,
                     "start": self.start_article})

    monkeypatch.setattr(StancemarkApp, "run", fake_run)
    return seen


def _team(db: Path, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Alpha said the plan failed. Beta denied that.")
    run("import", "--db", str(db), str(tmp_path / "a.txt"))
    s = Store.open(db)
    s.add_span("a", "ana", "claim", 0, 5)
    s.add_span("a", "bob", "claim", 0, 5)
    s.add_span("a", "gold", "claim", 0, 5)
    s.set_status("a", "cy", "done")  # cy read it and found nothing
    s.close()


def test_review_defaults_to_everyone_else(db: Path, tmp_path: Path, opened) -> None:
    _team(db, tmp_path)
    r = run("review", "--db", str(db), "--annotator", "ana")
    assert r.exit_code == 0, r.output
    assert opened == [{"annotator": "ana", "against": ["bob", "cy"], "start": None}]
    r = run("--annotator", "rita", "review", "--db", str(db), "--against", "bob",
            "--against", "ana", "--against", "bob", "--article", "a")
    assert r.exit_code == 0, r.output
    assert opened[-1] == {"annotator": "rita", "against": ["bob", "ana"], "start": "a"}


def test_review_argument_errors(db: Path, tmp_path: Path, opened) -> None:
    def fails(*args: str, env: dict[str, str] | None = None) -> str:
        r = CliRunner().invoke(cli, ["review", "--db", str(db), *args], obj={}, env=env)
        assert r.exit_code != 0
        return r.output

    assert "no such database" in fails("--annotator", "ana")  # review only reads: #13 item 10
    assert not db.exists()
    Store.open(db).close()
    assert "no articles" in fails("--annotator", "ana")
    write(tmp_path / "a.txt", "Alpha said the plan failed.")
    run("import", "--db", str(db), str(tmp_path / "a.txt"))
    s = Store.open(db)
    s.add_span("a", "ana", "claim", 0, 5)
    s.close()
    out = fails("--annotator", "ana")
    assert "nobody to review" in out and "--against" in out
    assert "gold" in fails("--annotator", "rita", "--against", "gold")
    assert "not a reviewer" in fails(env={"STANCEMARK_ANNOTATOR": "gold"})
    out = fails("--annotator", "rita", "--against", "zed")
    assert "'zed' has no spans" in out and "nothing to review" in out
    assert "no article with id 'nope'" in fails("--annotator", "rita", "--article", "nope")
    assert opened == []
    r = run("review", "--db", str(db), "--annotator", "rita")
    assert r.exit_code == 0 and opened[-1]["against"] == ["ana"]


def test_default_command_forms_open_the_annotator(db: Path, tmp_path: Path, opened,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`stancemark [--db X] [PATH...]` in every order opens the annotator, as before."""
    write(tmp_path / "a.txt", "Alpha said the plan failed.")
    env = {"STANCEMARK_CONFIG": str(tmp_path / "no-config.yaml"), "STANCEMARK_ANNOTATOR": "ana"}
    monkeypatch.chdir(tmp_path)
    forms = (
        ["--db", str(db), "a.txt"],
        ["--db", str(db)],
        ["a.txt", "--db", str(db)],
        ["--annotator", "bob", "--db", str(db)],
    )
    for args in forms:
        r = run(*args, env=env)
        assert r.exit_code == 0, (args, r.output)
    for args in ([], ["a.txt"]):
        r = run(*args, env={**env, "STANCEMARK_DB": str(db)})
        assert r.exit_code == 0, (args, r.output)
    assert [o["annotator"] for o in opened] == ["ana", "ana", "ana", "bob", "ana", "ana"]
    assert all(o["against"] is None for o in opened)
    assert Store.open(db).article_ids() == ["a"]


def test_json_output_escapes_c1_and_bidi_characters(db: Path, tmp_path: Path) -> None:
    """C1 controls and bidi overrides in names never reach the terminal raw, JSON included."""
    write(tmp_path / "a.txt", "Some text here.")
    run("import", "--db", str(db), str(tmp_path / "a.txt"))
    evil = "ana\x9b31m\u202eevil"
    s = Store.open(db)
    s.add_span("a", evil, "claim", 0, 4)
    s.add_span("a", "bob", "claim", 0, 4)
    s.close()
    for args in (["stats", "--json"], ["stats"], ["agreement", "--json"], ["agreement"]):
        r = run(*args, "--db", str(db))
        assert r.exit_code == 0, r.output
        assert "\x9b" not in r.output and "\u202e" not in r.output, args
    assert evil in json.loads(run("stats", "--db", str(db), "--json").output)["annotators"]
    assert json.loads(run("agreement", "--db", str(db), "--json").output)["annotators"] == [
        evil, "bob"]


# ------------------------------------------------- output files (issue 14, item 5)
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_dev_full_fails_with_one_line(db: Path) -> None:
    _seed(db)
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "jsonl", "-o",
                                 "/dev/full"], obj={})
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: cannot write /dev/full: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_export_to_dev_stdout_arrives_on_stdout_and_keeps_the_node(db: Path,
                                                                   tmp_path: Path) -> None:
    _seed(db)
    pack = tmp_path / "pack.jsonl"
    run("export", "--db", str(db), "--format", "jsonl", "-o", str(pack))
    before = os.lstat("/dev/stdout")
    r = subprocess.run(
        [sys.executable, "-m", "tui.cli", "export", "--db", str(db), "--format", "jsonl", "-o",
         "/dev/stdout"], capture_output=True, cwd=ROOT, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == pack.read_bytes()
    after = os.lstat("/dev/stdout")
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert not stat.S_ISREG(after.st_mode)
    assert not list(Path("/dev").glob(".stdout*"))


def test_export_ignores_a_symlink_planted_at_the_old_temporary_name(db: Path,
                                                                    tmp_path: Path) -> None:
    _seed(db)
    out = tmp_path / "out"
    out.mkdir()
    victim = write(tmp_path / "victim.txt", "keep me")
    planted = out / ".pack.jsonl.tmp"
    planted.symlink_to(victim)
    r = run("export", "--db", str(db), "--format", "jsonl", "-o", str(out / "pack.jsonl"))
    assert r.exit_code == 0, r.output
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert victim.read_text(encoding="utf-8") == "keep me"
    expected = run("export", "--db", str(db), "--format", "jsonl").stdout
    assert (out / "pack.jsonl").read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in out.iterdir()) == [".pack.jsonl.tmp", "pack.jsonl"]


def test_import_real_wire_report(db: Path) -> None:
    """The wire report with its leading space: clean text, the date, a clean title."""
    import sqlite3

    wire = ROOT / "tests" / "files" / "wire-alibaba.txt"
    r = run("import", "--db", str(db), str(wire))
    assert r.exit_code == 0, r.output
    con = sqlite3.connect(db)
    title, published, text = con.execute(
        "SELECT title, published, text FROM articles WHERE id = 'wire-alibaba'").fetchone()
    con.close()
    assert published == "2025-11-15"
    assert text.startswith("A confidential White House memo alleges that Chinese e-commerce")
    assert "date 2025" not in text and "date 2025" not in title
    assert title.endswith("(NYSE:BABA) , is\u2026") and len(title) <= 120
def test_brat_export_into_a_folder_holding_files_needs_force(db: Path, tmp_path: Path) -> None:
    _seed(db)
    out = tmp_path / "brat"
    out.mkdir()
    precious = write(out / "notes.txt", "mine")
    args = ["export", "--db", str(db), "--format", "brat", "-o", str(out)]
    r = CliRunner().invoke(cli, args, obj={})
    assert r.exit_code == 1
    assert "already holds 1 file(s); give --force" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    r = run(*args, "--force")
    assert r.exit_code == 0, r.output
    assert precious.read_text(encoding="utf-8") == "mine"
    assert (out / "annotation.conf").exists()
    r = CliRunner().invoke(cli, args, obj={})  # its own earlier export counts as files too
    assert r.exit_code == 1 and "--force" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("export", "--db", str(db), "--format", "brat", "-o", str(empty)).exit_code == 0
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "brat", "-o",
                                 str(precious)], obj={})
    assert r.exit_code == 1 and "not a folder" in r.stderr


def test_brat_export_says_when_the_folder_is_a_symlink(db: Path, tmp_path: Path) -> None:
    _seed(db)
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "out"
    link.symlink_to(real)
    r = run("export", "--db", str(db), "--format", "brat", "-o", str(link))
    assert r.exit_code == 0
    assert f"note: {link} is a symbolic link; writing into {real.resolve()}" in r.stderr
    assert (real / "annotation.conf").exists()
    assert r.stderr.index("symbolic link") < r.stderr.index("exported")
