"""The one bounded YAML loader, and the config, label and front-matter files read through it.

Each attack of issue 14, section 4, is here: an alias bomb in the config's
``keys:`` (63 s and 2.8 GB before), 2,000-deep nesting (a RecursionError),
``--labels /dev/zero`` and a ``./stancemark.yaml`` FIFO (a hang), values of the
wrong type (``theme: [a, b]``, a label key ``,``: a crash with exit status 0),
and a failure inside the app at start-up (a traceback and exit status 0).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from textual.app import App

from annotations.articles import ArticleError, read_markdown
from annotations.bounded_yaml import (
    MAX_DEPTH,
    MAX_NODES,
    YAMLLimitError,
    load_yaml,
    read_text_file,
    read_yaml_file,
)
from annotations.config import ConfigError, load_config, save_setting
from annotations.labels import LabelError, load_labels
from annotations.store import Store, StoreError
from tests.conftest import tui_articles
from tui.cli import cli


def laughs(levels: int = 9, indent: str = "") -> str:
    """The billion laughs: nine lists of nine aliases of the list before, 9**9 values."""
    lines = [f'{indent}a: &a ["x","x","x","x","x","x","x","x","x"]']
    names = "abcdefghijklmnop"
    for i in range(1, levels):
        lines.append(f"{indent}{names[i]}: &{names[i]} [{', '.join(['*' + names[i - 1]] * 9)}]")
    return "\n".join(lines) + "\n"


BOMB_IN_KEYS = "x:\n" + laughs(indent="  ") + f"keys: {{tag_claim: *{'abcdefghi'[8]}}}\n"

NORMAL_DOCS = [
    "annotator: ana\ntheme: textual-light\nkeys: {tag_claim: \"c,1\", undo: \"u,ctrl+z\"}\n",
    "labels:\n  - {name: allegation, key: g, color: \"#E69F00\", description: An accusation}\n",
    "title: Harbor\ndate: 2024-03-01\ntags: [a, b, 3, 4.5, null, true]\nnested: {a: {b: [1]}}\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\nshared: [*b, *b]\n",
    "",
    "just a string",
]


# ------------------------------------------------------------------ the loader
@pytest.mark.parametrize("doc", NORMAL_DOCS)
def test_normal_documents_load_as_the_safe_loader_loads_them(doc: str) -> None:
    assert load_yaml(doc) == yaml.safe_load(doc)


def test_an_alias_bomb_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(YAMLLimitError) as e:
        load_yaml(BOMB_IN_KEYS)
    assert time.perf_counter() - started < 1.0
    assert e.value.over_bound and f"{MAX_NODES:,} values" in e.value.reason
    assert "alias bomb" in str(e.value) and "\n" not in str(e.value)
    # Just under the bound is fine: 9**4 = 6,561 leaves.
    small = load_yaml(laughs(levels=4))
    assert len(small["d"]) == 9


@pytest.mark.parametrize("doc", ["x: &x [*x]", "a: &a {b: *a}", "- &a [{b: &c [*a]}]"])
def test_recursive_aliases_are_refused(doc: str) -> None:
    with pytest.raises(YAMLLimitError, match="recursive alias") as e:
        load_yaml(doc)
    assert e.value.over_bound


@pytest.mark.parametrize(
    "doc",
    [
        "[" * 2000 + "]" * 2000,                       # flow, past libyaml's own 1,000
        "- " * 2000 + "x",                             # block
        "keys: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
        "a: &a " + "[" * 30 + "x" + "]" * 30 + "\nb: " + "[" * 30 + "*a" + "]" * 30,  # via an alias
    ],
)
def test_deep_nesting_is_refused_without_a_recursion_error(doc: str) -> None:
    with pytest.raises(YAMLLimitError, match="nest") as e:
        load_yaml(doc)
    assert e.value.over_bound
    assert load_yaml("- " * (MAX_DEPTH - 1) + "x") is not None  # at the bound: loaded


@pytest.mark.parametrize("value", ["0x" + "f" * 20_000, ":".join(["59"] * 20_000), "9" * 5000])
def test_huge_integers_are_refused(value: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YAMLLimitError, match="integer literal too long"):
        load_yaml(f"id: {value}\n")
    assert time.perf_counter() - started < 1.0
    assert load_yaml("n: 0x1f\nm: 1:30\n") == {"n": 31, "m": 90}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ("x: !!python/object/apply:os.system ['touch pwned']\n", "constructor"),
        ("a: [unclosed\n", "expected"),
        ("date: 2024-02-30\n", "day is out of range"),
        ("{[a]: 1}\n", "unhashable"),
    ],
)
def test_invalid_yaml_is_one_line_and_builds_nothing(tmp_path: Path, doc: str,
                                                     problem: str) -> None:
    os.chdir(tmp_path)
    with pytest.raises(YAMLLimitError) as e:
        load_yaml(doc)
    assert problem in str(e.value) and not e.value.over_bound and "\n" not in str(e.value)
    assert not (tmp_path / "pwned").exists()


def test_too_large_a_text_is_refused_before_parsing() -> None:
    with pytest.raises(YAMLLimitError, match="too large"):
        load_yaml("a: b\n" * 300_000)


# ----------------------------------------------------------------- reading files
def test_files_that_are_not_regular_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "stancemark.yaml"
    os.mkfifo(fifo)  # nobody ever writes: reading it would wait forever
    started = time.perf_counter()
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/zero"), "a device"), (tmp_path, "a folder")):
        with pytest.raises(YAMLLimitError, match=f"not a regular file \\({kind}\\)"):
            read_yaml_file(path)
    assert time.perf_counter() - started < 1.0
    with pytest.raises(FileNotFoundError):
        read_yaml_file(tmp_path / "missing.yaml")


def test_files_too_large_or_not_utf8_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2_000_000)
    with pytest.raises(YAMLLimitError, match="too large"):
        read_text_file(big)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("theme: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YAMLLimitError, match="not valid UTF-8"):
        read_text_file(latin)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbftheme: nord\n")
    assert read_yaml_file(bom) == {"theme": "nord"}


# ---------------------------------------------------------------- config files
@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "user.yaml"
    monkeypatch.setenv("STANCEMARK_CONFIG", str(path))
    return path


def test_an_alias_bomb_in_the_config_keys_is_refused(tmp_path: Path, user_config: Path) -> None:
    user_config.write_text(BOMB_IN_KEYS, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="alias bomb") as e:
        load_config(tmp_path)
    assert time.perf_counter() - started < 1.0
    assert str(e.value).startswith(f"{user_config}: cannot read config")
    with pytest.raises(ConfigError, match="alias bomb"):
        save_setting(user_config, "theme", "nord")  # never rewritten from a bomb
    assert user_config.read_text(encoding="utf-8") == BOMB_IN_KEYS


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("theme: [a, b]\n", "'theme' must be text, not a list"),
        ("theme: 3\n", "'theme' must be text, not int"),
        ("annotator: {name: ana}\n", "'annotator' must be text, not a mapping"),
        ("keys: 3\n", "'keys' must be a mapping of binding id to keys, not int"),
        ("keys: [undo]\n", "'keys' must be a mapping"),
        ("keys: {undo: {a: b}}\n", "keys: 'undo' must be comma-separated keys"),
        ("keys: {undo: [u, 3]}\n", "keys: 'undo' must be comma-separated keys"),
        ("keys: {1: u}\n", "binding id 1 must be text"),
        ("keys: " + "[" * 2000 + "]" * 2000 + "\n", "nesting depth"),
    ],
)
def test_config_values_of_the_wrong_type_are_refused(tmp_path: Path, user_config: Path,
                                                     body: str, problem: str) -> None:
    user_config.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert problem in str(e.value) and str(e.value).startswith(str(user_config))
    assert "\n" not in str(e.value)


def test_config_values_of_the_right_types_load(tmp_path: Path, user_config: Path) -> None:
    user_config.write_text("annotator: ana\ntheme: nord\nkeys: {undo: [u, ctrl+z], redo: r}\n"
                           "labels: null\n", encoding="utf-8")
    assert load_config(tmp_path) == {"annotator": "ana", "theme": "nord",
                                     "keys": {"undo": ["u", "ctrl+z"], "redo": "r"}}


def test_a_fifo_stancemark_yaml_is_refused_not_waited_on(tmp_path: Path,
                                                         user_config: Path) -> None:
    os.mkfifo(tmp_path / "stancemark.yaml")  # a cloned repository can carry one
    with pytest.raises(ConfigError, match=r"not a regular file \(a FIFO\)"):
        load_config(tmp_path)
    with pytest.raises(LabelError, match=r"not a regular file \(a FIFO\)"):
        load_labels(cwd=tmp_path)


# ------------------------------------------------------------------ label files
def test_labels_from_a_device_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match=r"^/dev/zero: cannot read: not a regular file"):
        load_labels("/dev/zero")


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ('","', "key ',' cannot be bound"),
        ("' '", "'key' must be a single character"),
        ("7", "'key' must be a single character"),  # a number, not text
        ("[g]", "'key' must be a single character"),
        ('"\\t"', "'key' must be a single character"),
    ],
)
def test_label_keys_that_cannot_be_bound_are_refused(tmp_path: Path, key: str,
                                                     problem: str) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(f'labels:\n  - {{name: a, key: {key}, color: "#112233"}}\n', encoding="utf-8")
    with pytest.raises(LabelError, match=problem):
        load_labels(f)


def test_an_alias_bomb_in_labels_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "labels.yaml"
    f.write_text(laughs() + "labels: *i\n", encoding="utf-8")
    with pytest.raises(LabelError, match="alias bomb"):
        load_labels(f)


@pytest.mark.parametrize("cwd", [False, True])
def test_the_relations_of_a_labels_file_are_read_by_the_bounded_loader(
        tmp_path: Path, cwd: bool) -> None:
    """``relations:`` alone (over the default labels) is read through the same loader, as
    ``--labels FILE`` and as ``./stancemark.yaml``."""
    f = tmp_path / ("stancemark.yaml" if cwd else "labels.yaml")
    f.write_text(laughs() + "relations: *i\n", encoding="utf-8")
    with pytest.raises(LabelError, match="alias bomb"):
        load_labels(None if cwd else f, cwd=tmp_path)
    f.write_text("relations:\n  - " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
                 encoding="utf-8")
    with pytest.raises(LabelError, match=f"nested more than {MAX_DEPTH} levels deep"):
        load_labels(None if cwd else f, cwd=tmp_path)


# ------------------------------------------------------------------ front matter
@pytest.mark.parametrize(
    "front",
    [laughs(), "x: " + "[" * 2000 + "]" * 2000 + "\n", "- " * 2000 + "x\n",
     "id: 0x" + "f" * 20_000 + "\n", "n: " + ":".join(["59"] * 20_000) + "\n"],
)
def test_front_matter_is_read_by_the_bounded_loader(tmp_path: Path, front: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ArticleError, match="front matter too large or too deeply nested"):
        read_markdown(tmp_path / "a.md", f"---\n{front}---\nBody")
    assert time.perf_counter() - started < 1.0


def test_front_matter_errors_name_the_file_line(tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as e:
        read_markdown(tmp_path / "a.md", "---\ntitle: ok\nx: &x [*x]\n---\nBody")
    assert e.value.line == 3


# ------------------------------------------------------------ the command line
def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        ("bomb", "alias bomb"),
        ("theme", "'theme' must be text"),
        ("fifo", "not a regular file (a FIFO)"),
        ("dev-zero", "/dev/zero: cannot read: not a regular file (a device)"),
        ("comma", "key ',' cannot be bound"),
        ("deep", "nesting depth"),
    ],
)
@pytest.mark.parametrize("command", ["annotate", "serve"])
def test_every_start_up_failure_is_one_line_and_exit_status_1(
    tmp_path: Path, user_config: Path, monkeypatch: pytest.MonkeyPatch, setup: str,
    problem: str, command: str,
) -> None:
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        store.import_articles(tui_articles())
    monkeypatch.chdir(tmp_path)
    args = ["--db", str(db)]
    if setup == "bomb":
        user_config.write_text(BOMB_IN_KEYS, encoding="utf-8")
    elif setup == "theme":
        user_config.write_text("theme: [a, b]\n", encoding="utf-8")
    elif setup == "fifo":
        os.mkfifo(tmp_path / "stancemark.yaml")
    elif setup == "dev-zero":
        args += ["--labels", "/dev/zero"]
    elif setup == "comma":
        (tmp_path / "l.yaml").write_text('labels:\n  - {name: a, key: ",", color: "#112233"}\n',
                                         encoding="utf-8")
        args += ["--labels", "l.yaml"]
    elif setup == "deep":
        user_config.write_text("keys: " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = run(*([command] if command == "serve" else []), *args)
    assert time.perf_counter() - started < 5
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and problem in lines[0], lines


def test_a_failure_inside_the_app_at_start_up_is_one_line_and_exit_status_1(
    tmp_path: Path, user_config: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A damaged page met by the first screen's first query: no traceback, exit status 1."""
    from tui.app import StancemarkApp

    db = tmp_path / "t.db"
    with Store.open(db) as store:
        store.import_articles(tui_articles())
    monkeypatch.chdir(tmp_path)

    def damaged(*args: object, **kwargs: object) -> None:
        raise StoreError(f"{db}: the database is damaged or corrupted (database disk image "
                         "is malformed)")

    # The first screen's span queries (the spans around the cursor first: issue 19).
    for query in ("spans", "span_window", "spans_starting"):
        monkeypatch.setattr(Store, query, damaged)
    monkeypatch.setattr(StancemarkApp, "run",
                        lambda self, **kw: App.run(self, headless=True, size=(100, 30)))
    result = run("--db", str(db), "--annotator", "ana")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert lines == [f"Error: cannot start the annotator: {db}: the database is damaged or "
                     "corrupted (database disk image is malformed)"]


@pytest.mark.anyio
async def test_a_bug_at_start_up_exits_with_status_1_and_the_reason(tui_app,  # type: ignore[no-untyped-def]
                                                                    monkeypatch) -> None:
    from tui.screens.annotate import AnnotateScreen

    def broken(self: AnnotateScreen) -> None:
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(AnnotateScreen, "prepare", broken)
    app = tui_app()
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.startup_error == "cannot start the annotator: TypeError: unhashable type: 'list'"
