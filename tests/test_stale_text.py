"""A tag can never be stored at offsets of a text that is no longer the stored one.

Issue 14, section 2: another process re-imported the open article with a
changed text, and a tag pressed before the next refresh poll was stored at the
old offsets in the new text (a claim on "Analysts said costs rose." stored as
".\\n\\nThe operator firmly de").  Every write from the TUI carries the
``text_sha256`` it was made against and the store refuses a write whose hash is
not current (:class:`StaleText`); the screen reloads and re-anchors the
selection by its quote.  Relation writes (link, unlink, a link's acceptance into
gold, undo / redo of a link) carry it too: their spans were picked in that text.
So do the suggestions' writes (#16: an accepted suggestion, a rejection, its undo,
``suggest --apply``): they were worked out in that text.

The TUI tests use a real second process (``stancemark import``) that changes the
text after the screen loaded it and before the key press; the poll never runs
(its interval is an hour here), so nothing but the store's check can catch it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.model import GOLD, Article, sha256_text
from annotations.store import StaleText, Store
from annotations.suggest.settings import OFF, SuggestSettings
from tui.screens import tagging
from tui.screens.annotate import AnnotateScreen
from tui.screens.review import ReviewScreen

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 36)

OLD = "Analysts said costs rose.\n\nThe operator firmly denied any wrongdoing."
#: A paragraph in front: every old offset now points at other words.
NEW = "Breaking: fares rise again.\n\n" + OLD
QUOTE = "Analysts said costs rose."


#: The second process of most tests: the store's own import, without the CLI around it.
IMPORTER = (
    "import sys\n"
    "from annotations.model import Article\n"
    "from annotations.store import Store\n"
    "with Store.open(sys.argv[1]) as store:\n"
    "    report = store.import_articles([Article(id=sys.argv[2], title='Fares',\n"
    "                                            text=sys.stdin.read())])\n"
    "print(report.updated)\n"
)


def reimport(db: Path, folder: Path, text: str, article_id: str = "fares", *,
             cli: bool = False) -> None:
    """Another process re-imports the article with ``text``: ``stancemark import`` (``cli``)
    or the store's import."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cli:
        path = folder / f"{article_id}.txt"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "tui.cli", "import", "--db", str(db),
                               str(path)], capture_output=True, text=True, env=env, cwd=folder,
                              timeout=60)
        assert done.returncode == 0 and "updated 1" in done.stderr, done.stderr
        return
    done = subprocess.run([sys.executable, "-c", IMPORTER, str(db), article_id], input=text,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "t.db")
    s.import_articles([Article(id="fares", title="Fares", text=OLD)])
    return s


# ------------------------------------------------------------------ the store
def test_every_write_with_an_old_hash_is_refused_and_writes_nothing(store: Store) -> None:
    old_sha = sha256_text(OLD)
    start = OLD.index("firmly")
    span = store.add_span("fares", "ana", "denial", start, start + 6, text_sha256=old_sha)
    gold = store.add_span("fares", "bob", "claim", 0, len(QUOTE))
    store.import_articles([Article(id="fares", title="Fares", text=NEW)])  # re-anchored
    before = store.spans("fares", include_deleted=True)
    events = len(store.events(limit=1000))
    refused = [
        lambda: store.add_span("fares", "ana", "claim", 0, len(QUOTE), text_sha256=old_sha),
        lambda: store.update_span(span.id, "ana", label="claim", text_sha256=old_sha),
        lambda: store.update_span(span.id, "ana", note="n", text_sha256=old_sha),
        lambda: store.update_span(span.id, "ana", start=0, end=4, text_sha256=old_sha),
        lambda: store.delete_span(span.id, "ana", text_sha256=old_sha),
        lambda: store.undo("ana", shown=("fares", old_sha)),
        lambda: store.accept_into_gold(gold.id, "rita", text_sha256=old_sha),
    ]
    for write in refused:
        with pytest.raises(StaleText, match="changed in another process") as e:
            write()
        assert e.value.article_id == "fares" and "\n" not in str(e.value)
    assert store.spans("fares", include_deleted=True) == before
    assert len(store.events(limit=1000)) == events
    # With the current hash (or none) the same writes go through.
    new_sha = sha256_text(NEW)
    added = store.add_span("fares", "ana", "claim", NEW.index(QUOTE),
                           NEW.index(QUOTE) + len(QUOTE), text_sha256=new_sha)
    assert added.text == QUOTE
    assert store.undo("ana", shown=("fares", new_sha)) is not None
    assert store.redo("ana", shown=("fares", new_sha)) is not None
    assert store.accept_into_gold(gold.id, "rita", text_sha256=new_sha).annotator == GOLD


