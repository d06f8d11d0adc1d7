"""A partial span index (issue 19: open a long article with only the spans around the
cursor read) answers exactly what the full index answers, completes itself before
anything it cannot answer, and the screen shows and does the same as with every span
read: same painted lines, same span panel, same tab order, counts and writes."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from annotations.model import Article
from annotations.store import Store
from annotations.text import LineIndex
from tui.screens.tagging import TaggingScreen
from tui.spanindex import SpanIndex

WORDS = "the city council said on monday that a harbor contract was awarded".split()
LABELS = ("claim", "denial", "context")


def long_text(lines: int = 600) -> str:
    out = []
    for i in range(lines):
        n = 0 if i % 7 == 3 else 6 + (i * 5) % 23  # some blank lines
        out.append(" ".join(WORDS[(i + k) % len(WORDS)] for k in range(n)))
    return "\n".join(out)


def add_many(store: Store, article_id: str, text: str, seed: int = 7) -> None:
    """Short spans, overlapping ones, spans over line breaks, a few long ones, two
    orphans and a deleted one."""
    rnd = random.Random(seed)
    n = len(text)
    items = []
    for _ in range(700):
        start = rnd.randrange(0, n - 1)
        length = rnd.choice((3, 5, 8, 12, 30, 90, 200)) if rnd.random() < 0.97 else 3000
        items.append((rnd.choice(LABELS), start, min(n, start + length), {}))
    added = store.add_spans(article_id, "ana", items)
    store.delete_span(added[5].id, "ana")
    for span in added[10:12]:
        store.conn.execute("UPDATE spans SET anchor = 'orphaned' WHERE id = ?", (span.id,))
    store.add_spans(article_id, "bob", items[:50])  # someone else's: never in ana's index


@pytest.fixture
def long_store(tmp_path: Path):
    store = Store.open(tmp_path / "long.db")
    text = long_text()
    store.import_articles([Article(id="long", title="long", text=text)])
    add_many(store, "long", text)
    yield store
    store.close()


def partial_at(store: Store, lines: LineIndex, row: int, around: int = 20) -> SpanIndex:
    lo = lines.starts[max(0, row - around)]
    hi = lines.line_end(min(len(lines.starts) - 1, row + around)) + 1
    w = store.span_window("long", "ana", lo, hi, len(lines.text))
    return SpanIndex.partial(
        lines, w.spans, first=w.first, end=w.end, before=w.before, total=w.total,
        orphaned=w.orphaned, paint_from=lo, head=store.spans_starting("long", "ana", None,
                                                                      None, 10),
        read=lambda a, b: store.spans_starting("long", "ana", a, b))


def full_and_partial(store: Store, where: float) -> tuple[LineIndex, SpanIndex, int, SpanIndex]:
    """The long article's lines, its full index, the row at ``where`` (0 first, 1 last)
    and the partial index read around that row."""
    lines = LineIndex(store.get_article("long").text)
    full = SpanIndex(lines, store.spans("long", "ana"))
    row = round(where * (len(lines.starts) - 1))
    return lines, full, row, partial_at(store, lines, row)


def same(index: SpanIndex, full: SpanIndex) -> None:
    assert index.by_id == full.by_id
    assert index.ordered == full.ordered
    assert {r: sorted(v) for r, v in index.rows.items()} == {
        r: sorted(v) for r, v in full.rows.items()}
    assert index.label_counts == full.label_counts
    assert index.orphan_ids == full.orphan_ids
    assert not index.is_partial


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_partial_index_answers_the_screen_as_the_full_one(long_store, where) -> None:
    lines, full, row, index = full_and_partial(long_store, where)
    assert index.is_partial
    # The lines around the cursor, the counts, the loaded spans' positions.
    for r in range(max(0, row - 20), min(len(lines.starts), row + 21)):
        assert sorted(index.line_runs(r)) == sorted(full.rows.get(r, ()))
        for offset in range(lines.starts[r], lines.line_end(r) + 1, 3):
            assert index.at(offset) == full.at(offset)
    assert len(index) == len(full) and index.has_orphans() == bool(full.orphan_ids)
    for span_id in list(index.known):
        pos = index.position_of(span_id)
        assert pos == full.position_of(span_id)
        assert index.span_at_position(pos) == full.span_at_position(pos)
        assert index.get(span_id) == full.by_id[span_id]
    for pos in range(10):  # the span panel's top rows (the head)
        span = index.span_at_position(pos)
        assert span == full.span_at_position(pos)
        assert index.position_of(span.id) == pos and index.get(span.id) == span
    assert index.is_partial  # none of that needed another span
    # Anything else completes it first.
    index.line_runs(len(lines.starts) - 1 if where < 1 else 0)
    same(index, full)


@pytest.mark.parametrize("ask", ["by_id", "ordered", "rows", "label_counts", "orphan_ids",
                                 "neighbour", "placed", "orphans", "position", "get",
                                 "add", "remove"])
def test_anything_outside_the_window_completes_it_first(long_store, ask) -> None:
    text = long_store.get_article("long").text
    lines = LineIndex(text)
    spans = long_store.spans("long", "ana")
    full = SpanIndex(lines, spans)
    index = partial_at(long_store, lines, len(lines.starts) // 2)
    assert index.is_partial
    far = spans[20]  # starts near the top: not loaded around the middle, nor in the head
    assert far.id not in index.known
    if ask == "neighbour":
        assert index.neighbour(None, len(text), 1) == full.neighbour(None, len(text), 1)
    elif ask == "placed":
        assert index.placed() == full.placed()
    elif ask == "orphans":
        assert index.orphans() == full.orphans()
    elif ask == "position":
        assert index.position_of(far.id) == full.position_of(far.id)
        assert index.span_at_position(0) == full.span_at_position(0)
    elif ask == "get":
        assert index.get(far.id) == far
    elif ask == "add":
        new = far.__class__(**{**far.__dict__, "id": "new", "start": 0, "end": 4})
        index.add(new)
        full.add(new)
    elif ask == "remove":
        assert index.remove(far.id) == full.remove(far.id) == far
    else:
        getattr(index, ask)
    same(index, full)


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_loading_in_steps_ends_as_the_full_index(long_store, where) -> None:
    lines, full, row, index = full_and_partial(long_store, where)
    known = {r: sorted(index.line_runs(r)) for r in range(max(0, row - 20), row)}
    steps = 0
    while not index.load_more(500):
        steps += 1
        assert len(index) == len(full)
        for pos, key in enumerate(index._ordered):  # always one stretch of the text order
            assert full.ordered[pos + (index._partial.before if index._partial else 0)] == key
    assert steps > 3
    assert {r: sorted(index.line_runs(r)) for r in known} == known
    same(index, full)


def test_empty_window_and_no_spans(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "e.db")
    store.import_articles([Article(id="long", title="long", text=long_text(50))])
    lines = LineIndex(store.get_article("long").text)
    index = partial_at(store, lines, 0)
    assert not index.is_partial and len(index) == 0 and index.neighbour(None, 0, 1) is None
    store.close()


# ----------------------------------------------------------------- the screen


def screen_lines(screen) -> list[object]:
    """What the reader and the span panel show now (text and styles of each line)."""
    out: list[object] = []
    reader, panel = screen.reader, screen.panel
    top = reader.scroll_offset.y
    for y in range(reader.size.height):
        info = reader.wrapped_document._offset_to_line_info
        if top + y < len(info):
            row = info[top + y][0]
            line = reader.get_line(row)
            out.append(("reader", row, line.plain, sorted(
                (s.start, s.end, str(s.style)) for s in line.spans)))
    for y in range(panel.size.height):
        out.append(("panel", [(seg.text, str(seg.style)) for seg in panel.render_line(y)]))
    return out


def fresh_full(screen) -> None:
    """Make the screen's index complete and forget every painted line."""
    screen.index.complete()
    screen.reader._painted.clear()
    screen.reader._line_cache.clear()
    screen.panel._strips.clear()


