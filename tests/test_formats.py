"""Export formats: structure, offsets in each consumer's unit, and real readers.

One shared fixture covers all three labels, an overlapping pair, notes
(one with a line break and a tab, one that looks like a formula), a span
crossing a line break, two annotators, an emoji outside the BMP, a
combining accent, CJK text, a hostile article id and a ``\\r\\n`` text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from annotations.formats import (
    EXTENSIONS,
    FORMATS,
    OFFSET_UNITS,
    ExportOptions,
    ExportReport,
    FormatUnavailable,
    Output,
    Utf16Index,
    safe_filename,
    tokens,
    utf16_offset,
)
from annotations.formats.brat import LINE_BREAKS
from annotations.formats.conll import sentence_ends
from annotations.formats.csv_rows import (
    COLUMNS,
    RELATION_COLUMNS,
    RELATION_TEXT,
    SPAN_TEXT,
    count_formulas,
    formula_cells,
    guard,
)
from annotations.formats.doccano import has_overlap
from annotations.model import Article, ExportDoc, Relation, Span, StatusRecord

TEXT1 = (
    "Officials said 王秀英 denied the claim 📈 about Café\u0301 prices.\n"
    "Second paragraph here. Dr. Smith agreed."
)
TEXT2 = "-5% drop reported. +3 gain\r\nThen more."
TEXT3 = "Nothing to see here."
ID1, ID2, ID3 = "a1", "../../etc/passwd", "CON"


def _span(
    n: int, article: Article, annotator: str, label: str, quote: str, note: str | None = None
) -> Span:
    start = article.text.index(quote)
    return Span(
        id=str(uuid.UUID(int=n)),
        article_id=article.id,
        annotator=annotator,
        label=label,
        start=start,
        end=start + len(quote),
        text=quote,
        note=note,
        created_at=f"2024-05-0{n % 9 + 1}T10:00:00.000000Z",
        updated_at=f"2024-06-0{n % 9 + 1}T10:00:00.000000Z",
    )


def make_docs() -> list[ExportDoc]:
    """Three articles in article-id order (as the store hands them over)."""
    a1 = Article(id=ID1, text=TEXT1, title="@Reuters: Café prices", url="https://example.com/a1")
    a2 = Article(id=ID2, text=TEXT2, title='=HYPERLINK("http://evil")')
    a3 = Article(id=ID3, text=TEXT3, title="Quiet day")
    s1 = [
        _span(
            1,
            a1,
            "alice",
            "claim",
            "Officials said 王秀英 denied the claim",
            "check 📈\nthe\tsource",
        ),
        _span(2, a1, "alice", "denial", "王秀英 denied the claim 📈"),
        _span(3, a1, "alice", "context", "Café\u0301 prices.\nSecond paragraph"),
        _span(4, a1, "bob", "claim", "📈 about Café\u0301"),
        _span(5, a1, "bob", "denial", "Dr. Smith agreed", "=SUM(A1:A2)"),
        _span(6, a1, "bob", "context", "王秀英"),
    ]
    s2 = [
        _span(7, a2, "bob", "claim", "-5% drop"),
        _span(8, a2, "bob", "context", "gain\r\nThen"),
    ]
    rel = Relation(
        id=str(uuid.UUID(int=100)),
        article_id=ID1,
        annotator="alice",
        label="rebuts",
        from_span=s1[1].id,
        to_span=s1[0].id,
    )
    return [
        ExportDoc(a2, s2, statuses=[StatusRecord(ID2, "bob", "done")]),
        ExportDoc(a3, [], statuses=[StatusRecord(ID3, "alice", "done")]),
        ExportDoc(a1, s1, relations=[rel]),
    ]


@pytest.fixture
def docs() -> list[ExportDoc]:
    return make_docs()


@pytest.fixture
def all_spans(docs: list[ExportDoc]) -> dict[str, Span]:
    return {s.id: s for d in docs for s in d.spans}


def run(
    fmt: str, docs: Any, tmp_path: Path, options: ExportOptions | None = None
) -> tuple[bytes | Path, ExportReport]:
    """Write ``docs`` in ``fmt``; bytes for single-file formats, the folder otherwise."""
    spec = FORMATS[fmt]
    options = options or ExportOptions()
    if spec.folder:
        folder = tmp_path / f"out-{fmt}"
        return folder, spec.write(docs, Output(directory=folder), options)
    buf = io.BytesIO()
    report = spec.write(docs, Output(stream=buf), options)
    return buf.getvalue(), report


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def expected_by_record(docs: list[ExportDoc]) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """(article id, annotator) -> sorted (start, end, label) for one-per-annotator formats."""
    out: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for d in docs:
        for st in d.statuses:
            out.setdefault((d.article.id, st.annotator), [])
        for s in d.spans:
            out.setdefault((d.article.id, s.annotator), []).append((s.start, s.end, s.label))
    return {k: sorted(v) for k, v in out.items()}


# ------------------------------------------------------------------ helpers


def test_fixture_has_the_hard_characters() -> None:
    assert any(ord(c) > 0xFFFF for c in TEXT1)  # emoji outside the BMP
    assert "\u0301" in TEXT1  # combining accent
    assert "王秀英" in TEXT1  # CJK


def test_tokens_are_regex_matches() -> None:
    toks = [TEXT1[s:e] for s, e in tokens(TEXT1)]
    assert toks[:4] == ["Officials", "said", "王秀英", "denied"]
    assert "📈" in toks
    # a combining mark is not \w in Python: it is a token of its own
    assert toks[toks.index("Café") + 1] == "\u0301"
    assert tokens("") == []
    assert tokens("a-b") == [(0, 1), (1, 2), (2, 3)]


def test_utf16_offsets() -> None:
    index = Utf16Index(TEXT1)
    for i in range(len(TEXT1) + 1):
        assert index(i) == utf16_offset(TEXT1, i) == len(TEXT1[:i].encode("utf-16-le")) // 2
    emoji = TEXT1.index("📈")
    assert utf16_offset(TEXT1, emoji + 1) == emoji + 2
    assert utf16_offset(TEXT1, emoji) == emoji
    assert utf16_slice(TEXT1, utf16_offset(TEXT1, emoji), utf16_offset(TEXT1, emoji + 1)) == "📈"


@pytest.mark.parametrize(
    ("article_id", "prefix"),
    [
        ("plain-id_1.2", "plain-id_1.2"),
        ("../../etc/passwd", "etc_passwd-"),
        ("..", "article-"),
        ("", "article-"),
        ("a/b\\c", "a_b_c-"),
        ("CON", "_CON-"),
        ("a..b", "a_b-"),
        ("con.txt", "_con.txt-"),
        ("LPT1", "_LPT1-"),
        ("nul", "_nul-"),
        ("王秀英", "article-"),
        ("trailing.", "trailing-"),
        ("-rf", "rf-"),
        (".hidden", "hidden-"),
    ],
)
def test_safe_filename(article_id: str, prefix: str) -> None:
    name = safe_filename(article_id, set())
    assert name.startswith(prefix)
    assert name == article_id or len(name) > len(prefix)  # changed ids carry a hash
    assert "/" not in name and "\\" not in name and ".." not in name
    assert name and not name.startswith((".", "-")) and not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert len(name) <= 120


def test_safe_filename_unique_and_bounded() -> None:
    taken: set[str] = set()
    names = [safe_filename(i, taken) for i in ["a", "A", "a", "a/b", "a_b", "x" * 500, "x" * 501]]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 125 for n in names)
    assert names[5] != names[6]  # truncated ids keep distinct hashes
    assert safe_filename("a/b", set()) == safe_filename("a/b", set())  # deterministic


def test_registry() -> None:
    names = ["jsonl", "csv", "xlsx", "prodigy", "doccano", "labelstudio", "brat", "conll",
             "spacy", "w3c"]
    assert list(FORMATS) == names
    # only the native pack carries tombstones and orphans (it is what a merge reads)
    assert {n for n, s in FORMATS.items() if s.wants_deleted} == {"jsonl"}
    assert {n for n, s in FORMATS.items() if s.keeps_orphaned} == {"jsonl"}
    assert set(OFFSET_UNITS) == set(names) == set(EXTENSIONS)
    # spacy writes a folder of shards since issue 19 (one DocBin held every document)
    assert {n for n, s in FORMATS.items() if s.folder} == {"brat", "spacy"}
    assert {n for n, s in FORMATS.items() if s.binary} == {"spacy", "xlsx"}
    assert {n for n, s in FORMATS.items() if s.one_per_annotator} == {
        "conll",
        "spacy",
        "doccano",
        "prodigy",
    }
    assert FORMATS["doccano"].offset_unit == "UTF-16 code units"
    for spec in FORMATS.values():
        assert spec.description and spec.offset_unit and callable(spec.write)


def test_core_import_pulls_in_no_ui_and_no_spacy() -> None:
    code = (
        "import sys, annotations.formats; "
        "print(sorted(m for m in ('spacy', 'rich', 'textual') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------- csv


def test_csv(docs: list[ExportDoc], tmp_path: Path) -> None:
    """Exact by default: every cell as stored, formula-like ones counted in one warning."""
    data, report = run("csv", docs, tmp_path)
    assert isinstance(data, bytes) and b"\r" not in data.replace(b"gain\r\nThen", b"")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0].keys()) == COLUMNS
    assert (report.articles, report.spans, report.skipped) == (3, 8, 0)
    assert len(rows) == 8
    texts = {d.article.id: d.article.text for d in docs}
    assert [r["article_id"] for r in rows] == [ID2] * 2 + [ID1] * 6  # input order, then spans
    for row in rows:
        assert texts[row["article_id"]][int(row["start"]) : int(row["end"])] == row["text"]
    by_text = {r["text"]: r for r in rows}
    assert "-5% drop" in by_text
    assert by_text["Dr. Smith agreed"]["note"] == "=SUM(A1:A2)"
    assert by_text["-5% drop"]["title"] == '=HYPERLINK("http://evil")'
    assert by_text["王秀英"]["title"] == "@Reuters: Café prices"
    assert by_text["Officials said 王秀英 denied the claim"]["note"] == "check 📈\nthe\tsource"
    assert by_text["gain\r\nThen"]["label"] == "context"  # multi-line cell survives
    assert by_text["王秀英"]["created_at"].startswith("2024-")
    # formula-like cells: 2 titles "=HYPERLINK", 6 titles "@Reuters", "-5% drop", "=SUM"
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith("csv: 10 cell(s) start with =, +, -, @")
    assert "--excel-safe" in report.warnings[0] and "xlsx" in report.warnings[0]


def test_csv_excel_safe(docs: list[ExportDoc], tmp_path: Path) -> None:
    """--excel-safe: formula-like cells get a leading ', and the note says they changed."""
    data, report = run("csv", docs, tmp_path, ExportOptions(excel_safe=True))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    texts = {d.article.id: d.article.text for d in docs}
    for row in rows:
        quote = row["text"][1:] if row["text"].startswith("'-") else row["text"]
        assert texts[row["article_id"]][int(row["start"]) : int(row["end"])] == quote
    by_text = {r["text"]: r for r in rows}
    assert "'-5% drop" in by_text  # quote starting with '-' defused
    assert by_text["Dr. Smith agreed"]["note"] == "'=SUM(A1:A2)"
    assert by_text["'-5% drop"]["title"] == '\'=HYPERLINK("http://evil")'
    assert by_text["王秀英"]["title"] == "'@Reuters: Café prices"
    assert by_text["王秀英"]["start"] == str(TEXT1.index("王秀英"))  # offsets never guarded
    assert not report.warnings
    assert any(m.startswith("csv: 10 cell(s)") and "no longer exact" in m
               for m in report.messages)


