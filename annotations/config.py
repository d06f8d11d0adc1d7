"""User settings: who is annotating, key remaps and the theme.

Looked up in ``$STANCEMARK_CONFIG`` or ``$XDG_CONFIG_HOME/stancemark/config.yaml``
(``~/.config/stancemark/config.yaml``), then ``./stancemark.yaml``; later files
win key by key.  Recognised keys::

    annotator: ana
    theme: textual-dark
    keys: {tag_claim: "c,1", undo: "u"}   # binding id -> comma-separated keys

(``./stancemark.yaml`` may also hold the ``labels`` of :mod:`annotations.labels`.)
Any other key is refused with the closest known one.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from annotations.known_keys import SETTINGS_KEYS, unknown_key


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
            if k == "keys" and isinstance(v, dict):
                merged.setdefault("keys", {}).update(v)
            else:
                merged[k] = v
    return merged


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
