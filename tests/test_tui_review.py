"""The review screen and the stats screen, driven with Pilot; each test checks the database.

rita reviews ana and bob on the harbor article, where they agree once, differ
in label once, in boundaries once, and each made one span the other did not.
"""

from __future__ import annotations

import pytest
from rich.style import Style

from annotations import review as core
from annotations.agreement import compute_agreement, table_rows
from annotations.model import GOLD
from annotations.store import Store
from tui.commands import StancemarkCommands
from tui.screens.annotate import AnnotateScreen
from tui.screens.review import ReviewScreen
from tui.screens.stats import StatsScreen

SIZE = (120, 36)
AGAINST = ["ana", "bob"]


def at(text: str, needle: str) -> int:
    return text.index(needle)


def seed(store: Store) -> dict[str, tuple[int, int]]:
    """ana's and bob's spans on harbor (all four kinds); returns the places used."""
    t = store.get_article("harbor").text
    places = {
        "agree": (at(t, "The city"), at(t, "public tender") + len("public tender")),
        "label": (at(t, "The U.S. firm"), at(t, "wrongdoing.") + len("wrongdoing.")),
        "short": (at(t, "\u201cWe followed"), at(t, "rule,\u201d") + len("rule,\u201d")),
        "long": (at(t, "\u201cWe followed"), at(t, "Jane Doe") + len("Jane Doe")),
        "bob_only": (at(t, "Officials"), at(t, "comment.") + len("comment.")),
        "ana_only": (at(t, "Critics"), len(t)),
    }
    store.add_span("harbor", "ana", "claim", *places["agree"])
    store.add_span("harbor", "bob", "claim", *places["agree"])
    store.add_span("harbor", "ana", "denial", *places["label"])
    store.add_span("harbor", "bob", "context", *places["label"])
    store.add_span("harbor", "ana", "denial", *places["short"])
    store.add_span("harbor", "bob", "denial", *places["long"])
    store.add_span("harbor", "bob", "context", *places["bob_only"])
    store.add_span("harbor", "ana", "context", *places["ana_only"])
    store.add_span("minister", "ana", "claim", 0, 8)  # a second article to review
    return places


def reviewer_app(tui_app, **kwargs):
    kwargs.setdefault("annotator", "rita")
    kwargs.setdefault("review_against", AGAINST)
    kwargs.setdefault("start_article", "harbor")
    return tui_app(**kwargs)


def screen_of(app) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def gold(store: Store, article: str = "harbor"):
    return store.spans(article, GOLD)


def span_of(store: Store, who: str, start: int, end: int | None = None):
    (span,) = [s for s in store.spans("harbor", who)
               if s.start == start and (end is None or s.end == end)]
    return span


# ------------------------------------------------------------------ pilot tests
@pytest.mark.anyio
async def test_accept_copies_the_span_under_the_cursor_into_gold(tui_store, tui_app):
    places = seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("tab", "tab")  # bob's context, then ana's denial (label conflict)
        assert screen.items[screen.current_item].span.annotator == "ana"
        await pilot.press("a")
        # committed before the key returned
        (g,) = gold(tui_store)
        assert screen.review.items[3].decision == "accept"
    source = span_of(tui_store, "ana", places["label"][0])
    assert (g.label, g.start, g.end, g.text) == ("denial", *places["label"], source.text)
    assert g.annotator == GOLD
    assert g.attributes == {"source_span": source.id, "source_annotator": "ana",
                            "reviewer": "rita"}
    (row,) = tui_store.reviews("harbor")
    assert (row["span_id"], row["decision"], row["gold_span"], row["reviewer"]) == (
        source.id, "accept", g.id, "rita")
    assert tui_store.events("rita")[0].action == "span.add"
    # nobody's own spans changed
    assert len(tui_store.spans("harbor", "ana")) == 4 and len(tui_store.spans("harbor", "bob")) == 4


@pytest.mark.anyio
async def test_reject_records_the_decision_and_writes_no_gold(tui_store, tui_app):
    places = seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "r")
        screen = screen_of(app)
        assert screen.review.decided == 1
    bob = span_of(tui_store, "bob", places["label"][0])
    assert [(r["span_id"], r["decision"], r["reviewer"], r["gold_span"])
            for r in tui_store.reviews("harbor")] == [(bob.id, "reject", "rita", None)]
    assert gold(tui_store) == []


