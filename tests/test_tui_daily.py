"""Daily use of the annotator, driven with Pilot: the theme is remembered, notifications
do not pile up.  Each test checks what a user would see or find on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from annotations.config import load_config

SIZE = (120, 36)

pytestmark = pytest.mark.anyio


# ------------------------------------------------------------- the theme (#13 item 8)
async def test_a_theme_picked_in_the_app_is_used_at_the_next_start(tui_app, tmp_path: Path,
                                                                   monkeypatch) -> None:
    config = tmp_path / "config" / "stancemark" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("# my settings\nannotator: ana  # me\nkeys: {undo: z}\n", encoding="utf-8")
    monkeypatch.setenv("STANCEMARK_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    app = tui_app(config_path=config, theme=load_config().get("theme"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert config.read_text(encoding="utf-8").count("theme") == 0  # start-up saves nothing
        app.theme = "nord"  # what picking it in the palette's "Switch theme" does
        await pilot.pause()
    assert config.read_text(encoding="utf-8") == (
        "# my settings\nannotator: ana  # me\nkeys: {undo: z}\ntheme: nord\n")
    settings = load_config()
    assert settings == {"annotator": "ana", "keys": {"undo": "z"}, "theme": "nord"}
    again = tui_app(config_path=config, theme=settings["theme"])
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
        again.theme = "textual-light"
        await pilot.pause()
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["theme"] == "textual-light"


async def test_an_unwritable_config_is_a_warning_not_a_crash(tui_app, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    app = tui_app(config_path=blocker / "config.yaml")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
        assert app.is_running and app.theme == "nord"
        (note,) = [n for n in app._notifications if "Theme not saved" in n.message]
        assert note.severity == "warning" and "cannot save the theme" in note.message


async def test_a_project_file_that_overrides_the_theme_is_named(tui_app, tmp_path: Path,
                                                                monkeypatch) -> None:
    config = tmp_path / "user.yaml"
    monkeypatch.setenv("STANCEMARK_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stancemark.yaml").write_text("theme: dracula\n", encoding="utf-8")
    app = tui_app(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
        assert any("stancemark.yaml sets one too" in n.message for n in app._notifications)
    assert config.read_text(encoding="utf-8") == "theme: nord\n"


async def test_without_a_config_path_nothing_is_written(tui_app, tmp_path: Path,
                                                        monkeypatch) -> None:
    monkeypatch.setenv("STANCEMARK_CONFIG", str(tmp_path / "user.yaml"))
    app = tui_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert not (tmp_path / "user.yaml").exists()


# --------------------------------------------------------- notifications (#13 item 13)
def shown(app) -> list[str]:
    return [n.message for n in app._notifications]


async def toasts(app, pilot) -> list[str]:
    from textual.widgets._toast import Toast

    await pilot.pause()
    return [str(t.render()) for t in app.screen.query(Toast)]


async def test_repeated_notifications_coalesce_into_one_with_a_count(tui_app) -> None:
    app = tui_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.clear_notifications()
        for _ in range(5):
            await pilot.press("c")  # nothing selected: "Select some text first", five times
        await pilot.pause()
        (message,) = shown(app)
        assert message.startswith("Select some text first") and message.endswith("(×5)")
        assert len(await toasts(app, pilot)) == 1
        app.notify("Saved.", markup=False)
        app.notify("Saved.", severity="warning", markup=False)  # another severity: its own
        await pilot.pause()
        assert shown(app)[-2:] == ["Saved.", "Saved."]


async def test_at_most_three_notifications_show_the_newest(tui_app) -> None:
    app = tui_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.clear_notifications()
        for n in range(6):
            app.notify(f"message {n}", markup=False)
        await pilot.pause()
        assert shown(app) == ["message 3", "message 4", "message 5"]
        assert len(await toasts(app, pilot)) == 3
        app.notify("message 4", markup=False)  # a repeat of one shown: no fourth toast
        await pilot.pause()
        assert shown(app) == ["message 3", "message 5", "message 4 (×2)"]


# ------------------------------------------------------------- 80x24 (#13 item 11)
async def test_a_narrow_terminal_hides_the_list_until_L(tui_app) -> None:
    app = tui_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        pane = screen.query_one("#article-pane")
        assert not pane.display and screen.reader.size.width >= 70
        await pilot.press("L")
        assert pane.display
        await pilot.press("L")
        assert not pane.display
        await pilot.press("L")
        await pilot.resize_terminal(70, 24)  # the choice stands when the size changes
        await pilot.pause()
        assert pane.display
    wide = tui_app()
    async with wide.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert wide.screen.query_one("#article-pane").display


async def test_the_list_follows_the_width_until_the_user_chooses(tui_app) -> None:
    app = tui_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.screen.query_one("#article-pane")
        assert pane.display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not pane.display
        await pilot.resize_terminal(110, 30)
        await pilot.pause()
        assert pane.display


@pytest.mark.parametrize("size", [(80, 24), (90, 30), (100, 30), (120, 36), (60, 20)])
@pytest.mark.parametrize("review", [False, True])
async def test_the_footer_fits_the_width(tui_store, tui_app, size, review) -> None:
    from tests.test_tui_review import AGAINST, seed
    from tests.test_tui_safety import screen_text

    seed(tui_store)
    app = (tui_app(annotator="rita", review_against=AGAINST, start_article="harbor")
           if review else tui_app())
    async with app.run_test(size=size) as pilot:
        # The footer lays itself out again whenever the keys that apply change (the
        # first span, the first link): under load that can still be under way after one
        # pause, when its line is blank or half drawn for a moment.  Wait for a footer
        # that ends with the palette key (at most three seconds), then check all of it.
        for _ in range(60):
            await pilot.pause(0.05)
            footer = screen_text(app).split("\n")[size[1] - 1]
            if footer.rstrip().endswith("^p palette"):
                break
        assert footer.rstrip().endswith("^p palette"), footer  # nothing after it
        assert "? keys" in footer and len(footer) <= size[0]
        assert footer.count("▏") == 1


async def test_the_footer_is_composed_again_only_when_what_it_shows_changed(tui_app) -> None:
    """An update of the bindings that leaves the shown keys as they were keeps the
    footer's key widgets (rebuilding them cost 30-60 ms, in the first key press after
    an article's suggestions arrived); focus on the list shows other keys: rebuilt."""
    from textual.widgets._footer import FooterKey

    app = tui_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()

        def shown() -> list[tuple[str, str]]:
            return [(k.key_display, k.description) for k in app.screen.query(FooterKey)]

        keys = list(app.screen.query(FooterKey))
        before = shown()
        assert ("c", "claim") in before and ("?", "keys") in before
        for _ in range(3):
            app.screen.refresh_bindings()
            await pilot.pause()
            await pilot.press("right")  # the cursor moves, the footer's keys stay
            await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets
        assert shown() == before
        app.screen.article_list.focus()
        await pilot.pause()
        await pilot.pause()
        assert shown() != before  # the list's keys
        assert not any(k in keys for k in app.screen.query(FooterKey))
        app.screen.reader.focus()
        await pilot.pause()
        await pilot.pause()
        assert shown() == before


def test_fitting_drops_keys_from_the_end_but_keeps_help() -> None:
    from types import SimpleNamespace

    from tui.widgets.fitting_footer import fitting

    def key(display: str, description: str, action: str, palette: bool = False):  # type: ignore[no-untyped-def]
        return SimpleNamespace(key_display=display, description=description, action=action,
                               has_class=lambda *names: palette)

    keys = [key("s", "sentence", "select_sentence"), key("u", "undo", "undo"),
            key("c", "claim", "tag(0)"), key("?", "keys", "help"),
            key("^p", "palette", "command_palette", palette=True)]
    # widths: 11, 7, 8, 7 and the palette's 11
    assert [k.description for k in fitting(keys, 200)] == [k.description for k in keys]
    assert [k.description for k in fitting(keys, 36)] == ["sentence", "undo", "keys", "palette"]
    assert [k.description for k in fitting(keys, 20)] == ["keys", "palette"]
    assert [k.description for k in fitting(keys, 5)] == ["keys", "palette"]
