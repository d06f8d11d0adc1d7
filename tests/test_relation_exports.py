"""Every export with relations, through ``stancemark export``, read back as its consumer
reads it: each relation comes back with its type and both ends' labels and offsets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from annotations.formats.pack import read_pack
from annotations.model import Article
from annotations.relation_types import DEFAULT_RELATION_TYPES
from annotations.store import Store
from annotations.trust import Trust
from tests.test_trust import run

#: An emoji before the spans: doccano's UTF-16 offsets differ from ours after it.
TEXT = ("📈 A confidential report says the ministry paid the firm twice.\n\n"
        "The ministry denied it on Monday. Audits began in 2019.")
OTHER = "Officials said the bridge is safe. Engineers deny it."

#: (annotator, type, from quote, to quote): what every format must give back.
Link = tuple[str, str, tuple[str, int, int], tuple[str, int, int]]


def place(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    s = Store.open(path)
    s.import_articles([Article(id="report", text=TEXT, title="Report"),
                       Article(id="bridge", text=OTHER, title="Bridge")])
    for who in ("ana", "bob"):
        claim = s.add_span("report", who, "claim", *place(TEXT, "the ministry paid the firm twice"))
        denial = s.add_span("report", who, "denial", *place(TEXT, "The ministry denied it"))
        s.add_relation("report", who, "rebuts", denial.id, claim.id, types=DEFAULT_RELATION_TYPES)
    context = s.add_span("report", "ana", "context", *place(TEXT, "Audits began in 2019."))
    ana_claim = s.spans("report", "ana")[0]
    s.add_relation("report", "ana", "supports", context.id, ana_claim.id)
    # A deleted relation is never exported (but the pack carries its tombstone).
    gone = s.add_relation("report", "ana", "qualifies", context.id, ana_claim.id)
    s.delete_relation(gone.id, "ana")
    # A relation whose claim gets orphaned by a changed text: left out, and said so.
    c2 = s.add_span("bridge", "ana", "claim", *place(OTHER, "the bridge is safe"))
    d2 = s.add_span("bridge", "ana", "denial", *place(OTHER, "Engineers deny it"))
    s.add_relation("bridge", "ana", "rebuts", d2.id, c2.id)
    s.import_articles([Article(id="bridge", text="Officials said nothing. Engineers deny it.",
                               title="Bridge")])
    s.close()
    return path


def expected() -> set[Link]:
    claim = ("claim", *place(TEXT, "the ministry paid the firm twice"))
    denial = ("denial", *place(TEXT, "The ministry denied it"))
    context = ("context", *place(TEXT, "Audits began in 2019."))
    return {("ana", "rebuts", denial, claim), ("bob", "rebuts", denial, claim),
            ("ana", "supports", context, claim)}


def export(db: Path, fmt: str, out: Path | None, *extra: str):  # type: ignore[no-untyped-def]
    args = ["export", "--db", str(db), "--format", fmt, *extra]
    if out is not None:
        args += ["-o", str(out)]
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    return r


def test_jsonl_pack_carries_relations_and_merges_back(db: Path, tmp_path: Path) -> None:
    r = export(db, "jsonl", tmp_path / "p.jsonl")
    assert "4 relations" in r.stderr  # three live links + the tombstone travel
    fresh = Store.open(tmp_path / "fresh.db")
    fresh.merge_docs(((a, a.annotations, "p") for a in read_pack(tmp_path / "p.jsonl")
                      if isinstance(a, Article)), trust=Trust.decide(["ana", "bob"]))
    spans = {s.id: s for s in fresh.spans("report")}
    got = {(r.annotator, r.label, (spans[r.from_span].label, spans[r.from_span].start,
                                   spans[r.from_span].end),
            (spans[r.to_span].label, spans[r.to_span].start, spans[r.to_span].end))
           for r in fresh.relations("report")}
    assert got == expected()
    assert len(fresh.relations("report", include_deleted=True)) == 4
    fresh.close()


def test_brat_r_lines_and_conf(db: Path, tmp_path: Path) -> None:
    r = export(db, "brat", tmp_path / "brat")
    assert "3 relations" in r.stderr
    assert "1 relation(s) left out with an orphaned span" in r.stderr
    ann = (tmp_path / "brat" / "report.ann").read_text(encoding="utf-8").splitlines()
    txt = (tmp_path / "brat" / "report.txt").read_text(encoding="utf-8")
    ents: dict[str, tuple[str, int, int]] = {}
    who: dict[str, str] = {}
    links: set[Link] = set()
    for line in ann:
        ident, rest = line.split("\t", 1)
        if ident.startswith("T"):
            head, quote = rest.split("\t")
            kind, start, end = head.split(" ")
            assert txt[int(start):int(end)] == quote
            ents[ident] = (kind, int(start), int(end))
        elif ident.startswith("#"):
            target, note = rest.split("\t")
            who[target.split(" ")[1]] = note.removeprefix("annotator=")
    for line in ann:
        ident, rest = line.split("\t", 1)
        if ident.startswith("R"):
            kind, arg1, arg2 = rest.split(" ")
            a, b = arg1.removeprefix("Arg1:"), arg2.removeprefix("Arg2:")
            assert who[a] == who[b]
            links.add((who[a], kind, ents[a], ents[b]))
    assert links == expected()
    assert [x.split("\t")[0] for x in ann if x.startswith("R")] == ["R1", "R2", "R3"]
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "rebuts\tArg1:denial, Arg2:claim\nsupports\tArg1:context, Arg2:claim\n" in conf
    assert "qualifies" not in conf  # only what was exported is declared


def test_labelstudio_relations_next_to_regions_and_a_relations_config(db: Path,
                                                                      tmp_path: Path) -> None:
    r = export(db, "labelstudio", tmp_path / "ls.json")
    assert ('<Relations><Relation value="rebuts"/><Relation value="supports"/></Relations>'
            in r.stderr)
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    links: set[Link] = set()
    for task in tasks:
        for ann in task["annotations"]:
            regions = {x["id"]: x["value"] for x in ann["result"] if x["type"] == "labels"}
            for x in ann["result"]:
                if x["type"] != "relation":
                    continue
                assert x["direction"] == "right" and set(x) == {
                    "type", "from_id", "to_id", "direction", "labels"}
                a, b = regions[x["from_id"]], regions[x["to_id"]]
                for kind in x["labels"]:
                    links.add((ann["stancemark_annotator"], kind,
                               (a["labels"][0], a["start"], a["end"]),
                               (b["labels"][0], b["start"], b["end"])))
    assert links == expected()


def test_labelstudio_holds_one_relation_per_pair_with_every_type(db: Path,
                                                                  tmp_path: Path) -> None:
    """Label Studio keeps one relation per ordered pair of regions: two types between the
    same spans are one result with both labels, and the config allows several."""
    s = Store.open(db)
    context, claim = (next(x for x in s.spans("report", "ana") if x.label == lab)
                      for lab in ("context", "claim"))
    s.add_relation("report", "ana", "qualifies", context.id, claim.id)
    s.close()
    r = export(db, "labelstudio", tmp_path / "ls.json")
    assert '<Relations choice="multiple">' in r.stderr
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    ana = next(a for a in tasks[1]["annotations"] if a["stancemark_annotator"] == "ana")
    pairs = [(x["from_id"], x["to_id"]) for x in ana["result"] if x["type"] == "relation"]
    assert len(pairs) == len(set(pairs)) == 2
    both = next(x for x in ana["result"] if x["type"] == "relation" and x["from_id"] ==
                context.id)
    assert both["labels"] == ["qualifies", "supports"]


def test_doccano_relation_extraction_jsonl(db: Path, tmp_path: Path) -> None:
    export(db, "doccano", tmp_path / "d.jsonl")
    links: set[Link] = set()
    for line in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text16 = rec["text"].encode("utf-16-le")
        ents = {}
        for e in rec["entities"]:
            assert set(e) == {"id", "start_offset", "end_offset", "label"}
            quote = text16[2 * e["start_offset"]: 2 * e["end_offset"]].decode("utf-16-le")
            start = rec["text"].index(quote)  # back to code points, to compare
            ents[e["id"]] = (e["label"], start, start + len(quote))
        assert [e[:3] for e in rec["label"]] == [
            [x["start_offset"], x["end_offset"], x["label"]] for x in rec["entities"]]
        for rel in rec["relations"]:
            assert set(rel) == {"id", "from_id", "to_id", "type"}
            links.add((rec["annotator"], rel["type"], ents[rel["from_id"]], ents[rel["to_id"]]))
    assert links == expected()
    # The emoji counts two UTF-16 units: the offsets are doccano's, not ours.
    first = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    claim = next(e for e in first["entities"] if e["label"] == "claim")
    assert claim["start_offset"] == TEXT.index("the ministry") + 1


def test_w3c_linking_annotations_target_the_span_annotations(db: Path, tmp_path: Path) -> None:
    export(db, "w3c", tmp_path / "w.jsonld")
    page = json.loads((tmp_path / "w.jsonld").read_text(encoding="utf-8"))
    spans = {}
    for anno in page["items"]:
        if anno["motivation"] == "tagging":
            pos = anno["target"]["selector"][1]
            spans[anno["id"]] = (anno["body"][0]["value"], pos["start"], pos["end"])
    links = {(a["creator"]["name"], a["body"]["value"], spans[a["target"][0]],
              spans[a["target"][1]])
             for a in page["items"] if a["motivation"] == "linking"}
    assert links == expected()
    assert all(a["id"].startswith("urn:uuid:") for a in page["items"])


def test_csv_writes_relations_csv_beside_the_spans_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "relations.csv").write_text("stale\n", encoding="utf-8")
    export(db, "csv", out / "spans.csv")
    with (out / "relations.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (out / "spans.csv").open(encoding="utf-8", newline="") as fh:
        span_rows = {(r["article_id"], r["annotator"], r["label"], int(r["start"]), int(r["end"]))
                     for r in csv.DictReader(fh)}
    links = set()
    for r in rows:
        a = (r["from_label"], int(r["from_start"]), int(r["from_end"]))
        b = (r["to_label"], int(r["to_start"]), int(r["to_end"]))
        assert TEXT[a[1]:a[2]] == r["from_text"] and TEXT[b[1]:b[2]] == r["to_text"]
        for end in (a, b):  # each end joins a row of the spans file
            assert (r["article_id"], r["annotator"], *end) in span_rows
        links.add((r["annotator"], r["label"], a, b))
    assert links == expected()
    # To stdout: the spans only, and how many relations that left out.
    r = export(db, "csv", None)
    assert r.stdout.startswith("article_id,title,")
    assert "csv: 3 relation(s) left out: they go to relations.csv beside the spans file" in (
        r.stderr)
    bad = run("export", "--db", str(db), "--format", "csv", "-o", str(out / "relations.csv"))
    assert bad.exit_code == 2 and "name the spans file otherwise" in bad.stderr


@pytest.mark.parametrize("fmt", ["conll", "prodigy", "xlsx", "spacy"])
def test_formats_without_relations_say_how_many_they_left_out(db: Path, tmp_path: Path,
                                                              fmt: str) -> None:
    r = export(db, fmt, tmp_path / f"out.{fmt}")
    assert f"{fmt}: 3 relation(s) left out: the format has no relations" in r.stderr


def test_a_label_filter_leaves_out_relations_with_their_spans(db: Path, tmp_path: Path) -> None:
    r = export(db, "brat", tmp_path / "brat", "--label", "claim", "--label", "denial")
    assert "2 relations" in r.stderr
    ann = (tmp_path / "brat" / "report.ann").read_text(encoding="utf-8")
    assert ann.count("\trebuts ") == 2 and "supports" not in ann


def test_pandas_reads_relations_csv(db: Path, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    export(db, "csv", tmp_path / "spans.csv")
    frame = pandas.read_csv(tmp_path / "relations.csv")
    assert sorted(frame["label"]) == ["rebuts", "rebuts", "supports"]
    assert list(frame.columns[:3]) == ["article_id", "annotator", "label"]
