"""Undo and redo update the open article's span index from what they stored (issue 19),
without reading the article's spans again, and the index stays the store's."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


def _same_as_store(screen, store) -> None:
    stored = {s.id: (s.label, s.start, s.end, s.anchor)
              for s in store.spans(screen.article.id, "ana")}
    shown = {s.id: (s.label, s.start, s.end, s.anchor) for s in screen.index.by_id.values()}
    assert shown == stored
    assert screen.index.label_counts == {
        label: n for label in {v[0] for v in stored.values()}
        if (n := sum(v[0] == label for v in stored.values()))}
    row = screen.article_list.row(screen.article.id)
    assert row is not None and row.counts == dict(screen.index.label_counts)


async def test_undo_and_redo_update_the_index_without_reading_the_spans(
        tui_store, tui_app, monkeypatch):
    text = tui_store.get_article("harbor").text
    a = tui_store.add_span("harbor", "ana", "claim", 0, text.index(" "))
    b = tui_store.add_span("harbor", "ana", "context", text.index("The "), text.index("The ") + 3)
    tui_store.add_relation("harbor", "ana", "supports", b.id, a.id)
    app = tui_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await pilot.pause()
        reads = []
        original = screen.store.spans
        pressing = [False]

        def counting(*args, **kwargs):
            if pressing[0]:
                reads.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(screen.store, "spans", counting)
        screen.reader.select_offsets(text.index("The ") + 4, text.index("The ") + 9)
        await pilot.pause()
        # tag, relabel it, delete the related span (its relation goes with it), then undo
        # and redo each step
        for key in ("1", "2"):
            await pilot.press(key)
            await pilot.pause()
        screen.reader.goto(a.start + 1)
        await pilot.pause()
        await pilot.press("backspace")
        await pilot.pause()
        assert a.id not in screen.index.by_id and not screen.links.related()
        for key in ("u", "u", "u", "ctrl+r", "ctrl+r", "ctrl+r", "u"):
            pressing[0] = True
            await pilot.press(key)
            await pilot.pause()
            pressing[0] = False
            _same_as_store(screen, tui_store)
        assert a.id in screen.index.by_id and screen.links.related() == {a.id, b.id}
        assert reads == []  # never re-read: the undo's own spans updated the index
