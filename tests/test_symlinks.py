"""A folder import reads no file from outside the folder unless asked (issue 14, section 6).

``in/appendix.txt -> ~/.ssh/id_rsa`` was imported, and its text would then have
travelled in packs.  Symlinked files that leave the folder being imported are
skipped with a note unless ``--follow-links`` (on ``import``, the annotator's
PATHs and ``serve``'s PATHs alike); links that stay inside it are read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.articles import walk
from annotations.store import Store
from tui.cli import cli

SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """``in/`` with a report, links inside it and links that leave it."""
    home = tmp_path / "home" / ".ssh"
    home.mkdir(parents=True)
    (home / "id_rsa").write_text(SECRET, encoding="utf-8")
    (tmp_path / "elsewhere.md").write_text("# Elsewhere\n\nNot in the folder.", encoding="utf-8")
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "report.md").write_text("# Report\n\nThe council denied it.", encoding="utf-8")
    (src / "sub" / "kept.txt").write_text("Kept inside the folder.", encoding="utf-8")
    os.symlink(home / "id_rsa", src / "appendix.txt")            # absolute, out
    os.symlink("../../elsewhere.md", src / "sub" / "relative.md")  # relative, out
    os.symlink("sub/kept.txt", src / "inside.txt")                # in
    os.symlink("inside.txt", src / "chain.txt")                   # a link to a link, in
    os.symlink(home, src / "linked-folder")                       # folders: never followed
    return src


def rel(paths: list[Path], root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in paths)


def test_walk_skips_links_that_leave_the_folder(folder: Path) -> None:
    found = walk([folder])
    assert rel(found.files, folder) == ["chain.txt", "inside.txt", "report.md", "sub/kept.txt"]
    assert rel(found.outside, folder) == ["appendix.txt", "sub/relative.md"]
    assert set(found.outside) <= set(found.skipped)
    followed = walk([folder], follow_links=True)
    assert rel(followed.files, folder) == ["appendix.txt", "chain.txt", "inside.txt",
                                           "report.md", "sub/kept.txt", "sub/relative.md"]
    assert followed.outside == []
    # A link named on the command line is the user's choice: read.
    assert walk([folder / "appendix.txt"]).files == [folder / "appendix.txt"]


def test_a_folder_given_through_a_link_is_still_one_folder(folder: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    os.symlink(folder, alias)
    found = walk([alias])
    assert rel(found.outside, alias) == ["appendix.txt", "sub/relative.md"]
    assert "inside.txt" in rel(found.files, alias)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


def texts(db: Path) -> list[str]:
    with Store.open(db) as store:
        return [a.text for a in (store.get_article(i) for i in store.article_ids()) if a]


@pytest.mark.parametrize("follow", [False, True])
def test_import_skips_them_with_a_note_unless_follow_links(folder: Path, tmp_path: Path,
                                                           follow: bool) -> None:
    db = tmp_path / "t.db"
    r = run("import", "--db", str(db), *(["--follow-links"] if follow else []), str(folder))
    assert r.exit_code == 0, r.output
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    stored = "\n".join(texts(db))
    if follow:
        assert notes == [] and "OPENSSH PRIVATE KEY" in stored and "Elsewhere" in stored
    else:
        assert len(notes) == 2 and all("outside" in n and "--follow-links" in n for n in notes)
        assert any("appendix.txt" in n for n in notes)
        assert "OPENSSH" not in stored and "Elsewhere" not in stored
        assert "skipped 2" in r.stderr  # the two links (a linked folder is never walked)
    assert "The council denied it." in stored and stored.count("Kept inside") == 3


@pytest.mark.parametrize("where", ["group", "command"])
def test_the_annotators_paths_take_follow_links_too(folder: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    where: str) -> None:
    monkeypatch.setattr("tui.cli.annotate.run_app", lambda *a, **k: None)
    db = tmp_path / "t.db"
    r = run("--db", str(db), "--annotator", "ana", str(folder))
    assert r.exit_code == 0 and "note:" in r.stderr
    assert not any("OPENSSH" in t for t in texts(db))
    args = (["--follow-links", str(folder)] if where == "group"
            else [str(folder), "--follow-links"])
    r = run("--db", str(db), "--annotator", "ana", *args)
    assert r.exit_code == 0 and "note:" not in r.stderr
    assert any("OPENSSH" in t for t in texts(db))


def test_serve_paths_take_follow_links_too(folder: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.serve.server.StancemarkServer.serve", lambda self: None)
    db = tmp_path / "t.db"
    r = run("serve", "--db", str(db), str(folder))
    assert r.exit_code == 0 and "outside" in r.stderr
    assert not any("OPENSSH" in t for t in texts(db))
    r = run("serve", "--db", str(db), "--follow-links", str(folder))
    assert r.exit_code == 0 and "note:" not in r.stderr
    assert any("OPENSSH" in t for t in texts(db))
