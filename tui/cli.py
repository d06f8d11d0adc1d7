"""The ``stancemark`` command: a small click CLI over the core API.

``stancemark [--db PATH] [--annotator NAME] [--labels FILE] [PATH...]`` opens
the annotator (importing PATHs first); the subcommands work headless.  Every
message that echoes data goes through :func:`annotations.safety.printable`
so no control character reaches the terminal raw.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from annotations.articles import ArticleError, read_file, walk
from annotations.config import ConfigError, load_config, resolve_annotator
from annotations.labels import LabelError, load_labels
from annotations.model import Article, Label
from annotations.safety import printable
from annotations.store import ImportReport, Store, StoreError, resolve_db_path

DB_HELP = "Database file (default: $STANCEMARK_DB, then ./stancemark.db)."
PROGRESS_MIN = 50  # items before a progress bar is worth showing


def err(message: str) -> None:
    """One line on stderr, with control characters made visible."""
    click.echo(printable(message), err=True)


def open_store(db: str | None) -> Store:
    try:
        return Store.open(resolve_db_path(db))
    except StoreError as e:
        raise click.ClickException(printable(str(e))) from e


def _progress(total: int, description: str) -> Any:
    """A rich progress bar on stderr, shown only for long runs on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=total < PROGRESS_MIN or not console.is_terminal,
    )


class AppGroup(click.Group):
    """A group whose bare invocation (or PATH arguments) opens the annotator."""

    GROUP_VALUE_OPTIONS = ("--db", "--annotator", "--labels")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = list(args)
        i = 0
        while i < len(args):
            a = args[i]
            if a in self.GROUP_VALUE_OPTIONS:
                i += 2
                continue
            if a.startswith("-"):
                i += 1
                continue
            if a not in self.commands:
                args.insert(i, "annotate")
            break
        else:
            if not any(a in ("--help", "-h", "--version") for a in args):
                args.append("annotate")
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """A damaged database found mid-command is one line, not a traceback."""
        try:
            return super().invoke(ctx)
        except StoreError as e:
            raise click.ClickException(printable(str(e))) from e


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="STANCEMARK_DB", help=DB_HELP)
@click.option("--annotator", help="Your name (default: $STANCEMARK_ANNOTATOR, config, git, login).")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False),
              help="Label schema YAML (default: ./stancemark.yaml if it has labels).")
@click.version_option(package_name="stancemark")
@click.pass_context
def cli(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None) -> None:
    """stancemark: tag claim / denial / context spans in news reports."""
    ctx.ensure_object(dict)
    ctx.obj.update(db=db, annotator=annotator, labels_file=labels_file)


def _db(ctx: click.Context, db: str | None) -> str | None:
    return db or ctx.obj.get("db")


# ------------------------------------------------------------------ import
def import_paths(store: Store, paths: Sequence[str]) -> tuple[ImportReport, int]:
    """Import files and folders; returns the report and the number of failures."""
    report = ImportReport()
    files: list[Path] = []
    for p in paths:
        try:
            w = walk([p])
        except ArticleError as e:
            report.failed += 1
            report.errors.append(str(e))
            err(f"error: {e}")
            continue
        files.extend(w.files)
        report.skipped += len(w.skipped)

    def articles() -> Iterable[Article]:
        with _progress(len(files), "importing") as bar:
            task = bar.add_task("import", total=len(files))
            for f in files:
                for item in read_file(f):
                    if isinstance(item, ArticleError):
                        report.failed += 1
                        report.errors.append(str(item))
                        err(f"error: {item}")
                    else:
                        yield item
                bar.advance(task)

    sub = store.import_articles(articles())
    for e in sub.errors:
        err(f"error: {e}")
    report.imported += sub.imported
    report.updated += sub.updated
    report.unchanged += sub.unchanged
    report.failed += sub.failed
    report.errors.extend(sub.errors)
    report.anchors = sub.anchors
    report.merge = sub.merge
    failed = report.failed + (sub.merge.rejected if sub.merge else 0)
    return report, failed


def _tui_settings(
    ctx: click.Context, annotator: str | None, labels_file: str | None
) -> tuple[dict[str, Any], list[Label], str]:
    """The config, the label schema and who is annotating, for the commands that open the TUI."""
    try:
        config = load_config()
        labels = load_labels(labels_file or ctx.obj.get("labels_file"))
    except (ConfigError, LabelError) as e:
        raise click.ClickException(printable(str(e))) from e
    return config, labels, resolve_annotator(annotator or ctx.obj.get("annotator"), config)


