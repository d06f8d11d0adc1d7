"""``stancemark merge``: teammates' packs into this database, and ``merge --undo``.

Idempotent and order-independent (the rules are the store's, see the
README).  A pack changes only the records of the annotators it is trusted
for (``--from NAME``, or a signature ``PACK.sig`` that verifies against the
team's ``allowed_signers``; ``gold`` only with ``--from gold --reviewer``);
the others are refused and counted.  Each pack is one unit: merged whole or
not at all.  A malformed pack line is one ``error: file:line: reason`` and
the rest is merged; the summary always prints; exit status 1 if anything
was rejected or refused.

``--undo PACK`` reverts what the merges of that pack (found by its SHA-256)
changed, leaving records changed since as they are.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator

import click

from annotations.formats.pack import PackError, read_pack
from annotations.model import Article
from annotations.output import print_message
from annotations.store import MergeReport, Store, Unit
from annotations.trust import OpenedPack, PackRefused, open_pack
from tui.cli.importing import refused_note, stopped_summary
from tui.cli.options import (
    annotator_option,
    db_option,
    fail,
    open_store,
    trust_options,
    trust_policy,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")


class _Lines:
    """A pack's good lines for the store; bad lines printed and counted as they are read."""

    def __init__(self, opened: OpenedPack) -> None:
        self.opened = opened
        self.bad = 0

    def __iter__(self) -> Iterator[Article]:
        source = self.opened.source
        for item in read_pack(source.path, stream=self.opened.stream, digest=source.digest):
            if isinstance(item, PackError):
                self.bad += 1
                print_message(f"error: {item}")
            else:
                for note in item.notes:  # display styles over the cap
                    print_message(f"note: {note}")
                yield item


def merge_summary(packs: int, total: MergeReport, bad_lines: int) -> str:
    return (f"merged {packs} pack(s): {total.articles_added} new articles, "
            f"{total.articles_differing} with differing text; {total.added} added, "
            f"{total.updated} updated, {total.unchanged} unchanged, "
            f"{total.rejected + bad_lines} rejected, {total.refused} refused "
            f"({total.moved} re-anchored, {total.orphaned} orphaned)")


def pack_sha256(pack: str) -> str:
    """The SHA-256 of a pack file (or ``pack`` itself when it is one and no such file exists)."""
    if not os.path.exists(pack) and _SHA256.fullmatch(pack):
        return pack
    try:
        with open(pack, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as e:
        fail(f"{pack}: cannot read: {e.strerror or e}")


def _undo(store: Store, packs: tuple[str, ...], by: str) -> None:
    missing = 0
    for pack in packs:
        sha = pack_sha256(pack)
        report = store.undo_merge(sha, by)
        for note in report.messages:
            print_message(f"note: {note}")
        if not report.merges:
            missing += 1
            print_message(f"error: {pack}: no merge of this pack (SHA-256 {sha}) to undo")
            continue
        print_message(f"undid {report.merges} merge(s) of {pack} (SHA-256 {sha[:12]}...): "
                      f"{report.reverted} change(s) reverted, {report.kept} kept "
                      "(changed since the merge)")
    if missing:
        click.get_current_context().exit(1)


@click.command()
@db_option
@annotator_option
@trust_options
@click.option("--undo", is_flag=True,
              help="Revert what merging these packs changed (found by each file's SHA-256); "
              "records changed since are left as they are.")
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@click.pass_context
def merge(ctx: click.Context, db: str | None, annotator: str | None,
          from_names: tuple[str, ...], reviewer: bool, allowed_signers: str | None, undo: bool,
          packs: tuple[str, ...]) -> None:
    """Merge teammates' packs (the jsonl export): idempotent, order-independent.

    Keyed by span id; a later updated_at wins; tombstones delete.  Only the
    spans, relations and statuses of the annotators the pack is from
    (--from NAME, or its verified signature PACK.sig) may change; gold only
    with --from gold --reviewer.  Articles we lack arrive with the pack;
    where our text differs, incoming spans are re-anchored or marked
    orphaned.  Exit status 1 if anything was rejected or refused.
    """
    policy = trust_policy(ctx, annotator, from_names, reviewer, allowed_signers)
    store = open_store(ctx, db)
    if undo:
        _undo(store, packs, policy.merged_by)
        return
    total = MergeReport()
    bad_lines = refused_packs = 0
    stopped = False
    for n, pack in enumerate(packs):
        try:
            opened = open_pack(pack, policy)
        except PackRefused as e:
            refused_packs += 1
            print_message(f"error: {e}")
            continue
        for note in (*opened.notes, *opened.source.trust.notes):
            print_message(f"note: {note}")
        lines = _Lines(opened)
        report = store.store_units([Unit(pack, lines, opened.source)])
        bad_lines += lines.bad
        total.add(report.merge or MergeReport())
        total.rejected += report.failed
        for problem in report.errors:
            print_message(f"error: {problem}")
        if report.stopped:
            stopped = True
            print_message(f"error: {report.stopped}")
            print_message(stopped_summary(report.not_committed, len(packs) - n - 1, "pack"))
            break
    for note in total.messages:
        print_message(f"note: {note}")
    hint = refused_note(total)
    if hint:
        print_message(f"note: {hint}")
    print_message(merge_summary(len(packs) - refused_packs, total, bad_lines)
                  + (f"; {refused_packs} pack(s) refused whole" if refused_packs else ""))
    if total.rejected or total.refused or bad_lines or refused_packs or stopped:
        click.get_current_context().exit(1)
