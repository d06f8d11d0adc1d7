"""Bringing work in: article files and packs, stored file by file (:func:`store_units`).

What one transaction holds is decided here and nowhere else (a faster
import may group more, but must keep these promises):

- A **unit** is one file: a report, a ``.jsonl`` of articles, a pack.  A unit
  is stored whole or not at all: a transaction only ever commits whole
  units, and a unit that fails is rolled back alone (to its ``SAVEPOINT``,
  or with the transaction when it is the first unit in it).
- The readers refuse every bad line they can foresee before it reaches the
  database (the rest of the file goes on).  A line the database refuses all
  the same fails its unit: the file is rolled back and reported with that
  line, and the batch goes on with the next file.
- Units are committed in groups: a ``COMMIT`` once the group holds
  ``batch_size`` articles or :data:`BATCH_BYTES` of text, and one at the end.

So a kill (a crash, a power cut) leaves every unit of the groups committed
before it and nothing of the group in flight: never part of a file, never
part of a pack.  Importing again is idempotent and stores the rest.

A database that can no longer be written (disk full, an I/O error, read-only,
damaged, locked past the timeout) ends the batch: the group in flight is
rolled back (SQLite may have done it already), and the report says why
(``stopped``) and which files were written but not committed
(``not_committed``); the counts cover committed files only.

Pack lines (``article.annotations``) are merged after their article by
:mod:`annotations.store.merge`, trusted as far as the unit's
:class:`~annotations.trust.PackSource` says; each pack gets a ``merges``
row (:mod:`annotations.store.merges`) and every change an event.  A pack's
article that we lack is added (and logged, so ``merge --undo`` can remove
it); one we have keeps our text.  Pack lines are read :data:`LOOKAHEAD` at a
time, and the span, status and event rows of many lines are written together
(:class:`~annotations.store.merge.MergeContext`): a unit is still stored whole
or not at all, and a row the database refuses still names its own line.
"""

from __future__ import annotations

import gc
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from annotations.model import Article
from annotations.store.articles import SearchRow, write_article, write_search_rows
from annotations.store.connection import Connection
from annotations.store.errors import StoreError
from annotations.store.merge import MergeContext, merge_article_annotations
from annotations.store.merges import finish_merge, start_merge
from annotations.store.reports import ImportReport, MergeReport
from annotations.timestamps import Clock
from annotations.trust import PackSource, Trust

BATCH_SIZE = 500  # articles per commit (a unit is never split)
#: Pack lines read ahead, so their stored spans are looked up together (MergeContext.prefetch).
LOOKAHEAD = 256
#: Text per commit: a group of large files must not grow the WAL without bound.
BATCH_BYTES = 64 * 1024 * 1024

#: SQLite errors after which nothing more can be written: the batch stops.
_FATAL = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_READONLY",
          "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL",
          "SQLITE_PERM", "SQLITE_ABORT", "SQLITE_INTERRUPT")

OnArticle = Callable[[Article, str], None]


@dataclass
class Unit:
    """One file to store whole or not at all: its name, its articles, how far its packs are trusted.

    ``pack`` is needed for pack lines (articles with ``annotations``): without
    one they are merged trusting nobody.
    """

    name: str
    items: Iterable[Article]
    pack: PackSource | None = None


class _Stopped(Exception):
    """The database cannot be written any more: the batch ends."""

    def __init__(self, error: StoreError, lost: list[str]) -> None:
        super().__init__(str(error))
        self.lost = lost


def _fatal(cx: Connection, e: BaseException) -> bool:
    if not cx.conn.in_transaction:
        return True  # SQLite rolled the whole transaction back itself
    if isinstance(e, sqlite3.Error):
        return getattr(e, "sqlite_errorname", "").startswith(_FATAL)
    return isinstance(e, MemoryError)


