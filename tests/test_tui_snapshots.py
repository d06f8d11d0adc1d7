"""Snapshots (pytest-textual-snapshot) of the annotate screen, help, and a hostile article.

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
