"""``stancemark import``: reports (and packs) from files and folders into the database.

One bad file never stops the batch: each is one ``error: path: reason``
line on stderr, the rest is imported, the summary always prints, and the
exit status is 1 if anything failed.  Each file is stored whole or not at
all (see :mod:`annotations.store.ingest`); if the database cannot be
written any more (a full disk) the summary says what was committed and
what was not.  :func:`import_paths` is shared with the default command,
which imports its PATHs before opening the annotator.

A ``.jsonl`` file holding pack lines is merged as ``stancemark merge``
merges it, by the same trust rules: its articles come in, but its spans,
relations and statuses change only for the annotators named with
``--from`` (or whose signature ``FILE.sig`` verifies); the others are
refused and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import click

from annotations.articles import ArticleError, read_file, read_jsonl, walk
from annotations.model import Article
from annotations.output import print_message
from annotations.store import ImportReport, MergeReport, Store, Unit
from annotations.trust import PackRefused, TrustPolicy, open_pack
from tui.cli.options import (
    annotator_option,
    db_option,
    follow_links_option,
    group_setting,
    open_store,
    trust_options,
    trust_policy,
)
from tui.cli.progress import progress_bar


def _failed(report: ImportReport, problem: object) -> None:
    report.failed += 1
    report.errors.append(str(problem))
    print_message(f"error: {problem}")


def _files(paths: Sequence[str], report: ImportReport, follow_links: bool = False) -> list[Path]:
    """The readable files under ``paths``; a path that does not exist is a failure, a
    symlink leaving its folder is skipped with a note (unless ``follow_links``)."""
    files: list[Path] = []
    for path in paths:
        try:
            found = walk([path], follow_links=follow_links)
        except ArticleError as e:
            _failed(report, e)
            continue
        for link in found.outside:
            print_message(f"note: {link}: a symlink to a file outside {path}, skipped "
                          "(--follow-links reads it)")
        files.extend(found.files)
        report.skipped += len(found.skipped)
    return files


def _good(items: Iterable[Article | ArticleError], report: ImportReport) -> Iterator[Article]:
    for item in items:
        if isinstance(item, ArticleError):
            _failed(report, item)
        else:
            for note in item.notes:  # read as plain text, styles over the cap...
                print_message(f"note: {note}")
            yield item


def _units(files: list[Path], report: ImportReport, policy: TrustPolicy,
           read: list[int]) -> Iterator[Unit]:
    """One unit per file; ``.jsonl`` files are opened as packs (signature, trust, digest)."""
    with progress_bar(len(files)) as bar:
        for file in bar.track(files, total=len(files), description="importing"):
            read[0] += 1
            if file.suffix.lower() != ".jsonl":
                yield Unit(str(file), _good(read_file(file), report))
                continue
            try:
                opened = open_pack(file, policy, whole=False)
            except PackRefused as e:
                _failed(report, e)
                continue
            for note in opened.notes:
                print_message(f"note: {note}")
            items = read_jsonl(file, stream=opened.stream, digest=opened.source.digest)
            yield Unit(str(file), _good(items, report), opened.source)


def import_paths(store: Store, paths: Sequence[str], policy: TrustPolicy, *,
                 follow_links: bool = False) -> tuple[ImportReport, int]:
    """Import files and folders; returns the report and the number of failures.
    ``follow_links``: read symlinked files that point outside the folders given too."""
    report = ImportReport()
    files = _files(paths, report, follow_links)
    read = [0]
    stored = store.store_units(_units(files, report, policy, read))
    for problem in stored.errors:
        print_message(f"error: {problem}")
    report.add(stored)
    report.stopped, report.not_committed = stored.stopped, stored.not_committed
    if stored.stopped:
        print_message(f"error: {stored.stopped}")
        print_message(stopped_summary(stored.not_committed, len(files) - read[0]))
    merge = report.merge or MergeReport()
    failed = report.failed + merge.rejected + merge.refused + bool(report.stopped)
    return report, failed


def stopped_summary(not_committed: Sequence[str], unread: int, noun: str = "file") -> str:
    """What a stopped batch left out: files rolled back, files never read."""
    names = ", ".join(not_committed[:5]) + (" ..." if len(not_committed) > 5 else "")
    lost = (f"{len(not_committed)} {noun}(s) written but not committed (rolled back: {names})"
            if not_committed else "nothing in flight was lost")
    return (f"stopped: everything counted below is committed; {lost}; "
            f"{unread} {noun}(s) not read")


def refused_note(merge: MergeReport) -> str | None:
    """The hint printed when records were refused for want of a voucher."""
    if not merge.refused:
        return None
    by = ", ".join(f"{name} {n}" for name, n in sorted(merge.refused_by.items()))
    return (f"{merge.refused} record(s) refused: nobody vouched for their annotators ({by}); "
            "give --from NAME for the people the pack is from (gold also needs --reviewer), "
            "or have them sign their packs")


def import_summary(report: ImportReport) -> str:
    """The one-line summary: counts, re-anchored spans, merged pack records."""
    line = (
        f"imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
        f"skipped {report.skipped}, failed {report.failed}"
    )
    if report.updated:
        a = report.anchors
        line += (f"; spans re-checked: {a.get('ok', 0)} ok, {a.get('moved', 0)} moved, "
                 f"{a.get('orphaned', 0)} orphaned")
    if report.merge is not None:
        m = report.merge
        line += (f"; pack records (spans, relations, statuses): {m.added} added, "
                 f"{m.updated} updated, {m.unchanged} unchanged, {m.rejected} rejected, "
                 f"{m.refused} refused")
    return line


@click.command("import")
@db_option
@annotator_option
@trust_options
@follow_links_option
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
def import_command(ctx: click.Context, db: str | None, annotator: str | None,
                   from_names: tuple[str, ...], reviewer: bool, allowed_signers: str | None,
                   follow_links: bool | None, paths: tuple[str, ...]) -> None:
    """Import .md / .txt / .jsonl reports (and native packs) from files or folders.

    Idempotent by article id: unchanged texts are left alone; a changed text
    is updated and its spans re-anchored (moved / orphaned, never shifted
    silently).  A pack's spans, relations and statuses are merged only for
    the annotators named with --from (or who signed it); see `merge`.
    Symlinked files that point outside the folders given are skipped unless
    --follow-links.  Exit status 1 if any file failed or any record was
    rejected or refused.
    """
    policy = trust_policy(ctx, annotator, from_names, reviewer, allowed_signers)
    store = open_store(ctx, db)
    follow = bool(follow_links or group_setting(ctx, "follow_links"))
    report, failed = import_paths(store, paths, policy, follow_links=follow)
    if report.merge is not None:
        for note in report.merge.messages:
            print_message(f"note: {note}")
        hint = refused_note(report.merge)
        if hint:
            print_message(f"note: {hint}")
    print_message(import_summary(report))
    if failed:
        click.get_current_context().exit(1)