class _Group:
    """The transaction in flight: the units written since the last commit."""

    def __init__(self, cx: Connection, report: ImportReport, batch_size: int,
                 on_article: OnArticle | None, clock: Clock) -> None:
        self.cx = cx
        self.report = report
        self.batch_size = batch_size
        self.on_article = on_article
        self.clock = clock
        self.pending: list[tuple[str, ImportReport]] = []
        #: Full-text rows of the new articles in flight, written just before the commit.
        self.search_rows: list[SearchRow] = []
        self.unit_search_rows: list[SearchRow] = []
        self.rows = 0
        self.chars = 0
        self.seen: set[str] = set()
        #: Where the unit being written is (file, or file:line), for a failure's message.
        self.at = ""

    def write(self, unit: Unit) -> None:
        """Store one unit; a failure of its own rolls back it alone and the batch goes on."""
        cx = self.cx
        try:
            c = cx.conn if cx.conn.in_transaction else cx.begin()
        except StoreError as e:  # locked past the timeout, read-only ...
            raise _Stopped(e, [unit.name]) from e
        # A savepoint only when earlier units are in flight: the first unit of a
        # transaction is rolled back with the transaction.  Inside a savepoint
        # SQLite first copies every page it changes to a sub-journal, which made
        # the span inserts of a merge twice as slow (measured), so there is no
        # savepoint per line either.
        nested = bool(self.pending)
        part = ImportReport()
        self.at = unit.name
        self.unit_search_rows = []
        try:
            if nested:
                c.execute("SAVEPOINT unit")
            n = self._articles(c, unit, part)
            if nested:
                c.execute("RELEASE unit")  # can fail too: SQLite may write pages out here
        except Exception as e:  # noqa: BLE001 - a unit's failure never ends the batch
            if _fatal(cx, e):
                self._stop(e, unit.name)
            if nested:
                c.execute("ROLLBACK TO unit")
                c.execute("RELEASE unit")
            else:
                cx.rollback()
            self.report.failed += 1
            whole = "" if self.at == unit.name else f"; nothing of {unit.name} was stored"
            self.report.errors.append(f"{self.at}: not stored: {_reason(e)}{whole}")
            return
        except BaseException:
            cx.rollback()
            raise
        self.pending.append((unit.name, part))
        self.search_rows.extend(self.unit_search_rows)
        self.rows += max(n, 1)
        if self.rows >= self.batch_size or self.chars >= BATCH_BYTES:
            self.commit()

    def commit(self) -> None:
        if self.cx.conn.in_transaction:
            try:
                write_search_rows(self.cx.conn, self.search_rows)
                self.cx.conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._stop(e)
        for _name, part in self.pending:
            self.report.add(part)
        self.pending.clear()
        self.search_rows.clear()
        self.rows = self.chars = 0

    def _stop(self, e: BaseException, current: str | None = None) -> None:
        self.cx.rollback()
        lost = [name for name, _ in self.pending] + ([current] if current else [])
        self.pending.clear()
        self.search_rows.clear()
        error = self.cx.friendly(e) if isinstance(e, sqlite3.Error) else StoreError(_reason(e))
        raise _Stopped(error, lost) from e

    def _articles(self, c: sqlite3.Connection, unit: Unit, part: ImportReport) -> int:
        """Write a unit's articles; returns how many there were."""
        ctx: MergeContext | None = None
        n = 0
        items = iter(unit.items)
        try:
            while window := list(itertools.islice(items, LOOKAHEAD)):
                lines = [art.annotations for art in window if art.annotations is not None]
                if lines and ctx is None:
                    source = unit.pack or PackSource(unit.name, Trust())
                    ctx = MergeContext(source.trust, self.clock, start_merge(c, source))
                if ctx is not None:
                    # Another file's lines may change spans (a changed text re-anchors
                    # them): then each line looks its spans up itself.
                    whole = len(lines) == len(window)
                    ctx.prefetch(c, lines if whole else [],
                                 [art.id for art in window] if whole else [])
                n += self._window(c, unit, part, ctx, window)
            if ctx is not None:
                ctx.flush(c)  # the rows of the last lines (see MergeContext)
        except sqlite3.Error:
            if ctx is not None and ctx.failed_at:
                self.at = ctx.failed_at  # a held row refused: its line, not the current one
            raise
        if ctx is not None and unit.pack is not None:
            finish_merge(c, ctx.merge_id, unit.pack)
        return n

    def _window(self, c: sqlite3.Connection, unit: Unit, part: ImportReport,
                ctx: MergeContext | None, window: list[Article]) -> int:
        """Write the articles read ahead; returns how many there were."""
        for art in window:
            self.chars += len(art.text)
            if art.annotations is None and art.id in self.seen:
                part.failed += 1
                part.errors.append(f"{art.path or art.id}: duplicate article id {art.id!r} "
                                   "in this batch; the first one was kept")
                self._told(art, "failed")
                continue
            self.seen.add(art.id)
            self.at = _where(art, unit.name)
            outcome = self._article(c, art, part, ctx, unit.name)
            self._told(art, outcome)
        return len(window)

    def _article(self, c: sqlite3.Connection, art: Article, part: ImportReport,
                 ctx: MergeContext | None, source: str) -> str:
        rows = self.unit_search_rows
        if art.annotations is None or ctx is None:
            return write_article(c, art, part, search_rows=rows)
        outcome = write_article(c, art, part, pack=True, search_rows=rows)
        if outcome == "failed":
            return outcome
        if part.merge is None:
            part.merge = MergeReport()
        if outcome == "imported":  # logged first: undone last, after its spans
            ctx.changes.append(("article.merge", art.id, art.id, None,
                                {"id": art.id, "text_sha256": art.text_sha256}))
            part.merge.articles_added += 1
        # A new article's text is ours: no need to read it back.
        merge_article_annotations(c, art, art.annotations, art.path or source, ctx,
                                  part.merge, art.text if outcome == "imported" else None)
        return outcome

    def _told(self, art: Article, outcome: str) -> None:
        if self.on_article is not None:
            self.on_article(art, outcome)