@pytest.mark.anyio
async def test_accept_agreed_accepts_every_agreed_span_once(tui_store, tui_app):
    places = seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert len(gold(tui_store)) == 1
        await pilot.press("A")
        screen = screen_of(app)
        assert [i.decision for i in screen.review.items if i.kind == "agree"] == ["accept"] * 2
    (g,) = gold(tui_store)
    assert (g.label, g.start, g.end) == ("claim", *places["agree"])
    assert g.attributes["source_annotator"] in AGAINST and g.attributes["reviewer"] == "rita"
    accepted = [r for r in tui_store.reviews("harbor") if r["decision"] == "accept"]
    assert len(accepted) == 2 and {r["gold_span"] for r in accepted} == {g.id}


@pytest.mark.anyio
async def test_label_keys_tag_gold_and_backspace_deletes_it(tui_store, tui_app):
    places = seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "Critics"))
        await pilot.press("s", "x")
        (g,) = gold(tui_store)
        assert (g.label, g.start, g.end, g.text) == (
            "context", *places["ana_only"], "Critics say the process lacked transparency.")
        assert g.attributes == {}  # tagged by hand: no source
        assert screen.current_span == g.id
        await pilot.press("d")  # no selection: relabels the gold span under the cursor
        assert [s.label for s in gold(tui_store)] == ["denial"]
        await pilot.press("backspace")
        assert gold(tui_store) == []
    events = tui_store.events("rita")
    assert [e.action for e in events] == ["span.delete", "span.update", "span.add"]
    assert all(e.after["annotator"] == GOLD for e in events)
    assert tui_store.spans("harbor", "ana")[-1].label == "context"  # ana's own span untouched


@pytest.mark.anyio
async def test_tab_walks_disagreements_in_text_order(tui_store, tui_app):
    places = seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        seen = []
        for _ in range(6):
            await pilot.press("tab")
            item = screen.items[screen.current_item]
            assert screen.reader.cursor_offset == item.span.start
            seen.append((item.kind, item.span.annotator, item.span.start))
        assert seen == [
            ("label", "bob", places["label"][0]),
            ("label", "ana", places["label"][0]),
            ("boundary", "ana", places["short"][0]),
            ("boundary", "bob", places["long"][0]),
            ("single", "bob", places["bob_only"][0]),
            ("single", "ana", places["ana_only"][0]),
        ]
        assert [it.span.id for it in screen.review.disagreements] == [
            span_of(tui_store, who, start).id for _, who, start in seen]
        await pilot.press("tab")  # wraps around
        assert screen.items[screen.current_item].span.annotator == "bob"
        await pilot.press("shift+tab", "shift+tab")
        item = screen.items[screen.current_item]
        assert (item.kind, item.span.annotator) == ("single", "bob")
        await pilot.press("r")
    rejected = span_of(tui_store, "bob", places["bob_only"][0])
    assert [(r["span_id"], r["decision"]) for r in tui_store.reviews("harbor")] == [
        (rejected.id, "reject")]


@pytest.mark.anyio
async def test_undo_and_redo_the_reviewers_actions(tui_store, tui_app):
    seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("tab", "tab", "a")
        assert len(gold(tui_store)) == 1
        await pilot.press("u")
        assert gold(tui_store) == []
        assert screen.review.decided == 0  # the acceptance no longer stands
        await pilot.press("ctrl+r")
        assert len(gold(tui_store)) == 1 and screen.review.decided == 1
        await pilot.press("tab", "r")
        assert screen.review.decided == 2
        await pilot.press("u")
        assert screen.review.decided == 1
        assert len(gold(tui_store)) == 1  # undo took back the rejection only
    assert [r["decision"] for r in tui_store.reviews("harbor")] == [
        "accept", "reject", "withdrawn"]


@pytest.mark.anyio
async def test_list_progress_header_figures_and_next_article(tui_store, tui_app):
    seed(tui_store)
    app = reviewer_app(tui_app)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        lst = screen.article_list
        # only the articles ana or bob tagged are listed, each with its progress
        assert lst.visible_ids() == ["harbor", "minister"]

        def meta(article_id: str) -> str:
            return lst._line_text(lst.row(article_id), 1, Style()).plain

        assert "⚖ 0/6" in meta("harbor") and "⚖ 0/1" in meta("minister")
        header = str(screen.query_one("#article-header").render())
        report = core.review_article(tui_store, "harbor", "rita", AGAINST).agreement
        pair = report.pairs[0]
        assert f"exact F1 {pair.exact_f1:.3f}" in header
        assert f"overlap F1 {pair.overlap_f1:.3f}" in header
        assert f"token kappa {pair.token_kappa:.3f}" in header
        assert f"alpha {report.alpha:.3f}" in header
        await pilot.press("tab", "r")
        assert "⚖ 1/6" in meta("harbor")
        assert "1 of 6" in str(screen.query_one("#top-bar").render())
        await pilot.press("right_square_bracket")
        assert screen.article.id == "minister"
        header = str(screen.query_one("#article-header").render())
        assert "exact F1 -" in header and "alpha -" in header  # bob never annotated it
        await pilot.press("tab", "a", "left_square_bracket")
        assert screen.article.id == "harbor"
        assert "✓ 1/1" in meta("minister")
    assert [(g.article_id, g.label) for g in tui_store.spans("minister", GOLD)] == [
        ("minister", "claim")]


