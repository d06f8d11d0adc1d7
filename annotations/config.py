"""User settings: who is annotating, key remaps and the theme.

Looked up in ``$STANCEMARK_CONFIG`` or ``$XDG_CONFIG_HOME/stancemark/config.yaml``
(``~/.config/stancemark/config.yaml``), then ``./stancemark.yaml``; later files
win key by key.  Recognised keys::

    annotator: ana
    theme: textual-dark
    keys: {tag_claim: "c,1", undo: "u"}   # binding id -> comma-separated keys
    after_tag: next_sentence              # or: stay (where the cursor goes after a tag)

(``./stancemark.yaml`` may also hold the ``labels`` and ``relations`` of
:mod:`annotations.labels`.)
Any other key is refused with the closest known one, and so is a value of the
wrong type (``theme: [a, b]``, ``keys: 3``): a :class:`ConfigError`, one line
naming the file.  The files are read by the one bounded loader,
:mod:`annotations.bounded_yaml` (a regular file only, size, depth and alias
expansion capped), so a FIFO or an alias bomb is refused, never waited on.

:func:`save_setting` writes one key back into the user's file (the theme
chosen in the app), keeping the other keys and the comments.

A value that cannot work (``after_tag: sideways``) is a :class:`ConfigError`
naming the file, so start-up stops with one line rather than ignore it.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml

from annotations.bounded_yaml import YAMLLimitError, load_yaml, read_text_file
from annotations.known_keys import SETTINGS_KEYS, unknown_key
from annotations.output import OutputError, atomic_write

#: Where the cursor goes after a tag: the start of the next sentence (so tagging
#: consecutive sentences is ``s`` + a label key each time), or it stays.
AfterTag = Literal["next_sentence", "stay"]
AFTER_TAG: tuple[AfterTag, ...] = get_args(AfterTag)
DEFAULT_AFTER_TAG: AfterTag = "next_sentence"


class ConfigError(Exception):
    """An unreadable config file; the message names the file."""


def config_paths(cwd: Path | None = None) -> list[Path]:
    env = os.environ.get("STANCEMARK_CONFIG")
    if env:
        user = Path(env)
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        user = Path(base) / "stancemark" / "config.yaml"
    return [user, (cwd or Path.cwd()) / "stancemark.yaml"]


def _read(path: Path) -> tuple[str, Any] | None:
    """The text of a config file and its YAML document (``None``: no such file)."""
    try:
        text = read_text_file(path)
        return text, load_yaml(text)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except YAMLLimitError as e:
        raise ConfigError(f"{path}: cannot read config ({e})") from None


def load_config(cwd: Path | None = None) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in config_paths(cwd):
        found = _read(path)
        if found is None or found[1] is None:
            continue
        doc = found[1]
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: config must be a mapping")
        problem = unknown_key(doc, SETTINGS_KEYS) or _wrong_type(doc)
        if problem:
            raise ConfigError(f"{path}: {problem}")
        for k, v in doc.items():
            if k == "keys":
                merged.setdefault("keys", {}).update(v or {})
            elif v is not None:
                merged[k] = v
    return merged


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__)


def _wrong_type(doc: dict[Any, Any]) -> str | None:
    """The first setting whose value has the wrong type, worded for the user, or None.

    ``labels`` and ``relations`` are checked where they are read
    (:mod:`annotations.labels`, :mod:`annotations.relation_types`).
    """
    for key in ("annotator", "theme", "allowed_signers"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            return f"'{key}' must be text, not {_type_name(value)}"
    value = doc.get("require_signatures")
    if value is not None and not isinstance(value, bool):
        return f"require_signatures must be true or false, not {_type_name(value)}"
    value = doc.get("after_tag")
    if value is not None and value not in AFTER_TAG:
        return f"after_tag must be {' or '.join(AFTER_TAG)}, not {str(value)[:40]!r}"
    keys = doc.get("keys")
    if keys is None:
        return None
    if not isinstance(keys, dict):
        return f"'keys' must be a mapping of binding id to keys, not {_type_name(keys)}"
    for binding, value in keys.items():
        if not isinstance(binding, str):
            return f"keys: binding id {binding!r} must be text"
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(k, str) for k in value))
        if not ok:
            return (f"keys: {binding!r} must be comma-separated keys (\"c,1\") or a list of "
                    f"keys, not {_type_name(value)}")
    return None


def after_tag(config: dict[str, Any]) -> AfterTag:
    """The ``after_tag`` setting (checked by :func:`load_config`), or its default."""
    value = config.get("after_tag", DEFAULT_AFTER_TAG)
    return cast(AfterTag, value) if value in AFTER_TAG else DEFAULT_AFTER_TAG


def _git_user() -> str | None:
    try:
        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = out.stdout.strip()
    return name or None


def resolve_annotator(explicit: str | None = None, config: dict[str, Any] | None = None) -> str:
    """``--annotator``, ``STANCEMARK_ANNOTATOR``, config, ``git config user.name``, login."""
    for candidate in (
        explicit,
        os.environ.get("STANCEMARK_ANNOTATOR"),
        (config or {}).get("annotator"),
        _git_user(),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name at all
        return "annotator"


# ------------------------------------------------------------------ saving
#: A top-level ``key: value`` line (value and comment kept apart).
_TOP_LINE = r"^{key}[ \t]*:(?P<value>[^#\n]*?)(?P<comment>[ \t]+#[^\n]*)?[ \t]*$"
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def user_config_path() -> Path:
    """The user's own config file (``$STANCEMARK_CONFIG``, else the XDG location)."""
    return config_paths()[0]


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: bare when plainly safe, else JSON-quoted (valid YAML)."""
    return value if _PLAIN.match(value) and value.lower() not in _YAML_WORDS else json.dumps(value)


_YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def save_setting(path: Path, key: str, value: str) -> None:
    """Set top-level ``key: value`` in the YAML file ``path``, keeping everything else.

    The key's line is replaced in place (its comment kept) or appended, so
    other keys and comments stay as the user wrote them; a file this cannot
    edit line by line (``key`` in a flow mapping, a multi-line value) is
    rewritten from its parsed content (comments then lost).  The new text must
    parse back to the old settings plus the change, or nothing is written.
    The file is replaced atomically (:func:`annotations.output.atomic_write`).
    Any failure is a :class:`ConfigError` naming the file.
    """
    found = _read(path)
    old, doc = found if found is not None else ("", {})
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: config must be a mapping")
    wanted = {**doc, key: value}
    text = _edited(old, key, value)
    if text is None or _parsed(text) != wanted:
        text = yaml.safe_dump(wanted, allow_unicode=True, sort_keys=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as stream:
            stream.write(text.encode("utf-8"))
    except (OSError, OutputError) as e:
        raise ConfigError(f"{path}: cannot save the {key} ({e})") from e


def _edited(old: str, key: str, value: str) -> str | None:
    """``old`` with ``key``'s top-level line set to ``value``, or ``None`` if not plain."""
    line = re.compile(_TOP_LINE.format(key=re.escape(key)), re.MULTILINE)
    found = list(line.finditer(old))
    if len(found) > 1:
        return None
    if not found:
        sep = "" if not old or old.endswith("\n") else "\n"
        return f"{old}{sep}{key}: {_scalar(value)}\n"
    match = found[0]
    if not match.group("value").strip():
        return None  # a block value on the lines below
    comment = match.group("comment") or ""
    return f"{old[:match.start()]}{key}: {_scalar(value)}{comment}{old[match.end():]}"


def _parsed(text: str) -> object:
    try:
        return load_yaml(text)
    except YAMLLimitError:
        return None


def overriding_file(key: str, cwd: Path | None = None) -> Path | None:
    """A config file read after the user's own that sets ``key`` too (so it wins)."""
    for path in config_paths(cwd)[1:]:
        try:
            found = _read(path)
        except ConfigError:
            continue
        if found is not None and isinstance(found[1], dict) and key in found[1]:
            return path
    return None
