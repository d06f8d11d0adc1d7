"""``csv``: one row per span, for pandas and any program that reads CSV as data.

Columns: article_id, title, annotator, label, start, end, text, note,
created_at, updated_at.  UTF-8 without a byte-order mark, ``\\n`` line ends,
cells quoted only when needed (a quote holding a newline stays one cell).

Offset unit: Unicode code points, our own unit, because the consumers that
use ``start``/``end`` are Python's ``csv`` module and pandas, whose ``str``
indices are code points.  Spreadsheets count differently (Excel's ``MID`` and
``LEN`` count UTF-16 code units), so spreadsheet users should read the
``text`` column rather than slice by offsets.

Relations go to a second file, ``relations.csv``, beside the spans file
(``-o`` names the spans file; ``Output.companion`` opens the other), one row
per relation whose two spans are in the spans file::

    article_id,annotator,label,from_label,from_start,from_end,from_text,to_label,to_start,to_end,to_text,id,created_at,updated_at

A relation's ends are given as the spans file gives a span (article,
annotator, label, start, end, text), so the two files join on those
columns.  The file is always written with ``-o`` (a header alone when there
is no relation), so one left from an earlier export never lies next to a new
spans file.  CSV sent to stdout is one stream and carries the spans only:
the export then says how many relations it left out (give ``-o FILE`` for
both files).  The formula guard and its warning cover both files.

Exact by default: every cell is the stored string, so ``text[start:end] ==
text`` holds for whoever reads the file as data (as pandas, Label Studio and
django-import-export write CSV).  A spreadsheet, though, runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (some also a leading tab or carriage
return) as a formula, so a hostile article or note could run one when the
file is opened there: the export counts such cells and says so in one
warning.  ``ExportOptions(excel_safe=True)`` (``--excel-safe``) prefixes them
with ``'`` (OWASP's advice), which a spreadsheet shows as the text typed but
which every other reader keeps, so those cells are no longer exact (and a
quote that really starts with ``'`` cannot be told from a guarded one).  The
``xlsx`` format gives spreadsheet users both at once.  Offsets are ints and
never guarded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from itertools import repeat
from typing import Any, BinaryIO

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    count_relations_left_out,
    live_relations,
    valid_spans,
)
from annotations.model import ExportDoc, Span

COLUMNS = (
    "article_id",
    "title",
    "annotator",
    "label",
    "start",
    "end",
    "text",
    "note",
    "created_at",
    "updated_at",
)
#: Text columns (the rest, start and end, are ints).
TEXT_COLUMNS = frozenset(COLUMNS) - {"start", "end"}
#: The second file's name and columns (a relation and both of its ends).
RELATIONS_FILE = "relations.csv"
RELATION_COLUMNS = (
    "article_id",
    "annotator",
    "label",
    "from_label",
    "from_start",
    "from_end",
    "from_text",
    "to_label",
    "to_start",
    "to_end",
    "to_text",
    "id",
    "created_at",
    "updated_at",
)
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: One span's row, in ``COLUMNS`` order.
Row = tuple[str, str, str, str, int, int, str, str, str, str]


def guard(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def span_rows(doc: ExportDoc, report: ExportReport, fmt: str) -> list[Row]:
    """The doc's spans as exact rows in export order (bad offsets reported, left out)."""
    return rows_of(doc, valid_spans(doc, report, fmt))


def rows_of(doc: ExportDoc, spans: list[Span]) -> list[Row]:
    """``spans`` (of ``doc``, already checked) as rows of the spans file."""
    art = doc.article
    return [
        (art.id, art.title, span.annotator, span.label, span.start, span.end, span.text,
         span.note or "", span.created_at, span.updated_at)
        for span in spans
    ]


def relation_rows(doc: ExportDoc, spans: list[Span]) -> list[tuple[object, ...]]:
    """The doc's relations whose two spans are in ``spans``, as rows of the second file."""
    if not doc.relations:
        return []  # most docs: no id table per doc
    by_id = {s.id: s for s in spans}
    out: list[tuple[object, ...]] = []
    for r in live_relations(doc, spans):
        a, b = by_id[r.from_span], by_id[r.to_span]
        out.append((doc.article.id, r.annotator, r.label, a.label, a.start, a.end, a.text,
                    b.label, b.start, b.end, b.text, r.id, r.created_at, r.updated_at))
    return out


