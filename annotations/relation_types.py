"""Relation types: which links between spans exist, and which spans each may join.

The labels file (``stancemark.yaml`` or ``--labels FILE``) may hold a
``relations:`` list next to ``labels:``::

    relations:
      - {name: rebuts,   key: r, from: [denial],  to: [claim], description: The denial answers this claim}
      - {name: supports, key: s, from: [context], to: [claim]}

``name`` (required), ``key`` (one character, active only while a link's
target is being picked, so it may be a key that means something else the rest
of the time), ``color`` (``#RRGGBB``), ``description``, ``from`` / ``to`` (the
labels a link may start / end on; left out: any label) and ``inverse`` (how the
link reads from its target: ``rebutted by``).  Without a ``relations:`` list
the defaults apply: ``rebuts`` (denial -> claim), ``supports`` and
``qualifies`` (context -> claim), each kept only when its labels exist in the
schema; ``relations: []`` turns relations off.

:func:`parse_relation_types` validates the list against the labels (a label in
``from`` / ``to`` the schema lacks, a duplicate name or key, a key the picking
keys use): each problem is one line, raised as :class:`RelationTypeError`,
which :mod:`annotations.labels` reports with the file's name.
:func:`refusal` says why a link between two labels is not allowed (``None``:
allowed); the store refuses such a link before writing anything.

:class:`LabelList` is the labels of one file carrying that file's relation
types, so everything that passes labels around (a ``list[Label]``) carries
them too; :func:`relation_types_of` reads them back (the defaults for a plain
list).  Pure Python, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotations.known_keys import RELATION_KEYS, unknown_key
from annotations.model import Label
from annotations.safety import UNSAFE_CHARS

#: Keys that move or act while a link's target is being picked (the cursor keys and
#: their vi twins, the help key, space and the link key itself): no relation takes them.
PICKING_KEYS = frozenset("hjkl? >")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CONTROL = re.compile(f"[\t\n{UNSAFE_CHARS}]")
#: A relation's colour when the file gives none (Okabe-Ito reddish purple).
DEFAULT_COLOR = "#CC79A7"


class RelationTypeError(ValueError):
    """An invalid ``relations:`` list; the message is one line (without the file name)."""


@dataclass(frozen=True)
class RelationType:
    """One kind of link between two spans."""

    name: str
    key: str = ""
    color: str = DEFAULT_COLOR
    description: str = ""
    #: Labels a link of this type may start on (empty: any label).
    from_labels: tuple[str, ...] = ()
    #: Labels a link of this type may end on (empty: any label).
    to_labels: tuple[str, ...] = ()
    #: How the link reads from its target ("rebutted by"); "" when not given.
    inverse: str = ""

    def allows(self, from_label: str, to_label: str) -> bool:
        """Does this type join a ``from_label`` span to a ``to_label`` span?"""
        return ((not self.from_labels or from_label in self.from_labels)
                and (not self.to_labels or to_label in self.to_labels))

    def describe_ends(self) -> str:
        """``denial -> claim`` (``any`` for an unconstrained end)."""
        return (f"{'/'.join(self.from_labels) or 'any'} -> "
                f"{'/'.join(self.to_labels) or 'any'}")


DEFAULT_RELATION_TYPES: tuple[RelationType, ...] = (
    RelationType("rebuts", "r", "#D55E00", "The denial answers this claim.",
                 ("denial",), ("claim",), "rebutted by"),
    RelationType("supports", "s", "#0072B2", "The context backs this claim up.",
                 ("context",), ("claim",), "supported by"),
    RelationType("qualifies", "q", "#CC79A7", "The context limits or nuances this claim.",
                 ("context",), ("claim",), "qualified by"),
)


class LabelList(list[Label]):
    """Labels, with the relation types of the same schema (see the module)."""

    relation_types: tuple[RelationType, ...]

    def __init__(self, labels: Iterable[Label] = (),
                 relation_types: Iterable[RelationType] | None = None) -> None:
        super().__init__(labels)
        self.relation_types = (tuple(relation_types) if relation_types is not None
                               else default_types_for(self))


def default_types_for(labels: Sequence[Label]) -> tuple[RelationType, ...]:
    """The default relation types whose labels all exist among ``labels``."""
    names = {label.name for label in labels}
    return tuple(t for t in DEFAULT_RELATION_TYPES
                 if set(t.from_labels) <= names and set(t.to_labels) <= names)


def relation_types_of(labels: Sequence[Label]) -> tuple[RelationType, ...]:
    """The relation types that go with ``labels`` (a :class:`LabelList`'s own, else the
    defaults that fit them)."""
    if isinstance(labels, LabelList):
        return labels.relation_types
    return default_types_for(labels)


def _label_list(item: dict[str, Any], key: str, where: str, names: set[str]) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RelationTypeError(f"{where}: '{key}' must be a list of label names")
    for v in value:
        if v not in names:
            raise RelationTypeError(
                f"{where}: '{key}' names {v!r}, which is not a label "
                f"(labels: {', '.join(sorted(names))})")
    return tuple(dict.fromkeys(value))


def parse_relation_types(data: Any, labels: Sequence[Label]) -> tuple[RelationType, ...]:
    """Validate a ``relations:`` list against ``labels`` (see the module docstring)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise RelationTypeError("'relations' must be a list")
    names = {label.name for label in labels}
    out: list[RelationType] = []
    seen_names: set[str] = set()
    seen_keys: dict[str, str] = {}
    for i, item in enumerate(data, 1):
        where = f"relation #{i}"
        if not isinstance(item, dict):
            raise RelationTypeError(f"{where} is not a mapping")
        name = item.get("name")
        if isinstance(name, str) and name.strip():
            where = f"relation {name!r}"
        problem = unknown_key(item, RELATION_KEYS)
        if problem:
            raise RelationTypeError(f"{where}: {problem}")
        if not isinstance(name, str) or not name.strip():
            raise RelationTypeError(f"{where} needs a non-empty 'name'")
        if _CONTROL.search(name) or len(name) > 40:
            raise RelationTypeError(f"{where}: name must be at most 40 printable characters")
        if name in seen_names:
            raise RelationTypeError(f"{where}: duplicate relation name {name!r}")
        key = item.get("key")
        if key is not None:
            # As a label's key (annotations.labels): text, one printable character, not
            # the comma (it separates the keys of a binding, so it cannot be bound).
            if not isinstance(key, str) or len(key) != 1 or _CONTROL.search(key) or (
                    key.isspace()):
                raise RelationTypeError(f"{where}: 'key' must be a single character "
                                        f"(got {key!r:.20})")
            if key == ",":
                raise RelationTypeError(f"{where}: key ',' cannot be bound (it separates "
                                        "keys in a binding)")
            if key in PICKING_KEYS:
                raise RelationTypeError(
                    f"{where}: key {key!r} moves the cursor or helps while a target is "
                    "picked; choose another")
            if key in seen_keys:
                raise RelationTypeError(
                    f"{where}: key {key!r} is used twice (also by {seen_keys[key]!r})")
            seen_keys[key] = name
        color = item.get("color", DEFAULT_COLOR)
        if not isinstance(color, str) or not _COLOR.match(color):
            raise RelationTypeError(f"{where}: 'color' must look like \"#RRGGBB\"")
        desc = item.get("description", "")
        inverse = item.get("inverse", "")
        for field_name, value in (("description", desc), ("inverse", inverse)):
            if not isinstance(value, str) or _CONTROL.search(value.strip()):
                raise RelationTypeError(f"{where}: '{field_name}' must be one line of text")
        seen_names.add(name)
        out.append(RelationType(
            name=name, key=key or "", color=color, description=desc.strip(),
            from_labels=_label_list(item, "from", where, names),
            to_labels=_label_list(item, "to", where, names), inverse=inverse.strip()))
    return tuple(out)


def find_type(types: Sequence[RelationType], name: str) -> RelationType | None:
    return next((t for t in types if t.name == name), None)


def fitting(types: Sequence[RelationType], from_label: str, to_label: str) -> list[RelationType]:
    """The types that may join a ``from_label`` span to a ``to_label`` span, in schema order."""
    return [t for t in types if t.allows(from_label, to_label)]


def can_start(types: Sequence[RelationType], from_label: str) -> bool:
    """May any link start on a ``from_label`` span?"""
    return any(not t.from_labels or from_label in t.from_labels for t in types)


def refusal(types: Sequence[RelationType], name: str, from_label: str,
            to_label: str) -> str | None:
    """Why a ``name`` link from a ``from_label`` span to a ``to_label`` span is refused
    (``None``: it is allowed)."""
    kind = find_type(types, name)
    if kind is None:
        known = ", ".join(t.name for t in types) or "none"
        return f"no relation type {name!r} (known: {known})"
    if not kind.allows(from_label, to_label):
        return (f"{name} links {kind.describe_ends()}, not {from_label} -> {to_label}")
    return None

