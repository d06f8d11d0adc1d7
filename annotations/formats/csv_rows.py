"""``csv``: one row per span, for spreadsheets and pandas.

Columns: article_id, title, annotator, label, start, end, text, note,
created_at, updated_at.  UTF-8 without a byte-order mark, ``\\n`` line ends,
cells quoted only when needed (a quote holding a newline stays one cell).

Offset unit: Unicode code points, our own unit, because the consumers that
use ``start``/``end`` are Python's ``csv`` module and pandas, whose ``str``
indices are code points.  Spreadsheets count differently (Excel's ``MID`` and
``LEN`` count UTF-16 code units), so spreadsheet users should read the
``text`` column rather than slice by offsets.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and some also treat a leading tab or carriage return as
such), so a hostile article or note could run a formula when the export is
opened.  Such text cells get a leading ``'`` (OWASP's advice), which shows
the text as typed; ``ExportOptions(raw_csv=True)`` turns this off for
programs that want the exact strings.  Offsets are ints and never guarded.
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
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def guard(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


class _Memo(dict[str, str]):
    """``memo[cell]`` is ``clean(cell)``, computed once per distinct cell."""

    def __init__(self, clean: Callable[[str], str]) -> None:
        super().__init__()
        self.clean = clean

    def __missing__(self, cell: str) -> str:
        out = self[cell] = self.clean(cell)
        return out


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("csv")
    report = ExportReport()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    clean = (lambda s: s) if options.raw_csv else guard
    # Annotator and label cells repeat on every row: guard each distinct one once.
    names = _Memo(clean)

    def flush() -> None:
        stream.write(buf.getvalue().encode("utf-8"))
        buf.seek(0)
        buf.truncate()

    writer.writerow(COLUMNS)
    for doc in docs:
        report.articles += 1
        art = doc.article
        article_id, title = clean(art.id), clean(art.title)
        rows = [
            (
                article_id,
                title,
                names[span.annotator],
                names[span.label],
                span.start,
                span.end,
                clean(span.text),
                clean(span.note) if span.note else "",
                clean(span.created_at),
                clean(span.updated_at),
            )
            for span in valid_spans(doc, report, "csv")
        ]
        writer.writerows(rows)
        report.spans += len(rows)
        flush()
    flush()
    return report
