"""Another process holds the write lock: the annotator says so, stays responsive, gives up.

Issue 14, section 6: the TUI froze with no message for as long as another
process held the write lock (70-100 s seen; the retry loop allowed 25 min).
Now a write waits on the key press for :data:`FIRST_TRY_SECONDS`, then in a
worker thread while the screen shows "waiting for another writer…", lets the
user read and move, holds further edits, and commits when the lock is free or
gives up after the documented timeout.  The lock is held by a real second
process in ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.labels import DEFAULT_LABELS
from annotations.model import Article
from annotations.store import LOCK_TIMEOUT, Store, WriterBusy
from tui.screens import tagging
from tui.screens.tagging import FIRST_TRY_SECONDS, TaggingScreen
from tui.widgets.write_wait import WAITING, WriteWait

SIZE = (120, 36)
TEXT = "Analysts said costs rose.\n\nThe operator firmly denied any wrongdoing."
QUOTE = "Analysts said costs rose."

LOCKER = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
"""


class Locker:
    """A second process holding the database's write lock until :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "t.db")
    s.import_articles([Article(id="fares", title="Fares", text=TEXT)])
    yield s
    s.close()


@pytest.fixture
def locker(store: Store) -> Iterator[Locker]:
    held = Locker(store.path)
    yield held
    held.release()


@pytest.fixture
def no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tagging, "POLL_SECONDS", 3600.0)


def app_for(store: Store):  # type: ignore[no-untyped-def]
    from tui.app import StancemarkApp

    return StancemarkApp(store=store, annotator="ana", labels=list(DEFAULT_LABELS),
                         start_article="fares")


def banner(screen: TaggingScreen) -> str:
    wait = screen.query_one(WriteWait)
    return str(wait.render()) if wait.has_class("-waiting") else ""


async def until(pilot, condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


# ------------------------------------------------------------------ the store
def test_a_write_gives_up_after_the_lock_wait_with_one_line(store: Store, locker: Locker) -> None:
    assert store.lock_wait == LOCK_TIMEOUT == 60.0  # the documented default
    store.lock_wait = 0.3
    started = time.monotonic()
    with pytest.raises(WriterBusy) as e:
        store.add_span("fares", "ana", "claim", 0, 8)
    assert 0.25 <= time.monotonic() - started < 2.0
    assert "another process has held the database's write lock" in str(e.value)
    assert "nothing was written" in str(e.value) and "\n" not in str(e.value)
    locker.release()
    assert store.spans("fares") == []
    assert store.add_span("fares", "ana", "claim", 0, 8).text == "Analysts"


def test_the_reading_position_never_waits(store: Store, locker: Locker) -> None:
    """Saved at idle by the annotator's poll: it must not stall the screen for the lock."""
    started = time.monotonic()
    with pytest.raises(WriterBusy):
        store.save_position("ana", "fares", 3)
    assert time.monotonic() - started < 0.2
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000  # restored
    locker.release()
    store.save_position("ana", "fares", 3)
    assert store.position("ana") == ("fares", 3)


# -------------------------------------------------------------------- the TUI
@pytest.mark.anyio
async def test_a_tag_waits_for_another_writer_and_the_screen_stays_alive(
    store: Store, locker: Locker, no_poll: None,
) -> None:
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TaggingScreen)
        assert store.lock_wait == FIRST_TRY_SECONDS  # the key press waits this long at most
        screen.reader.select_offsets(0, len(QUOTE))
        started = time.monotonic()
        await pilot.press("c")
        await pilot.pause()
        assert WAITING in banner(screen) and "your tag is saved when it finishes" in banner(screen)
        assert time.monotonic() - started < 1.0  # said within a second of the key press
        assert screen.pending_write == "tag" and store.spans("fares") == []
        # Reading and moving go on.
        cursor = screen.reader.cursor_location
        await pilot.press("down")
        assert screen.reader.cursor_location != cursor
        # Edits, article changes and a first quit are held, with a notice.
        for key in ("x", "u", "right_square_bracket", "q"):
            await pilot.press(key)
        await pilot.pause()
        assert app.is_running and screen.article is not None and screen.article.id == "fares"
        messages = " ".join(n.message for n in app._notifications)
        assert "Still waiting for another writer to save your tag" in messages
        assert "press q again to quit without it" in messages
        locker.release()  # the other writer commits: ours goes through
        await until(pilot, lambda: screen.pending_write is None)
        await pilot.pause()
        assert banner(screen) == ""
        [span] = store.spans("fares", "ana")
        assert span.text == QUOTE and span.id in screen.index.by_id
        assert any("Saved your tag" in n.message for n in app._notifications)
        await pilot.press("x")  # edits go on at once: the span under the cursor, relabelled
        await pilot.pause()
    [span] = store.spans("fares", "ana")
    assert span.label == "context"
    # Held while waiting, so never made: no undo, no second tag, nothing else.
    assert [e.action for e in store.events("ana", limit=10)] == ["span.update", "span.add"]