DENIAL = "The operator firmly denied any wrongdoing."


def test_every_relation_write_with_an_old_hash_is_refused_and_writes_nothing(
        store: Store) -> None:
    """Linking, unlinking, a relation's acceptance into gold, and undo / redo of a link:
    each carries the hash of the text its spans were picked in, as the span writes do."""
    old_sha = sha256_text(OLD)
    claim = store.add_span("fares", "ana", "claim", 0, len(QUOTE))
    denial = store.add_span("fares", "ana", "denial", OLD.index(DENIAL), len(OLD))
    other = store.add_span("fares", "ana", "context", 0, 8)
    linked = store.add_relation("fares", "ana", "rebuts", denial.id, claim.id,
                                text_sha256=old_sha)
    b_claim = store.add_span("fares", "bob", "claim", 0, len(QUOTE))
    b_denial = store.add_span("fares", "bob", "denial", OLD.index(DENIAL), len(OLD))
    theirs = store.add_relation("fares", "bob", "rebuts", b_denial.id, b_claim.id)
    store.import_articles([Article(id="fares", title="Fares", text=NEW)])  # re-anchored
    tables = ("spans", "relations", "events", "reviews")

    def everything() -> list[list[tuple]]:
        return [store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in tables]

    before = everything()
    refused = [
        lambda: store.add_relation("fares", "ana", "supports", other.id, claim.id,
                                   text_sha256=old_sha),
        lambda: store.delete_relation(linked.id, "ana", text_sha256=old_sha),
        lambda: store.accept_relation_into_gold(theirs.id, "rita", text_sha256=old_sha),
        # ana's latest action is the link: its undo is refused against the old text
        lambda: store.undo("ana", shown=("fares", old_sha)),
    ]
    for write in refused:
        with pytest.raises(StaleText, match="changed in another process") as e:
            write()
        assert e.value.article_id == "fares"
    assert everything() == before
    # With the current hash the same writes go through; a redo is refused in turn.
    new_sha = sha256_text(NEW)
    assert store.undo("ana", shown=("fares", new_sha)).action == "relation.add"
    assert store.get_relation(linked.id).deleted_at is not None
    with pytest.raises(StaleText):
        store.redo("ana", shown=("fares", old_sha))
    assert store.redo("ana", shown=("fares", new_sha)).action == "relation.add"
    assert store.get_relation(linked.id).deleted_at is None
    added = store.add_relation("fares", "ana", "supports", other.id, claim.id,
                               text_sha256=new_sha)
    assert store.delete_relation(added.id, "ana", text_sha256=new_sha).deleted_at is not None
    gold = store.accept_relation_into_gold(theirs.id, "rita", text_sha256=new_sha)
    assert gold.annotator == GOLD
    assert {NEW[s.start:s.end] for s in store.spans("fares", GOLD)} == {QUOTE, DENIAL}


def test_suggestion_writes_with_an_old_hash_are_refused_and_write_nothing(
        store: Store) -> None:
    """A rejection (#16), its undo and ``suggest --apply``'s spans carry the hash of the
    text the suggestion was worked out in, as a tag does."""
    old_sha = sha256_text(OLD)
    store.reject_suggestion("fares", "ana", OLD.index(DENIAL), len(OLD), "denial", "cues",
                            text_sha256=old_sha)
    store.import_articles([Article(id="fares", title="Fares", text=NEW)])
    tables = ("spans", "suggestion_rejections", "events")

    def everything() -> list[list[tuple]]:
        return [store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in tables]

    before = everything()
    refused = [
        lambda: store.reject_suggestion("fares", "ana", 0, len(QUOTE), "claim", "cues",
                                        text_sha256=old_sha),
        lambda: store.add_spans("fares", "model", [("denial", OLD.index(DENIAL), len(OLD), {})],
                                text_sha256=old_sha),
        # ana's latest action is the rejection: its undo is refused against the old text
        lambda: store.undo("ana", shown=("fares", old_sha)),
    ]
    for write in refused:
        with pytest.raises(StaleText, match="changed in another process") as e:
            write()
        assert e.value.article_id == "fares"
    assert everything() == before
    new_sha = sha256_text(NEW)
    assert store.undo("ana", shown=("fares", new_sha)).action == "suggestion.reject"
    assert store.suggestion_rejections("ana") == []
    [added] = store.add_spans("fares", "model", [("denial", NEW.index(DENIAL), len(NEW), {})],
                              text_sha256=new_sha)
    assert added.text == DENIAL
    rejected = store.reject_suggestion("fares", "ana", 0, len(QUOTE), "claim", "cues",
                                       text_sha256=new_sha)
    assert rejected.quote == NEW[:len(QUOTE)]


