"""The default command: open the annotator, importing PATHs first.

``stancemark``, ``stancemark PATH...``, ``stancemark --db X PATH...`` and
``stancemark --db X`` all land here (see the group in ``tui/cli/__init__.py``);
it is registered as the hidden ``annotate`` command.  Packs among the PATHs
are merged by ``stancemark import``'s rules with no ``--from``: their
articles come in, and only records whose signature verifies against the
configured ``allowed_signers`` change; use ``stancemark merge --from NAME``
for the rest.
"""

from __future__ import annotations

import click

from annotations.output import print_message
from tui.cli.importing import import_paths, import_summary, refused_note
from tui.cli.options import (
    annotator_option,
    app_settings,
    config_policy,
    db_option,
    follow_links_option,
    group_setting,
    labels_file_option,
    open_store,
    require_articles,
    run_app,
)


@click.command("annotate", hidden=True)
@db_option
@annotator_option
@labels_file_option
@follow_links_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def annotate(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None,
             follow_links: bool | None, paths: tuple[str, ...]) -> None:
    """Open the annotator (importing PATHs first)."""
    settings = app_settings(ctx, annotator, labels_file)
    store = open_store(ctx, db)
    if paths:
        policy = config_policy(settings.config, settings.annotator)
        follow = bool(follow_links or group_setting(ctx, "follow_links"))
        report, _ = import_paths(store, paths, policy, follow_links=follow)
        hint = refused_note(report.merge) if report.merge else None
        if hint:
            print_message(f"note: {hint}")
        print_message(import_summary(report))
    require_articles(store, "give a file or folder, e.g. `stancemark sample_articles`")
    run_app(store, settings)
