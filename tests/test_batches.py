"""Batches never abort and say what they did (issue 14, section 3).

Every hostile item is a per-line or per-file error with its reason, the good
lines and files around it are stored, the summary prints, the exit status
is 1.  Each file (and each pack) is one unit, stored whole or not at all; a
full disk says "disk full" and what was and was not committed.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.articles import ArticleError, read_jsonl
from annotations.articles.markdown import MAX_LIST_DEPTH, MAX_QUOTE_DEPTH, parse_markdown
from annotations.formats.pack import read_pack, write_pack
from annotations.model import Article
from annotations.store import Store, Unit
from annotations.trust import Trust
from tui.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EVERYONE = Trust.decide(["ana", "bob", "mallory"])


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


def pack_line(aid: str, **over: Any) -> dict[str, Any]:
    text = f"Report {aid}: the minister denied the claim."
    span = {"id": f"{aid}-s1", "annotator": "ana", "label": "claim", "start": 0, "end": 6,
            "text": text[0:6], "note": None, "attributes": {}, "anchor": "ok",
            "created_at": "2025-01-01T00:00:00.000000Z",
            "updated_at": "2025-01-01T00:00:00.000000Z", "deleted_at": None,
            "prefix": "", "suffix": text[6:38]}
    line = {"id": aid, "title": aid, "text": text, "meta": {}, "spans": [span],
            "relations": [], "statuses": []}
    line.update(over)
    return line


def jsonl(*lines: dict[str, Any] | str) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines).encode()


# --------------------------------------------------------------- readers
SURROGATE_FIELDS = {
    "text": lambda d: d.update(text="lone \ud800 here"),
    "title": lambda d: d.update(title="t\udfff"),
    "id": lambda d: d.update(id="a\ud800"),
    "meta value": lambda d: d["meta"].update(k="\udc00"),
    "meta key": lambda d: d["meta"].update({"k\ud800": 1}),
    "date": lambda d: d.update(date="2025\ud800"),
    "span label": lambda d: d["spans"][0].update(label="c\ud800"),
    "span id": lambda d: d["spans"][0].update(id="\ud801"),
    "span annotator": lambda d: d["spans"][0].update(annotator="ana\udbff"),
    "span note": lambda d: d["spans"][0].update(note="\ud800"),
    "span attributes": lambda d: d["spans"][0].update(attributes={"x": ["\ud800"]}),
    "status": lambda d: d.update(statuses=[{"annotator": "\ud800", "status": "done",
                                            "updated_at": "2025-01-01T00:00:00Z"}]),
    "relation": lambda d: d.update(relations=[{"id": "r", "label": "\ud800"}]),
    "style kind": lambda d: d.update(styles=[[0, 3, "\ud800"]]),
}


@pytest.mark.parametrize("field", list(SURROGATE_FIELDS))
def test_a_lone_surrogate_in_any_field_is_a_line_error(tmp_path: Path, field: str) -> None:
    bad = pack_line("bad")
    SURROGATE_FIELDS[field](bad)
    p = tmp_path / "s.jsonl"
    p.write_bytes(jsonl(pack_line("before"), bad, pack_line("after")))
    items = list(read_jsonl(p))
    assert [x.id for x in items if isinstance(x, Article)] == ["before", "after"]
    (err,) = [x for x in items if isinstance(x, ArticleError)]
    assert err.line == 2 and "lone surrogate" in err.reason


def test_a_valid_surrogate_pair_escape_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "emoji.jsonl"
    p.write_bytes(b'{"id": "e", "text": "smile \\ud83d\\ude00 and \\\\ud800 as text"}\n')
    (art,) = list(read_jsonl(p))
    assert isinstance(art, Article) and art.text == "smile \U0001f600 and \\ud800 as text"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_nan_and_infinity_are_line_errors(tmp_path: Path, value: str) -> None:
    p = tmp_path / "n.jsonl"
    p.write_bytes(b'{"id": "a", "text": "fine"}\n'
                  + f'{{"id": "b", "text": "x", "meta": {{"score": {value}}}}}\n'.encode()
                  + b'{"id": "c", "text": "fine too"}\n')
    items = list(read_jsonl(p))
    assert [x.id for x in items if isinstance(x, Article)] == ["a", "c"]
    (err,) = [x for x in items if isinstance(x, ArticleError)]
    assert err.line == 2 and "invalid JSON" in err.reason


def test_nan_is_never_stored_nor_written_into_a_pack(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "n.db")
    report = s.import_articles([
        Article(id="nan", text="t", meta={"v": float("nan")}, path="nan.md"),
        Article(id="inf", text="t", meta={"v": [float("inf")]}, path="inf.md"),
        Article(id="ok", text="fine", path="ok.md"),
    ])
    assert report.failed == 2 and report.imported == 1
    assert all("not stored" in e and "JSON" in e for e in report.errors)
    buf = io.BytesIO()
    write_pack(s.export_docs(include_deleted=True), buf)
    assert b"NaN" not in buf.getvalue() and b"Infinity" not in buf.getvalue()


def test_huge_yaml_integers_are_file_errors_and_fast(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hex.md").write_text("---\nn: 0x" + "f" * 20_000 + "\n---\nHex.\n")
    (folder / "sexagesimal.md").write_text("---\nn: 1" + ":30" * 200_000 + "\n---\nSexa.\n")
    (folder / "big.md").write_text("---\nn: " + "9" * 30 + "\n---\nBig.\n")
    (folder / "key.md").write_text("---\n" + "1" * 25 + ": x\n---\nKey.\n")
    (folder / "id.md").write_text("---\nid: 0x" + "f" * 20 + "\n---\nId.\n")
    (folder / "good.md").write_text("---\nn: 0x1f\nt: 1:30\n---\nGood.\n")
    start = time.perf_counter()
    r = run("import", "--db", str(tmp_path / "y.db"), str(folder))
    assert time.perf_counter() - start < 10
    assert r.exit_code == 1
    assert "integer literal too long" in r.stderr
    for name in ("hex.md", "sexagesimal.md", "big.md", "key.md", "id.md"):
        assert f"{folder / name}" in r.stderr, name
    assert r.stderr.count("too large to store") == 3
    assert "imported 1," in r.stderr and "failed 5" in r.stderr
    good = Store.open(tmp_path / "y.db").get_article("good")
    assert good is not None and good.meta == {"n": 31, "t": 90}


def test_a_file_name_that_is_not_utf8_is_a_file_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    try:
        with open(bad, "wb") as fh:
            fh.write(b"A report with a Latin-1 name.\n")
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    (folder / "good.txt").write_text("A good report.\n")
    (folder / "pack\udce9.jsonl".encode("utf-8", "surrogateescape").decode(
        "utf-8", "surrogateescape")).write_bytes(jsonl(pack_line("p")))
    r = run("import", "--db", str(tmp_path / "u.db"), str(folder))
    assert r.exit_code == 1
    assert r.stderr.count("file name is not valid UTF-8") == 2
    assert "caf\\udce9.txt" in r.stderr  # shown escaped, never raw
    assert "imported 1," in r.stderr
    assert Store.open(tmp_path / "u.db").article_ids() == ["good"]


@pytest.mark.parametrize("offsets", [(0, 2**63), (2**63, 2**63 + 1), (0, 2**64), (-1, 3),
                                     (0, 50 * 1024 * 1024 + 1)])
def test_huge_span_offsets_are_rejected_records(tmp_path: Path,
                                                offsets: tuple[int, int]) -> None:
    bad = pack_line("bad")
    bad["spans"].append(dict(bad["spans"][0], id="huge", start=offsets[0], end=offsets[1]))
    p = tmp_path / "o.jsonl"
    p.write_bytes(jsonl(pack_line("before"), bad, pack_line("after")))
    r = run("import", "--db", str(tmp_path / "o.db"), "--from", "ana", str(p))
    assert r.exit_code == 1
    assert "'huge'" in r.stderr and "not a range" in r.stderr
    assert "3 added" in r.stderr and "1 rejected" in r.stderr
    s = Store.open(tmp_path / "o.db")
    assert s.get_span("huge") is None and s.get_span("bad-s1") is not None


def test_the_whole_hostile_batch_goes_through_with_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.md").write_text("---\ntitle: Good\n---\nA good report.\n")
    (folder / "b-hex.md").write_text("---\nn: 0x" + "f" * 20_000 + "\n---\nHex.\n")
    lines = [pack_line("p1"), '{"id": "p2", "text": "nan", "meta": {"x": NaN}}',
             '{"id": "p3", "text": "lone \\ud800"}', pack_line("p4")]
    huge = pack_line("p5")
    huge["spans"][0].update(end=2**63)
    (folder / "c-pack.jsonl").write_bytes(jsonl(*lines, huge))
    (folder / "d-good.txt").write_text("Another good report.\n")
    r = run("import", "--db", str(tmp_path / "b.db"), "--from", "ana", str(folder))
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "imported 5, updated 0, unchanged 0, skipped 0, failed 3" in r.stderr
    assert "2 added" in r.stderr and "1 rejected" in r.stderr
    assert sorted(Store.open(tmp_path / "b.db").article_ids()) == [
        "a-good", "d-good", "p1", "p4", "p5"]


# --------------------------------------------------------- units and faults
def _refuse_trigger(store: Store, table: str, when: str) -> None:
    store.conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} WHEN {when} "
                       "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END")


def test_a_line_the_database_refuses_fails_its_file_alone(tmp_path: Path) -> None:
    """An error no reader check foresaw (here a trigger) rolls back that line's file, whole,
    names the line, and the next files go on."""
    s = Store.open(tmp_path / "t.db")
    _refuse_trigger(s, "spans", "NEW.label = 'poison'")
    bad = pack_line("bad")
    bad["spans"].append(dict(bad["spans"][0], id="poison", label="poison"))
    first, poisoned, last = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "3.jsonl"
    first.write_bytes(jsonl(pack_line("a")))
    poisoned.write_bytes(jsonl(pack_line("b"), bad, pack_line("c")))
    last.write_bytes(jsonl(pack_line("d")))
    docs = [(x, x.annotations, str(p)) for p in (first, poisoned, last) for x in read_pack(p)
            if isinstance(x, Article)]
    report = s.merge_docs(docs, trust=EVERYONE)
    assert report.rejected == 1
    assert report.messages == [f"{poisoned}:2: not stored: IntegrityError: refused by a trigger; "
                               f"nothing of {poisoned} was stored"]
    assert sorted(s.article_ids()) == ["a", "d"]  # the poisoned file is wholly out
    assert s.get_span("a-s1") and s.get_span("d-s1") and s.get_span("b-s1") is None
    merged = {m["pack_path"] for m in s.merges()}
    assert merged == {str(first), str(last)}
    assert {e.target for e in s.events(limit=100) if e.merge_id} == {"a", "a-s1", "d", "d-s1"}


def test_each_file_is_stored_whole_or_not_at_all(tmp_path: Path) -> None:
    """An interruption (a kill, Ctrl-C) loses the group in flight, never part of a file."""
    s = Store.open(tmp_path / "k.db")

    def file(name: str, n: int, boom: bool = False) -> Iterator[Article]:
        for i in range(n):
            if boom and i == 2:
                raise KeyboardInterrupt
            yield Article(id=f"{name}-{i}", text=f"text {name} {i}", path=name)

    units = [Unit("one", file("one", 3)), Unit("two", file("two", 3)),
             Unit("three", file("three", 5, boom=True))]
    with pytest.raises(KeyboardInterrupt):
        s.store_units(units, batch_size=4)
    # "one" + "two" were 6 articles: committed when the group passed 4; "three" is not there
    assert sorted(s.article_ids()) == [f"{n}-{i}" for n in ("one", "two") for i in range(3)]
    assert not s.conn.in_transaction
    report = s.store_units([Unit("four", file("four", 2))])
    assert report.imported == 2


def test_a_unit_is_all_or_nothing_under_sigkill(tmp_path: Path) -> None:
    """A real kill -9 while a merge writes: the pack is either wholly in or not at all."""
    db, pack = tmp_path / "kill.db", tmp_path / "big.jsonl"
    Store.open(db).close()
    with pack.open("wb") as fh:
        for i in range(400):
            line = pack_line(f"a{i:04d}")
            line["spans"] = [dict(line["spans"][0], id=f"a{i:04d}-s{k}", start=k, end=k + 5,
                                  text=line["text"][k:k + 5]) for k in range(30)]
            fh.write(jsonl(line))
    script = textwrap.dedent("""
        import sys
        from tui.cli import main
        sys.argv = ["stancemark", "merge", "--db", sys.argv[1], "--from", "ana", sys.argv[2]]
        main()
    """)
    wal = Path(f"{db}-wal")
    rng = random.Random(7)
    killed_mid_merge = 0
    for _round in range(3):
        proc = subprocess.Popen([sys.executable, "-c", script, str(db), str(pack)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)))
        # Kill while the pack's transaction is being written: the WAL is growing.
        threshold = rng.randint(100_000, 2_000_000)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > threshold:
                break
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_merge += 1
        proc.wait()
        s = Store.open(db)
        articles, spans, merges = s.count_articles(), len(s.annotator_spans("ana")), s.merges()
        s.close()
        assert (articles, spans, len(merges)) in {(0, 0, 0), (400, 12_000, 1)}
    assert killed_mid_merge


# ------------------------------------------------------------- disk full
def _fill_after(store: Store, extra_pages: int) -> None:
    """SQLite's max_page_count: the database file cannot grow past this (SQLITE_FULL)."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def test_a_full_database_stops_the_batch_and_says_what_was_committed(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "full.db")
    _fill_after(s, 60)
    big = "All quiet on the harbour front today. " * 300  # ~11 KB, 3 pages

    def file(name: str) -> Iterator[Article]:
        for i in range(4):
            yield Article(id=f"{name}-{i}", text=f"{name} {i} {big}", path=name)

    names = [f"f{n:02d}" for n in range(20)]
    report = s.store_units((Unit(n, file(n)) for n in names), batch_size=8)
    assert report.stopped is not None and "disk full" in report.stopped
    assert "cannot rollback" not in report.stopped
    assert report.not_committed  # the group in flight
    stored = set(s.article_ids())
    committed = {n for n in names if f"{n}-0" in stored}
    assert report.imported == len(stored) == 4 * len(committed) > 0  # whole files only
    assert not set(report.not_committed) & committed
    assert not s.conn.in_transaction
    s.conn.execute("PRAGMA max_page_count = 1073741823")
    again = s.store_units(Unit(n, file(n)) for n in names)
    assert again.stopped is None and len(s.article_ids()) == 80
    assert again.unchanged == len(stored)


