"""Pilot tests of the search (issue 17): searching as you type, opening a hit at its first
match, moving between matches, clearing; the threaded path used for big lists."""

from __future__ import annotations

import pytest
from textual.content import Content

import tui.widgets.article_pane as article_pane
from annotations.model import Article
from annotations.store import Store
from tui.screens.annotate import AnnotateScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_pane import ArticlePane
from tui.widgets.filter_input import FilterInput
from tui.widgets.reader import Reader

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def screen_of(app) -> AnnotateScreen:
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


def summary(app) -> str:
    shown = app.screen.query_one("#filter-summary").render()
    return shown.plain if isinstance(shown, Content) else str(shown)


def list_lines(app) -> list[str]:
    lst = app.screen.query_one(ArticleList)
    return [lst.render_line(y).text for y in range(lst.size.height)]


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_typing_shows_ranked_hits_with_snippets_and_count(tui_store, tui_app):
    tui_store.import_articles([Article(
        id="report", title="The report on the report",
        text="[b]A report[/b], another report: markup that stays text.")])
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        lst = screen.article_list
        # a word being typed is a prefix: "repo" finds "reporters" too
        await pilot.press("slash", *"repo")
        await settle(app, pilot)
        assert sorted(lst.visible_ids()) == ["harbor", "minister", "report"]
        await pilot.press(*"rt ")
        await settle(app, pilot)
        # "report" is in the new article's title (twice, weighted) and text, and in
        # the minister's title and text: best first.
        assert lst.visible_ids() == ["report", "minister"]
        assert lst.ranked and lst.row_height == 3
        assert summary(app).startswith("2 hits")
        lines = list_lines(app)
        assert "The report on the report" in lines[0]
        assert "[b]A report[/b], another report" in lines[2]  # never markup
        snip = screen.pane._snippets["report"]
        assert [snip.text[s:e] for s, e in snip.marks] == ["report", "report"]
        # the words are emphasised in the drawn line
        strip = lst.render_line(2)
        styled = [seg.text for seg in strip if seg.style and seg.style.underline]
        assert styled == ["report", "report"]


