"""``spacy``: a folder of ``.spacy`` DocBin shards, one Doc per article and annotator.

Docs come from ``spacy.blank("en")`` (its rule-based tokenizer, no model to
download); the spans are in ``doc.spans["sc"]`` (the key spaCy's
SpanCategorizer trains on, and which allows overlaps).  ``doc.user_data``
holds ``article_id`` and ``annotator``; each DocBin is saved with
``store_user_data=True`` so they come back with ``DocBin.get_docs``.

Offset unit: Unicode code points.  spaCy is Python: ``Doc.char_span`` and
``Span.start_char``/``end_char`` are ``str`` indices into ``doc.text``, the
same as ours.  Inside the DocBin spans are stored as token indices, so each
character span is aligned to spaCy's tokens with ``alignment_mode="expand"``:
a span that starts or ends inside a token grows to the whole token
(reported), and one that yields no token (whitespace only) is skipped and
counted.

Shards: a DocBin is one blob built in memory, so a single one held every
document of the export (3.9 GB at 10,000 articles; issue 19).  The writer
streams instead: a shard ``part-00000.spacy``, ``part-00001.spacy`` ... is
written and dropped once it holds :data:`SHARD_DOCS` documents or
:data:`SHARD_CHARS` characters of text, so memory stays flat whatever the
corpus size.  spaCy reads such a folder as one corpus: ``spacy train``'s
``--paths.train DIR`` and ``spacy.training.Corpus(DIR)`` take every ``.spacy``
file under it, in sorted order (the names sort in writing order).

spaCy is an optional extra, imported only when this format runs; without it
the writer raises :class:`FormatUnavailable`.  DocBin sorts its string
table, so the bytes are reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    FolderWriter,
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
#: A shard is written once it holds this many documents ...
SHARD_DOCS = 1000
#: ... or this many characters of text (a few long articles make a shard too).
SHARD_CHARS = 20_000_000


def shard_name(n: int) -> str:
    return f"part-{n:05d}.spacy"


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError as exc:
        raise FormatUnavailable(MISSING) from exc
    directory = out.require_directory("spacy")
    directory.mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    nlp = spacy.blank("en")
    widened = 0
    left_out = RelationsLeftOut("spacy")
    with FolderWriter(directory) as folder:
        shards = 0
        docbin = DocBin(store_user_data=True)
        held = chars = 0

        def flush() -> None:
            nonlocal shards, docbin, held, chars
            folder.write(shard_name(shards), docbin.to_bytes())
            shards += 1
            docbin = DocBin(store_user_data=True)
            held = chars = 0

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
                held += 1
                chars += len(edoc.article.text)
            if held >= SHARD_DOCS or chars >= SHARD_CHARS:
                flush()
        if held or not shards:
            flush()  # an empty export still writes one (empty) shard: a corpus of none
        report.messages.append(f"spacy: {shards} shard(s) in {directory} (spaCy reads the "
                               "folder as one corpus)")
    if widened:
        report.messages.append(
            f"spacy: {widened} span(s) did not align with spaCy tokens and were widened "
            "(alignment_mode='expand')"
        )
    left_out.report(report)
    return report
