"""Relations at the keyboard (checked in the ``relations`` table): linking with ``>``,
picking among several targets in no more keys than tab, refusing a pair the types do
not allow, deleting, undo / redo across a restart, orphaned ends flagged, the review of
relation disagreements, and repaints that leave no stale line."""

from __future__ import annotations

import pytest

from annotations import review as core
from annotations.model import GOLD, Article
from annotations.relation_types import DEFAULT_RELATION_TYPES
from annotations.store import Store
from tests.test_tui_repaint import assert_screen_fresh
from tui.screens.annotate import AnnotateScreen
from tui.screens.review import ReviewScreen
from tui.widgets.link_bar import LinkBar
from tui.widgets.reader import LINK_TARGET, RELATED
from tui.widgets.span_details import SpanDetails
from tui.widgets.span_panel import SpanPanel, parse_link_row

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


def place(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def rows(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT annotator, label, from_span, to_span, deleted_at IS NOT NULL FROM relations "
        "ORDER BY created_at, id").fetchall()


def harbor(store: Store) -> dict[str, str]:
    """Ana's spans on the harbor report: two claims around a denial, and a context."""
    text = store.get_article("harbor").text
    ids = {}
    for name, label, quote in [
        ("heading", "claim", "Harbor deal under scrutiny"),
        ("claim", "claim", "The city awarded Acme Ltd. a harbor contract"),
        ("denial", "denial", "The U.S. firm denied any wrongdoing."),
        ("context", "context", "Officials did not respond to requests for comment."),
        ("critics", "claim", "Critics say the process lacked transparency."),
    ]:
        ids[name] = store.add_span("harbor", "ana", label, *place(text, quote)).id
    return ids


def screen_of(app) -> AnnotateScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


async def go_to(pilot, screen: AnnotateScreen, span_id: str) -> None:  # type: ignore[no-untyped-def]
    screen.reader.goto(screen.index.by_id[span_id].start)
    await pilot.pause()
    assert screen.current_span == span_id


async def test_link_a_denial_to_a_claim_with_two_keys(tui_store, tui_app) -> None:
    ids = harbor(tui_store)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["denial"])
        cursor = screen.reader.cursor_offset
        await pilot.press("greater_than_sign")
        await pilot.pause()
        bar = screen.query_one(LinkBar)
        assert bar.linking and app.focused is bar
        shown = str(bar.render())
        assert "link from denial “The U.S. firm denied any wron…”" in shown
        assert "pick the target" in shown and "→ claim “The city awarded" in shown
        # the nearest claim before the denial is the target already: enter links it
        assert screen.linker.target is not None and screen.linker.target.id == ids["claim"]
        await pilot.press("enter")
        await pilot.pause()
        assert rows(tui_store) == [("ana", "rebuts", ids["denial"], ids["claim"], 0)]
        assert not bar.linking and app.focused is screen.reader
        assert screen.reader.cursor_offset == cursor and screen.current_span == ids["denial"]
        # The panel lists the link under both spans; the details list it; the reader marks.
        panel = screen.panel
        listed = [panel.id_at(i) for i in range(panel.row_count())]
        links = [parse_link_row(x) for x in listed if parse_link_row(x)]
        assert [(r, s) for r, s in links] == [
            (tui_store.relations("harbor")[0].id, ids["claim"]),
            (tui_store.relations("harbor")[0].id, ids["denial"])]
        assert listed.index(ids["claim"]) + 1 == listed.index(ids["denial"]) - 1
        details = screen.query_one(SpanDetails).plain
        assert "links  → rebuts claim “The city awarded Acme L…”" in details
        reader = screen.reader
        row, col = reader.lines.to_location(tui_store.get_span(ids["claim"]).start)
        style = reader.get_line(row).get_style_at_offset(app.console, col + 1)
        assert style.overline == RELATED.overline and style.bold
        row, col = reader.lines.to_location(tui_store.get_span(ids["context"]).start)
        assert not reader.get_line(row).get_style_at_offset(app.console, col + 1).overline
        # > and enter again on the same pair: already linked, nothing new.
        await pilot.press("greater_than_sign", "enter")
        await pilot.pause()
        assert len(rows(tui_store)) == 1
        await pilot.press("escape")


