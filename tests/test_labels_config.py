"""Label schema files and annotator-name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.config import ConfigError, after_tag, load_config, resolve_annotator
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


def test_after_tag_setting_is_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEMARK_CONFIG", str(tmp_path / "none.yaml"))
    assert after_tag(load_config(tmp_path)) == "next_sentence"
    (tmp_path / "stancemark.yaml").write_text("after_tag: stay\n", encoding="utf-8")
    assert after_tag(load_config(tmp_path)) == "stay"
    (tmp_path / "stancemark.yaml").write_text("after_tag: sideways\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stancemark.yaml: after_tag must be next_sentence "
                                          r"or stay, not 'sideways'"):
        load_config(tmp_path)
