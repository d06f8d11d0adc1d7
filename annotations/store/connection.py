"""Opening a database file and holding it open: pragmas, transactions, errors.

One file, WAL mode, foreign keys on, a busy timeout, ``synchronous = FULL``.
Every write is one short transaction from :meth:`Connection.tx`, which takes
the write lock up front (``BEGIN IMMEDIATE``) so several processes can share
a file without a read-to-write upgrade failing with ``database is locked``,
and which commits before it returns: a crash or ``kill -9`` after a write
loses nothing.

:meth:`Connection.overlapped` lets a caller go on while a write's ``COMMIT``
(its fsync) runs on a helper thread, and waits for it at the end of the block:
leaving the block means committed and durable, as a plain write's return does.
Until then, any use of the connection (``conn``, ``db``, the next write) waits
for that commit first, so nothing ever runs beside it on the connection.

While another process holds the write lock, a write waits for it at most
:attr:`Connection.lock_wait` seconds (:data:`LOCK_TIMEOUT`, 60 s, unless the
owner sets less) and then raises :class:`WriterBusy` with nothing written.
The annotator sets a short wait on its own connection and moves a write that
would wait longer to a worker thread (see ``tui/screens/tagging.py``).

:func:`open_connection` turns every way a file can be wrong (missing folder,
a folder, junk, another program's SQLite file, a newer schema, read-only
media) into one clear :class:`StoreError` naming the file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from annotations.store.errors import StoreError, WriterBusy
from annotations.store.schema import ensure_schema

BUSY_TIMEOUT_MS = 30_000
WAL_AUTOCHECKPOINT = 10_000  # pages
TEXTS_KEPT = 2  # article texts kept in memory by articles.article_text
DEFAULT_DB = "stancemark.db"
#: Seconds a write waits, at most, for another process's write lock before it gives up.
LOCK_TIMEOUT = 60.0
BEGIN_RETRY_SECONDS = 0.05  # between BEGIN IMMEDIATE tries that came back busy


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, then ``STANCEMARK_DB``, then ``./stancemark.db``."""
    if db:
        return Path(db)
    env = os.environ.get("STANCEMARK_DB")
    return Path(env) if env else Path(DEFAULT_DB)


