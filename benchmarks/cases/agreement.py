"""agreement: Krippendorff's alpha of two annotators over every token of their articles.

Both sides start from the same precomputed token categories (tokenising and
locating spans are excluded on both sides, as the issue asks): ours is
``krippendorff_alpha_nominal`` over the (alice, bob) category pairs; the
baseline is ``krippendorff.alpha(reliability_data=matrix,
level_of_measurement="nominal")`` on the same categories mapped to ints
(building the numpy matrix is set-up).  The two alphas must agree.

For context the JSON also records one untimed-against-baseline run of the
whole ``compute_agreement`` (tokenising, F1, kappa and alpha) on the same data.
"""

from __future__ import annotations

import time
from typing import Any

from annotations.agreement import (
    compute_agreement,
    krippendorff_alpha_nominal,
    token_categories,
    tokenize,
)
from benchmarks.data import second_opinion, spans_for
from benchmarks.framework import Case, Measurement, RunContext, Target, corpus, register


def run(ctx: RunContext) -> list[Measurement]:
    import krippendorff
    import numpy as np

    n_articles, n_spans = ctx.params["articles"], ctx.params["spans"]
    arts = corpus(ctx, n_articles)
    per = max(1, n_spans // n_articles)
    cats_a: list[str] = []
    cats_b: list[str] = []
    all_spans = []
    n_a = n_b = 0
    for art in arts:
        toks = tokenize(art.text)
        alice = spans_for(ctx.seed, art, "alice", per, tokens=toks)
        bob = second_opinion(ctx.seed, art, alice, "bob", toks)
        n_a += len(alice)
        n_b += len(bob)
        all_spans.extend(alice)
        all_spans.extend(bob)
        cats_a.extend(token_categories(toks, alice))
        cats_b.extend(token_categories(toks, bob))
    codes = {cat: i for i, cat in enumerate(sorted(set(cats_a) | set(cats_b)))}
    matrix = np.array([[codes[c] for c in cats_a], [codes[c] for c in cats_b]], dtype=float)
    result: dict[str, Any] = {}

    def ours() -> None:
        result["ours"] = krippendorff_alpha_nominal(zip(cats_a, cats_b, strict=True))

    def baseline() -> None:
        result["baseline"] = krippendorff.alpha(reliability_data=matrix,
                                                level_of_measurement="nominal")

    o, b = ctx.compare(ours, baseline)
    if result["ours"] is None or abs(result["ours"] - float(result["baseline"])) > 1e-9:
        raise RuntimeError(f"alpha differs: ours {result['ours']}, krippendorff {result['baseline']}")
    t0 = time.perf_counter()
    report = compute_agreement({a.id: a.text for a in arts}, all_spans)
    end_to_end = time.perf_counter() - t0
    if report.alpha is None or abs(report.alpha - result["ours"]) > 1e-9:
        raise RuntimeError(f"compute_agreement alpha {report.alpha} != {result['ours']}")
    return [Measurement("agreement (alpha)", o, b, info={
        "articles": n_articles, "spans_alice": n_a, "spans_bob": n_b, "tokens": len(cats_a),
        "categories": len(codes), "alpha": result["ours"],
        "compute_agreement_end_to_end_s": end_to_end,
    })]


register(Case(
    name="agreement",
    title="agreement",
    order=40,
    measured="Krippendorff's alpha, 2 annotators, from precomputed token categories",
    baseline="the krippendorff package's alpha on the same token matrix "
    "(excluding our tokenising)",
    target=Target(1.0, strict=True),
    rows=("agreement (alpha)",),
    sizes={
        "tiny": {"articles": 5, "spans": 250},
        "quick": {"articles": 200, "spans": 10_000},
        "full": {"articles": 2_000, "spans": 100_000},
    },
    run=run,
))
