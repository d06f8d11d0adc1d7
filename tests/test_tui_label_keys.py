"""The keys' short path in the reader (issue 19, the tag key press).

The reader runs a key's binding when the key reaches it, instead of after it
has bubbled back up through every container to the app, and its
``SelectionChanged`` goes straight to the screen.  These tests pin what must
not change with that: keys act in the order typed, a widget that types keys
(the filter, the list's type-ahead, the note editor, the link bar) still gets
them, a remapped label key still tags, and the review screen's own keys still
win over a label with the same key.
"""

from __future__ import annotations

from collections import Counter

import pytest
from textual.message_pump import MessagePump
from textual.widgets import TextArea

from annotations.model import Label
from tests.test_tui_relations import go_to, harbor
from tui.screens.annotate import AnnotateScreen
from tui.screens.note import NoteScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.filter_input import FilterInput
from tui.widgets.link_bar import LinkBar
from tui.widgets.reader import Reader
from tui.widgets.span_panel import SpanPanel

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def at(text: str, needle: str) -> int:
    return text.index(needle)


def screen_of(app) -> AnnotateScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


async def test_label_key_in_the_reader_tags_without_bubbling(tui_store, tui_app, monkeypatch):
    """``1`` goes from the app to the reader, whose look-up runs the screen's binding: no
    container sees the key; the stored span is the selected word; SelectionChanged
    reaches only the screen."""
    seen: Counter[tuple[str, str]] = Counter()
    dispatch = MessagePump._dispatch_message

    async def counting(self, message):  # type: ignore[no-untyped-def]
        if isinstance(message, TextArea.SelectionChanged) or type(message).__name__ == "Key":
            seen[(type(message).__name__, type(self).__name__)] += 1
        return await dispatch(self, message)

    monkeypatch.setattr(MessagePump, "_dispatch_message", counting)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "harbor contract"))
        await pilot.pause()
        await pilot.press("shift+right")
        seen.clear()
        await pilot.press("1")
        assert [(s.label, s.start, s.end, s.text) for s in tui_store.spans("harbor", "ana")] == [
            ("claim", at(text, "harbor contract"), at(text, "harbor contract") + 6, "harbor")]
        keys = {node for (kind, node), n in seen.items() if kind == "Key"}
        assert keys == {"StancemarkApp", "Reader"}
        moved = {node for (kind, node) in seen if kind == "SelectionChanged"}
        assert moved == {"AnnotateScreen"}  # the tag moved the cursor on
        assert seen[("Key", "StancemarkApp")] == 1


async def test_label_keys_type_into_the_filter_the_list_and_the_note(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    span = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.select_offsets(at(text, "Acme"), at(text, "Acme") + 4)
        await pilot.press("slash", "1", "c", "2")
        box = screen.query_one(FilterInput)
        assert app.focused is box and box.value == "1c2"
        await pilot.press(*["backspace"] * 3, "down")
        assert isinstance(app.focused, ArticleList)
        await pilot.press("x")  # the list's type-ahead goes on into the filter
        assert box.value == "x"
        assert [s.id for s in tui_store.spans("harbor", "ana")] == [span.id]
        await pilot.press("ctrl+a", "ctrl+k", "escape")
        assert isinstance(app.focused, Reader)
        await pilot.press("tab", "n")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("1", "d", "enter")
    stored = tui_store.get_span(span.id)
    assert (stored.note, stored.label) == ("1d", "claim")
    assert [s.id for s in tui_store.spans("harbor", "ana")] == [span.id]


async def test_label_key_in_the_span_list_relabels_the_highlighted_span(tui_store, tui_app):
    text = tui_store.get_article("harbor").text
    span = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "o")
        assert isinstance(app.focused, SpanPanel)
        await pilot.press("2")
    assert tui_store.get_span(span.id).label == "denial"


async def test_label_key_while_picking_a_link_target_does_not_tag(tui_store, tui_app):
    ids = harbor(tui_store)
    before = {s.id: s.label for s in tui_store.spans("harbor", "ana")}
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["denial"])
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert isinstance(app.focused, LinkBar)
        await pilot.press("1", "c", "x")
        assert screen.linker.active
        await pilot.press("escape")
    assert {s.id: s.label for s in tui_store.spans("harbor", "ana")} == before
    assert tui_store.relations("harbor") == []


