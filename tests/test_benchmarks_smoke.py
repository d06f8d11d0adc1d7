"""The benchmark code still runs: every case at the tiny size (timings are not checked).

The TUI cases start the annotator headless in child processes; at the tiny
size they take about 15 s.  The serve case (a browser tab against a
terminal) adds about 10 s, or is listed as skipped, with the reason, on a
machine without chromium.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import runner
from benchmarks.framework import Case, Target, register, registered
from benchmarks.serve_runs import skip_reason

pytest.importorskip("krippendorff")

CORE_ROWS = {
    "import": ["import"],
    "export": ["export jsonl", "export csv"],
    "merge": ["merge"],
    "agreement": ["agreement (alpha)"],
    "tag": ["tag a span p50", "tag a span p99"],
    "suggest": ["suggest: retrain 2,000 sentences", "suggest: model F1, 2 articles",
                "suggest: model F1, 5 articles", "suggest: model F1, 10 articles",
                "suggest: model F1, all other articles"],
    "search": ["search: word", "search: phrase", "search: span", "search: combined"],
    "pack_import": ["pack import"],
    "export_formats": ["export brat", "export conll", "export spacy (peak RSS)"],
    "list_filter": ["list filter: word", "list filter: common word", "list filter: word is:todo",
                    "list filter: span", "list_articles: fulltext"],
}
TUI_ROWS = {
    "first_paint": ["first paint"],
    "key_press": ["key press: cursor move", "key press: tag", "key press: first after opening"],
    "memory": ["memory (peak RSS)"],
    "keys_per_tag": ["keys per tag: sentence", "keys per tag: sentences", "keys per tag: phrase",
                     "keys per tag: paragraph"],
    "search_typing": ["search as you type (p95)"],
    "filter_typing": ["filter keystroke", "filter burst"],
    "open_article": ["open 1 MB article: first screen", "open 1 MB article: first key"],
    "undo_redo": ["undo", "redo"],
}
SERVE_ROWS = {
    "serve": ["serve: open to article", "serve: tag key to paint"],
}
ALL_ROWS = {**CORE_ROWS, **TUI_ROWS, **SERVE_ROWS}


def test_every_case_runs_at_tiny_size(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = runner.main(["--size", "tiny", "--seed", "7", "--json", str(out),
                        "--tmp", str(tmp_path / "data"), "-q"])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))

    meta = report["meta"]
    assert meta["size"] == "tiny" and meta["seed"] == 7 and meta["repeat"] == 1
    for key in ("nproc", "cpu", "python", "sqlite"):
        assert meta["machine"][key]

    results = report["results"]
    by_case: dict[str, list[dict]] = {}
    for r in results:
        by_case.setdefault(r["case"], []).append(r)
    assert set(by_case) == set(ALL_ROWS)
    assert not any(c.pending for c in registered())
    serve_skipped = skip_reason()
    for name, rows in ALL_ROWS.items():
        assert [r["row"] for r in by_case[name]] == rows
        for r in by_case[name]:
            if name in SERVE_ROWS and serve_skipped:
                assert r["status"] == "skipped" and r["reason"] == serve_skipped, r
                assert r["group"] == "tui" and r["median"] is None
                continue
            assert r["status"] == "ok", r
            assert r["group"] == ("core" if name in CORE_ROWS else "tui")
            if name != "keys_per_tag":  # one sample per target there, not per repeat
                assert len(r["samples"]["ours"]) == 1 and len(r["samples"]["baseline"]) == 1
            assert r["median"] > 0 and r["baseline_median"] > 0
            assert r["ratio"] == pytest.approx(r["median"] / r["baseline_median"])
            assert isinstance(r["pass"], bool)
            assert r["target"] and r["target_ratio"] > 0

    assert by_case["agreement"][0]["info"]["alpha"] is not None

    # The TUI cases: seconds, except memory (bytes); both sides opened the same article.
    paint = by_case["first_paint"][0]
    assert paint["unit"] == "s" and paint["median"] < 30
    assert paint["info"]["articles"] > 2000  # more than LIST_SYNC_LIMIT: the list streams in
    assert paint["info"]["article_opened"] == "report-000000"
    for side in ("ours", "baseline"):
        (frame,) = paint["info"]["first_frame_s"][side]
        (loaded,) = paint["info"]["list_loaded_s"][side]
        assert 0 < frame <= loaded
    assert paint["samples"]["ours"][0] >= paint["info"]["first_frame_s"]["ours"][0]
    memory = by_case["memory"][0]
    assert memory["unit"] == "bytes"
    assert 10 * 2**20 < memory["baseline_median"] < 4 * 2**30
    move, tag, first = by_case["key_press"]
    assert move["unit"] == tag["unit"] == first["unit"] == "s"
    assert move["median"] < 1 and tag["median"] < 1 and first["median"] < 1
    assert first["info"]["next_sentence"]["ratio"] > 0
    assert first["info"]["first_sentence"]["cold_ratio"] > 0
    assert move["info"]["text_area"][0] > 10 and move["info"]["text_area"][1] > 5
    assert move["info"]["word_move"]["ratio"] > 0
    assert 0 < tag["info"]["commit_share"] <= tag["info"]["store_share"] < 1
    assert tag["info"]["paired"]["ratio"] > 0 and tag["info"]["paired"]["sessions"] >= 1
    if not serve_skipped:
        load, press = by_case["serve"]
        assert load["unit"] == press["unit"] == "s"
        assert load["info"]["renderer"] == "webgl"  # what users get, not the DOM fallback
        assert load["info"]["terminal"] == press["info"]["terminal"]
        assert 0 < load["median"] < 60 and 0 < press["median"] < 5

    # Keys per tag: counts, every sequence checked with Pilot; the goals of issue 12.
    sentence, _runs, phrase, paragraph = by_case["keys_per_tag"]
    assert sentence["unit"] == "keys" and sentence["median"] == 2
    assert sentence["info"]["goal"] == {"keys": 2, "mean_met": True, "max_met": True}
    assert paragraph["median"] == 2 and paragraph["info"]["old"]["mean"] > 2
    assert phrase["info"]["from_phrase"]["new"]["max"] is not None

    # The search cases: ours and the bare SQL found the same ids; the typing case's goal
    # is a time, not a ratio.
    for row in by_case["search"]:
        assert row["info"]["hits"] >= 0 and row["info"]["corpus"]["articles"] == 300
    assert by_case["search"][0]["info"]["hits"] > 0  # "embassy" is in 5 % of the reports
    assert by_case["search"][0]["info"]["more_queries"]["李小龍"]["hits"] >= 0
    typing = by_case["search_typing"][0]
    assert typing["target"] == "under 100 ms"
    assert typing["pass"] == (typing["median"] < 0.1)
    assert [k[0] for k in typing["info"]["per_key_s"]][-1] == "embassy denied"

    # Issue 19's cases: the same rows and bytes on both sides; goals in time and bytes.
    pack = by_case["pack_import"][0]
    assert pack["info"]["rows"]["articles"] == 30 and pack["info"]["rows"]["events"] > 0
    brat, conll, spacy = by_case["export_formats"]
    assert brat["info"]["same_bytes"] and conll["info"]["same_bytes"]
    assert spacy["unit"] == "bytes" and spacy["target"] == "under 500 MiB"
    assert all(r["info"]["rows_shown"] > 0 for r in by_case["list_filter"][:4])
    keystroke, burst = by_case["filter_typing"]
    assert keystroke["target"] == "under 16 ms"
    assert [k[0] for k in keystroke["info"]["per_key_s"]][-1] == "is:todo has:denial"

    opened, first_key = by_case["open_article"]
    assert opened["info"]["article_chars"] > 5 * opened["info"]["small_chars"]
    assert first_key["median"] < 1
    reopen = opened["info"]["reopen"]  # first openings in the row, reopenings beside it
    assert len(reopen["ours"]) == len(opened["samples"]["ours"]) and reopen["ratio"] > 0
    undo, redo = by_case["undo_redo"]
    assert undo["info"]["baseline_is"].startswith("the tag press")

    # Generated data is removed unless --keep.
    assert not any((tmp_path / "data").iterdir())

    table = capsys.readouterr().out
    for rows in ALL_ROWS.values():
        for row in rows:
            assert row in table
    assert "MiB" in table


def test_the_data_is_deterministic():
    from benchmarks.data import markdown_article

    assert markdown_article(3, 12) == markdown_article(3, 12)
    assert markdown_article(3, 12) != markdown_article(4, 12)
    assert 4000 < len(markdown_article(3, 12).encode("utf-8")) < 6500


def test_only_selects_cases_and_rejects_unknown_names(tmp_path):
    out = tmp_path / "r.json"
    assert runner.main(["--size", "tiny", "--only", "agreement", "--json", str(out), "-q",
                        "--tmp", str(tmp_path)]) == 0
    assert {r["case"] for r in json.loads(out.read_text())["results"]} == {"agreement"}
    with pytest.raises(SystemExit):
        runner.main(["--size", "tiny", "--only", "nope", "--json", str(out), "-q"])


def test_a_real_case_replaces_its_pending_placeholder():
    from benchmarks import framework

    registered()  # loads the case modules
    sizes = {"tiny": {}, "quick": {}, "full": {}}
    pending = Case(name="example", title="example", order=99, measured="m", baseline="b",
                   target=Target(2.0, strict=True), rows=("example",), sizes=sizes)
    real = Case(name="example", title="example", order=99, measured="m", baseline="b",
                target=Target(2.0, strict=True), rows=("example",), sizes=sizes,
                run=lambda ctx: [])
    try:
        register(pending)
        assert next(c for c in registered() if c.name == "example").pending
        register(real)
        assert next(c for c in registered() if c.name == "example") is real
        register(pending)  # a placeholder never hides a real case
        assert next(c for c in registered() if c.name == "example") is real
    finally:
        framework._REGISTRY.pop("example", None)


def test_a_pending_case_is_listed_without_figures(tmp_path, capsys):
    from benchmarks import framework

    sizes = {"tiny": {}, "quick": {}, "full": {}}
    register(Case(name="example", title="example", order=99, measured="m", baseline="b",
                  target=Target(1.5), rows=("example row",), sizes=sizes))
    out = tmp_path / "r.json"
    try:
        assert runner.main(["--size", "tiny", "--only", "example", "--json", str(out), "-q",
                            "--tmp", str(tmp_path)]) == 0
    finally:
        framework._REGISTRY.pop("example", None)
    (row,) = json.loads(out.read_text())["results"]
    assert row["status"] == "pending" and row["median"] is None and row["pass"] is None
    assert "pending" in capsys.readouterr().out


def test_baselines_use_the_store_settings(tmp_path):
    """The bare sqlite3 baselines must run with the PRAGMAs Store._setup gives its connection."""
    from annotations.store import Store
    from benchmarks.data import bare_connect

    names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys", "cache_size",
             "page_size", "temp_store", "mmap_size", "locking_mode", "wal_autocheckpoint",
             "recursive_triggers")
    store = Store.open(tmp_path / "s.db")
    bare = bare_connect(tmp_path / "s.db")
    try:
        for name in names:
            ours = store.conn.execute(f"PRAGMA {name}").fetchone()
            theirs = bare.execute(f"PRAGMA {name}").fetchone()
            assert ours == theirs, name
    finally:
        store.close()
        bare.close()


def test_scale_size_runs_only_the_cases_that_have_it(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert runner.main(["--size", "scale", "--only", "key_press,agreement", "--json", str(out),
                        "-q", "--tmp", str(tmp_path)]) == 0
    assert json.loads(out.read_text())["results"] == []
    names = {c.name for c in registered() if "scale" in c.sizes}
    assert names >= {"search", "search_typing"}


def test_the_scale_corpus_is_built_once_and_reused(tmp_path):
    from annotations.store import Store
    from benchmarks.scale import cached_corpus, scale_article

    logged: list[str] = []
    first = cached_corpus(tmp_path, 5, 40, logged.append)
    assert first.info["articles"] == 40 and first.info["spans"] == 40 * 10
    assert any("building" in m for m in logged)
    again = cached_corpus(tmp_path, 5, 40, logged.append)
    assert again.path == first.path and "reusing" in logged[-1]
    assert not list(tmp_path.glob("*.building*"))  # built under another name, then renamed
    assert "seed5" in first.path.name and "schema" in first.path.name
    store = Store.open(first.path, create=False)
    try:
        assert store.count_articles() == 40
        assert store.get_article("report-000007").text == scale_article(5, 7).text
        assert {s.annotator for s in store.spans("report-000007")} == {"alice", "bob", "carol"}
    finally:
        store.close()
