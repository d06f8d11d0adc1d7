"""suggest: the model's learning curve on the sample gold, and how long retraining takes.

Data: the hand-made gold of ``sample_articles/`` (``sample_gold/``, one span per
labelled sentence; 22 articles, 651 sentences that may be suggested, 605 of
them tagged claim, denial or context).  A sentence's gold label is what
:func:`annotations.suggest.corpus.sentence_labels` gives it, and the
sentences are those the suggester sees (:func:`candidate_sentences`), so the
figures are of the code the annotator runs.

* **learning curve**: leave one article out; train the model
  (:func:`annotations.suggest.model.train`, the default seed) on ``k`` other
  articles (2, 5, 10: ``draws`` random choices each; all 21 once), suggest for
  the held-out article's sentences at the default threshold, and count: a
  suggestion is right when gold gives its sentence the same label.  Precision =
  right / suggested, recall = right / gold-labelled sentences, F1 over every
  held-out article together (micro).  Baseline: the cue rules alone (the
  default labels' cues, :class:`~annotations.suggest.cues.CueMatcher`) on the
  same held-out sentences, which need no training.  The JSON adds precision and
  recall of both, and of cues and model together (the annotator's default) for
  all articles.
* **retrain**: fit the model on 2,000 labelled sentences (the gold's sentences
  over and over), one thread, as the worker does after ``retrain_every`` tags.
  Baseline: the issue's budget, 1 s (ratio: the share of it used); the JSON
  adds the same fit with scikit-learn's plain logistic regression (L-BFGS).
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from annotations.formats.pack import PackError, read_pack
from annotations.suggest.corpus import NONE, candidate_sentences, sentence_labels
from benchmarks.framework import Case, Measurement, RunContext, Target, register

GOLD_PACK = Path(__file__).resolve().parents[2] / "sample_gold" / "sample-articles.gold.jsonl"
ROWS = ("suggest: retrain 2,000 sentences", "suggest: model F1, 2 articles",
        "suggest: model F1, 5 articles", "suggest: model F1, 10 articles",
        "suggest: model F1, all other articles")
KS: tuple[int | None, ...] = (2, 5, 10, None)
#: The budget the issue gives a retraining on 2,000 sentences.
RETRAIN_BUDGET_S = 1.0


def gold_sentences() -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(article id, [(sentence, gold label or "")])]`` from the gold pack."""
    from annotations.model import GOLD, Span

    out = []
    for item in read_pack(GOLD_PACK):
        if isinstance(item, PackError):
            raise RuntimeError(str(item))
        fields = Span.__dataclass_fields__
        spans = [Span(**{"article_id": item.id,
                         **{k: v for k, v in s.items() if k in fields}})
                 for s in (item.annotations or {}).get("spans", [])]
        bounds = candidate_sentences(item)
        labels = sentence_labels(bounds, spans, [GOLD])
        out.append((item.id, [(item.text[s:e], label or NONE)
                              for (s, e), label in zip(bounds, labels, strict=True)]))
    return out


class Counts:
    def __init__(self) -> None:
        self.right = self.suggested = self.gold = 0

    def add(self, gold: list[str], predicted: list[str]) -> None:
        for g, p in zip(gold, predicted, strict=True):
            self.suggested += bool(p)
            self.gold += bool(g)
            self.right += bool(p) and p == g

    def figures(self) -> dict[str, float]:
        p = self.right / self.suggested if self.suggested else 0.0
        r = self.right / self.gold if self.gold else 0.0
        return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "suggested": self.suggested, "right": self.right, "gold": self.gold}