def formula_cells(row: tuple[object, ...]) -> int:
    """How many text cells of ``row`` a spreadsheet would run as formulas."""
    return sum(1 for cell in row if isinstance(cell, str) and cell.startswith(_TRIGGERS))


#: Where the text cells are in a spans row and in a relations row (the rest are offsets).
SPAN_TEXT = tuple(i for i, c in enumerate(COLUMNS) if c in TEXT_COLUMNS)
RELATION_TEXT = tuple(i for i, c in enumerate(RELATION_COLUMNS)
                      if not c.endswith(("_start", "_end")))


def count_formulas(rows: list[Any], text: tuple[int, ...]) -> int:
    """``sum(map(formula_cells, rows))``, a column at a time in C.

    ``text``: the indices of the text columns.  A generator step and an
    ``isinstance`` per cell took 170 ms of 100,000 rows (a fifth of the csv
    write); ``map`` of ``str.startswith`` over each column makes no Python step
    per cell (75 ms).  A cell that is not a ``str`` (``None``, or any type SQLite
    handed back) raises ``TypeError``: the rows are then counted cell by cell.
    """
    if not rows:
        return 0
    columns = list(zip(*rows, strict=True))
    triggers = repeat(_TRIGGERS)  # endless: each map stops at its column's end
    try:
        return sum([sum(map(str.startswith, columns[i], triggers)) for i in text])
    except TypeError:
        return sum(map(formula_cells, rows))


class _Memo(dict[str, str]):
    """``memo[cell]`` is ``clean(cell)``, computed once per distinct cell."""

    def __init__(self, clean: Callable[[str], str]) -> None:
        super().__init__()
        self.clean = clean

    def __missing__(self, cell: str) -> str:
        out = self[cell] = self.clean(cell)
        return out


def _guarded(row: tuple[object, ...], memo: _Memo) -> tuple[object, ...]:
    return tuple(memo[c] if isinstance(c, str) else c for c in row)


class _Writer:
    """One CSV stream: rows go to a buffer, flushed to the stream a doc at a time."""

    def __init__(self, stream: BinaryIO, columns: tuple[str, ...]) -> None:
        self.stream = stream
        self.buf = io.StringIO()
        self.csv = csv.writer(self.buf, lineterminator="\n")
        self.csv.writerow(columns)

    def flush(self) -> None:
        self.stream.write(self.buf.getvalue().encode("utf-8"))
        self.buf.seek(0)
        self.buf.truncate()


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("csv")
    report = ExportReport()
    # Titles, names and labels repeat on every row: guard each distinct cell once.
    memo = _Memo(guard)
    formulas = 0
    left_out = 0
    with ExitStack() as files:
        spans_out = _Writer(stream, COLUMNS)
        rels_out = None
        if out.companion is not None:
            rels_out = _Writer(files.enter_context(out.companion(RELATIONS_FILE)),
                               RELATION_COLUMNS)
        for doc in docs:
            report.articles += 1
            kept = valid_spans(doc, report, "csv")
            rows = rows_of(doc, kept)
            rels = relation_rows(doc, kept)
            formulas += count_formulas(rows, SPAN_TEXT)
            sinks: list[tuple[_Writer, list[Any]]] = [(spans_out, rows)]
            if rels_out is not None:
                sinks.append((rels_out, rels))
            for sink, items in sinks:
                if options.excel_safe:
                    sink.csv.writerows(_guarded(row, memo) for row in items)
                else:
                    sink.csv.writerows(items)
                sink.flush()
            report.spans += len(rows)
            if rels_out is not None:
                formulas += count_formulas(rels, RELATION_TEXT)
                count_relations_left_out(report, doc, len(rels))
            else:
                left_out += sum(1 for r in doc.relations if r.deleted_at is None)
        spans_out.flush()
        if rels_out is not None:
            rels_out.flush()
    if left_out:
        report.messages.append(
            f"csv: {left_out} relation(s) left out: they go to {RELATIONS_FILE} beside the "
            "spans file, which needs -o FILE (stdout carries the spans only)")
    if formulas and options.excel_safe:
        report.messages.append(
            f"csv: {formulas} cell(s) that a spreadsheet would run as formulas were prefixed "
            "with ' (--excel-safe): their text is no longer exact"
        )
    elif formulas:
        report.warnings.append(
            f"csv: {formulas} cell(s) start with =, +, -, @, tab or CR, which a spreadsheet "
            "runs as a formula; to open the export in one use --format xlsx (exact and safe) "
            "or --excel-safe"
        )
    return report
