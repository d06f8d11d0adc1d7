"""Packs that cannot forge a teammate's work (issue 14, section 1).

Each attack of the issue, tried through the store and through the command
line: times that win every merge, edits under someone else's name, gold
injected by anyone, a status reset, a tampered or wrongly signed pack, the
import paths that also merge pack lines.  Then the audit trail: every
merged change is an event, and ``merge --undo`` reverts exactly one merge.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from annotations.formats.pack import read_pack, write_pack
from annotations.model import Article
from annotations.store import Store
from annotations.timestamps import Clock, TimestampError, format_timestamp, utc_now
from annotations.trust import Trust
from tui.cli import cli

TEXT = "The council claims the bridge is safe. Engineers deny it. Built in 1962 by Acme Ltd."
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SOON = format_timestamp(utc_now() + timedelta(hours=1))
HAS_SSH_KEYGEN = shutil.which("ssh-keygen") is not None


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj={}, env=env, catch_exceptions=False)


def make_store(path: Path) -> Store:
    s = Store.open(path)
    s.import_articles([Article(id="art", text=TEXT, title="Bridge")])
    return s


def pack_bytes(store: Store) -> bytes:
    buf = io.BytesIO()
    write_pack(store.export_docs(include_deleted=True), buf)
    return buf.getvalue()


def records(pack: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in pack.decode().splitlines()]


def pack_of(recs: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in recs).encode()


def merge(store: Store, pack: Path, trust: Trust, now: datetime | None = None) -> Any:
    return store.merge_docs(((x, x.annotations, str(pack)) for x in read_pack(pack)
                             if isinstance(x, Article)), trust=trust, now=now)


def state(store: Store) -> list[tuple[Any, ...]]:
    spans = store.conn.execute(
        'SELECT id, annotator, label, start, "end", updated_at, deleted_at FROM spans ORDER BY id'
    ).fetchall()
    rels = store.conn.execute("SELECT * FROM relations ORDER BY id").fetchall()
    sts = store.conn.execute("SELECT * FROM statuses ORDER BY article_id, annotator").fetchall()
    return [*spans, *rels, *sts]


@pytest.fixture
def team(tmp_path: Path) -> tuple[Store, Store]:
    """``ours`` (the reviewer's database) and ``theirs`` (a teammate's), both holding ana's
    and bob's spans and statuses after one exchange."""
    theirs = make_store(tmp_path / "theirs.db")
    theirs.add_span("art", "ana", "claim", 4, 37)
    theirs.add_span("art", "bob", "denial", 39, 56)
    theirs.set_status("art", "ana", "done")
    theirs.add_span("art", "gold", "claim", 4, 37)
    ours = make_store(tmp_path / "ours.db")
    p = tmp_path / "first.jsonl"
    p.write_bytes(pack_bytes(theirs))
    merge(ours, p, Trust.decide(["ana", "bob", "gold"], reviewer=True, merged_by="rita"))
    assert state(ours) == state(theirs)
    return ours, theirs


# ------------------------------------------------------------------- times
@pytest.mark.parametrize("value", [
    "~forever", "9999", "2025-03-01", "2025-03-01T09:30:00", "20250301T093000Z",
    "2025-W09-6T09:30:00Z", "2025-02-30T00:00:00Z", "2025-03-01T24:00:00Z", "NaN", "",
    "２０２５-03-01T09:30:00Z", "2025-03-01T09:30:00Z" + " " * 40, None, 17, 1.5, [], {},
    "0001-01-01T00:00:00+01:00",
])
def test_only_rfc3339_times_are_accepted(value: Any) -> None:
    with pytest.raises(TimestampError):
        Clock(NOW).canonical(value)