def test_csv_without_formula_cells_warns_nothing(tmp_path: Path) -> None:
    art = Article(id="x", text="Mr. Li denied it.", title="Plain")
    data, report = run("csv", [ExportDoc(art, [_span(1, art, "alice", "denial", "denied")])],
                       tmp_path)
    assert report.spans == 1 and not report.warnings and not report.messages


def test_csv_formula_count_is_the_cell_by_cell_count() -> None:
    """The column-wise count equals one ``formula_cells`` per row, in every text column of
    both files, and falls back to it when SQLite handed a cell of another type."""
    triggers = ["=a", "+b", "-c", "@d", "\te", "\rf", "ok", "", "x=1"]
    rng = random.Random(7)
    spans = [tuple(rng.choice(triggers) if i in SPAN_TEXT else rng.randrange(9)
                   for i in range(len(COLUMNS))) for _ in range(300)]
    rels = [tuple(rng.choice(triggers) if i in RELATION_TEXT else rng.randrange(9)
                  for i in range(len(RELATION_COLUMNS))) for _ in range(300)]
    for rows, text in ((spans, SPAN_TEXT), (rels, RELATION_TEXT)):
        expected = sum(map(formula_cells, rows))
        assert expected > 100 and count_formulas(rows, text) == expected
    odd = [*spans[:5], ("=id", "t", "a", "l", 0, 1, "-x", None, 20240101, "=u")]
    assert count_formulas(odd, SPAN_TEXT) == sum(map(formula_cells, odd))
    assert count_formulas([], SPAN_TEXT) == 0


