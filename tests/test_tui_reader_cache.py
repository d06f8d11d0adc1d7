"""The reader's caches and partial repaints never leave a stale line on screen.

After every step that can change how a line looks (cursor moves across spans,
selections, tag, relabel, undo, redo, delete, a theme change, a resize, a
scroll, a focus change, the list shown or hidden) every visible line of the
reader must equal the same line rendered afresh with no cache at all, at two
levels: the line the reader gives (``render_line``, from its line cache), and
the line the screen holds (``render_lines``: Textual's per-widget cache, which
only renders again the lines the reader marked for repaint; a selection
change or a tag repaints just a few lines).
"""

from __future__ import annotations

import pytest
from textual._styles_cache import StylesCache
from textual.cache import LRUCache
from textual.geometry import Region

from annotations.model import Article, StyleRange
from annotations.store import Store
from tui.screens.annotate import AnnotateScreen
from tui.widgets.reader import LINE_KEY, Reader

SIZE = (120, 36)
pytestmark = pytest.mark.anyio

WORDS = ("harbor contract tender minister denied report claim city council money "
         "officials said records show the firm").split()


def _long_article() -> Article:
    """Long paragraphs (several screen lines each), far taller than the reader."""
    paragraphs = ["Long report on the harbor"]
    for p in range(30):
        words = [WORDS[(p * 7 + i * 3) % len(WORDS)] for i in range(40 + p % 5 * 10)]
        paragraphs.append(f"Paragraph {p}: " + " ".join(words) + ".")
    text = "\n\n".join(paragraphs)
    styles = [StyleRange(0, len(paragraphs[0]), "heading")]
    for needle in ("Paragraph 3:", "Paragraph 7:", "Paragraph 12:"):
        start = text.index(needle)
        styles.append(StyleRange(start, start + len(needle), "strong"))
    return Article(id="long", title="Long report", text=text, styles=styles)


def _tag_words(store: Store, text: str) -> None:
    """A span on every 9th word, some overlapping, over the whole article."""
    labels = ("claim", "denial", "context")
    pos, n = 0, 0
    while True:
        pos = text.find(" ", pos + 1)
        if pos < 0:
            break
        n += 1
        if n % 9:
            continue
        end = text.find(" ", pos + 1)
        if end < 0:
            break
        store.add_span("long", "ana", labels[n % 3], pos + 1, end)
        if n % 27 == 0:  # an overlapping, longer span
            store.add_span("long", "ana", labels[(n + 1) % 3], pos + 1, min(end + 12,
                                                                             len(text)))


def assert_fresh(reader: Reader, step: str) -> int:
    """Every visible line equals its uncached rendering; returns the cached entries used."""
    height = reader.size.height
    assert height > 0
    cached = sum(1 for key in reader._line_cache.keys() if key[0] == LINE_KEY)
    for y in range(height):
        shown = reader.render_line(y)
        fresh = reader.render_line_uncached(y)
        assert list(shown) == list(fresh), f"{step}: screen line {y} is stale"
        assert shown.cell_length == fresh.cell_length, f"{step}: screen line {y} width"
    # What the screen holds (no line marked for repaint is left after a frame)
    # against a full repaint with every cache empty.
    whole = Region(0, 0, *reader.region.size)
    on_screen = [list(strip) for strip in reader.render_lines(whole)]
    saved = reader._styles_cache, reader._line_cache, reader._painted
    reader._styles_cache, reader._line_cache, reader._painted = StylesCache(), LRUCache(1024), {}
    try:
        repainted = [list(strip) for strip in reader.render_lines(whole)]
    finally:
        reader._styles_cache, reader._line_cache, reader._painted = saved
    for y, (a, b) in enumerate(zip(on_screen, repainted, strict=True)):
        assert a == b, f"{step}: screen line {y} was not repainted"
    return cached


