"""Suggestions in the annotator (#16), driven with Pilot, each step checked in the database.

ana opens harbor (conftest): its cue words suggest the first sentence as a claim
("according to") and the second as a denial ("denied").  Suggestions are worked
out in a worker thread of the test process (``suggest_in_process=False``); the
worker process itself is tested in tests/test_suggest.py.
"""

from __future__ import annotations

import pytest

from annotations.store import Store
from annotations.suggest.settings import SuggestSettings
from tests.test_tui_repaint import assert_screen_fresh
from tui.screens.annotate import AnnotateScreen
from tui.suggestindex import row_id

SIZE = (120, 36)
CUES = SuggestSettings(model=False)
pytestmark = pytest.mark.anyio


def sentences(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """harbor's first two sentences: the claim and the denial its cues suggest."""
    first = text.index("The city")
    first_end = text.index("reporters.") + len("reporters.")
    second = text.index("The U.S. firm")
    second_end = text.index("wrongdoing.") + len("wrongdoing.")
    return (first, first_end), (second, second_end)


async def shown(pilot, app) -> AnnotateScreen:
    """The annotate screen once the open article's suggestions have arrived."""
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if screen.suggesting.index is not None and not any(
                w.is_running for w in app.workers):
            return screen
    raise AssertionError("no suggestions arrived")


def ana_spans(store: Store) -> list[tuple[str, int, int]]:
    return [(s.label, s.start, s.end) for s in store.spans("harbor", "ana")]


async def test_suggestions_are_painted_listed_and_detailed(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        index = screen.suggesting.index
        assert [(s.start, s.end, s.label, s.describe()) for s in index.ordered] == [
            (*claim, "claim", "cue: according to"), (*denial, "denial", "cue: denied")]
        reader = screen.reader
        row, col = reader.lines.to_location(denial[0])
        style = next(sp.style for sp in reader.get_line(row).spans
                     if sp.start <= col < sp.end and getattr(sp.style, "underline", False))
        assert style.italic and style.underline and style.bgcolor is None
        assert style.color == reader._suggestion_styles["denial"].color
        # listed under ana's spans (she has none) with their source
        assert screen.panel.row_count() == 2
        assert screen.panel.id_at(1) == row_id(denial)
        # the cursor on the heading: nothing under it; moved onto the denial: detailed
        reader.goto(denial[0] + 3)
        await pilot.pause()
        details = screen.query_one("#span-details").plain
        assert "suggested: denial" in details and "from cue: denied" in details
        assert_screen_fresh(app, "suggestions shown")
        assert ana_spans(tui_store) == []  # never anybody's span until accepted


async def test_a_accepts_the_next_suggestion_as_an_undoable_span(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        assert screen.reader.cursor_offset == 0  # on the heading: "a" takes the next one
        await pilot.press("a")
        assert ana_spans(tui_store) == [("claim", *claim)]
        (span,) = tui_store.spans("harbor", "ana")
        assert span.attributes == {"suggestion": {"source": "cues", "label": "claim",
                                                  "cue": "according to", "confidence": None}}
        assert [s.label for s in screen.suggesting.index.ordered] == ["denial"]
        assert screen.reader.cursor_offset == denial[0]  # on to the next sentence
        assert_screen_fresh(app, "accepted")
        await pilot.press("a")  # the cursor is on the denial: that one
        assert ana_spans(tui_store) == [("claim", *claim), ("denial", *denial)]
        assert len(screen.suggesting) == 0
        await pilot.press("u")  # an ordinary tag: undo takes it back
        assert ana_spans(tui_store) == [("claim", *claim)]
        await shown(pilot, app)
        assert [s.label for s in screen.suggesting.index.ordered] == ["denial"]  # back


async def test_a_label_key_on_a_suggestion_accepts_it_as_that_label(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    _claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        screen.reader.goto(denial[0] + 5)
        await pilot.pause()
        await pilot.press("x")  # context, not the suggested denial
        assert ana_spans(tui_store) == [("context", *denial)]
        (span,) = tui_store.spans("harbor", "ana")
        assert span.attributes["suggestion"]["label"] == "denial"
        # off any suggestion a label key without a selection tags nothing new
        screen.reader.goto(text.index("Critics"))
        await pilot.pause()
        await pilot.press("c")
        assert ana_spans(tui_store) == [("context", *denial)]
        assert_screen_fresh(app, "accepted as another label")


async def test_r_rejects_and_it_stays_away_after_a_restart_until_undone(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        await pilot.press("r")  # the next one from the heading: the claim
        (rejected,) = tui_store.suggestion_rejections("ana", "harbor")
        assert (rejected.start, rejected.end, rejected.label, rejected.source) == (
            *claim, "claim", "cues")
        assert rejected.quote == text[claim[0]:claim[1]]
        assert [(s.start, s.end) for s in screen.suggesting.index.ordered] == [denial]
        assert screen.panel.row_count() == 1
        assert ana_spans(tui_store) == []
        assert_screen_fresh(app, "rejected")
    again = tui_app(start_article="harbor", suggest=CUES)
    async with again.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, again)
        assert [(s.start, s.end) for s in screen.suggesting.index.ordered] == [denial]
        await pilot.press("u")  # the rejection is ana's last action
        assert tui_store.suggestion_rejections("ana") == []
        screen = await shown(pilot, again)
        assert [(s.start, s.end) for s in screen.suggesting.index.ordered] == [claim, denial]
    # bob never rejected it
    assert tui_store.suggestion_rejections("bob") == []


async def test_f_and_F_jump_between_suggestions_and_write_nothing(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    events = len(tui_store.events(limit=1000))
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        reader = screen.reader
        await pilot.press("f")
        assert reader.cursor_offset == claim[0]
        await pilot.press("f")
        assert reader.cursor_offset == denial[0]
        await pilot.press("f")  # wraps around
        assert reader.cursor_offset == claim[0]
        await pilot.press("F")
        assert reader.cursor_offset == denial[0]
        reader.goto(denial[0] + 4)
        await pilot.press("F")  # inside one: to its start, then the one before
        assert reader.cursor_offset == denial[0]
        await pilot.press("F")
        assert reader.cursor_offset == claim[0]
        assert_screen_fresh(app, "jumped")
    assert len(tui_store.events(limit=1000)) == events
    assert ana_spans(tui_store) == [] and tui_store.suggestion_rejections("ana") == []


async def test_switching_sources_off_in_the_palette_and_in_the_settings(tui_store, tui_app):
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        assert len(screen.suggesting) == 2
        await pilot.press("ctrl+p")
        await pilot.press(*"cue words on")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.suggestions.settings.cues
        assert screen.suggesting.index is None and screen.reader.suggestions is None
        assert screen.panel.row_count() == 0
        await pilot.press("a", "r", "f")  # nothing to act on
        assert ana_spans(tui_store) == [] and tui_store.suggestion_rejections("ana") == []
        assert_screen_fresh(app, "switched off")
    off = tui_app(start_article="harbor", suggest=SuggestSettings(cues=False, model=False))
    async with off.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await off.workers.wait_for_complete()
        await pilot.pause()
        screen = off.screen
        assert screen.suggesting.index is None and not screen.suggesting.enabled
        await pilot.press("a")
        assert ana_spans(tui_store) == []


async def test_tagging_a_suggested_sentence_by_hand_removes_its_suggestion(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    _claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        screen.reader.select_offsets(denial[0], denial[0] + 8)  # "The U.S." only
        await pilot.pause()
        await pilot.press("d")
        assert ana_spans(tui_store) == [("denial", denial[0], denial[0] + 8)]
        assert [s.label for s in screen.suggesting.index.ordered] == ["claim"]
        assert_screen_fresh(app, "tagged by hand")


def _cell_style(reader, offset: int):  # type: ignore[no-untyped-def]
    """The style the reader paints at text ``offset`` (its painted row, all layers)."""
    from rich.style import Style

    row, col = reader.lines.to_location(offset)
    line = reader.get_line(row)
    return Style.combine([sp.style for sp in line.spans if sp.start <= col < sp.end])


async def test_spans_relation_marks_matches_and_suggestions_all_show(tui_store, tui_app):
    """The reader's layers (reader.py): a suggestion has no background, so a span's,
    a relation's mark and a search match each still show where they meet one."""
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    quoted = text.index("\u201cWe followed")
    critics = text.index("Critics")
    mine_denial = tui_store.add_span("harbor", "ana", "denial", quoted, text.index(" Officials"))
    mine_claim = tui_store.add_span("harbor", "ana", "claim", critics, len(text))
    tui_store.add_relation("harbor", "ana", "rebuts", mine_denial.id, mine_claim.id)
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        reader = screen.reader
        assert [(s.start, s.end) for s in screen.suggesting.index.ordered] == [claim, denial]
        word = text.index("denied")  # inside the denial suggestion
        reader.set_matches([(word, word + 6), (critics, critics + 7)])
        await pilot.pause()
        plain = _cell_style(reader, denial[0] + 1)  # the suggestion alone
        assert plain.italic and plain.underline and plain.bgcolor is None
        assert plain.color == reader._suggestion_styles["denial"].color
        matched = _cell_style(reader, word + 1)  # a match in the suggestion
        assert matched.bgcolor == reader._match_style.bgcolor and matched.bgcolor is not None
        assert matched.italic and matched.bold  # still marked as a suggestion
        on_span = _cell_style(reader, critics + 1)  # a match on a linked span
        span_bg = reader.label_style("claim")[0].bgcolor
        assert on_span.bgcolor == span_bg and on_span.overline and on_span.italic
        assert_screen_fresh(app, "every layer")


async def test_while_linking_the_suggestion_keys_do_nothing_and_r_links(tui_store, tui_app):
    """``r`` rejects a suggestion, and is also the default key of ``rebuts``: while a link's
    target is picked only the link bar's keys work (``a`` and ``f`` are swallowed)."""
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    quoted = text.index("\u201cWe followed")
    mine_denial = tui_store.add_span("harbor", "ana", "denial", quoted, text.index(" Officials"))
    mine_claim = tui_store.add_span("harbor", "ana", "claim", text.index("Critics"), len(text))
    app = tui_app(start_article="harbor", suggest=CUES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        screen.reader.goto(quoted + 2)
        await pilot.pause()
        assert screen.current_span == mine_denial.id
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.linker.active
        cursor = screen.reader.cursor_offset
        await pilot.press("a", "f")
        await pilot.pause()
        assert screen.linker.active and screen.reader.cursor_offset == cursor
        await pilot.press("r")
        await pilot.pause()
        assert not screen.linker.active
        assert [(s.start, s.end) for s in screen.suggesting.index.ordered] == [claim, denial]
    [rel] = tui_store.relations("harbor", "ana")
    assert (rel.label, rel.from_span, rel.to_span) == ("rebuts", mine_denial.id, mine_claim.id)
    assert tui_store.suggestion_rejections("ana") == []
    assert [s.id for s in tui_store.spans("harbor", "ana")] == [mine_denial.id, mine_claim.id]


async def test_the_model_retrains_once_the_tagging_pauses_not_during_a_burst(
        tui_store, tui_app, monkeypatch):
    """Every ``retrain_every`` tags the model is retrained, but only after
    ``RETRAIN_IDLE`` seconds with no new tag: a burst of tags asks once, after it."""
    from tui.screens.suggesting import Suggesting

    monkeypatch.setattr(Suggesting, "RETRAIN_IDLE", 0.3)
    text = tui_store.get_article("harbor").text
    claim, denial = sentences(text)
    app = tui_app(start_article="harbor", suggest=SuggestSettings(cues=True, retrain_every=2))
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(pilot, app)
        asked: list[bool] = []
        real = screen.suggesting.request

        def spy(*, retrain: bool = False) -> None:
            asked.append(retrain)
            real(retrain=retrain)

        monkeypatch.setattr(screen.suggesting, "request", spy)
        for start in (claim[0], denial[0], claim[0] + 20):
            screen.reader.select_offsets(start, start + 3)
            await pilot.pause()
            await pilot.press("c")
        assert len(ana_spans(tui_store)) == 3
        assert asked == []  # two tags reached retrain_every, but the burst went on
        await pilot.pause(0.5)
        assert asked == [True]
        assert screen.suggesting.tags == 0
        await pilot.pause(0.5)
        assert asked == [True]  # once for the whole burst
        await shown(pilot, app)