@pytest.fixture
def long_app(tui_store, tui_app, monkeypatch, tmp_path):
    """The long article in the TUI's store, and ``make(copy)``: an app over that store, or
    over a copy of it as it was before anything ran (``copy=True``)."""
    text = long_text()
    tui_store.import_articles([Article(id="long", title="long", text=text)])
    add_many(tui_store, "long", text)
    tui_store.conn.commit()
    backup = tmp_path / "copy.db"
    dest = sqlite3.connect(backup)
    tui_store.conn.backup(dest)
    dest.close()
    # Hold the background read: every action below happens before it completes.
    monkeypatch.setattr(TaggingScreen, "load_spans", lambda self, index: None)
    stores: list[Store] = []

    def make(copy: bool = False):
        if not copy:
            return tui_app(start_article="harbor")
        stores.append(Store.open(backup, create=False))
        return tui_app(stores[-1], start_article="harbor")

    yield text, make
    for store in stores:
        store.close()


def spans_of(store: Store) -> list[tuple[str, int, int]]:
    return sorted((s.label, s.start, s.end) for s in store.spans("long", "ana"))


@pytest.mark.anyio
@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
async def test_opening_paints_as_with_every_span_read(long_app, where) -> None:
    text, make = long_app
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        cursor = round(where * len(text))
        screen.open_article("long", cursor)
        await pilot.pause()
        assert screen.index.is_partial and screen.spans_loading
        shown = screen_lines(screen)
        header = screen.article_list.row("long")
        bindings = screen._binding_state
        assert screen.index.is_partial  # painting it needed no other span
        fresh_full(screen)
        assert screen_lines(screen) == shown
        assert screen.article_list.row("long") == header
        screen._update_bindings()
        assert screen._binding_state == bindings


@pytest.mark.anyio
@pytest.mark.parametrize("keys", [
    ("tab", "tab", "shift+tab"),
    ("shift+tab",),
    ("o", "down", "enter"),  # the span panel
    ("ctrl+end",),
    ("w", "shift+right", "1", "u", "ctrl+r"),
    ("backspace", "u", "u"),
])
async def test_keys_before_the_spans_are_read_act_as_on_the_full_index(
        long_app, keys) -> None:
    text, make = long_app
    results = []
    for complete_first in (False, True):
        app = make(copy=complete_first)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            screen = app.screen
            start = text.index("harbor", len(text) // 2)
            screen.open_article("long", start)
            await pilot.pause()
            if complete_first:
                fresh_full(screen)
            else:
                assert screen.index.is_partial
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            fresh_full(screen)
            stored = spans_of(screen.store)
            current = screen.target_span()
            assert sorted((s.label, s.start, s.end) for s in screen.index.by_id.values()) \
                == stored
            results.append((current and (current.label, current.start, current.end),
                            screen.reader.cursor_offset, screen_lines(screen), stored,
                            dict(screen.index.label_counts),
                            screen.article_list.row("long").counts))
    assert results[0] == results[1]
