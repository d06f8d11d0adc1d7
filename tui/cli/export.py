"""``stancemark export``: labeled datasets in every format of :data:`annotations.formats.FORMATS`.

Where the bytes go: single-file formats to ``-o FILE`` (written atomically by
:func:`annotations.output.atomic_write`) or to stdout, where a terminal gets
control characters escaped and binary formats are refused; folder formats
into ``-o DIR`` only, refused when ``DIR`` already holds files unless
``--force``, and a ``DIR`` that is a symbolic link is said to be one before
anything is written through it.  The format's spec says everything else
(folder, binary, whether it carries tombstones): no format is special-cased
here.  Output is deterministic; a summary goes to stderr.

csv with ``-o FILE`` also writes ``relations.csv`` beside FILE (through
``Output.companion``, atomically too); csv to stdout carries the spans only
and says how many relations it left out.

``--sign KEYFILE`` (the ``jsonl`` pack, ``-o FILE``) signs the written pack
into ``FILE.sig`` with ``ssh-keygen -Y sign`` (:mod:`annotations.signing`);
a pack written without ``--sign`` removes a ``FILE.sig`` left from an older
export, which would no longer verify.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, TextIO

import click

from annotations.formats import (
    FORMATS,
    ExportOptions,
    ExportReport,
    FormatSpec,
    FormatUnavailable,
    Output,
)
from annotations.formats.csv_rows import RELATIONS_FILE
from annotations.model import ExportDoc
from annotations.output import OutputError, atomic_write, print_message, terminal_safe
from annotations.signing import SigningError, sign, signature_path
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


def _check_destination(spec: FormatSpec, output: str | None, stdout: TextIO,
                       key: str | None, force: bool) -> None:
    """Usage errors and refused destinations, before the database is opened."""
    if spec.folder and not output:
        raise click.UsageError(f"the {spec.name} format writes a folder: give -o DIR")
    if spec.binary and not output and stdout.isatty():
        raise click.UsageError(f"the {spec.name} format is binary: give -o FILE")
    if key is not None:
        if spec.name != "jsonl":
            raise click.UsageError("--sign signs packs: use it with --format jsonl")
        if not output:
            raise click.UsageError("--sign needs -o FILE (the signature goes to FILE.sig)")
        if os.path.exists(output) and not stat.S_ISREG(os.stat(output).st_mode):
            raise click.UsageError(f"--sign needs -o FILE to be a regular file, not {output}")
        if not os.path.isfile(key):
            fail(f"{key}: no such key file")
    if spec.folder and output:
        _check_folder(Path(output), force)
    if spec.name == "csv" and output and Path(output).name == RELATIONS_FILE:
        raise click.UsageError(f"-o names the spans file, and {RELATIONS_FILE} is where the "
                               "relations go beside it: name the spans file otherwise")


def _check_folder(directory: Path, force: bool) -> None:
    """A folder export writes many files: never over someone's files, never silently elsewhere."""
    if directory.is_symlink():
        print_message(f"note: {directory} is a symbolic link; writing into "
                      f"{os.path.realpath(directory)}")
    if not directory.exists():
        return
    if not directory.is_dir():
        fail(f"{directory}: not a folder")
    held = sum(1 for _ in directory.iterdir())
    if held and not force:
        fail(f"{directory}: the folder already holds {held} file(s); give --force to write into "
             "it anyway (files of the same names are replaced)")


def _sign(output: str, key: str) -> None:
    """Sign the pack just written into ``output`` + ``.sig``."""
    try:
        with open(output, "rb") as pack:
            signature = sign(pack, key)
        with atomic_write(signature_path(output)) as fh:
            fh.write(signature)
    except SigningError as e:
        signature_path(output).unlink(missing_ok=True)
        fail(f"the pack was written but not signed: {e}")
    print_message(f"signed {output} into {signature_path(output)}")


def _drop_stale_signature(spec: FormatSpec, output: str | None) -> None:
    """A new unsigned pack must not sit beside the old pack's signature (it would not verify)."""
    if spec.name != "jsonl" or not output or not os.path.isfile(output):
        return
    stale = signature_path(output)
    if stale.is_file():
        stale.unlink()
        print_message(f"note: removed {stale}, the signature of the pack it replaced "
                      "(sign with --sign KEYFILE)")


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


def _companion(output: str) -> Callable[[str], AbstractContextManager[BinaryIO]] | None:
    """Files beside ``output`` (csv's relations.csv), when ``output`` is a file: not for a
    device or a pipe (``-o /dev/stdout``), which has no folder of its own."""
    if os.path.exists(output) and not stat.S_ISREG(os.stat(output).st_mode):
        return None
    folder = Path(output).parent
    return lambda name: atomic_write(folder / name)


def _write(spec: FormatSpec, docs: Iterable[ExportDoc], output: str | None, stdout: TextIO,
           options: ExportOptions) -> ExportReport:
    if output is None:
        return _write_stdout(spec, docs, stdout, options)
    if spec.folder:
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        return spec.write(docs, Output(directory=directory), options)
    with atomic_write(output) as stream:
        return spec.write(docs, Output(stream=stream, companion=_companion(output)), options)


def _warn_unknown_articles(store: Store, articles: tuple[str, ...]) -> None:
    known = set(store.article_ids()) if articles else set()
    for article in articles:
        if article not in known:
            print_message(f"warning: no article with id {article!r}")


def export_summary(fmt: str, report: ExportReport, orphaned: int,
                   relations_orphaned: int = 0) -> str:
    by_format = f", {report.skipped} by the format" if report.skipped else ""
    relations = f", {report.relations} relations" if report.relations else ""
    linked = (f"; {relations_orphaned} relation(s) left out with an orphaned span"
              if relations_orphaned else "")
    return (f"exported {report.articles} articles, {report.spans} spans{relations} as {fmt}; "
            f"skipped {report.skipped + orphaned} ({orphaned} orphaned{by_format}){linked}")


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
@click.option("--sign", "key", type=click.Path(dir_okay=False), metavar="KEYFILE",
              help="jsonl: sign the pack into FILE.sig with this SSH key (ssh-keygen -Y sign).")
@click.option("--force", is_flag=True,
              help="Folder formats: write into a folder that already holds files.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, db: str | None,
           annotators: tuple[str, ...], labels: tuple[str, ...], status: str,
           articles: tuple[str, ...], include_orphaned: bool, excel_safe: bool,
           key: str | None, force: bool) -> None:
    """Export labeled datasets (deterministic: same database, same bytes)."""
    spec = FORMATS[fmt]
    stdout = _stdout()
    _check_destination(spec, output, stdout, key, force)
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
    print_message(export_summary(fmt, report, counters.get("orphaned", 0),
                                 counters.get("relations_orphaned", 0)))
    if key is not None and output is not None:
        _sign(output, key)
    else:
        _drop_stale_signature(spec, output)
