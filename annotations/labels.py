"""The label schema: name, key, colour and description of each label.

Defaults are claim / denial / context, coloured from the Okabe-Ito palette
(distinct for colour-blind readers and readable as backgrounds on dark and
light themes).  A YAML file (``stancemark.yaml`` in the working folder, or
``--labels FILE``) may define others::

    labels:
      - {name: claim, key: c, color: "#E69F00", description: An assertion ...}

An invalid file raises :class:`LabelError` with a one-line message naming
the file and the problem; start-up stops there.  So does a key the schema
does not know (``colour:``, ``hotkey:``), with the closest one it does, and a
value of the wrong type.  Files are read by the one bounded loader,
:mod:`annotations.bounded_yaml` (``--labels /dev/zero`` or a FIFO is refused
before it is read; size, depth and alias expansion are capped).

The same file's ``relations:`` list (the links between spans) is validated by
:mod:`annotations.relation_types`; the labels come back as a
:class:`~annotations.relation_types.LabelList` carrying those relation types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotations.bounded_yaml import YAMLLimitError, load_yaml, read_text_file
from annotations.known_keys import LABEL_KEYS, SETTINGS_KEYS, unknown_key
from annotations.model import Label
from annotations.relation_types import LabelList, RelationTypeError, parse_relation_types
from annotations.safety import UNSAFE_CHARS

DEFAULT_LABELS: tuple[Label, ...] = (
    Label("claim", "c", "#E69F00", "An assertion that something happened or is true."),
    Label("denial", "d", "#56B4E9", "A rejection or rebuttal of a claim."),
    Label("context", "x", "#009E73", "Background that helps judge a claim or denial."),
)

#: Keys a label may not take: they are bound to other annotator actions (the
#: default keys of ``tui/keys.py``: moves, selections, span and article keys, ``>``
#: the link key), or, for the comma, separate keys in a binding.
RESERVED_KEYS = frozenset("hjklwbsnuqpoLTmM/arA?[]{}()WBSP0123456789 >,")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: A name or key never holds what a terminal must not get raw (the core's one
#: set), nor a tab or a line break.
_CONTROL = re.compile(f"[\t\n{UNSAFE_CHARS}]")


class LabelError(Exception):
    """An invalid label file; the message names the file and the problem."""


#: ``relations:`` left out: the defaults that fit the labels.
_DEFAULT = object()


def _fail(path: Path | str, msg: str) -> LabelError:
    return LabelError(f"{path}: {msg}")


def parse_labels(data: Any, path: Path | str = "<labels>") -> list[Label]:
    """Validate the ``labels`` list of a parsed YAML document (and its ``relations``)."""
    relations: Any = _DEFAULT
    if isinstance(data, dict):
        problem = unknown_key(data, SETTINGS_KEYS)
        if problem:
            raise _fail(path, problem)
        relations = data.get("relations", _DEFAULT)
        if "labels" not in data and "relations" in data:  # relations over the default labels
            return _with_relations(list(DEFAULT_LABELS), relations, path)
        data = data.get("labels")
    if not isinstance(data, list) or not data:
        raise _fail(path, "expected a non-empty 'labels' list")
    labels: list[Label] = []
    names: set[str] = set()
    keys: set[str] = set()
    for i, item in enumerate(data, 1):
        where = f"label #{i}"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} is not a mapping")
        name = item.get("name")
        problem = unknown_key(item, LABEL_KEYS)
        if problem:
            named = f"label {name!r}" if isinstance(name, str) and name.strip() else where
            raise _fail(path, f"{named}: {problem}")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"{where} needs a non-empty 'name'")
        if _CONTROL.search(name) or len(name) > 40:
            raise _fail(path, f"{where}: name must be at most 40 printable characters")
        if name in names:
            raise _fail(path, f"{where}: duplicate label name {name!r}")
        key = item.get("key")
        if key is not None:
            if not isinstance(key, str) or len(key) != 1 or _CONTROL.search(key) or (
                    key.isspace()):
                raise _fail(path, f"label {name!r}: 'key' must be a single character "
                                  f"(got {key!r:.20})")
            if key == ",":
                raise _fail(path, f"label {name!r}: key ',' cannot be bound (it separates "
                                  "keys in a binding)")
            if key in RESERVED_KEYS:
                raise _fail(path, f"label {name!r}: key {key!r} is reserved for another action")
            if key in keys:
                raise _fail(path, f"label {name!r}: key {key!r} is used twice")
            keys.add(key)
        color = item.get("color")
        if not isinstance(color, str) or not _COLOR.match(color):
            raise _fail(path, f"label {name!r}: 'color' must look like \"#RRGGBB\"")
        desc = item.get("description", "")
        if not isinstance(desc, str):
            raise _fail(path, f"label {name!r}: 'description' must be text")
        names.add(name)
        labels.append(Label(name, key or "", color, desc.strip()))
    return _with_relations(labels, relations, path)


def _with_relations(labels: list[Label], relations: Any, path: Path | str) -> LabelList:
    """The labels carrying the file's relation types (see :mod:`annotations.relation_types`)."""
    if relations is _DEFAULT:
        return LabelList(labels)
    try:
        return LabelList(labels, parse_relation_types(relations, labels))
    except RelationTypeError as e:
        raise _fail(path, str(e)) from e


def _read(path: Path) -> Any:
    """The parsed YAML of a label file; FileNotFoundError when there is none."""
    try:
        text = read_text_file(path)
    except YAMLLimitError as e:
        raise _fail(path, f"cannot read: {e}") from None
    try:
        return load_yaml(text)
    except YAMLLimitError as e:
        raise _fail(path, f"invalid YAML: {e}") from None


def load_labels(path: Path | str | None = None, cwd: Path | None = None) -> list[Label]:
    """Labels from ``path``, else ``stancemark.yaml`` in ``cwd`` if it has ``labels``, else defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / "stancemark.yaml"
        try:
            doc = _read(candidate)
        except (FileNotFoundError, NotADirectoryError):
            return list(DEFAULT_LABELS)
        if not (isinstance(doc, dict) and ("labels" in doc or "relations" in doc)):
            return list(DEFAULT_LABELS)
        return parse_labels(doc, candidate)
    p = Path(path)
    try:
        doc = _read(p)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail(p, "no such file") from None
    return parse_labels(doc, p)