@pytest.mark.parametrize(("value", "stored"), [
    ("2025-03-01T09:30:00Z", "2025-03-01T09:30:00.000000Z"),
    ("2025-03-01t09:30:00.5z", "2025-03-01T09:30:00.500000Z"),
    ("2025-03-01 10:30:00.123456789+01:00", "2025-03-01T09:30:00.123456Z"),
    ("2025-03-01T04:30:00-05:00", "2025-03-01T09:30:00.000000Z"),
    ("2025-03-01T09:30:00.000000Z", "2025-03-01T09:30:00.000000Z"),
])
def test_times_are_stored_canonical_so_strings_order_as_times(value: str, stored: str) -> None:
    assert Clock(NOW).canonical(value) == stored


def test_a_time_more_than_a_day_ahead_is_refused() -> None:
    clock = Clock(NOW)
    assert clock.canonical("2026-03-02T11:59:59Z") == "2026-03-02T11:59:59.000000Z"
    with pytest.raises(TimestampError, match="in the future"):
        clock.canonical("2026-03-02T12:00:01Z")
    with pytest.raises(TimestampError, match="in the future"):
        clock.canonical("2026-03-02T12:00:00.000001Z")  # the fast path checks it too


def test_bad_times_are_refused_per_record_with_a_reason(team: tuple[Store, Store],
                                                        tmp_path: Path) -> None:
    ours, theirs = team
    sp = theirs.add_span("art", "bob", "context", 58, 84)
    recs = records(pack_bytes(theirs))
    bad = {"~forever": "not an RFC 3339 time", "2025-03-01": "not an RFC 3339 time",
           "2999-01-01T00:00:00Z": "in the future", "NaN": "not an RFC 3339 time"}
    forged = []
    for i, value in enumerate(bad):
        s = dict(recs[0]["spans"][0], id=f"forged-{i}", annotator="bob", updated_at=value)
        forged.append(s)
    recs[0]["spans"].extend(forged)
    recs[0]["statuses"].append({"annotator": "bob", "status": "done", "updated_at": "~forever"})
    p = tmp_path / "times.jsonl"
    p.write_bytes(pack_of(recs))
    report = merge(ours, p, Trust.decide(["bob"]))
    assert report.rejected == len(bad) + 1
    text = "\n".join(report.messages)
    for i, reason in enumerate(bad.values()):
        assert f"'forged-{i}'" in text and reason in text
    assert "status of 'bob'" in text
    assert ours.get_span(sp.id) is not None  # the good span in the same line merged
    assert all(ours.get_span(f"forged-{i}") is None for i in range(len(bad)))


def test_forever_cannot_win_later_merges(team: tuple[Store, Store], tmp_path: Path) -> None:
    """A "~forever" stored before times were checked counts as the oldest time."""
    ours, theirs = team
    bob = theirs.spans("art", "bob")[0]
    ours.conn.execute("UPDATE spans SET label = 'claim', updated_at = '~forever' WHERE id = ?",
                      (bob.id,))
    theirs.update_span(bob.id, "bob", label="context")
    p = tmp_path / "later.jsonl"
    p.write_bytes(pack_bytes(theirs))
    report = merge(ours, p, Trust.decide(["bob"]))
    assert report.updated == 1
    assert ours.get_span(bob.id).label == "context"


# ------------------------------------------------------------------- trust
def forged_pack(theirs: Store, tmp_path: Path) -> Path:
    """mallory's pack: ana's span relabelled and deleted under ana's name (new times), a span
    injected as ana, a gold span rewritten and one injected, ana's status reset, a relation
    between ana's spans, and one honest new span of mallory's own."""
    recs = records(pack_bytes(theirs))
    line = recs[0]
    by_ann = {s["annotator"]: s for s in line["spans"]}
    ana, gold = by_ann["ana"], by_ann["gold"]
    line["spans"] = [
        dict(ana, label="denial", deleted_at=SOON, updated_at=SOON),
        dict(ana, id="injected-ana", start=58, end=84, text=TEXT[58:84], updated_at=SOON,
             created_at=SOON),
        dict(gold, label="context", updated_at=SOON),
        dict(gold, id="injected-gold", label="denial", updated_at=SOON, created_at=SOON),
        dict(ana, id="mallory-own", annotator="mallory", updated_at=SOON, created_at=SOON),
    ]
    line["statuses"] = [{"annotator": "ana", "status": "todo", "updated_at": SOON}]
    line["relations"] = [{"id": "rel-1", "annotator": "ana", "label": "rebuts",
                          "from_span": ana["id"], "to_span": "injected-ana",
                          "created_at": SOON, "updated_at": SOON, "deleted_at": None}]
    p = tmp_path / "mallory.jsonl"
    p.write_bytes(pack_of(recs))
    return p


