"""The span panel, overlaps, orphaned spans and live refresh (checked in the database)."""

from __future__ import annotations

import dataclasses

import pytest

from annotations.store import Store
from tui.screens.annotate import AnnotateScreen
from tui.widgets.reader import OVERLAP
from tui.widgets.span_details import SpanDetails
from tui.widgets.span_panel import SpanPanel

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


def screen_of(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


async def test_overlapping_spans_paint_innermost_and_mark_overlap(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    outer = tui_store.add_span("harbor", "ana", "context", at(text, "awarded"),
                               at(text, "harbor contract") + 6)
    inner = tui_store.add_span("harbor", "ana", "claim", at(text, "Acme Ltd."),
                               at(text, "Acme Ltd.") + 9)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        reader = screen.reader
        row, col = reader.lines.to_location(inner.start)
        line = reader.get_line(row)
        claim_style = reader.label_style("claim")[0]
        context_style = reader.label_style("context")[0]
        assert claim_style.bgcolor != context_style.bgcolor

        def style_at(column: int):
            return line.get_style_at_offset(app.console, column)

        ocol = reader.lines.to_location(outer.start)[1]
        assert style_at(ocol).bgcolor == context_style.bgcolor
        assert not style_at(ocol).underline
        assert style_at(col + 1).bgcolor == claim_style.bgcolor
        assert style_at(col + 1).underline == OVERLAP.underline
        # Both are listed, in text order, and the cursor picks the innermost.
        assert [s.id for s in screen.index.placed()] == [outer.id, inner.id]
        screen.reader.goto(inner.start + 2)
        await pilot.pause()
        assert screen.current_span == inner.id
        await pilot.press("backspace")
    assert [s.id for s in tui_store.spans("harbor", "ana")] == [outer.id]


async def test_span_panel_lists_spans_and_details(tui_store, tui_app, tui_frozen_clock):
    text = tui_store.get_article("harbor").text
    a = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4,
                           note="first")
    tui_store.add_span("harbor", "bob", "denial", at(text, "denied"), at(text, "denied") + 6)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert len(screen.panel.index) == 1  # only this annotator's spans
        await pilot.press("tab")
        details = screen.query_one(SpanDetails).plain
        assert "by ana" in details and "2024-05-01 12:00 UTC" in details and "first" in details
        # From the panel, keys act on the highlighted span.
        await pilot.press("o")
        assert isinstance(app.focused, SpanPanel)
        await pilot.press("x", "escape")
    assert tui_store.get_span(a.id).label == "context"


def _orphan(store: Store) -> tuple[str, str]:
    """Make two spans orphaned by re-importing harbor with its last paragraph rewritten."""
    art = store.get_article("harbor")
    s1 = store.add_span("harbor", "ana", "claim", at(art.text, "Critics say"), len(art.text))
    s2 = store.add_span("harbor", "ana", "denial", at(art.text, "The contract was"),
                        at(art.text, "The contract was") + 30)
    new_text = art.text[: at(art.text, "The contract was")] + (
        "Council members will vote on the deal next week after a review."
    )
    store.import_articles([dataclasses.replace(art, text=new_text, styles=[])])
    anchors = {s.id: s.anchor for s in store.spans("harbor", "ana")}
    assert anchors == {s1.id: "orphaned", s2.id: "orphaned"}
    return s1.id, s2.id


async def test_orphaned_spans_can_be_replaced_and_deleted(tui_store, tui_app):
    first, second = _orphan(tui_store)
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.index.orphan_ids == {first, second}
        assert screen.check_action("replace_orphan", ()) is True
        # p without a selection explains what to do and changes nothing.
        await pilot.press("p")
        # Select the new place, pick the second orphan in the span panel, press p.
        screen.reader.select_offsets(at(text, "vote"), at(text, "next week"))
        await pilot.press("o", "down")
        chosen = screen.current_span
        assert chosen in (first, second)
        await pilot.press("p")
        placed = tui_store.get_span(chosen)
        assert (placed.anchor, placed.text) == ("ok", "vote on the deal")
        # The other orphan: highlight it in the panel and delete it there.
        other = second if chosen == first else first
        for key in ("up", "down", "down"):
            if screen.current_span == other:
                break
            await pilot.press(key)
        assert screen.current_span == other
        await pilot.press("backspace")
        assert screen.index.orphan_ids == set()
    assert tui_store.get_span(other).deleted_at is not None
    assert [s.id for s in tui_store.spans("harbor", "ana")] == [chosen]


async def test_replace_uses_first_orphan_when_none_chosen(tui_store, tui_app):
    first, second = _orphan(tui_store)
    text = tui_store.get_article("harbor").text
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        expected = screen.index.orphans()[0].id
        screen.reader.select_offsets(at(text, "Council"), at(text, "Council") + 7)
        await pilot.press("p")
    span = tui_store.get_span(expected)
    assert (span.anchor, span.text) == ("ok", "Council")


async def test_live_refresh_shows_spans_from_another_process(tui_store, tui_app, tui_db_path):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        other = Store.open(tui_db_path)
        try:
            span = other.add_span("harbor", "ana", "denial", at(text, "denied"),
                                  at(text, "denied") + 6)
        finally:
            other.close()
        for _ in range(25):
            await pilot.pause(0.1)
            if span.id in screen.index.by_id:
                break
        assert span.id in screen.index.by_id
        assert screen.article_list.row("harbor").counts == {"denial": 1}
        # And it is a real span: the cursor finds it and it can be relabelled.
        screen.reader.goto(span.start)
        await pilot.press("c")
    assert tui_store.get_span(span.id).label == "claim"


async def test_mouse_on_span_panel_and_article_list(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    a = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    b = tui_store.add_span("harbor", "ana", "claim", at(text, "denied"), at(text, "denied") + 6)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.click(screen.panel, offset=(5, 2))  # row 1 (under the top border)
        assert screen.current_span == b.id
        assert screen.reader.cursor_offset == b.start
        await pilot.click(screen.panel, offset=(5, 1), times=2)
        assert screen.current_span == a.id
        assert app.focused is screen.reader
        await pilot.press("x")
        assert tui_store.get_span(a.id).label == "context"
        # Clicking a row of the article list opens it (rows are two lines high).
        await pilot.click(screen.article_list, offset=(5, 4))
        assert screen.article.id == "mining"
    assert tui_store.position("ana") == ("mining", 0)


async def test_live_refresh_from_a_real_process_and_a_changed_text(tui_store, tui_app,
                                                                   tui_db_path):
    """Another process adds a span and then re-imports the open article's text."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        start = at(text, "denied")
        code = (
            "import sys\n"
            "from annotations.store import Store\n"
            "s = Store.open(sys.argv[1])\n"
            f"print(s.add_span('harbor', 'ana', 'denial', {start}, {start + 6}).id)\n"
        )
        out = subprocess.run([sys.executable, "-c", code, str(tui_db_path)], cwd=root,
                             capture_output=True, text=True, check=True)
        sid = out.stdout.strip()
        began = time.monotonic()
        while sid not in screen.index.by_id and time.monotonic() - began < 2.0:
            await pilot.pause(0.1)
        assert sid in screen.index.by_id, "not shown within 2 s"
        new_text = "BREAKING: an update.\n\n" + text
        code = (
            "import sys\n"
            "from annotations.model import Article\n"
            "from annotations.store import Store\n"
            "s = Store.open(sys.argv[1])\n"
            "a = s.get_article('harbor')\n"
            "a.text = sys.stdin.read()\n"
            "a.styles = []\n"
            "s.import_articles([a])\n"
        )
        subprocess.run([sys.executable, "-c", code, str(tui_db_path)], cwd=root,
                       input=new_text, text=True, check=True)
        began = time.monotonic()
        while screen.article.text != new_text and time.monotonic() - began < 2.0:
            await pilot.pause(0.1)
        assert screen.article.text == new_text
        assert screen.reader.text == new_text
        # the moved span is shown where its quote now is, and tagging uses the new text
        moved = screen.index.by_id[sid]
        assert new_text[moved.start:moved.end] == "denied"
        screen.reader.goto(at(new_text, "BREAKING"))
        await pilot.press("s", "x")
    tags = [s for s in tui_store.spans("harbor", "ana") if s.label == "context"]
    assert tags and new_text[tags[0].start:tags[0].end] == tags[0].text
    assert tags[0].text.startswith("BREAKING")


async def test_list_row_counts_follow_this_screens_edits(tui_store, tui_app):
    """Tag, relabel and delete update the open article's list row from the span index
    (orphans counted, todo turned in_progress) exactly as the store would count it."""
    _orphan(tui_store)
    tui_store.set_status("harbor", "ana", "todo")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.article.id == "harbor"
        assert screen.article_list.row("harbor").status == "todo"
        assert len(screen.index.orphan_ids) == 2

        def check(step: str) -> None:
            shown = screen.article_list.row("harbor")
            stored = tui_store.article_row("harbor", "ana")
            assert shown == stored, step

        check("open")
        text = screen.article.text
        for needle, key in (("Acme Ltd.", "c"), ("documents", "d"), ("wrongdoing", "x")):
            screen.reader.select_offsets(at(text, needle), at(text, needle) + len(needle))
            await pilot.press(key)
            check(f"tag {needle}")
        assert screen.article_list.row("harbor").status == "in_progress"
        await pilot.press("c")  # relabel the span under the cursor (wrongdoing)
        check("relabel")
        await pilot.press("backspace")
        check("delete")
        await pilot.press("u")
        check("undo")
    assert tui_store.article_row("harbor", "ana").counts["claim"] >= 2
