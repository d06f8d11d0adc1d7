"""Suggestions for one article: the cue rules and the model, from a store, never stored.

Contract of :meth:`Suggester.suggest`: one suggestion at most per sentence of
the article (:func:`~annotations.suggest.corpus.candidate_sentences`: the
sentence boundaries of the annotator's ``s`` key, headings left out), none
on a sentence that overlaps a live span of the annotator's own (or of
``owner``, whose spans the suggestions would become), none on a sentence
whose quote the annotator rejected in this article.  Each carries its label
and its source: the cue found (``cue: denied``) and/or the model's
confidence (``model 0.87``; shown only at or above the threshold).  Where
both sources speak, they are one suggestion: of the model's label when it
is sure enough (it learns from the team, the cues are the start before it
can), else of the cue's.

The model is trained on the sentences the ``train_on`` annotators' spans
cover (each sentence labelled by the span overlapping it most, the first
annotator listed winning), with the sentences they judged untagged as "no
label" (see :mod:`~annotations.suggest.corpus`) and the annotator's rejected
sentences too.  It is derived from the store alone, kept in memory and
rebuilt when asked (:meth:`Suggester.suggest` with ``retrain``) if the
team's spans changed, so throwing it away loses nothing.

A :class:`Suggester` opens nothing itself: it works on the :class:`Store` it
is given (the suggestion worker gives it a connection of its own).
scikit-learn is imported only when a model is first trained.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotations.model import Article, Label, Span
from annotations.sentences import Bounds
from annotations.store import Store
from annotations.suggest.corpus import (
    NONE,
    Example,
    article_examples,
    candidate_sentences,
    judged_until,
)
from annotations.suggest.cues import CueMatcher
from annotations.suggest.settings import SuggestSettings

if TYPE_CHECKING:  # the model module imports scikit-learn: loaded on first training only
    from annotations.suggest.model import SentenceModel

#: A suggestion's sources, as stored in :attr:`Suggestion.source`.
CUES, MODEL, BOTH = "cues", "model", "cues+model"


@dataclass(frozen=True)
class Suggestion:
    """A sentence that could be tagged ``label``: never anybody's span until accepted."""

    article_id: str
    start: int
    end: int
    label: str
    #: ``cues``, ``model`` or ``cues+model``
    source: str
    #: the model's probability of ``label`` (None: the cues alone)
    confidence: float | None = None
    #: the cue's words as the text has them (``denied``), when a cue spoke
    cue: str | None = None

    def describe(self) -> str:
        """``cue: denied``, ``model 0.87`` or both, for the span panel."""
        parts = []
        if self.cue is not None:
            parts.append(f"cue: {self.cue}")
        if self.confidence is not None:
            parts.append(f"model {self.confidence:.2f}")
        return " · ".join(parts)

    def to_list(self) -> list[Any]:
        return [self.start, self.end, self.label, self.source, self.confidence, self.cue]

    @classmethod
    def from_list(cls, article_id: str, item: Sequence[Any]) -> Suggestion:
        start, end, label, source, confidence, cue = item
        return cls(article_id, int(start), int(end), str(label), str(source),
                   None if confidence is None else float(confidence),
                   None if cue is None else str(cue))


@dataclass
class SuggestResult:
    """An article's suggestions, the text they were worked out on, and the model's state."""

    article_id: str
    text_sha256: str
    suggestions: list[Suggestion] = field(default_factory=list)
    #: why the model suggests nothing (too few tags, switched off), None when it can
    model_note: str | None = None
    #: sentences the model was trained on (0: no model)
    trained_on: int = 0


@dataclass
class _Cached:
    """One article's training examples and what they were built from."""

    key: tuple[Any, ...]
    examples: list[Example]


