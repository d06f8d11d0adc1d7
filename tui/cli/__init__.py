"""The ``stancemark`` command: a click group over the core API, one module per command.

``stancemark [--db PATH] [--annotator NAME] [--labels FILE] [PATH...]`` opens
the annotator (importing PATHs first); the other commands work headless.
Every message that echoes data goes through :mod:`annotations.output`, so
no control character reaches the terminal raw, and a store error anywhere is
one line and exit status 1.  Click's own errors quote what was typed (``No
such option: --x``, ``Got unexpected extra argument (x)``): the group passes
their messages through :func:`annotations.safety.printable` too, and the
console script prints an unexpected exception's traceback the same way.

The default command, two ways, because one alone cannot express it:
click-default-group sends a first word that names no command (a PATH) to
``annotate`` together with everything after it; and ``invoke_without_command``
lets the group itself run ``annotate`` when no word is left after the
group's options, which covers both ``stancemark`` and ``stancemark --db X``
(DefaultGroup's own ``default_if_no_args`` looks only at an empty command
line, so ``stancemark --db X`` would be "Missing command").
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
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
    search,
    serve,
    stats,
    suggest,
)
from tui.cli.options import (
    CONTEXT_SETTINGS,
    annotator_option,
    db_option,
    follow_links_option,
    labels_file_option,
)


@contextmanager
def printable_click_errors() -> Iterator[None]:
    """Click's errors with whatever they quote made printable (the one set of unsafe
    characters of :mod:`annotations.safety`), before click shows them."""
    try:
        yield
    except click.ClickException as e:
        # Click declares ``message`` final; it is what ``show()`` prints, so replace it.
        e.message = printable(e.message)  # type: ignore[misc]
        raise


class StancemarkGroup(DefaultGroup):
    """The default group whose commands turn a damaged database found mid-command into one
    line, and whose errors (click's own included) never put a control character raw on
    the terminal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # DefaultGroup passes unknown options on to the default command; every
        # option `annotate` takes is a group option too, so an unknown one is
        # a mistake, reported as the group's own ("No such option: --bogus").
        self.ignore_unknown_options = False

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        with printable_click_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with printable_click_errors():
            try:
                return super().invoke(ctx)
            except StoreError as e:
                raise click.ClickException(printable(e)) from e


@click.group(cls=StancemarkGroup, default="annotate", invoke_without_command=True,
             context_settings=CONTEXT_SETTINGS)
@db_option
@annotator_option
@labels_file_option
@follow_links_option
@click.version_option(package_name="stancemark")
@click.pass_context
def cli(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None,
        follow_links: bool | None) -> None:
    """stancemark: tag claim / denial / context spans in news reports."""
    ctx.ensure_object(dict).update(db=db, annotator=annotator, labels_file=labels_file,
                                   follow_links=follow_links)
    if ctx.invoked_subcommand is None:
        ctx.invoke(annotate.annotate)


cli.add_command(annotate.annotate)
cli.add_command(importing.import_command)
cli.add_command(stats.stats)
cli.add_command(export.export)
cli.add_command(merge.merge)
cli.add_command(agreement.agreement)
cli.add_command(review.review)
cli.add_command(search.search)
cli.add_command(serve.serve)
cli.add_command(suggest.suggest)


def printable_excepthook(kind: type[BaseException], value: BaseException,
                         tb: TracebackType | None) -> None:
    """``sys.excepthook`` for a bug's traceback: its text made printable (it may quote data)."""
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(printable(text, one_line=False))
    sys.stderr.flush()


def main() -> None:
    """Console-script entry point."""
    sys.excepthook = printable_excepthook
    cli(obj={}, prog_name="stancemark")
