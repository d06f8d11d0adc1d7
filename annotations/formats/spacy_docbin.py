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
:data:`SHARD_TOKENS` tokens, so memory stays flat whatever the corpus size.
spaCy reads such a folder as one corpus: ``spacy train``'s ``--paths.train
DIR`` and ``spacy.training.Corpus(DIR)`` take every ``.spacy`` file under it,
in sorted order (the names sort in writing order).

Memory (measured, issue 19): ``DocBin.to_bytes`` copies a shard's token table
about four times over (``vstack``, ``tobytes``, msgpack, zlib), and the default
DocBin keeps 13 uint64 columns per token.  A blank pipeline sets only two of
them (the word and its norm: no tagger, parser, lemmatizer or entities), so
each shard keeps :data:`ATTRS` (the others read back as the same zeros), and
shards are capped by tokens, not characters.  The pipeline's vocabulary grows
with every new word (and a shard's string table with it): once it holds
:data:`VOCAB_STRINGS` strings the shard is written and a fresh blank pipeline
takes over (each shard carries its own strings, so the output is the same).

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
#: ... or this many tokens (a few long articles make a shard too); its token table is
#: about 17 MB and ``to_bytes`` needs about four times that while it writes.
SHARD_TOKENS = 1_000_000
#: The token attributes a blank pipeline sets; DocBin's default adds 11 columns of zeros.
ATTRS = ("ORTH", "NORM")
#: A shard is also written, and a fresh blank pipeline made, once the vocabulary holds
#: this many strings (about 350 bytes each, measured; a large corpus meets millions).
VOCAB_STRINGS = 200_000


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
        docbin = DocBin(attrs=ATTRS, store_user_data=True)
        held = tokens = 0

        def flush() -> None:
            nonlocal nlp, shards, docbin, held, tokens
            folder.write(shard_name(shards), docbin.to_bytes())
            shards += 1
            docbin = DocBin(attrs=ATTRS, store_user_data=True)
            held = tokens = 0
            if len(nlp.vocab.strings) > VOCAB_STRINGS:
                nlp = spacy.blank("en")

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
                tokens += len(doc)
            if (held >= SHARD_DOCS or tokens >= SHARD_TOKENS
                    or len(nlp.vocab.strings) > VOCAB_STRINGS):
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