@pytest.mark.parametrize(
    ("cell", "guarded"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ok = fine", "ok = fine"),
        ("", ""),
    ],
)
def test_csv_guard(cell: str, guarded: str) -> None:
    assert guard(cell) == guarded


# ------------------------------------------------------------------ prodigy


def test_prodigy(docs: list[ExportDoc], tmp_path: Path) -> None:
    data, report = run("prodigy", docs, tmp_path)
    assert isinstance(data, bytes)
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    keys = [(r["meta"]["article_id"], r["_annotator_id"]) for r in records]
    assert keys == [(ID2, "bob"), (ID3, "alice"), (ID1, "alice"), (ID1, "bob")]
    expected = expected_by_record(docs)
    for rec in records:
        text = rec["text"]
        toks = rec["tokens"]
        # the words are our tokens; the rest is white space, in spaCy's convention
        words = [t for t in toks if not t["text"].isspace()]
        assert [(t["start"], t["end"]) for t in words] == tokens(text)
        assert "".join(t["text"] + " " * t["ws"] for t in toks) == text
        for i, t in enumerate(toks):
            assert t["id"] == i and text[t["start"] : t["end"]] == t["text"]
        got = []
        for sp in rec["spans"]:
            # token indices agree with character offsets; token_end is inclusive
            assert toks[sp["token_start"]]["start"] == sp["start"]
            assert toks[sp["token_end"]]["end"] == sp["end"]
            got.append((sp["start"], sp["end"], sp["label"]))
        assert got == expected[(rec["meta"]["article_id"], rec["_annotator_id"])]
        assert rec["answer"] == "accept"
        for h in ("_input_hash", "_task_hash"):
            assert isinstance(rec[h], int) and -(2**31) <= rec[h] < 2**31
    a1 = [r for r in records if r["meta"]["article_id"] == ID1]
    assert a1[0]["_input_hash"] == a1[1]["_input_hash"]  # same text
    assert a1[0]["_task_hash"] != a1[1]["_task_hash"]  # different answers
    quotes = {TEXT1[s["start"] : s["end"]] for s in a1[0]["spans"]}
    assert "Café\u0301 prices.\nSecond paragraph" in quotes
    assert records[1]["spans"] == []  # alice looked at CON and found nothing
    assert (report.spans, report.skipped) == (8, 0)
    assert not any("widened" in m for m in report.messages)


def test_prodigy_same_answer_same_task_hash(tmp_path: Path) -> None:
    art = Article(id="x", text="Mr. Li denied it.")
    spans = [_span(1, art, "alice", "denial", "denied"), _span(2, art, "bob", "denial", "denied")]
    data, _ = run("prodigy", [ExportDoc(art, spans)], tmp_path)
    recs = [json.loads(line) for line in data.decode().splitlines()]
    assert recs[0]["_task_hash"] == recs[1]["_task_hash"]
    assert recs[0]["_input_hash"] == 226649795  # stable across runs and versions: dedupe keys


# ------------------------------------------------------------------ doccano


def test_doccano(docs: list[ExportDoc], tmp_path: Path) -> None:
    data, report = run("doccano", docs, tmp_path)
    assert isinstance(data, bytes)
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert [(r["article_id"], r["annotator"]) for r in records] == [
        (ID2, "bob"),
        (ID3, "alice"),
        (ID1, "alice"),
        (ID1, "bob"),
    ]
    expected = expected_by_record(docs)
    quotes = {(s.article_id, s.annotator, s.label): s.text for d in docs for s in d.spans}
    for rec in records:
        text = rec["text"]
        for start, end, label in rec["label"]:
            # the consumer slices UTF-16 code units
            assert (
                utf16_slice(text, start, end)
                == quotes[(rec["article_id"], rec["annotator"], label)]
            )
        as_code_points = sorted(
            (len(utf16_slice(text, 0, s)), len(utf16_slice(text, 0, e)), lab)
            for s, e, lab in rec["label"]
        )
        assert as_code_points == expected[(rec["article_id"], rec["annotator"])]
    alice = records[2]
    ctx = next(t for t in alice["label"] if t[2] == "context")
    assert ctx[0] == TEXT1.index("Café") + 1  # one extra unit for the emoji before it
    assert report.spans == 8
    # alice's claim and denial on a1 overlap: doccano would drop one without a word
    assert report.warnings == [
        "doccano: 1 record(s) hold overlapping spans, which doccano drops on import unless "
        'the project allows overlapping spans (create it with "Allow overlapping spans" ticked)'
    ]


def test_doccano_overlap_check() -> None:
    art = Article(id="x", text="one two three four")

    def spans(*quotes: str) -> list[Span]:
        return sorted((_span(n, art, "a", "claim", q) for n, q in enumerate(quotes)),
                      key=lambda s: (s.start, s.end))

    assert not has_overlap(spans("one", "two", "three"))
    assert not has_overlap(spans("one two", "three"))  # touching is not overlapping
    assert has_overlap(spans("one two", "two three"))
    assert has_overlap(spans("one two three", "two"))  # nested
    assert has_overlap(spans("one two three four", "two", "four"))
    assert not has_overlap([])


# -------------------------------------------------------------- labelstudio


