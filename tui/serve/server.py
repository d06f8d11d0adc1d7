"""The web server of ``stancemark serve``: textual-serve's ``Server`` with our page and guard.

Each websocket (one per browser tab) runs its own app process,
``python -m tui.serve.tab`` (see :mod:`tui.serve.tab`), through
textual-serve's ``AppService``; they share the database file, which the
store already lets several processes write.  The command line is built here
from the server's own settings, each part quoted, never from a request.

What this adds to textual-serve (``Server`` 1.1.x; the private members used
are why pyproject pins ``textual-serve<1.2``):

* **routes** (``_make_app`` is ours): ``/`` the page, ``/ws`` the websocket,
  ``/static`` textual-serve's files (xterm, textual.js, the Roboto Mono font
  files; no directory listing), ``/assets`` ours (favicon, page script and
  stylesheet).  No ``/download`` route: the app delivers no files.
* **guard** (a middleware, before every route, the websocket upgrade
  included), in this order:

  1. without a token, only loopback host names are answered (``Host:``
     ``127.0.0.1``, ``localhost``, ``[::1]``): a page elsewhere cannot reach
     the server by pointing its own name at 127.0.0.1 (DNS rebinding);
  2. a websocket whose ``Origin`` is not this server is refused: any web page
     may open ``ws://127.0.0.1:PORT/ws``, and this stops cross-site websocket
     hijacking, with or without a token;
  3. with a token, a request passes only with the token's cookie, or with
     ``?token=``, which is answered by a redirect to the same URL without it
     that sets the cookie (``HttpOnly``, ``SameSite=Lax``; keeps the token
     out of the address bar, history and later requests); anything else is
     403.  Tokens are compared in constant time (:func:`tui.serve.access.same_token`).

* **headers** on every answer: a Content-Security-Policy that lets the page
  load and connect to this server only (so even a crafted link cannot make
  it fetch elsewhere), no framing, no referrer, no MIME sniffing.  The page
  itself strips every query parameter but ``fontsize`` by a redirect
  (textual.js would ``fetch()`` the URL given as ``?ping=``).
* **logs**: the access log holds method, path (never the query, where a
  token would be), status and time, with control characters escaped; the
  token is printed once, in the startup line, and never given to the app
  processes (the ``serve`` command takes it out of the environment).
* **shutdown**: Ctrl+C / SIGTERM close every tab (their app processes are
  told to quit) instead of waiting ~20 s for open websockets.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import Server, to_int

from annotations.safety import printable
from tui.serve.access import is_loopback, request_hostname, same_token, url_host

log = logging.getLogger("stancemark.serve")

HERE = Path(str(files("tui.serve")))
TEMPLATES = HERE / "templates"
ASSETS = HERE / "assets"
#: textual-serve's own static files (xterm.css, textual.js, fonts, images).
TEXTUAL_STATIC = Path(str(files("textual_serve"))) / "static"

ABOUT = "Tag claims, denials and context in news reports."

#: Query parameters the page keeps; any other one is dropped by a redirect.
PAGE_PARAMS = frozenset({"fontsize"})

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    # textual.js adds <style> elements and xterm sets style attributes
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "img-src 'self' data:",
    # 'self' covers this server's ws:// and wss:// (CSP level 3)
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AccessLog(AbstractAccessLogger):
    """One line per request: client, method, path (no query: a token may be there), status."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %.0f ms", request.remote, request.method,
                         printable(request.path), response.status, time * 1000)


def _relative(path: str, query: list[tuple[str, str]]) -> str:
    """A redirect to ``path`` with ``query``, relative, so it also works under a proxy's
    sub-path (``/`` is ``./``, ``/static/js/textual.js`` is ``textual.js``)."""
    name = quote(posixpath.basename(path)) or "./"
    return name + (f"?{urlencode(query)}" if query else "")


def tab_command(db: Path, labels_file: Path | None, annotator: str | None) -> str:
    """The shell command of one tab's app process (``exec``: no shell left waiting)."""
    args = [sys.executable, "-m", "tui.serve.tab", "--db", str(db)]
    if labels_file is not None:
        args += ["--labels", str(labels_file)]
    if annotator is not None:
        args += ["--annotator", annotator]
    return "exec " + shlex.join(args)