def test_a_pack_from_mallory_changes_only_mallorys_records(team: tuple[Store, Store],
                                                           tmp_path: Path) -> None:
    ours, theirs = team
    before = state(ours)
    p = forged_pack(theirs, tmp_path)
    report = merge(ours, p, Trust.decide(["mallory"], merged_by="rita"))
    assert report.added == 1 and report.updated == 0
    assert report.refused == 6
    assert report.refused_by == {"ana": 4, "gold": 2}
    assert [s.annotator for s in ours.spans("art") if s.id == "mallory-own"] == ["mallory"]
    others = [r for r in state(ours) if r[0] != "mallory-own"]
    assert others == before


def test_without_from_nothing_changes_and_an_unchanged_record_is_not_refused(
        team: tuple[Store, Store], tmp_path: Path) -> None:
    ours, theirs = team
    before = state(ours)
    p = tmp_path / "same.jsonl"
    p.write_bytes(pack_bytes(theirs))
    report = merge(ours, p, Trust())
    n = sum(len(r["spans"]) + len(r["statuses"]) for r in records(p.read_bytes()))
    assert (report.refused, report.unchanged) == (0, n)  # all as ours
    p = forged_pack(theirs, tmp_path)
    report = merge(ours, p, Trust())
    assert report.refused == 7 and report.added == report.updated == 0
    assert state(ours) == before


def test_from_bob_cannot_touch_ana_or_gold(team: tuple[Store, Store], tmp_path: Path) -> None:
    ours, theirs = team
    before = state(ours)
    report = merge(ours, forged_pack(theirs, tmp_path), Trust.decide(["bob"]))
    assert report.refused == 7 and state(ours) == before


def test_a_span_id_under_another_name_is_rejected_even_when_vouched(
        team: tuple[Store, Store], tmp_path: Path) -> None:
    ours, theirs = team
    recs = records(pack_bytes(theirs))
    ana = next(s for s in recs[0]["spans"] if s["annotator"] == "ana")
    recs[0]["spans"] = [dict(ana, annotator="mallory", label="denial", updated_at=SOON)]
    p = tmp_path / "steal.jsonl"
    p.write_bytes(pack_of(recs))
    report = merge(ours, p, Trust.decide(["mallory"]))
    assert report.rejected == 1 and "belongs to 'ana'" in report.messages[0]
    assert ours.get_span(ana["id"]).label == "claim"


def test_gold_changes_only_with_from_gold_and_reviewer(team: tuple[Store, Store],
                                                       tmp_path: Path) -> None:
    ours, theirs = team
    p = forged_pack(theirs, tmp_path)
    assert Trust.decide(["gold"]).vouched == frozenset()
    assert Trust.decide(["gold"]).notes
    assert Trust.decide([], signers=["gold"], reviewer=True).vouched == frozenset()
    report = merge(ours, p, Trust.decide(["gold"], signers=["gold"]))
    assert report.refused_by.get("gold") == 2 and ours.get_span("injected-gold") is None
    report = merge(ours, p, Trust.decide(["gold"], reviewer=True, merged_by="rita"))
    assert report.refused_by == {"ana": 4, "mallory": 1}
    assert ours.get_span("injected-gold") is not None
    assert {s.label for s in ours.spans("art", "gold")} == {"context", "denial"}


