"""``w3c``: one W3C Web Annotation JSON-LD document (an ``AnnotationPage``).

::

    {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:stancemark:export",
     "type": "AnnotationPage", "items": [Annotation, ...]}

Each span becomes::

    {"id": "urn:uuid:<span id>", "type": "Annotation", "motivation": "tagging",
     "created": ..., "modified": ...,
     "creator": {"type": "Person", "name": <annotator>},
     "body": [{"type": "TextualBody", "purpose": "tagging", "value": <label>},
              {"type": "TextualBody", "purpose": "commenting", "value": <note>,
               "format": "text/plain"}],                     # only with a note
     "target": {"source": "urn:stancemark:article:<id>",
                "scope": <article url, when known>,
                "selector": [{"type": "TextQuoteSelector", "exact", "prefix", "suffix"},
                             {"type": "TextPositionSelector", "start", "end"}]}}

The source is a stancemark URN rather than the article's web address
because the positions count in stancemark's plain text, not in the web
page; the address, when known, is given as ``scope`` (where the text was
seen).  ``prefix``/``suffix`` hold up to 32 characters either side (left out
when empty), enough
for a reader to find the quote again if the positions drift.  Span ids that
are not UUIDs become ``urn:stancemark:span:<id>``.

Each relation whose two spans are exported becomes one more annotation,
after its article's spans, whose targets are the two span annotations::

    {"id": "urn:uuid:<relation id>", "type": "Annotation", "motivation": "linking",
     "creator": ..., "created": ..., "modified": ...,
     "body": {"type": "TextualBody", "purpose": "tagging", "value": "rebuts"},
     "target": ["urn:uuid:<from span id>", "urn:uuid:<to span id>"]}

The Web Annotation Data Model lists ``linking`` among its motivations (for
linking a target to a related resource), lets an annotation have one or more
targets, and lets a target be any resource with an IRI, another annotation
included (sections Motivation and Purpose; Bodies and Targets).  The link's
direction is the order of ``target``: the span it starts on first.  (The
JSON-LD context declares ``target`` a set, so a JSON-LD processor may
reorder it; ``json.load`` and other plain JSON readers keep it.)

Offset unit: Unicode code points.  The Web Annotation Data Model
(W3C Recommendation, 23 February 2017, section Text Position Selector): "The selection
of the text MUST be in terms of unicode code points (the 'character
number'), not in terms of code units" -- our unit, unchanged.

The page is streamed: header, then one annotation per line, then the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    count_relations_left_out,
    dumps,
    live_relations,
    valid_spans,
)
from annotations.model import Article, ExportDoc, Relation, Span

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PAGE_ID = "urn:stancemark:export"
CONTEXT_CHARS = 32


def _span_iri(span_id: str) -> str:
    try:
        return f"urn:uuid:{uuid.UUID(span_id)}"
    except ValueError:
        return f"urn:stancemark:span:{quote(span_id, safe='')}"


def annotation(article: Article, span: Span) -> dict[str, Any]:
    text = article.text
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": span.label}
    ]
    if span.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": span.note,
                "format": "text/plain",
            }
        )
    quote_selector = {"type": "TextQuoteSelector", "exact": span.text}
    prefix = text[max(0, span.start - CONTEXT_CHARS) : span.start]
    suffix = text[span.end : span.end + CONTEXT_CHARS]
    if prefix:
        quote_selector["prefix"] = prefix
    if suffix:
        quote_selector["suffix"] = suffix
    target: dict[str, Any] = {
        "source": f"urn:stancemark:article:{quote(article.id, safe='')}",
        "selector": [
            quote_selector,
            {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        ],
    }
    if article.url:
        target["scope"] = article.url
    anno: dict[str, Any] = {
        "id": _span_iri(span.id),
        "type": "Annotation",
        "motivation": "tagging",
        "creator": {"type": "Person", "name": span.annotator},
        "body": body,
        "target": target,
    }
    if span.created_at:
        anno["created"] = span.created_at
    if span.updated_at:
        anno["modified"] = span.updated_at
    return anno


def link_annotation(rel: Relation) -> dict[str, Any]:
    """One relation as a ``linking`` annotation whose targets are its spans' annotations."""
    anno: dict[str, Any] = {
        "id": _span_iri(rel.id),
        "type": "Annotation",
        "motivation": "linking",
        "creator": {"type": "Person", "name": rel.annotator},
        "body": {"type": "TextualBody", "purpose": "tagging", "value": rel.label},
        "target": [_span_iri(rel.from_span), _span_iri(rel.to_span)],
    }
    if rel.created_at:
        anno["created"] = rel.created_at
    if rel.updated_at:
        anno["modified"] = rel.updated_at
    return anno


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("w3c")
    report = ExportReport()
    head = dumps({"@context": CONTEXT, "id": PAGE_ID, "type": "AnnotationPage"})
    stream.write((head[:-1] + ', "items": [').encode("utf-8"))
    first = True
    for doc in docs:
        report.articles += 1
        spans = valid_spans(doc, report, "w3c")
        for span in spans:
            stream.write(("\n" if first else ",\n").encode("utf-8"))
            stream.write(dumps(annotation(doc.article, span)).encode("utf-8"))
            first = False
            report.spans += 1
        rels = live_relations(doc, spans)
        for rel in rels:
            stream.write(("\n" if first else ",\n").encode("utf-8"))
            stream.write(dumps(link_annotation(rel)).encode("utf-8"))
            first = False
        count_relations_left_out(report, doc, len(rels))
    stream.write(b"\n]}\n")
    return report