@pytest.mark.anyio
async def test_a_link_and_an_unlink_wait_for_another_writer(
    store: Store, no_poll: None,
) -> None:
    """Relation writes take the same path as a tag: said at once, saved once the lock is
    free, edits held meanwhile."""
    claim = store.add_span("fares", "ana", "claim", 0, len(QUOTE))
    denial = store.add_span("fares", "ana", "denial", TEXT.index("The operator"), len(TEXT))
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TaggingScreen)
        screen.reader.goto(denial.start + 1)
        await pilot.pause()
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.linker.target is not None and screen.linker.target.id == claim.id
        locker = Locker(store.path)
        try:
            await pilot.press("enter")
            await pilot.pause()
            assert screen.pending_write == "link"
            assert "your link is saved when it finishes" in banner(screen)
            assert store.relations("fares") == []
            # The picking is over: reading and moving go on, another link waits.
            assert not screen.linker.active and app.focused is screen.reader
            await pilot.press("greater_than_sign")
            await pilot.pause()
            assert not screen.linker.active
            locker.release()
            await until(pilot, lambda: screen.pending_write is None)
            await pilot.pause()
            [rel] = store.relations("fares", "ana")
            assert (rel.label, rel.from_span, rel.to_span) == ("rebuts", denial.id, claim.id)
            assert [link.relation.id for link in screen.links.links_of(claim.id)] == [rel.id]
            # Unlinking from the span panel waits the same way.
            await pilot.press("o")
            panel = screen.panel
            for _ in range(panel.row_count()):
                if panel.link_at(panel.current_id) is not None:
                    break
                await pilot.press("down")
            locker = Locker(store.path)
            await pilot.press("backspace")
            await pilot.pause()
            assert screen.pending_write == "unlink"
            assert store.get_relation(rel.id).deleted_at is None
            locker.release()
            await until(pilot, lambda: screen.pending_write is None)
            await pilot.pause()
            assert store.get_relation(rel.id).deleted_at is not None
            assert screen.links.links_of(claim.id) == []
        finally:
            locker.release()
    assert [e.action for e in store.events("ana", limit=2)] == ["relation.delete",
                                                                "relation.add"]


@pytest.mark.anyio
async def test_a_waiting_write_gives_up_with_a_clear_message(
    store: Store, locker: Locker, no_poll: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TaggingScreen, "WRITE_TIMEOUT", 1.5)
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.reader.select_offsets(0, len(QUOTE))
        await pilot.press("c")
        await until(pilot, lambda: screen.pending_write is None)
        await pilot.pause()
        assert banner(screen) == ""
        assert any("Gave up after 2 s" in n.message and "was NOT saved" in n.message
                   for n in app._notifications)
        assert store.spans("fares") == []
        locker.release()
        await pilot.press("c")  # the lock is free again: saved on the key press
        await pilot.pause()
        assert screen.pending_write is None
    [span] = store.spans("fares")
    assert span.text == QUOTE


@pytest.mark.anyio
async def test_quitting_while_waiting_stops_the_worker(
    store: Store, locker: Locker, no_poll: None,
) -> None:
    app = app_for(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.reader.select_offsets(0, len(QUOTE))
        await pilot.press("c")
        await pilot.pause()
        assert screen.pending_write == "tag"
        await pilot.press("q")
        assert app.is_running
        await pilot.press("q")
    deadline = time.monotonic() + 5
    while any(t.name == "stancemark-write" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the waiting write did not stop"
        time.sleep(0.05)
    locker.release()
    assert store.spans("fares") == []  # not saved, as the quit said
