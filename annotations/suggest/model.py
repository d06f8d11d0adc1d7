"""The learned model: which label (if any) a sentence gets, with a confidence.

A scikit-learn pipeline: TF-IDF of word unigrams and bigrams plus TF-IDF of
character 3-5-grams inside word bounds (``char_wb``, so inflections and
names share features), into a linear classifier trained with logistic loss
by stochastic gradient descent (``SGDClassifier(loss="log_loss")``), classes
balanced, over the labels plus "no label" (:data:`NONE`).  Its probability
of the best label is the suggestion's confidence.

Why this one, measured on the hand-made gold of ``sample_articles/``
(leave-one-article-out, ``benchmarks/cases/suggest.py``, threshold 0.4,
trained on every other article): with character 2-5-grams, SGD reached F1
0.61 where logistic regression with L-BFGS reached 0.58 (liblinear
one-vs-rest 0.56, word features alone 0.51), and it trains several times
faster.  Character 3-5-grams instead of 2-5 cost 0.02 of F1 (0.59) and save
a third of the time: retraining on 2,000 sentences took 0.61 s against 0.94 s
(medians on this 2-core machine while others ran tests), and the issue's
budget is 1 s.  Deterministic: a fixed seed and one BLAS thread
(``threadpoolctl``), so the same sentences give the same model.

Only the suggestion worker imports this module (scikit-learn and numpy
take 60 MB and half a second to load), never the annotator's own process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from threadpoolctl import threadpool_limits

from annotations.suggest.corpus import NONE

#: Fewest labelled sentences (and of those, fewest per class that exists) before a
#: model is trained: with less it only repeats the few examples it has.
MIN_LABELLED = 6
SEED = 0


@dataclass
class SentenceModel:
    """A trained pipeline and what it was trained on."""

    pipeline: Any
    labels: tuple[str, ...]
    trained_on: int
    counts: dict[str, int]

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The best label (never :data:`NONE`) of each text and its probability."""
        if not texts:
            return []
        with threadpool_limits(limits=1):
            proba = self.pipeline.predict_proba(list(texts))
        classes = list(self.pipeline.classes_)
        columns = [(i, c) for i, c in enumerate(classes) if c != NONE]
        out: list[tuple[str, float]] = []
        for row in proba:
            i, label = max(columns, key=lambda ic: (row[ic[0]], ic[1]))
            out.append((label, float(row[i])))
        return out


def build_pipeline(seed: int = SEED) -> Pipeline:
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    classifier = SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced",
                               random_state=seed)
    return make_pipeline(features, classifier)


def not_enough(labels: Sequence[str]) -> str | None:
    """Why ``labels`` cannot train a model yet (``None``: they can)."""
    counts = Counter(labels)
    labelled = sum(n for label, n in counts.items() if label != NONE)
    if labelled < MIN_LABELLED:
        return f"{labelled} of {MIN_LABELLED} tagged sentences needed"
    if len(counts) < 2:
        return "every sentence it knows has the same label"
    return None


def train(texts: Sequence[str], labels: Sequence[str], seed: int = SEED) -> SentenceModel | None:
    """A model of ``texts`` -> ``labels`` (:data:`NONE`: no label); ``None`` if too few."""
    if len(texts) != len(labels):
        raise ValueError("one label per text")
    if not_enough(labels) is not None:
        return None
    pipeline = build_pipeline(seed)
    with threadpool_limits(limits=1):
        pipeline.fit(list(texts), list(labels))
    counts = dict(Counter(labels))
    return SentenceModel(pipeline, tuple(sorted(c for c in counts if c != NONE)), len(texts),
                         counts)