def test_cli_from_gold_needs_reviewer(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["merge", "--db", str(tmp_path / "x.db"), "--from", "gold",
                                 str(tmp_path / "p.jsonl")], obj={})
    assert r.exit_code == 2 and "--from gold needs --reviewer" in r.output
    assert not (tmp_path / "x.db").exists()


def test_cli_merge_from_counts_the_refused(team: tuple[Store, Store], tmp_path: Path) -> None:
    ours, theirs = team
    before = state(ours)
    p = forged_pack(theirs, tmp_path)
    r = run("merge", "--db", str(ours.path), "--annotator", "rita", "--from", "mallory", str(p))
    assert r.exit_code == 1
    assert "1 added, 0 updated" in r.stderr and "6 refused" in r.stderr
    assert "(ana 4, gold 2)" in r.stderr and "--from NAME" in r.stderr
    assert [x for x in state(ours) if x[0] != "mallory-own"] == before


# ----------------------------------------------------------- import paths
def test_import_of_a_pack_brings_articles_but_refuses_annotations_without_from(
        team: tuple[Store, Store], tmp_path: Path) -> None:
    _ours, theirs = team
    theirs.import_articles([Article(id="new", text="A new report about ferries.")])
    theirs.add_span("new", "bob", "claim", 0, 5)
    p = tmp_path / "pack.jsonl"
    p.write_bytes(pack_bytes(theirs))
    fresh = tmp_path / "fresh.db"
    r = run("import", "--db", str(fresh), str(p))
    assert r.exit_code == 1
    assert "imported 2" in r.stderr and "0 added" in r.stderr and "8 refused" in r.stderr
    s = Store.open(fresh)
    assert s.count_articles() == 2 and state(s) == []
    r = run("import", "--db", str(fresh), "--from", "bob", str(p))
    assert r.exit_code == 1 and "4 added" in r.stderr and "4 refused" in r.stderr
    assert {x.annotator for x in s.annotator_spans("bob")} == {"bob"}
    assert s.annotator_spans("ana") == []