def _where(art: Article, unit: str) -> str:
    line = (art.annotations or {}).get("line")
    path = art.path or unit
    return f"{path}:{line}" if line else path


def _reason(e: BaseException) -> str:
    text = " ".join(str(e).split())[:300]
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is stored.

    Every parsed line is a few dozen dicts and lists that live until their
    rows are written, long enough to set off full collections: about 0.1 s,
    7 %, of a 2,000-line pack import (measured, ``gc.callbacks``).  An import
    makes no reference cycles, so reference counting frees what it drops; the
    collector runs as usual once the batch is over.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def store_units(
    cx: Connection,
    units: Iterable[Unit],
    *,
    on_article: OnArticle | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> ImportReport:
    """Store files of articles and packs, unit by unit (see the module docstring).

    ``now``: the merging clock (pack times more than a day after it are refused).
    """
    report = ImportReport()
    group = _Group(cx, report, batch_size, on_article, Clock(now))
    try:
        with _collector_paused():
            for unit in units:
                group.write(unit)
            group.commit()
    except _Stopped as stop:
        report.stopped = str(stop)
        report.not_committed = stop.lost
    except BaseException:
        cx.rollback()
        raise
    return report


def units_by_path(articles: Iterable[Article], trust: Trust) -> Iterator[Unit]:
    """Articles as units: a run of articles from one path is one file."""
    for path, group in itertools.groupby(articles, key=lambda a: a.path):
        name = path or "articles"
        yield Unit(name, group, PackSource(name, trust))


def import_articles(
    cx: Connection,
    articles: Iterable[Article],
    *,
    trust: Trust | None = None,
    on_article: OnArticle | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Insert or update articles by id; idempotent.

    Unchanged text is a no-op; changed text updates the article and
    re-anchors its spans (``ok`` / ``moved`` / ``orphaned``).  Pack lines
    (``article.annotations``) are merged after their article, changing only
    the records ``trust`` vouches for (default: nobody's).  Consecutive
    articles with the same ``path`` are one unit.
    """
    return store_units(cx, units_by_path(articles, trust or Trust()), on_article=on_article,
                       batch_size=batch_size)


def merge_docs(cx: Connection, docs: Iterable[tuple[Article, dict[str, Any], str]], *,
               trust: Trust, now: datetime | None = None) -> MergeReport:
    """Merge pack records ``(article, annotations, source)``; see :mod:`annotations.store.merge`.

    Records from one source are one unit.  Lines the database refused, and a
    stop, are counted as rejected with their messages.
    """

    def attached(group: Iterable[tuple[Article, dict[str, Any], str]]) -> Iterator[Article]:
        for art, ann, _src in group:
            art.annotations = ann if ann is not None else {}
            yield art

    units = (Unit(src, attached(group), PackSource(src, trust))
             for src, group in itertools.groupby(docs, key=lambda doc: doc[2]))
    report = store_units(cx, units, now=now)
    merged = report.merge or MergeReport()
    merged.rejected += report.failed
    merged.messages.extend(report.errors)
    if report.stopped:
        merged.rejected += 1
        merged.messages.append(report.stopped)
    return merged
