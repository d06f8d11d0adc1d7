"""Suggestions save key presses (#16): tagging a fresh article to match the sample gold.

The database holds ``sample_articles/`` and the hand-made gold of every other
article (``sample_gold/``: what the model learns from, as a team's reviewed set
would be).  ana tags ``harbor-contract-denial``, which nobody has tagged, until her
spans are exactly gold's for it, twice, each time pressing what a person would:

* suggestions off: ``)`` to the next gold sentence, ``s``, its label key;
* suggestions on (cue words and the model, the defaults): ``a`` when the next
  suggestion is the next gold sentence with gold's label, ``f`` and gold's label key
  when it is the sentence with another label (just the label key when the cursor is
  on it already), ``r`` when it is a sentence gold does not tag, and as with
  suggestions off for a gold sentence nothing suggests.

Both end with the same spans; the counts are asserted.  Suggestions are worked out
in a worker thread, waited for after each key, so the run is the same every time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.articles import iter_articles
from annotations.formats.pack import read_pack
from annotations.labels import DEFAULT_LABELS
from annotations.model import GOLD
from annotations.store import Store
from annotations.suggest.settings import SuggestSettings
from tui.screens.annotate import AnnotateScreen

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "harbor-contract-denial"
SIZE = (120, 36)
KEY = {lb.name: lb.key for lb in DEFAULT_LABELS}
pytestmark = pytest.mark.anyio


@pytest.fixture
def team_store(tmp_path: Path) -> Store:
    """sample_articles/ with gold's spans of every article but ARTICLE."""
    store = Store.open(tmp_path / "team.db")
    _found, items = iter_articles([ROOT / "sample_articles"])
    store.import_articles(a for a in items if not isinstance(a, Exception))
    gold: list[tuple[str, int, int]] = []
    for item in read_pack(ROOT / "sample_gold" / "sample-articles.gold.jsonl"):
        assert not isinstance(item, Exception)
        spans = [(s["label"], s["start"], s["end"]) for s in item.annotations["spans"]]
        if item.id == ARTICLE:
            gold = spans
            continue
        store.add_spans(item.id, GOLD, [(*span, {}) for span in spans])
        store.set_status(item.id, GOLD, "done")
    store.gold_for_test = sorted(gold, key=lambda g: g[1])  # type: ignore[attr-defined]
    yield store
    store.close()


async def settle(pilot, app) -> AnnotateScreen:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


async def tag_by_hand(pilot, screen: AnnotateScreen, label: str, start: int) -> int:
    """``)`` until the cursor is at ``start``, then ``s`` and the label key."""
    presses = 0
    while screen.reader.cursor_offset != start:
        assert screen.reader.cursor_offset < start
        await pilot.press("right_parenthesis")
        presses += 1
    await pilot.press("s", KEY[label])
    return presses + 2


async def run(store: Store, suggest: SuggestSettings) -> tuple[int, dict[str, int]]:
    from tui.app import StancemarkApp

    gold: list[tuple[str, int, int]] = store.gold_for_test  # type: ignore[attr-defined]
    app = StancemarkApp(store, "ana", DEFAULT_LABELS, start_article=ARTICLE, suggest=suggest,
                        suggest_in_process=False)
    presses = 0
    kinds = {"accept": 0, "label on suggestion": 0, "reject": 0, "by hand": 0}
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot, app)
        assert screen.article.id == ARTICLE and screen.reader.cursor_offset == 0
        for label, start, end in gold:
            while True:
                s = screen.suggesting.target()
                if s is not None and s.start < start:
                    await pilot.press("r")  # a sentence gold leaves untagged
                    presses += 1
                    kinds["reject"] += 1
                    screen = await settle(pilot, app)
                    continue
                break
            if s is not None and (s.start, s.end) == (start, end):
                if s.label == label:
                    await pilot.press("a")
                    presses += 1
                    kinds["accept"] += 1
                else:
                    on_it = screen.suggesting.index.at(screen.reader.cursor_offset) == s
                    keys = [KEY[label]] if on_it else ["f", KEY[label]]
                    await pilot.press(*keys)
                    presses += len(keys)
                    kinds["label on suggestion"] += 1
            else:
                presses += await tag_by_hand(pilot, screen, label, start)
                kinds["by hand"] += 1
            screen = await settle(pilot, app)
            assert (label, start, end) in [(s.label, s.start, s.end)
                                           for s in store.spans(ARTICLE, "ana")]
    assert sorted((s.label, s.start, s.end) for s in store.spans(ARTICLE, "ana")) == sorted(gold)
    return presses, kinds


async def test_suggestions_need_fewer_key_presses_than_tagging_by_hand(team_store: Store):
    gold = team_store.gold_for_test  # type: ignore[attr-defined]
    assert len(gold) == 21
    off, _ = await run(team_store, SuggestSettings(cues=False, model=False))
    for span in team_store.spans(ARTICLE, "ana"):
        team_store.delete_span(span.id, "ana")
    on, kinds = await run(team_store, SuggestSettings())
    assert (off, on) == (47, 26), kinds
    assert kinds == {"accept": 12, "label on suggestion": 8, "reject": 3, "by hand": 1}
    assert on < off