def test_undo_of_another_article_is_not_held_back(store: Store) -> None:
    store.import_articles([Article(id="other", text="Another report entirely.")])
    store.add_span("other", "ana", "claim", 0, 7)
    assert store.undo("ana", shown=("fares", "not the hash")) is not None


def test_the_check_adds_no_query_to_the_tag_path(store: Store) -> None:
    """The hash is compared on the read that validates the text cache: same statements."""
    store.add_span("fares", "ana", "claim", 0, 8)  # text cached, status in progress
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.add_span("fares", "ana", "claim", 0, 8)
    plain = list(statements)
    statements.clear()
    store.add_span("fares", "ana", "claim", 9, 13, text_sha256=sha256_text(OLD))
    store.conn.set_trace_callback(None)
    assert [q.split(" ", 2)[:2] for q in statements] == [q.split(" ", 2)[:2] for q in plain]


def test_an_article_knows_its_stored_hash_without_hashing_again(store: Store) -> None:
    article = store.get_article("fares")
    assert article is not None and article._sha is not None
    assert article.text_sha256 == sha256_text(OLD)
    article.text = NEW  # a new text object: hashed again, never the old hash
    assert article.text_sha256 == sha256_text(NEW)



def test_an_article_read_again_takes_its_kept_text_only_while_stored(
        store: Store, tmp_path: Path) -> None:
    """get_article takes the text from the texts kept when the stored hash is theirs (no
    1 MB read again), and reads it when another process changed it."""
    first = store.get_article("fares")
    assert first is not None and first.text == OLD
    again = store.get_article("fares")
    assert again is not None and again.text is first.text  # kept, not read again
    assert again.title == "Fares" and again.text_sha256 == sha256_text(OLD)
    reimport(tmp_path / "t.db", tmp_path, NEW)
    changed = store.get_article("fares")
    assert changed is not None and changed.text == NEW
    assert changed.text_sha256 == sha256_text(NEW) and changed.title == "Fares"
    assert store.get_article("nope") is None


# -------------------------------------------------------------------- the TUI
@pytest.fixture
def no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refresh poll never runs during the test: only the store's check can help."""
    monkeypatch.setattr(tagging, "POLL_SECONDS", 3600.0)


def app_for(store: Store, **kwargs: object):  # type: ignore[no-untyped-def]
    """The annotator on ``fares``; suggestions off unless a test asks for them."""
    from annotations.labels import DEFAULT_LABELS
    from tui.app import StancemarkApp

    kwargs.setdefault("annotator", "ana")
    kwargs.setdefault("suggest", OFF)
    return StancemarkApp(store=store, labels=list(DEFAULT_LABELS), start_article="fares",
                         **kwargs)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_tag_pressed_after_another_process_changed_the_text(
    store: Store, tmp_path: Path, no_poll: None,
) -> None:
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen) and screen.article is not None
        assert screen.article.text == OLD
        screen.reader.select_offsets(0, len(QUOTE))
        await pilot.pause()
        reimport(store.path, tmp_path, NEW, cli=True)  # between the load and the key press
        await pilot.press("c")
        await pilot.pause()
        # Nothing stored at the old offsets: nothing stored at all.
        assert store.spans("fares") == []
        # The new text is shown and the selection sits on the same words.
        assert screen.article.text == NEW
        assert screen.reader.selection_offsets() == (NEW.index(QUOTE),
                                                     NEW.index(QUOTE) + len(QUOTE))
        shown = [n.message for n in app._notifications]
        assert any("changed in another process: nothing was saved" in m
                   and "where its words are now" in m for m in shown), shown
        await pilot.press("c")  # pressed again: tags the new text
        await pilot.pause()
    [span] = store.spans("fares")
    assert (span.start, span.end, span.text) == (NEW.index(QUOTE), NEW.index(QUOTE) + len(QUOTE),
                                                 QUOTE)
    assert NEW[span.start:span.end] == QUOTE


