"""The core stands alone: importing `annotations` never pulls in textual or rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: The one core module that imports scikit-learn (only the suggestion worker loads it).
SKLEARN_USER = "annotations.suggest.model"


def _terminal_modules(imports: list[str]) -> set[str]:
    """The textual and rich modules loaded by importing ``imports`` in a fresh interpreter."""
    code = "".join(f"import {m}\n" for m in imports) + (
        "import sys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(filter(None, out.stdout.strip().split(",")))


def test_core_imports_without_textual_or_rich() -> None:
    mods = sorted(
        "annotations." + p.relative_to(ROOT / "annotations").with_suffix("").as_posix().replace("/", ".")
        for p in (ROOT / "annotations").rglob("*.py")
        if p.name != "__init__.py"
    )
    assert SKLEARN_USER in mods
    found = _terminal_modules([m for m in mods if m != SKLEARN_USER])
    assert not found, f"core imported: {','.join(sorted(found))}"
    assert len(mods) >= 8


def test_the_model_module_adds_no_terminal_import_of_its_own() -> None:
    """scikit-learn (1.9) imports rich for its optional progress bars whenever rich is
    installed; the model module may bring in that much and nothing more (never textual)."""
    ours = _terminal_modules([SKLEARN_USER])
    theirs = _terminal_modules(["sklearn.feature_extraction.text", "sklearn.linear_model",
                                "sklearn.pipeline"])
    assert not any(m.split(".")[0] == "textual" for m in ours)
    assert ours <= theirs, f"beyond scikit-learn's own: {sorted(ours - theirs)}"


def test_tui_never_writes_sql() -> None:
    for p in (ROOT / "tui").rglob("*.py"):
        src = p.read_text(encoding="utf-8").upper()
        for word in ("INSERT INTO", "UPDATE SPANS", "DELETE FROM", "CREATE TABLE", ".EXECUTE(",
                     "IMPORT SQLITE3", "SQLITE3.", "SQLITE_UTILS"):
            assert word not in src, f"{p} contains {word}"
