"""Exports read back by the programs that consume them, not by our own parsers.

* brat: the ``annotation.conf`` parsed with brat's rules (``projectconfig.py``:
  sections, terms, ``ROLE:TYPE`` arguments, and what ``<OVERLAP>`` allows),
  and, when brat's server code is at hand (``STANCEMARK_BRAT_SRC`` names its
  ``server/src``), brat's own ``verify_annotations`` over the whole export.
  brat is not on PyPI and its code is not ours to ship, so that one test
  skips without it; the rule-based one always runs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from annotations.formats import FORMATS, ExportOptions, Output
from annotations.formats.brat import OVERLAP_LINE
from annotations.model import ExportDoc
from tests.test_formats import make_docs

# ------------------------------------------------------------------------- brat

#: brat's documented line for "any entity may overlap any other in any way"
#: (brat's configuration docs; server/src/projectconfig.py reads it).
BRAT_ANY_OVERLAP = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"

Conf = dict[str, list[tuple[list[str], dict[str, list[str]]]]]


def parse_brat_conf(text: str) -> Conf:
    """``annotation.conf`` as brat's ``projectconfig`` reads it.

    Section -> lines, each ``(terms, {role: types})``.  The rules are
    brat's: ``[section]`` headers, ``#`` comments, a tab (else the first
    white space) between the terms and the arguments, ``|`` between
    alternatives, ``,`` between arguments, ``ROLE:TYPE`` with ``|`` between
    types (``projectconfig.__read_term_hierarchy`` and ``TypeHierarchyNode``).
    """
    sections: Conf = {}
    current: str | None = None
    for line in text.split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            continue
        if line.strip() == "" or re.match(r"^\s*#", line):
            continue
        assert current is not None, f"line outside any section: {line!r}"
        if "\t" in line:
            m = re.match(r"^(\s*)([^\t]+)(?:\t(.*))?$", line)
        else:
            m = re.match(r"^(\s*)(\S+)(?:\s+(.*))?$", line)
        assert m, f"brat cannot read {line!r}"
        terms = [t.strip() for t in m.group(2).split("|") if t.strip()]
        args: dict[str, list[str]] = {}
        for arg in (a.strip() for a in (m.group(3) or "").split(",") if a.strip()):
            am = re.match(r"^(\S*?):(\S*)$", arg)
            assert am, f"brat cannot read argument {arg!r} in {line!r}"
            args.setdefault(am.group(1), []).extend(am.group(2).split("|"))
        sections[current].append((terms, args))
    return sections


def overlap_types(conf: Conf, entities: set[str], inner: str, outer: str) -> set[str]:
    """``ProjectConfiguration.overlap_types``: what ``<OVERLAP>`` allows from inner to outer."""

    def matches(types: list[str], name: str) -> bool:
        return name in types or "<ANY>" in types or (name in entities and "<ENTITY>" in types)

    allowed: set[str] = set()
    for terms, args in conf.get("relations", []):
        if "<OVERLAP>" not in terms:
            continue
        if matches(args.get("Arg1", []), inner) and matches(args.get("Arg2", []), outer):
            for value in args.get("<OVL-TYPE>", []):
                allowed |= set(value.split("|"))
    return allowed


def brat_allows(conf: Conf, entities: set[str], a: str, b: str, how: str) -> bool:
    """``spans_can_be_equal`` / ``span_can_contain`` / ``spans_can_cross``, as brat decides."""
    forward = overlap_types(conf, entities, a, b)
    backward = overlap_types(conf, entities, b, a)
    if how == "contain":  # a inside b: 'contain' one way, or <ANY> either way
        return bool({"contain", "<ANY>"} & forward) or "<ANY>" in backward
    return bool({how, "<ANY>"} & (forward | backward))


def team_docs() -> list[ExportDoc]:
    """The shared fixture plus an identical span by a second annotator: with nested
    and crossing ones already there, every kind of overlap brat checks."""
    docs = make_docs()
    a1 = next(d for d in docs if d.article.id == "a1")
    first = a1.spans[0]
    a1.spans.append(dataclasses.replace(first, id=str(uuid.UUID(int=99)), annotator="carol"))
    return docs


def export_brat(folder: Path) -> Path:
    FORMATS["brat"].write(team_docs(), Output(directory=folder), ExportOptions())
    return folder


def entity_types_used(folder: Path) -> set[str]:
    used = set()
    for ann in folder.glob("*.ann"):
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                used.add(line.split("\t")[1].split(" ")[0])
    return used


def test_brat_conf_declares_every_type_and_allows_every_overlap(tmp_path: Path) -> None:
    folder = export_brat(tmp_path / "brat")
    text = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert OVERLAP_LINE == BRAT_ANY_OVERLAP
    assert BRAT_ANY_OVERLAP in text.split("\n")
    conf = parse_brat_conf(text)
    assert set(conf) == {"entities", "relations", "events", "attributes"}
    entities = {t for terms, _ in conf["entities"] for t in terms}
    used = entity_types_used(folder)
    assert used and used <= entities
    relations = {t for terms, _ in conf["relations"] for t in terms}
    assert relations == {"<OVERLAP>", "rebuts"}
    for a in entities:
        for b in entities:
            for how in ("equal", "contain", "cross"):
                assert brat_allows(conf, entities, a, b, how), (a, b, how)


def test_brat_rules_refuse_overlaps_without_the_line(tmp_path: Path) -> None:
    """The rule-based check is not vacuous: brat's default refuses every overlap."""
    folder = export_brat(tmp_path / "brat")
    text = (folder / "annotation.conf").read_text(encoding="utf-8")
    conf = parse_brat_conf(text.replace(BRAT_ANY_OVERLAP + "\n", ""))
    entities = {t for terms, _ in conf["entities"] for t in terms}
    assert not any(brat_allows(conf, entities, "claim", "claim", how)
                   for how in ("equal", "contain", "cross"))