def test_a_full_database_during_a_merge_says_so(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "full.db")
    p = tmp_path / "p.jsonl"
    p.write_bytes(jsonl(*[pack_line(f"a{i}", text=f"Report {i}: " + "words " * 800)
                          for i in range(40)]))
    _fill_after(s, 20)
    report = s.merge_docs(((x, x.annotations, str(p)) for x in read_pack(p)
                           if isinstance(x, Article)), trust=EVERYONE)
    assert any("disk full" in m for m in report.messages)
    assert s.count_articles() == 0 and s.merges() == []  # the pack is one unit: nothing of it


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs mounted inside tmp_path (needs root); skipped elsewhere."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def test_a_full_disk_on_import_reports_disk_full(tmp_path: Path, tiny_disk: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(120):
        (folder / f"r{i:03d}.txt").write_text(f"Report {i}. " + "Lorem ipsum dolor. " * 2000)
    db = tiny_disk / "t.db"
    r = CliRunner().invoke(cli, ["import", "--db", str(db), str(folder)], obj={})
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "cannot rollback" not in r.output
    assert "disk full" in r.stderr
    assert "stopped: everything counted below is committed" in r.stderr
    summary = r.stderr.strip().splitlines()[-1]
    assert summary.startswith("imported ")
    imported = int(summary.split()[1].rstrip(","))
    assert "file(s) written but not committed (rolled back: " in r.stderr
    s = Store.open(db)  # what the summary calls committed is there, and nothing else
    assert s.count_articles() == imported
    s.close()


