"""``doccano``: doccano's JSONL, one line per article and annotator, in both of its shapes.

::

    {"article_id": ..., "annotator": ..., "text": ...,
     "label": [[start, end, label], ...],
     "entities": [{"id": 1, "start_offset": ..., "end_offset": ..., "label": ...}, ...],
     "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "rebuts"}, ...]}

``label`` is what doccano's sequence-labeling import ("JSONL") reads;
``entities`` with ids and ``relations`` with ``from_id`` / ``to_id`` (entity
ids of the same line) and ``type`` is its relation-extraction JSONL, the
"JSONL(Relation)" import a sequence-labeling project offers when it was
created with relation labeling on.  Both shapes come from doccano's own
import code: the example files of ``backend/data_import/pipeline/examples``
(``sequence_labeling/example.jsonl``, ``relation_extraction/example.jsonl``)
and ``data_import/datasets.py``, whose ``RelationExtractionDataset`` reads
the ``entities`` and ``relations`` columns and ``SequenceLabelingDataset``
the ``label`` column.  Whichever import is used, doccano keeps the keys it
does not read as the document's metadata (so ``article_id`` and
``annotator`` travel, and so does the other shape).  Entity and relation
ids are numbered from 1 within each line, entities in export order.

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
    count_relations_left_out,
    dumps,
    live_relations,
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
        rels = live_relations(doc, spans)
        for name in annotators(doc, spans):
            mine = by_annotator(spans, name)
            ids = {s.id: n for n, s in enumerate(mine, start=1)}
            links = [r for r in rels if r.annotator == name]
            record = {
                "article_id": doc.article.id,
                "annotator": name,
                "text": doc.article.text,
                "label": [[u16(s.start), u16(s.end), s.label] for s in mine],
                "entities": [{"id": ids[s.id], "start_offset": u16(s.start),
                              "end_offset": u16(s.end), "label": s.label} for s in mine],
                "relations": [{"id": n, "from_id": ids[r.from_span], "to_id": ids[r.to_span],
                               "type": r.label} for n, r in enumerate(links, start=1)],
            }
            stream.write((dumps(record) + "\n").encode("utf-8"))
            report.spans += len(mine)
            overlapping += has_overlap(mine)
        count_relations_left_out(report, doc, len(rels))
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