def run(ctx: RunContext) -> list[Measurement]:
    from annotations.labels import DEFAULT_LABELS
    from annotations.suggest import model as learner  # scikit-learn: loaded when run
    from annotations.suggest.cues import CueMatcher
    from annotations.suggest.settings import SuggestSettings

    docs = gold_sentences()
    threshold = SuggestSettings().threshold
    cues = CueMatcher((lb.name, lb.cues) for lb in DEFAULT_LABELS)
    held_out = list(range(len(docs)))[: ctx.params["held_out"]]
    draws = ctx.params["draws"]

    def cue_labels(texts: list[str]) -> list[str]:
        out = []
        for t in texts:
            decided = cues.decide(t, 0, len(t))
            out.append(decided[0] if decided else "")
        return out

    def model_labels(train_docs: list[list[tuple[str, str]]], texts: list[str]) -> list[str]:
        pairs = [pair for doc in train_docs for pair in doc]
        model = learner.train([t for t, _ in pairs], [lb for _, lb in pairs])
        if model is None:
            return [""] * len(texts)
        return [label if p >= threshold else "" for label, p in model.predict(texts)]

    curve: dict[str, dict[str, Any]] = {}
    rows: list[Measurement] = []
    for k in KS:
        model_counts, cue_counts, both_counts = Counts(), Counts(), Counts()
        for i in held_out:
            test = docs[i][1]
            texts, gold = [t for t, _ in test], [lb for _, lb in test]
            others = [doc for j, (_, doc) in enumerate(docs) if j != i]
            choices = [others] if k is None else [
                random.Random(f"{ctx.seed}:{i}:{d}").sample(others, k) for d in range(draws)]
            by_cue = cue_labels(texts)
            for chosen in choices:
                predicted = model_labels(chosen, texts)
                model_counts.add(gold, predicted)
                cue_counts.add(gold, by_cue)
                both_counts.add(gold, [m or c for m, c in zip(predicted, by_cue, strict=True)])
        name = "all" if k is None else str(k)
        figures = {"model": model_counts.figures(), "cues": cue_counts.figures(),
                   "cues_and_model": both_counts.figures()}
        curve[name] = figures
        ctx.log(f"  k={name}: model F1 {figures['model']['f1']:.3f}, cues F1 "
                f"{figures['cues']['f1']:.3f}, both {figures['cues_and_model']['f1']:.3f}")
        rows.append(Measurement(
            f"suggest: model F1, {'all other' if k is None else k} articles",
            [figures["model"]["f1"]], [figures["cues"]["f1"]], unit="score",
            target=Target(1.0, higher=True),
            info={"trained_on_articles": "all other (21)" if k is None else k,
                  "draws": 1 if k is None else draws, "held_out_articles": len(held_out),
                  "threshold": threshold, **figures}))

    # Retraining on 2,000 sentences, as the worker does it (one thread).
    pairs = [pair for _, doc in docs for pair in doc]
    texts = [pairs[i % len(pairs)][0] for i in range(2000)]
    labels = [pairs[i % len(pairs)][1] for i in range(2000)]
    budget = RETRAIN_BUDGET_S

    def ours() -> None:
        assert learner.train(texts, labels) is not None

    def lbfgs() -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from threadpoolctl import threadpool_limits

        pipeline = make_pipeline(learner.build_pipeline()[0],
                                 LogisticRegression(C=4, class_weight="balanced", max_iter=2000))
        with threadpool_limits(limits=1):
            pipeline.fit(texts, labels)

    times = []
    other = []
    for _ in range(ctx.repeat):
        t0 = time.perf_counter()
        ours()
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        lbfgs()
        other.append(time.perf_counter() - t0)
    rows.insert(0, Measurement(ROWS[0], times, [budget] * len(times), info={
        "sentences": len(texts), "distinct_sentences": len(set(texts)),
        "baseline": "the issue's budget (1 s), not a timing",
        "logistic_regression_lbfgs_s": other, "threads": 1}))
    return rows


register(Case(
    name="suggest",
    title="suggest",
    order=95,
    measured="model F1 (leave one sample article out, trained on k others) and retraining "
    "time on 2,000 sentences",
    baseline="the cue rules alone on the same sentences (F1); the 1 s budget (retrain)",
    target=Target(1.0),
    rows=ROWS,
    sizes={
        "tiny": {"held_out": 2, "draws": 1},
        "quick": {"held_out": 22, "draws": 3},
        "full": {"held_out": 22, "draws": 5},
    },
    run=run,
))
