"""Teammates' spans in the annotator (#13 item 7), driven with Pilot.

ana annotates harbor; bob and cy tagged it too (in other processes).  ``T``
(or the palette) shows their spans dimmed under ana's, and lists them with
their names below hers; nothing ana does acts on them; another process's
new span shows within a poll.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from annotations.model import GOLD
from annotations.store import Store
from tui import keys as K
from tui.commands import StancemarkCommands
from tui.screens.annotate import AnnotateScreen
from tui.screens.review import ReviewScreen
from tui.widgets.reader import TEAM_TINT

SIZE = (120, 36)

pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


def screen_of(app) -> AnnotateScreen:
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


def seed(store: Store) -> dict[str, str]:
    """ana's own span, bob's two, cy's one and a gold one on harbor; returns their ids."""
    t = store.get_article("harbor").text
    ids = {
        "ana": store.add_span("harbor", "ana", "claim", at(t, "The city"),
                              at(t, "Acme Ltd.") + 9).id,
        "bob_denial": store.add_span("harbor", "bob", "denial", at(t, "The U.S. firm"),
                                     at(t, "wrongdoing.") + 11, note="bob's note").id,
        "bob_claim": store.add_span("harbor", "bob", "claim", at(t, "The city"),
                                    at(t, "Acme Ltd.") + 9).id,
        "cy": store.add_span("harbor", "cy", "context", at(t, "Critics"), len(t)).id,
    }
    store.add_span("harbor", GOLD, "claim", at(t, "The city"), at(t, "Acme Ltd.") + 9)
    store.save_position("ana", "harbor", 0)
    return ids


def row_texts(screen: AnnotateScreen) -> list[str]:
    panel = screen.panel
    width = panel.scrollable_content_region.width
    base = panel.base_style()
    out = []
    for pos in range(panel.row_count()):
        span, theirs = panel._span_at(pos)
        out.append(panel._render_row(span, False, width, base, team=theirs).text)
    return out


async def test_T_shows_teammates_spans_dimmed_with_their_names(tui_store, tui_app):
    ids = seed(tui_store)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        assert screen.panel.row_count() == 1 and screen.reader.team is None
        await pilot.press("T")
        assert screen.show_team
        # bob's and cy's, not gold's (the review's outcome) and not ana's own
        assert set(screen.team.by_id) == {ids["bob_denial"], ids["bob_claim"], ids["cy"]}
        assert screen.reader.team is screen.team and screen.panel.team is screen.team
        rows = row_texts(screen)
        assert len(rows) == 4 and "bob" not in rows[0]  # ana's own first, then theirs
        assert [r.split()[2] for r in rows[1:]] == ["bob", "bob", "cy"]
        assert "“The U.S. firm denied any wrongdoing.”" in rows[2] and "✎ bob's note" in rows[2]
        assert "teammates' spans" in str(screen.query_one("#top-bar").render())
        # painted faintly: bob's denial (no span of ana's there) has the wash of its colour
        row, col = screen.reader.lines.to_location(at(text, "U.S. firm"))
        line = screen.reader.get_line(row)
        style = Style.combine(s.style for s in line.spans
                              if s.start <= col < s.end and isinstance(s.style, Style))
        assert style.bgcolor == screen.reader._team_styles["denial"].bgcolor
        assert style.bgcolor != screen.reader.label_style("denial")[0].bgcolor
        assert 0 < TEAM_TINT < 0.5
        await pilot.press("T")
        assert not screen.show_team and screen.reader.team is None
        assert screen.panel.row_count() == 1
        assert "teammates' spans" not in str(screen.query_one("#top-bar").render())


async def test_teammates_spans_are_read_only(tui_store, tui_app):
    ids = seed(tui_store)
    before = {s.id: s for s in tui_store.spans("harbor")}
    events = len(tui_store.events(limit=1000))
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        await pilot.press("T")
        # the cursor on bob's denial, where ana has no span of her own
        screen.reader.goto(at(text, "U.S. firm"))
        await pilot.pause()
        assert screen.current_span is None and screen.target_span() is None
        await pilot.press("backspace", "delete", "n", "c", "d", "x", "1")
        assert isinstance(app.screen, AnnotateScreen)  # no note editor opened
        await pilot.pause()
        assert any("That is bob's span: teammates' spans are shown, never edited" in n.message
                   for n in app._notifications)
        # and from the span list: picking bob's row makes nothing of his current
        await pilot.press("o")
        while screen.panel.current_id != ids["bob_denial"]:
            await pilot.press("down")
        await pilot.press("backspace", "n")
        assert screen.current_span != ids["bob_denial"]
        await pilot.press("enter")  # shows it in the text
        assert screen.reader.cursor_offset == at(text, "The U.S. firm")
        await pilot.press("backspace", "n")
        assert isinstance(app.screen, AnnotateScreen)
    after = {s.id: s for s in tui_store.spans("harbor")}
    assert after == before  # nobody's span changed, none added
    assert len(tui_store.events(limit=1000)) == events  # no action was recorded


async def test_teammates_spans_refresh_live(tui_store, tui_app, tui_db_path: Path):
    seed(tui_store)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        await pilot.press("T")
        assert len(screen.team) == 3
        other = Store.open(tui_db_path)  # another process, say dan's annotator
        try:
            dan = other.add_span("harbor", "dan", "denial", at(text, "Officials"),
                                 at(text, "comment.") + 8)
            other.delete_span(next(s.id for s in other.spans("harbor", "cy")), "cy")
        finally:
            other.close()
        screen.poll_changes()  # what the one-second poll does
        await pilot.pause()
        assert dan.id in screen.team.by_id and len(screen.team) == 3
        assert {s.annotator for s in screen.team.by_id.values()} == {"bob", "dan"}
        assert "dan" in " ".join(row_texts(screen))
        # and they stay shown on the next article
        await pilot.press("right_square_bracket")
        assert screen.article.id == "minister" and screen.show_team
        assert len(screen.team) == 0 and screen.reader.team is screen.team


async def test_the_toggle_is_in_the_palette_the_key_table_and_help(tui_store, tui_app):
    seed(tui_store)
    assert any(k.id == "toggle_team" and k.keys == "T" for k in K.SCREEN_KEYS)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        commands = {c[0]: c for c in StancemarkCommands(screen)._commands(screen)}
        name, help_text, run = commands["Show / hide teammates' spans"]
        assert "now hidden" in help_text and "key T" in help_text
        run()
        await pilot.pause()
        assert screen.show_team
        await pilot.press("question_mark")
        from tests.test_tui_keys import rendered_text

        shown = "\n".join(rendered_text(c) for c in app.screen.query(".help-column"))
        assert "Show or hide teammates' spans (dimmed, read-only)" in shown


async def test_the_review_screen_has_no_team_toggle(tui_store, tui_app):
    seed(tui_store)
    app = tui_app(annotator="rita", review_against=["ana", "bob"], start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("T")
        assert not screen.show_team and screen.reader.team is None
        names = [c[0] for c in StancemarkCommands(screen)._commands(screen)]
        assert "Show / hide teammates' spans" not in names