@pytest.mark.anyio
async def test_a_selection_whose_words_are_gone_is_dropped(
    store: Store, tmp_path: Path, no_poll: None,
) -> None:
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.reader.select_offsets(0, len(QUOTE))
        reimport(store.path, tmp_path, "A different story altogether, told in other words.")
        await pilot.press("d")
        await pilot.pause()
        assert screen.reader.selection_offsets() is None
        assert any("no longer in it and was dropped" in n.message for n in app._notifications)
    assert store.spans("fares") == []


@pytest.mark.anyio
@pytest.mark.parametrize("key", ["d", "backspace", "u", "n"])
async def test_relabel_delete_undo_and_note_on_a_changed_text(
    store: Store, tmp_path: Path, no_poll: None, key: str,
) -> None:
    """The span under the cursor was placed in the old text: the key reloads, saves nothing."""
    first = OLD.index("firmly")
    span = store.add_span("fares", "ana", "claim", first, first + 6)
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.reader.goto(first + 1)
        await pilot.pause()
        assert screen.current_span == span.id
        reimport(store.path, tmp_path, NEW)
        events = len(store.events(limit=1000))
        await pilot.press(key)
        await pilot.pause()
        if key == "n":  # the note dialog opens; the save carries the hash it opened on
            await pilot.press(*"typed", "enter")
            await pilot.pause()
        assert screen.article.text == NEW
        assert len(store.events(limit=1000)) == events  # nothing written
        assert any("nothing was saved" in n.message for n in app._notifications)
        if key == "n":  # the draft is offered again on the new text
            from tui.screens.note import NoteScreen

            assert isinstance(app.screen, NoteScreen)
    [now] = store.spans("fares", include_deleted=True)
    assert (now.label, now.deleted_at, now.note) == ("claim", None, None)
    assert NEW[now.start:now.end] == "firmly"  # moved by the import, never by the key


