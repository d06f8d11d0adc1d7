"""Pilot tests for every key of the annotator, each checking the database."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from annotations.model import Article, Label
from annotations.store import Store
from tui.screens.annotate import AnnotateScreen
from tui.screens.help import HelpScreen
from tui.screens.note import NoteScreen
from tui.widgets.reader import Reader

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


def live(store: Store, article: str = "harbor", who: str = "ana"):
    return store.spans(article, who)


def screen_of(app) -> AnnotateScreen:
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


async def test_start_opens_first_not_done_article(tui_store, tui_app):
    tui_store.set_status("harbor", "ana", "done")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.article.id == "minister"
        assert isinstance(app.focused, Reader)
        assert screen.reader.cursor_location == (0, 0)
        assert "ana" in str(screen.query_one("#top-bar").render())
    assert tui_store.position("ana") == ("minister", 0)


async def test_reopen_returns_to_article_and_cursor(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "right_curly_bracket", "w")
        screen = screen_of(app)
        text = screen.article.text
        assert screen.article.id == "minister"
        assert screen.reader.cursor_offset == at(text, "finance")
        await pilot.press("q")
    assert not app.is_running
    assert tui_store.position("ana") == ("minister", at(text, "finance"))
    again = tui_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(again)
        assert screen.article.id == "minister"
        assert screen.reader.cursor_offset == at(text, "finance")


async def test_reopen_resumes_even_on_an_article_marked_done(tui_store, tui_app):
    """Resuming wins over "the first not done" (#13 item 12: the README says so now)."""
    text = tui_store.get_article("harbor").text
    tui_store.save_position("ana", "harbor", at(text, "Acme"))
    tui_store.set_status("harbor", "ana", "done")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.article.id == "harbor"
        assert screen.reader.cursor_offset == at(text, "Acme")


async def test_cursor_keys_words_and_paragraphs(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        reader = screen.reader
        text = screen.article.text
        await pilot.press("right_curly_bracket")
        assert reader.cursor_offset == at(text, "The city")
        await pilot.press("w", "w")
        assert reader.cursor_offset == at(text, "awarded")
        await pilot.press("b")
        assert reader.cursor_offset == at(text, "city")
        await pilot.press("l", "l", "right")
        assert reader.cursor_offset == at(text, "city") + 3
        await pilot.press("h", "left")
        assert reader.cursor_offset == at(text, "city") + 1
        row = reader.cursor_location[0]
        await pilot.press("j")
        assert reader.cursor_location[0] > row or reader.cursor_offset > at(text, "city") + 1
        await pilot.press("k")
        assert reader.cursor_offset == at(text, "city") + 1
        await pilot.press("down", "up")
        assert reader.cursor_offset == at(text, "city") + 1
        await pilot.press("right_curly_bracket")
        assert reader.cursor_offset == at(text, "\u201cWe followed")
        await pilot.press("left_curly_bracket")
        assert reader.cursor_offset == at(text, "The city")
        await pilot.press("left_curly_bracket")
        assert reader.cursor_offset == 0
        # Finish with a tag, so the keys are checked against what gets stored.
        await pilot.press("right_curly_bracket", "w", "shift+right", "shift+right", "c")
    spans = live(tui_store)
    assert [(s.label, s.text) for s in spans] == [("claim", "city")]


async def test_selection_snaps_to_words_and_toggle_to_exact(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "awarded") + 2)
        await pilot.press("shift+right", "shift+right", "shift+right", "c")
        assert [s.text for s in live(tui_store)] == ["awarded"]
        # Backwards, across two words, starting and ending mid-word.
        screen.reader.goto(at(text, "public tender") + 9)
        await pilot.press(*["shift+left"] * 6, "d")
        assert ("denial", "public tender") in [(s.label, s.text) for s in live(tui_store)]
        # White space at the ends is never part of a span.
        screen.reader.goto(at(text, " seen by") + 0)
        await pilot.press(*["shift+right"] * 9, "x")
        assert ("context", "seen by") in [(s.label, s.text) for s in live(tui_store)]
        # ctrl+t: exact characters.
        await pilot.press("ctrl+t")
        assert screen.snap_words is False
        screen.reader.goto(at(text, "harbor contract") + 1)
        await pilot.press("shift+right", "shift+right", "shift+right", "1")
    got = {(s.label, s.text, s.start) for s in live(tui_store)}
    assert ("claim", "arb", at(text, "harbor contract") + 1) in got
    assert len(got) == 4


async def test_sentence_ignores_abbreviations(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "harbor contract"))
        await pilot.press("s", "d")
        screen.reader.goto(at(text, "firm denied"))
        await pilot.press("s", "x")
    got = sorted((s.label, s.text) for s in live(tui_store))
    assert got == [
        ("context", "The U.S. firm denied any wrongdoing."),
        ("denial", "The city awarded Acme Ltd. a harbor contract worth $40 million without "
                   "a public tender, according to documents seen by reporters."),
    ]


