"""What every ``stancemark`` command shares: option decorators, the store, the TUI settings.

Options are declared once here and stacked on each command (the way
sqlite-utils does it), so a name, its help and its fallback cannot drift
apart.  ``--db``, ``--annotator`` and ``--labels`` may also be given before
the command (``stancemark --db X stats``); the group keeps them in
``ctx.obj`` and a command's own option, when given, wins.

:func:`pass_store` opens the database for a command and closes it through
``ctx.call_on_close`` whatever happens; commands that must check their
arguments before touching the database (``export``, ``annotate``,
``review``: a usage error must not create a database file) call
:func:`open_store` themselves, which does the same.  A database that cannot
be opened is one line on stderr and exit status 1.

Only the commands that add to a database create a missing file (``import``,
``merge`` and the annotator).  The ones that only read it (``stats``,
``export``, ``agreement``, ``review``: :func:`pass_existing_store`, or
``open_store(..., create=False)``) refuse a missing one, so a mistyped
``--db`` is an error rather than an empty database reporting zeros.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn, TypeVar

import click

from annotations.config import (
    ConfigError,
    after_tag,
    load_config,
    resolve_annotator,
    suggest_settings,
    user_config_path,
)
from annotations.labels import LabelError, load_labels
from annotations.model import GOLD, Label
from annotations.names import AnnotatorNameError, check_annotator
from annotations.safety import printable
from annotations.store import Store, StoreError, resolve_db_path
from annotations.trust import TrustPolicy

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
DB_HELP = "Database file (default: $STANCEMARK_DB, then ./stancemark.db)."
ANNOTATOR_HELP = "Your name (default: $STANCEMARK_ANNOTATOR, config, git, login)."
LABELS_HELP = "Label schema YAML (default: ./stancemark.yaml if it has labels)."


def fail(message: object) -> NoReturn:
    """Stop the command with ``Error: message`` on one line and exit status 1."""
    raise click.ClickException(printable(message))


# -------------------------------------------------------------- options
def db_option(fn: F) -> F:
    return click.option("--db", help=DB_HELP)(fn)


def annotator_option(fn: F) -> F:
    """``--annotator NAME``: who is annotating or reviewing."""
    return click.option("--annotator", help=ANNOTATOR_HELP)(fn)


def labels_file_option(fn: F) -> F:
    return click.option("--labels", "labels_file", type=click.Path(dir_okay=False),
                        help=LABELS_HELP)(fn)


FOLLOW_LINKS_HELP = ("Also read symlinked files in the folders given that point outside them "
                     "(skipped by default: a folder from elsewhere may link to ~/.ssh/...).")


def follow_links_option(fn: F) -> F:
    """``--follow-links``: read symlinked files that leave the folder being imported."""
    return click.option("--follow-links", is_flag=True, default=None,
                        help=FOLLOW_LINKS_HELP)(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON instead of a table.")(fn)


def annotators_filter_option(fn: F) -> F:
    """``--annotator NAME``, repeatable: whose spans a read covers."""
    return click.option("--annotator", "annotators", multiple=True,
                        help="Only this annotator (repeatable; default: everyone).")(fn)


def trust_options(fn: F) -> F:
    """``--from NAME`` (repeatable), ``--reviewer``, ``--allowed-signers FILE``: whom a pack's
    records are trusted from (see :mod:`annotations.trust`)."""
    fn = click.option("--allowed-signers", "allowed_signers", type=click.Path(dir_okay=False),
                      help="The team's allowed_signers file (git's format, principal = annotator "
                      "name): a pack whose PACK.sig verifies is trusted for its signer's own "
                      "records (default: allowed_signers: in the config).")(fn)
    fn = click.option("--reviewer", is_flag=True,
                      help="You merge as a reviewer: with --from gold, gold records may change "
                      "(recorded with the merge).")(fn)
    return click.option("--from", "from_names", multiple=True, metavar="NAME",
                        help="The pack is from NAME: NAME's spans, relations and statuses may "
                        "change (repeatable). Anyone else's are refused and counted.")(fn)


def trust_policy(ctx: click.Context, annotator: str | None, from_names: tuple[str, ...],
                 reviewer: bool, allowed_signers: str | None) -> TrustPolicy:
    """The trust settings of a command: its options, then the config's signature settings."""
    if GOLD in from_names and not reviewer:
        raise click.UsageError("--from gold needs --reviewer: only a reviewer merges gold")
    try:
        config = load_config()
    except ConfigError as e:
        fail(e)
    return config_policy(config, resolve_annotator(annotator or group_setting(ctx, "annotator"),
                                                   config),
                         from_names=from_names, reviewer=reviewer, allowed_signers=allowed_signers)


