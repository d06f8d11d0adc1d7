"""``stancemark import``: reports (and packs) from files and folders into the database.

One bad file never stops the batch: each is one ``error: path: reason``
line on stderr, the rest is imported, the summary always prints, and the
exit status is 1 if anything failed.  :func:`import_paths` is shared with
the default command, which imports its PATHs before opening the annotator.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from annotations.articles import ArticleError, read_file, walk
from annotations.model import Article
from annotations.output import print_message
from annotations.store import ImportReport, Store
from tui.cli.options import db_option, follow_links_option, group_setting, pass_store
from tui.cli.progress import progress_bar


def _failed(report: ImportReport, problem: ArticleError) -> None:
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


def _articles(files: list[Path], report: ImportReport) -> Iterator[Article]:
    with progress_bar(len(files)) as bar:
        for file in bar.track(files, total=len(files), description="importing"):
            for item in read_file(file):
                if isinstance(item, ArticleError):
                    _failed(report, item)
                else:
                    for note in item.notes:
                        print_message(f"note: {note}")
                    yield item


def import_paths(store: Store, paths: Sequence[str], *,
                 follow_links: bool = False) -> tuple[ImportReport, int]:
    """Import files and folders; returns the report and the number of failures."""
    report = ImportReport()
    stored = store.import_articles(_articles(_files(paths, report, follow_links), report))
    for problem in stored.errors:
        print_message(f"error: {problem}")
    report.imported += stored.imported
    report.updated += stored.updated
    report.unchanged += stored.unchanged
    report.failed += stored.failed
    report.errors.extend(stored.errors)
    report.anchors = stored.anchors
    report.merge = stored.merge
    return report, report.failed + (stored.merge.rejected if stored.merge else 0)


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
                 f"{m.updated} updated, {m.unchanged} unchanged, {m.rejected} rejected")
    return line


@click.command("import")
@db_option
@follow_links_option
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@pass_store
def import_command(store: Store, paths: tuple[str, ...], follow_links: bool | None) -> None:
    """Import .md / .txt / .jsonl reports (and native packs) from files or folders.

    Idempotent by article id: unchanged texts are left alone; a changed text
    is updated and its spans re-anchored (moved / orphaned, never shifted
    silently).  Symlinked files that point outside the folders given are
    skipped unless --follow-links.  Exit status 1 if any file failed.
    """
    follow = bool(follow_links or group_setting(click.get_current_context(), "follow_links"))
    report, failed = import_paths(store, paths, follow_links=follow)
    if report.merge is not None:
        for note in report.merge.messages:
            print_message(f"note: {note}")
    print_message(import_summary(report))
    if failed:
        click.get_current_context().exit(1)
