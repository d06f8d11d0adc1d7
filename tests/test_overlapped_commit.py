"""Store.overlapped_commit: a write returns while its COMMIT syncs on a helper thread;
leaving the block means committed and durable, and a failed commit raises there."""

from __future__ import annotations

import threading

import pytest

from annotations.model import Article
from annotations.store import Store, StoreError

TEXT = "The mayor said the bridge is safe. Engineers disagree."


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "o.db"
    s = Store.open(p)
    s.import_articles([Article(id="a", text=TEXT, path="a.txt")])
    s.close()
    return p


def test_leaving_the_block_means_committed(path) -> None:
    store, other = Store.open(path), Store.open(path)
    threads: list[str] = []
    original = store.connection._commit

    def commit() -> None:
        threads.append(threading.current_thread().name)
        original()

    store.connection._commit = commit
    with store.overlapped_commit():
        span = store.add_span("a", "ana", "claim", 0, 3)
        # Any use of the connection waits for the commit first.
        assert [s.id for s in store.spans("a", "ana")] == [span.id]
        second = store.add_span("a", "ana", "claim", 4, 9)
    assert {s.id for s in other.spans("a", "ana")} == {span.id, second.id}
    assert len(threads) == 2 and all(t.startswith("stancemark-commit") for t in threads)
    assert store.connection._pending is None
    store.close()
    other.close()


def test_a_failed_commit_raises_when_leaving_and_rolls_back(path) -> None:
    store = Store.open(path)
    cx = store.connection

    def failing() -> None:
        cx.rollback()
        raise StoreError(f"{cx.path}: disk full")

    cx._commit = failing
    with pytest.raises(StoreError, match="disk full"), store.overlapped_commit():
        store.add_span("a", "ana", "claim", 0, 3)
    del cx._commit
    assert store.spans("a", "ana") == []
    store.add_span("a", "ana", "claim", 0, 3)  # the connection goes on
    assert len(Store.open(path).spans("a", "ana")) == 1
    store.close()


def test_outside_the_block_commits_stay_on_the_caller(path) -> None:
    store = Store.open(path)
    store.add_span("a", "ana", "claim", 0, 3)
    assert store.connection._pending is None and store.connection._committer is None
    store.close()
