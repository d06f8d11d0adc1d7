"""Sentences as the suggesters see them, and the labels the team's spans give them.

Contract:

* :func:`candidate_sentences`: the sentences of an article that may be
  suggested (those of :func:`annotations.text.sentence_index`, a line at a
  time, the boundaries the annotator's ``s`` key selects), less headings:
  nobody tags a heading.
* :func:`sentence_labels`: per sentence, the label of the span that overlaps
  it most among the spans of the first annotator (in the order given) that
  has one there; :data:`NONE` where nobody's does.
* :func:`judged_until`: how much of an article an annotator has looked at,
  so untagged sentences there count as "no label": all of it once they
  marked it done, else up to the end of their last span (the text they
  passed over while tagging).

Pure functions: the store's reads are done by the caller.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from annotations.model import Article, Span, StyleRange
from annotations.sentences import Bounds
from annotations.text import LineIndex, sentence_index

#: The "no label" class of a sentence nobody tagged.
NONE = ""
#: What training examples are built from: a sentence's text and its label.
Example = tuple[str, str]


def candidate_sentences(article: Article, lines: LineIndex | None = None) -> list[Bounds]:
    """The sentences of ``article`` in text order, headings left out."""
    index = sentence_index(lines if lines is not None else LineIndex(article.text),
                           article.text_sha256)
    heads = _headings(article.styles)
    out: list[Bounds] = []
    for row in range(index.lines.line_count):
        for bounds in index.row(row):
            if not _inside(heads, bounds):
                out.append(bounds)
    return out


def _headings(styles: Iterable[StyleRange]) -> list[tuple[int, int]]:
    return sorted((s.start, s.end) for s in styles if s.kind == "heading")


def _inside(ranges: list[tuple[int, int]], bounds: Bounds) -> bool:
    """Is ``bounds`` inside one of the sorted, non-overlapping ``ranges``?"""
    i = bisect_left(ranges, (bounds[0] + 1, -1)) - 1
    return i >= 0 and ranges[i][0] <= bounds[0] and bounds[1] <= ranges[i][1]


def overlap(a: Bounds, b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def sentence_labels(bounds: Sequence[Bounds], spans: Iterable[Span],
                    priority: Sequence[str]) -> list[str | None]:
    """Per sentence: the label the first annotator of ``priority`` with a span on it
    gives it (their span overlapping it most), or ``None``."""
    rank = {name: i for i, name in enumerate(priority)}
    ordered = sorted((s for s in spans if s.annotator in rank and s.deleted_at is None
                      and s.anchor != "orphaned"), key=lambda s: s.start)
    starts = [b[0] for b in bounds]
    best: list[tuple[int, int, str] | None] = [None] * len(bounds)
    for span in ordered:
        i = max(0, bisect_left(starts, span.start) - 1)
        while i < len(bounds) and bounds[i][0] < span.end:
            shared = overlap(bounds[i], (span.start, span.end))
            if shared:
                key = (-rank[span.annotator], shared, span.label)
                current = best[i]
                if current is None or key > current:
                    best[i] = key
            i += 1
    return [None if b is None else b[2] for b in best]


def judged_until(article: Article, spans: Iterable[Span], done: bool) -> int:
    """The offset up to which the annotator of ``spans`` has judged ``article``."""
    if done:
        return len(article.text)
    return max((s.end for s in spans if s.deleted_at is None), default=0)


def article_examples(article: Article, spans: Sequence[Span], priority: Sequence[str],
                     judged: int, rejected: Iterable[str] = ()) -> list[Example]:
    """Training examples of one article: its labelled sentences, and the unlabelled
    ones before ``judged`` (or whose quote the annotator rejected) as "no label"."""
    no = set(rejected)
    bounds = candidate_sentences(article)
    labels = sentence_labels(bounds, spans, priority)
    text = article.text
    out: list[Example] = []
    for (start, end), label in zip(bounds, labels, strict=True):
        quote = text[start:end]
        if label is not None:
            out.append((quote, label))
        elif end <= judged or quote in no:
            out.append((quote, NONE))
    return out
