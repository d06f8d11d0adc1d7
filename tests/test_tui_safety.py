"""Markup and terminal escapes in titles, texts, notes and names are shown literally."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from annotations.model import Article
from annotations.store import Store
from tui.safe import display_text, one_line
from tui.screens.annotate import AnnotateScreen

SIZE = (120, 36)
pytestmark = pytest.mark.anyio

MARKUP = "[Reuters] [bold]Loud[/] [/] [@click=app.quit]x[/]"
ESCAPES = "\x1b[2J \x1b]0;t\x07"
TITLE = f"{MARKUP} {ESCAPES}"
TEXT = (
    f"{MARKUP} opens the story.\n"
    "\n"
    f"A second line with {ESCAPES} and a C1 \x9b code.\n"
    "\n"
    "The last [b]line[/b] ends here."
)


def screen_text(app) -> str:
    """What the compositor would send to the terminal, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return "".join(seg.text for seg in console._record_buffer if not seg.control)


def test_display_text_keeps_length_and_hides_controls():
    raw = "a\x1b[2Jb\x07c\rd\te\x9bf\u2028g\u202eh\nnext"
    shown = display_text(raw)
    assert len(shown) == len(raw)
    assert shown.split("\n")[1] == "next"
    assert all(ch.isprintable() for ch in shown.replace("\n", ""))
    assert shown.startswith("a\u241b[2Jb\u2407c\u240dd e")
    assert one_line("x\ny", 10) == "x y"


def test_every_unsafe_character_fails_isprintable():
    """display_text skips its search when the text (newlines aside) is printable: that
    is right only while no unsafe character is printable."""
    from annotations.safety import UNSAFE

    unsafe = UNSAFE.findall("".join(map(chr, range(0x110000))))
    assert len(unsafe) > 2000  # the surrogates among them
    assert not any(ch.isprintable() for ch in [*unsafe, "\t"])
    for ch in unsafe:
        assert display_text(f"long text {ch} here") != f"long text {ch} here"


@pytest.fixture
def markup_store(tmp_path) -> Store:
    store = Store.open(tmp_path / "markup.db")
    store.import_articles([Article(id="wire-[1]", title=TITLE, text=TEXT, source=MARKUP,
                                   published="2024-01-01")])
    yield store
    store.close()


async def test_markup_and_escapes_are_literal(markup_store, tui_app):
    text = markup_store.get_article("wire-[1]").text
    start = text.index("[bold]")
    markup_store.add_span("wire-[1]", "[b]ana[/]", "claim", start, start + len("[bold]Loud[/]"),
                          note="[@click=app.quit]note[/] [red]x")
    app = tui_app(store=markup_store, annotator="[b]ana[/]")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("tab")
        shown = screen_text(app)
        for literal in ("[Reuters]", "[bold]Loud[/]", "[@click=app.quit]x[/]", "[b]ana[/]",
                        "[@click=app.quit]note[/] [red]x", "\u241b[2J", "\u241b]0;t\u2407",
                        "[b]line[/b]"):
            assert literal in shown, literal
        assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
        # The reader shows a same-length copy: offsets still map 1:1.
        assert len(screen.reader.text) == len(text)
        # Clicking the would-be link in the title and in the text triggers nothing.
        header = screen.query_one("#article-header")
        await pilot.click(header, offset=(30, 0))
        await pilot.click(screen.reader, offset=(30, 0))
        await pilot.pause()
        assert app.is_running
        # Tag the escape sequence: stored offsets are into the real text.
        esc = text.index("\x1b[2J")
        screen.reader.select_offsets(esc, esc + 4)
        await pilot.press("x", "n", *"[/]", "enter")
        await pilot.pause()
        assert app.is_running
    spans = {s.label: s for s in markup_store.spans("wire-[1]", "[b]ana[/]")}
    assert spans["context"].text == "\x1b[2J"
    assert spans["context"].note == "[/]"
    assert spans["claim"].text == "[bold]Loud[/]"


async def test_notifications_do_not_parse_markup(markup_store, tui_app):
    app = tui_app(store=markup_store, annotator="[b]ana[/]",
                  theme="[@click=app.quit]nope[/]", keymap={"undo": ["[", "]"]})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.is_running
        shown = screen_text(app)
        assert "[@click=app.quit]nope[/]" in shown
        assert "Nothing to undo." in shown  # "[/]" is the undo key now
