"""Shared fixtures.

TUI fixtures (prefixed ``tui_``): a small database of hand-written articles
and a factory for the app over it.  They do not depend on sample_articles/.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotations.labels import DEFAULT_LABELS
from annotations.model import Article, StyleRange
from annotations.store import Store

TUI_SIZE = (120, 36)

HARBOR_TITLE = "Harbor contract awarded without tender"
HARBOR_TEXT = (
    "Harbor deal under scrutiny\n"
    "\n"
    "The city awarded Acme Ltd. a harbor contract worth $40 million without a public "
    "tender, according to documents seen by reporters. The U.S. firm denied any "
    "wrongdoing.\n"
    "\n"
    "\u201cWe followed every rule,\u201d said Jane Doe, a spokeswoman for Acme. Officials "
    "did not respond to requests for comment.\n"
    "\n"
    "The contract was signed in May. Critics say the process lacked transparency."
)


def _styles(text: str, *pairs: tuple[str, str]) -> list[StyleRange]:
    out = []
    for quote, kind in pairs:
        start = text.index(quote)
        out.append(StyleRange(start, start + len(quote), kind))
    return out


def tui_articles() -> list[Article]:
    """Four short reports; offsets in the tests are found with ``text.index``."""
    minister = (
        "Minister rejects leak report\n"
        "\n"
        "The finance minister on Tuesday rejected a report that the central bank had "
        "leaked its rate decision. \u201cThis claim is false,\u201d she told parliament.\n"
        "\n"
        "Opposition members said the report raised serious questions."
    )
    mining = (
        "Water at the mine\n"
        "\n"
        "Residents near the Koru mine say their wells ran dry in 2023. The company, "
        "Koru Mining Co., says its pumping is within its permit.\n"
        "\n"
        "- Wells dried up after pumping began.\n"
        "- The permit allows 2 million litres a day."
    )
    airline = (
        "Airline maintenance questions\n"
        "\n"
        "Inspectors found gaps in the maintenance logs of three aircraft. The airline said "
        "all checks were done on time."
    )
    return [
        Article(
            id="harbor",
            title=HARBOR_TITLE,
            text=HARBOR_TEXT,
            source="Reuters",
            published="2024-03-01",
            url="https://example.org/harbor",
            styles=_styles(
                HARBOR_TEXT,
                ("Harbor deal under scrutiny", "heading"),
                ("without a public tender", "emphasis"),
                ("documents", "link"),
                ("denied", "strong"),
                ("\u201cWe followed every rule,\u201d said Jane Doe, a spokeswoman for Acme. "
                 "Officials did not respond to requests for comment.", "quote"),
            ),
        ),
        Article(
            id="minister",
            title="Minister rejects leak report",
            text=minister,
            source="AP",
            published="2024-03-02",
            styles=_styles(minister, ("Minister rejects leak report", "heading")),
        ),
        Article(
            id="mining",
            title="Water at the mine",
            text=mining,
            source="Local Times",
            published="2024-03-03",
            styles=_styles(mining, ("Water at the mine", "heading")),
        ),
        Article(
            id="airline",
            title="Airline maintenance questions",
            text=airline,
            source="Wire",
            published="2024-03-04",
        ),
    ]


@pytest.fixture(autouse=True)
def _private_user_config(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real ``~/.config/stancemark/config.yaml`` (the app
    saves the theme there); a test that wants one sets ``STANCEMARK_CONFIG`` itself."""
    monkeypatch.setenv("STANCEMARK_CONFIG",
                       str(tmp_path_factory.mktemp("user-config") / "config.yaml"))


@pytest.fixture
def tui_frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """Store timestamps from a fixed clock (one second apart), for snapshots."""
    ticks = itertools.count()

    def fake_now() -> str:
        n = next(ticks)
        return f"2024-05-01T12:{n // 60 % 60:02d}:{n % 60:02d}.000000Z"

    # Every module of the store package that stamps rows reads the clock itself.
    stamping = [m for name, m in sorted(sys.modules.items())
                if name.startswith("annotations.store.") and hasattr(m, "now_iso")]
    assert stamping, "no module of annotations.store reads now_iso"
    for module in stamping:
        monkeypatch.setattr(module, "now_iso", fake_now)
    return fake_now


@pytest.fixture
def tui_db_path(tmp_path: Path) -> Path:
    return tmp_path / "t.db"


@pytest.fixture
def tui_store(tui_db_path: Path) -> Iterator[Store]:
    store = Store.open(tui_db_path)
    store.import_articles(tui_articles())
    yield store
    store.close()


@pytest.fixture
def tui_app(tui_store: Store) -> Callable[..., Any]:
    """``tui_app(**kwargs)`` -> a StancemarkApp over ``tui_store`` for annotator ana.

    Suggestions are off unless a test asks for them (``suggest=SuggestSettings()``):
    the other tests' key presses and snapshots are about other things.  When on, they
    are worked out in a thread of the test process (``suggest_in_process=False``).
    """
    from annotations.suggest.settings import OFF
    from tui.app import StancemarkApp

    def make(store: Store | None = None, **kwargs: Any) -> StancemarkApp:
        kwargs.setdefault("annotator", "ana")
        kwargs.setdefault("labels", list(DEFAULT_LABELS))
        kwargs.setdefault("suggest", OFF)
        kwargs.setdefault("suggest_in_process", False)
        return StancemarkApp(store=store or tui_store, **kwargs)

    return make


@pytest.fixture
def anyio_backend() -> str:
    """TUI tests are ``async`` and marked ``anyio``: run them on asyncio only."""
    return "asyncio"


# ------------------------------------------------------------------ serve
# `stancemark serve` in a child process on a free loopback port (tests/test_serve*.py).

@dataclass
class Served:
    """A running ``stancemark serve``: its address, token, process and output files."""

    base: str
    token: str | None
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def log(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15.0) -> float:
        """SIGTERM, as Ctrl+C would; returns the seconds it took to exit (kills it past that)."""
        if self.process.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return time.monotonic() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(db: Path, folder: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 30.0) -> Served:
    """Start ``stancemark serve --db DB ARGS`` on a free port; return once it has said its URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / f"serve-{port}.out", folder / f"serve-{port}.err"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEMARK_")}
    full_env["XDG_CONFIG_HOME"] = str(folder / "config")  # no user config file
    full_env.update(env or {})
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--db", str(db), "--port", str(port),
             *args],
            stdout=stdout, stderr=stderr, env=full_env, cwd=folder, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", None, process, out, err)
    deadline = time.monotonic() + timeout
    while "Open http" not in served.output():
        if process.poll() is not None or time.monotonic() > deadline:
            served.stop()
            raise RuntimeError(f"serve did not start:\n{served.output()}\n{served.log()}")
        time.sleep(0.05)
    url = next(line for line in served.output().splitlines() if line.startswith("Open "))
    if "?token=" in url:
        served.token = url.split("?token=", 1)[1]
    return served


@pytest.fixture
def serve_app(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve_app(db, *args, env=...)`` -> a running server, stopped after the test."""
    started: list[Served] = []

    def start(db: Path, *args: str, env: dict[str, str] | None = None) -> Served:
        served = start_serve(db, tmp_path / "serve", *args, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()
