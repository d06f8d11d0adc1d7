"""``prodigy``: Prodigy-style JSONL, one task per article and annotator.

Each line holds ``text``, ``tokens`` (``text``, ``start``, ``end``, ``id``,
``ws``), ``spans`` (``start``, ``end``, ``token_start``, ``token_end``,
``label``), ``answer: "accept"``, ``_annotator_id`` (the annotator),
``_input_hash``, ``_task_hash``, ``_view_id: "spans_manual"`` (our spans
may overlap, which ``ner_manual`` forbids) and ``meta.article_id``.

Offset unit: Unicode code points.  Prodigy is a Python program and its task
``start``/``end`` are the character offsets of spaCy tokens (``token.idx``),
i.e. Python ``str`` indices -- the same as ours, so no conversion.
``token_end`` is inclusive, as in Prodigy.

Tokens follow spaCy's convention, which Prodigy's tasks come from: the words
are the matches of ``\\w+|[^\\w\\s]``; a word followed by one space has
``ws: true`` (that space is its trailing white space), and any other white
space -- a run of spaces, a line break, a paragraph break, white space before
the first word -- is a token of its own (``"\\n\\n"``, ``ws: false``), as
spaCy's tokenizer makes it.  So ``"".join(t["text"] + " " * t["ws"])`` gives
the text back, and ``spacy.tokens.Doc(vocab, words, spaces)`` built from the
tokens has the article's text, so every span is a ``char_span`` of it.
Prodigy's manual interfaces need spans on word boundaries, so a span that
starts or ends inside a word is widened to whole words (and reported); one
that covers no word is skipped.  A span's ``token_start``/``token_end`` index
the full token list (white-space tokens count).

Hashes: Prodigy computes them with mmh3 over the task JSON; we add no
dependency and use the first four bytes of SHA-256 as a signed 32-bit int:
``_input_hash`` over the text, ``_task_hash`` over the input hash and the
sorted ``(start, end, label)`` of the spans.  The annotator is left out of
the task hash on purpose: two annotators giving the same answer share a task
hash, which is how Prodigy's review tools group them.  The values are
stable, but not the ones Prodigy itself would compute.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    Output,
    RelationsLeftOut,
    annotators,
    by_annotator,
    dumps,
    signed32,
    token_range,
    valid_spans,
)
from annotations.model import ExportDoc
from annotations.tokens import tokenize


def spacy_tokens(text: str, words: list[tuple[int, int]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Prodigy tokens for ``text`` in spaCy's convention (see the module), and the
    position of each of ``words`` in them.

    Between two words: one space is the first word's trailing white space
    (``ws: true``); anything else is one white-space token, after that space
    if there is one.
    """
    out: list[dict[str, Any]] = []
    position: list[int] = []

    def add(start: int, end: int, ws: bool) -> None:
        out.append({"text": text[start:end], "start": start, "end": end, "id": len(out),
                    "ws": ws})

    cursor = 0
    for n, (start, end) in enumerate(words):
        if start > cursor:  # white space before the first word
            add(cursor, start, False)
        position.append(len(out))
        gap_end = words[n + 1][0] if n + 1 < len(words) else len(text)
        ws = end < gap_end and text[end] == " "
        add(start, end, ws)
        cursor = end + ws
        if cursor < gap_end:
            add(cursor, gap_end, False)
        cursor = gap_end
    if cursor < len(text):  # only white space, no word at all
        add(cursor, len(text), False)
    return out, position


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    stream = out.require_stream("prodigy")
    report = ExportReport()
    widened = 0
    left_out = RelationsLeftOut("prodigy")
    for doc in docs:
        report.articles += 1
        left_out.add(doc)
        text = doc.article.text
        spans = valid_spans(doc, report, "prodigy")
        toks = tokenize(text)
        tok_json, position = spacy_tokens(text, toks)
        input_hash = signed32(text)
        for name in annotators(doc, spans):
            out_spans: list[dict[str, Any]] = []
            for span in by_annotator(spans, name):
                rng = token_range(toks, span.start, span.end)
                if rng is None:
                    report.skipped += 1
                    report.messages.append(
                        f"prodigy: span {span.id} in {doc.article.id!r} skipped: it covers no token"
                    )
                    continue
                first, last = rng
                start, end = toks[first][0], toks[last][1]
                widened += (start, end) != (span.start, span.end)
                out_spans.append(
                    {
                        "start": start,
                        "end": end,
                        "token_start": position[first],
                        "token_end": position[last],
                        "label": span.label,
                    }
                )
            out_spans.sort(key=lambda d: (d["start"], d["end"], d["label"]))
            task_key = dumps([input_hash, [[d["start"], d["end"], d["label"]] for d in out_spans]])
            record = {
                "text": text,
                "meta": {"article_id": doc.article.id},
                "tokens": tok_json,
                "spans": out_spans,
                "answer": "accept",
                "_annotator_id": name,
                "_input_hash": input_hash,
                "_task_hash": signed32(task_key),
                "_view_id": "spans_manual",
            }
            stream.write((dumps(record) + "\n").encode("utf-8"))
            report.spans += len(out_spans)
    if widened:
        report.messages.append(
            f"prodigy: {widened} span(s) did not fall on token boundaries and were widened"
        )
    left_out.report(report)
    return report
