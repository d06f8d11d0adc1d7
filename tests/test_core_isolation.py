"""The core stands alone: importing `annotations` never pulls in textual or rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_without_textual_or_rich() -> None:
    mods = sorted(
        "annotations." + p.relative_to(ROOT / "annotations").with_suffix("").as_posix().replace("/", ".")
        for p in (ROOT / "annotations").rglob("*.py")
        if p.name != "__init__.py"
    )
    code = "".join(f"import {m}\n" for m in mods) + (
        "import sys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "", f"core imported: {out.stdout}"
    assert len(mods) >= 8


def test_tui_never_writes_sql() -> None:
    for p in (ROOT / "tui").rglob("*.py"):
        src = p.read_text(encoding="utf-8").upper()
        for word in ("INSERT INTO", "UPDATE SPANS", "DELETE FROM", "CREATE TABLE", ".EXECUTE(",
                     "IMPORT SQLITE3", "SQLITE3.", "SQLITE_UTILS"):
            assert word not in src, f"{p} contains {word}"