class Connection:
    """An open stancemark file: the sqlite3 connection and what belongs to it.

    ``conn`` runs the store's SQL; ``db`` is the same connection seen through
    sqlite-utils (schema work, low-traffic writes); ``texts`` caches the last
    article texts read (see :func:`annotations.store.articles.article_text`).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only
        self._db = sqlite_utils.Database(conn)
        #: The last texts read, by article id: (SHA-256, text), least recent first.
        self.texts: dict[str, tuple[str, str]] = {}
        self._lock_wait = LOCK_TIMEOUT
        self._overlap = False  # inside overlapped(): a COMMIT goes to the helper thread
        self._pending: Future[None] | None = None  # that COMMIT, until settle()
        self._committer: ThreadPoolExecutor | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The sqlite3 connection (once a commit still running on the helper thread is done)."""
        if self._pending is not None:
            self.settle()
        return self._conn

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection seen through sqlite-utils (as :attr:`conn`, after any commit
        still running)."""
        if self._pending is not None:
            self.settle()
        return self._db

    @contextmanager
    def overlapped(self) -> Iterator[None]:
        """Within the block, a write's ``COMMIT`` runs on a helper thread while this
        thread goes on (SQLite leaves the interpreter free while it syncs the file); leaving
        the block waits for it and raises its :class:`StoreError` if it failed (rolled back).

        The annotator shows a tag while its commit syncs, and its key press returns
        only after the block, so the press still returns once the tag is durable.
        """
        self._overlap = True
        try:
            yield
        finally:
            self._overlap = False
            self.settle()

    def settle(self) -> None:
        """Wait for a commit running on the helper thread; raise its error, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    @property
    def lock_wait(self) -> float:
        """Seconds a write waits for another process's write lock before :class:`WriterBusy`."""
        return self._lock_wait

    @lock_wait.setter
    def lock_wait(self, seconds: float) -> None:
        self._lock_wait = max(0.0, float(seconds))
        # SQLite's own wait (inside one BEGIN) never outlasts ours.
        wait_ms = min(BUSY_TIMEOUT_MS, int(self._lock_wait * 1000))
        self.conn.execute(f"PRAGMA busy_timeout = {wait_ms}")

    @contextmanager
    def tx(self, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed on exit.

        Taking the write lock (:meth:`begin`) is retried until :attr:`lock_wait`
        seconds (or ``wait``, for this transaction) have passed; then
        :class:`WriterBusy`, and nothing was written.
        """
        c = self.begin(wait)
        try:
            yield c
        except sqlite3.Error as e:
            self.rollback()
            raise self.friendly(e) from e
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def begin(self, wait: float | None = None) -> sqlite3.Connection:
        """``BEGIN IMMEDIATE``: the write lock up front, retried while another writer holds
        it, for :attr:`lock_wait` seconds (or ``wait``); then :class:`WriterBusy`."""
        c = self.conn
        started = time.monotonic()
        patience = self._lock_wait if wait is None else wait
        if wait is not None and wait != self._lock_wait:
            c.execute(f"PRAGMA busy_timeout = {min(BUSY_TIMEOUT_MS, int(wait * 1000))}")
        try:
            while True:
                try:
                    c.execute("BEGIN IMMEDIATE")
                    return c
                except sqlite3.OperationalError as e:
                    if "locked" not in str(e) and "busy" not in str(e):
                        raise self.friendly(e) from e
                    waited = time.monotonic() - started
                    if waited >= patience:
                        raise WriterBusy(
                            f"{self.path}: another process has held the database's write "
                            f"lock for {waited:.0f} s; gave up, nothing was written") from e
                    time.sleep(BEGIN_RETRY_SECONDS)
        finally:
            if wait is not None and wait != self._lock_wait:
                c.execute(f"PRAGMA busy_timeout = "
                          f"{min(BUSY_TIMEOUT_MS, int(self._lock_wait * 1000))}")

    def commit(self) -> None:
        """Commit; a failure (a full disk) rolls back and raises :class:`StoreError`.

        Inside :meth:`overlapped` the commit starts on the helper thread and this
        returns once it is under way (see :meth:`settle`).
        """
        if not self._overlap or self._pending is not None:
            self._commit()
            return
        if self._committer is None:
            self._committer = ThreadPoolExecutor(1, thread_name_prefix="stancemark-commit")
        started = threading.Event()

        def run() -> None:
            started.set()
            self._commit()

        self._pending = self._committer.submit(run)
        # Hand the interpreter over until the thread is inside SQLite (which releases it):
        # else it would wait for this thread's switch interval (5 ms) to start at all.
        started.wait()

    def _commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as e:
            self.rollback()
            raise self.friendly(e) from e

    def rollback(self) -> None:
        """Roll back the open transaction, if SQLite has not already done so.

        After some errors (a full disk, an I/O error) SQLite rolls the whole
        transaction back by itself; a second ROLLBACK would fail with
        "cannot rollback - no transaction is active" and hide the real error.
        """
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def friendly(self, e: sqlite3.Error) -> StoreError:
        """The one-line :class:`StoreError` a user sees for a raw sqlite3 error."""
        msg = str(e)
        if getattr(e, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in msg:
            return StoreError(f"{self.path}: disk full: the database could not grow ({msg})")
        if "readonly" in msg:
            return StoreError(f"{self.path}: cannot write to the database (read-only)")
        if "malformed" in msg or "not a database" in msg:
            return StoreError(f"{self.path}: the database is damaged or corrupted ({msg})")
        return StoreError(f"{self.path}: {msg}")

    def remember_text(self, article_id: str, sha: str, text: str) -> None:
        """Keep ``text`` as the most recently used of the last ``TEXTS_KEPT`` texts."""
        texts = self.texts
        texts.pop(article_id, None)
        texts[article_id] = (sha, text)
        while len(texts) > TEXTS_KEPT:
            del texts[next(iter(texts))]

    def checkpoint(self) -> None:
        """Copy the WAL into the database file without waiting on readers (idle time)."""
        if self.read_only:
            return
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            pass

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live refresh."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def total_changes(self) -> int:
        """Rows this connection has written since it opened (grows with every write)."""
        return self.conn.total_changes

    def close(self) -> None:
        try:
            self.settle()
            self.checkpoint()
        finally:
            if self._committer is not None:
                self._committer.shutdown()
            self._conn.close()


def open_connection(
    path: str | os.PathLike[str] | None = None, *, create: bool = True, read_only: bool = False
) -> Connection:
    """Open (and create or migrate) a database, with clear errors for bad files.

    ``read_only`` opens the file as SQLite does a file it may not write:
    reads work, every write raises :class:`StoreError`.
    """
    p = resolve_db_path(path)
    if read_only:
        create = False
    if not p.parent.exists():
        raise StoreError(f"{p}: folder {p.parent} does not exist")
    if p.is_dir():
        raise StoreError(f"{p}: is a folder, not a database file")
    if not p.exists() and not create:
        raise StoreError(f"{p}: no such database")
    try:
        target = f"{p.resolve().as_uri()}?mode=ro" if read_only else str(p)
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            uri=read_only,
        )
    except sqlite3.Error as e:  # pragma: no cover - depends on the OS
        raise StoreError(f"{p}: cannot open database ({e})") from e
    cx = Connection(conn, p, read_only=read_only)
    try:
        _setup(cx)
    except sqlite3.DatabaseError as e:
        conn.close()
        msg = str(e)
        if "not a database" in msg or "malformed" in msg:
            raise StoreError(f"{p}: not a stancemark database or the file is corrupted ({msg})") from e
        if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
            raise StoreError(f"{p}: cannot write to the database ({msg})") from e
        raise StoreError(f"{p}: {msg}") from e
    except StoreError:
        conn.close()
        raise
    return cx


def _setup(cx: Connection) -> None:
    """Pragmas, a header check, then the schema check (and migration)."""
    c = cx.conn
    c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    c.execute("PRAGMA foreign_keys = ON")
    # INSERT OR REPLACE then fires the delete triggers of the row it replaces,
    # which keep the span search index exact (see store.schema).  sqlite-utils
    # sets it too; said here so it does not hang on that.
    c.execute("PRAGMA recursive_triggers = ON")
    # Checks the header: raises "file is not a database" for junk files.
    c.execute("SELECT count(*) FROM sqlite_master").fetchone()
    writable = not cx.read_only and (os.access(cx.path, os.W_OK) if cx.path.exists() else True)
    if writable:
        mode = c.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            try:
                c.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:  # pragma: no cover - e.g. read-only media
                pass
    c.execute("PRAGMA synchronous = FULL")
    # Automatic checkpoints run inside whichever commit crosses the limit,
    # adding ~10 ms to that key press; a larger limit plus checkpoints at
    # idle (``checkpoint()``, called by the TUI) and on close keeps them
    # out of the typing path.
    c.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
    ensure_schema(cx.db, cx.path, writable=writable)