async def test_picking_among_several_targets_takes_no_more_keys_than_tab(tui_store,
                                                                        tui_app) -> None:
    ids = harbor(tui_store)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        denial = ids["denial"]

        def tabs_today(target: str) -> int:
            """Presses of tab or shift+tab from the denial to ``target`` (what
            ``action_jump_span`` walks: the index's neighbours, wrapping)."""
            best = []
            for step in (1, -1):
                here, n = denial, 0
                while here != target:
                    nxt = screen.index.neighbour(here, 0, step)
                    assert nxt is not None
                    here, n = nxt.id, n + 1
                best.append(n)
            return min(best)

        await go_to(pilot, screen, denial)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        picker = screen.linker
        # the candidates: the three claims (not the context, nor the denial itself), and
        # the nearest one before the denial picked first
        order = [c.id for c in picker.candidates]
        assert order == [ids["heading"], ids["claim"], ids["critics"]]
        assert picker.target is not None and picker.target.id == ids["claim"]

        def picks(target: str) -> int:
            k, n = order.index(target) - picker.pos, len(order)
            return min(k % n, -k % n)

        for name in ("heading", "claim", "critics"):
            assert picks(ids[name]) <= tabs_today(ids[name]), name
        assert [picks(ids[x]) for x in ("heading", "claim", "critics")] == [1, 0, 1]
        assert [tabs_today(ids[x]) for x in ("heading", "claim", "critics")] == [2, 1, 2]
        # The keys do what the count says: shift+tab to the heading, tab twice (wrapping
        # past the critics) to the critics, the cursor keys alike.
        for keys, name in ((["shift+tab"], "heading"), (["tab", "tab"], "critics"),
                           (["left"], "claim"), (["down"], "critics"), (["k"], "claim")):
            await pilot.press(*keys)
            await pilot.pause()
            assert picker.target is not None and picker.target.id == ids[name], keys
        await pilot.press("l")
        await pilot.pause()
        assert picker.target.id == ids["critics"]  # type: ignore[union-attr]
        row, col = screen.reader.lines.to_location(picker.target.start)  # type: ignore[union-attr]
        look = screen.reader.get_line(row).get_style_at_offset(app.console, col)
        assert look.reverse == LINK_TARGET.reverse
        await pilot.press("r")
        await pilot.pause()
        assert rows(tui_store) == [("ana", "rebuts", ids["denial"], ids["critics"], 0)]


