"""``xlsx``: the csv rows as an Excel workbook, safe to open and exact at once.

One sheet, ``spans``, with the columns of :mod:`~annotations.formats.csv_rows`.
Every text cell is written as a string cell (``t="inlineStr"``, openpyxl's
``data_type == "s"``), including one that starts with ``=``: a spreadsheet
shows it as typed and never runs it, and the text stays exact (no ``'``
prefix as the csv guard needs).  ``start`` and ``end`` are numbers: a number
cannot be a formula, and as numbers they sort and compute as offsets should.

Offset unit: Unicode code points, as in csv; openpyxl and pandas read the
cells back as Python ``str``.  Excel's ``MID``/``LEN`` count UTF-16 code
units: use the ``text`` column there rather than slicing by offsets.

What XML cannot carry: a carriage return is written as the character
reference ``&#13;`` (a raw one would be read back as a line feed); other
control characters but tab and line feed are written as OOXML ``_xHHHH_`` escapes (and a literal
``_xHHHH_`` in a text gets its underscore escaped as ``_x005F_``), which Excel
decodes back to the character; openpyxl and pandas do not decode them, so
such cells are counted in a note.  A cell holds at most 32,767 characters: a
span whose row has a longer cell is left out and reported rather than cut.

Same database, same bytes: openpyxl stamps the workbook's created / modified
time with the clock and :mod:`zipfile` stamps every member, so the workbook's
times are set to the latest ``updated_at`` exported (a fixed date when there
is none) and the archive is written again with fixed member times.

openpyxl is imported when this format runs (the other formats never load it).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any, BinaryIO

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    FormatUnavailable,
    Output,
    RelationsLeftOut,
)
from annotations.formats.csv_rows import COLUMNS, Row, span_rows
from annotations.model import ExportDoc

SHEET = "spans"
#: Excel's limit on the characters of one cell.
MAX_CELL = 32_767
#: The workbook time when nothing was exported (any fixed value keeps the bytes stable).
NO_TIME = datetime(2000, 1, 1)
#: Every archive member's time (zip's earliest).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MISSING = "the xlsx format needs openpyxl: pip install openpyxl"

#: What XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), and text that would read
#: as an OOXML escape.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def ooxml_escape(text: str) -> str:
    """``text`` with what XML cannot carry as OOXML ``_xHHHH_`` escapes (Excel decodes them)."""
    return _UNWRITABLE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _stamp(updated_at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(updated_at.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.writer.excel import ExcelWriter
    except ImportError as exc:
        raise FormatUnavailable(MISSING) from exc
    stream = out.require_stream("xlsx")
    report = ExportReport()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    latest: datetime | None = None
    escaped = 0

    def cell(value: str | int) -> Any:
        nonlocal escaped
        if isinstance(value, int):
            return WriteOnlyCell(sheet, value)
        if not value:
            return WriteOnlyCell(sheet, None)  # an empty cell, as the csv's empty field
        text = ooxml_escape(value)
        escaped += text != value
        c = WriteOnlyCell(sheet, text)
        # openpyxl makes "=..." a formula and "#N/A" an error: text is text.
        c.data_type = "s"
        return c

    sheet.append([cell(name) for name in COLUMNS])
    left_out = RelationsLeftOut("xlsx")
    for doc in docs:
        report.articles += 1
        left_out.add(doc)
        for row in span_rows(doc, report, "xlsx"):
            if not _fits(row, doc, report):
                continue
            sheet.append([cell(value) for value in row])
            report.spans += 1
            stamp = _stamp(row[-1])
            if stamp is not None and (latest is None or stamp > latest):
                latest = stamp
    workbook.properties.created = workbook.properties.modified = latest or NO_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    _rezip(buf.getvalue(), stream)
    if escaped:
        report.messages.append(
            f"xlsx: {escaped} cell(s) hold control characters XML cannot carry, written as "
            "_xHHHH_ escapes (Excel decodes them; openpyxl and pandas show them as written)"
        )
    left_out.report(report)
    return report


def _fits(row: Row, doc: ExportDoc, report: ExportReport) -> bool:
    long = [name for name, value in zip(COLUMNS, row, strict=True)
            if isinstance(value, str) and len(ooxml_escape(value)) > MAX_CELL]
    if not long:
        return True
    report.skipped += 1
    report.messages.append(
        f"xlsx: {row[3]} span {row[4]}-{row[5]} of {row[2]!r} in {doc.article.id!r} skipped: "
        f"its {', '.join(long)} is longer than a spreadsheet cell holds ({MAX_CELL:,} characters)"
    )
    return False


def _rezip(data: bytes, stream: BinaryIO) -> None:
    """The archive again, member by member in the same order, with fixed member times
    (and the sheet's carriage returns as character references)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                # XML readers turn a raw CR into LF (XML's end-of-line rule); a character
                # reference survives.  openpyxl writes no CR of its own, so every CR here
                # is cell text.
                data = data.replace(b"\r", b"&#13;")
            dst.writestr(fixed, data)
