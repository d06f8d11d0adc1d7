"""Snapshots (pytest-textual-snapshot) of the annotate screen, help, and a hostile article,
at 120x36 and at 80x24 (with the review screen too).

Fixed terminal size, frozen store clock (times shown in the span details),
no cursor blink, no notifications.  Update with ``--snapshot-update`` after
checking the picture.
"""

from __future__ import annotations

from annotations.model import Article
from annotations.store import Store

SIZE = (120, 36)


def at(text: str, needle: str) -> int:
    return text.index(needle)


def add_spans(store: Store) -> None:
    """All three labels, a nested overlap, a crossing overlap and a note."""
    text = store.get_article("harbor").text
    store.add_span("harbor", "ana", "context", at(text, "The city"), at(text, "worth") + 5)
    store.add_span("harbor", "ana", "claim", at(text, "Acme Ltd."), at(text, "Acme Ltd.") + 9,
                   note="Check the company register")
    store.add_span("harbor", "ana", "denial", at(text, "The U.S. firm"), at(text, "doing.") + 6)
    store.add_span("harbor", "ana", "claim", at(text, "firm denied"), at(text, "firm denied") + 11)
    store.add_span("harbor", "ana", "claim", at(text, "\u201cWe followed"),
                   at(text, "said Jane") + 4)
    store.add_span("harbor", "ana", "denial", at(text, "rule,"), at(text, "Jane Doe") + 8)
    store.add_span("harbor", "ana", "context", at(text, "Critics"), len(text))
    store.add_span("harbor", "bob", "denial", at(text, "Officials"), at(text, "comment.") + 8)


def test_snapshot_annotate_screen(tui_frozen_clock, tui_store, tui_app, snap_compare):
    add_spans(tui_store)
    tui_store.set_status("minister", "ana", "done")
    assert snap_compare(tui_app(), terminal_size=SIZE, press=["tab", "tab"])


def test_snapshot_help_screen(tui_frozen_clock, tui_store, tui_app, snap_compare):
    assert snap_compare(tui_app(), terminal_size=SIZE, press=["question_mark"])


def test_snapshot_markup_article(tui_frozen_clock, tmp_path, tui_app, snap_compare):
    hostile = "[Reuters] [bold]Loud[/] [/] [@click=app.quit]x[/] \x1b[2J \x1b]0;t\x07"
    text = (
        f"{hostile}\n"
        "\n"
        "The agency said [b]nothing[/b] and \x1b[31mred\x1b[0m text stayed plain.\n"
        "\n"
        "A note and a name with markup are shown as typed."
    )
    store = Store.open(tmp_path / "markup.db")
    store.import_articles([Article(id="wire", title=hostile, text=text, source="[Reuters]",
                                   published="2024-01-01")])
    start = at(text, "[b]nothing[/b]")
    store.add_span("wire", "[b]ana[/]", "claim", start, start + len("[b]nothing[/b]"),
                   note="[@click=app.quit]note[/]")
    app = tui_app(store=store, annotator="[b]ana[/]")
    try:
        assert snap_compare(app, terminal_size=SIZE, press=["tab"])
    finally:
        store.close()


# --------------------------------------------------------- 80x24 (#13 item 11)
SMALL = (80, 24)


def test_snapshot_annotate_screen_80x24(tui_frozen_clock, tui_store, tui_app, snap_compare):
    """The list starts hidden, the reader has the width, the footer fits."""
    add_spans(tui_store)
    assert snap_compare(tui_app(), terminal_size=SMALL, press=["tab", "tab"])


def test_snapshot_annotate_screen_80x24_list_back(tui_frozen_clock, tui_store, tui_app,
                                                  snap_compare):
    """L brings the list back at 80 columns."""
    add_spans(tui_store)
    assert snap_compare(tui_app(), terminal_size=SMALL, press=["L"])


def test_snapshot_teammates_spans_80x24(tui_frozen_clock, tui_store, tui_app, snap_compare):
    """T: bob's and cy's spans washed faintly under ana's, named below hers in the list."""
    text = tui_store.get_article("harbor").text
    tui_store.add_span("harbor", "ana", "claim", at(text, "Acme Ltd."), at(text, "Acme Ltd.") + 9)
    tui_store.add_span("harbor", "bob", "denial", at(text, "The U.S. firm"),
                       at(text, "wrongdoing.") + 11, note="checked")
    tui_store.add_span("harbor", "cy", "claim", at(text, "The city"), at(text, "worth") + 5)

    async def toggles(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("T", "tab")
        await pilot.pause()
        pilot.app.clear_notifications()  # T says what it shows; the picture is the screen

    assert snap_compare(tui_app(), terminal_size=SMALL, run_before=toggles)


def test_snapshot_help_screen_80x24(tui_frozen_clock, tui_store, tui_app, snap_compare):
    """One column of keys; a description that wraps stays in its column."""
    assert snap_compare(tui_app(), terminal_size=SMALL, press=["question_mark"])


def test_snapshot_review_screen_80x24(tui_frozen_clock, tui_store, tui_app, snap_compare):
    from annotations import review as core
    from tests.test_tui_review import AGAINST, reviewer_app, seed, span_of

    places = seed(tui_store)
    core.accept_agreed(tui_store, "harbor", "rita", AGAINST)
    core.reject(tui_store, span_of(tui_store, "bob", places["label"][0]).id, "rita")
    assert snap_compare(reviewer_app(tui_app), terminal_size=SMALL, press=["tab"] * 2)
