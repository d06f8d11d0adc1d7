"""``stancemark merge``: teammates' packs into this database.

Idempotent and order-independent (the rules are the store's, see the
README).  A malformed pack line is one ``error: file:line: reason`` and the
rest is merged; the summary always prints; exit status 1 if anything was
rejected.
"""

from __future__ import annotations

from typing import Any

import click

from annotations.formats.pack import PackError, read_pack
from annotations.model import Article
from annotations.output import print_message
from annotations.store import MergeReport, Store
from tui.cli.options import db_option, pass_store


def _good_lines(pack: str) -> tuple[list[tuple[Article, dict[str, Any], str]], int]:
    """A pack's valid lines ready for ``Store.merge_docs``, and how many lines were bad."""
    good, bad = [], 0
    for item in read_pack(pack):
        if isinstance(item, PackError):
            bad += 1
            print_message(f"error: {item}")
        else:
            for note in item.notes:
                print_message(f"note: {note}")
            good.append((item, item.annotations or {}, str(pack)))
    return good, bad


def merge_summary(packs: int, total: MergeReport, bad_lines: int) -> str:
    return (f"merged {packs} pack(s): {total.articles_added} new articles, "
            f"{total.articles_differing} with differing text; {total.added} added, "
            f"{total.updated} updated, {total.unchanged} unchanged, "
            f"{total.rejected + bad_lines} rejected "
            f"({total.moved} re-anchored, {total.orphaned} orphaned)")


@click.command()
@db_option
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@pass_store
def merge(store: Store, packs: tuple[str, ...]) -> None:
    """Merge teammates' packs (the jsonl export): idempotent, order-independent.

    Keyed by span id; a later updated_at wins; tombstones delete.  Articles we
    lack arrive with the pack; where our text differs, incoming spans are
    re-anchored or marked orphaned.  Exit status 1 if anything was rejected.
    """
    total = MergeReport()
    bad_lines = 0
    for pack in packs:
        good, bad = _good_lines(pack)
        bad_lines += bad
        total.add(store.merge_docs(good))
    for note in total.messages:
        print_message(f"note: {note}")
    print_message(merge_summary(len(packs), total, bad_lines))
    if total.rejected or bad_lines:
        click.get_current_context().exit(1)
