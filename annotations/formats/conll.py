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

Sentences are separated by a blank line.  A sentence ends after a ``.``,
``!`` or ``?`` (plus any closing quotes or brackets glued to it) followed
by whitespace and a token starting with an uppercase letter or an opening
quote, or by the end of the text; after ``。``, ``！`` or ``？``; and at
every blank line of the text.  A ``.`` directly after a common abbreviation
(Mr, Dr, Ltd, Inc, ...) or after a single letter (``U.S.``, ``e.g.``,
initials) does not end a sentence -- so a sentence really ending in
``U.S.`` is not split there.  A sentence is never broken inside a kept
span, so no sentence starts with an ``I-`` tag: a span crossing a sentence
end joins the two sentences in that annotator's document.
"""

from __future__ import annotations

import re
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
from annotations.tokens import tokenize

DOCSTART = "-DOCSTART-"
TERMINATORS = {".", "!", "?"}
CJK_TERMINATORS = {"。", "！", "？"}
CLOSERS = {'"', "'", ")", "]", "}", "”", "’", "»", "」", "』"}
OPENERS = {'"', "'", "(", "[", "“", "‘", "«", "「", "『"}
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "hon",
    "gov", "gen", "sen", "rep", "pres", "lt", "col", "capt", "sgt", "cmdr", "adm",
    "ltd", "inc", "co", "corp", "plc", "llc", "bros", "dept", "univ", "assn",
    "vs", "fig", "figs", "approx", "vol", "pp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip


def _enc(value: str) -> str:
    return "".join(quote(ch, safe="") if ch.isspace() or ch == "%" else ch for ch in value) or "-"


def _tag_label(label: str) -> str:
    return re.sub(r"\s+", "_", label.strip()) or "_"


def sentence_ends(text: str, toks: list[tuple[int, int]]) -> set[int]:
    """Indices of the tokens that end a sentence (see the module docstring)."""
    n = len(toks)
    ends: set[int] = {n - 1} if n else set()
    words = [text[s:e] for s, e in toks]
    for i in range(n - 1):
        gap = text[toks[i][1] : toks[i + 1][0]]  # whitespace only, by the token pattern
        if gap.replace("\r\n", "\n").replace("\r", "\n").count("\n") >= 2:
            ends.add(i)
    for i, word in enumerate(words):
        if word not in TERMINATORS and word not in CJK_TERMINATORS:
            continue
        if word == "." and i > 0 and toks[i - 1][1] == toks[i][0]:
            prev = words[i - 1]
            if prev.casefold() in ABBREVIATIONS or (len(prev) == 1 and prev.isalpha()):
                continue
        j = i
        while j + 1 < n and words[j + 1] in CLOSERS and toks[j + 1][0] == toks[j][1]:
            j += 1
        if j == n - 1 or word in CJK_TERMINATORS:
            ends.add(j)
            continue
        gap = text[toks[j][1] : toks[j + 1][0]]
        nxt = words[j + 1]
        if gap and gap.isspace() and (nxt[0].isupper() or nxt in OPENERS):
            ends.add(j)
    return ends


def _resolve(
    spans: list[Span], toks: list[tuple[int, int]], report: ExportReport, article_id: str
) -> tuple[list[tuple[Span, int, int]], int, int]:
    """Keep the longest of overlapping spans; returns (kept, dropped, widened)."""
    cands: list[tuple[Span, int, int]] = []
    widened = 0
    for s in spans:
        rng = token_range(toks, s.start, s.end)
        if rng is None:
            report.skipped += 1
            report.messages.append(
                f"conll: span {s.id} in {article_id!r} skipped: it covers no token"
            )
            continue
        widened += (toks[rng[0]][0], toks[rng[1]][1]) != (s.start, s.end)
        cands.append((s, rng[0], rng[1]))
    cands.sort(key=lambda c: (-(c[0].end - c[0].start), c[0].start, c[0].end, c[0].label, c[0].id))
    taken = [False] * len(toks)
    kept: list[tuple[Span, int, int]] = []
    dropped = 0
    for span, first, last in cands:
        if any(taken[first : last + 1]):
            dropped += 1
            continue
        taken[first : last + 1] = [True] * (last - first + 1)
        kept.append((span, first, last))
    return kept, dropped, widened


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
        toks = tokenize(text)
        ends = sentence_ends(text, toks)
        for name in annotators(doc, spans):
            kept, dropped, widened = _resolve(
                by_annotator(spans, name), toks, report, doc.article.id
            )
            dropped_total += dropped
            widened_total += widened
            tags = ["O"] * len(toks)
            no_break: set[int] = set()
            for span, first, last in kept:
                label = _tag_label(span.label)
                tags[first] = f"B-{label}"
                for k in range(first + 1, last + 1):
                    tags[k] = f"I-{label}"
                no_break.update(range(first, last))
            lines = [f"{DOCSTART} article={_enc(doc.article.id)} annotator={_enc(name)} O", ""]
            for i, (s, e) in enumerate(toks):
                lines.append(f"{text[s:e]} {tags[i]}")
                if i in ends and i not in no_break:
                    lines.append("")
            stream.write(("\n".join(lines) + "\n").encode("utf-8"))
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
