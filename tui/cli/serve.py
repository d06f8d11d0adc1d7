"""``stancemark serve``: the annotator and the review screen in web browsers.

Imports the PATHs (if any), checks everything that can be wrong before
listening (the token, the name, the label file, an empty database, an
address already in use), then serves until Ctrl+C.  Each browser tab runs
its own app process on the database; see :mod:`tui.serve.server` for what
the server guards.

The token: ``--token``, else ``$STANCEMARK_TOKEN``; made up when the address
is not a loopback one and none is given.  It is taken out of this process's
environment before any tab starts, so no app process inherits it, and shown
only in the startup line, in the URL to open.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from annotations.config import ConfigError, load_config, resolve_annotator
from annotations.labels import LabelError, load_labels
from annotations.output import print_message
from tui.cli.importing import import_paths, import_summary, refused_note
from tui.cli.options import (
    checked_annotator,
    config_policy,
    db_option,
    fail,
    follow_links_option,
    group_setting,
    labels_file_option,
    open_store,
    require_articles,
)

TOKEN_ENV = "STANCEMARK_TOKEN"


def _announce(*lines: str) -> None:
    for line in lines:
        print_message(line, file=sys.stdout)


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but a loopback address needs a token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--token", metavar="TOKEN",
              help=f"Access token (default: ${TOKEN_ENV}; made up when --host is not a "
              "loopback address).")
@click.option("--annotator", metavar="NAME",
              help="Everyone works as NAME (default: each browser tab asks for a name).")
@labels_file_option
@follow_links_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def serve(ctx: click.Context, db: str | None, host: str, port: int, token: str | None,
          annotator: str | None, labels_file: str | None, follow_links: bool | None,
          paths: tuple[str, ...]) -> None:
    """Serve the annotator and the review screen to web browsers.

    Each browser tab is its own app on this database and asks for the person's
    name first (unless --annotator is given).  Listens on 127.0.0.1 unless
    --host says otherwise; any other address needs an access token, given or
    made up, and the URL to open (printed at start) carries it.  See SECURITY.md
    before serving to a network.
    """
    from tui.serve.access import TokenError, check_token, is_loopback, new_token

    token = token or os.environ.get(TOKEN_ENV) or None
    os.environ.pop(TOKEN_ENV, None)  # no tab's app process gets it
    if token is not None:
        try:
            check_token(token)
        except TokenError as e:
            fail(e)
    elif not is_loopback(host):
        token = new_token()
    name = annotator or group_setting(ctx, "annotator")
    name = None if name is None else checked_annotator(name)
    labels_file = labels_file or group_setting(ctx, "labels_file")
    try:
        config = load_config()
        load_labels(labels_file)
    except (ConfigError, LabelError) as e:
        fail(e)
    store = open_store(ctx, db)
    if paths:
        # The person starting the server imports: packs among the PATHs are trusted only as
        # far as the config's signatures say, as for the annotator's PATHs.
        policy = config_policy(config, name or resolve_annotator(None, config))
        follow = bool(follow_links or group_setting(ctx, "follow_links"))
        report, _ = import_paths(store, paths, policy, follow_links=follow)
        hint = refused_note(report.merge) if report.merge else None
        if hint:
            print_message(f"note: {hint}")
        print_message(import_summary(report))
    require_articles(store, "give a file or folder, e.g. `stancemark serve sample_articles`")
    db_path, count = Path(store.path).resolve(), store.count_articles()
    store.close()

    from tui.serve.server import StancemarkServer

    who = f"everyone works as {name}" if name else "each tab asks for a name"
    server = StancemarkServer(
        db=db_path, labels_file=Path(labels_file).resolve() if labels_file else None,
        annotator=name, host=host, port=port, token=token,
        announce=lambda url: _announce(f"stancemark serve: {count} articles in {db_path}; {who}.",
                                       f"Open {url}", "(Ctrl+C stops the server.)"))
    try:
        server.serve()
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
