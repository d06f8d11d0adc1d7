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
