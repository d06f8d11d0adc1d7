"""Annotator names: the core rule, the command line, and the name screen a browser tab opens on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.widgets import Input

from annotations.names import MAX_NAME_LENGTH, AnnotatorNameError, check_annotator
from annotations.store import Store
from tui.cli import cli
from tui.screens.annotate import AnnotateScreen
from tui.screens.name import NameScreen
from tui.screens.review import ReviewScreen
from tui.widgets.review_bar import ReviewBar
from tui.widgets.top_bar import TopBar

SIZE = (120, 36)


# ------------------------------------------------------------------ the rule
def test_names_are_checked() -> None:
    assert check_annotator("  Ana Pereira ") == "Ana Pereira"
    assert check_annotator("José Ñúñez") == "José Ñúñez"
    assert check_annotator("[b]x[/b]") == "[b]x[/b]"  # markup is just text
    assert check_annotator("n" * MAX_NAME_LENGTH) == "n" * MAX_NAME_LENGTH
    for bad, why in [
        ("", "needed"),
        ("   ", "needed"),
        ("n" * (MAX_NAME_LENGTH + 1), "at most"),
        ("a\x1b[2Jb", "U+001B"),
        ("a\tb", "U+0009"),
        ("a\nb", "U+000A"),
        ("a\u202eb", "U+202E"),  # bidi override
        ("a\u200bb", "U+200B"),  # zero-width space
        ("a\x9bb", "U+009B"),  # C1
        ("gold", "reviewed set"),
        (" GOLD ", "reviewed set"),
    ]:
        with pytest.raises(AnnotatorNameError, match=re.escape(why)):
            check_annotator(bad)


def test_the_annotator_refuses_bad_names(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The mayor said the bridge is safe.", encoding="utf-8")
    db = tmp_path / "t.db"
    for env in ({"STANCEMARK_ANNOTATOR": "gold"}, {"STANCEMARK_ANNOTATOR": "a\x07b"}):
        r = CliRunner().invoke(cli, ["--db", str(db), str(tmp_path / "a.txt")], obj={}, env=env)
        assert r.exit_code == 1, r.output
        assert "annotator name:" in r.output and "\x07" not in r.output
    assert not db.exists()  # refused before the database was touched


# ----------------------------------------------------------- the name screen

async def _type(pilot: Any, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


@pytest.mark.anyio
async def test_name_screen_says_what_the_app_is_and_refuses_bad_names(tui_app: Any) -> None:
    app = tui_app(annotator=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "stancemark" in shown and "claims, denials and context" in shown
        assert "4 articles" in shown
        await pilot.press("enter")
        assert isinstance(app.screen, NameScreen)
        assert "a name is needed" in str(app.screen.query_one("#name-error").render())
        await _type(pilot, "gold")
        await pilot.press("enter")
        assert isinstance(app.screen, NameScreen)
        assert "reviewed set" in str(app.screen.query_one("#name-error").render())


@pytest.mark.anyio
async def test_a_name_opens_the_annotator_under_it(tui_app: Any, tui_store: Store) -> None:
    app = tui_app(annotator=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _type(pilot, " [b]Tess[/b] ")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert app.annotator == "[b]Tess[/b]"
        assert "annotator [b]Tess[/b]" in str(app.screen.query_one(TopBar).render())
        await pilot.press("s", "c")
        await pilot.pause()
    spans = tui_store.spans(tui_store.article_ids()[0], "[b]Tess[/b]")
    assert [s.label for s in spans] == ["claim"]


@pytest.mark.anyio
async def test_review_from_the_name_screen(tui_app: Any, tui_store: Store) -> None:
    app = tui_app(annotator=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _type(pilot, "rita")
        app.screen.query_one("#name-review").press()
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)  # nobody has tagged anything yet
        assert "nothing to review" in str(app.screen.query_one("#name-error").render())
    tui_store.add_span("harbor", "bob", "claim", 0, 6)
    app = tui_app(annotator=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _type(pilot, "rita")
        app.screen.query_one("#name-review").press()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        bar = str(app.screen.query_one(ReviewBar).render())
        assert "reviewer rita" in bar and "against bob" in bar


@pytest.mark.anyio
async def test_known_names_are_offered_but_only_usable_ones(tui_app: Any,
                                                           tui_store: Store) -> None:
    for who in ("Tessa Ruiz", "T\x1b[2Jx", "gold"):
        tui_store.add_span("harbor", who, "claim", 0, 6)
    app = tui_app(annotator=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _type(pilot, "T")
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field._suggestion == "Tessa Ruiz"
        await pilot.press("right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen) and app.annotator == "Tessa Ruiz"
