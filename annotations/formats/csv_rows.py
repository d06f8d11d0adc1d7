"""``csv``: one row per span, for pandas and any program that reads CSV as data.

Columns: article_id, title, annotator, label, start, end, text, note,
created_at, updated_at.  UTF-8 without a byte-order mark, ``\\n`` line ends,
cells quoted only when needed (a quote holding a newline stays one cell).

Offset unit: Unicode code points, our own unit, because the consumers that
use ``start``/``end`` are Python's ``csv`` module and pandas, whose ``str``
indices are code points.  Spreadsheets count differently (Excel's ``MID`` and
``LEN`` count UTF-16 code units), so spreadsheet users should read the
``text`` column rather than slice by offsets.

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

from annotations.formats.base import ExportOptions, ExportReport, Output, valid_spans
from annotations.model import ExportDoc

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
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: One span's row, in ``COLUMNS`` order.
Row = tuple[str, str, str, str, int, int, str, str, str, str]


def guard(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def span_rows(doc: ExportDoc, report: ExportReport, fmt: str) -> list[Row]:
    """The doc's spans as exact rows in export order (bad offsets reported, left out)."""
    art = doc.article
    return [
        (art.id, art.title, span.annotator, span.label, span.start, span.end, span.text,
         span.note or "", span.created_at, span.updated_at)
        for span in valid_spans(doc, report, fmt)
    ]


def formula_cells(row: Row) -> int:
    """How many text cells of ``row`` a spreadsheet would run as formulas."""
    return sum(1 for cell in row if isinstance(cell, str) and cell.startswith(_TRIGGERS))


class _Memo(dict[str, str]):
    """``memo[cell]`` is ``clean(cell)``, computed once per distinct cell."""

    def __init__(self, clean: Callable[[str], str]) -> None:
        super().__init__()
        self.clean = clean

    def __missing__(self, cell: str) -> str:
        out = self[cell] = self.clean(cell)
        return out


def _guarded(row: Row, memo: _Memo) -> tuple[object, ...]:
    return tuple(memo[c] if isinstance(c, str) else c for c in row)


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("csv")
    report = ExportReport()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # Titles, names and labels repeat on every row: guard each distinct cell once.
    memo = _Memo(guard)
    formulas = 0

    def flush() -> None:
        stream.write(buf.getvalue().encode("utf-8"))
        buf.seek(0)
        buf.truncate()

    writer.writerow(COLUMNS)
    for doc in docs:
        report.articles += 1
        rows = span_rows(doc, report, "csv")
        formulas += sum(map(formula_cells, rows))
        if options.excel_safe:
            writer.writerows(_guarded(row, memo) for row in rows)
        else:
            writer.writerows(rows)
        report.spans += len(rows)
        flush()
    flush()
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