class StancemarkServer(Server):
    """textual-serve's server with our page, the guard, and clean logs and shutdown."""

    def __init__(
        self,
        *,
        db: Path,
        labels_file: Path | None = None,
        annotator: str | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        token: str | None = None,
        announce: Callable[[str], None] = print,
    ) -> None:
        if token is None and not is_loopback(host):
            raise ValueError(f"serving on {host} needs an access token")
        super().__init__(tab_command(db, labels_file, annotator), host=host, port=port,
                         title=f"stancemark · {db.name}", statics_path=TEXTUAL_STATIC,
                         templates_path=TEMPLATES)
        self.token = token
        self.announce = announce
        self.cookie_name = f"stancemark_token_{port}"
        self._tabs: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------ address
    @property
    def url(self) -> str:
        """The address to open; it carries the token when there is one."""
        host = self.host
        if not host or host in ("0.0.0.0", "::"):
            import socket

            host = socket.gethostname()
        url = f"http://{url_host(host)}:{self.port}/"
        return url + (f"?token={quote(self.token, safe='')}" if self.token else "")

    # ---------------------------------------------------------------- app
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, name="static"),
            web.static("/assets", ASSETS, name="assets"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse what the rules in the module say, then add the security headers."""
        try:
            response = await self._checked(request, handler)
        except web.HTTPException as answer:
            answer.headers.update(SECURITY_HEADERS)
            raise
        response.headers.update(SECURITY_HEADERS)
        return response

    async def _checked(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.token is None and not is_loopback(request_hostname(request.host)):
            raise web.HTTPForbidden(
                text="403: without an access token this server answers only at a loopback "
                "address (127.0.0.1, localhost); start it with --token to use another name\n")
        if request.path == "/ws" and not self._same_origin(request):
            raise web.HTTPForbidden(text="403: websocket from another site\n")
        if self.token is None:
            return await handler(request)
        if same_token(request.cookies.get(self.cookie_name), self.token):
            return await handler(request)
        if same_token(request.query.get("token"), self.token):
            if request.path == "/ws":
                return await handler(request)  # a program's websocket, no cookie jar
            kept = [(k, v) for k, v in request.query.items() if k != "token"]
            answer = web.HTTPFound(_relative(request.path, kept))
            https = request.secure or request.headers.get("X-Forwarded-Proto") == "https"
            answer.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Lax",
                              path="/", secure=https)
            raise answer
        raise web.HTTPForbidden(text="403: missing or wrong access token (open the URL that "
                                "`stancemark serve` printed)\n")

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        """No ``Origin`` (not a browser), or the one this request was sent to."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        try:
            return urlsplit(origin).netloc.lower() == request.host.lower()
        except ValueError:
            return False

    # --------------------------------------------------------------- page
    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        extra = set(request.query) - PAGE_PARAMS
        if extra:
            kept = [(k, v) for k, v in request.query.items() if k in PAGE_PARAMS]
            raise web.HTTPFound(_relative(request.path, kept))
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 48)
        return {"title": self.title, "about": ABOUT, "font_size": font_size}

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's tab session, tracked so that shutdown can end it."""
        task = asyncio.current_task()
        assert task is not None
        self._tabs.add(task)
        log.info("tab opened (%d open)", len(self._tabs))
        try:
            return await super().handle_websocket(request)
        finally:
            self._tabs.discard(task)
            log.info("tab closed (%d open)", len(self._tabs))

    async def on_shutdown(self, app: web.Application) -> None:
        """End every tab: its session tells the app process to quit and waits for it."""
        for task in list(self._tabs):
            task.cancel()
        if self._tabs:
            await asyncio.wait(list(self._tabs), timeout=10)

    # ------------------------------------------------------------ running
    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                            datefmt="%H:%M:%S", stream=sys.stderr)

    def serve(self, debug: bool = False) -> None:
        """Listen until Ctrl+C or SIGTERM; an address that cannot be bound raises ``OSError``."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, loop=loop,
                         handle_signals=False, access_log_class=AccessLog,
                         print=lambda *_: self.announce(self.url), shutdown_timeout=5)
        finally:
            loop.close()
