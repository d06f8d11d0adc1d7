"""``doccano``: sequence-labeling JSONL, one line per article and annotator.

``{"text": ..., "label": [[start, end, label], ...], "article_id": ...,
"annotator": ...}`` -- doccano keeps the extra keys as document metadata.

Offset unit: UTF-16 code units.  doccano's Python backend stores the
offsets it is given untouched; the browser annotator (``v-annotator``)
computes and draws them with JavaScript string indices, which count UTF-16
code units, so an emoji outside the Basic Multilingual Plane counts 2
(doccano issue #2290: "👨🏻‍🚒 firemen drive firetrucks" -> doccano 22-32,
Python 19-29; also PR #99).  We convert from code points.  A project created
with "Count grapheme clusters as one character" counts grapheme clusters
instead; that mode is not supported here (combining accents would shift).

Overlaps: doccano drops overlapping spans of a record on import, without a
word, unless the project was created with "Allow overlapping spans"; the
export counts the records that hold overlaps and says so in one warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    Utf16Index,
    annotators,
    by_annotator,
    dumps,
    valid_spans,
)
from annotations.model import ExportDoc, Span


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("doccano")
    report = ExportReport()
    overlapping = 0
    for doc in docs:
        report.articles += 1
        spans = valid_spans(doc, report, "doccano")
        u16 = Utf16Index(doc.article.text)
        for name in annotators(doc, spans):
            mine = by_annotator(spans, name)
            record = {
                "article_id": doc.article.id,
                "annotator": name,
                "text": doc.article.text,
                "label": [[u16(s.start), u16(s.end), s.label] for s in mine],
            }
            stream.write((dumps(record) + "\n").encode("utf-8"))
            report.spans += len(mine)
            overlapping += has_overlap(mine)
    if overlapping:
        report.warnings.append(
            f"doccano: {overlapping} record(s) hold overlapping spans, which doccano drops "
            "on import unless the project allows overlapping spans (create it with "
            '"Allow overlapping spans" ticked)'
        )
    return report


def has_overlap(spans: list[Span]) -> bool:
    """Do any two of ``spans`` (in export order: by start) share a character?"""
    reach = -1
    for span in spans:
        if span.start < reach:
            return True
        reach = max(reach, span.end)
    return False
