r"""``labelstudio``: a JSON array of Label Studio tasks, one per article.

Each task has ``data`` (``text``, ``article_id``, ``title``) and one entry
in ``annotations`` per annotator, whose ``result`` holds a region per span::

    {"id": <span id>, "from_name": "label", "to_name": "text", "type": "labels",
     "origin": "manual", "value": {"start", "end", "text", "labels": [label]},
     "meta": {"text": [note]}}            # meta only when the span has a note

plus, next to the regions, ``{"type": "relation", "from_id", "to_id",
"direction": "right", "labels": [type]}`` for each relation whose two spans
are in the same result (``from_id`` / ``to_id`` are the regions' ``id``\ s).
That is the result Label Studio's editor itself saves for a relation
(``RelationStore.serialize`` in label-studio's
``web/libs/editor/src/stores/RelationStore.js``: ``from_id``, ``to_id``,
``type: "relation"``, ``direction`` one of ``right`` / ``left`` / ``bi``,
``labels``).  The editor keeps one relation per ordered pair of regions
(``addRelation`` ignores a second), so a pair linked with two types is one
result carrying both labels, and the labeling config then says
``<Relations choice="multiple">``; it needs a ``<Relations>`` block with one
``<Relation value="..."/>`` per type for the labels to show
(labelstud.io/tags/relations).  ``ground_truth`` is set for
``gold``.  Label Studio's ``completed_by`` is a user id of the target server,
which we cannot know, so the annotator travels as ``stancemark_annotator``
(ignored on import).  The report suggests a matching labeling config, with
the ``<Relations>`` block when relations were exported.

Offset unit: Unicode code points.  Label Studio's frontend once used
JavaScript (UTF-16) offsets, shifting every region after an emoji
(label-studio issues #1347, #1008); it was changed to store code points
(label-studio-frontend PR #308, label-studio PR #1559), and its own e2e test
``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` expects
``start: 21`` for "test" in "🐱 Warning: This is a test text" -- the code
point index (UTF-16 would be 22).  So: our offsets, unchanged.

The array is streamed (``[``, ``,``, ``]`` written by hand), one task a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    by_annotator,
    count_relations_left_out,
    dumps,
    live_relations,
    valid_spans,
)
from annotations.model import GOLD, ExportDoc

FROM_NAME = "label"
TO_NAME = "text"


def _config(labels: set[str], relation_types: Iterable[str] = (), multiple: bool = False) -> str:
    inner = "".join(f'<Label value="{escape(lab)}"/>' for lab in sorted(labels))
    relations = ""
    if relation_types:
        choice = ' choice="multiple"' if multiple else ""
        relations = f"<Relations{choice}>" + "".join(
            f'<Relation value="{escape(r)}"/>' for r in sorted(relation_types)) + "</Relations>"
    return (
        f'<View>{relations}<Labels name="{FROM_NAME}" toName="{TO_NAME}">{inner}</Labels>'
        f'<Text name="{TO_NAME}" value="$text"/></View>'
    )


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("labelstudio")
    report = ExportReport()
    labels: set[str] = set()
    relation_types: set[str] = set()
    multiple = False
    stream.write(b"[")
    first = True
    for doc in docs:
        report.articles += 1
        spans = valid_spans(doc, report, "labelstudio")
        rels = live_relations(doc, spans)
        anns: list[dict[str, Any]] = []
        for name in sorted({s.annotator for s in spans}):
            mine = by_annotator(spans, name)
            result: list[dict[str, Any]] = []
            for s in mine:
                region: dict[str, Any] = {
                    "id": s.id,
                    "from_name": FROM_NAME,
                    "to_name": TO_NAME,
                    "type": "labels",
                    "origin": "manual",
                    "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
                }
                if s.note:
                    region["meta"] = {"text": [s.note]}
                result.append(region)
                labels.add(s.label)
            pairs: dict[tuple[str, str], list[str]] = {}
            for r in rels:
                if r.annotator == name:
                    pairs.setdefault((r.from_span, r.to_span), []).append(r.label)
                    relation_types.add(r.label)
            for (a, b), kinds in pairs.items():
                multiple = multiple or len(kinds) > 1
                result.append({"type": "relation", "from_id": a, "to_id": b,
                               "direction": "right", "labels": sorted(kinds)})
            anns.append(
                {
                    "result": result,
                    "ground_truth": name == GOLD,
                    "was_cancelled": False,
                    "created_at": min(s.created_at for s in mine),
                    "updated_at": max(s.updated_at for s in mine),
                    "stancemark_annotator": name,
                }
            )
            report.spans += len(mine)
        count_relations_left_out(report, doc, len(rels))
        task = {
            "data": {
                "text": doc.article.text,
                "article_id": doc.article.id,
                "title": doc.article.title,
            },
            "annotations": anns,
        }
        stream.write(("\n" if first else ",\n").encode("utf-8"))
        stream.write(dumps(task).encode("utf-8"))
        first = False
    stream.write(b"\n]\n")
    if labels:
        report.messages.append(
            f"labelstudio: labeling config: {_config(labels, relation_types, multiple)}")
    return report