def test_a_full_disk_on_merge_reports_disk_full(tmp_path: Path, tiny_disk: Path) -> None:
    p = tmp_path / "p.jsonl"
    p.write_bytes(jsonl(*[pack_line(f"a{i}", text=f"Report {i}: " + "words " * 2000)
                          for i in range(300)]))
    db = tiny_disk / "m.db"
    r = CliRunner().invoke(cli, ["merge", "--db", str(db), "--from", "ana", str(p)], obj={})
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "cannot rollback" not in r.output
    assert "disk full" in r.stderr and "1 pack(s) written but not committed" in r.stderr
    s = Store.open(db)
    assert s.count_articles() == 0


# ------------------------------------------------------------ fuzzing
JSON_LEAVES = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
               | st.sampled_from(["", "\ud800", "~forever", "2999-01-01T00:00:00Z", "NaN",
                                  "2025-01-01T00:00:00Z", "moved", "orphaned", "done", "gold",
                                  "\x00", "\u202e", "ana", "[/]"]))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=8)
LINE_FIELDS = ["id", "title", "text", "meta", "styles", "spans", "relations", "statuses",
               "text_sha256", "date"]
SPAN_FIELDS = ["id", "annotator", "label", "start", "end", "text", "note", "attributes",
               "anchor", "created_at", "updated_at", "deleted_at", "prefix", "suffix"]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(where=st.sampled_from(["line", "span", "status", "relation"]),
       field=st.sampled_from(sorted({*LINE_FIELDS, *SPAN_FIELDS})), value=JSON_VALUES)