def _import_summary(report: ImportReport) -> str:
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


@cli.command("import")
@click.option("--db", help=DB_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
def import_cmd(ctx: click.Context, db: str | None, paths: tuple[str, ...]) -> None:
    """Import .md / .txt / .jsonl reports (and native packs) from files or folders.

    Idempotent by article id: unchanged texts are left alone; a changed text
    is updated and its spans re-anchored (moved / orphaned, never shifted
    silently).  Exit status 1 if any file failed.
    """
    store = open_store(_db(ctx, db))
    try:
        report, failed = import_paths(store, paths)
    finally:
        store.close()
    if report.merge is not None:
        for msg in report.merge.messages:
            err(f"note: {msg}")
    err(_import_summary(report))
    if failed:
        ctx.exit(1)


# ------------------------------------------------------------------- stats
@cli.command()
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def stats(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Articles, spans per label and per annotator, and statuses."""
    store = open_store(_db(ctx, db))
    try:
        data = store.stats()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        return
    out = [f"articles: {data['articles']}", f"spans: {data['spans']}"]
    for label, n in data["labels"].items():
        out.append(f"  {printable(label)}: {n}")
    out.append("annotators:")
    for name, counts in data["annotators"].items():
        parts = ", ".join(f"{printable(k)} {v}" for k, v in counts.items())
        out.append(f"  {printable(name)}: {parts}")
    out.append("statuses:")
    for name, counts in data["statuses"].items():
        parts = ", ".join(f"{k} {v}" for k, v in counts.items())
        out.append(f"  {printable(name)}: {parts}")
    if data["anchors"].get("orphaned"):
        out.append(f"orphaned spans: {data['anchors']['orphaned']}")
    click.echo("\n".join(out))


# ------------------------------------------------------------------ export
def _stdout() -> Any:
    """The stream exports write to (a seam for tests)."""
    return sys.stdout


class _TerminalSafe:
    """A binary stream wrapper that escapes control characters (for a tty)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        text = data.decode("utf-8", errors="replace")
        self.raw.write(printable(text, one_line=False).encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def _format_names() -> list[str]:
    from annotations.formats import FORMATS

    return list(FORMATS)


@cli.command()
@click.option("--format", "fmt", required=True, type=click.Choice(_format_names()),
              help="Output format (see the README for each).")
@click.option("-o", "--output", type=click.Path(), help="Output file (default: stdout) or, "
              "for folder formats (brat), the folder to write into.")
@click.option("--db", help=DB_HELP)
@click.option("--annotator", "annotators", multiple=True, help="Only this annotator (repeatable).")
@click.option("--label", "labels", multiple=True, help="Only this label (repeatable).")
@click.option("--status", type=click.Choice(["any", "done"]), default="any", show_default=True,
              help="'done': only articles (and annotators) marked done.")
@click.option("--article", "articles", multiple=True, help="Only this article id (repeatable).")
@click.option("--include-orphaned", is_flag=True,
              help="Keep spans whose quote could not be re-anchored (left out and counted by "
              "default).")
@click.option("--raw", "raw", is_flag=True,
              help="csv: write cells verbatim, without the spreadsheet formula guard.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, db: str | None,
           annotators: tuple[str, ...], labels: tuple[str, ...], status: str,
           articles: tuple[str, ...], include_orphaned: bool, raw: bool) -> None:
    """Export labeled datasets (deterministic: same database, same bytes)."""
    from annotations.formats import FORMATS, ExportOptions, ExportReport, FormatUnavailable, Output

    spec = FORMATS[fmt]
    folder = spec.folder
    if folder and not output:
        raise click.UsageError(f"the {fmt} format writes a folder: give -o DIR")
    stdout = _stdout()
    to_terminal = not output and stdout.isatty()
    if to_terminal and spec.binary:
        raise click.UsageError(f"the {fmt} format is binary: give -o FILE")
    store = open_store(_db(ctx, db))
    counters: dict[str, int] = {}
    total = store.count_articles() if not articles else len(articles)
    docs = store.export_docs(
        annotators=list(annotators) or None, labels=list(labels) or None, status=status,
        article_ids=list(articles) or None, include_orphaned=include_orphaned,
        include_deleted=spec.wants_deleted, counters=counters,
    )
    if articles:
        known = set(store.article_ids())
        for a in articles:
            if a not in known:
                err(f"warning: no article with id {a!r}")

    def tracked(bar: Any, task: Any) -> Any:
        for doc in docs:
            yield doc
            bar.advance(task)

    tmp: Path | None = None
    report = ExportReport()
    try:
        with _progress(total, "exporting") as bar:
            task = bar.add_task("export", total=total)
            stream_docs = tracked(bar, task)
            if folder:
                out_dir = Path(output)  # type: ignore[arg-type]
                out_dir.mkdir(parents=True, exist_ok=True)
                report = spec.write(stream_docs, Output(directory=out_dir),
                                    ExportOptions(raw_csv=raw))
            else:
                if output:
                    target = Path(output)
                    tmp = target.with_name(f".{target.name}.tmp")
                    fh = open(tmp, "wb")  # noqa: SIM115 - renamed into place below
                elif to_terminal:
                    # Faithful bytes go to files and pipes; a terminal gets
                    # control characters as visible escapes instead.
                    fh = _TerminalSafe(stdout.buffer)  # type: ignore[assignment]
                else:
                    fh = stdout.buffer
                try:
                    report = spec.write(stream_docs, Output(stream=fh), ExportOptions(raw_csv=raw))
                    fh.flush()
                finally:
                    if output:
                        fh.close()
                if tmp is not None:
                    tmp.replace(Path(output))  # type: ignore[arg-type]
                    tmp = None
    except FormatUnavailable as e:
        raise click.ClickException(printable(str(e))) from e
    except (OSError, ValueError) as e:
        raise click.ClickException(printable(f"{output or 'stdout'}: {e}")) from e
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
        store.close()
    for msg in report.messages:
        err(f"note: {msg}")
    skipped = report.skipped + counters.get("orphaned", 0)
    err(f"exported {report.articles} articles, {report.spans} spans as {fmt}; skipped {skipped} "
        f"({counters.get('orphaned', 0)} orphaned"
        + (f", {report.skipped} by the format)" if report.skipped else ")"))


# ------------------------------------------------------------------- merge
@cli.command()
@click.option("--db", help=DB_HELP)
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@click.pass_context
def merge(ctx: click.Context, db: str | None, packs: tuple[str, ...]) -> None:
    """Merge teammates' packs (the jsonl export): idempotent, order-independent.

    Keyed by span id; a later updated_at wins; tombstones delete.  Articles we
    lack arrive with the pack; where our text differs, incoming spans are
    re-anchored or marked orphaned.  Exit status 1 if anything was rejected.
    """
    from annotations.formats.pack import PackError, read_pack
    from annotations.store import MergeReport

    store = open_store(_db(ctx, db))
    total = MergeReport()
    bad_lines = 0
    try:
        for pack in packs:
            good = []
            for item in read_pack(pack):
                if isinstance(item, PackError):
                    bad_lines += 1
                    err(f"error: {item}")
                else:
                    good.append((item, item.annotations or {}, str(pack)))
            rep = store.merge_docs(good)
            total.add(rep)
    finally:
        store.close()
    for msg in total.messages:
        err(f"note: {msg}")
    err(f"merged {len(packs)} pack(s): {total.articles_added} new articles, "
        f"{total.articles_differing} with differing text; {total.added} added, {total.updated} "
        f"updated, {total.unchanged} unchanged, {total.rejected + bad_lines} rejected "
        f"({total.moved} re-anchored, {total.orphaned} orphaned)")
    if total.rejected or bad_lines:
        ctx.exit(1)


# --------------------------------------------------------------- agreement
def _fmt(x: float | None) -> str:
    from annotations.agreement import figure_text

    return figure_text(x)


@cli.command()
@click.option("--db", help=DB_HELP)
@click.option("--annotator", "annotators", multiple=True,
              help="Compare only these annotators (repeatable; default: everyone).")
@click.option("--label", "labels", multiple=True, help="Keep only this label (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def agreement(ctx: click.Context, db: str | None, annotators: tuple[str, ...],
              labels: tuple[str, ...], as_json: bool) -> None:
    """Pairwise exact / overlap span F1, token Cohen's kappa, Krippendorff's alpha.

    Definitions are in the README; an undefined figure is printed as '-'
    (null in JSON), never a made-up 0 or 1.
    """
    from annotations.agreement import compute_agreement

    store = open_store(_db(ctx, db))
    try:
        texts, spans, done = store.agreement_inputs(list(annotators) or None)
    finally:
        store.close()
    report = compute_agreement(texts, spans, done, annotators=list(annotators) or None,
                               labels=list(labels) or None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(agreement_table(report))


def agreement_table(report: Any) -> str:
    """The pairwise table as plain text (names made printable)."""
    from annotations.agreement import TABLE_HEADS, table_rows

    head = TABLE_HEADS
    rows = [head]
    for row in table_rows(report):
        rows.append((printable(row[0]), printable(row[1]), *row[2:]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("")
    lines.append(f"Krippendorff's alpha (nominal, tokens): {_fmt(report.alpha)} over "
                 f"{report.alpha_articles} article(s)")
    if not report.pairs:
        lines.insert(0, "fewer than two annotators: nothing to compare")
    return "\n".join(lines)


# ---------------------------------------------------------------- annotate
@cli.command("annotate", hidden=True)
@click.option("--db", help=DB_HELP)
@click.option("--annotator", help="Your name.")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), help="Label schema YAML.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def annotate(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None,
             paths: tuple[str, ...]) -> None:
    """Open the annotator (importing PATHs first)."""
    config, labels, name = _tui_settings(ctx, annotator, labels_file)
    store = open_store(_db(ctx, db))
    try:
        if paths:
            report, _ = import_paths(store, paths)
            err(_import_summary(report))
        if store.count_articles() == 0:
            raise click.ClickException(
                "no articles in the database yet: give a file or folder, e.g. "
                "`stancemark sample_articles`")
        from tui.app import StancemarkApp

        app = StancemarkApp(store=store, annotator=name, labels=labels,
                            keymap=config.get("keys"), theme=config.get("theme"))
        app.run()
    finally:
        store.close()


# ------------------------------------------------------------------ review
@cli.command()
@click.option("--db", help=DB_HELP)
@click.option("--annotator", help="Your name, the reviewer (default: $STANCEMARK_ANNOTATOR, "
              "config, git, login).")
@click.option("--against", "against", multiple=True, metavar="NAME",
              help="Compare this annotator's spans (repeatable; default: everyone with spans "
              "but you and gold).")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), help="Label schema YAML.")
@click.option("--article", help="Open this article first (default: the first one with "
              "undecided disagreements).")
@click.pass_context
def review(ctx: click.Context, db: str | None, annotator: str | None, against: tuple[str, ...],
           labels_file: str | None, article: str | None) -> None:
    """Review teammates' spans side by side and build the gold set.

    Agreements, label conflicts, boundary differences and spans only one person
    made are marked apart; a / r accept (copy into gold) or reject the span under
    the cursor, A accepts every agreed span, tab walks the disagreements, and the
    label keys tag gold directly.  Every decision is recorded with your name.
    """
    from annotations.model import GOLD
    from annotations.review import default_against

    config, labels, name = _tui_settings(ctx, annotator, labels_file)
    if name == GOLD:
        raise click.UsageError("'gold' is the reviewed set, not a reviewer: give your own name "
                               "with --annotator")
    if GOLD in against:
        raise click.UsageError("--against gold: gold is what the review builds; name the "
                               "annotators to compare")
    store = open_store(_db(ctx, db))
    try:
        if store.count_articles() == 0:
            raise click.ClickException(
                "no articles in the database yet: import some first, e.g. "
                "`stancemark import sample_articles`")
        chosen = list(dict.fromkeys(against)) or default_against(store, name)
        if not chosen:
            raise click.ClickException(
                printable(f"nobody to review: no annotator other than {name} (and gold) has "
                          f"spans in {store.path}; tag some first, or give --against NAME"))
        known = set(store.annotators())
        for who in chosen:
            if who not in known:
                err(f"warning: {who!r} has no spans in {store.path}")
        if not store.articles_with_spans(chosen):
            raise click.ClickException(
                printable(f"nothing to review: {', '.join(chosen)} tagged no span in "
                          f"{store.path}"))
        if article is not None and store.get_article(article) is None:
            raise click.ClickException(printable(f"no article with id {article!r}"))
        from tui.app import StancemarkApp

        app = StancemarkApp(store=store, annotator=name, labels=labels,
                            keymap=config.get("keys"), theme=config.get("theme"),
                            start_article=article, review_against=chosen)
        app.run()
    finally:
        store.close()


def main() -> None:
    """Console-script entry point."""
    cli(obj={}, prog_name="stancemark")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
