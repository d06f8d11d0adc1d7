"""A long article is wrapped around the cursor first and the rest in the background.

:class:`tui.widgets.lazy_wrap.LazyWrap` must end exactly where Textual's own
wrap does, and stay consistent at every stage; the reader must show, tag and
move correctly while rows are still waiting, and after they are swapped in.
"""

from __future__ import annotations

import pytest
from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument

from annotations.model import Article
from tests.test_tui_repaint import SIZE, assert_screen_fresh
from tui.screens.annotate import AnnotateScreen
from tui.widgets import reader as reader_module
from tui.widgets.lazy_wrap import LazyWrap

pytestmark = pytest.mark.anyio

WORDS = "the minister said on Tuesday that\tthe report was wrong and denied it".split(" ")


def long_text(paragraphs: int = 300) -> str:
    out = []
    for p in range(paragraphs):
        words = [WORDS[(p * 7 + i) % len(WORDS)] for i in range(40 + p % 50)]
        out.append(f"P{p} " + " ".join(words))
    return "\n\n".join(out)


def structures(w: WrappedDocument) -> tuple[object, ...]:
    return (w._wrap_offsets, w._offset_to_line_info, w._line_index_to_offsets, w.height,
            [w.get_tab_widths(i) for i in range(w.document.line_count)])


def assert_consistent(w: LazyWrap) -> None:
    """Every y offset agrees with the rows' breaks (final or none)."""
    y = 0
    for row, breaks in enumerate(w._wrap_offsets):
        ys = w._line_index_to_offsets[row]
        assert ys == list(range(y, y + len(breaks) + 1))
        for section, yy in enumerate(ys):
            assert w._offset_to_line_info[yy] == (row, section)
        y += len(breaks) + 1
    assert w.height == y == len(w._offset_to_line_info)


def test_lazy_wrap_ends_as_textual_wraps() -> None:
    doc = Document(long_text(120))
    expected = WrappedDocument(doc, 57, 4)
    lazy = LazyWrap(doc, tab_width=4)
    lazy.wrap(57)
    assert lazy.pending
    assert_consistent(lazy)
    assert lazy.wrap_around(100, 20, 20) is not None
    assert_consistent(lazy)
    for row in range(80, 121):  # the window around row 100 has its final breaks
        if 0 <= row < doc.line_count and lazy.is_wrapped(row):
            assert lazy._wrap_offsets[row] == expected._wrap_offsets[row]
    lazy.wrap_rows(range(0, 10))
    assert_consistent(lazy)
    while not lazy.compute_some(0.0):  # computed aside: nothing shown moves
        assert_consistent(lazy)
    assert lazy.pending
    assert lazy.finish()
    assert not lazy.pending
    assert structures(lazy) == structures(expected)
    # A new width starts over, and ends the same as Textual's again.
    lazy.wrap(31)
    assert lazy.finish()
    assert structures(lazy) == structures(WrappedDocument(doc, 31, 4))


async def test_long_article_before_and_after_the_background_wrap(tui_store, tui_app,
                                                                 monkeypatch):
    text = long_text()
    tui_store.import_articles([Article(id="long", title="long", text=text)])
    # The background wrap waits for an idle reader: hold it until the test lets it go.
    monkeypatch.setattr(reader_module, "WRAP_IDLE", 3600.0)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        reader = screen.reader
        middle = text.index("P150 ")
        screen.open_article("long", middle)
        await pilot.pause()
        wrapped = reader.wrapped_document
        assert isinstance(wrapped, LazyWrap)
        assert reader.wrapping and wrapped.pending
        assert reader.cursor_offset == middle
        assert_screen_fresh(app, "open long")

        # Cursor moves and a selection, then a tag, while rows still wait.
        for key in ("down", "down", "w", "w", "shift+right", "shift+right", "escape", "up"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, f"waiting: {key}")
        start = text.index("minister", middle)
        reader.select_offsets(start, start + len("minister"))
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert_screen_fresh(app, "tag while waiting")

        # To the end of the article (far below every wrapped row), and tag there.
        reader.goto(len(text), center=True)
        await pilot.pause()
        assert reader.cursor_offset == len(text)
        assert wrapped.pending
        y = reader.cursor_screen_offset.y - reader.region.y
        assert 0 <= y < reader.size.height
        assert_screen_fresh(app, "end while waiting")
        last = text.rindex("report")
        reader.select_offsets(last, last + len("report"))
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert_screen_fresh(app, "tag at the end while waiting")
        for key in ("pageup", "pageup", "up", "pagedown"):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_fresh(app, f"waiting: {key}")

        # Let the background finish: the rows are Textual's wrap, the screen is fresh,
        # and the top of the screen still shows what it showed.
        top_row = wrapped._offset_to_line_info[reader.scroll_offset.y]
        monkeypatch.setattr(reader_module, "WRAP_IDLE", 0.0)
        for _ in range(200):
            await pilot.pause(0.02)
            if not reader.wrapping:
                break
        await pilot.pause()
        assert not reader.wrapping and not wrapped.pending
        assert structures(wrapped) == structures(
            WrappedDocument(reader.document, reader.wrap_width, reader.indent_width))
        assert wrapped._offset_to_line_info[reader.scroll_offset.y] == top_row
        assert_screen_fresh(app, "background done")
        await pilot.press("down", "1")
        await pilot.pause()
        assert_screen_fresh(app, "after the background")

        spans = tui_store.spans("long", "ana")
        assert {(s.label, text[s.start:s.end]) for s in spans} >= {
            (screen.labels[0].name, "minister"), (screen.labels[1].name, "report")}
        assert [s for s in spans if text[s.start:s.end] == "minister"][0].start == start
        assert [s for s in spans if text[s.start:s.end] == "report"][0].start == last
        for s in spans:
            assert text[s.start:s.end] == s.text


