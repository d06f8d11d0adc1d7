"""annotations.output: atomic files, device targets written in place, terminal-safe streams."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from annotations.output import (
    OutputError,
    atomic_write,
    json_text,
    print_message,
    terminal_safe,
)


def test_atomic_write_replaces_whole_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_write(target) as fh:
        fh.write(b"new bytes")
        assert target.read_bytes() == b"old"  # readers see the old file until the end
    assert target.read_bytes() == b"new bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.jsonl") as fh:
            fh.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o644


def test_failure_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"precious")
    with pytest.raises(ValueError), atomic_write(target) as fh:
        fh.write(b"half")
        raise ValueError("the format gave up")
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_planted_symlink_at_a_guessable_name_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    planted = tmp_path / ".pack.jsonl.tmp"
    planted.symlink_to(victim)
    with atomic_write(tmp_path / "pack.jsonl") as fh:
        fh.write(b"pack\n")
    assert (tmp_path / "pack.jsonl").read_bytes() == b"pack\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert victim.read_bytes() == b"do not touch"


def test_a_symlinked_target_keeps_its_link(tmp_path: Path) -> None:
    real = tmp_path / "packs" / "2026.jsonl"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    with atomic_write(link) as fh:
        fh.write(b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_errors_are_one_line_output_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"^cannot write .*missing.*No such file"):
        with atomic_write(tmp_path / "missing" / "out.csv") as fh:
            fh.write(b"x")
    with pytest.raises(OutputError, match="Is a directory"):
        with atomic_write(tmp_path) as fh:
            fh.write(b"x")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_dev_full_reports_a_full_disk_and_stays_a_device() -> None:
    with pytest.raises(OutputError, match="cannot write /dev/full: No space left on device"):
        with atomic_write("/dev/full") as fh:
            fh.write(b"x" * 10)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    with atomic_write(fifo) as fh:
        fh.write(b"through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_terminal_safe_escapes_and_keeps_split_characters_whole() -> None:
    raw = io.BytesIO()
    data = "caf\u00e9 \x1b[2J \u202eevil \x9b ok\n".encode()
    split = data.index(b"\xa9")  # inside the two bytes of é
    with terminal_safe(raw) as fh:
        fh.write(data[:split])
        fh.flush()
        fh.write(data[split:])
    assert raw.getvalue().decode() == "caf\u00e9 \\x1b[2J \\u202eevil \\x9b ok\n"
    assert not raw.closed


def test_print_message_is_one_safe_line() -> None:
    out = io.StringIO()
    print_message("error: a\nb\x1b[31m\u202e", file=out)
    assert out.getvalue() == "error: a\\nb\\x1b[31m\\u202e\n"


def test_json_text_escapes_what_json_leaves_raw_and_means_the_same() -> None:
    value = {"name": "ana\x9b31m\u202e\u2028\x7f\ud800", "n": 1}
    text = json_text(value, sort_keys=True)
    assert not any(ch in text for ch in "\x9b\u202e\u2028\x7f\ud800")
    assert json.loads(text) == value
    assert json_text({"t": "caf\u00e9"}, indent=None) == '{"t": "caf\u00e9"}'
