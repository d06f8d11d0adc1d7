"""User settings: who is annotating, key remaps and the theme.

Looked up in ``$STANCEMARK_CONFIG`` or ``$XDG_CONFIG_HOME/stancemark/config.yaml``
(``~/.config/stancemark/config.yaml``), then ``./stancemark.yaml``; later files
win key by key.  Recognised keys::

    annotator: ana
    theme: textual-dark
    keys: {tag_claim: "c,1", undo: "u"}   # binding id -> comma-separated keys
    after_tag: next_sentence              # or: stay (where the cursor goes after a tag)

A value that cannot work (``after_tag: sideways``) is a :class:`ConfigError`
naming the file, so start-up stops with one line rather than ignore it.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml

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
        for k, v in doc.items():
            if k == "after_tag" and v not in AFTER_TAG:
                choices = " or ".join(AFTER_TAG)
                raise ConfigError(f"{path}: after_tag must be {choices}, not {str(v)[:40]!r}")
            if k == "keys" and isinstance(v, dict):
                merged.setdefault("keys", {}).update(v)
            else:
                merged[k] = v
    return merged


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
