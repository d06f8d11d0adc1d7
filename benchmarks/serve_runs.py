"""The two sides of the serve case: the annotator in a browser tab, and in a terminal.

:class:`BrowserTab` is a page of ``stancemark serve`` in Debian's headless
Chromium (Playwright), drawn the way users get it (xterm.js with its WebGL
renderer, in software).  A test-only init script (:data:`HOOK`) finds
textual.js's xterm ``Terminal`` (textual.js keeps it in a closure: the hook
catches the client object when its constructor sets ``websocket_url``, the
one property name it relies on) and stamps, inside the page, the first
``onRender`` (xterm has drawn the rows) whose screen shows a watched text,
and every ``keydown``.  All times are the page's own ``performance.now()``:
no Playwright round trip is in them.

:class:`TerminalApp` is the annotator in a pseudo-terminal read by pyte (a
VT100 emulator).  A read loop drains what the app writes, stamping the
arrival of each chunk, then feeds it to pyte; a watched text is "painted"
at the arrival of the last chunk before it showed (pyte's own parsing time,
a few ms in pure Python, is left out: a real terminal parses in
microseconds).

Both measure the same things: from the start (navigation start / the
spawn of the process) to the first paint showing the article, and from a
key going in (keydown / the write to the terminal) to the first paint that
shows its effect.
"""

from __future__ import annotations

import fcntl
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("STANCEMARK_CHROMIUM", "/usr/bin/chromium")
#: The browser window; 16 px Roboto Mono makes the terminal about 142 x 38 cells.
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",  # no GPU here: WebGL runs in software (SwiftShader), as on most servers
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]

HOOK = r"""
(() => {
  window.__watch = null;
  window.__lastKeydown = null;
  const screenText = () => {
    const t = window.__textualClient && window.__textualClient.terminal;
    if (!t) return "";
    const b = t.buffer.active, out = [];
    for (let i = 0; i < t.rows; i++) {
      const line = b.getLine(b.viewportY + i);
      out.push(line ? line.translateToString(true) : "");
    }
    return out.join("\n");
  };
  window.__screenText = screenText;
  window.__armWatch = (text) => { window.__watch = {text, hit: null}; };
  window.__armWatch(__FIRST_WATCH__);
  document.addEventListener("keydown", () => { window.__lastKeydown = performance.now(); }, true);
  Object.defineProperty(Object.prototype, "websocket_url", {
    configurable: true,
    set(v) {
      delete Object.prototype.websocket_url;
      this.websocket_url = v;
      window.__textualClient = this;
      let term;
      Object.defineProperty(this, "terminal", {
        configurable: true, enumerable: true,
        get() { return term; },
        set(t) {
          term = t;
          t.onRender(() => {
            const w = window.__watch;
            if (w && w.hit === null && screenText().includes(w.text)) w.hit = performance.now();
          });
        },
      });
    },
  });
})();
"""


def skip_reason() -> str | None:
    """Why the serve case cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (Debian's chromium; `make test` installs it as root)"
    for module in ("playwright", "pyte"):
        try:
            __import__(module)
        except ImportError:
            return f"the Python package {module} is missing (pip install -e '.[bench]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STANCEMARK_", "TEXTUAL"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


#: Both sides read this config: suggestions off, so that the span panel after an undo
#: says "No spans yet" (suggestion rows would fill it) and neither side does the work.
QUIET_CONFIG = "suggest:\n  cues: false\n  model: false\n"


def config_home(folder: Path) -> Path:
    """An ``XDG_CONFIG_HOME`` under ``folder`` holding :data:`QUIET_CONFIG`."""
    home = folder / "config"
    (home / "stancemark").mkdir(parents=True, exist_ok=True)
    (home / "stancemark" / "config.yaml").write_text(QUIET_CONFIG, encoding="utf-8")
    return home


@contextmanager
def served(db: Path, annotator: str, folder: Path) -> Iterator[str]:
    """``stancemark serve`` on a free loopback port (no token: loopback); yields its URL."""
    port = _free_port()
    log = folder / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--db", str(db), "--port", str(port),
             "--annotator", annotator],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True,
            env=_child_env(XDG_CONFIG_HOME=str(config_home(folder))))
    try:
        deadline = time.monotonic() + 60
        while "Open http" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Browser:
    """Headless Chromium (the system's) with the timing hook in every page."""

    def __init__(self, first_watch: str) -> None:
        import json

        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM,
                                                        args=LAUNCH_ARGS)
        self.context = self.browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(HOOK.replace("__FIRST_WATCH__", json.dumps(first_watch)))

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