async def test_reader_line_cache_never_shows_stale_lines(tui_store, tui_app):
    article = _long_article()
    tui_store.import_articles([article])
    text = article.text
    _tag_words(tui_store, text)
    app = tui_app(start_article="long")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        reader = screen.reader
        assert reader.has_focus and reader.soft_wrap
        assert reader.wrapped_document.height > 3 * reader.size.height  # scrolls, wraps
        assert assert_fresh(reader, "open") > 0

        # Cursor moves across painted spans: the lines away from the cursor are
        # reused (not rendered again), and the old cursor line loses its cursor.
        first = min(screen.index.placed(), key=lambda s: s.start)
        reader.goto(first.start - 3)
        await pilot.pause()
        assert_fresh(reader, "goto")
        # The rest of the wrap and of the spans load in the background after the first
        # screen; their end repaints the reader once.  Counted here: the moves only.
        for _ in range(200):
            if not (reader.wrapping or screen.spans_loading):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert not (reader.wrapping or screen.spans_loading)
        rendered = 0
        original = reader._render_line

        def counting(y: int):
            nonlocal rendered
            rendered += 1
            return original(y)

        reader._render_line = counting  # type: ignore[method-assign]
        for i in range(8):
            rendered = 0
            await pilot.press("right")
            await pilot.pause()
            assert rendered < reader.size.height // 2, f"right {i}: {rendered} lines rendered"
            assert_fresh(reader, f"right {i}")
        del reader._render_line
        for key in ("down", "down", "up", "w", "w", "b", "right_curly_bracket", "end", "home"):
            await pilot.press(key)
            await pilot.pause()
            assert_fresh(reader, key)

        # Selections over several rows, then cleared: their rows repaint both ways.
        for key in ("shift+right", "shift+right", "shift+down", "shift+down", "shift+up",
                    "escape", "s", "escape"):
            await pilot.press(key)
            await pilot.pause()
            assert_fresh(reader, key)

        # Tag a selection, relabel it, undo, redo, delete.
        target = text.index("Paragraph 5:")
        reader.select_offsets(target, target + len("Paragraph"))
        await pilot.pause()
        assert_fresh(reader, "select")
        spans_before = len(screen.index)
        await pilot.press("1")
        await pilot.pause()
        assert len(screen.index) == spans_before + 1
        assert_fresh(reader, "tag")
        await pilot.press("d")  # relabel the span under the cursor
        await pilot.pause()
        assert screen.target_span() is not None and screen.target_span().label == "denial"
        assert_fresh(reader, "relabel")
        for key in ("u", "u", "ctrl+r", "backspace", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert_fresh(reader, key)

        # The active span follows the cursor (jump to the next span and back).
        for key in ("tab", "tab", "shift+tab"):
            await pilot.press(key)
            await pilot.pause()
            assert_fresh(reader, key)

        # Theme: the label tints and the markdown looks change everywhere.
        before = [list(reader.render_line(y)) for y in range(reader.size.height)]
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.pause()
        assert_fresh(reader, "theme")
        assert [list(reader.render_line(y)) for y in range(reader.size.height)] != before

        # Width and height changes (terminal resize, list hidden and shown).
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert_fresh(reader, "resize smaller")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert_fresh(reader, "resize back")
        for step in ("hide list", "show list"):
            await pilot.press("L")
            await pilot.pause()
            assert_fresh(reader, step)

        # Scrolling without moving the cursor, then paging (which moves it).
        for dy in (5, 7, -3, 40):
            reader.scroll_relative(y=dy, animate=False)
            await pilot.pause()
            assert_fresh(reader, f"scroll {dy}")
        for key in ("pagedown", "pagedown", "pageup"):
            await pilot.press(key)
            await pilot.pause()
            assert_fresh(reader, key)

        # Focus: the cursor is not drawn when the reader is not focused.
        # (Going to the span list also moves the cursor to its highlighted span.)
        await pilot.press("o")
        await pilot.pause()
        assert not reader.has_focus
        assert_fresh(reader, "blur")
        await pilot.press("down")  # moves in the span list, not the reader
        await pilot.pause()
        assert_fresh(reader, "span list down")
        reader.focus()
        await pilot.pause()
        assert reader.has_focus
        assert_fresh(reader, "focus")

        # Spans from another process (live refresh repaints the reader).
        count = len(screen.index)
        other = Store.open(tui_store.path)
        try:
            top = reader.scroll_offset.y
            row = reader.wrapped_document._offset_to_line_info[top + 2][0]
            start = reader.lines.starts[row]
            other.add_span("long", "ana", "context", start, start + 9)
        finally:
            other.close()
        for _ in range(25):
            await pilot.pause(0.1)
            if len(screen.index) > count:
                break
        assert len(screen.index) == count + 1
        assert_fresh(reader, "live refresh")

        # Another article, and back.
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.article is not None and screen.article.id != "long"
        assert_fresh(reader, "previous article")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.article is not None and screen.article.id == "long"
        assert_fresh(reader, "next article")