async def test_a_wrong_pair_is_refused_and_other_keys_do_nothing_while_picking(
        tui_store, tui_app) -> None:
    ids = harbor(tui_store)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["context"])
        spans_before = tui_store.spans("harbor", "ana")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.linker.active
        await pilot.press("r")  # rebuts: denial -> claim, not context -> claim
        await pilot.pause()
        assert rows(tui_store) == [] and screen.linker.active
        assert any("Not linked: rebuts links denial -> claim, not context -> claim" in
                   n.message for n in app._notifications)
        # Label keys, delete, undo, next article, space, note: swallowed while a target is
        # picked (q, which quits otherwise, is the qualifies key here).
        await pilot.press("c", "x", "backspace", "u", "right_square_bracket", "space", "n",
                          "T")
        await pilot.pause()
        assert tui_store.spans("harbor", "ana") == spans_before and rows(tui_store) == []
        assert screen.linker.active and screen.article.id == "harbor"  # type: ignore[union-attr]
        assert tui_store.status("harbor", "ana") != "done" and not screen.show_team
        # enter with two types fitting (supports, qualifies): it says which keys choose.
        await pilot.press("enter")
        await pilot.pause()
        assert rows(tui_store) == []
        assert any("Several links fit this pair: press s supports, q qualifies" in n.message
                   for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.linker.active and rows(tui_store) == []
        # A claim starts no link.
        await go_to(pilot, screen, ids["claim"])
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert not screen.linker.active
        # Then the right key links (and the store checks the types again).
        await go_to(pilot, screen, ids["context"])
        await pilot.press("greater_than_sign", "q")
        await pilot.pause()
        assert rows(tui_store) == [("ana", "qualifies", ids["context"], ids["claim"], 0)]


async def test_delete_undo_redo_across_a_restart(tui_store, tui_app) -> None:
    ids = harbor(tui_store)
    tui_store.add_relation("harbor", "ana", "supports", ids["context"], ids["claim"])
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["denial"])
        await pilot.press("greater_than_sign", "enter")
        await pilot.pause()
        assert [r[1] for r in rows(tui_store)] == ["supports", "rebuts"]
        # Deleting the claim takes both of its links; one undo brings all three back.
        await go_to(pilot, screen, ids["claim"])
        await pilot.press("backspace")
        await pilot.pause()
        assert [r[4] for r in rows(tui_store)] == [1, 1]
        assert tui_store.get_span(ids["claim"]).deleted_at is not None
        await pilot.press("u")
        await pilot.pause()
        assert [r[4] for r in rows(tui_store)] == [0, 0]
        assert len(screen.links.shown()) == 2
        # Delete one relation from the span panel: its link row and backspace.
        await pilot.press("o")
        panel = screen.panel
        assert isinstance(app.focused, SpanPanel)
        for _ in range(panel.row_count()):
            if panel.link_at(panel.current_id) is not None:
                break
            await pilot.press("down")
        link = panel.link_at(panel.current_id)
        assert link is not None
        await pilot.press("backspace")
        await pilot.pause()
        gone = tui_store.get_relation(link.relation.id)
        assert gone is not None and gone.deleted_at is not None
        assert tui_store.get_span(link.relation.from_span).deleted_at is None  # spans stay
        await pilot.press("escape")
    # After a restart: undo brings the relation back, redo takes it again; the undo before
    # that is the link's creation (deleting the claim was undone, then dropped from the redo
    # stack by the new action).
    again = tui_app(start_article="harbor")
    async with again.run_test(size=SIZE) as pilot:
        screen = screen_of(again)
        await pilot.press("u")
        await pilot.pause()
        assert tui_store.get_relation(link.relation.id).deleted_at is None
        assert len(screen.links.shown()) == 2
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert tui_store.get_relation(link.relation.id).deleted_at is not None
        assert len(screen.links.shown()) == 1
        await pilot.press("u", "u")  # the unlinking again, then the linking
        await pilot.pause()
        assert link.relation.label == "rebuts"
        assert tui_store.get_span(ids["claim"]).deleted_at is None
        assert [(r[1], r[4]) for r in rows(tui_store)] == [("supports", 0), ("rebuts", 1)]
        assert [r.label for r in screen.links.shown()] == ["supports"]


async def test_a_link_whose_span_is_orphaned_is_flagged_not_dropped(tui_store,
                                                                   tui_app) -> None:
    ids = harbor(tui_store)
    rel = tui_store.add_relation("harbor", "ana", "rebuts", ids["denial"], ids["claim"])
    art = tui_store.get_article("harbor")
    tui_store.import_articles([Article(id="harbor", title=art.title, text=art.text.replace(
        "The city awarded Acme Ltd. a harbor contract", "Something else entirely happened"))])
    assert tui_store.get_span(ids["claim"]).anchor == "orphaned"
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        [link] = [lk for lk in screen.links.links_of(ids["denial"])]
        assert link.relation.id == rel.id and link.flag == "orphaned span"
        await go_to(pilot, screen, ids["denial"])
        assert "⚠ orphaned span" in screen.query_one(SpanDetails).plain
    assert tui_store.get_relation(rel.id).deleted_at is None


