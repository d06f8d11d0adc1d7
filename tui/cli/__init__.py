"""The ``stancemark`` command: a click group over the core API, one module per command.

``stancemark [--db PATH] [--annotator NAME] [--labels FILE] [PATH...]`` opens
the annotator (importing PATHs first); the other commands work headless.
Every message that echoes data goes through :mod:`annotations.output`, so
no control character reaches the terminal raw, and a store error anywhere is
one line and exit status 1.

The default command, two ways, because one alone cannot express it:
click-default-group sends a first word that names no command (a PATH) to
``annotate`` together with everything after it; and ``invoke_without_command``
lets the group itself run ``annotate`` when no word is left after the
group's options, which covers both ``stancemark`` and ``stancemark --db X``
(DefaultGroup's own ``default_if_no_args`` looks only at an empty command
line, so ``stancemark --db X`` would be "Missing command").
"""

from __future__ import annotations

from typing import Any

import click
from click_default_group import DefaultGroup

from annotations.safety import printable
from annotations.store import StoreError
from tui.cli import (
    agreement,
    annotate,
    export,
    importing,
    merge,
    review,
    serve,
    stats,
    suggest,
)
from tui.cli.options import CONTEXT_SETTINGS, annotator_option, db_option, labels_file_option


class StancemarkGroup(DefaultGroup):
    """The default group whose commands turn a damaged database found mid-command into one line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # DefaultGroup passes unknown options on to the default command; every
        # option `annotate` takes is a group option too, so an unknown one is
        # a mistake, reported as the group's own ("No such option: --bogus").
        self.ignore_unknown_options = False

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as e:
            raise click.ClickException(printable(e)) from e


@click.group(cls=StancemarkGroup, default="annotate", invoke_without_command=True,
             context_settings=CONTEXT_SETTINGS)
@db_option
@annotator_option
@labels_file_option
@click.version_option(package_name="stancemark")
@click.pass_context
def cli(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None) -> None:
    """stancemark: tag claim / denial / context spans in news reports."""
    ctx.ensure_object(dict).update(db=db, annotator=annotator, labels_file=labels_file)
    if ctx.invoked_subcommand is None:
        ctx.invoke(annotate.annotate)


cli.add_command(annotate.annotate)
cli.add_command(importing.import_command)
cli.add_command(stats.stats)
cli.add_command(export.export)
cli.add_command(merge.merge)
cli.add_command(agreement.agreement)
cli.add_command(review.review)
cli.add_command(serve.serve)
cli.add_command(suggest.suggest)


def main() -> None:
    """Console-script entry point."""
    cli(obj={}, prog_name="stancemark")
