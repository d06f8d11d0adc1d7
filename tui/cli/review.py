"""``stancemark review``: compare teammates' spans and build the gold set in the TUI.

Everything that can be refused is refused here, before the app starts, with
one line saying what to do: a reviewer named ``gold``, ``--against gold``,
an empty database, nobody to compare, an unknown ``--article``.
"""

from __future__ import annotations

import click

from annotations.model import GOLD
from annotations.output import print_message
from annotations.review import default_against
from annotations.store import Store
from tui.cli.options import (
    annotator_option,
    app_settings,
    db_option,
    fail,
    labels_file_option,
    open_store,
    require_articles,
    run_app,
)


def _check_names(reviewer: str, against: tuple[str, ...]) -> None:
    if reviewer == GOLD:
        raise click.UsageError("'gold' is the reviewed set, not a reviewer: give your own name "
                               "with --annotator")
    if GOLD in against:
        raise click.UsageError("--against gold: gold is what the review builds; name the "
                               "annotators to compare")


def _compared(store: Store, reviewer: str, against: tuple[str, ...]) -> list[str]:
    """Whose spans to compare: ``--against`` (in order, once each) or everyone else."""
    chosen = list(dict.fromkeys(against)) or default_against(store, reviewer)
    if not chosen:
        fail(f"nobody to review: no annotator other than {reviewer} (and gold) has spans in "
             f"{store.path}; tag some first, or give --against NAME")
    known = set(store.annotators())
    for who in chosen:
        if who not in known:
            print_message(f"warning: {who!r} has no spans in {store.path}")
    if not store.articles_with_spans(chosen):
        fail(f"nothing to review: {', '.join(chosen)} tagged no span in {store.path}")
    return chosen


@click.command()
@db_option
@annotator_option
@click.option("--against", "against", multiple=True, metavar="NAME",
              help="Compare this annotator's spans (repeatable; default: everyone with spans "
              "but you and gold).")
@labels_file_option
@click.option("--article", help="Open this article first (default: the first one with "
              "undecided disagreements).")
@click.option("--include-gold", is_flag=True,
              help="Agreement figures (header, statistics) count gold as a rater; it is left "
              "out by default.")
@click.pass_context
def review(ctx: click.Context, db: str | None, annotator: str | None, against: tuple[str, ...],
           labels_file: str | None, article: str | None, include_gold: bool) -> None:
    """Review teammates' spans side by side and build the gold set.

    Agreements, label conflicts, boundary differences and spans only one person
    made are marked apart; a / r accept (copy into gold) or reject the span under
    the cursor, A accepts every agreed span, tab walks the disagreements, and the
    label keys tag gold directly.  Every decision is recorded with your name.
    """
    settings = app_settings(ctx, annotator, labels_file)
    _check_names(settings.annotator, against)
    store = open_store(ctx, db, create=False)
    require_articles(store, "import some first, e.g. `stancemark import sample_articles`")
    chosen = _compared(store, settings.annotator, against)
    if article is not None and store.get_article(article) is None:
        fail(f"no article with id {article!r}")
    run_app(store, settings, start_article=article, review_against=chosen,
            include_gold=include_gold)
