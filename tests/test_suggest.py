"""Suggestions in the core (#16): cue matching, the model on a tiny fixed corpus, the
suggester over a store, the rejection memory, the settings and the worker process."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.config import ConfigError, load_config, suggest_settings
from annotations.labels import DEFAULT_LABELS, LabelError, load_labels
from annotations.model import GOLD, Article, Label, StyleRange
from annotations.store import Store
from annotations.suggest.cues import DEFAULT_CUES, CueError, CueMatcher, parse_cues
from annotations.suggest.engine import Suggester
from annotations.suggest.model import train
from annotations.suggest.settings import SettingsError, SuggestSettings, parse_settings
from annotations.suggest.worker import ProcessWorker, SuggestError


def matcher(**cues: list[str]) -> CueMatcher:
    return CueMatcher(cues.items())


def found(m: CueMatcher, text: str) -> list[tuple[str, str, str]]:
    """(matched text, label, cue) of every hit."""
    return [(text[h.start:h.end], h.label, h.cue) for h in m.hits(text)]


# ------------------------------------------------------------------ cues
def test_a_cue_matches_its_inflections_in_any_case() -> None:
    m = matcher(denial=["deny"], claim=["allegation"])
    text = "He denied it. She denies it. Denying it, they deny. The allegations, alleged."
    assert found(m, text) == [
        ("denied", "denial", "deny"), ("denies", "denial", "deny"),
        ("Denying", "denial", "deny"), ("deny", "denial", "deny"),
        ("allegations", "claim", "allegation"), ("alleged", "claim", "allegation")]


def test_a_cue_matches_whole_words_only() -> None:
    m = matcher(claim=["claim"], denial=["deny"])
    text = "The reclaim and the claimant were undeniable; claims and claimed count."
    assert [t for t, _, _ in found(m, text)] == ["claims", "claimed"]
    assert found(m, "") == [] and found(m, "claim") == [("claim", "claim", "claim")]


def test_a_phrase_matches_its_words_in_order_inflected() -> None:
    m = matcher(denial=["reject the allegation"], claim=["according to"])
    text = "It rejected the allegations. According to a memo, the allegation was rejected."
    assert found(m, text) == [("rejected the allegations", "denial", "reject the allegation"),
                              ("According to", "claim", "according to")]


def test_overlapping_cues_give_the_longest_and_the_sentence_its_first_label() -> None:
    m = matcher(denial=["deny", "deny the allegation"], claim=["allegation", "according to"])
    text = "The firm denied the allegations, according to its lawyer."
    # "deny the allegation" wins over "deny", and takes "allegations" from the claim cue.
    assert found(m, text) == [("denied the allegations", "denial", "deny the allegation"),
                              ("according to", "claim", "according to")]
    label, hit = m.decide(text, 0, len(text))  # type: ignore[misc]
    assert (label, hit.cue) == ("denial", "deny the allegation")  # a tie: the first match
    assert m.decide("Two claims, one claim, a denial.", 0, 31) is None  # no such cue
    both = matcher(claim=["claim"], denial=["denial"])
    text = "A denial of the claim, then claims again."
    assert both.decide(text, 0, len(text))[0] == "claim"  # type: ignore[index]  # 2 against 1
    assert both.decide(text, 0, 20)[0] == "denial"  # type: ignore[index]  # within the bounds


def test_cue_lists_are_checked() -> None:
    assert parse_cues(None) == ()
    assert parse_cues(["deny", "  denies  ", "Deny", "rejected   the claim"]) == (
        "deny", "rejected the claim")  # same stems are one cue
    for bad, why in (("deny", "must be a list"), ([""], "each cue"), ([3], "each cue"),
                     (["..."], "holds no word"), (["deny\x1b[31m"], "printable"),
                     (["x" * 81], "at most 80")):
        with pytest.raises(CueError, match=why):
            parse_cues(bad)


def test_labels_carry_cues_and_default_names_keep_the_default_ones(tmp_path: Path) -> None:
    assert {lb.name: lb.cues for lb in DEFAULT_LABELS} == {
        "claim": DEFAULT_CUES["claim"], "denial": DEFAULT_CUES["denial"], "context": ()}
    f = tmp_path / "labels.yaml"
    f.write_text("labels:\n"
                 "  - {name: claim, key: c, color: '#112233'}\n"
                 "  - {name: denial, key: d, color: '#112233', cues: []}\n"
                 "  - {name: evidence, key: e, color: '#112233', cues: [leaked memo, shows]}\n",
                 encoding="utf-8")
    labels = load_labels(f)
    assert [lb.cues for lb in labels] == [DEFAULT_CUES["claim"], (), ("leaked memo", "shows")]
    f.write_text("labels:\n  - {name: claim, color: '#112233', cues: deny}\n", encoding="utf-8")
    with pytest.raises(LabelError, match="label 'claim': 'cues' must be a list"):
        load_labels(f)
    f.write_text("labels:\n  - {name: claim, key: f, color: '#112233'}\n", encoding="utf-8")
    with pytest.raises(LabelError, match="reserved"):  # f jumps to the next suggestion
        load_labels(f)


# -------------------------------------------------------------- settings
def test_suggest_settings_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_settings(None) == SuggestSettings()
    assert parse_settings({"cues": False, "threshold": 1, "train_on": "me",
                           "retrain_every": 3}) == SuggestSettings(
        cues=False, threshold=1.0, train_on=("me",), retrain_every=3)
    assert SuggestSettings().trainers("ana") == ("gold", "ana")
    assert SuggestSettings(train_on=("me", "ana", "bob")).trainers("ana") == ("ana", "bob")
    for bad, why in (({"modle": True}, "did you mean 'model'"), ({"cues": "yes"}, "true or"),
                     ({"threshold": 1.5}, "from 0 to 1"), ({"threshold": True}, "from 0 to 1"),
                     ({"train_on": []}, "train_on"), ({"retrain_every": 0}, "at least 1"),
                     ([1], "mapping")):
        with pytest.raises(SettingsError, match=why):
            parse_settings(bad)
    config = tmp_path / "config.yaml"
    monkeypatch.setenv("STANCEMARK_CONFIG", str(config))
    config.write_text("suggest: {model: false}\n", encoding="utf-8")
    assert suggest_settings(load_config(tmp_path)) == SuggestSettings(model=False)
    config.write_text("suggest: {threshold: high}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="config.yaml: suggest: threshold must be a number"):
        load_config(tmp_path)


# ----------------------------------------------------------------- model
CORPUS = [
    ("The union alleged that the company skipped inspections.", "claim"),
    ("Critics accused the mayor of hiding the report.", "claim"),
    ("A memo alleges that figures were inflated.", "claim"),
    ("Residents say the water turned brown after the spill.", "claim"),
    ("The company denied any wrongdoing.", "denial"),
    ("The ministry rejected the allegations as false.", "denial"),
    ("A spokesperson said the claims were untrue.", "denial"),
    ("The firm dismissed the report as baseless.", "denial"),
    ("The bridge was built in 1962.", ""),
    ("The town has 34,000 people.", ""),
    ("Shares fell 2 percent on Wednesday.", ""),
    ("The council meets on Tuesdays.", ""),
]


def test_the_model_trains_and_predicts_deterministically() -> None:
    texts, labels = [t for t, _ in CORPUS], [lb for _, lb in CORPUS]
    first, second = train(texts, labels, seed=7), train(texts, labels, seed=7)
    assert first is not None and second is not None
    assert first.labels == ("claim", "denial") and first.trained_on == 12
    probe = ["Officials denied the allegation.", "The union alleged more skipped inspections.",
             "The bridge was built in 1970."]
    a, b = first.predict(probe), second.predict(probe)
    assert a == b  # same seed, same data: the same model
    assert [label for label, _ in a[:2]] == ["denial", "claim"]
    assert all(0 < p <= 1 for _, p in a)
    assert a[0][1] > a[2][1] and a[1][1] > a[2][1]  # surer of the tagged kinds than of none


def test_too_few_tags_train_no_model() -> None:
    assert train(["One claim.", "One denial."], ["claim", "denial"]) is None
    assert train([t for t, _ in CORPUS[8:]], [""] * 4) is None
    with pytest.raises(ValueError):
        train(["a"], [])


# ------------------------------------------------------- the suggester
TEXT = (
    "Harbor deal\n"
    "\n"
    "Two officers alleged that the port rigged a tender. The port denied the allegation. "
    "The tender was worth 410 million krona.\n"
    "\n"
    "Critics accused the director of steering it. The director rejected the claims."
)


def harbor(store: Store) -> Article:
    article = Article(id="harbor", text=TEXT, title="Harbor deal",
                      styles=[StyleRange(0, 11, "heading")])
    store.import_articles([article])
    return article


def sentence(text: str, starts_with: str) -> tuple[int, int]:
    start = text.index(starts_with)
    end = text.index(".", start) + 1
    return start, end


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "s.db")
    harbor(s)
    return s


def test_cue_suggestions_are_sentences_and_skip_headings_own_spans_and_rejections(
        store: Store) -> None:
    cues_only = Suggester(store, DEFAULT_LABELS, SuggestSettings(model=False))
    result = cues_only.suggest("ana", "harbor")
    got = [(TEXT[s.start:s.end], s.label, s.source, s.cue) for s in result.suggestions]
    assert got == [
        ("Two officers alleged that the port rigged a tender.", "claim", "cues", "alleged"),
        ("The port denied the allegation.", "denial", "cues", "denied"),
        ("Critics accused the director of steering it.", "claim", "cues", "accused"),
        ("The director rejected the claims.", "denial", "cues", "rejected")]
    assert result.model_note == "switched off" and result.text_sha256 == store.article_sha("harbor")
    # ana's own span (even a few words of a sentence) and her rejection take theirs away
    s = TEXT.index("port rigged")
    store.add_span("harbor", "ana", "claim", s, s + len("port rigged"))
    store.reject_suggestion("harbor", "ana", *sentence(TEXT, "Critics"), "claim", "cues")
    left = [TEXT[x.start:x.end] for x in cues_only.suggest("ana", "harbor").suggestions]
    assert left == ["The port denied the allegation.", "The director rejected the claims."]
    # bob has neither
    assert len(cues_only.suggest("bob", "harbor").suggestions) == 4
    # owner: the spans that suggestions would become are someone else's (suggest --as)
    assert len(cues_only.suggest("bob", "harbor", owner="ana").suggestions) == 3


def gold_tags(store: Store) -> None:
    """gold tags every harbor sentence but the heading, and is done with it."""
    for start, label in (("Two officers", "claim"), ("The port denied", "denial"),
                         ("Critics", "claim"), ("The director", "denial")):
        store.add_span("harbor", GOLD, label, *sentence(TEXT, start))
    store.set_status("harbor", GOLD, "done")


def test_training_examples_come_from_the_team_with_none_for_what_they_passed(
        store: Store) -> None:
    gold_tags(store)
    store.import_articles([Article(id="memo", text="A memo alleges fraud. Nobody answered. "
                                   "The board met. It was cold.")])
    store.add_span("memo", "ana", "claim", 0, 21)  # ana is half way: up to her last span
    store.add_span("memo", "bob", "denial", 22, 38)  # bob does not train ana's model
    store.reject_suggestion("memo", "ana", 54, 66, "claim", "model")  # "It was cold."
    examples = Suggester(store, DEFAULT_LABELS, SuggestSettings()).training_examples("ana")
    assert sorted(examples) == sorted([
        ("Two officers alleged that the port rigged a tender.", "claim"),
        ("The port denied the allegation.", "denial"),
        ("The tender was worth 410 million krona.", ""),
        ("Critics accused the director of steering it.", "claim"),
        ("The director rejected the claims.", "denial"),
        ("A memo alleges fraud.", "claim"),
        ("It was cold.", ""),
    ])
    # gold first: where ana and gold disagree, gold's label is learnt
    store.add_span("harbor", "ana", "context", *sentence(TEXT, "The port denied"))
    examples = Suggester(store, DEFAULT_LABELS, SuggestSettings()).training_examples("ana")
    assert ("The port denied the allegation.", "denial") in examples
    ana_first = SuggestSettings(train_on=("me", "gold"))
    examples = Suggester(store, DEFAULT_LABELS, ana_first).training_examples("ana")
    assert ("The port denied the allegation.", "context") in examples


def test_model_suggestions_carry_a_confidence_and_agree_with_cues_in_one(store: Store) -> None:
    gold_tags(store)
    store.import_articles([Article(id=f"n{i}", text=t) for i, (t, _) in enumerate(CORPUS)])
    for i, (t, label) in enumerate(CORPUS):
        if label:
            store.add_span(f"n{i}", GOLD, label, 0, len(t))
        store.set_status(f"n{i}", GOLD, "done")
    store.import_articles([Article(id="new", text="The agency denied the report. Officials "
                                   "alleged a cover-up. The meeting was on Monday.")])
    suggester = Suggester(store, DEFAULT_LABELS, SuggestSettings(threshold=0.0), seed=3)
    result = suggester.suggest("ana", "new")
    assert result.model_note is None and result.trained_on == 17
    by_quote = {TEXT_OF(store, s): s for s in result.suggestions}
    denied = by_quote["The agency denied the report."]
    assert (denied.label, denied.source, denied.cue) == ("denial", "cues+model", "denied")
    assert denied.confidence is not None and 0 < denied.confidence <= 1
    assert denied.describe() == f"cue: denied · model {denied.confidence:.2f}"
    # nothing below the threshold: at 1.0 only the cues are left
    strict = Suggester(store, DEFAULT_LABELS, SuggestSettings(threshold=1.0), seed=3)
    assert {s.source for s in strict.suggest("ana", "new").suggestions} == {"cues"}
    # a model that cannot train yet says why
    empty = Store.open(store.path.parent / "empty.db")
    harbor(empty)
    note = Suggester(empty, DEFAULT_LABELS, SuggestSettings()).suggest("ana", "harbor")
    assert note.model_note == "learning: 0 of 6 tagged sentences needed"
    empty.close()


def TEXT_OF(store: Store, s: object) -> str:  # noqa: N802
    article = store.get_article(s.article_id)  # type: ignore[attr-defined]
    assert article is not None
    return article.text[s.start:s.end]  # type: ignore[attr-defined]


# ------------------------------------------------------ rejection memory
def test_the_rejection_memory_is_per_annotator_and_article_and_undoable(store: Store) -> None:
    store.import_articles([Article(id="copy", text=TEXT)])
    bounds = sentence(TEXT, "The port denied")
    first = store.reject_suggestion("harbor", "ana", *bounds, "denial", "cues")
    assert first.quote == "The port denied the allegation."
    assert [r.id for r in store.suggestion_rejections("ana")] == [first.id]
    assert store.suggestion_rejections("ana", "copy") == []  # another article
    assert store.suggestion_rejections("bob") == []  # another annotator
    cues_only = Suggester(store, DEFAULT_LABELS, SuggestSettings(model=False))
    quotes = [TEXT[s.start:s.end] for s in cues_only.suggest("ana", "copy").suggestions]
    assert "The port denied the allegation." in quotes
    # remembered by its quote: a text changed elsewhere (offsets moved) still keeps it away
    store.import_articles([Article(id="harbor", text="New lead. " + TEXT, title="Harbor deal")])
    quotes = [s for s in cues_only.suggest("ana", "harbor").suggestions]
    assert all(s.label != "denial" or "port" not in TEXT_OF(store, s) for s in quotes)
    ev = store.undo("ana")
    assert ev is not None and ev.action == "suggestion.reject"
    assert store.suggestion_rejections("ana") == []
    assert store.redo("ana") is not None
    assert [r.quote for r in store.suggestion_rejections("ana")] == [first.quote]


# ------------------------------------------------------------ the worker
def test_the_worker_process_answers_and_reports_a_missing_database(store: Store,
                                                                   tmp_path: Path) -> None:
    worker = ProcessWorker(store.path, DEFAULT_LABELS)
    try:
        result = worker.suggest("ana", "harbor", SuggestSettings(model=False))
        assert [s.label for s in result.suggestions] == ["claim", "denial", "claim", "denial"]
        assert result.text_sha256 == store.article_sha("harbor")
        process = worker._process
        assert process is not None and process.poll() is None
    finally:
        worker.close()
    assert process.poll() is not None  # ended with close()
    with pytest.raises(SuggestError, match="closed"):
        worker.suggest("ana", "harbor", SuggestSettings())
    broken = ProcessWorker(tmp_path / "nope.db", [Label("claim", "c", "#000000")])
    try:
        with pytest.raises(SuggestError, match="nope.db: no such database"):
            broken.suggest("ana", "harbor", SuggestSettings(model=False))
    finally:
        broken.close()