def test_labelstudio(docs: list[ExportDoc], tmp_path: Path, all_spans: dict[str, Span]) -> None:
    data, report = run("labelstudio", docs, tmp_path)
    assert isinstance(data, bytes)
    tasks = json.loads(data.decode("utf-8"))
    assert [t["data"]["article_id"] for t in tasks] == [ID2, ID3, ID1]
    assert tasks[1]["annotations"] == []
    a1 = tasks[2]
    assert a1["data"]["text"] == TEXT1 and a1["data"]["title"] == "@Reuters: Café prices"
    assert [a["stancemark_annotator"] for a in a1["annotations"]] == ["alice", "bob"]
    n = 0
    for task in tasks:
        text = task["data"]["text"]
        for ann in task["annotations"]:
            assert ann["ground_truth"] is False and ann["was_cancelled"] is False
            for res in ann["result"]:
                if res["type"] == "relation":
                    continue
                n += 1
                assert (res["from_name"], res["to_name"], res["type"]) == (
                    "label",
                    "text",
                    "labels",
                )
                v = res["value"]
                assert text[v["start"] : v["end"]] == v["text"]  # code points
                span = all_spans[res["id"]]
                assert (v["start"], v["end"], v["labels"]) == (span.start, span.end, [span.label])
                assert span.annotator == ann["stancemark_annotator"]
                if span.note:
                    assert res["meta"] == {"text": [span.note]}
                else:
                    assert "meta" not in res
    assert n == report.spans == 8
    alice = a1["annotations"][0]["result"]
    rel = [r for r in alice if r["type"] == "relation"]
    assert rel == [
        {
            "type": "relation",
            "from_id": str(uuid.UUID(int=2)),
            "to_id": str(uuid.UUID(int=1)),
            "direction": "right",
            "labels": ["rebuts"],
        }
    ]
    assert any('<Label value="claim"/>' in m for m in report.messages)


def test_labelstudio_empty(tmp_path: Path) -> None:
    data, _ = run("labelstudio", [], tmp_path)
    assert json.loads(data) == []


# --------------------------------------------------------------------- brat


def parse_ann(path: Path) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str, str]]]:
    """A small reader following brat's own rules (server/src/annotation.py)."""
    text = (path.with_suffix(".txt")).read_bytes().decode("utf-8")
    ents: dict[str, Any] = {}
    notes: dict[str, str] = {}
    rels: list[tuple[str, str, str]] = []
    for line in path.read_bytes().decode("utf-8").split("\n"):
        if not line:
            continue
        assert not any(ch in line for ch in LINE_BREAKS)
        ident, rest = line.split("\t", 1)
        if ident.startswith("T"):
            head, quote = rest.split("\t", 1)
            kind, offsets = head.split(" ", 1)
            frags = [tuple(int(x) for x in part.split(" ")) for part in offsets.split(";")]
            seen: list[tuple[int, int]] = []
            for start, end in frags:
                assert 0 <= start < end <= len(text)
                for os_, oe in seen:  # brat refuses overlapping or touching fragments
                    assert not (end >= os_ and start < oe)
                seen.append((start, end))
            assert " ".join(text[s:e] for s, e in frags) == quote  # brat's DISCONT_SEP check
            ents[ident] = {"type": kind, "frags": frags, "quote": quote}
        elif ident.startswith("#"):
            kind, note = rest.split("\t", 1)
            assert kind.startswith("AnnotatorNotes T")
            notes[kind.split(" ")[1]] = note
        elif ident.startswith("R"):
            kind, a1, a2 = rest.split(" ")
            rels.append((kind, a1.removeprefix("Arg1:"), a2.removeprefix("Arg2:")))
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return ents, notes, rels


def test_brat(docs: list[ExportDoc], tmp_path: Path) -> None:
    folder, report = run("brat", docs, tmp_path)
    assert isinstance(folder, Path)
    files = sorted(p.name for p in folder.iterdir())
    assert "a1.txt" in files and "a1.ann" in files and "annotation.conf" in files
    assert len(files) == 7  # three articles, two files each, plus the conf
    assert all(p.resolve().parent == folder.resolve() for p in folder.iterdir())
    assert not (tmp_path / "etc").exists()
    for name in files:
        assert not name.startswith(".") and "/" not in name
    con = [f for f in files if f.upper().startswith("_CON")]
    assert len(con) == 2
    passwd = [f for f in files if f.startswith("etc_passwd-")]
    assert sorted(Path(f).suffix for f in passwd) == [".ann", ".txt"]

    ents, notes, rels = parse_ann(folder / "a1.ann")
    assert (folder / "a1.txt").read_bytes().decode("utf-8") == TEXT1
    assert len(ents) == 6
    by_quote = {e["quote"]: (tid, e) for tid, e in ents.items()}
    # the span crossing the line break is a discontinuous annotation without the break
    tid, crossing = by_quote["Café\u0301 prices. Second paragraph"]
    assert crossing["type"] == "context" and len(crossing["frags"]) == 2
    first, last = crossing["frags"][0][0], crossing["frags"][-1][1]
    assert TEXT1[first:last] == "Café\u0301 prices.\nSecond paragraph"
    for d in docs:
        if d.article.id != ID1:
            continue
        for s in d.spans:
            match = [
                e
                for e in ents.values()
                if e["frags"][0][0] == s.start and e["frags"][-1][1] == s.end
            ]
            assert len(match) == 1 and match[0]["type"] == s.label
    tid_claim = by_quote["Officials said 王秀英 denied the claim"][0]
    assert notes[tid_claim] == "annotator=alice; note=check 📈 the source"
    tid_dr = by_quote["Dr. Smith agreed"][0]
    assert notes[tid_dr] == "annotator=bob; note==SUM(A1:A2)"
    assert notes[by_quote["王秀英"][0]] == "annotator=bob"
    assert set(notes) == set(ents)
    tid_denial = by_quote["王秀英 denied the claim 📈"][0]
    assert rels == [("rebuts", tid_denial, tid_claim)]

    # \r\n is written as \n (brat reads with universal newlines) and offsets follow
    ann2 = folder / next(f for f in passwd if f.endswith(".ann"))
    ents2, notes2, _ = parse_ann(ann2)
    txt2 = ann2.with_suffix(".txt").read_bytes().decode("utf-8")
    assert txt2 == TEXT2.replace("\r\n", "\n")
    quotes2 = {e["quote"] for e in ents2.values()}
    assert quotes2 == {"-5% drop", "gain Then"}
    assert any("\\r\\n" in m for m in report.messages)

    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nclaim\ncontext\ndenial\n" in conf
    # each relation type with the entity types its links join (brat checks R lines on them)
    assert "rebuts\tArg1:denial, Arg2:claim" in conf
    assert (report.articles, report.spans, report.skipped) == (3, 8, 0)