def test_the_annotators_path_import_refuses_pack_annotations(
        team: tuple[Store, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app import StancemarkApp

    monkeypatch.setattr(StancemarkApp, "run", lambda self: None)
    _ours, theirs = team
    p = tmp_path / "pack.jsonl"
    p.write_bytes(pack_bytes(theirs))
    fresh = tmp_path / "fresh.db"
    r = run("--db", str(fresh), "--annotator", "ana", str(p))
    assert r.exit_code == 0, r.output
    assert "6 refused" in r.stderr and "--from NAME" in r.stderr
    s = Store.open(fresh)
    assert s.count_articles() == 1 and state(s) == []


# ------------------------------------------------------------- signatures
def keygen(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                   check=True, capture_output=True)
    return key


def allowed_signers(folder: Path, *people: tuple[str, Path]) -> Path:
    lines = []
    for principal, key in people:
        kind, blob = Path(f"{key}.pub").read_text().split()[:2]
        lines.append(f"{principal} {kind} {blob}\n")
    path = folder / "allowed_signers"
    path.write_text("".join(lines))
    return path


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    if not HAS_SSH_KEYGEN:
        pytest.skip("needs ssh-keygen")
    folder = tmp_path / "keys"
    folder.mkdir()
    found = {name: keygen(folder, name) for name in ("ana", "bob", "mallory")}
    found["allowed"] = allowed_signers(folder, ("ana", found["ana"]), ("bob", found["bob"]))
    return found


def signed_export(db: Path, out: Path, key: Path) -> Result:
    r = run("export", "--db", str(db), "--format", "jsonl", "-o", str(out), "--sign", str(key))
    assert r.exit_code == 0, r.output
    return r


def test_a_signed_pack_is_trusted_for_its_signers_records(
        team: tuple[Store, Store], tmp_path: Path, keys: dict[str, Path]) -> None:
    ours, theirs = team
    a_new = theirs.add_span("art", "ana", "context", 58, 84)
    b_new = theirs.add_span("art", "bob", "context", 58, 84)
    pack = tmp_path / "ana.jsonl"
    r = signed_export(theirs.path, pack, keys["ana"])
    sig = Path(f"{pack}.sig")
    assert sig.read_bytes().startswith(b"-----BEGIN SSH SIGNATURE-----")
    assert f"signed {pack}" in r.stderr
    r = run("merge", "--db", str(ours.path), "--allowed-signers", str(keys["allowed"]),
            str(pack))
    assert "signed by ana" in r.stderr
    assert "1 added" in r.stderr and "1 refused" in r.stderr and r.exit_code == 1
    assert ours.get_span(a_new.id) is not None and ours.get_span(b_new.id) is None
    # --from adds to the signer: bob's record comes in too
    r = run("merge", "--db", str(ours.path), "--allowed-signers", str(keys["allowed"]),
            "--from", "bob", str(pack))
    assert r.exit_code == 0 and ours.get_span(b_new.id) is not None


def test_the_allowed_signers_file_can_come_from_the_config(
        team: tuple[Store, Store], tmp_path: Path, keys: dict[str, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = team
    a_new = theirs.add_span("art", "ana", "context", 58, 84)
    pack = tmp_path / "ana.jsonl"
    signed_export(theirs.path, pack, keys["ana"])
    config = tmp_path / "config.yaml"
    config.write_text(f"allowed_signers: {keys['allowed']}\n")
    monkeypatch.setenv("STANCEMARK_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    r = run("merge", "--db", str(ours.path), str(pack))
    assert r.exit_code == 0, r.stderr
    assert ours.get_span(a_new.id) is not None


def test_a_tampered_pack_is_refused_whole(team: tuple[Store, Store], tmp_path: Path,
                                          keys: dict[str, Path]) -> None:
    ours, theirs = team
    theirs.import_articles([Article(id="other", text="Another report entirely.")])
    theirs.add_span("art", "ana", "context", 58, 84)
    pack = tmp_path / "ana.jsonl"
    signed_export(theirs.path, pack, keys["ana"])
    data = bytearray(pack.read_bytes())
    data[data.index(b'"claim"') + 2] ^= 0x01  # one byte: "claim" -> "cmaim"
    pack.write_bytes(bytes(data))
    before, articles = state(ours), ours.count_articles()
    for how in (["--allowed-signers", str(keys["allowed"])],
                ["--allowed-signers", str(keys["allowed"]), "--from", "ana"]):
        r = run("merge", "--db", str(ours.path), *how, str(pack))
        assert r.exit_code == 1
        assert "bad signature, the whole pack is refused" in r.stderr
        assert "1 pack(s) refused whole" in r.stderr
        assert state(ours) == before and ours.count_articles() == articles
    # the import path checks it too
    r = run("import", "--db", str(ours.path), "--allowed-signers", str(keys["allowed"]),
            str(pack))
    assert r.exit_code == 1 and "bad signature" in r.stderr
    assert state(ours) == before and ours.count_articles() == articles


def test_a_missing_allowed_signers_file_is_said_so(team: tuple[Store, Store], tmp_path: Path,
                                                   keys: dict[str, Path]) -> None:
    ours, theirs = team
    pack = tmp_path / "ana.jsonl"
    signed_export(theirs.path, pack, keys["ana"])
    r = run("merge", "--db", str(ours.path), "--allowed-signers", str(tmp_path / "nope"),
            str(pack))
    assert r.exit_code == 1 and "no allowed_signers file" in r.stderr and "nope" in r.stderr


def test_a_key_not_in_allowed_signers_is_refused(team: tuple[Store, Store], tmp_path: Path,
                                                 keys: dict[str, Path]) -> None:
    ours, theirs = team
    theirs.add_span("art", "ana", "context", 58, 84)
    pack = tmp_path / "pack.jsonl"
    signed_export(theirs.path, pack, keys["mallory"])
    before = state(ours)
    r = run("merge", "--db", str(ours.path), "--allowed-signers", str(keys["allowed"]),
            str(pack))
    assert r.exit_code == 1 and "not in" in r.stderr and "refused whole" in r.stderr
    assert state(ours) == before


def test_a_signer_vouches_only_for_their_own_records(team: tuple[Store, Store], tmp_path: Path,
                                                     keys: dict[str, Path]) -> None:
    """bob signs a pack in which ana's span was changed: bob's signature says nothing for ana."""
    ours, theirs = team
    ana = theirs.spans("art", "ana")[0]
    theirs.conn.execute("UPDATE spans SET label = 'denial', updated_at = ? WHERE id = ?",
                        (SOON, ana.id))
    pack = tmp_path / "bob.jsonl"
    signed_export(theirs.path, pack, keys["bob"])
    r = run("merge", "--db", str(ours.path), "--allowed-signers", str(keys["allowed"]),
            str(pack))
    assert "signed by bob" in r.stderr and "1 refused" in r.stderr and "(ana 1)" in r.stderr
    assert ours.get_span(ana.id).label == "claim"


def test_require_signatures_refuses_unsigned_packs(team: tuple[Store, Store], tmp_path: Path,
                                                   keys: dict[str, Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = team
    theirs.add_span("art", "bob", "context", 58, 84)
    pack = tmp_path / "plain.jsonl"
    pack.write_bytes(pack_bytes(theirs))
    config = tmp_path / "config.yaml"
    config.write_text(f"allowed_signers: {keys['allowed']}\nrequire_signatures: true\n")
    monkeypatch.setenv("STANCEMARK_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    before = state(ours)
    r = run("merge", "--db", str(ours.path), "--from", "bob", str(pack))
    assert r.exit_code == 1 and "not signed" in r.stderr and "require_signatures" in r.stderr
    assert state(ours) == before
    r = run("import", "--db", str(ours.path), "--from", "bob", str(pack))
    assert r.exit_code == 1 and "1 refused" in r.stderr and state(ours) == before
    signed_export(theirs.path, pack, keys["bob"])
    r = run("merge", "--db", str(ours.path), str(pack))
    assert r.exit_code == 0, r.stderr
    assert len(ours.spans("art", "bob")) == 2
    config.write_text("require_signatures: yes please\n")
    r = CliRunner().invoke(cli, ["merge", "--db", str(ours.path), str(pack)], obj={})
    assert r.exit_code == 1 and "require_signatures must be true or false" in r.stderr


def test_a_signature_without_allowed_signers_is_not_trusted(
        team: tuple[Store, Store], tmp_path: Path, keys: dict[str, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = team
    theirs.add_span("art", "ana", "context", 58, 84)
    pack = tmp_path / "ana.jsonl"
    signed_export(theirs.path, pack, keys["ana"])
    monkeypatch.setenv("STANCEMARK_CONFIG", str(tmp_path / "none.yaml"))
    monkeypatch.chdir(tmp_path)
    r = run("merge", "--db", str(ours.path), str(pack))
    assert "not checked (no allowed_signers file)" in r.stderr and "1 refused" in r.stderr


def test_export_sign_errors_and_stale_signatures(team: tuple[Store, Store], tmp_path: Path,
                                                 keys: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _ours, theirs = team
    db = str(theirs.path)
    pack = tmp_path / "p.jsonl"
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "jsonl", "--sign",
                                 str(keys["ana"])], obj={})
    assert r.exit_code == 2 and "--sign needs -o FILE" in r.output
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "csv", "-o", str(pack),
                                 "--sign", str(keys["ana"])], obj={})
    assert r.exit_code == 2 and "--format jsonl" in r.output
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "jsonl", "-o", os.devnull,
                                 "--sign", str(keys["ana"])], obj={})
    assert r.exit_code == 2 and "regular file" in r.output
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "jsonl", "-o", str(pack),
                                 "--sign", str(tmp_path / "nokey")], obj={})
    assert r.exit_code == 1 and "no such key file" in r.stderr and not pack.exists()
    signed_export(theirs.path, pack, keys["ana"])
    r = run("export", "--db", db, "--format", "jsonl", "-o", str(pack))
    assert "removed" in r.stderr and not Path(f"{pack}.sig").exists()
    # ssh-keygen missing: one clear line
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "jsonl", "-o", str(pack),
                                 "--sign", str(keys["ana"])], obj={})
    assert r.exit_code == 1 and "ssh-keygen not found" in r.stderr


def test_signing_never_goes_through_a_shell(tmp_path: Path, keys: dict[str, Path]) -> None:
    """File names with shell syntax are arguments, never commands."""
    from annotations.signing import sign, verify

    evil = tmp_path / "$(touch PWNED); `touch PWNED2`.jsonl"
    evil.write_bytes(b"data\n")
    with evil.open("rb") as fh:
        signature = sign(fh, keys["ana"])
    with evil.open("rb") as fh:
        assert verify(fh, signature, keys["allowed"]) == ["ana"]
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
    assert not Path("PWNED2").exists()


# ------------------------------------------------------- events and undo
def test_every_merged_change_is_an_event_of_its_merge(team: tuple[Store, Store],
                                                      tmp_path: Path) -> None:
    ours, theirs = team
    bob = theirs.spans("art", "bob")[0]
    theirs.update_span(bob.id, "bob", label="context")
    added = theirs.add_span("art", "bob", "claim", 58, 84)
    theirs.set_status("art", "bob", "done")
    pack = tmp_path / "bob.jsonl"
    pack.write_bytes(pack_bytes(theirs))
    r = run("merge", "--db", str(ours.path), "--annotator", "rita", "--from", "bob", str(pack))
    assert r.exit_code == 0, r.stderr
    (m,) = [m for m in ours.merges() if m["pack_path"] == str(pack)]
    assert m["pack_sha256"] == hashlib.sha256(pack.read_bytes()).hexdigest()
    assert m["merged_by"] == "rita" and m["vouched"] == ["bob"] and not m["reviewer"]
    events = [e for e in ours.events(limit=1000) if e.merge_id == m["id"]]
    assert {(e.action, e.target) for e in events} == {
        ("span.merge", bob.id), ("span.merge", added.id), ("status.merge", "bob")}
    assert all(e.annotator == "rita" and e.state == "merged" for e in events)
    relabel = next(e for e in events if e.target == bob.id)
    assert relabel.before["label"] == "denial" and relabel.after["label"] == "context"
    assert next(e for e in events if e.target == added.id).before is None


def test_merge_events_never_enter_an_undo_stack(team: tuple[Store, Store],
                                                tmp_path: Path) -> None:
    ours, theirs = team
    mine = ours.add_span("art", "rita", "claim", 58, 84)
    ours.delete_span(mine.id, "rita")
    ours.undo("rita")  # the delete is on rita's redo stack
    theirs.add_span("art", "bob", "context", 58, 84)
    pack = tmp_path / "bob.jsonl"
    pack.write_bytes(pack_bytes(theirs))
    merge(ours, pack, Trust.decide(["bob", "rita"], merged_by="rita"))
    redone = ours.redo("rita")  # the merge did not drop rita's redo stack
    assert redone is not None and redone.action == "span.delete"
    undone = ours.undo("rita")  # and undo takes rita's own action, not the merge
    assert undone is not None and undone.action == "span.delete"
    assert len(ours.spans("art", "bob")) == 2
    assert ours.undo("bob") is None


def test_merge_undo_reverts_exactly_that_merge(team: tuple[Store, Store],
                                               tmp_path: Path) -> None:
    ours, theirs = team
    before = state(ours)
    bob = theirs.spans("art", "bob")[0]
    theirs.update_span(bob.id, "bob", label="context")
    theirs.add_span("art", "bob", "claim", 58, 84)
    theirs.set_status("art", "bob", "done")
    theirs.import_articles([Article(id="extra", text="A report only bob has.")])
    theirs.add_span("extra", "bob", "claim", 0, 8)
    pack = tmp_path / "bob.jsonl"
    pack.write_bytes(pack_bytes(theirs))
    r = run("merge", "--db", str(ours.path), "--from", "bob", str(pack))
    assert r.exit_code == 0 and ours.count_articles() == 2
    mine = ours.add_span("art", "ana", "context", 58, 84)  # unrelated later work stays
    r = run("merge", "--db", str(ours.path), "--annotator", "rita", "--undo", str(pack))
    assert r.exit_code == 0, r.stderr
    assert "6 change(s) reverted, 0 kept" in r.stderr
    assert [x for x in state(ours) if x[0] != mine.id] == before
    assert ours.get_span(mine.id) is not None
    assert ours.count_articles() == 1
    r = CliRunner().invoke(cli, ["merge", "--db", str(ours.path), "--undo", str(pack)], obj={})
    assert r.exit_code == 1 and "no merge of this pack" in r.stderr
    # merging it again brings it back; undo by SHA-256 when the file is gone
    run("merge", "--db", str(ours.path), "--from", "bob", str(pack))
    assert ours.count_articles() == 2
    sha = hashlib.sha256(pack.read_bytes()).hexdigest()
    pack.unlink()
    r = run("merge", "--db", str(ours.path), "--undo", sha)
    assert r.exit_code == 0 and ours.count_articles() == 1


def test_merge_undo_leaves_later_edits_alone(team: tuple[Store, Store], tmp_path: Path) -> None:
    ours, theirs = team
    bob = theirs.spans("art", "bob")[0]
    theirs.update_span(bob.id, "bob", label="context")
    theirs.set_status("art", "bob", "done")
    first = tmp_path / "first-bob.jsonl"
    first.write_bytes(pack_bytes(theirs))
    run("merge", "--db", str(ours.path), "--from", "bob", str(first))
    theirs.update_span(bob.id, "bob", label="claim")  # bob's later edit, merged later
    second = tmp_path / "second-bob.jsonl"
    second.write_bytes(pack_bytes(theirs))
    run("merge", "--db", str(ours.path), "--from", "bob", str(second))
    r = run("merge", "--db", str(ours.path), "--undo", str(first))
    assert "1 change(s) reverted, 1 kept" in r.stderr
    assert f"span {bob.id!r} of article 'art' was changed after the merge" in r.stderr
    assert ours.get_span(bob.id).label == "claim"  # the later edit is not clobbered
    assert ours.status("art", "bob") == "in_progress"  # the first merge's status is reverted


def test_undo_of_a_line_that_holds_one_span_twice(team: tuple[Store, Store],
                                                  tmp_path: Path) -> None:
    """Two versions of one new span in one line: two events, each with its own after."""
    ours, theirs = team
    before = state(ours)
    recs = records(pack_bytes(theirs))
    bob = next(s for s in recs[0]["spans"] if s["annotator"] == "bob")
    first = dict(bob, id="twice", label="claim")
    second = dict(first, label="context", updated_at=SOON)
    recs[0]["spans"] = [first, second]
    p = tmp_path / "twice.jsonl"
    p.write_bytes(pack_of(recs))
    r = run("merge", "--db", str(ours.path), "--from", "bob", str(p))
    assert "1 added, 1 updated" in r.stderr
    assert ours.get_span("twice").label == "context"
    events = [e for e in ours.events(limit=50) if e.target == "twice"]
    assert [(e.before and e.before["label"], e.after["label"]) for e in events] == [
        ("claim", "context"), (None, "claim")]
    sha = hashlib.sha256(p.read_bytes()).hexdigest()
    undone = ours.undo_merge(sha, "rita")
    assert (undone.reverted, undone.kept) == (2, 0) and state(ours) == before
