"""User settings: who is annotating, key remaps and the theme.

Looked up in ``$STANCEMARK_CONFIG`` or ``$XDG_CONFIG_HOME/stancemark/config.yaml``
(``~/.config/stancemark/config.yaml``), then ``./stancemark.yaml``; later files
win key by key.  Recognised keys::

    annotator: ana
    theme: textual-dark
    keys: {tag_claim: "c,1", undo: "u"}   # binding id -> comma-separated keys
    after_tag: next_sentence              # or: stay (where the cursor goes after a tag)
    suggest: {cues: true, model: true, threshold: 0.4, train_on: [gold, me], retrain_every: 5}

(``./stancemark.yaml`` may also hold the ``labels`` of :mod:`annotations.labels`.)
Any other key is refused with the closest known one.

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

from annotations.known_keys import SETTINGS_KEYS, unknown_key
from annotations.output import OutputError, atomic_write
from annotations.suggest.settings import SettingsError, SuggestSettings, parse_settings

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


def load_config(cwd: Path | None = None) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in config_paths(cwd):
        if not path.is_file():
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise ConfigError(f"{path}: cannot read config ({' '.join(str(e).split())[:160]})") from e
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: config must be a mapping")
        problem = unknown_key(doc, SETTINGS_KEYS)
        if problem:
            raise ConfigError(f"{path}: {problem}")
        for k, v in doc.items():
            if k == "after_tag" and v not in AFTER_TAG:
                choices = " or ".join(AFTER_TAG)
                raise ConfigError(f"{path}: after_tag must be {choices}, not {str(v)[:40]!r}")
            if k == "suggest":
                try:
                    parse_settings(v)
                except SettingsError as e:
                    raise ConfigError(f"{path}: suggest: {e}") from e
            if k in ("keys", "suggest") and isinstance(v, dict):
                merged.setdefault(k, {}).update(v)
            else:
                merged[k] = v
    return merged


def after_tag(config: dict[str, Any]) -> AfterTag:
    """The ``after_tag`` setting (checked by :func:`load_config`), or its default."""
    value = config.get("after_tag", DEFAULT_AFTER_TAG)
    return cast(AfterTag, value) if value in AFTER_TAG else DEFAULT_AFTER_TAG


def suggest_settings(config: dict[str, Any]) -> SuggestSettings:
    """The ``suggest:`` settings (checked by :func:`load_config`), or their defaults."""
    try:
        return parse_settings(config.get("suggest"))
    except SettingsError:
        return SuggestSettings()


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
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read config ({e})") from e
    try:
        doc = yaml.safe_load(old) if old.strip() else {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: cannot read config ({' '.join(str(e).split())[:160]})") from e
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
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def overriding_file(key: str, cwd: Path | None = None) -> Path | None:
    """A config file read after the user's own that sets ``key`` too (so it wins)."""
    for path in config_paths(cwd)[1:]:
        doc = _parsed(path.read_text(encoding="utf-8")) if path.is_file() else None
        if isinstance(doc, dict) and key in doc:
            return path
    return None