async def test_linking_repaints_without_a_stale_line(tui_store, tui_app) -> None:
    ids = harbor(tui_store)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["denial"])
        assert_screen_fresh(app, "open")
        for step in (("greater_than_sign",), ("tab",), ("tab",), ("shift+tab",), ("escape",),
                     ("greater_than_sign",), ("enter",), ("tab",), ("backspace",), ("u",),
                     ("o", "down", "down", "backspace"), ("escape",)):
            await pilot.press(*step)
            await pilot.pause()
            assert_screen_fresh(app, " ".join(step))


async def test_review_shows_a_relation_disagreement_and_accepts_it_with_its_spans(
        tui_store, tui_app) -> None:
    text = tui_store.get_article("harbor").text
    for who in ("ana", "bob"):
        c = tui_store.add_span("harbor", who, "claim", *place(text, "Critics say the process"))
        x = tui_store.add_span("harbor", who, "context", *place(text, "The contract was signed"))
        kind = "supports" if who == "ana" else "qualifies"
        tui_store.add_relation("harbor", who, kind, x.id, c.id)
    app = tui_app(annotator="rita", review_against=["ana", "bob"], start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.review is not None
        kinds = {(it.relation.annotator, it.kind) for it in screen.review.relations}
        assert kinds == {("ana", "label"), ("bob", "label")}  # the same pair linked otherwise
        listed = [screen.items_panel.id_at(i) for i in range(screen.items_panel.row_count())]
        assert set(screen.relation_items) <= set(listed)
        # tab walks to the first relation disagreement (spans agree here)
        await pilot.press("tab")
        await pilot.pause()
        item = screen.relation_items[screen.current_item]  # type: ignore[index]
        assert (item.relation.annotator, item.relation.label) == ("bob", "qualifies")
        await pilot.press("a")
        await pilot.pause()
        gold = tui_store.relations("harbor", GOLD)
        assert [r.label for r in gold] == ["qualifies"]
        assert {s.text for s in tui_store.spans("harbor", GOLD)} == {
            "Critics say the process", "The contract was signed"}
        assert screen.relation_items[item.relation.id].decision == "accept"
        progress = core.article_progress(tui_store, "harbor", "rita", ["ana", "bob"])
        assert progress == (1, 2)
        await pilot.press("u")  # one undo: the link and the two spans it brought
        await pilot.pause()
        assert tui_store.relations("harbor", GOLD) == [] and tui_store.spans("harbor",
                                                                             GOLD) == []
        await pilot.press("tab", "tab", "r")
        await pilot.pause()
        assert core.article_progress(tui_store, "harbor", "rita", ["ana", "bob"]) == (1, 2)


def test_types_used_in_the_tests_are_the_defaults() -> None:
    assert [t.key for t in DEFAULT_RELATION_TYPES] == ["r", "s", "q"]


async def test_another_process_committing_does_not_end_a_link(tui_store, tui_app,
                                                              tui_db_path) -> None:
    ids = harbor(tui_store)
    app = tui_app(start_article="harbor")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await go_to(pilot, screen, ids["denial"])
        await pilot.press("greater_than_sign", "tab")
        await pilot.pause()
        other = Store.open(tui_db_path)
        other.add_span("minister", "bob", "claim", 0, 8)  # a teammate, elsewhere
        screen.poll_changes()
        await pilot.pause()
        assert screen.linker.active and screen.linker.target.id == ids["critics"]  # type: ignore[union-attr]
        other.delete_span(ids["critics"], "ana")  # ana's other session: the target goes
        screen.poll_changes()
        await pilot.pause()
        assert screen.linker.active and [c.id for c in screen.linker.candidates] == [
            ids["heading"], ids["claim"]]
        other.delete_span(ids["denial"], "ana")  # the link's own span goes: it stops
        screen.poll_changes()
        await pilot.pause()
        assert not screen.linker.active and app.focused is screen.reader
        other.close()
        assert rows(tui_store) == []