class Suggester:
    """The suggestions of a store's articles for one label schema and settings."""

    def __init__(self, store: Store, labels: Sequence[Label], settings: SuggestSettings,
                 *, seed: int = 0) -> None:
        self.store = store
        self.labels = list(labels)
        self.names = {lb.name for lb in self.labels}
        self.settings = settings
        self.seed = seed
        self.matcher = CueMatcher((lb.name, lb.cues) for lb in self.labels)
        self.model: SentenceModel | None = None
        self.model_note: str | None = None
        #: (trainers, signature of the data) the model was trained on
        self._trained: tuple[Any, ...] | None = None
        self._examples: dict[str, _Cached] = {}

    # ------------------------------------------------------------ training
    def training_examples(self, annotator: str) -> list[Example]:
        """Every sentence the ``train_on`` annotators (and ``annotator``'s rejections) label."""
        trainers = self.settings.trainers(annotator)
        by_article: dict[str, list[Span]] = {}
        for name in trainers:
            for span in self.store.annotator_spans(name):
                if span.label in self.names:
                    by_article.setdefault(span.article_id, []).append(span)
        done = {(r.article_id, r.annotator) for r in self.store.statuses()
                if r.status == "done" and r.annotator in trainers}
        rejected: dict[str, set[str]] = {}
        for r in self.store.suggestion_rejections(annotator):
            rejected.setdefault(r.article_id, set()).add(r.quote)
        ids = sorted(set(by_article) | {a for a, _ in done} | set(rejected))
        out: list[Example] = []
        for article_id in ids:
            spans = by_article.get(article_id, [])
            sha = self.store.article_sha(article_id)
            if sha is None:
                continue
            finished = tuple(sorted(n for n in trainers if (article_id, n) in done))
            key = (sha, trainers, finished, tuple(sorted((s.id, s.updated_at) for s in spans)),
                   tuple(sorted(rejected.get(article_id, ()))))
            cached = self._examples.get(article_id)
            if cached is None or cached.key != key:
                article = self.store.get_article(article_id)
                if article is None:
                    continue
                judged = max((judged_until(article, [s for s in spans if s.annotator == n],
                                           n in finished) for n in trainers), default=0)
                cached = _Cached(key, article_examples(article, spans, trainers, judged,
                                                       rejected.get(article_id, ())))
                self._examples[article_id] = cached
            out.extend(cached.examples)
        return out

    def train(self, annotator: str, *, force: bool = False) -> None:
        """(Re)train the model on the team's spans, unless they are what it learnt from."""
        if not self.settings.model:
            self.model, self.model_note = None, "switched off"
            return
        examples = self.training_examples(annotator)
        signature = (self.settings.trainers(annotator), len(examples), hash(tuple(examples)))
        if not force and signature == self._trained:
            return
        from annotations.suggest import model as learner  # scikit-learn loads on first use

        texts = [t for t, _ in examples]
        labels = [lb for _, lb in examples]
        self.model = learner.train(texts, labels, seed=self.seed)
        self.model_note = None if self.model is not None else (
            f"learning: {learner.not_enough(labels)}")
        self._trained = signature

    # ---------------------------------------------------------- suggesting
    def suggest(self, annotator: str, article_id: str, *, retrain: bool = False,
                owner: str | None = None) -> SuggestResult:
        """The suggestions of one article for ``annotator`` (see the module)."""
        article = self.store.get_article(article_id)
        if article is None:
            return SuggestResult(article_id, "")
        if self.settings.model and (retrain or self._trained is None):
            self.train(annotator)
        own = self.store.spans(article_id, owner or annotator)
        rejected = {r.quote for r in self.store.suggestion_rejections(annotator, article_id)}
        suggestions = self.suggest_text(article, own, rejected)
        return SuggestResult(article_id, article.text_sha256, suggestions,
                             self.model_note if self.settings.model else "switched off",
                             self.model.trained_on if self.model is not None else 0)

    def suggest_text(self, article: Article, own: Iterable[Span],
                     rejected: Iterable[str] = ()) -> list[Suggestion]:
        """The suggestions of ``article`` given the spans it must not overlap."""
        text = article.text
        no = set(rejected)
        taken = _Taken((s.start, s.end) for s in own
                       if s.deleted_at is None and s.anchor != "orphaned")
        bounds = [b for b in candidate_sentences(article)
                  if text[b[0]:b[1]] not in no and not taken.overlaps(b)]
        cues: dict[Bounds, tuple[str, str]] = {}
        if self.settings.cues and self.matcher:
            for b in bounds:
                decided = self.matcher.decide(text, *b)
                if decided is not None:
                    label, hit = decided
                    cues[b] = (label, text[hit.start:hit.end])
        model: dict[Bounds, tuple[str, float]] = {}
        if self.settings.model and self.model is not None and bounds:
            predicted = self.model.predict([text[s:e] for s, e in bounds])
            threshold = self.settings.threshold
            for b, (label, p) in zip(bounds, predicted, strict=True):
                if label in self.names and label != NONE and p >= threshold:
                    model[b] = (label, p)
        out: list[Suggestion] = []
        for b in bounds:
            by_cue, by_model = cues.get(b), model.get(b)
            if by_model is not None:
                label, p = by_model
                agree = by_cue is not None and by_cue[0] == label
                out.append(Suggestion(article.id, b[0], b[1], label, BOTH if agree else MODEL,
                                      round(p, 4), by_cue[1] if agree and by_cue else None))
            elif by_cue is not None:
                out.append(Suggestion(article.id, b[0], b[1], by_cue[0], CUES, None, by_cue[1]))
        return out


class _Taken:
    """Ranges that suggestions must not overlap, for a look-up per sentence."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self.starts = [start for start, _ in ordered]
        #: the largest end among the ranges up to each position
        self.reach: list[int] = []
        reach = -1
        for _, end in ordered:
            reach = max(reach, end)
            self.reach.append(reach)

    def overlaps(self, b: Bounds) -> bool:
        """Does ``b`` share a character with any range?"""
        i = bisect_left(self.starts, b[1])  # the ranges starting before b ends
        return i > 0 and self.reach[i - 1] > b[0]
