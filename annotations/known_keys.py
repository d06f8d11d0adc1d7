"""The keys the settings files may hold, and the one-line refusal of any other.

A key nobody reads is a mistake the user cannot see (``colour:`` for
``color:``, ``hotkey:`` for ``key:``): the labels file and the config files
refuse it, naming the closest key they do read (difflib's ratio, the
standard library's own did-you-mean).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

#: Keys of one label in the labels file.
LABEL_KEYS = ("name", "key", "color", "description")
#: Keys of one relation type in the labels file (see :mod:`annotations.relation_types`).
RELATION_KEYS = ("name", "key", "color", "description", "from", "to", "inverse")
#: Top-level keys of the config files and of the labels file (``stancemark.yaml`` is both).
SETTINGS_KEYS = ("annotator", "theme", "keys", "after_tag", "allowed_signers",
                 "require_signatures", "labels", "relations")


def unknown_key(data: Mapping[object, object], known: Iterable[str]) -> str | None:
    """``unknown key 'colour' (did you mean 'color'?)`` for the first key of ``data`` not
    in ``known`` (in the file's order), or ``None`` when every key is known."""
    allowed = list(known)
    for key in data:
        if key in allowed:
            continue
        name = str(key)
        close = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(allowed)})"
        return f"unknown key {name!r}{hint}"
    return None
