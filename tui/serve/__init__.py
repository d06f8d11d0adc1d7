"""``stancemark serve``: the annotator and the review screen in a browser.

* :mod:`tui.serve.server` — the web server (textual-serve plus our page, the
  access guard, clean logs and shutdown); one app process per browser tab.
* :mod:`tui.serve.tab` — that app process (``python -m tui.serve.tab``).
* :mod:`tui.serve.access` — the token and loopback rules.
* ``templates/`` and ``assets/`` — the page, its script, stylesheet and favicon
  (package data: nothing the page loads comes from outside the server).

Nothing is imported here, so a tab's process does not load the web server.
The command itself is :mod:`tui.cli.serve`.
"""
