// stancemark serve: loaded right after textual.js, which sets window.onload to start the
// terminal.  Before it runs: point it at this server's websocket (built from the page's own
// address, so it is right behind a TLS reverse proxy or under a sub-path), wire the restart
// button (no inline handlers: the Content-Security-Policy forbids them), and wait for the
// local Roboto Mono, or xterm measures its cells with a fallback font.
(function () {
  "use strict";
  const start = window.onload;
  window.onload = async function (event) {
    const terminal = document.getElementById("terminal");
    const url = new URL("ws", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = "";
    url.hash = "";
    terminal.dataset.sessionWebsocketUrl = url.href;
    document.getElementById("restart").addEventListener("click", function () {
      window.location.reload();
    });
    try {
      await document.fonts.load("16px 'Roboto Mono'");
    } catch (error) {
      // the fallback font still works, only less pretty
    }
    if (typeof start === "function") {
      start.call(window, event);
    }
  };
})();