def test_brat_refuses_symlink_escape(docs: list[ExportDoc], tmp_path: Path) -> None:
    folder = tmp_path / "out-brat"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (folder / "a1.txt").symlink_to(victim)
    report = FORMATS["brat"].write(docs, Output(directory=folder), ExportOptions())
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (folder / "a1.ann").exists()
    assert any("a1" in m and "outside" in m for m in report.messages)
    assert report.skipped == 6 and report.articles == 2  # the rest of the batch goes on


def test_brat_needs_a_directory(docs: list[ExportDoc]) -> None:
    with pytest.raises(ValueError, match="folder"):
        FORMATS["brat"].write(docs, Output(stream=io.BytesIO()), ExportOptions())


# -------------------------------------------------------------------- conll


def parse_conll(data: str) -> list[dict[str, Any]]:
    """Documents with their metadata, tokens, tags and sentences."""
    docs: list[dict[str, Any]] = []
    for line in data.split("\n"):
        if line.startswith("-DOCSTART-"):
            cols = line.split(" ")
            assert cols[0] == "-DOCSTART-" and cols[-1] == "O" and len(cols) == 4
            meta = dict(c.split("=", 1) for c in cols[1:3])
            docs.append(
                {
                    "article": unquote(meta["article"]),
                    "annotator": unquote(meta["annotator"]),
                    "tokens": [],
                    "tags": [],
                    "sentences": [[]],
                }
            )
        elif line == "":
            if docs and docs[-1]["sentences"][-1]:
                docs[-1]["sentences"].append([])
        else:
            word, tag = line.split(" ")
            docs[-1]["tokens"].append(word)
            docs[-1]["tags"].append(tag)
            docs[-1]["sentences"][-1].append(word)
    for d in docs:
        if not d["sentences"][-1]:
            d["sentences"].pop()
    return docs


def iob2_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, last token, label); asserts the tags are valid IOB2."""
    out: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            out.append((i, i, tag[2:]))
        elif tag.startswith("I-"):
            assert out and out[-1][1] == i - 1 and out[-1][2] == tag[2:], f"bad I- at {i}"
            out[-1] = (out[-1][0], i, tag[2:])
        else:
            assert tag == "O"
    return out


def test_conll(docs: list[ExportDoc], tmp_path: Path) -> None:
    data, report = run("conll", docs, tmp_path)
    assert isinstance(data, bytes)
    parsed = parse_conll(data.decode("utf-8"))
    assert [(d["article"], d["annotator"]) for d in parsed] == [
        (ID2, "bob"),
        (ID3, "alice"),
        (ID1, "alice"),
        (ID1, "bob"),
    ]
    texts = {d.article.id: d.article.text for d in docs}
    got: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for d in parsed:
        text = texts[d["article"]]
        toks = tokens(text)
        assert d["tokens"] == [text[s:e] for s, e in toks]
        got[(d["article"], d["annotator"])] = [
            (toks[a][0], toks[b][1], label) for a, b, label in iob2_spans(d["tags"])
        ]
    expected = expected_by_record(docs)
    # alice's denial overlaps her longer claim: the longest wins, the other is dropped
    dropped = (
        TEXT1.index("王秀英"),
        TEXT1.index("王秀英") + len("王秀英 denied the claim 📈"),
        "denial",
    )
    assert got[(ID1, "alice")] == [x for x in expected[(ID1, "alice")] if x != dropped]
    assert got[(ID1, "bob")] == expected[(ID1, "bob")]
    assert got[(ID2, "bob")] == expected[(ID2, "bob")]
    assert got[(ID3, "alice")] == []
    for key, spans in got.items():
        for start, end, _ in spans:  # every kept span still gives back its quote
            assert any(s.start == start and s.end == end for d in docs for s in d.spans), key
    assert report.skipped == 1 and report.spans == 7
    assert any("1 overlapping span(s) dropped" in m for m in report.messages)
    bob = parsed[3]
    assert [" ".join(s) for s in bob["sentences"]] == [
        "Officials said 王秀英 denied the claim 📈 about Café \u0301 prices .",
        "Second paragraph here .",
        "Dr . Smith agreed .",
    ]
    # alice's context span crosses the first sentence end: no break inside a span
    alice = parsed[2]
    assert [len(s) for s in alice["sentences"]] == [12 + 4, 5]
    # The product's sentence model ends a sentence at "reported." before "+3" (the old
    # conll splitter wanted a capital letter next); the line break after "gain" ends
    # one too, but bob's span "gain Then" crosses it, so it joins them.
    assert [len(s) for s in parsed[0]["sentences"]] == [6, 6]
    for d in parsed:
        i = 0
        for sentence in d["sentences"]:
            assert not d["tags"][i].startswith("I-")  # every sentence opens outside a span
            i += len(sentence)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        ("Acme Ltd. Said no. Acme Inc. Agreed.", ["Acme Ltd. Said no.", "Acme Inc. Agreed."]),
        # The sentences are the product's (annotations.sentences), since issue 19; where
        # they differ from conll's old splitter the case says so.
        # Old: one sentence (no split after an abbreviation); "Then" opens one.
        ("The U.S. Army came. It left, e.g. Then.",
         ["The U.S. Army came.", "It left, e.g.", "Then."]),
        ('He said "No." Then left.', ['He said "No."', "Then left."]),
        # Old: no split before a lower-case word; sentencex splits after "!" anyway.
        ("Really? Yes! ok. fine", ["Really?", "Yes!", "ok. fine"]),
        ("First line\n\nSecond line", ["First line", "Second line"]),
        ("First line\r\n \r\nSecond line", ["First line", "Second line"]),
        # Old: only a blank line ended a sentence; a line break always does now.
        ("One line\r\nnext line", ["One line", "next line"]),
        ("王秀英否认。她说不。", ["王秀英否认。", "她说不。"]),
        ("Prices rose 5.2 percent.", ["Prices rose 5.2 percent."]),
        ("", []),
    ],
)
def test_conll_sentences(text: str, sentences: list[str]) -> None:
    toks = tokens(text)
    ends = sorted(sentence_ends(text, toks))
    starts = [0] + [e + 1 for e in ends[:-1]] if ends else []
    got = [text[toks[a][0] : toks[b][1]] for a, b in zip(starts, ends, strict=True)]
    assert got == sentences


def _conll_line_by_line(docs: list[ExportDoc]) -> bytes:
    """conll as the format defines it, one line at a time (the writer builds each
    document from a list shared by the article's annotators)."""
    from annotations.formats.base import annotators, by_annotator, token_range, valid_spans

    out = []
    for doc in docs:
        text = doc.article.text
        spans = valid_spans(doc, ExportReport(), "conll")
        toks = tokens(text)
        ends = sentence_ends(text, toks)
        for name in annotators(doc, spans):
            cands = []
            for sp in by_annotator(spans, name):
                rng = token_range(toks, sp.start, sp.end)
                if rng is not None:
                    cands.append((-(sp.end - sp.start), sp.start, sp.end, sp.label, sp.id, *rng))
            tags = ["O"] * len(toks)
            joined: set[int] = set()
            for *_key, label, _sid, first, last in sorted(cands):
                if any(t != "O" for t in tags[first : last + 1]):
                    continue
                tags[first : last + 1] = [f"B-{label}"] + [f"I-{label}"] * (last - first)
                joined.update(range(first, last))
            lines = [f"-DOCSTART- article={quote(doc.article.id, safe='/.')} "
                     f"annotator={name} O", ""]
            for i, (a, b) in enumerate(toks):
                lines.append(f"{text[a:b]} {tags[i]}")
                if i in ends and i not in joined:
                    lines.append("")
            out.append("\n".join(lines) + "\n")
    return "".join(out).encode("utf-8")


def test_conll_documents_are_the_line_by_line_ones() -> None:
    rng = random.Random(19)
    words = ["Officials", "said", "the", "U.S.", "plan", "failed.", "Dr.", "Smith", "agreed!",
             "\n", "\n\n", "“Really?”", "no.", "It", "王秀英否认。", "5.2%", "e.g.", "Then"]
    docs = []
    for k in range(60):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40))).strip() or "x"
        spans = []
        for j in range(rng.randint(0, 8)):
            a = rng.randrange(len(text))
            b = min(len(text), a + rng.randint(1, 40))
            spans.append(Span(f"s{k}-{j}", f"a{k}", rng.choice(["ann", "bob"]),
                              rng.choice(["claim", "denial"]), a, b, text[a:b]))
        statuses = [StatusRecord(f"a{k}", "cy", "done", "")] if k % 7 == 0 else []
        docs.append(ExportDoc(Article(id=f"a{k}", text=text), spans, [], statuses))
    buf = io.BytesIO()
    FORMATS["conll"].write(docs, Output(stream=buf), ExportOptions())
    assert buf.getvalue() == _conll_line_by_line(docs)


