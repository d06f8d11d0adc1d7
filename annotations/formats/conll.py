"""``conll``: IOB2 tags, one token per line, one document per article and annotator.

Layout (CoNLL-2003 style, space separated)::

    -DOCSTART- article=a1 annotator=alice O

    Officials B-claim
    said I-claim
    ...
    . O

Each document starts with a ``-DOCSTART-`` line naming the article and the
annotator (in those two middle columns, percent-encoding whitespace and
``%``; its last column is ``O`` so column readers that do not skip it see an
untagged token).  Readers that recognise a document line by its first token
-- Hugging Face ``conll2003``, AllenNLP, flair, most scripts -- skip it.
``spacy convert`` splits documents only on the literal ``-DOCSTART- -X- O
O``; for spaCy use the ``spacy`` format instead.

Offset unit: none is written -- the file is a sequence of tokens, the
matches of ``\\w+|[^\\w\\s]`` (code points, like ours, if a reader rebuilds
them).  A combining mark is not ``\\w`` in Python, so ``Café`` + U+0301 is two
tokens, ``Café`` and the accent; emoji and CJK punctuation are one token
each, a run of CJK letters one token.

IOB2 cannot hold overlapping spans: per document the longest span (in
characters; ties: earlier start, then label, then id) wins, every span
sharing a token with a kept one is dropped, and the number dropped is
reported and counted as skipped.  A span that starts or ends inside a
token is widened to whole tokens (reported).

Sentences are separated by a blank line.  They are the product's one
sentence model (:func:`annotations.sentences.sentences`: sentencex with the
measured corrections, a line break always ending a sentence), the same that
the annotator's ``s`` / ``)`` keys select: a token ends a sentence when it is
the last token that starts before a sentence's end.  A sentence is never
broken inside a kept span, so no sentence starts with an ``I-`` tag: a span
crossing a sentence end joins the two sentences in that annotator's document.

Fast at 100,000 articles (issue 19): the token starts and the sentence ends
are found once per article, the lines of its tokens tagged ``O`` once too,
and each annotator's document is that list with the tokens of their kept
spans replaced and its sentences joined by blank lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from urllib.parse import quote

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    RelationsLeftOut,
    annotators,
    by_annotator,
    token_range,
    valid_spans,
)
from annotations.model import ExportDoc, Span
from annotations.sentences import sentences
from annotations.tokens import tokenize

DOCSTART = "-DOCSTART-"


def _enc(value: str) -> str:
    return "".join(quote(ch, safe="") if ch.isspace() or ch == "%" else ch for ch in value) or "-"


def _tag_label(label: str) -> str:
    return re.sub(r"\s+", "_", label.strip()) or "_"


def sentence_ends(text: str, toks: list[tuple[int, int]]) -> set[int]:
    """Indices of the tokens that end a sentence: for each of the text's sentences
    (:func:`annotations.sentences.sentences`), the last token starting before its end."""
    starts = [s for s, _ in toks]
    ends: set[int] = set()
    for _start, end in sentences(text):
        i = bisect_left(starts, end) - 1
        if i >= 0:
            ends.add(i)
    return ends


def _resolve(
    spans: list[Span], toks: list[tuple[int, int]], starts: list[int], report: ExportReport,
    article_id: str,
) -> tuple[list[tuple[Span, int, int]], int, int]:
    """Keep the longest of overlapping spans; returns (kept, dropped, widened)."""
    cands: list[tuple[Span, int, int]] = []
    widened = 0
    for s in spans:
        rng = token_range(toks, s.start, s.end, starts)
        if rng is None:
            report.skipped += 1
            report.messages.append(
                f"conll: span {s.id} in {article_id!r} skipped: it covers no token"
            )
            continue
        widened += (toks[rng[0]][0], toks[rng[1]][1]) != (s.start, s.end)
        cands.append((s, rng[0], rng[1]))
    if len(cands) > 1:
        cands.sort(key=lambda c: (-(c[0].end - c[0].start), c[0].start, c[0].end, c[0].label,
                                  c[0].id))
    taken = bytearray(len(toks))
    kept: list[tuple[Span, int, int]] = []
    dropped = 0
    for span, first, last in cands:
        if any(taken[first : last + 1]):
            dropped += 1
            continue
        taken[first : last + 1] = b"\x01" * (last - first + 1)
        kept.append((span, first, last))
    return kept, dropped, widened


def _document(header: str, words: list[str], plain: list[str], ends: list[int],
              kept: list[tuple[Span, int, int]]) -> str:
    """One annotator's document: the ``O`` lines with their spans' tokens tagged, a blank
    line after each sentence end that no kept span crosses."""
    n = len(words)
    if not n:
        return header + "\n\n"
    lines = plain
    joined: set[int] = set()
    if kept:
        lines = plain.copy()
        for span, first, last in kept:
            label = _tag_label(span.label)
            lines[first] = f"{words[first]} B-{label}"
            inside = f" I-{label}"
            for k in range(first + 1, last + 1):
                lines[k] = words[k] + inside
            if last > first:
                joined.update(range(first, last))
    parts = [header, ""]
    prev = 0
    for e in ends:
        if e in joined:
            continue
        parts.append("\n".join(lines[prev : e + 1]))
        parts.append("")
        prev = e + 1
    if prev < n:
        parts.append("\n".join(lines[prev:]))
    return "\n".join(parts) + "\n"


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("conll")
    report = ExportReport()
    dropped_total = widened_total = 0
    left_out = RelationsLeftOut("conll")
    for doc in docs:
        report.articles += 1
        left_out.add(doc)
        text = doc.article.text
        spans = valid_spans(doc, report, "conll")
        names = annotators(doc, spans)
        if not names:
            continue
        toks = tokenize(text)
        starts = [s for s, _ in toks]
        ends = sorted(sentence_ends(text, toks))
        words = [text[s:e] for s, e in toks]
        plain = [w + " O" for w in words]
        article = _enc(doc.article.id)
        for name in names:
            kept, dropped, widened = _resolve(
                by_annotator(spans, name), toks, starts, report, doc.article.id
            )
            dropped_total += dropped
            widened_total += widened
            header = f"{DOCSTART} article={article} annotator={_enc(name)} O"
            stream.write(_document(header, words, plain, ends, kept).encode("utf-8"))
            report.spans += len(kept)
    if dropped_total:
        report.skipped += dropped_total
        report.messages.append(
            f"conll: {dropped_total} overlapping span(s) dropped (IOB2 holds one label per token; "
            "the longest span wins)"
        )
    if widened_total:
        report.messages.append(
            f"conll: {widened_total} span(s) did not fall on token boundaries and were widened"
        )
    left_out.report(report)
    return report