class BrowserTab:
    """One tab of the served annotator."""

    def __init__(self, browser: Browser, url: str, timeout_ms: float = 60_000) -> None:
        self.page = browser.context.new_page()
        self.page.goto(url)
        self.page.wait_for_function("() => window.__watch && window.__watch.hit !== null",
                                    polling="raf", timeout=timeout_ms)
        #: ms from navigation start to the first paint showing the watched text
        self.load_ms = float(self.page.evaluate("() => window.__watch.hit"))
        self.page.locator(".xterm-helper-textarea").focus()

    def size(self) -> tuple[int, int]:
        cols, rows = self.page.evaluate(
            "() => [window.__textualClient.terminal.cols, window.__textualClient.terminal.rows]")
        return int(cols), int(rows)

    def renderer(self) -> str:
        canvases = int(self.page.evaluate(
            "() => document.querySelectorAll('.xterm-screen canvas').length"))
        return "webgl" if canvases > 1 else "dom"

    def press(self, key: str, until: str | None = None, timeout_ms: float = 10_000) -> float:
        """Press ``key``; with ``until``, the ms from its keydown to the paint showing it."""
        if until is None:
            self.page.keyboard.press(key)
            return 0.0
        self.page.evaluate("(t) => window.__armWatch(t)", until)
        self.page.keyboard.press(key)
        self.page.wait_for_function("() => window.__watch.hit !== null", polling="raf",
                                    timeout=timeout_ms)
        return float(self.page.evaluate("() => window.__watch.hit - window.__lastKeydown"))

    def close(self) -> None:
        self.page.close()


class TerminalApp:
    """The annotator in a pseudo-terminal of ``cols`` x ``rows``, its screen read by pyte."""

    def __init__(self, db: Path, annotator: str, cols: int, rows: int, watch: str,
                 timeout: float = 60, config: Path | None = None) -> None:
        import pyte

        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = _child_env(TERM="xterm-256color", COLORTERM="truecolor",
                         COLUMNS=str(cols), LINES=str(rows),
                         **({"XDG_CONFIG_HOME": str(config)} if config else {}))
        t0 = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(db), "--annotator", annotator],
            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
            start_new_session=True, close_fds=True)
        os.close(slave)
        #: ms from the spawn to the first paint showing ``watch``
        self.load_ms = (self._until(watch, timeout) - t0) * 1e3

    def _until(self, text: str, timeout: float) -> float:
        """Read until the screen shows ``text``; the arrival time of the chunk that did it."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            chunks, arrived = [], 0.0
            while ready:  # drain what is there before parsing (the stamps stay exact)
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                chunks.append(data)
                arrived = time.perf_counter()
                ready, _, _ = select.select([self.master], [], [], 0.002)
            if not chunks:
                raise RuntimeError("the terminal app ended")
            self.stream.feed(b"".join(chunks))
            if text in "\n".join(self.screen.display):
                return arrived
        raise TimeoutError(f"the terminal never showed {text!r}")

    def settle(self, quiet: float = 0.15) -> None:
        """Take in whatever the app still writes, until it has been quiet for ``quiet`` s."""
        while select.select([self.master], [], [], quiet)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.stream.feed(data)

    def press(self, key: str, until: str | None = None, timeout: float = 10) -> float:
        """Send ``key``; with ``until``, the ms from the write to the paint showing it."""
        t0 = time.perf_counter()
        os.write(self.master, key.encode())
        if until is None:
            return 0.0
        return (self._until(until, timeout) - t0) * 1e3

    def close(self) -> None:
        try:
            os.write(self.master, b"q")
            self.settle(0.05)
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            os.close(self.master)


def chromium_version() -> str | None:
    path = shutil.which(CHROMIUM) or CHROMIUM
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def first_line(text: str, width: int = 60) -> str:
    """A run of words from the start of ``text`` that fits on one screen line."""
    words: list[str] = []
    for word in text.split():
        if len(" ".join([*words, word])) > width:
            break
        words.append(word)
    return " ".join(words)


def describe(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"n": len(ordered), "min": ordered[0], "max": ordered[-1],
            "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]}