async def test_label_keys_and_number_keys(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        for word, key in [("city", "c"), ("harbor", "d"), ("contract", "x"),
                          ("worth", "1"), ("million", "2"), ("public", "3")]:
            screen.reader.goto(at(text, word))
            await pilot.press("shift+right", key)
    got = {s.text: s.label for s in live(tui_store)}
    assert got == {"city": "claim", "harbor": "denial", "contract": "context",
                   "worth": "claim", "million": "denial", "public": "context"}
    assert tui_store.status("harbor", "ana") == "in_progress"


async def test_relabel_span_under_cursor(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    span = tui_store.add_span("harbor", "ana", "claim", at(text, "Acme"), at(text, "Acme") + 9)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(at(text, "Acme") + 3)
        await pilot.press("d")
        assert screen.current_span == span.id
        await pilot.press("3")
    spans = live(tui_store)
    assert [(s.id, s.label, s.text) for s in spans] == [(span.id, "context", "Acme Ltd.")]


async def test_escape_clears_selection(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(at(screen.article.text, "city"))
        await pilot.press("shift+right", "shift+right")
        assert screen.reader.selection_offsets() is not None
        await pilot.press("escape")
        assert screen.reader.selection_offsets() is None
        await pilot.press("c")
    assert live(tui_store) == []


async def test_delete_span_with_backspace_and_delete(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    a = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    b = tui_store.add_span("harbor", "ana", "denial", at(text, "denied"), at(text, "denied") + 6)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "backspace")
        assert [s.id for s in live(tui_store)] == [b.id]
        await pilot.press("tab", "delete")
        assert live(tui_store) == []
    gone = {s.id: s.deleted_at for s in tui_store.spans("harbor", "ana", include_deleted=True)}
    assert gone[a.id] and gone[b.id]


async def test_tab_and_shift_tab_jump_between_spans(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    ids = [
        tui_store.add_span("harbor", "ana", "claim", at(text, w), at(text, w) + len(w)).id
        for w in ("city", "harbor contract", "denied")
    ]
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("tab")
        assert screen.current_span == ids[0]
        assert screen.reader.cursor_offset == at(text, "city")
        await pilot.press("tab", "tab")
        assert screen.current_span == ids[2]
        await pilot.press("tab")  # wraps around
        assert screen.current_span == ids[0]
        await pilot.press("shift+tab")
        assert screen.current_span == ids[2]
        await pilot.press("shift+tab", "x")
    labels = {s.id: s.label for s in live(tui_store)}
    assert labels == {ids[0]: "claim", ids[1]: "context", ids[2]: "claim"}


async def test_note_add_edit_and_cancel(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    span = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "n")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"check it", "enter")
        assert not isinstance(app.screen, NoteScreen)
        assert tui_store.get_span(span.id).note == "check it"
        await pilot.press("n", "backspace", "backspace", *"[b]x[/]", "escape")
        assert tui_store.get_span(span.id).note == "check it"
        await pilot.press("n", *" twice", "enter")
        assert tui_store.get_span(span.id).note == "check it twice"
        await pilot.press("n", *["backspace"] * 20, "enter")
    assert tui_store.get_span(span.id).note is None


async def test_undo_and_redo_survive_a_restart(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(at(screen.article.text, "city"))
        await pilot.press("shift+right", "c", "q")
    assert [s.text for s in live(tui_store)] == ["city"]
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert live(tui_store) == []
        assert screen_of(app).index.by_id == {}
        await pilot.press("q")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        assert [s.text for s in live(tui_store)] == ["city"]
        assert len(screen_of(app).index) == 1


async def test_undo_status_reopens_that_article(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert tui_store.status("harbor", "ana") == "done"
        await pilot.press("u")
        assert tui_store.status("harbor", "ana") == "todo"
        assert screen_of(app).article.id == "harbor"


async def test_space_marks_done_and_opens_next_not_done(tui_store, tui_app):
    tui_store.set_status("minister", "ana", "done")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        screen = screen_of(app)
        assert screen.article.id == "mining"
        assert screen.article_list.row("harbor").status == "done"
    assert tui_store.status("harbor", "ana") == "done"
    assert tui_store.position("ana") == ("mining", 0)


async def test_next_and_previous_article(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        assert tui_store.position("ana") == ("minister", 0)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert tui_store.position("ana") == ("airline", 0)
        await pilot.press("right_square_bracket")  # already the last: stays
        assert tui_store.position("ana") == ("airline", 0)
        await pilot.press("left_square_bracket")
        assert screen_of(app).article.id == "mining"
    assert tui_store.position("ana") == ("mining", 0)


async def test_filter_by_typing_status_and_label(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", "ana", "denial", at(text, "denied"), at(text, "denied") + 6)
    tui_store.set_status("minister", "ana", "done")
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        lst = screen.article_list
        await pilot.press("slash", *"mine")
        assert lst.visible_ids() == [r.id for r in tui_store.list_articles("ana", search="mine")]
        assert lst.visible_ids() == ["mining"]
        await pilot.press(*["backspace"] * 4, *"is:done")
        assert lst.visible_ids() == [r.id for r in tui_store.list_articles("ana", status="done")]
        await pilot.press(*["backspace"] * 4, *"todo")
        assert lst.visible_ids() == [r.id for r in tui_store.list_articles("ana", status="todo")]
        assert lst.visible_ids() == ["mining", "airline"]
        await pilot.press("ctrl+a", "ctrl+k", *"has:denial")
        assert lst.visible_ids() == [r.id for r in tui_store.list_articles("ana", label="denial")]
        assert lst.visible_ids() == ["harbor"]
        # From the list, typing goes on into the filter; enter opens the article.
        await pilot.press("ctrl+a", "ctrl+k", "down")
        assert app.focused is lst
        await pilot.press(*"air")
        assert lst.visible_ids() == ["airline"]
        await pilot.press("enter")
        assert screen.article.id == "airline"
        assert isinstance(app.focused, Reader)
    assert tui_store.position("ana") == ("airline", 0)


async def test_list_enter_opens_highlighted_article(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "down", "down", "down", "enter")
        assert screen_of(app).article.id == "mining"
    assert tui_store.position("ana") == ("mining", 0)


async def test_toggle_article_list(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("L")
        assert not screen.pane.display
        await pilot.press("slash")
        assert screen.pane.display
        await pilot.press(*"air", "enter")
        assert screen.article.id == "airline"
    assert tui_store.position("ana") == ("airline", 0)


async def test_quit_key_saves_nothing_it_should_not(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "q")
    assert not app.is_running
    assert live(tui_store) == []
    assert tui_store.position("ana") == ("harbor", at(tui_store.get_article("harbor").text,
                                                       "deal"))


async def test_mouse_drag_selects_and_click_selects_span(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        reader = screen.reader
        text = screen.article.text
        row, col = reader.lines.to_location(at(text, "city"))
        x0 = reader.gutter_width + 2  # border + padding
        await pilot.mouse_down(reader, offset=(x0 + col + 1, row))
        await pilot.hover(reader, offset=(x0 + col + 9, row))
        await pilot.mouse_up(reader, offset=(x0 + col + 9, row))
        assert reader.selection_offsets() == (at(text, "city") + 1, at(text, "city") + 9)
        await pilot.press("c")
        assert [s.text for s in live(tui_store)] == ["city awarded"]
        await pilot.press("right_curly_bracket")
        assert screen.current_span is None
        await pilot.click(reader, offset=(x0 + col + 6, row))
        assert screen.current_span == live(tui_store)[0].id
        await pilot.press("d")
    assert [(s.label, s.text) for s in live(tui_store)] == [("denial", "city awarded")]


async def test_keymap_remaps_binding_ids(tui_store, tui_app):
    app = tui_app(keymap={"tag_claim": "g", "undo": "z,ctrl+z"})
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(at(screen.article.text, "city"))
        await pilot.press("shift+right", "c")
        assert live(tui_store) == []
        await pilot.press("g")
        assert [(s.label, s.text) for s in live(tui_store)] == [("claim", "city")]
        await pilot.press("u")
        assert len(live(tui_store)) == 1
        await pilot.press("z")
    assert live(tui_store) == []


async def test_custom_labels_keys_and_numbers(tui_store, tui_app):
    labels = [
        Label("claim", "c", "#E69F00", "A claim."),
        Label("denial", "d", "#56B4E9", "A denial."),
        Label("context", "x", "#009E73", "Context."),
        Label("evidence", "e", "#CC79A7", "Evidence offered for a claim."),
        Label("pressure", "p", "#D55E00", "Takes the re-place key."),
    ]
    app = tui_app(labels=labels)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "city"))
        await pilot.press("shift+right", "4")
        screen.reader.goto(at(text, "harbor"))
        await pilot.press("shift+right", "e")
        screen.reader.goto(at(text, "contract"))
        await pilot.press("shift+right", "p")
        screen.reader.goto(at(text, "worth"))
        await pilot.press("shift+right", "5")
    got = {s.text: s.label for s in live(tui_store)}
    assert got == {"city": "evidence", "harbor": "evidence", "contract": "pressure",
                   "worth": "pressure"}


def rendered_text(widget) -> str:
    """A widget's whole content as plain text, scrolled out of view or not (the help
    lays its keys out as Rich grids, so a wrapped description keeps its column)."""
    console = Console(width=120, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


async def test_help_screen_lists_keys(tui_store, tui_app):
    app = tui_app(keymap={"undo": "z"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys_text = "\n".join(rendered_text(c) for c in app.screen.query(".help-column"))
        assert "Undo (also after a restart)" in keys_text
        assert "Mark done, open the next not done" in keys_text
        assert "z  " in keys_text and "ctrl+r" not in keys_text.replace("^r", "")
        labels_text = rendered_text(app.screen.query_one("#help-labels"))
        assert "A rejection or rebuttal of a claim." in labels_text
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        # The remapped undo key is what help shows, and what works.
        screen = screen_of(app)
        screen.reader.goto(at(screen.article.text, "city"))
        await pilot.press("shift+right", "c", "z")
    assert live(tui_store) == []


async def test_command_palette_goes_to_article(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Water at")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert screen_of(app).article.id == "mining"
    assert tui_store.position("ana") == ("mining", 0)


async def test_command_palette_toggles_word_snapping(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"toggle word snapping")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        screen = screen_of(app)
        assert screen.snap_words is False
        screen.reader.goto(at(screen.article.text, "city") + 1)
        await pilot.press("shift+right", "c")
    assert [s.text for s in live(tui_store)] == ["i"]


async def test_shift_up_and_down_extend_the_selection(tui_store, tui_app):
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "city"))
        await pilot.press("shift+down")
        start, end = screen.reader.selection_offsets()
        assert start == at(text, "city") and end > at(text, "million")
        await pilot.press("shift+up", "shift+right", "shift+right")
        assert screen.reader.selection_offsets() == (at(text, "city"), at(text, "city") + 2)
        await pilot.press("shift+down", "c")
    (span,) = live(tui_store)
    assert span.start == at(text, "city")
    assert span.text == text[span.start : span.end] and span.end > at(text, "million")


async def test_theme_switch_recolours_spans(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app(theme="textual-dark")
    async with app.run_test(size=SIZE) as pilot:
        reader = screen_of(app).reader
        dark = reader.label_style("claim")[0].bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = reader.label_style("claim")[0].bgcolor
        assert dark != light
        await pilot.press("tab", "d")
    assert [s.label for s in live(tui_store)] == ["denial"]


async def test_start_article_argument_and_an_empty_database(tui_store, tui_app, tmp_path):
    app = tui_app(start_article="airline")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert screen_of(app).article.id == "airline"
    assert tui_store.position("ana") == ("airline", 0)
    empty = Store.open(tmp_path / "empty.db")
    app = tui_app(store=empty)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "space", "right_square_bracket", "tab", "u", "s", "n", "w")
        assert screen_of(app).article is None
        assert app.is_running
    assert empty.events() == []
    empty.close()


async def test_wide_characters_keep_offsets_exact(tui_store, tui_app):
    text = "Port deal 🚢 港口合同未经招标。\n\nThe firm 公司 denied it."
    tui_store.import_articles([Article(id="wide", title="Wide 🚢 港口", text=text)])
    app = tui_app(start_article="wide")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(at(text, "港口"))
        await pilot.press("s", "c")
        # After a tag the cursor is at the next sentence's start (after_tag: next_sentence).
        assert screen.reader.cursor_offset == at(text, "The firm")
        await pilot.press("w", "w", "shift+right", "d")
        reader = screen.reader
        row, col = reader.lines.to_location(at(text, "denied") + 2)
        cells = cell_len(reader.lines.line(row)[:col])  # 公司 are two cells wide each
        await pilot.click(reader, offset=(reader.gutter_width + 2 + cells, row))
        assert screen.reader.cursor_offset == at(text, "denied") + 2
        await pilot.press("shift+right", "x")
    got = sorted((s.label, s.text, s.start) for s in tui_store.spans("wide", "ana"))
    assert got == [
        ("claim", "Port deal 🚢 港口合同未经招标。", 0),
        ("context", "denied", at(text, "denied")),
        ("denial", "公司", at(text, "公司")),
    ]


async def test_the_help_shows_every_key_of_a_long_list_in_full(tui_store, tui_app):
    """A row with many keys (the link bar's next / previous target) wraps inside the keys
    column instead of losing its last keys (``j``, ``h, k``) off its edge."""
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(rendered_text(c) for c in app.screen.query(".help-column"))
    lines = text.split("\n")
    start = lines.index(next(line for line in lines if line.startswith("Link (")))
    assert [line.rstrip() for line in lines[start + 1:start + 5]] == [
        "  tab, →, ↓,   Next candidate target",
        "  l, j",
        "  shift+tab,   Previous candidate target",
        "  ←, ↑, h, k",
    ]
    assert "  W, shift+^→  Extend the selection to the end of the next word" in text
