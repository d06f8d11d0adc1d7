"""``stancemark export``: labeled datasets in every format of :data:`annotations.formats.FORMATS`.

Where the bytes go: single-file formats to ``-o FILE`` (written atomically by
:func:`annotations.output.atomic_write`) or to stdout, where a terminal gets
control characters escaped and binary formats are refused; folder formats
into ``-o DIR`` only.  The format's spec says everything else (folder,
binary, whether it carries tombstones): no format is special-cased here.
Output is deterministic; a summary goes to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import click

from annotations.formats import (
    FORMATS,
    ExportOptions,
    ExportReport,
    FormatSpec,
    FormatUnavailable,
    Output,
)
from annotations.model import ExportDoc
from annotations.output import OutputError, atomic_write, print_message, terminal_safe
from annotations.store import Store
from tui.cli.options import (
    annotators_filter_option,
    db_option,
    fail,
    label_filter_option,
    open_store,
)
from tui.cli.progress import progress_bar


def _stdout() -> TextIO:
    """The stream exports write to (a seam for tests)."""
    return sys.stdout


def _check_destination(spec: FormatSpec, output: str | None, stdout: TextIO) -> None:
    """Usage errors, raised before the database is opened."""
    if spec.folder and not output:
        raise click.UsageError(f"the {spec.name} format writes a folder: give -o DIR")
    if spec.binary and not output and stdout.isatty():
        raise click.UsageError(f"the {spec.name} format is binary: give -o FILE")


def _write_stdout(spec: FormatSpec, docs: Iterable[ExportDoc], stdout: TextIO,
                  options: ExportOptions) -> ExportReport:
    if stdout.isatty():
        # Faithful bytes go to files and pipes; a terminal gets control
        # characters as visible escapes instead.
        with terminal_safe(stdout.buffer) as stream:
            return spec.write(docs, Output(stream=stream), options)
    report = spec.write(docs, Output(stream=stdout.buffer), options)
    stdout.buffer.flush()
    return report


def _write(spec: FormatSpec, docs: Iterable[ExportDoc], output: str | None, stdout: TextIO,
           options: ExportOptions) -> ExportReport:
    if output is None:
        return _write_stdout(spec, docs, stdout, options)
    if spec.folder:
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        return spec.write(docs, Output(directory=directory), options)
    with atomic_write(output) as stream:
        return spec.write(docs, Output(stream=stream), options)


def _warn_unknown_articles(store: Store, articles: tuple[str, ...]) -> None:
    known = set(store.article_ids()) if articles else set()
    for article in articles:
        if article not in known:
            print_message(f"warning: no article with id {article!r}")


def export_summary(fmt: str, report: ExportReport, orphaned: int) -> str:
    by_format = f", {report.skipped} by the format" if report.skipped else ""
    return (f"exported {report.articles} articles, {report.spans} spans as {fmt}; skipped "
            f"{report.skipped + orphaned} ({orphaned} orphaned{by_format})")


@click.command()
@click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)),
              help="Output format (see the README for each).")
@click.option("-o", "--output", type=click.Path(), help="Output file (default: stdout) or, "
              "for folder formats (brat), the folder to write into.")
@db_option
@annotators_filter_option
@label_filter_option
@click.option("--status", type=click.Choice(["any", "done"]), default="any", show_default=True,
              help="'done': only articles (and annotators) marked done.")
@click.option("--article", "articles", multiple=True, help="Only this article id (repeatable).")
@click.option("--include-orphaned", is_flag=True,
              help="Keep spans whose quote could not be re-anchored (left out and counted by "
              "default).")
@click.option("--excel-safe", "excel_safe", is_flag=True,
              help="csv: prefix cells a spreadsheet would run as formulas with ' (their text "
              "is then no longer exact; --format xlsx is safe and exact).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, db: str | None,
           annotators: tuple[str, ...], labels: tuple[str, ...], status: str,
           articles: tuple[str, ...], include_orphaned: bool, excel_safe: bool) -> None:
    """Export labeled datasets (deterministic: same database, same bytes)."""
    spec = FORMATS[fmt]
    stdout = _stdout()
    _check_destination(spec, output, stdout)
    store = open_store(ctx, db, create=False)
    counters: dict[str, int] = {}
    total = len(articles) if articles else store.count_articles()
    docs = store.export_docs(
        annotators=list(annotators) or None, labels=list(labels) or None, status=status,
        article_ids=list(articles) or None, include_orphaned=include_orphaned,
        include_deleted=spec.wants_deleted, counters=counters,
    )
    _warn_unknown_articles(store, articles)
    try:
        with progress_bar(total) as bar:
            tracked = bar.track(docs, total=total, description="exporting")
            report = _write(spec, tracked, output, stdout, ExportOptions(excel_safe=excel_safe))
    except (FormatUnavailable, OutputError) as e:
        fail(e)
    except (OSError, ValueError) as e:
        fail(f"{output or 'stdout'}: {e}")
    for note in report.messages:
        print_message(f"note: {note}")
    for warning in report.warnings:
        print_message(f"warning: {warning}")
    print_message(export_summary(fmt, report, counters.get("orphaned", 0)))