def config_policy(config: dict[str, Any], merged_by: str, *, from_names: tuple[str, ...] = (),
                  reviewer: bool = False, allowed_signers: str | None = None) -> TrustPolicy:
    """A :class:`TrustPolicy` from options plus the config (``allowed_signers``,
    ``require_signatures``); a wrong type in the config is one line."""
    signers = allowed_signers or config.get("allowed_signers")
    if signers is not None and not isinstance(signers, str):
        fail("config: allowed_signers must be a file name")
    required = config.get("require_signatures", False)
    if not isinstance(required, bool):
        fail("config: require_signatures must be true or false")
    return TrustPolicy(from_names=tuple(from_names), reviewer=reviewer, merged_by=merged_by,
                       allowed_signers=os.path.expanduser(signers) if signers else None,
                       require_signatures=required)


def label_filter_option(fn: F) -> F:
    return click.option("--label", "labels", multiple=True,
                        help="Only this label (repeatable).")(fn)


# ---------------------------------------------------------------- store
def group_setting(ctx: click.Context, name: str) -> Any:
    """An option given before the command (``stancemark --db X stats``), or None."""
    settings = ctx.find_object(dict)
    return settings.get(name) if settings else None


def open_store(ctx: click.Context, db: str | None, *, create: bool = True) -> Store:
    """The database named by ``--db`` (here or before the command), closed with ``ctx``.

    ``create=False``: a command that only reads refuses a file that does not exist.
    """
    path = resolve_db_path(db or group_setting(ctx, "db"))
    if not create and path.parent.is_dir() and not path.exists():
        fail(f"{path}: no such database (check --db or $STANCEMARK_DB; "
             "`stancemark import` creates one)")
    try:
        store = Store.open(path, create=create)
    except StoreError as e:
        fail(e)
    ctx.call_on_close(store.close)
    return store


def _passing_store(fn: Callable[..., R], create: bool) -> Callable[..., R]:
    @functools.wraps(fn)
    def with_store(*args: Any, db: str | None, **kwargs: Any) -> R:
        return fn(open_store(click.get_current_context(), db, create=create), *args, **kwargs)

    return with_store


def pass_store(fn: Callable[..., R]) -> Callable[..., R]:
    """Call ``fn(store, ...)`` in place of the ``db`` parameter (stack it under ``@db_option``);
    a missing file is created."""
    return _passing_store(fn, create=True)


def pass_existing_store(fn: Callable[..., R]) -> Callable[..., R]:
    """:func:`pass_store` for a command that only reads: a missing file is refused."""
    return _passing_store(fn, create=False)
def annotator_name(ctx: click.Context, annotator: str | None) -> str:
    """Who is asking: ``--annotator`` (here or before the command), then the usual
    fallbacks (see :func:`annotations.config.resolve_annotator`); a bad config is one line."""
    try:
        config = load_config()
    except ConfigError as e:
        fail(e)
    return resolve_annotator(annotator or group_setting(ctx, "annotator"), config)


# ------------------------------------------------------------- the TUI
class AppSettings(NamedTuple):
    """What the commands that open the TUI need before they open it."""

    config: dict[str, Any]
    labels: list[Label]
    annotator: str


def app_settings(ctx: click.Context, annotator: str | None,
                 labels_file: str | None) -> AppSettings:
    """The config, the label schema and who is annotating; a bad file or name is one line."""
    try:
        config = load_config()
        labels = load_labels(labels_file or group_setting(ctx, "labels_file"))
    except (ConfigError, LabelError) as e:
        fail(e)
    return AppSettings(config, labels, checked_annotator(
        resolve_annotator(annotator or group_setting(ctx, "annotator"), config)))


def checked_annotator(name: str) -> str:
    """``name`` as :func:`~annotations.names.check_annotator` accepts it, or one line saying why."""
    try:
        return check_annotator(name)
    except AnnotatorNameError as e:
        fail(f"annotator name: {e}")


def require_articles(store: Store, hint: str) -> None:
    """Refuse to open the TUI on an empty database, saying how to fill it."""
    if store.count_articles() == 0:
        fail(f"no articles in the database yet: {hint}")


def run_app(store: Store, settings: AppSettings, **extra: Any) -> None:
    """Open the Textual app on ``store`` (imported here: the headless commands never load it).

    An app that could not start is one line and exit status 1; any other
    non-zero return code of the app (a crash, with Textual's traceback) is the
    command's exit status too, never 0.
    """
    from tui.app import StancemarkApp

    app = StancemarkApp(store=store, annotator=settings.annotator, labels=settings.labels,
                        keymap=settings.config.get("keys"), theme=settings.config.get("theme"),
                        config_path=user_config_path(), after_tag=after_tag(settings.config),
                        suggest=suggest_settings(settings.config), **extra)
    app.run()
    if app.startup_error:
        fail(app.startup_error)
    if app.return_code:
        raise click.exceptions.Exit(app.return_code)
