"""keys per tag: the fewest keys that store a target span, with this issue's keys against the old.

The targets, the arrival state ("after arriving at it"), the key sets and the
search are described in :mod:`benchmarks.keys_per_tag`.  Per kind of target
(whole sentence, run of sentences, phrase, paragraph) a row holds one sample
per target: the number of keys with the default keys (ours) and with the keys
before issue 12 (baseline).  The figures are counts, not times, and the same
at every repeat.  The row's ratio is of the medians; the JSON adds the mean and
the maximum per side, every sequence, and the issue's goal for the kind
(whole sentence 2, phrase 6, paragraph 2) with whether the mean and the
maximum meet it.  A phrase is also measured from its own first word
(``info.from_phrase``).

Every sequence found is pressed once in the annotator with Pilot (a child
process, 120 x 36) on a database of ``sample_articles/``; the run fails if one
does not store exactly its target.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from benchmarks import keys_per_tag as kpt
from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.tui_runs import probe_module

ROWS = {
    "sentence": "keys per tag: sentence",
    "sentences": "keys per tag: sentences",
    "phrase": "keys per tag: phrase",
    "paragraph": "keys per tag: paragraph",
}


def _targets(size: str) -> list[tuple[str, str, str]]:
    if size != "tiny":
        return list(kpt.TARGETS)
    # The smoke test: one target of each kind, the quickest to search.
    picks = {("sentence", "wire-memo"), ("sentences", "harbor-contract-allegation"),
             ("phrase", "central-bank-leak-denial"), ("paragraph", "bridge-inspection-context")}
    return [t for t in kpt.TARGETS if (t[0], t[1]) in picks
            and not (t[0] == "phrase" and t[2] != "Central Bank of Lissara")]


def _stats(counts: list[int | None]) -> dict[str, Any]:
    found = [c for c in counts if c is not None]
    return {
        "mean": statistics.fmean(found) if found else None,
        "max": max(found) if found else None,
        "not_found": len(counts) - len(found),
    }


def run(ctx: RunContext) -> list[Measurement]:
    from annotations import articles
    from annotations.model import Article
    from annotations.store import Store

    db = ctx.workdir / "samples.db"
    store = Store.open(db)
    _, found = articles.iter_articles([kpt.SAMPLES])
    store.import_articles(a for a in found if isinstance(a, Article))
    store.close()
    wrap_width = probe_module("benchmarks.keys_per_tag", ["geometry", "--db", str(db)])[
        "wrap_width"]
    rows = kpt.plan(_targets(ctx.size), wrap_width, max_states=ctx.params["max_states"])
    plan_file = ctx.workdir / "plan.json"
    plan_file.write_text(json.dumps({"wrap_width": wrap_width, "rows": rows}), encoding="utf-8")
    checked = probe_module("benchmarks.keys_per_tag",
                           ["verify", "--db", str(db), "--plan", str(plan_file)])
    failed = [c for c in checked if not c["ok"]]
    if failed:
        raise RuntimeError(f"{len(failed)} key sequence(s) did not store their target in the "
                           f"annotator: {failed[:3]}")
    ctx.log(f"  keys per tag: {len(checked)} sequences pressed with Pilot, all stored their target")

    def sequences(kind: str) -> list[dict[str, Any]]:
        return [{"article": r["article"], "start": r["start"], "end": r["end"],
                 "words": r["words"],
                 **{name: (None if keys is None else kpt.shown(keys))
                    for name, keys in r["keys"].items()}}
                for r in rows if r["kind"] == kind]

    def counts(kind: str, key_set: str) -> list[int | None]:
        return [None if r["keys"][key_set] is None else len(r["keys"][key_set])
                for r in rows if r["kind"] == kind]

    out = []
    for kind, row_name in ROWS.items():
        ours, old = counts(kind, "new"), counts(kind, "old")
        info: dict[str, Any] = {
            "unit": "keys (the label key included)",
            "arrival": "article open, nothing selected, cursor at the start of the sentence "
                       "holding the target's start (a paragraph: its start)",
            "targets": len(ours),
            "new": _stats(ours),
            "old": _stats(old),
            "sequences": sequences(kind),
            "key_sets": {"new": [kpt.SHOWN.get(k, k) for k in kpt.NEW_KEYS],
                         "old": [kpt.SHOWN.get(k, k) for k in kpt.OLD_KEYS]},
            "wrap_width": wrap_width,
            "search_cap": {"max_depth": kpt.MAX_DEPTH, "max_states": ctx.params["max_states"]},
        }
        goal = kpt.GOALS.get(kind)
        if goal is not None:
            stats = info["new"]
            info["goal"] = {"keys": goal,
                            "mean_met": stats["mean"] is not None and stats["mean"] <= goal,
                            "max_met": stats["max"] is not None and stats["max"] <= goal}
        if kind == "phrase":
            info["from_phrase"] = {
                "arrival": "cursor at the phrase's first character",
                "new": _stats(counts("phrase from its first word", "new")),
                "old": _stats(counts("phrase from its first word", "old")),
                "sequences": sequences("phrase from its first word"),
            }
        # A target not reached within the search cap counts as the cap's depth (the
        # JSON's not_found says how many did so).
        def samples(found: list[int | None]) -> list[float]:
            return [float(c if c is not None else kpt.MAX_DEPTH) for c in found]

        out.append(Measurement(row_name, samples(ours), samples(old), unit="keys", info=info))
    return out


register(Case(
    name="keys_per_tag",
    title="keys per tag",
    order=95,
    measured="fewest keys (breadth-first search, then pressed with Pilot) that store each "
    "target span of sample_articles/, from the start of its sentence",
    baseline="the same search with the keys before issue 12 (no W B S P ( ))",
    target=Target(1.0),
    rows=tuple(ROWS.values()),
    sizes={
        "tiny": {"max_states": 50_000},
        "quick": {"max_states": kpt.MAX_STATES},
        "full": {"max_states": kpt.MAX_STATES},
    },
    run=run,
    group="tui",
    unit="keys",
))
