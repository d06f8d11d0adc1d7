"""A hostile corpus, generated here, through import, every export format and merge.

Each file is either stored faithfully or refused with one line naming it;
the rest of the batch goes on; nothing stored earlier changes; no YAML tag
is constructed; no file is written outside the output folder; no escape
sequence reaches the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.formats import FORMATS
from annotations.store import Store
from tui.cli import cli

MARKUP = "[Reuters] [bold]x[/bold] [/] [@click=app.quit]x[/] [link=https://e.vil]y[/link]"
ESCAPES = "\x1b[2J\x1b]0;t\x07\x9b31m"
CONTROL = "".join(chr(c) for c in (1, 2, 8, 11, 12, 14, 27, 127, 0x85, 0x9f))
BAD_IDS = ["../../etc/passwd", "a/b", "CON", "x" * 300, "..", "nul.txt"]


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


def build_corpus(root: Path) -> dict[str, str]:
    """Write the corpus; returns file name -> expected outcome ('ok' or 'error')."""
    root.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    def put(name: str, data: bytes | str, outcome: str) -> None:
        p = root / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expect[name] = outcome

    put("invalid-utf8.md", b"---\ntitle: x\n---\ncaf\xe9 \xff\xfe text\n", "error")
    put("binary.md", bytes(range(256)) * 8, "error")
    put("empty.md", b"", "error")
    put("empty.txt", b"", "error")
    put("only-front-matter.md", "---\ntitle: Nothing here\n---\n", "error")
    put("unclosed.md", "---\ntitle: never closed\nbody text\n", "error")
    put("not-mapping.md", "---\n- a\n- list\n---\nBody.\n", "error")
    put("invalid-yaml.md", "---\ntitle: [oops\n---\nBody.\n", "error")
    put("python-tag.md", "---\ntitle: !!python/object/apply:os.system ['touch PWNED']\n---\n"
        "Body.\n", "error")
    put("dup-a.md", "---\nid: same-id\ntitle: First\n---\nFirst text.\n", "ok")
    put("dup-b.md", "---\nid: same-id\ntitle: Second\n---\nSecond text.\n", "error")
    put("huge.txt", ("Officials said the port was safe. " * 30 + "\n\n") * 10_500, "ok")
    put("crlf-bom.md", "\ufeff---\r\ntitle: Windows\r\n---\r\nLine one.\r\nLine two.\r\n", "ok")
    put("nul.txt", "before\x00after", "error")
    put("control.txt", f"Control {CONTROL} and escapes {ESCAPES} in text.", "ok")
    put("markup.md", f"---\ntitle: '{MARKUP}'\n---\nBody with {MARKUP} inside.\n", "ok")
    for i, bad in enumerate(BAD_IDS):
        put(f"bad-id-{i}.md", f"---\nid: {json.dumps(bad)}\ntitle: bad id {i}\n---\nText {i}.\n",
            "ok")
    put("empty-id.md", "---\nid: ''\n---\nText.\n", "error")
    lines = [
        json.dumps({"id": "j1", "text": f"jsonl {MARKUP}", "title": ESCAPES + "title"}),
        "{broken json",
        json.dumps({"id": "j2"}),
        json.dumps({"id": "j3", "text": "fine"}),
    ]
    put("mixed.jsonl", "\n".join(lines) + "\n", "ok")
    return expect


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "corpus"
    return root, build_corpus(root)


def test_import_hostile_corpus(tmp_path: Path, corpus: tuple[Path, dict[str, str]],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    root, expect = corpus
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "h.db"
    # work stored before the batch
    pre = Store.open(db)
    pre.import_articles([])
    pre.close()
    run("import", "--db", str(db), str(root / "dup-a.md"))
    s = Store.open(db)
    kept = s.add_span("same-id", "ana", "claim", 0, 5, note=MARKUP)
    before = s.get_span(kept.id)
    s.close()

    r = CliRunner().invoke(cli, ["import", "--db", str(db), str(root)], obj={})
    assert r.exit_code == 1
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    for name, outcome in expect.items():
        hit = [e for e in errors if f"{root / name}" in e]
        if outcome == "error":
            assert hit, f"no error line for {name}"
    assert all("\n" not in e for e in errors)
    assert not (tmp_path / "PWNED").exists() and not (root / "PWNED").exists()
    # jsonl: bad lines named with their line number, good ones stored
    assert any("mixed.jsonl:2" in e for e in errors)
    assert any("mixed.jsonl:3" in e for e in errors)

    s = Store.open(db)
    ids = set(s.article_ids())
    assert {"same-id", "huge", "crlf-bom", "control", "markup", "j1", "j3"} <= ids
    for bad in BAD_IDS:
        assert bad in ids
    assert s.get_article("control").text.startswith(f"Control {CONTROL}")
    assert ESCAPES in s.get_article("control").text
    assert s.get_article("markup").title == MARKUP
    assert MARKUP in s.get_article("markup").text
    assert s.get_article("crlf-bom").text == "Line one.\nLine two."
    assert len(s.get_article("huge").text) > 10_000_000
    # nothing stored earlier changed: the duplicate id did not replace the text
    assert s.get_article("same-id").text == "First text."
    assert s.get_span(kept.id) == before
    s.close()


def _hostile_db(tmp_path: Path, root: Path) -> Path:
    db = tmp_path / "h.db"
    CliRunner().invoke(cli, ["import", "--db", str(db), str(root)], obj={})
    s = Store.open(db)
    label = "[bold]evil[/]"
    for aid in ["markup", "control", "j1", *BAD_IDS]:
        text = s.get_article(aid).text
        s.add_span(aid, "[@click=app.quit]x[/]", label, 0, min(4, len(text)), note=ESCAPES)
        s.add_span(aid, "ana\x1b[2J", "claim", 0, min(6, len(text)), note=MARKUP)
        s.set_status(aid, "ana\x1b[2J", "done")
    s.close()
    return db


@pytest.mark.parametrize("fmt", ["jsonl", *sorted(FORMATS)])
def test_export_every_format_stays_inside(tmp_path: Path, corpus: tuple[Path, dict[str, str]],
                                          fmt: str) -> None:
    root, _ = corpus
    db = _hostile_db(tmp_path, root)
    out_root = tmp_path / "out"
    out_root.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    if FORMATS.get(fmt) and FORMATS[fmt].folder:
        target = out_root / "dir"
    else:
        target = out_root / f"export.{fmt}"
    if fmt == "spacy":
        pytest.importorskip("spacy")
    r = CliRunner().invoke(
        cli, ["export", "--db", str(db), "--format", fmt, "-o", str(target), "--article",
              "markup", "--article", "control", "--article", "j1",
              *[x for b in BAD_IDS for x in ("--article", b)]], obj={})
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stderr
    new = {p for p in tmp_path.rglob("*")} - before
    assert new, "nothing written"
    for p in new:
        assert p.resolve().is_relative_to(out_root.resolve()), p
    if fmt == "jsonl":
        recs = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
        for rec in recs:
            for sp in rec["spans"]:
                assert rec["text"][sp["start"]:sp["end"]] == sp["text"]


def test_merge_hostile_pack(tmp_path: Path, corpus: tuple[Path, dict[str, str]]) -> None:
    root, _ = corpus
    db = _hostile_db(tmp_path, root)
    pack = tmp_path / "pack.jsonl"
    run("export", "--db", str(db), "--format", "jsonl", "-o", str(pack), "--article", "markup",
        "--article", "control", *[x for b in BAD_IDS for x in ("--article", b)])
    other = tmp_path / "other.db"
    team = [x for name in ("ana", "ana\x1b[2J", "[@click=app.quit]x[/]") for x in ("--from", name)]
    r = CliRunner().invoke(cli, ["merge", "--db", str(other), *team, str(pack)], obj={})
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stderr
    a, b = Store.open(db), Store.open(other)
    for aid in ["markup", "control", *BAD_IDS]:
        assert [(s.id, s.label, s.note, s.annotator) for s in a.spans(aid)] == [
            (s.id, s.label, s.note, s.annotator) for s in b.spans(aid)]
        assert a.get_article(aid).text == b.get_article(aid).text


@pytest.mark.anyio
async def test_annotator_walks_the_hostile_corpus(tmp_path: Path,
                                                  corpus: tuple[Path, dict[str, str]]) -> None:
    """Open every stored hostile article in the annotator, tag it, and stay alive."""
    from annotations.suggest.settings import OFF
    from tests.test_tui_safety import screen_text
    from tui.app import StancemarkApp

    root, _ = corpus
    db = _hostile_db(tmp_path, root)
    store = Store.open(db)
    ids = store.article_ids()  # the 10 MB article included
    app = StancemarkApp(store=store, annotator="[b]rita[/]", start_article=ids[0],
                        suggest=OFF)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for _ in ids:
            screen = app.screen
            await pilot.press("s", "c")
            shown = screen_text(app)
            assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert app.is_running
        assert "[b]rita[/]" in screen_text(app)
        assert screen is app.screen
    tagged = {s.article_id for s in store.annotator_spans("[b]rita[/]")}
    assert tagged == set(ids)
    assert "[Reuters]" in store.get_article("markup").title
    store.close()