@pytest.mark.anyio
async def test_palette_entry_opens_review_of_this_article_and_escape_returns(tui_store, tui_app):
    """#13 item 6: the reviewer's own spans are in the comparison ("agreement: no pair"
    was all the header could say before)."""
    seed(tui_store)
    app = tui_app()  # ana, in the annotator
    async with app.run_test(size=SIZE) as pilot:
        annotate = app.screen
        assert isinstance(annotate, AnnotateScreen) and annotate.article.id == "harbor"
        commands = {c[0]: c[2] for c in StancemarkCommands(annotate)._commands(annotate)}
        assert "Agreement statistics" in commands
        commands["Review this article…"]()  # what the palette entry runs (it asks nothing)
        await pilot.pause()
        screen = screen_of(app)
        # the reviewer's own spans are compared too, as `review --against ana --against bob`
        assert screen.against == ["ana", "bob"] and screen.reviewer == "ana"
        assert screen.article.id == "harbor"
        assert "agreement ana–bob" in str(screen.header_figures())
        assert {it.span.annotator for it in screen.review.items} == {"ana", "bob"}
        names = [c[0] for c in StancemarkCommands(screen)._commands(screen)]
        assert "Agreement statistics" in names and "Back to the annotator" in names
        assert "Review this article…" not in names
        await pilot.press("tab")  # the first disagreement: bob's context against ana's denial
        item = screen.items[screen.current_item]
        assert (item.kind, item.span.annotator) == ("label", "bob")
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is annotate
    (g,) = gold(tui_store)
    assert g.attributes["source_annotator"] == "bob" and g.attributes["reviewer"] == "ana"


@pytest.mark.anyio
async def test_palette_review_needs_someone_else(tui_store, tui_app):
    tui_store.add_span("harbor", "ana", "claim", 0, 6)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_review("harbor")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert any("Nobody else" in n.message for n in app._notifications)


@pytest.mark.anyio
async def test_review_from_the_command_line_stays_on_escape(tui_store, tui_app):
    seed(tui_store)
    app = reviewer_app(tui_app, start_article=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.article.id == "harbor"  # the first with undecided disagreements
        await pilot.press("escape")
        assert app.screen is screen


@pytest.mark.anyio
async def test_stats_screen_shows_the_pairwise_table(tui_store, tui_app):
    seed(tui_store)
    tui_store.set_status("minister", "bob", "done")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_stats()  # the palette's "Agreement statistics"
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        expected = table_rows(compute_agreement(*tui_store.agreement_inputs()))
        table = screen.query_one("#stats-table")
        shown = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert shown == expected and len(expected) == 1
        assert "alpha" in str(screen.query_one("#stats-alpha").render())
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)


@pytest.mark.anyio
async def test_stats_screen_leaves_gold_out_and_g_counts_it(tui_store, tui_app):
    seed(tui_store)
    t = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", GOLD, "claim", at(t, "The city"),
                       at(t, "public tender") + len("public tender"))
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_stats()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)

        async def rows() -> list[tuple[str, ...]]:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = screen.query_one("#stats-table")
            return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]

        assert [r[:2] for r in await rows()] == [("ana", "bob")]
        assert "gold (the reviewed set) left out" in str(
            screen.query_one("#stats-hint").render())
        await pilot.press("g")
        assert [r[:2] for r in await rows()] == [("ana", "bob"), ("ana", "gold"),
                                                  ("bob", "gold")]
        assert "gold counted as a rater" in str(screen.query_one("#stats-hint").render())
        await pilot.press("g")
        assert [r[:2] for r in await rows()] == [("ana", "bob")]


