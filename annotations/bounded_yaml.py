"""The one YAML loader of the app: PyYAML's safe loader with bounds on what a file may cost.

Every YAML the app reads (config files, label files, markdown front matter)
goes through :func:`load_yaml` (text) or :func:`read_yaml_file` (a file), so
the same limits hold everywhere:

* **no objects**: PyYAML's safe constructors only (libyaml's ``CSafeLoader``
  when PyYAML has it), so a tag such as ``!!python/object/apply`` is refused;
* **size**: at most :data:`MAX_YAML_CHARS` characters of YAML;
* **depth**: at most :data:`MAX_DEPTH` levels of nesting, aliases followed;
* **alias expansion**: at most :data:`MAX_NODES` nodes once every alias is
  expanded, and no recursive alias (``&a [*a]``).  An alias costs nothing to
  load (it is the same object twice), but whatever walks the result walks it
  in full: a "billion laughs" of nine nested aliases in a config's ``keys:``
  took 63 s and 2.8 GB before this check;
* **integers** of at most :data:`MAX_INT_CHARS` characters (a 20,000-digit hex
  or sexagesimal integer costs seconds to build and cannot be printed);
* **files**: :func:`read_yaml_file` refuses anything but a regular file
  (a FIFO or ``/dev/zero`` would hang or never end) before reading it, and
  reads at most :data:`MAX_YAML_CHARS` bytes.

The bounds are checked on the composed node graph, before a single Python
object is built: libyaml composes the graph (its parser stops at 1,000 levels
by itself), one iterative walk over its distinct nodes counts depth and
expanded size, then the safe constructor builds the objects.  On a normal
config file this costs about 10 µs more than ``yaml.load(text, CSafeLoader)``
(measured: benchmarks in the commit that added this module).

Every problem is a :class:`YAMLLimitError` with a one-line reason (and the
1-based line when known); callers prefix the file name.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: Characters (or bytes, for a file) of YAML read at most.
MAX_YAML_CHARS = 1024 * 1024
#: Nesting levels, aliases followed.
MAX_DEPTH = 50
#: Nodes once every alias is expanded (a config holds tens).
MAX_NODES = 100_000
#: Characters of one integer scalar.
MAX_INT_CHARS = 100


class YAMLLimitError(ValueError):
    """A YAML text that is invalid or beyond the bounds: one line, without the file name.

    ``over_bound`` tells the two apart: the text is valid YAML but over a bound
    (size, depth, expanded size, a recursive alias, a long integer).
    """

    def __init__(self, reason: str, line: int | None = None, *, over_bound: bool = False) -> None:
        self.reason = " ".join(str(reason).split())[:300]
        self.line = line
        self.over_bound = over_bound
        super().__init__(self.reason, line, over_bound)

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


def _over(reason: str, line: int | None = None) -> YAMLLimitError:
    return YAMLLimitError(reason, line, over_bound=True)


class _Loader(_SafeLoader):
    """PyYAML's safe loader (libyaml's parser and composer when present), with integers of
    bounded length."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value = self.construct_scalar(node)
        if isinstance(value, str) and len(value) > MAX_INT_CHARS:
            raise _over(f"integer literal too long ({len(value)} characters; at most "
                        f"{MAX_INT_CHARS})", node.start_mark.line + 1)
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def check_graph(root: Node, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Refuse a node graph deeper than ``max_depth`` or larger than ``max_nodes`` once its
    aliases are expanded, or holding a recursive alias.

    Each distinct collection is measured once (an alias is the same node
    again), so the check is linear in the size of the text even for a graph
    whose expansion is astronomically large.  The recursion stops at
    ``max_depth`` levels, far below Python's limit.
    """
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, levels)
    open_ids: set[int] = set()

    def measure(node: Node, depth: int) -> tuple[int, int]:
        if node.__class__ is ScalarNode:
            return 1, 1
        key = id(node)
        done = measured.get(key)
        if done is not None:
            if depth + done[1] - 1 > max_depth:
                raise _over(f"nested more than {max_depth} levels deep (aliases "
                                     "followed)", node.start_mark.line + 1)
            return done
        if key in open_ids:
            raise _over("recursive alias (an alias inside its own anchor)",
                                 node.start_mark.line + 1)
        if depth > max_depth:
            raise _over(f"nested more than {max_depth} levels deep",
                                 node.start_mark.line + 1)
        open_ids.add(key)
        total, levels = 1, 1
        pairs = node.value if node.__class__ is MappingNode else [(n, None) for n in node.value]
        for pair in pairs:
            for child in pair:
                if child is None:
                    continue
                size, height = measure(child, depth + 1)
                total += size
                if height >= levels:
                    levels = height + 1
            if total > max_nodes:
                raise _over(f"more than {max_nodes:,} values once aliases are "
                                     "expanded (an alias bomb?)", node.start_mark.line + 1)
        open_ids.discard(key)
        measured[key] = (total, levels)
        return total, levels

    measure(root, 1)


def load_yaml(text: str, *, max_chars: int = MAX_YAML_CHARS, max_depth: int = MAX_DEPTH,
              max_nodes: int = MAX_NODES) -> Any:
    """One YAML document from ``text`` as Python values, within the bounds (see the module).

    Raises :class:`YAMLLimitError` for invalid YAML, a tag that would build an
    object, or anything over a bound.
    """
    if len(text) > max_chars:
        raise _over(f"too large ({len(text):,} characters; at most {max_chars:,})")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_graph(node, max_depth=max_depth, max_nodes=max_nodes)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "unreadable"
        line = mark.line + 1 if mark is not None else None
        # libyaml's own nesting limit (1,000 levels) is a bound too.
        raise YAMLLimitError(problem, line, over_bound="nesting depth" in problem) from None
    except yaml.YAMLError as e:
        raise YAMLLimitError(str(e)) from None
    except RecursionError:
        raise _over(f"nested more than {max_depth} levels deep") from None
    except YAMLLimitError:
        raise
    except (ValueError, TypeError, OverflowError) as e:
        # Values the safe constructors cannot build, e.g. "date: 2024-02-30".
        raise YAMLLimitError(str(e) or type(e).__name__) from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_YAML_CHARS) -> Any:
    """:func:`load_yaml` of a file read by :func:`read_text_file`."""
    return load_yaml(read_text_file(path, max_bytes=max_bytes), max_chars=max_bytes)


def read_text_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_YAML_CHARS) -> str:
    """The text of a regular file of at most ``max_bytes`` bytes of UTF-8 (a BOM dropped).

    A FIFO, a device or a folder is refused before it is read (``stat``, then
    the opened file is checked again with ``fstat``, so a file swapped for a
    FIFO in between is refused too, and opening never blocks).  Raises
    :class:`FileNotFoundError` (or :class:`NotADirectoryError`) for a missing
    file, for the caller to word, and :class:`YAMLLimitError` for everything else.
    """
    p = Path(path)
    try:
        info = os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as e:
        raise YAMLLimitError(f"cannot read: {e.strerror or e}") from None
    if not stat.S_ISREG(info.st_mode):
        raise YAMLLimitError(f"not a regular file ({_kind(info.st_mode)})")
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC"):
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(p, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as e:
        raise YAMLLimitError(f"cannot read: {e.strerror or e}") from None
    with open(fd, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise YAMLLimitError(f"not a regular file ({_kind(mode)})")
        try:
            data = stream.read(max_bytes + 1)
        except OSError as e:
            raise YAMLLimitError(f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise _over(f"too large (over {max_bytes:,} bytes)")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise YAMLLimitError(f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset "
                             f"{e.start})") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