def test_fuzz_hostile_values_never_stop_a_merge(tmp_path_factory: pytest.TempPathFactory,
                                                where: str, field: str, value: Any) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    bad = pack_line("bad")
    if where == "line":
        bad[field] = value
    elif where == "span":
        bad["spans"][0][field] = value
    elif where == "status":
        bad["statuses"] = [{"annotator": "ana", "status": "done",
                            "updated_at": "2025-01-01T00:00:00Z", field: value}]
    else:
        bad["relations"] = [{"id": "r1", "annotator": "ana", "label": "rebuts",
                             "from_span": "bad-s1", "to_span": "bad-s1",
                             "updated_at": "2025-01-01T00:00:00Z", field: value}]
    p = folder / "fuzz.jsonl"
    p.write_bytes(jsonl(bad, pack_line("good")))
    s = Store.open(folder / "f.db")
    items = list(read_pack(p))
    s.merge_docs(((x, x.annotations, str(p)) for x in items if isinstance(x, Article)),
                 trust=EVERYONE)
    assert s.get_span("good-s1") is not None
    buf = io.BytesIO()
    write_pack(s.export_docs(include_deleted=True), buf)  # whatever was stored exports
    for line in buf.getvalue().decode().splitlines():
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in a pack"))
    s.close()


# ------------------------------------------------- section 6: small ones
def test_reanchored_count_matches_the_spans_stored_as_moved(tmp_path: Path) -> None:
    src = Store.open(tmp_path / "src.db")
    text = "The council claims the bridge is safe. Engineers deny it."
    src.import_articles([Article(id="art", text=text)])
    src.add_span("art", "bob", "denial", 39, 56)
    src.add_span("art", "bob", "claim", 4, 37)
    # bob's text changed once: his spans were re-anchored (moved) in his own database
    src.import_articles([Article(id="art", text="Update: " + text)])
    assert {sp.anchor for sp in src.spans("art")} == {"moved"}
    pack = tmp_path / "bob.jsonl"
    run("export", "--db", str(src.path), "--format", "jsonl", "-o", str(pack))
    ours = tmp_path / "ours.db"  # gets bob's current text from the pack: nothing to place
    r = run("merge", "--db", str(ours), "--from", "bob", str(pack))
    stored = Store.open(ours).spans("art")
    moved = sum(sp.anchor == "moved" for sp in stored)
    assert moved == 2 and f"({moved} re-anchored, 0 orphaned)" in r.stderr


def test_the_nesting_message_says_where_lists_and_quotes_stop() -> None:
    def nested_list(depth: int) -> str:
        return "".join("  " * i + f"- item {i}\n" for i in range(depth))

    assert parse_markdown(nested_list(MAX_LIST_DEPTH))[0].count("item") == MAX_LIST_DEPTH
    with pytest.raises(ValueError, match=f"{MAX_LIST_DEPTH} of lists") as e:
        parse_markdown(nested_list(MAX_LIST_DEPTH + 1))
    assert f"{MAX_QUOTE_DEPTH} levels of quotes" in str(e.value)
    assert (MAX_LIST_DEPTH, MAX_QUOTE_DEPTH) == (49, 99)
    assert parse_markdown(">" * MAX_QUOTE_DEPTH + " deep")[0] == "deep"
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_markdown(">" * (MAX_QUOTE_DEPTH + 1) + " deep")
