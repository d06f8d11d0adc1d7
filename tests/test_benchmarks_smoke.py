"""The benchmark code still runs: every core case at the tiny size (timings are not checked)."""

from __future__ import annotations

import json

import pytest

from benchmarks import runner
from benchmarks.framework import Case, Target, register, registered

pytest.importorskip("krippendorff")

CORE_ROWS = {
    "import": ["import"],
    "export": ["export jsonl", "export csv"],
    "merge": ["merge"],
    "agreement": ["agreement (alpha)"],
    "tag": ["tag a span p50", "tag a span p99"],
}
PENDING = {"first_paint", "key_press", "memory"}


def test_every_core_case_runs_at_tiny_size(tmp_path, capsys):
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
    assert set(by_case) == set(CORE_ROWS) | PENDING
    for name, rows in CORE_ROWS.items():
        assert [r["row"] for r in by_case[name]] == rows
        for r in by_case[name]:
            assert r["status"] == "ok", r
            assert len(r["samples"]["ours"]) == 1 and len(r["samples"]["baseline"]) == 1
            assert r["median"] > 0 and r["baseline_median"] > 0
            assert r["ratio"] == pytest.approx(r["median"] / r["baseline_median"])
            assert isinstance(r["pass"], bool)
            assert r["target"] and r["target_ratio"] > 0
    for name in PENDING:
        for r in by_case[name]:
            assert r["status"] == "pending"
            assert r["median"] is None and r["ratio"] is None and r["pass"] is None

    assert by_case["agreement"][0]["info"]["alpha"] is not None
    # Generated data is removed unless --keep.
    assert not any((tmp_path / "data").iterdir())

    table = capsys.readouterr().out
    for rows in CORE_ROWS.values():
        for row in rows:
            assert row in table
    assert "pending" in table


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
    registered()  # loads the case modules
    pending = next(c for c in registered() if c.name == "memory")
    assert pending.pending
    real = Case(name="memory", title="memory", order=pending.order, measured="m", baseline="b",
                target=Target(2.0, strict=True), rows=pending.rows, sizes=pending.sizes,
                run=lambda ctx: [])
    try:
        register(real)
        assert next(c for c in registered() if c.name == "memory") is real
        register(pending)  # a placeholder never hides a real case
        assert next(c for c in registered() if c.name == "memory") is real
    finally:
        from benchmarks import framework

        framework._REGISTRY["memory"] = pending


def test_baselines_use_the_store_settings(tmp_path):
    """The bare sqlite3 baselines must run with the PRAGMAs Store._setup gives its connection."""
    from annotations.store import Store
    from benchmarks.data import bare_connect

    names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys", "cache_size",
             "page_size", "temp_store", "mmap_size", "locking_mode", "wal_autocheckpoint")
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
