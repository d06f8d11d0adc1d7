"""``stancemark serve`` without a browser: the token, the address rules, the command, the logs.

The HTTP tests talk to a real server (``python -m tui.cli serve``) on a free
loopback port: 403 without the token or with a wrong one, the redirect that
turns ``?token=`` into a cookie, 200 with it, the websocket refused without
it or from another site, and accepted with it (which starts a real app
process, whose environment and command line are then checked for the
token).  The browser tests are in ``test_serve_browser.py``.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import shlex
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner
from conftest import Served, start_serve

from annotations.model import Article
from annotations.store import Store
from tui.cli import cli
from tui.serve import server as server_module
from tui.serve.access import (
    MIN_TOKEN_LENGTH,
    TokenError,
    check_token,
    is_loopback,
    request_hostname,
    same_token,
)
from tui.serve.server import CONTENT_SECURITY_POLICY, tab_command

TOKEN = "t0ken-for-the-tests-0123456789"


def make_db(path: Path) -> Path:
    with Store.open(path) as store:
        store.import_articles([Article(id="a1", title="Port deal", text=(
            "The city awarded the port deal without a tender. The firm denied it."))])
    return path


# ---------------------------------------------------------------- access rules
def test_same_token_is_exact() -> None:
    assert same_token(TOKEN, TOKEN)
    assert not same_token(None, TOKEN)
    assert not same_token("", TOKEN)
    assert not same_token(TOKEN[:-1], TOKEN)
    assert not same_token(TOKEN + "x", TOKEN)
    assert not same_token("é" * 30, TOKEN)  # non-ASCII: no TypeError, just no


def test_check_token_refuses_weak_tokens() -> None:
    assert check_token(TOKEN) == TOKEN
    for bad in ("short", "a" * (MIN_TOKEN_LENGTH - 1), "has a space in it ok", "x\x1b" * 10):
        with pytest.raises(TokenError):
            check_token(bad)


def test_loopback_rules() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "", "192.168.1.5", "example.org", "127.0.0.1.evil.example"):
        assert not is_loopback(host), host
    assert request_hostname("127.0.0.1:8000") == "127.0.0.1"
    assert request_hostname("[::1]:8000") == "::1"
    assert request_hostname("evil.example:8000") == "evil.example"
    assert request_hostname(None) == ""


def test_tab_command_quotes_every_part(tmp_path: Path) -> None:
    db = tmp_path / "a b; rm -rf x $(y).db"
    command = tab_command(db, tmp_path / "l'abels.yaml", "Ana `x`")
    assert command.startswith("exec ")
    args = shlex.split(command[len("exec "):])
    assert args[1:] == ["-m", "tui.serve.tab", "--db", str(db), "--labels",
                        str(tmp_path / "l'abels.yaml"), "--annotator", "Ana `x`"]


# ------------------------------------------------------------------- the command
@pytest.fixture
def no_listen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Run ``serve`` up to listening: record the server and the environment instead."""
    seen: list[dict[str, Any]] = []

    def fake_serve(self: server_module.StancemarkServer, debug: bool = False) -> None:
        seen.append({"server": self, "env_token": os.environ.get("STANCEMARK_TOKEN")})
        self.announce(self.url)

    monkeypatch.setattr(server_module.StancemarkServer, "serve", fake_serve)
    return seen


def run_serve(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["serve", *args], obj={}, env=env)


def test_serve_needs_a_token_off_loopback(tmp_path: Path,
                                          no_listen: list[dict[str, Any]]) -> None:
    db = make_db(tmp_path / "t.db")
    r = run_serve("--db", str(db), env={"STANCEMARK_TOKEN": ""})
    assert r.exit_code == 0, r.output
    assert no_listen[-1]["server"].token is None
    assert "Open http://127.0.0.1:8000/\n" in r.output
    assert "each tab asks for a name" in r.output

    r = run_serve("--db", str(db), "--host", "0.0.0.0", env={"STANCEMARK_TOKEN": ""})
    assert r.exit_code == 0, r.output
    made = no_listen[-1]["server"].token
    assert made is not None and len(made) >= 40
    assert f":8000/?token={made}\n" in r.output

    r = run_serve("--db", str(db), "--port", "8123", env={"STANCEMARK_TOKEN": TOKEN})
    assert r.exit_code == 0, r.output
    assert no_listen[-1]["server"].token == TOKEN
    assert no_listen[-1]["env_token"] is None  # taken out before any tab starts
    assert f"Open http://127.0.0.1:8123/?token={TOKEN}\n" in r.output


