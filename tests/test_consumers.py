"""Exports read back by the programs that consume them, not by our own parsers.

* brat: the ``annotation.conf`` parsed with brat's rules (``projectconfig.py``:
  sections, terms, ``ROLE:TYPE`` arguments, and what ``<OVERLAP>`` allows),
  and, when brat's server code is at hand (``STANCEMARK_BRAT_SRC`` names its
  ``server/src``), brat's own ``verify_annotations`` over the whole export.
  brat is not on PyPI and its code is not ours to ship, so that one test
  skips without it; the rule-based one always runs.
* csv: pandas' ``read_csv`` with its defaults gives back every quote exactly.
* xlsx: openpyxl reads every text cell back as a string cell with the same
  value (and pandas' ``read_excel`` the quotes); two exports are the same bytes.
* prodigy: spaCy builds a ``Doc`` from the tokens that has the article's text,
  and every span is a ``char_span`` of it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import uuid
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from annotations.formats import FORMATS, ExportOptions, ExportReport, Output, xlsx
from annotations.formats.brat import OVERLAP_LINE
from annotations.formats.csv_rows import COLUMNS, span_rows
from annotations.model import Article, ExportDoc, Span, StatusRecord
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


# -------------------------------------------------------------- csv and xlsx


def _write(fmt: str, docs: list[ExportDoc], options: ExportOptions | None = None) -> bytes:
    buf = io.BytesIO()
    FORMATS[fmt].write(docs, Output(stream=buf), options or ExportOptions())
    return buf.getvalue()


def test_pandas_reads_the_csv_exactly() -> None:
    """``pandas.read_csv`` with its defaults gives back every quote, formula-like ones too."""
    pd = pytest.importorskip("pandas")
    docs = make_docs()
    texts = {d.article.id: d.article.text for d in docs}
    frame = pd.read_csv(io.BytesIO(_write("csv", docs)))
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == sum(len(d.spans) for d in docs)
    for row in frame.itertuples(index=False):
        assert texts[row.article_id][row.start : row.end] == row.text
    quotes = set(frame["text"])
    assert "-5% drop" in quotes and "'-5% drop" not in quotes
    assert set(frame["note"].dropna()) >= {"=SUM(A1:A2)"}
    assert set(frame["title"]) >= {'=HYPERLINK("http://evil")', "@Reuters: Café prices"}


def test_openpyxl_reads_every_text_cell_as_text(tmp_path: Path) -> None:
    """Every text cell is a string cell holding the exact text; offsets are numbers."""
    openpyxl = pytest.importorskip("openpyxl")
    docs = make_docs()
    path = tmp_path / "spans.xlsx"
    path.write_bytes(_write("xlsx", docs))
    expected = [COLUMNS, *(row for d in docs for row in span_rows(d, ExportReport(), "test"))]
    sheet = openpyxl.load_workbook(path)["spans"]
    got = list(sheet.iter_rows())
    assert len(got) == len(expected) == 9
    for cells, row in zip(got, expected, strict=True):
        for cell, value in zip(cells, row, strict=True):
            if isinstance(value, int):
                assert (cell.data_type, cell.value) == ("n", value)
            elif value == "":
                assert cell.value is None  # an empty note is an empty cell
            else:
                assert (cell.data_type, cell.value) == ("s", value), cell.coordinate
    formulas = [c.value for cells in got for c in cells
                if isinstance(c.value, str) and c.value.startswith(("=", "@", "-"))]
    assert "=SUM(A1:A2)" in formulas and '=HYPERLINK("http://evil")' in formulas


def test_pandas_reads_the_xlsx_exactly(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    docs = make_docs()
    texts = {d.article.id: d.article.text for d in docs}
    path = tmp_path / "spans.xlsx"
    path.write_bytes(_write("xlsx", docs))
    frame = pd.read_excel(path, sheet_name="spans")
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 8
    for row in frame.itertuples(index=False):
        assert texts[row.article_id][row.start : row.end] == row.text


def test_xlsx_same_database_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl and zipfile stamp the clock; the export must not show it."""
    openpyxl = pytest.importorskip("openpyxl")
    blobs = []
    for clock in (1_000_000_000.0, 1_700_000_000.0):
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)
        blobs.append(_write("xlsx", make_docs()))
    assert blobs[0] == blobs[1]
    props = openpyxl.load_workbook(io.BytesIO(blobs[0])).properties
    latest = max(s.updated_at for d in make_docs() for s in d.spans)
    assert props.created == props.modified == datetime.fromisoformat(latest[:19])
    with zipfile.ZipFile(io.BytesIO(blobs[0])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_xlsx_control_characters_and_long_cells(tmp_path: Path) -> None:
    """What XML cannot hold is escaped the OOXML way (Excel decodes it), and a cell
    longer than a spreadsheet holds leaves its span out, reported, instead of cutting it."""
    openpyxl = pytest.importorskip("openpyxl")
    text = "Esc \x1b[2J here and _x0041_ literal. " + "long " * 7000
    art = Article(id="ctl", text=text, title="t\x07")
    spans = [
        Span(id="s1", article_id="ctl", annotator="ana", label="claim", start=0, end=13,
             text=text[:13]),
        Span(id="s2", article_id="ctl", annotator="ana", label="context", start=14,
             end=len(text) - 1, text=text[14:-1]),
    ]
    buf = io.BytesIO()
    report = FORMATS["xlsx"].write([ExportDoc(art, spans)], Output(stream=buf), ExportOptions())
    assert (report.spans, report.skipped) == (1, 1)
    assert any(m.startswith(f"xlsx: context span 14-{len(text) - 1} of 'ana' in 'ctl' skipped")
               and "text is longer than a spreadsheet cell holds" in m for m in report.messages)
    assert any("_xHHHH_" in m for m in report.messages)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["spans"]
    row = [c.value for c in next(sheet.iter_rows(min_row=2))]
    assert row[1] == "t_x0007_" and row[6] == "Esc _x001B_[2J here"
    assert xlsx.ooxml_escape("_x0041_") == "_x005F_x0041_"


# ------------------------------------------------------------------ prodigy

#: White space a paragraph-broken report really has: runs, breaks, a leading indent.
SPACED = ("  Officials said on Monday  that the plan failed.\n\nThe minister\tdenied it.\n"
          " Café\u0301 owners   agreed. \n")


def _prodigy_records(docs: list[ExportDoc]) -> list[dict[str, object]]:
    return [json.loads(line) for line in _write("prodigy", docs).decode("utf-8").splitlines()]


def spaced_docs() -> list[ExportDoc]:
    art = Article(id="spaced", text=SPACED)
    quotes = [("claim", "Officials said on Monday  that the plan failed."),
              ("denial", "The minister\tdenied it.\n Café\u0301"),
              ("context", "owners   agreed"), ("claim", "Monday")]
    spans = []
    for n, (label, quote) in enumerate(quotes):
        start = SPACED.index(quote)
        spans.append(Span(id=f"s{n}", article_id="spaced", annotator="ana", label=label,
                          start=start, end=start + len(quote), text=quote))
    return [*make_docs(), ExportDoc(art, spans)]


def test_prodigy_tokens_rebuild_a_spacy_doc() -> None:
    """spaCy's ``Doc(words, spaces)`` from the tokens has the text; every span is a char_span."""
    pytest.importorskip("spacy")
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    vocab = Vocab()
    records = _prodigy_records(spaced_docs())
    assert any(r["text"] == SPACED for r in records)
    for rec in records:
        text, toks = rec["text"], rec["tokens"]
        assert isinstance(text, str) and isinstance(toks, list)
        assert "".join(t["text"] + " " * t["ws"] for t in toks) == text
        doc = Doc(vocab, words=[t["text"] for t in toks], spaces=[t["ws"] for t in toks])
        assert doc.text == text
        assert [(tok.idx, tok.idx + len(tok)) for tok in doc] == [
            (t["start"], t["end"]) for t in toks]
        assert isinstance(rec["spans"], list)
        for sp in rec["spans"]:
            span = doc.char_span(sp["start"], sp["end"])
            assert span is not None, (rec["meta"], sp)
            assert (span.start, span.end - 1) == (sp["token_start"], sp["token_end"])
            assert span.text == text[sp["start"]:sp["end"]]


def test_prodigy_tokens_match_spacys_own_tokenizer_on_white_space() -> None:
    """Where our words are spaCy's, so are our white-space tokens and trailing spaces."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    plain = SPACED.replace("Caf\u00e9\u0301", "Cafe")  # spaCy keeps a combining mark in its word
    doc = ExportDoc(Article(id="plain", text=plain), [],
                    statuses=[StatusRecord("plain", "ana", "done")])
    rec = _prodigy_records([doc])[0]
    theirs = [(t.text, bool(t.whitespace_)) for t in nlp.make_doc(plain)]
    ours = [(t["text"], t["ws"]) for t in rec["tokens"]]  # type: ignore[union-attr]
    assert ours == theirs