#: Runs brat's own verifier in a process of its own: brat's modules have
#: generic names (``annotation``, ``message``, ``config``) that must not meet ours.
_BRAT_VERIFY = textwrap.dedent("""
    import glob, json, os, sys
    src, stub, folder = sys.argv[1:4]
    sys.path[:0] = [src, stub]
    import annotation, verify_annotations
    from projectconfig import ProjectConfiguration
    # brat opens text files with mode 'rU', which Python 3.11 removed.
    _open = annotation.codecs_open
    annotation.codecs_open = lambda f, mode="r", *a, **k: _open(f, mode.replace("U", ""), *a, **k)
    conf = ProjectConfiguration(folder)
    issues = []
    for ann in sorted(glob.glob(os.path.join(folder, "*.ann"))):
        with annotation.TextAnnotations(ann[:-4]) as doc:
            for issue in verify_annotations.verify_annotation(doc, conf):
                issues.append(os.path.basename(ann) + " " + issue.human_readable_str())
    print(json.dumps({"entities": conf.get_entity_types(), "issues": issues}))
""")


def brat_src() -> Path | None:
    src = os.environ.get("STANCEMARK_BRAT_SRC")
    path = Path(src) if src else None
    if path is None or not (path / "verify_annotations.py").is_file():
        return None
    return path


def run_brat_verifier(src: Path, folder: Path, stub: Path) -> list[str]:
    stub.mkdir(exist_ok=True)
    # brat's config.py is made by its installer; brat looks for annotation.conf from a
    # document's folder up to BASE_DIR (else it uses a default configuration).
    (stub / "config.py").write_text(f"BASE_DIR = {str(folder)!r}\nDEBUG = False\n"
                                    f"WORK_DIR = {str(stub)!r}\n")
    out = subprocess.run([sys.executable, "-c", _BRAT_VERIFY, str(src), str(stub), str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # brat read our conf (a missing one falls back to a default with other types)
    assert sorted(result["entities"]) == ["claim", "context", "denial"]
    issues: list[str] = result["issues"]
    return issues


def test_brat_own_verifier_accepts_the_export(tmp_path: Path) -> None:
    src = brat_src()
    if src is None:
        pytest.skip("set STANCEMARK_BRAT_SRC to brat's server/src to run brat's own verifier")
    folder = export_brat(tmp_path / "brat")
    assert run_brat_verifier(src, folder, tmp_path / "stub") == []
    # The same files under a conf without the overlap line: brat's errors come back.
    conf = folder / "annotation.conf"
    conf.write_text(conf.read_text(encoding="utf-8").replace(BRAT_ANY_OVERLAP + "\n", ""),
                    encoding="utf-8")
    issues = run_brat_verifier(src, folder, tmp_path / "stub")
    assert any("cannot have identical span" in i or "cannot contain" in i
               or "crossing span" in i for i in issues), issues