def test_serve_refuses_bad_settings(tmp_path: Path, no_listen: list[dict[str, Any]]) -> None:
    db = make_db(tmp_path / "t.db")
    r = run_serve("--db", str(db), "--token", "short")
    assert r.exit_code == 1 and "at least 16 characters" in r.output
    r = run_serve("--db", str(db), "--annotator", "gold")
    assert r.exit_code == 1 and "annotator name: 'gold' is the reviewed set" in r.output
    r = run_serve("--db", str(db), "--annotator", "a\x1b[2Jb")
    assert r.exit_code == 1 and "control" in r.output and "\x1b" not in r.output
    r = run_serve("--db", str(tmp_path / "empty.db"))
    assert r.exit_code == 1 and "no articles in the database" in r.output
    r = run_serve("--db", str(db), "--labels", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 1
    assert no_listen == []


def test_serve_imports_paths_and_passes_the_name(tmp_path: Path,
                                                 no_listen: list[dict[str, Any]]) -> None:
    (tmp_path / "r.txt").write_text("The mayor said the bridge is safe.", encoding="utf-8")
    db = tmp_path / "new.db"
    r = run_serve("--db", str(db), "--annotator", "  Ana  ", str(tmp_path / "r.txt"))
    assert r.exit_code == 0, r.output
    assert "imported 1" in r.output and "everyone works as Ana" in r.output
    args = shlex.split(no_listen[-1]["server"].command[len("exec "):])
    assert args[args.index("--annotator") + 1] == "Ana"
    assert args[args.index("--db") + 1] == str(db.resolve())


# ----------------------------------------------------------------- real HTTP
def status(url: str, headers: dict[str, str] | None = None) -> int:
    """The status of one GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return int(opener.open(urllib.request.Request(url, headers=headers or {}),
                               timeout=10).status)
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    served = start_serve(make_db(folder / "t.db"), folder, env={"STANCEMARK_TOKEN": TOKEN})
    yield served
    served.stop()


def cookie(served: Served) -> dict[str, str]:
    port = served.base.rsplit(":", 1)[1]
    return {"Cookie": f"stancemark_token_{port}={TOKEN}"}


def test_every_request_needs_the_token(served: Served) -> None:
    base = served.base
    assert served.token == TOKEN
    for path in ("/", "/static/js/textual.js", "/assets/page.js", "/ws", "/nope"):
        assert status(base + path) == 403, path
        assert status(base + path + "?token=wrong-token-wrong-token") == 403, path
        assert status(base + path, {"Cookie": "stancemark_token=" + TOKEN}) == 403, path
    assert status(base + "/?token=" + TOKEN[:-1]) == 403
    assert status(base + "/?token=%C3%A9%C3%A9") == 403  # non-ASCII: refused, not a 500
    for path in ("/", "/static/js/textual.js", "/static/css/xterm.css", "/assets/page.js",
                 "/assets/favicon.svg", "/static/fonts/RobotoMono-VariableFont_wght.ttf"):
        assert status(base + path, cookie(served)) == 200, path
    assert status(base + "/static/", cookie(served)) in (403, 404)  # no directory listing


def test_the_token_link_sets_a_cookie_and_leaves_the_address(served: Served) -> None:
    request = urllib.request.Request(f"{served.base}/?token={TOKEN}&fontsize=20")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert answer.value.code == 302
    assert answer.value.headers["Location"] == "./?fontsize=20"
    set_cookie = answer.value.headers["Set-Cookie"]
    assert TOKEN in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    # a browser (a client with a cookie jar) ends on the page
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
        http.cookiejar.CookieJar()))
    with jar.open(f"{served.base}/?token={TOKEN}", timeout=10) as page:
        assert page.status == 200 and page.url == served.base + "/"
        html = page.read().decode()
        assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert page.headers["X-Frame-Options"] == "DENY"
    assert "<title>stancemark · t.db</title>" in html
    assert "http" not in html.replace("http-equiv", "")  # no absolute URL at all
    assert TOKEN not in html


def test_the_page_drops_ping_and_other_parameters(served: Served) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(
        f"{served.base}/?ping=http://evil.example/x&delay=1&fontsize=12", headers=cookie(served))
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert answer.value.code == 302
    assert answer.value.headers["Location"] == "./?fontsize=12"


async def _websocket(url: str, headers: dict[str, str], want_bytes: int = 0) -> int:
    """Open a websocket: its handshake status, after reading ``want_bytes`` of app output."""
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(
                    ws_close=5)) as ws:
                got = 0
                while got < want_bytes:
                    message = await asyncio.wait_for(ws.receive(), 30)
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    got += len(message.data)
                return 101
        except aiohttp.WSServerHandshakeError as e:
            return e.status


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def test_websocket_needs_the_token_and_this_site(served: Served) -> None:
    ws = served.base.replace("http://", "ws://") + "/ws?width=80&height=24"
    same_site = {"Origin": served.base}
    assert asyncio.run(_websocket(ws, same_site)) == 403
    assert asyncio.run(_websocket(ws, {**same_site, "Cookie": "x=1"})) == 403
    wrong = {"Cookie": cookie(served)["Cookie"].replace(TOKEN, TOKEN[::-1])}
    assert asyncio.run(_websocket(ws, {**same_site, **wrong})) == 403
    other_site = {"Origin": "http://evil.example", **cookie(served)}
    assert asyncio.run(_websocket(ws, other_site)) == 403
    assert not _children(served.process.pid)  # no app process was started for any of them


def test_a_tab_runs_the_app_without_the_token(served: Served) -> None:
    ws = served.base.replace("http://", "ws://") + "/ws?width=100&height=30"
    seen: dict[str, Any] = {}

    async def tab() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(
                ws, headers={"Origin": served.base, **cookie(served)}) as sock:
            got = 0
            while got < 2000:  # the app's first frames
                message = await asyncio.wait_for(sock.receive(), 30)
                assert message.type == aiohttp.WSMsgType.BINARY, message
                got += len(message.data)
            children = _children(served.process.pid)
            seen["children"] = children
            seen["environ"] = [Path(f"/proc/{c}/environ").read_bytes() for c in children]
            seen["cmdline"] = [Path(f"/proc/{c}/cmdline").read_bytes() for c in children]

    asyncio.run(tab())
    assert len(seen["children"]) == 1  # one process per tab, no shell in between
    assert b"tui.serve.tab" in seen["cmdline"][0]
    for blob in seen["environ"] + seen["cmdline"]:
        assert TOKEN.encode() not in blob
        assert b"STANCEMARK_TOKEN" not in blob


def test_the_logs_never_hold_the_token(served: Served) -> None:
    status(f"{served.base}/")  # refused: this test's own "GET / 403", whatever ran before
    status(f"{served.base}/?token={TOKEN}")
    status(f"{served.base}/static/js/textual.js?token={TOKEN}")
    status(f"{served.base}/%1b[2J?x=1")
    deadline = time.monotonic() + 10
    while "[2J" not in served.log() and time.monotonic() < deadline:
        time.sleep(0.05)  # the access log line is written after the answer
    log = served.log()
    assert "GET / 302" in log and "GET / 403" in log
    assert TOKEN not in log
    assert "\x1b" not in log and "\\x1b[2J" in log
    assert served.output().count(TOKEN) == 1  # the startup line: the URL to open


# ------------------------------------------------------------- without a token
def test_without_a_token_only_loopback_names_are_answered(serve_app: Any,
                                                          tmp_path: Path) -> None:
    served = serve_app(make_db(tmp_path / "t.db"))
    assert served.token is None
    port = served.base.rsplit(":", 1)[1]
    assert status(served.base + "/") == 200
    assert status(served.base + "/", {"Host": f"localhost:{port}"}) == 200
    # DNS rebinding: a page at evil.example whose name now points at 127.0.0.1
    assert status(served.base + "/", {"Host": f"evil.example:{port}"}) == 403
    ws = served.base.replace("http://", "ws://") + "/ws"
    assert asyncio.run(_websocket(ws, {"Origin": "http://evil.example"})) == 403
    assert asyncio.run(_websocket(ws, {"Origin": f"http://localhost:{port}"})) == 403
    # Ctrl+C with a tab open ends the server and the tab's app quickly
    opened: dict[str, list[int]] = {}

    async def tab_then_stop() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(
                ws, headers={"Origin": served.base}) as sock:
            await asyncio.wait_for(sock.receive(), 30)
            opened["children"] = _children(served.process.pid)
            stopping = asyncio.create_task(asyncio.to_thread(served.stop))
            async for _ in sock:  # a browser answers the server's close at once
                pass
            took = await stopping
            assert took < 5, took

    asyncio.run(tab_then_stop())
    assert len(opened["children"]) == 1
    assert _gone(opened["children"][0])


def _gone(pid: int, timeout: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie waiting to be reaped) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False