# -------------------------------------------------------------------- spacy


def test_spacy(docs: list[ExportDoc], tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    folder, report = run("spacy", docs, tmp_path)
    assert isinstance(folder, Path)
    assert [p.name for p in folder.iterdir()] == ["part-00000.spacy"]
    nlp = spacy.blank("en")
    read = list(DocBin().from_disk(folder / "part-00000.spacy").get_docs(nlp.vocab))
    assert [(d.user_data["article_id"], d.user_data["annotator"]) for d in read] == [
        (ID2, "bob"),
        (ID3, "alice"),
        (ID1, "alice"),
        (ID1, "bob"),
    ]
    texts = {d.article.id: d.article.text for d in docs}
    quotes = {(s.article_id, s.start, s.end): s.text for d in docs for s in d.spans}
    expected = expected_by_record(docs)
    for doc in read:
        key = (doc.user_data["article_id"], doc.user_data["annotator"])
        assert doc.text == texts[key[0]]
        got = sorted((sp.start_char, sp.end_char, sp.label_) for sp in doc.spans["sc"])
        assert got == expected[key]
        for sp in doc.spans["sc"]:
            assert sp.text == quotes[(key[0], sp.start_char, sp.end_char)]
    assert (report.spans, report.skipped) == (8, 0)
    assert not any("widened" in m for m in report.messages)


def test_spacy_shards_read_back_as_one_corpus(docs: list[ExportDoc], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A shard per two documents: spaCy's Corpus reads the folder as one corpus, in order."""
    spacy = pytest.importorskip("spacy")
    from spacy.training import Corpus

    from annotations.formats import spacy_docbin

    whole, _ = run("spacy", docs, tmp_path / "whole")
    monkeypatch.setattr(spacy_docbin, "SHARD_DOCS", 2)
    folder, report = run("spacy", docs, tmp_path / "shards")
    assert isinstance(whole, Path) and isinstance(folder, Path)
    assert sorted(p.name for p in folder.iterdir()) == ["part-00000.spacy", "part-00001.spacy"]
    assert any("2 shard(s)" in m for m in report.messages)
    nlp = spacy.blank("en")

    def read(path: Path) -> list[tuple[str, str, str, list[tuple[int, int, str]]]]:
        return [(ex.reference.user_data["article_id"], ex.reference.user_data["annotator"],
                 ex.reference.text,
                 [(sp.start_char, sp.end_char, sp.label_) for sp in ex.reference.spans["sc"]])
                for ex in Corpus(path)(nlp)]

    one = read(whole)
    assert read(folder) == one and len(one) == 4
    assert [(a, n) for a, n, _, _ in one] == [(ID2, "bob"), (ID3, "alice"), (ID1, "alice"),
                                               (ID1, "bob")]


def test_spacy_memory_stays_flat_with_the_corpus_size(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards are written and dropped as they fill: the writer never holds more than one."""
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from annotations.formats import spacy_docbin

    monkeypatch.setattr(spacy_docbin, "SHARD_DOCS", 3)
    held: list[int] = []
    original = DocBin.add

    def add(self: DocBin, doc: Any) -> None:
        original(self, doc)
        held.append(len(self))

    monkeypatch.setattr(DocBin, "add", add)
    arts = [Article(id=f"a{i:02d}", text=f"Report {i} says the bridge was approved.")
            for i in range(10)]
    docs = [ExportDoc(a, [_span(i, a, "alice", "claim", "bridge")]) for i, a in enumerate(arts)]
    folder, report = run("spacy", docs, tmp_path)
    assert isinstance(folder, Path) and max(held) == 3 and report.spans == 10
    assert len(list(folder.iterdir())) == 4  # 3 + 3 + 3 + 1


def test_spacy_lean_shards_read_back_as_a_full_docbin(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two token columns, shards cut by tokens and a fresh vocabulary per shard lose nothing:
    every attribute a default DocBin keeps, the text, the spans and the user data read back
    the same (norms included: "don't" -> "do" + "n't", normed "not")."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.tokens.doc import DOCBIN_ALL_ATTRS
    from spacy.training import Corpus

    from annotations.formats import spacy_docbin

    arts = [Article(id=f"a{i:02d}", text=f"Report {i}: they don't deny the £{i}m bridge "
                    f"approval, won't they?\n\nBürgermeister {'x' * i} said so.")
            for i in range(7)]
    docs = [*make_docs(), *(ExportDoc(a, [_span(100 + i, a, "bob", "denial", "don't deny")])
                            for i, a in enumerate(arts))]
    nlp = spacy.blank("en")
    full = DocBin(store_user_data=True)  # what the writer kept before: every default attribute
    blanks = 0
    blank = spacy.blank

    def counted(lang: str) -> Any:
        nonlocal blanks
        blanks += 1
        return blank(lang)

    monkeypatch.setattr(spacy, "blank", counted)
    monkeypatch.setattr(spacy_docbin, "SHARD_TOKENS", 40)
    monkeypatch.setattr(spacy_docbin, "VOCAB_STRINGS", 0)
    folder, report = run("spacy", docs, tmp_path)
    assert isinstance(folder, Path)
    shards = sorted(folder.iterdir())
    assert len(shards) > 3 and blanks == 1 + len(shards)  # one pipeline per shard
    for edoc in docs:
        for name in sorted({s.annotator for s in edoc.spans}
                           | {st.annotator for st in edoc.statuses}):
            doc = nlp.make_doc(edoc.article.text)
            doc.user_data.update(article_id=edoc.article.id, annotator=name)
            doc.spans["sc"] = [doc.char_span(s.start, s.end, label=s.label,
                                             alignment_mode="expand")
                               for s in edoc.spans if s.annotator == name]
            full.add(doc)
    whole = tmp_path / "full"
    whole.mkdir()
    full.to_disk(whole / "part.spacy")

    def read(path: Path) -> list[Any]:
        return [(d.text, dict(d.user_data), d.to_array(list(DOCBIN_ALL_ATTRS)).tolist(),
                 sorted((sp.start_char, sp.end_char, sp.label_) for sp in d.spans["sc"]))
                for d in (ex.reference for ex in Corpus(path)(spacy.blank("en")))]

    ours = read(folder)
    assert ours == read(whole) and len(ours) == len(full)
    assert any(t.norm_ == "not" and t.text == "n't"
               for ex in Corpus(folder)(spacy.blank("en")) for t in ex.reference)
    assert report.spans == 8 + 7


def test_spacy_missing(docs: list[ExportDoc], monkeypatch: pytest.MonkeyPatch,
                       tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # makes `import spacy` raise ImportError
    with pytest.raises(FormatUnavailable, match=r"pip install 'stancemark\[spacy\]'"):
        FORMATS["spacy"].write(docs, Output(directory=tmp_path), ExportOptions())


# ---------------------------------------------------------------------- w3c


def test_w3c(docs: list[ExportDoc], tmp_path: Path, all_spans: dict[str, Span]) -> None:
    data, report = run("w3c", docs, tmp_path)
    assert isinstance(data, bytes)
    page = json.loads(data.decode("utf-8"))
    assert page["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert page["type"] == "AnnotationPage" and page["id"]
    # the spans' annotations; the relation's ("linking") is read back in test_relation_exports
    items = [a for a in page["items"] if a["motivation"] != "linking"]
    assert len(items) == report.spans == 8 and len(page["items"]) == 9
    texts = {d.article.id: d.article.text for d in docs}
    for anno in items:
        assert anno["type"] == "Annotation" and anno["motivation"] == "tagging"
        assert anno["id"].startswith("urn:uuid:")
        span = all_spans[anno["id"].removeprefix("urn:uuid:")]
        target = anno["target"]
        assert target["source"] == "urn:stancemark:article:" + quote(span.article_id, safe="")
        quote_sel, pos_sel = target["selector"]
        assert quote_sel["type"] == "TextQuoteSelector"
        assert pos_sel["type"] == "TextPositionSelector"
        text = texts[span.article_id]
        assert text[pos_sel["start"] : pos_sel["end"]] == quote_sel["exact"] == span.text
        assert text[: pos_sel["start"]].endswith(quote_sel.get("prefix", ""))
        assert text[pos_sel["end"] :].startswith(quote_sel.get("suffix", ""))
        assert anno["creator"] == {"type": "Person", "name": span.annotator}
        assert anno["created"] == span.created_at and anno["modified"] == span.updated_at
        bodies = {b["purpose"]: b for b in anno["body"]}
        assert bodies["tagging"] == {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": span.label,
        }
        if span.note:
            assert bodies["commenting"]["value"] == span.note
        else:
            assert "commenting" not in bodies
        if span.article_id == ID1:
            assert target["scope"] == "https://example.com/a1"
    first = next(a for a in items if a["target"]["selector"][1]["start"] == 0)
    assert "prefix" not in first["target"]["selector"][0]


# ------------------------------------------------------- all formats at once


def read_output(result: bytes | Path) -> dict[str, bytes]:
    if isinstance(result, bytes):
        return {"": result}
    return {p.name: p.read_bytes() for p in sorted(result.iterdir())}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_deterministic_and_order_independent(fmt: str, tmp_path: Path) -> None:
    pytest.importorskip("spacy") if fmt == "spacy" else None
    first, _ = run(fmt, make_docs(), tmp_path / "one")
    shuffled = make_docs()
    rnd = random.Random(7)
    for d in shuffled:
        rnd.shuffle(d.spans)
        d.relations.reverse()
    second, _ = run(fmt, shuffled, tmp_path / "two")
    assert read_output(first) == read_output(second)


_DIGEST_SCRIPT = """
import hashlib, io, sys, tempfile
from pathlib import Path
sys.path[:0] = sys.argv[1:]
from test_formats import make_docs
from annotations.formats import FORMATS, ExportOptions, Output
for name, spec in FORMATS.items():
    if name == "spacy" and not with_spacy:
        continue
    if spec.folder:
        folder = Path(tempfile.mkdtemp()) / "out"
        spec.write(make_docs(), Output(directory=folder), ExportOptions())
        blob = b"".join(p.name.encode() + p.read_bytes() for p in sorted(folder.iterdir()))
    else:
        buf = io.BytesIO()
        spec.write(make_docs(), Output(stream=buf), ExportOptions())
        blob = buf.getvalue()
    print(name, hashlib.sha256(blob).hexdigest())
"""


def test_same_bytes_across_processes() -> None:
    """Set and dict orders vary with PYTHONHASHSEED; the output must not."""
    try:
        import spacy  # noqa: F401

        with_spacy = True
    except ImportError:
        with_spacy = False
    here = Path(__file__).resolve().parent
    outs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        script = f"with_spacy = {with_spacy}\n" + _DIGEST_SCRIPT
        proc = subprocess.run(
            [sys.executable, "-c", script, str(here.parent), str(here)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1] and outs[0].count("\n") == len(FORMATS) - (not with_spacy)


@pytest.mark.parametrize("fmt", [f for f, spec in FORMATS.items() if not spec.binary])
def test_text_output_is_utf8_with_lf(fmt: str, tmp_path: Path) -> None:
    for name, blob in read_output(run(fmt, make_docs(), tmp_path)[0]).items():
        text = blob.decode("utf-8")
        assert "\\u" not in text.replace("\\u0301", "")  # real characters, not escapes
        if name.endswith(".txt"):
            continue
        assert "\r\n" not in text.replace("gain\r\nThen", "").replace("\\r\\n", "")


@pytest.mark.parametrize("fmt", [f for f, spec in FORMATS.items() if not spec.keeps_orphaned])
def test_bad_offsets_are_skipped_and_reported(fmt: str, tmp_path: Path) -> None:
    pytest.importorskip("spacy") if fmt == "spacy" else None
    art = Article(id="x", text="Officials said 王秀英 denied it.")
    good = _span(1, art, "alice", "denial", "denied")
    bad = _span(2, art, "alice", "claim", "Officials")
    bad.start, bad.end = 3, 12  # an orphaned anchor whose offsets lost their quote
    _, report = run(fmt, [ExportDoc(art, [good, bad])], tmp_path)
    assert report.skipped == 1 and report.spans == 1
    assert any(bad.id in m for m in report.messages)


@pytest.mark.parametrize("fmt", [f for f, spec in FORMATS.items() if spec.keeps_orphaned])
def test_formats_that_keep_orphans_write_them_as_stored(fmt: str, tmp_path: Path) -> None:
    art = Article(id="x", text="Officials said 王秀英 denied it.")
    good = _span(1, art, "alice", "denial", "denied")
    bad = _span(2, art, "alice", "claim", "Officials")
    bad.start, bad.end, bad.anchor = 3, 12, "orphaned"  # offsets that lost their quote
    blob, report = run(fmt, [ExportDoc(art, [bad, good])], tmp_path)
    assert report.skipped == 0 and report.spans == 2 and not report.messages
    assert isinstance(blob, bytes)
    spans = json.loads(blob)["spans"]
    assert [(s["start"], s["end"], s["text"], s["anchor"]) for s in spans] == [
        (3, 12, "Officials", "orphaned"),
        (good.start, good.end, "denied", "ok"),
    ]


@pytest.mark.parametrize("fmt", ["prodigy", "conll", "spacy"])
def test_misaligned_spans_are_widened_and_reported(fmt: str, tmp_path: Path) -> None:
    pytest.importorskip("spacy") if fmt == "spacy" else None
    art = Article(id="x", text="The Smithsonian said no.")
    span = _span(1, art, "alice", "claim", "Smith")
    _, report = run(fmt, [ExportDoc(art, [span])], tmp_path)
    assert report.spans == 1 and report.skipped == 0
    assert any("widened" in m for m in report.messages)


# xlsx holds its zip archive until the end: it cannot stream (spacy writes a folder of
# shards, see test_spacy_memory_stays_flat_with_the_corpus_size).
@pytest.mark.parametrize("fmt", [f for f in FORMATS
                                 if not FORMATS[f].folder and f not in ("spacy", "xlsx")])
def test_streams_one_doc_at_a_time(fmt: str) -> None:
    buf = io.BytesIO()
    seen_before_second: list[int] = []

    def feed() -> Iterator[ExportDoc]:
        docs = make_docs()
        yield docs[2]
        seen_before_second.append(len(buf.getvalue()))
        yield docs[0]

    FORMATS[fmt].write(feed(), Output(stream=buf), ExportOptions())
    assert seen_before_second[0] > 200  # the first article was written before the second was read


def test_brat_never_writes_through_a_link_planted_after_the_folder_was_listed(
        tmp_path: Path) -> None:
    from annotations.formats.base import FolderWriter

    folder = tmp_path / "out"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    with FolderWriter(folder) as writer:
        writer.write("a.txt", b"one")
        (folder / "b.txt").symlink_to(victim)  # planted between the listing and the write
        with pytest.raises(ValueError, match="link"):
            writer.write("b.txt", b"two")
        with pytest.raises(ValueError, match="plain file name"):
            writer.write("../c.txt", b"three")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (folder / "a.txt").read_bytes() == b"one"
    assert not (tmp_path / "c.txt").exists()


def test_brat_skips_an_article_whose_file_name_is_a_folder(
        docs: list[ExportDoc], tmp_path: Path) -> None:
    folder = tmp_path / "out-brat"
    folder.mkdir()
    (folder / "a1.ann").mkdir()
    report = FORMATS["brat"].write(docs, Output(directory=folder), ExportOptions())
    assert not (folder / "a1.txt").exists()  # neither file of a1: the article is skipped whole
    assert any("a1" in m and "not a file" in m for m in report.messages)
    assert report.articles == 2 and (folder / "annotation.conf").is_file()
