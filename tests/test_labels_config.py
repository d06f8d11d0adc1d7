"""Label schema files and annotator-name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from annotations.config import (
    ConfigError,
    after_tag,
    load_config,
    overriding_file,
    resolve_annotator,
    save_setting,
    user_config_path,
)
from annotations.labels import DEFAULT_LABELS, LabelError, load_labels


def test_defaults(tmp_path: Path) -> None:
    labels = load_labels(cwd=tmp_path)
    assert [lb.name for lb in labels] == ["claim", "denial", "context"]
    assert [lb.key for lb in labels] == ["c", "d", "x"]
    assert len({lb.color for lb in labels}) == 3
    assert all(lb.description for lb in DEFAULT_LABELS)


def test_custom_labels_from_working_folder(tmp_path: Path) -> None:
    (tmp_path / "stancemark.yaml").write_text(
        "labels:\n"
        "  - {name: allegation, key: g, color: '#112233', description: An allegation}\n"
        "  - {name: rebuttal, key: e, color: '#445566'}\n",
        encoding="utf-8",
    )
    labels = load_labels(cwd=tmp_path)
    assert [(lb.name, lb.key) for lb in labels] == [("allegation", "g"), ("rebuttal", "e")]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("labels: []\n", "non-empty 'labels'"),
        ("labels:\n  - {key: a, color: '#112233'}\n", "needs a non-empty 'name'"),
        ("labels:\n  - {name: a, key: g, color: red}\n", "'color'"),
        ("labels:\n  - {name: a, key: q, color: '#112233'}\n", "reserved"),
        ("labels:\n  - {name: a, key: g, color: '#112233'}\n  - {name: b, key: g, color: '#112233'}\n",
         "used twice"),
        ("labels:\n  - {name: a, color: '#112233'}\n  - {name: a, color: '#112233'}\n", "duplicate"),
        ("labels: [unclosed\n", "invalid YAML"),
        ("labels: !!python/object/apply:os.system ['echo pwned']\n", "invalid YAML"),
        # The core's one set of unsafe characters: a C0 control, a bidi override.
        ('labels:\n  - {name: "a\\x1b[2Jb", color: "#112233"}\n', "printable characters"),
        ('labels:\n  - {name: "cla\\u202eim", color: "#112233"}\n', "printable characters"),
    ],
)
def test_invalid_label_files(tmp_path: Path, body: str, problem: str) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(LabelError) as e:
        load_labels(f)
    assert str(e.value).startswith(str(f)) and problem in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("labels:\n  - {name: claim, key: g, colour: '#112233'}\n",
         "label 'claim': unknown key 'colour' (did you mean 'color'?)"),
        ("labels:\n  - {name: claim, hotkey: g, color: '#112233'}\n",
         "label 'claim': unknown key 'hotkey' (did you mean 'key'?)"),
        ("labels:\n  - {name: claim, color: '#112233', desc: An assertion}\n",
         "label 'claim': unknown key 'desc' (did you mean 'description'?)"),
        ("labels:\n  - {nmae: claim, color: '#112233'}\n",
         "label #1: unknown key 'nmae' (did you mean 'name'?)"),
        ("labels:\n  - {name: claim, color: '#112233', size: 3}\n",
         "label 'claim': unknown key 'size' (known: name, key, color, description, cues)"),
        ("labels:\n  - {name: claim, color: '#112233'}\nlables: []\n",
         "unknown key 'lables' (did you mean 'labels'?)"),
    ],
)
def test_unknown_label_keys_are_refused_with_a_suggestion(tmp_path: Path, body: str,
                                                          problem: str) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(LabelError) as e:
        load_labels(f)
    assert str(e.value) == f"{f}: {problem}"


def test_unknown_keys_in_the_working_folder_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "stancemark.yaml").write_text(
        "theme: nord\nlabels:\n  - {name: a, key: g, colour: '#112233'}\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"unknown key 'colour' \(did you mean 'color'\?\)"):
        load_labels(cwd=tmp_path)


def test_unknown_config_keys_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user.yaml"
    user.write_text("annotator: ana\nthme: nord\n", encoding="utf-8")
    monkeypatch.setenv("STANCEMARK_CONFIG", str(user))
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert str(e.value) == f"{user}: unknown key 'thme' (did you mean 'theme'?)"


def test_missing_label_file(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="no such file"):
        load_labels(tmp_path / "nope.yaml")


def test_annotator_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEMARK_ANNOTATOR", "env-name")
    assert resolve_annotator("cli-name", {"annotator": "cfg"}) == "cli-name"
    assert resolve_annotator(None, {"annotator": "cfg"}) == "env-name"
    monkeypatch.delenv("STANCEMARK_ANNOTATOR")
    assert resolve_annotator(None, {"annotator": "cfg"}) == "cfg"
    monkeypatch.setattr("annotations.config._git_user", lambda: "git-name")
    assert resolve_annotator(None, {}) == "git-name"
    monkeypatch.setattr("annotations.config._git_user", lambda: None)
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    assert resolve_annotator(None, {}) == "login-name"


def test_config_files_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user.yaml"
    user.write_text("annotator: ana\nkeys: {undo: z}\n", encoding="utf-8")
    monkeypatch.setenv("STANCEMARK_CONFIG", str(user))
    work = tmp_path / "work"
    work.mkdir()
    (work / "stancemark.yaml").write_text("keys: {redo: y}\ntheme: textual-light\n", "utf-8")
    cfg = load_config(work)
    assert cfg == {"annotator": "ana", "keys": {"undo": "z", "redo": "y"}, "theme": "textual-light"}
    user.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(work)


# ---------------------------------------------------------- saving a setting


def test_save_setting_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "stancemark" / "config.yaml"
    save_setting(path, "theme", "nord")
    assert path.read_text(encoding="utf-8") == "theme: nord\n"


def test_save_setting_keeps_other_keys_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# my settings\nannotator: ana  # me\ntheme: nord   # dark one\n"
                    "keys: {undo: z}\n", encoding="utf-8")
    save_setting(path, "theme", "textual-light")
    assert path.read_text(encoding="utf-8") == (
        "# my settings\nannotator: ana  # me\ntheme: textual-light   # dark one\n"
        "keys: {undo: z}\n")
    path.write_text("annotator: ana", encoding="utf-8")  # no final newline
    save_setting(path, "theme", "gruvbox")
    assert path.read_text(encoding="utf-8") == "annotator: ana\ntheme: gruvbox\n"


@pytest.mark.parametrize("value", ["yes", "a: b", "#hash", "é-thème", " spaced "])
def test_save_setting_quotes_what_yaml_would_misread(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.yaml"
    save_setting(path, "theme", value)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"theme": value}


def test_save_setting_rewrites_what_it_cannot_edit_by_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("{annotator: ana, theme: nord}\n", encoding="utf-8")
    save_setting(path, "theme", "dracula")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"annotator": "ana",
                                                               "theme": "dracula"}
    path.write_text("theme:\n  nord\nannotator: ana\n", encoding="utf-8")
    save_setting(path, "theme", "dracula")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"theme": "dracula",
                                                               "annotator": "ana"}


def test_save_setting_refuses_what_it_cannot_write_or_read(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot save the theme"):
        save_setting(blocker / "config.yaml", "theme", "nord")  # its folder is a file
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        save_setting(bad, "theme", "nord")
    assert bad.read_text(encoding="utf-8") == "- a list\n"  # left as it was
    with pytest.raises(ConfigError, match="cannot read config"):
        save_setting(tmp_path, "theme", "nord")  # a folder, not a file


def test_overriding_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEMARK_CONFIG", str(tmp_path / "user.yaml"))
    assert user_config_path() == tmp_path / "user.yaml"
    assert overriding_file("theme", tmp_path) is None
    (tmp_path / "stancemark.yaml").write_text("theme: nord\n", encoding="utf-8")
    assert overriding_file("theme", tmp_path) == tmp_path / "stancemark.yaml"
def test_after_tag_setting_is_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEMARK_CONFIG", str(tmp_path / "none.yaml"))
    assert after_tag(load_config(tmp_path)) == "next_sentence"
    (tmp_path / "stancemark.yaml").write_text("after_tag: stay\n", encoding="utf-8")
    assert after_tag(load_config(tmp_path)) == "stay"
    (tmp_path / "stancemark.yaml").write_text("after_tag: sideways\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stancemark.yaml: after_tag must be next_sentence "
                                          r"or stay, not 'sideways'"):
        load_config(tmp_path)
