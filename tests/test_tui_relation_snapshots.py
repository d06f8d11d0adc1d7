"""Snapshots (pytest-textual-snapshot) of relations in the annotator: the span panel with
its link rows (one flagged: a span relabelled out of its type), the reader's marks and the
details; and the picking mode with its bar, at 120x36.  Frozen store clock, no blink, no
notifications (see test_tui_snapshots.py)."""

from __future__ import annotations

from annotations.store import Store
from tests.test_tui_snapshots import SIZE, at


def link_spans(store: Store) -> None:
    """A claim rebutted by a denial and supported by a context; a second denial that
    rebuts it too, then relabelled context (its link no longer fits: flagged)."""
    text = store.get_article("harbor").text
    claim = store.add_span("harbor", "ana", "claim", at(text, "The city"),
                           at(text, "million") + 7)
    denial = store.add_span("harbor", "ana", "denial", at(text, "The U.S. firm"),
                            at(text, "wrongdoing.") + 11)
    context = store.add_span("harbor", "ana", "context", at(text, "Officials"),
                             at(text, "comment.") + 8)
    rule = store.add_span("harbor", "ana", "denial", at(text, "\u201cWe followed"),
                          at(text, "rule,\u201d") + 6)
    store.add_relation("harbor", "ana", "rebuts", denial.id, claim.id)
    store.add_relation("harbor", "ana", "supports", context.id, claim.id)
    store.add_relation("harbor", "ana", "rebuts", rule.id, claim.id)
    store.update_span(rule.id, "ana", label="context")


def test_snapshot_span_panel_with_relations(tui_frozen_clock, tui_store, tui_app,
                                            snap_compare):
    link_spans(tui_store)
    assert snap_compare(tui_app(start_article="harbor"), terminal_size=SIZE,
                        press=["tab", "tab"])


def test_snapshot_picking_a_link_target(tui_frozen_clock, tui_store, tui_app, snap_compare):
    link_spans(tui_store)
    assert snap_compare(tui_app(start_article="harbor"), terminal_size=SIZE,
                        press=["tab", "tab", "tab", "greater_than_sign"])
