"""One browser tab's app process: ``python -m tui.serve.tab --db PATH [--labels FILE] [--annotator NAME]``.

Started by the server (:func:`tui.serve.server.tab_command`) with
textual-serve's web driver in its environment; runs the annotator on the
shared database.  Without ``--annotator`` it opens on the name screen: the
person in front of this tab says who they are (the server's own
``$STANCEMARK_ANNOTATOR``, config or login name are never used, they name
whoever started the server).  The key remaps and theme come from the same
config files as the terminal app.

Whatever this process writes to stderr ends up on the server's terminal, so
it is passed through :func:`annotations.safety.printable` first (a crash
report may quote article text).
"""

from __future__ import annotations

import argparse
import io
import sys

from annotations.config import ConfigError, after_tag, load_config, suggest_settings
from annotations.labels import LabelError, load_labels
from annotations.names import AnnotatorNameError, check_annotator
from annotations.store import Store, StoreError
from tui.safe import PrintableStream


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.serve.tab")
    parser.add_argument("--db", required=True)
    parser.add_argument("--labels")
    parser.add_argument("--annotator")
    args = parser.parse_args(argv)
    if isinstance(sys.stderr, io.TextIOBase):
        sys.stderr = PrintableStream(sys.stderr)
    try:
        config = load_config()
        labels = load_labels(args.labels)
        annotator = None if args.annotator is None else check_annotator(args.annotator)
        store = Store.open(args.db, create=False)
    except (ConfigError, LabelError, AnnotatorNameError, StoreError) as e:
        print(f"stancemark tab: {e}", file=sys.stderr)
        return 1
    from tui.app import StancemarkApp

    app = StancemarkApp(store, annotator, labels, keymap=config.get("keys"),
                        theme=config.get("theme"), after_tag=after_tag(config),
                        suggest=suggest_settings(config))
    try:
        app.run()
    finally:
        store.close()
    if app.startup_error:
        print(f"stancemark tab: {app.startup_error}", file=sys.stderr)
    return 1 if app.startup_error else app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