def test_lazy_wrap_laid_out_in_stages_then_edited() -> None:
    """Rows wrapped at the start, middle and end in any order (the layout in stretches
    of unbroken rows), then an edit: always consistent, and Textual's at the end."""
    doc = Document(long_text(200))
    n = doc.line_count
    lazy = LazyWrap(doc, tab_width=4)
    lazy.wrap(43)
    assert lazy.height == n  # provisional: one screen line per row
    assert_consistent(lazy)
    for row, before, after in ((n // 2, 5, 5), (n - 1, 30, 30), (0, 0, 12),
                               (n // 3, 0, 3), (n // 2 + 40, 2, 2)):
        lazy.wrap_around(row, before, after)
        assert_consistent(lazy)
    lazy.wrap_rows([n - 2, 1, n // 4])
    assert_consistent(lazy)
    lazy.finish()
    assert structures(lazy) == structures(WrappedDocument(doc, 43, 4))
    # An edit (the reader makes none, but a LazyWrap must stay a WrappedDocument).
    lazy.wrap(37)
    lazy.wrap_around(n // 2, 4, 4)
    lazy.finish()  # an edit comes after the document changed: nothing may wait then
    edit = doc.replace_range((3, 0), (5, 0), "new words " * 20 + "\n")
    lazy.wrap_range((3, 0), (5, 0), edit.end_location)
    assert_consistent(lazy)
    assert structures(lazy) == structures(WrappedDocument(doc, 37, 4))
    lazy.wrap(20)
    lazy.wrap_around(doc.line_count - 1, 10, 10)
    assert_consistent(lazy)
    lazy.finish()
    assert structures(lazy) == structures(WrappedDocument(doc, 20, 4))


async def test_reopening_a_long_article_shows_what_the_first_opening_did(tui_store, tui_app):
    """The second opening takes the split, the styles and their layout from the caches
    (:mod:`tui.shown_text`, the store's styles, the reader's layouts): the same document,
    the same style rows, the same screen, at the start, middle and end of the text."""
    from annotations.model import StyleRange
    from tui.safe import display_text

    text = long_text(250).replace("P7 ", "P7\x07 ", 1)  # one control character: a copy
    styles = [StyleRange(m, m + 4, "emphasis") for m in range(0, len(text) - 8, 997)]
    styles.insert(0, StyleRange(0, 300, "quote"))
    tui_store.import_articles([Article(id="long", title="long", text=text, styles=styles)])
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        reader = screen.reader
        seen = []
        for cursor in (0, len(text) // 2, len(text), 0):
            for article in ("long", "harbor", "long"):
                screen.open_article(article, cursor if article == "long" else 0)
                await pilot.pause()
                assert_screen_fresh(app, f"open {article} at {cursor}")
            assert reader.document.lines == Document(display_text(text)).lines
            assert reader.text == display_text(text)
            assert reader._style_rows == reader._layout_styles(styles)
            assert reader.lines.starts == screen.index.lines.starts
            assert reader.cursor_offset == cursor
            seen.append(reader.document.lines)
        assert seen[0] is not seen[1]  # each document its own rows