@pytest.mark.anyio
async def test_the_review_screen_accepts_only_against_the_text_shown(
    store: Store, tmp_path: Path, no_poll: None,
) -> None:
    store.add_span("fares", "ana", "claim", 0, len(QUOTE))
    store.add_span("fares", "bob", "denial", 0, len(QUOTE))
    app = app_for(store, annotator="rita", review_against=["ana", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("tab")
        reimport(store.path, tmp_path, NEW)
        await pilot.press("a")
        await pilot.pause()
        assert store.spans("fares", GOLD) == []
        assert screen.article is not None and screen.article.text == NEW
        await pilot.press("tab", "a")
        await pilot.pause()
    [gold] = store.spans("fares", GOLD)
    assert NEW[gold.start:gold.end] == QUOTE


@pytest.mark.anyio
@pytest.mark.parametrize("how", ["link", "unlink", "undo"])
async def test_linking_unlinking_and_undoing_a_link_on_a_changed_text(
    store: Store, tmp_path: Path, no_poll: None, how: str,
) -> None:
    """The spans of a link were picked in the old text: the key reloads, saves nothing."""
    claim = store.add_span("fares", "ana", "claim", 0, len(QUOTE))
    denial = store.add_span("fares", "ana", "denial", OLD.index(DENIAL), len(OLD))
    if how != "link":
        store.add_relation("fares", "ana", "rebuts", denial.id, claim.id)
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        screen.reader.goto(denial.start + 1)
        await pilot.pause()
        assert screen.current_span == denial.id
        if how == "link":
            await pilot.press("greater_than_sign")
            await pilot.pause()
            assert screen.linker.target is not None and screen.linker.target.id == claim.id
        elif how == "unlink":
            await pilot.press("o")
            panel = screen.panel
            for _ in range(panel.row_count()):
                if panel.link_at(panel.current_id) is not None:
                    break
                await pilot.press("down")
            assert panel.link_at(panel.current_id) is not None
        reimport(store.path, tmp_path, NEW)
        before = store.conn.execute("SELECT * FROM relations").fetchall()
        events = len(store.events(limit=1000))
        await pilot.press({"link": "enter", "unlink": "backspace", "undo": "u"}[how])
        await pilot.pause()
        assert screen.article is not None and screen.article.text == NEW
        assert store.conn.execute("SELECT * FROM relations").fetchall() == before
        assert len(store.events(limit=1000)) == events  # nothing written
        assert any("nothing was saved" in n.message for n in app._notifications)
        assert not screen.linker.active
        if how == "link":  # pressed again on the new text: linked
            screen.reader.goto(NEW.index(DENIAL) + 1)
            await pilot.pause()
            await pilot.press("greater_than_sign", "enter")
            await pilot.pause()
            [rel] = store.relations("fares", "ana")
            assert (rel.label, rel.from_span, rel.to_span) == ("rebuts", denial.id, claim.id)


@pytest.mark.anyio
async def test_the_review_screen_accepts_a_relation_only_against_the_text_shown(
    store: Store, tmp_path: Path, no_poll: None,
) -> None:
    for who, kind in (("ana", "rebuts"), ("bob", None)):
        c = store.add_span("fares", who, "claim", 0, len(QUOTE))
        d = store.add_span("fares", who, "denial", OLD.index(DENIAL), len(OLD))
        if kind:
            store.add_relation("fares", who, kind, d.id, c.id)
    app = app_for(store, annotator="rita", review_against=["ana", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("tab")  # the spans agree: the link only ana made
        await pilot.pause()
        assert screen.current_item in screen.relation_items
        reimport(store.path, tmp_path, NEW)
        await pilot.press("a")
        await pilot.pause()
        assert store.relations("fares", GOLD) == [] and store.spans("fares", GOLD) == []
        assert screen.article is not None and screen.article.text == NEW
        assert any("nothing was saved" in n.message for n in app._notifications)
        await pilot.press("tab")
        await pilot.pause()
        assert screen.current_item in screen.relation_items
        await pilot.press("a")
        await pilot.pause()
    [gold] = store.relations("fares", GOLD)
    assert gold.label == "rebuts"
    assert {NEW[s.start:s.end] for s in store.spans("fares", GOLD)} == {QUOTE, DENIAL}


async def suggested(pilot, screen: AnnotateScreen) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    """The open article's suggestions, once they have arrived."""
    for _ in range(200):
        await pilot.pause(0.02)
        index = screen.suggesting.index
        if index is not None:
            return [(s.start, s.end, s.label) for s in index.ordered]
    raise AssertionError("no suggestions arrived")


@pytest.mark.anyio
@pytest.mark.parametrize("key", ["a", "x", "r"])
async def test_a_suggestion_accepted_or_rejected_after_another_process_changed_the_text(
    store: Store, tmp_path: Path, no_poll: None, key: str,
) -> None:
    """``a``, a label key on a suggestion and ``r`` (#16): the suggestion was worked out in
    the old text, so the key reloads and saves nothing; on the new text's suggestion the
    same key saves at the new offsets."""
    app = app_for(store, suggest=SuggestSettings(model=False), suggest_in_process=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert await suggested(pilot, screen) == [(OLD.index(DENIAL), len(OLD), "denial")]
        screen.reader.goto(OLD.index(DENIAL) + 1)  # on it: a label key accepts it
        await pilot.pause()
        reimport(store.path, tmp_path, NEW)
        events = len(store.events(limit=1000))
        await pilot.press(key)
        await pilot.pause()
        assert screen.article is not None and screen.article.text == NEW
        assert store.spans("fares") == [] and store.suggestion_rejections("ana") == []
        assert len(store.events(limit=1000)) == events  # nothing written
        assert any("nothing was saved" in n.message for n in app._notifications)
        assert await suggested(pilot, screen) == [(NEW.index(DENIAL), len(NEW), "denial")]
        screen.reader.goto(NEW.index(DENIAL) + 1)
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    if key == "r":
        [rejected] = store.suggestion_rejections("ana", "fares")
        assert (rejected.start, rejected.end, rejected.quote) == (NEW.index(DENIAL), len(NEW),
                                                                 DENIAL)
        assert store.spans("fares") == []
    else:
        [span] = store.spans("fares", "ana")
        assert (span.label, span.start, span.end) == ("denial" if key == "a" else "context",
                                                     NEW.index(DENIAL), len(NEW))
        assert NEW[span.start:span.end] == DENIAL
        assert span.attributes["suggestion"]["source"] == "cues"