async def test_a_remapped_label_key_tags_from_the_reader(tui_store, tui_app):
    app = tui_app(keymap={"tag_denial": "g"})
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        text = screen.article.text
        screen.reader.goto(at(text, "city"))
        await pilot.press("shift+right", "2", "d")
        assert tui_store.spans("harbor", "ana") == []
        await pilot.press("g")
    assert [(s.label, s.start, s.text) for s in tui_store.spans("harbor", "ana")] == [
        ("denial", at(text, "city"), "city")]


async def test_review_keys_still_win_over_a_label_with_the_same_key(tui_store, tui_app):
    """The review screen's ``a`` accepts even when a label's key is ``a`` (its number
    still tags gold)."""
    from tui.screens.review import ReviewScreen

    labels = [Label("claim", key="a", color="#ff0000"), Label("denial", key="d", color="#0000ff")]
    screen = ReviewScreen(tui_store, "rita", labels, ["ana"])
    bindings = screen._bindings.key_to_bindings
    assert [b.action for b in bindings["a"]] == ["accept"]
    assert [b.action for b in bindings["1"]] == ["tag(0)"]
    assert [b.action for b in bindings["d"]] == ["tag(1)"]


async def test_a_label_key_right_after_a_cursor_move_acts_on_the_new_place(tui_store, tui_app):
    """The label key runs when the app first sees it, possibly before the screen has
    handled the move just before it: the tag catches up with the reader first."""
    from textual import events

    text = tui_store.get_article("harbor").text
    city = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        assert screen.current_span is None
        screen.reader.goto(city.start)  # its SelectionChanged is still queued ...
        key = events.Key("2", "2")
        key.set_sender(app)
        app.post_message(key)  # ... when the key arrives
        await pilot.pause()
        assert screen.current_span == city.id
    assert tui_store.get_span(city.id).label == "denial"


async def test_keys_typed_in_a_burst_act_in_order(tui_store, tui_app):
    """``s`` then ``1`` before the app has handled either: the sentence is selected, then
    tagged (a label key must never overtake the key before it)."""
    from textual import events

    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for k in ("s", "1", "s", "2"):
            key = events.Key(k, k if len(k) == 1 else None)
            key.set_sender(app)
            app.post_message(key)
        await pilot.pause()
        text = screen_of(app).article.text
    got = [(s.label, s.text) for s in tui_store.spans("harbor", "ana")]
    first = text.split("\n")[0]
    assert got[0] == ("claim", first)
    assert [label for label, _ in got] == ["claim", "denial"]


def _burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post ``keys`` to the app at once, as a fast typist or a slow link delivers them."""
    from textual import events

    for k in keys:
        key = events.Key(k, k if len(k) == 1 else None)
        key.set_sender(app)
        app.post_message(key)


@pytest.mark.parametrize("key", ["backspace", "n"])
async def test_a_span_key_right_after_a_move_acts_on_the_span_moved_to(tui_store, tui_app, key):
    """``w`` then backspace (or ``n``) at once, from a span onto the next: the span moved
    to is deleted (or gets the note), not the one the cursor left (each action on the
    current span follows the reader's move first, as the tag does)."""
    text = tui_store.get_article("harbor").text
    city = tui_store.add_span("harbor", "ana", "claim", at(text, "city"), at(text, "city") + 4)
    awarded = tui_store.add_span("harbor", "ana", "context", at(text, "awarded"),
                                 at(text, "awarded") + 7)
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.reader.goto(city.start)
        await pilot.pause()
        assert screen.current_span == city.id
        _burst(app, "w", key)
        await pilot.pause()
        await pilot.pause()
        if key == "n":
            assert isinstance(app.screen, NoteScreen)
            await pilot.press("x", "y", "enter")
            await pilot.pause()
    live = {s.id: s for s in tui_store.spans("harbor", "ana")}
    if key == "backspace":
        assert list(live) == [city.id]
    else:
        assert (live[awarded.id].note, live[city.id].note) == ("xy", None)


async def test_a_key_whose_action_is_off_is_not_run_later_out_of_order(tui_store, tui_app):
    """backspace (nothing to delete) then ``s`` ``1`` at once: the sentence is tagged and
    stays; the backspace is not looked up again after the tag, when it would delete it."""
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not tui_store.spans("harbor", "ana")
        _burst(app, "backspace", "s", "1")
        await pilot.pause()
        await pilot.pause()
        first = screen_of(app).article.text.split("\n")[0]
    assert [(s.label, s.text) for s in tui_store.spans("harbor", "ana")] == [("claim", first)]