async def test_a_malformed_query_is_explained_inline_and_the_hits_stay(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        lst = screen_of(app).article_list
        await pilot.press("slash", *"denied ")
        await settle(app, pilot)
        assert lst.visible_ids() == ["harbor"]
        await pilot.press(*'"unclosed')
        await settle(app, pilot)
        assert lst.visible_ids() == ["harbor"]  # the last hits, not an empty list
        assert "⚠ unclosed quote" in summary(app)
        await pilot.press("ctrl+a", "ctrl+k", *"date:2024-13")
        assert "month 13 does not exist" in summary(app)
        await pilot.press("ctrl+a", "ctrl+k", *"has:nothing")
        await settle(app, pilot)
        assert lst.visible_ids() == [] and "0 of 4 articles" in summary(app)
        await pilot.press("ctrl+a", "ctrl+k", *"by:nobody ")
        await settle(app, pilot)
        assert lst.visible_ids() == [] and "nobody of that name has spans" in summary(app)


async def test_open_a_hit_at_its_first_match_and_move_between_matches(tui_store, tui_app):
    text = tui_store.get_article("minister").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.article.id == "harbor"
        await pilot.press("slash", *"report ")
        await settle(app, pilot)
        await pilot.press("enter")
        assert screen.article.id == "minister"
        assert isinstance(app.focused, Reader)
        starts = [i for i in range(len(text)) if text.startswith("report", i)]
        assert len(starts) == 3
        assert screen.reader.cursor_offset == text.index("report") == starts[0]
        assert screen.matches == [(s, s + 6) for s in starts]
        assert screen.reader.has_matches
        for expected in (starts[1], starts[2], starts[0]):  # m wraps round to the first
            await pilot.press("m")
            assert screen.reader.cursor_offset == expected
        for expected in (starts[2], starts[1], starts[0]):
            await pilot.press("M")
            assert screen.reader.cursor_offset == expected
        # the keys are in the footer while there are matches
        footer = [ab.binding.description for ab in app.screen.active_bindings.values()
                  if ab.binding.show and ab.enabled]
        assert "next match" in footer
        # the query stays while moving through the list and between hits
        await pilot.press("slash", "down")
        assert isinstance(app.focused, ArticleList)
        assert screen.article_list.visible_ids() == ["minister"]
        await pilot.press("enter")
        assert screen.article.id == "minister" and screen.reader.cursor_offset == starts[0]


async def test_matches_do_not_hide_span_colours(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    start = text.index("denied")
    tui_store.add_span("harbor", "ana", "denial", start, start + len("denied any wrongdoing"))
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        reader = screen.reader
        plain = reader.get_line(2).copy()
        await pilot.press("slash", *"denied ", "enter")
        assert reader.cursor_offset == start
        row, col = screen.index.lines.to_location(start)
        style = reader.get_line(row).get_style_at_offset(app.console, col)
        matches = screen.matches
        reader.set_matches([])
        unmatched = reader.get_line(row).get_style_at_offset(app.console, col)
        reader.set_matches(matches)
        # the match inside the span keeps the span's colours and is emphasised
        assert unmatched.bgcolor is not None and not unmatched.italic
        assert style.bgcolor == unmatched.bgcolor and style.color == unmatched.color
        assert style.bold and style.underline and style.italic
        # a match outside any span gets the match background
        await pilot.press("escape")
        await pilot.press("slash", *"tender ", "enter")
        t = text.index("tender")
        row, col = screen.index.lines.to_location(t)
        style = reader.get_line(row).get_style_at_offset(app.console, col)
        assert style.bgcolor is not None and style.bold and style.underline
        assert plain.plain == reader.get_line(2).plain


async def test_escape_clears_the_search(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        lst = screen.article_list
        await pilot.press("slash", *"denied")
        await settle(app, pilot)
        assert lst.visible_ids() == ["harbor"]
        await pilot.pause(0.4)  # typing paused: the open article's matches show
        assert screen.matches
        await pilot.press("escape")  # in the box: clears, back to the reader
        assert isinstance(app.focused, Reader)
        assert app.screen.query_one(FilterInput).value == ""
        assert lst.visible_ids() == ["harbor", "minister", "mining", "airline"]
        assert screen.matches == [] and not screen.reader.has_matches
        assert lst.row_height == 2
        # from the list
        await pilot.press("slash", *"denied", "down")
        assert isinstance(app.focused, ArticleList)
        await pilot.press("escape")
        assert isinstance(app.focused, Reader) and len(lst.visible_ids()) == 4
        # from the reader: escape clears a selection first, then the search
        await pilot.press("slash", *"denied", "enter")
        assert screen.matches
        await pilot.press("s")
        assert screen.reader.selection_offsets() is not None
        await pilot.press("escape")
        assert screen.reader.selection_offsets() is None and screen.matches
        await pilot.press("escape")
        assert not screen.matches and app.screen.query_one(FilterInput).value == ""
        assert len(lst.visible_ids()) == 4


async def test_status_filters_and_cjk_through_the_query_language(tmp_path, tui_app):
    store = Store.open(tmp_path / "cjk.db")
    store.import_articles([
        Article(id="bruce", title="Kung fu", text="武打明星李小龍出生於舊金山。"),
        Article(id="zoe", title="Zoë Castillo", text="Zoë said the embassy denied it."),
    ])
    store.set_status("zoe", "ana", "done")
    app = tui_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        lst = screen.article_list
        await pilot.press("slash", *"小龍")
        await settle(app, pilot)
        assert lst.visible_ids() == ["bruce"]
        await pilot.press("enter")
        assert screen.matches == [(5, 7)] and screen.reader.cursor_offset == 5
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"zoe")
        await settle(app, pilot)
        assert lst.visible_ids() == ["zoe"]
        await pilot.press("ctrl+a", "ctrl+k", *"is:done")
        assert lst.visible_ids() == ["zoe"] and lst.hits is None  # in memory
        await pilot.press("ctrl+a", "ctrl+k", *"-is:done")
        await settle(app, pilot)
        assert lst.visible_ids() == ["bruce"]
    store.close()


async def test_big_lists_search_in_a_worker_and_show_the_latest_text(tui_store, tui_app,
                                                                    monkeypatch):
    monkeypatch.setattr(article_pane, "SEARCH_SYNC_LIMIT", 0)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        pane = app.screen.query_one(ArticlePane)
        lst = screen.article_list
        await pilot.press("slash", *"permit")
        await settle(app, pilot)
        assert lst.visible_ids() == ["mining"] and pane.applied_text == "permit"
        # keys typed while a search runs: the list ends on the hits of the last text
        for key in ("backspace",) * 6 + tuple("maintenance"):
            await pilot.press(key)
        await settle(app, pilot)
        assert pane.applied_text == "maintenance"
        assert lst.visible_ids() == ["airline"]
        await pilot.press("enter")
        assert screen.article.id == "airline"
        assert screen.reader.cursor_offset == screen.article.text.index("maintenance")
        # A first page (here of one hit, with its snippet), then every hit.
        pages: list[tuple[int, int | None]] = []
        searcher = pane.searcher
        assert searcher is not None

        def recording(query, first):
            found = searcher(query, first)
            pages.append((len(found[0].ids), found[0].total))
            return found

        monkeypatch.setattr(pane, "searcher", recording)
        monkeypatch.setattr(pane, "_rows_in_view", lambda: 1)
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"the ")
        await settle(app, pilot)
        assert pages[-2:] == [(1, None), (4, 4)]  # "the ": a page of one, then all
        assert len(lst.visible_ids()) == 4 and lst.cursor == 0
        assert summary(app).startswith("4 hits")
    assert screen._search_store is None  # closed with the screen


async def test_review_screen_searches_too(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    start = text.index("denied")
    for who, label in (("ana", "denial"), ("bob", "claim")):
        tui_store.add_span("harbor", who, label, start, start + 6)
    app = tui_app(review_against=["ana", "bob"], annotator="rita")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lst = app.screen.query_one(ArticleList)
        await pilot.press("slash", *"span:denied")
        await settle(app, pilot)
        assert lst.visible_ids() == ["harbor"]