def test_review_header_counts_gold_only_when_asked(tui_store):
    seed(tui_store)
    t = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", GOLD, "claim", at(t, "The city"),
                       at(t, "public tender") + len("public tender"))
    plain = core.review_article(tui_store, "harbor", "rita", AGAINST)
    assert plain.agreement.annotators == AGAINST and len(plain.agreement.pairs) == 1
    with_gold = core.review_article(tui_store, "harbor", "rita", AGAINST, include_gold=True)
    assert with_gold.agreement.annotators == [*AGAINST, GOLD]
    assert len(with_gold.agreement.pairs) == 3
    assert [i.span.annotator for i in with_gold.items] == [
        i.span.annotator for i in plain.items]  # gold is never a compared span
    # an article gold has not touched gets no empty gold pair
    assert core.review_article(tui_store, "minister", "rita", AGAINST,
                               include_gold=True).agreement.annotators == AGAINST


@pytest.mark.anyio
async def test_review_include_gold_reaches_the_header(tui_store, tui_app):
    seed(tui_store)
    t = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", GOLD, "claim", at(t, "The city"),
                       at(t, "public tender") + len("public tender"))
    for include, expected in ((False, "agreement ana–bob"), (True, "mean of 3 pairs")):
        app = reviewer_app(tui_app, include_gold=include)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert expected in str(screen_of(app).header_figures())


@pytest.mark.anyio
async def test_idle_checkpoint_only_after_writes(tui_store, tui_app, monkeypatch):
    calls = []
    monkeypatch.setattr(tui_store, "checkpoint", lambda: calls.append(1))
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        app.checkpoint_if_written()
        base = len(calls)  # opening the annotator saved the position: maybe one
        app.checkpoint_if_written()
        assert len(calls) == base
        await pilot.press("s", "c")
        app.checkpoint_if_written()
        assert len(calls) == base + 1


@pytest.mark.anyio
async def test_review_keys_win_over_a_label_key_here(tui_store, tui_app):
    from annotations.labels import DEFAULT_LABELS
    from annotations.model import Label

    labels = [*DEFAULT_LABELS, Label("allegation", "a", "#CC79A7", "An accusation.")]
    places = seed(tui_store)
    app = reviewer_app(tui_app, labels=labels)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "a")  # accepts bob's context
        screen = screen_of(app)
        screen.reader.goto(at(screen.article.text, "Critics"))
        await pilot.press("s", "4")  # the label's number still tags gold
    got = sorted((g.label, g.start) for g in gold(tui_store))
    assert got == [("allegation", places["ana_only"][0]), ("context", places["label"][0])]


@pytest.mark.anyio
async def test_hostile_names_show_literally(tui_store, tui_app):
    from tests.test_tui_safety import screen_text

    hostile = "[@click=app.quit]x[/]"
    t = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", "ana", "claim", at(t, "The city"), at(t, "The city") + 8)
    tui_store.add_span("harbor", hostile, "[i]c[/]", at(t, "The city"), at(t, "The city") + 8)
    app = reviewer_app(tui_app, review_against=["ana", hostile])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        shown = screen_text(app)
        assert "against ana, [@click=app.quit]x[" in shown  # the top bar (cut at 20)
        assert "[@click=app" in shown.split("compared spans")[1]  # the list (names cut at 12)
        assert "[i]c[/]" in shown
        await pilot.click("#review-items", offset=(20, 1))
        assert app.is_running


def test_review_keys_have_ids_and_are_in_the_help():
    from annotations.labels import DEFAULT_LABELS
    from tui import keys as K
    from tui.screens.help import key_table

    ids = {k.id for k in K.all_keys(DEFAULT_LABELS)}
    assert {"review_accept", "review_reject", "review_accept_agreed", "review_next",
            "review_previous", "review_back", "stats_close"} <= ids
    every = [b for keys in (K.REVIEW_SCREEN_KEYS, K.REVIEW_READER_KEYS, K.STATS_KEYS)
             for b in K.bindings(keys)]
    assert all(b.id for b in every)
    assert {b.key for b in K.bindings(K.REVIEW_READER_KEYS)} >= {"tab", "shift+tab", "escape"}
    groups = dict(key_table(DEFAULT_LABELS, {}, lambda b: b.key))
    assert ("A", "Accept every span all chosen annotators agree on") in groups["Review"]


# ------------------------------------------------------------------ snapshot
def test_snapshot_review_screen(tui_frozen_clock, tui_store, tui_app, snap_compare):
    """All four kinds in the text and the list; gold and both decisions shown."""
    places = seed(tui_store)
    core.accept_agreed(tui_store, "harbor", "rita", AGAINST)
    core.reject(tui_store, span_of(tui_store, "bob", places["label"][0]).id, "rita")
    app = reviewer_app(tui_app)
    # the fifth disagreement (bob's only span) is current: the conflict stays red
    assert snap_compare(app, terminal_size=SIZE, press=["tab"] * 5)
