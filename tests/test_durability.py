"""Crashes and several writers: nothing reported as saved is ever lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from annotations.model import Article
from annotations.store import Store

ROOT = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent(
    """
    import sys
    from annotations.store import Store
    db, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = Store.open(db)
    ids = s.article_ids()
    for i in range(n):
        aid = ids[i % len(ids)]
        sp = s.add_span(aid, who, "claim", (i * 3) % 900, (i * 3) % 900 + 2)
        if i % 7 == 0:
            s.update_span(sp.id, who, note=f"note {i}")
        if i % 11 == 0:
            s.set_status(aid, who, "done" if i % 2 else "in_progress")
        sys.stdout.write(sp.id + (" noted" if i % 7 == 0 else "") + "\\n")
        sys.stdout.flush()
    """
)


def _seed(db: Path) -> None:
    s = Store.open(db)
    s.import_articles([Article(id=f"a{i}", text="lorem ipsum " * 100) for i in range(5)])
    s.close()


def _writer(db: Path, who: str, n: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), who, str(n)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


def test_sigkill_loses_nothing_reported(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    _seed(db)
    rng = random.Random(1234)
    reported: list[str] = []
    for _round in range(4):
        proc = _writer(db, "ana", 100_000)
        target = rng.randint(20, 400)
        got = 0
        assert proc.stdout is not None
        while got < target:
            line = proc.stdout.readline()
            if not line:
                break
            reported.append(line.strip())
            got += 1
        # kill at a random moment in the write loop, not only between lines
        time.sleep(rng.random() * 0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        # anything printed after our last read was also committed; read it too
        reported.extend(x.strip() for x in proc.stdout.read().splitlines() if x.strip())
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in conn.execute("SELECT id FROM spans")}
    ids = [line.split()[0] for line in reported if line.strip()]
    missing = [sid for sid in ids if len(sid) == 36 and sid not in stored]
    assert not missing, f"{len(missing)} reported writes lost"
    # the notes written before each report are there too
    notes = dict(conn.execute("SELECT id, note FROM spans WHERE note IS NOT NULL"))
    noted = [line.split()[0] for line in reported if line.endswith(" noted")]
    assert noted and all(sid in notes for sid in noted)
    assert len(reported) > 80
    # the store still opens and works after the kills
    s = Store.open(db)
    s.add_span("a0", "ana", "denial", 0, 5)
    s.close()


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    _seed(db)
    n = 1500
    procs = [_writer(db, who, n) for who in ("ana", "bob")]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, errs) in zip(procs, outs, strict=True):
        assert p.returncode == 0, errs
        assert "locked" not in errs
        assert len(out.splitlines()) == n
    conn = sqlite3.connect(db)
    counts = dict(conn.execute("SELECT annotator, count(*) FROM spans GROUP BY annotator"))
    assert counts == {"ana": n, "bob": n}
    ids = {r[0] for r in conn.execute("SELECT id FROM spans")}
    assert all(line.split()[0] in ids for out, _ in outs for line in out.splitlines())
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
