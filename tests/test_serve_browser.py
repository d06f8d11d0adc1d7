"""``stancemark serve`` in a real browser: Debian's headless Chromium driven by Playwright.

Chromium is the system's (``/usr/bin/chromium``, or ``$STANCEMARK_CHROMIUM``),
never a browser download; ``make test`` installs the ``chromium`` package
when it is missing and it can (root), and these tests skip, with the reason,
when there is none.

The page draws the terminal with xterm.js; ``--disable-webgl`` makes xterm
fall back to its DOM renderer, so the screen's text is in the page
(``.xterm-rows``) for Playwright's locators.  The network is blocked except
for loopback, twice: Chromium resolves no host name but localhost, and every
request to another host is aborted and recorded (a test fails on any).
"""

from __future__ import annotations

import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Served

from annotations.model import Article
from annotations.store import Store

CHROMIUM = os.environ.get("STANCEMARK_CHROMIUM", "/usr/bin/chromium")
TOKEN = "browser-test-token-0123456789"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LAUNCH_ARGS = [
    "--no-sandbox",  # root in CI; Playwright adds it anyway, explicit in case that changes
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-webgl",  # xterm's DOM renderer: the screen's text is in the page
    # every host name but localhost fails to resolve (127.0.0.1 must be excluded too)
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]

pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} not found: `make test` installs Debian's chromium when run as root",
)

MARKUP = "[bold]x[/] [@click=app.quit]quit[/] [Reuters]"
TITLE = f"{MARKUP} \x1b[2J"
TEXT = (
    "The minister said the harbor contract was awarded without a tender. "
    "Her office later denied that account.\n"
    "\n"
    f"A wire note read {MARKUP} in brackets."
)
FIRST_SENTENCE = "The minister said the harbor contract was awarded without a tender."


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    """One article whose title and text carry markup and an escape; bob has tagged it."""
    db = tmp_path / "team.db"
    with Store.open(db) as store:
        store.import_articles([Article(id="wire-1", title=TITLE, text=TEXT, source="Wire",
                                       published="2024-03-01")])
        store.add_span("wire-1", "bob", "denial", TEXT.index("Her office"), TEXT.index("\n") - 1)
    return db


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Page:
    """A tab on the served app: every request recorded, any off the machine refused."""

    def __init__(self, browser: Any, served: Served) -> None:
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.served = served

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort("blockedbyclient")

    @property
    def screen(self) -> Any:
        return self.page.locator(".xterm-rows")

    def wait_for_text(self, text: str | re.Pattern[str], timeout: float = 30_000) -> None:
        """Wait until the screen shows ``text`` (xterm paints a frame as its bytes come, so
        read nothing on the screen before waiting for it)."""
        self.screen.get_by_text(text, exact=False).first.wait_for(timeout=timeout)

    def keys(self, *keys: str) -> None:
        self.page.locator(".xterm-helper-textarea").focus()
        for key in keys:
            self.page.keyboard.press(key)


@contextmanager
def other_local_page() -> Iterator[str]:
    """The address of a plain page served by another program on this machine."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><title>another local page</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_tag_a_claim_and_open_the_review_in_a_browser(
        team_db: Path, serve_app: Any, browser: Any, tmp_path: Path) -> None:
    served = serve_app(team_db, env={"STANCEMARK_TOKEN": TOKEN})
    tab = Page(browser, served)
    tab.page.goto(f"{served.base}/?token={TOKEN}")
    assert tab.page.url == served.base + "/"  # the token left the address bar
    assert tab.page.title() == "stancemark · team.db"

    # the first screen says what this is and asks who is working
    tab.wait_for_text("Your name")
    tab.wait_for_text("Tag claims, denials and context in news reports")
    tab.page.locator(".xterm-helper-textarea").focus()
    tab.page.keyboard.type("tess")
    tab.keys("Enter")

    # the article, its markup literal; the name in the top bar (each may paint first)
    tab.wait_for_text("The minister said the harbor contract")
    tab.wait_for_text("annotator tess")
    tab.wait_for_text("A wire note read [bold]x[/] [@click=app.quit]quit[/] [Reuters]")
    tab.wait_for_text("[bold]x[/] [@click=app.quit]quit[/] [Reuters] \u241b[2J")  # the title

    tab.keys("s", "c")
    tab.wait_for_text("■ claim")
    with Store.open(team_db) as store:
        spans = store.spans("wire-1", "tess")
    assert [(s.label, s.start, s.end, s.text) for s in spans] == [
        ("claim", 0, len(FIRST_SENTENCE), FIRST_SENTENCE)]
    assert TEXT[spans[0].start:spans[0].end] == spans[0].text

    # the review screen, from the command palette
    tab.keys("Control+p")
    tab.wait_for_text("Search for commands")
    tab.page.keyboard.type("Review this")
    tab.wait_for_text("Review this article")
    tab.keys("Enter")
    tab.wait_for_text("stancemark review")
    tab.wait_for_text(re.compile(r"reviewer tess\s+against bob"))
    tab.page.screenshot(path=str(tmp_path / "review.png"))
    assert (tmp_path / "review.png").stat().st_size > 10_000

    # nothing came from, or went to, anywhere but this server
    assert tab.refused == []
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in tab.requests), tab.requests
    assert TOKEN not in served.log()


def test_the_page_needs_nothing_from_outside(team_db: Path, serve_app: Any,
                                              browser: Any) -> None:
    served = serve_app(team_db, "--annotator", "ana")
    tab = Page(browser, served)
    # a crafted link: textual.js would fetch ?ping= before connecting
    tab.page.goto(f"{served.base}/?ping=http://evil.example/steal&delay=")
    tab.wait_for_text("The minister said the harbor contract")
    tab.wait_for_text("annotator ana")  # --annotator: no name screen
    fonts = tab.page.evaluate(
        "() => [...document.fonts].map(f => `${f.family} ${f.style} ${f.status}`)")
    assert 'Roboto Mono normal loaded' in fonts  # the font came from the server
    assert tab.refused == []
    assert tab.page.url == served.base + "/"  # ?ping= was dropped before textual.js ran
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in tab.requests), tab.requests
    kinds = {urlsplit(url).path for url in tab.requests}
    assert {"/static/js/textual.js", "/static/css/xterm.css", "/assets/page.js",
            "/static/fonts/RobotoMono-VariableFont_wght.ttf"} <= kinds
    # and another page cannot drive it (cross-site websocket hijacking).  Chromium itself
    # keeps public sites off loopback, so the other page is another local program's:
    # only the server's Origin check stops that one (this server has no token).
    with other_local_page() as other:
        evil = browser.new_page()
        evil.goto(other)
        state = evil.evaluate("""(url) => new Promise(done => {
            const ws = new WebSocket(url);
            ws.onopen = () => done("open");
            ws.onerror = () => done("refused");
        })""", served.base.replace("http://", "ws://") + "/ws")
        evil.close()
    assert state == "refused"
    for _ in range(60):
        if "GET /ws 403" in served.log():
            break
        time.sleep(0.05)
    assert "GET /ws 403" in served.log(), served.log()
