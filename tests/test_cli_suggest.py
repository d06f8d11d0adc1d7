"""`stancemark suggest` and `stancemark suggest --apply --as NAME` (#16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.model import GOLD, Article
from annotations.store import Store
from tui.cli import cli

TEXT = ("The union alleged that inspections were skipped. The airline denied it. "
        "The fleet has 46 aircraft.")
OTHER = "Critics accused the port of rigging a tender. The port rejected the claims."


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        store.import_articles([Article(id="air", text=TEXT), Article(id="port", text=OTHER)])
    return path


def test_suggest_prints_the_suggestions(db: Path) -> None:
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "cues")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "air\t0\t48\tclaim\tcues\t\tThe union alleged that inspections were skipped.",
        "air\t49\t71\tdenial\tcues\t\tThe airline denied it.",
        "port\t0\t45\tclaim\tcues\t\tCritics accused the port of rigging a tender.",
        "port\t46\t75\tdenial\tcues\t\tThe port rejected the claims.",
    ]
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--article", "port", "--json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert rows[0] == {"article": "port", "start": 0, "end": 45, "label": "claim",
                       "source": "cues", "confidence": None, "cue": "accused",
                       "quote": "Critics accused the port of rigging a tender."}
    assert len(rows) == 2
    # no tags yet: the model says so and suggests nothing
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "model")
    assert r.exit_code == 0 and r.stdout == ""
    assert "note: model: learning: 0 of 6 tagged sentences needed" in r.stderr
    # ana's rejection keeps hers away, not bob's
    with Store.open(db) as store:
        store.reject_suggestion("air", "ana", 49, 71, "denial", "cues")
    ana = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "cues",
              "--article", "air")
    bob = run("suggest", "--db", str(db), "--annotator", "bob", "--source", "cues",
              "--article", "air")
    assert len(ana.stdout.splitlines()) == 1 and len(bob.stdout.splitlines()) == 2


def test_suggest_with_the_model(db: Path) -> None:
    with Store.open(db) as store:
        sentences = [("A memo alleges fraud at the depot.", "claim"),
                     ("Residents say the water is unsafe.", "claim"),
                     ("Workers accused managers of hiding losses.", "claim"),
                     ("The company denied the report.", "denial"),
                     ("The ministry rejected the allegation as false.", "denial"),
                     ("A spokesperson said the claims were untrue.", "denial"),
                     ("The depot opened in 1990.", ""), ("It employs 200 people.", "")]
        store.import_articles([Article(id=f"t{i}", text=t) for i, (t, _) in
                               enumerate(sentences)])
        for i, (t, label) in enumerate(sentences):
            if label:
                store.add_span(f"t{i}", GOLD, label, 0, len(t))
            store.set_status(f"t{i}", GOLD, "done")
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--article", "air", "--json")
    assert r.exit_code == 0 and "note:" not in r.stderr
    rows = json.loads(r.stdout)
    by_quote = {row["quote"]: row for row in rows}
    denied = by_quote["The airline denied it."]
    assert denied["label"] == "denial" and denied["source"] in ("cues+model", "cues")
    assert all(row["confidence"] is None or 0.4 <= row["confidence"] <= 1 for row in rows)


def test_suggest_apply_stores_spans_of_the_name_once(db: Path) -> None:
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "cues", "--apply",
            "--as", "model")
    assert r.exit_code == 0, r.output
    assert "stored 4 span(s) of model on 2 article(s)" in r.stderr
    assert r.stdout == ""
    with Store.open(db) as store:
        spans = store.annotator_spans("model")
        assert [(s.article_id, s.label, s.start, s.end) for s in spans] == [
            ("air", "claim", 0, 48), ("air", "denial", 49, 71), ("port", "claim", 0, 45),
            ("port", "denial", 46, 75)]
        assert spans[1].attributes == {"suggestion": {"source": "cues", "cue": "denied",
                                                      "confidence": None},
                                       "applied_by": "ana"}
        assert {e.annotator for e in store.events(limit=100)} == {"model"}
        assert store.annotator_spans("ana") == []
    again = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "cues",
                "--apply", "--as", "model")
    assert "stored 0 span(s) of model on 2 article(s)" in again.stderr
    with Store.open(db) as store:
        assert len(store.annotator_spans("model")) == 4


def test_suggest_apply_refuses_gold_and_needs_a_name(db: Path) -> None:
    r = run("suggest", "--db", str(db), "--apply", "--as", "gold")
    assert r.exit_code == 1 and "'gold' is the reviewed set" in r.stderr
    r = run("suggest", "--db", str(db), "--apply")
    assert r.exit_code == 2 and "--apply needs --as NAME" in r.stderr
    r = run("suggest", "--db", str(db), "--as", "model")
    assert r.exit_code == 2 and "--as NAME goes with --apply" in r.stderr
    r = run("suggest", "--db", str(db), "--article", "nope")
    assert r.exit_code == 1 and "no article 'nope'" in r.stderr
    r = run("suggest", "--db", str(db.parent / "missing.db"))
    assert r.exit_code == 1 and "no such database" in r.stderr
    with Store.open(db) as store:
        assert store.annotator_spans(GOLD) == [] and store.annotators() == []


def test_suggest_apply_refuses_an_article_whose_text_changed_meanwhile(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spans carry the hash of the text their suggestions were worked out in: an
    article re-imported in between is refused whole (said, exit status 1), the rest go on."""
    from annotations.suggest.engine import Suggester

    real = Suggester.suggest

    def then_reimport(self, annotator, article_id, **kwargs):  # type: ignore[no-untyped-def]
        result = real(self, annotator, article_id, **kwargs)
        if article_id == "air":  # another process re-imports it before the spans are stored
            with Store.open(db) as other:
                other.import_articles([Article(id="air", text="Breaking: more. " + TEXT)])
        return result

    monkeypatch.setattr(Suggester, "suggest", then_reimport)
    r = run("suggest", "--db", str(db), "--annotator", "ana", "--source", "cues", "--apply",
            "--as", "model")
    assert r.exit_code == 1
    assert "the text of 'air' changed in another process" in r.stderr
    assert "stored 2 span(s) of model on 1 article(s)" in r.stderr
    assert "1 article(s) changed while their suggestions were worked out" in r.stderr
    with Store.open(db) as store:
        assert [(s.article_id, s.start, s.end) for s in store.annotator_spans("model")] == [
            ("port", 0, 45), ("port", 46, 75)]
