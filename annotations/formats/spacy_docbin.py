"""``spacy``: a ``.spacy`` DocBin, one Doc per article and annotator.

Docs come from ``spacy.blank("en")`` (its rule-based tokenizer, no model to
download); the spans are in ``doc.spans["sc"]`` (the key spaCy's
SpanCategorizer trains on, and which allows overlaps).  ``doc.user_data``
holds ``article_id`` and ``annotator``; the DocBin is saved with
``store_user_data=True`` so they come back with ``DocBin.get_docs``.

Offset unit: Unicode code points.  spaCy is Python: ``Doc.char_span`` and
``Span.start_char``/``end_char`` are ``str`` indices into ``doc.text``, the
same as ours.  Inside the DocBin spans are stored as token indices, so each
character span is aligned to spaCy's tokens with ``alignment_mode="expand"``:
a span that starts or ends inside a token grows to the whole token
(reported), and one that yields no token (whitespace only) is skipped and
counted.

spaCy is an optional extra, imported only when this format runs; without it
the writer raises :class:`FormatUnavailable`.  A DocBin is one compressed
blob, so the docs are held in memory until the end (the only format that
cannot stream).  DocBin sorts its string table, so the bytes are
reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    FormatUnavailable,
    Output,
    RelationsLeftOut,
    annotators,
    by_annotator,
    valid_spans,
)
from annotations.model import ExportDoc

SPAN_KEY = "sc"
MISSING = "the spacy format needs the optional extra: pip install 'stancemark[spacy]'"


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError as exc:
        raise FormatUnavailable(MISSING) from exc
    stream = out.require_stream("spacy")
    report = ExportReport()
    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    widened = 0
    left_out = RelationsLeftOut("spacy")
    for edoc in docs:
        report.articles += 1
        left_out.add(edoc)
        spans = valid_spans(edoc, report, "spacy")
        names = annotators(edoc, spans)
        if not names:
            continue
        base = nlp.make_doc(edoc.article.text)
        for name in names:
            doc = base.copy()
            doc.user_data["article_id"] = edoc.article.id
            doc.user_data["annotator"] = name
            group = []
            for s in by_annotator(spans, name):
                sp = doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
                if sp is None or len(sp) == 0 or not sp.text.strip():
                    report.skipped += 1
                    report.messages.append(
                        f"spacy: span {s.id} in {edoc.article.id!r} skipped: "
                        "it does not align with any spaCy token"
                    )
                    continue
                widened += (sp.start_char, sp.end_char) != (s.start, s.end)
                group.append(sp)
            doc.spans[SPAN_KEY] = group
            docbin.add(doc)
            report.spans += len(group)
    stream.write(docbin.to_bytes())
    if widened:
        report.messages.append(
            f"spacy: {widened} span(s) did not align with spaCy tokens and were widened "
            "(alignment_mode='expand')"
        )
    left_out.report(report)
    return report
