"""The :class:`Store` facade: the one entry point the TUI, the CLI and the core use.

Each method hands its arguments to the module that holds the work (named in
the method) with the open :class:`~annotations.store.connection.Connection`.
The facade is also the error boundary: every public method carries
:func:`guarded`, so a caller sees :class:`StoreError` and never a raw
``sqlite3`` error — a damaged page is only found when a query reaches it, in
any read, and the CLI and the TUI then catch one clear error type.

Why it is over 500 lines: it is one thin method per public operation (some
66, each a signature, a docstring and one delegating line); the work lives in
the modules it names, and splitting the entry point would undo its purpose.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import sqlite_utils

from annotations.model import (
    Article,
    ArticleRow,
    ExportDoc,
    Relation,
    Span,
    Status,
    StatusRecord,
)
from annotations.relation_types import RelationType
from annotations.search import Match, Query, SearchResult, Snippet, parse
from annotations.store import (
    articles,
    events,
    history,
    ingest,
    merges,
    reads,
    reviews,
    spans,
    suggestions,
)
from annotations.store import search as searching
from annotations.store.connection import Connection, open_connection
from annotations.store.events import Event
from annotations.store.ingest import Unit
from annotations.store.reports import ImportReport, MergeReport, UnmergeReport
from annotations.store.spans import UNSET, SpanWindow
from annotations.store.suggestions import Rejection
from annotations.trust import Trust

P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Let a public method raise only :class:`StoreError`, never a raw sqlite3 error.

    A returned generator is guarded while it is iterated too (exports and the
    article list stream their rows, so their queries run after the call).
    """

    def call(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = method(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise self.connection.friendly(e) from e
        if isinstance(result, Generator):
            return cast(R, _guard_iteration(self.connection, result))
        return result

    functools.update_wrapper(call, method)
    return call


def _guard_iteration(
    cx: Connection, gen: Generator[Any, None, None]
) -> Generator[Any, None, None]:
    try:
        yield from gen
    except sqlite3.Error as e:
        raise cx.friendly(e) from e


class Store:
    """A stancemark database.  Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # ---------------------------------------------------- the open connection
    @property
    def conn(self) -> sqlite3.Connection:
        return self.connection.conn

    @property
    def db(self) -> sqlite_utils.Database:
        return self.connection.db

    @guarded
    def overlapped_commit(self) -> AbstractContextManager[None]:
        """A block in which a write returns while its commit syncs on a helper thread;
        leaving the block waits for it (see :meth:`Connection.overlapped`)."""
        return self.connection.overlapped()

    @property
    def path(self) -> Path:
        return self.connection.path

    @property
    def read_only(self) -> bool:
        return self.connection.read_only

    @property
    def lock_wait(self) -> float:
        """Seconds a write waits for another process's write lock before it raises
        :class:`WriterBusy` (:data:`LOCK_TIMEOUT` unless set lower)."""
        return self.connection.lock_wait

    @lock_wait.setter
    def lock_wait(self, seconds: float) -> None:
        self.connection.lock_wait = seconds

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
    ) -> Store:
        """Open (and create or migrate) a database, with clear errors for bad files.

        ``read_only`` opens the file as SQLite does a file it may not write:
        reads work, every write raises :class:`StoreError`.
        """
        return cls(open_connection(path, create=create, read_only=read_only))

    @guarded
    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @guarded
    def total_changes(self) -> int:
        """Rows this connection has written since it opened (grows with every write)."""
        return self.connection.total_changes()

    @guarded
    def checkpoint(self) -> None:
        """Copy the WAL into the database file without waiting on readers (idle time)."""
        self.connection.checkpoint()

    @guarded
    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live refresh."""
        return self.connection.data_version()

    # ------------------------------------------------- articles (ingest, articles)
    @guarded
    def import_articles(
        self,
        articles: Iterable[Article],
        *,
        trust: Trust | None = None,
        on_article: Callable[[Article, str], None] | None = None,
        batch_size: int = ingest.BATCH_SIZE,
    ) -> ImportReport:
        """Insert or update articles by id (idempotent); pack lines are merged too,
        changing only the records ``trust`` vouches for (default: nobody's)."""
        return ingest.import_articles(self.connection, articles, trust=trust,
                                      on_article=on_article, batch_size=batch_size)

    @guarded
    def store_units(
        self,
        units: Iterable[Unit],
        *,
        on_article: Callable[[Article, str], None] | None = None,
        batch_size: int = ingest.BATCH_SIZE,
        now: datetime | None = None,
    ) -> ImportReport:
        """Store files of articles and packs, each whole or not at all (see :mod:`ingest`)."""
        return ingest.store_units(self.connection, units, on_article=on_article,
                                  batch_size=batch_size, now=now)

    @guarded
    def get_article(self, article_id: str) -> Article | None:
        return articles.get_article(self.connection, article_id)

    @guarded
    def article_sha(self, article_id: str) -> str | None:
        """The stored text's SHA-256: a cheap check that an open text is current."""
        return articles.article_sha(self.connection, article_id)

    @guarded
    def article_ids(self) -> list[str]:
        return articles.article_ids(self.connection)

    @guarded
    def count_articles(self) -> int:
        return articles.count_articles(self.connection)

    @guarded
    def list_articles(
        self,
        annotator: str,
        *,
        status: str | None = None,
        label: str | None = None,
        search: str | None = None,
        fulltext: str | None = None,
        limit: int | None = None,
    ) -> list[ArticleRow]:
        """Titles, dates, sources, this annotator's counts per label and status."""
        return articles.list_articles(self.connection, annotator, status=status, label=label,
                                      search=search, fulltext=fulltext, limit=limit)

    @guarded
    def titles(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The titles of these articles (ids not stored are left out), in one query."""
        return articles.titles(self.connection, article_ids)

    @guarded
    def article_row(self, article_id: str, annotator: str) -> ArticleRow | None:
        """The list row of one article (refreshing one line after an edit)."""
        return articles.article_row(self.connection, article_id, annotator)

    @guarded
    def next_article(
        self, annotator: str, after: str | None = None, *, not_done: bool = True
    ) -> str | None:
        """The next article (in list order) after ``after``, wrapping around."""
        return articles.next_article(self.connection, annotator, after, not_done=not_done)

    @guarded
    def previous_article(self, after: str | None) -> str | None:
        return articles.previous_article(self.connection, after)

    @guarded
    def save_position(self, annotator: str, article_id: str, cursor: int) -> None:
        """Where this person left off (article and cursor offset)."""
        articles.save_position(self.connection, annotator, article_id, cursor)

    @guarded
    def position(self, annotator: str) -> tuple[str, int] | None:
        return articles.position(self.connection, annotator)

    # ---------------------------------------------- spans, statuses, relations
    @guarded
    def spans(
        self,
        article_id: str,
        annotator: str | Sequence[str] | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Span]:
        """Spans of one article in text order (optionally of some annotators)."""
        return spans.spans(self.connection, article_id, annotator,
                           include_deleted=include_deleted)

    @guarded
    def span_window(self, article_id: str, annotator: str, lo: int, hi: int,
                    text_length: int) -> SpanWindow:
        """The spans a reader showing ``text[lo:hi]`` needs first, and the counts of
        all (:class:`~annotations.store.spans.SpanWindow`)."""
        return spans.span_window(self.connection, article_id, annotator, lo, hi, text_length)

    @guarded
    def spans_starting(self, article_id: str, annotator: str, first: int | None,
                       end: int | None, limit: int | None = None) -> list[Span]:
        """Live spans of ``annotator`` starting in ``[first, end)`` (None: no bound), in
        text order, the first ``limit`` of them."""
        return spans.spans_starting(self.connection, article_id, annotator, first, end, limit)

    @guarded
    def get_span(self, span_id: str) -> Span | None:
        return spans.get_span(self.connection, span_id)

    @guarded
    def annotator_spans(self, annotator: str, *, include_deleted: bool = False) -> list[Span]:
        """Every span of one person (per-annotator query)."""
        return spans.annotator_spans(self.connection, annotator, include_deleted=include_deleted)

    @guarded
    def orphaned_spans(self, annotator: str, article_id: str | None = None) -> list[Span]:
        return spans.orphaned_spans(self.connection, annotator, article_id)

    @guarded
    def articles_with_spans(self, annotators: Sequence[str]) -> set[str]:
        """Ids of the articles where any of these annotators has a live span."""
        return spans.articles_with_spans(self.connection, annotators)

    @guarded
    def annotators(self) -> list[str]:
        return spans.annotators(self.connection)

    @guarded
    def add_span(
        self,
        article_id: str,
        annotator: str,
        label: str,
        start: int,
        end: int,
        *,
        note: str | None = None,
        attributes: dict[str, Any] | None = None,
        actor: str | None = None,
        span_id: str | None = None,
        text_sha256: str | None = None,
    ) -> Span:
        """Tag ``text[start:end]``; committed on return.

        ``text_sha256``: the hash of the text the offsets were chosen in; if the
        stored text is another one the write raises :class:`StaleText`.
        """
        return spans.add_span(self.connection, article_id, annotator, label, start, end,
                              note=note, attributes=attributes, actor=actor, span_id=span_id,
                              text_sha256=text_sha256)

    @guarded
    def update_span(
        self,
        span_id: str,
        annotator: str,
        *,
        label: str | None = None,
        start: int | None = None,
        end: int | None = None,
        note: str | None = UNSET,
        attributes: dict[str, Any] | None = None,
        actor: str | None = None,
        text_sha256: str | None = None,
    ) -> Span:
        """Relabel, move, annotate; only the span's own annotator may (``text_sha256``: as
        for :meth:`add_span`)."""
        return spans.update_span(self.connection, span_id, annotator, label=label, start=start,
                                 end=end, note=note, attributes=attributes, actor=actor,
                                 text_sha256=text_sha256)

    @guarded
    def delete_span(self, span_id: str, annotator: str, *, actor: str | None = None,
                    text_sha256: str | None = None) -> Span:
        """Tombstone a span (kept for merges and undo; ``text_sha256``: as for
        :meth:`add_span`)."""
        return spans.delete_span(self.connection, span_id, annotator, actor=actor,
                                 text_sha256=text_sha256)

    @guarded
    def status(self, article_id: str, annotator: str) -> Status:
        return spans.status(self.connection, article_id, annotator)

    @guarded
    def statuses(self, article_id: str | None = None) -> list[StatusRecord]:
        return spans.statuses(self.connection, article_id)

    @guarded
    def set_status(
        self, article_id: str, annotator: str, status: Status, *, actor: str | None = None
    ) -> None:
        spans.set_status(self.connection, article_id, annotator, status, actor=actor)

    @guarded
    def add_relation(
        self,
        article_id: str,
        annotator: str,
        label: str,
        from_span: str,
        to_span: str,
        *,
        types: Sequence[RelationType] | None = None,
        actor: str | None = None,
        relation_id: str | None = None,
        text_sha256: str | None = None,
    ) -> Relation:
        """Link two live spans of ``annotator`` (refused, with the reason, when ``types``
        does not allow it); committed on return (``text_sha256``: as for :meth:`add_span`)."""
        return spans.add_relation(self.connection, article_id, annotator, label, from_span,
                                  to_span, types=types, actor=actor, relation_id=relation_id,
                                  text_sha256=text_sha256)

    @guarded
    def delete_relation(self, relation_id: str, annotator: str, *,
                        actor: str | None = None, text_sha256: str | None = None) -> Relation:
        """Tombstone a relation (kept for merges and undo; ``text_sha256``: as for
        :meth:`add_span`)."""
        return spans.delete_relation(self.connection, relation_id, annotator, actor=actor,
                                     text_sha256=text_sha256)

    @guarded
    def get_relation(self, relation_id: str) -> Relation | None:
        return spans.get_relation(self.connection, relation_id)

    @guarded
    def relations(
        self,
        article_id: str,
        annotator: str | Sequence[str] | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Relation]:
        """Relations of one article (optionally of some annotators)."""
        return spans.relations(self.connection, article_id, annotator,
                               include_deleted=include_deleted)

    # ------------------------------------------------------------ suggestions
    @guarded
    def reject_suggestion(self, article_id: str, annotator: str, start: int, end: int,
                          label: str, source: str, *, actor: str | None = None,
                          text_sha256: str | None = None) -> Rejection:
        """Remember that ``annotator`` said no to the suggestion on ``text[start:end]``
        (undoable; ``text_sha256``: as for :meth:`add_span`); see
        :mod:`~annotations.store.suggestions`."""
        return suggestions.reject(self.connection, article_id, annotator, start, end, label,
                                  source, actor=actor, text_sha256=text_sha256)

    @guarded
    def suggestion_rejections(self, annotator: str,
                              article_id: str | None = None) -> list[Rejection]:
        """This annotator's rejected suggestions (of one article), oldest first."""
        return suggestions.rejections(self.connection, annotator, article_id)

    @guarded
    def add_spans(self, article_id: str, annotator: str,
                  items: Sequence[tuple[str, int, int, dict[str, Any]]], *,
                  actor: str | None = None, text_sha256: str | None = None) -> list[Span]:
        """Store ``(label, start, end, attributes)`` as spans of ``annotator`` in one
        transaction, skipping those already there; returns the spans added
        (``text_sha256``: as for :meth:`add_span`)."""
        return suggestions.add_spans(self.connection, article_id, annotator, items, actor=actor,
                                     text_sha256=text_sha256)

    # ---------------------------------------------------- history (events)
    @guarded
    def undo(self, annotator: str, *, shown: tuple[str, str] | None = None) -> Event | None:
        """Revert this person's latest action (survives restarts: it is in ``events``).

        ``shown``: the (article id, text SHA-256) on screen; undoing a span or relation
        of that article while its stored text is another one raises :class:`StaleText`.
        """
        return history.undo(self.connection, annotator, shown=shown)

    @guarded
    def redo(self, annotator: str, *, shown: tuple[str, str] | None = None) -> Event | None:
        """Re-apply the action most recently undone (until a new action is made;
        ``shown`` as for :meth:`undo`)."""
        return history.redo(self.connection, annotator, shown=shown)

    @guarded
    def events(self, annotator: str | None = None, limit: int = 100) -> list[Event]:
        return events.events(self.connection, annotator, limit)

    # --------------------------------------------------------------- reviews
    @guarded
    def record_review(
        self, article_id: str, reviewer: str, span_id: str, decision: str,
        gold_span: str | None = None, *, undoable: bool = False,
    ) -> None:
        """Append a decision to ``reviews`` (``undoable``: also an undoable action)."""
        reviews.record_review(self.connection, article_id, reviewer, span_id, decision,
                              gold_span, undoable=undoable)

    @guarded
    def reviews(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Decisions in the order they were made (the latest per span and reviewer counts)."""
        return reviews.reviews(self.connection, article_id)

    @guarded
    def accept_into_gold(self, span_id: str, reviewer: str, *,
                         text_sha256: str | None = None) -> Span:
        """Copy a span into ``gold`` recording its source and reviewer (undoable;
        ``text_sha256`` as for :meth:`add_span`)."""
        return reviews.accept_into_gold(self.connection, span_id, reviewer, text_sha256)

    @guarded
    def accept_relation_into_gold(self, relation_id: str, reviewer: str, *,
                                  types: Sequence[RelationType] | None = None,
                                  text_sha256: str | None = None) -> Relation:
        """Copy a relation and the gold spans it needs into ``gold`` (one undoable action;
        ``text_sha256`` as for :meth:`add_span`)."""
        return reviews.accept_relation_into_gold(self.connection, relation_id, reviewer,
                                                 types=types, text_sha256=text_sha256)

    # ----------------------------------------------------- merge (ingest)
    @guarded
    def merge_docs(self, docs: Iterable[tuple[Article, dict[str, Any], str]], *, trust: Trust,
                   now: datetime | None = None) -> MergeReport:
        """Merge pack records ``(article, annotations, source)``, changing only the records
        ``trust`` vouches for; see :mod:`~annotations.store.merge`."""
        return ingest.merge_docs(self.connection, docs, trust=trust, now=now)

    @guarded
    def undo_merge(self, sha256: str, by: str) -> UnmergeReport:
        """Revert what the merges of the pack with this SHA-256 changed (``merge --undo``)."""
        return merges.undo_merge(self.connection, sha256, by)

    @guarded
    def merges(self, sha256: str | None = None) -> list[dict[str, Any]]:
        """The merges recorded (who, which pack and its SHA-256, vouched names), oldest first."""
        return merges.merges(self.connection, sha256)

    # ---------------------------------------------------------- read models
    @guarded
    def stats(self) -> dict[str, Any]:
        return reads.stats(self.connection)

    @guarded
    def export_docs(
        self,
        *,
        annotators: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        status: str = "any",
        article_ids: Sequence[str] | None = None,
        include_orphaned: bool = False,
        include_deleted: bool = False,
        with_empty: bool = True,
        counters: dict[str, int] | None = None,
    ) -> Generator[ExportDoc, None, None]:
        """Articles with their chosen spans, streamed in export order (see :mod:`reads`)."""
        return reads.export_docs(
            self.connection, annotators=annotators, labels=labels, status=status,
            article_ids=article_ids, include_orphaned=include_orphaned,
            include_deleted=include_deleted, with_empty=with_empty, counters=counters,
        )

    @guarded
    def agreement_inputs(
        self, annotators: Sequence[str] | None = None
    ) -> tuple[dict[str, str], list[Span], list[tuple[str, str]]]:
        """Texts, live spans and done marks of the articles these annotators touched."""
        return reads.agreement_inputs(self.connection, annotators)

    @guarded
    def agreement_relations(self, annotators: Sequence[str] | None = None) -> list[Relation]:
        """Live relations of these annotators (everyone's by default), for agreement."""
        return reads.agreement_relations(self.connection, annotators)

    @guarded
    def iter_article_rows(
        self, annotator: str, *, batch_size: int = 2000
    ) -> Generator[ArticleRow, None, None]:
        """Every list row, in list order, streamed (see :func:`reads.iter_article_rows`)."""
        return reads.iter_article_rows(self.connection, annotator, batch_size=batch_size)

    # ---------------------------------------------------------------- search
    @guarded
    def search(self, query: str | Query, annotator: str, *, limit: int | None = None,
               offset: int = 0, count: bool = True) -> SearchResult:
        """The hits of a search query, best first (see :mod:`annotations.search`).

        A string is parsed first: a malformed one raises
        :class:`~annotations.search.QueryError` (one line), never a store error.
        ``limit`` / ``offset``: one page of ids; ``count=False``: no total for a
        full page (``None``).
        """
        q = parse(query) if isinstance(query, str) else query
        return searching.search(self.connection, q, annotator, limit=limit, offset=offset,
                                count=count)

    @guarded
    def search_page(self, query: str | Query, annotator: str, first: int,
                    width: int = 120) -> tuple[SearchResult, dict[str, Snippet]]:
        """The first ``first`` hits (total ``None`` when there are more) with their
        snippets, in fewer queries than :meth:`search` and :meth:`search_snippets`."""
        q = parse(query) if isinstance(query, str) else query
        return searching.search_page(self.connection, q, annotator, first, width)

    @guarded
    def search_matches(self, query: str | Query, article_id: str) -> list[Match]:
        """Every match of the query's words in one article (code-point offsets)."""
        q = parse(query) if isinstance(query, str) else query
        return searching.matches(self.connection, q, article_id)

    @guarded
    def search_snippets(self, query: str | Query, article_ids: Sequence[str],
                        width: int = 120) -> dict[str, Snippet]:
        """A one-line snippet per article around its first match."""
        q = parse(query) if isinstance(query, str) else query
        return searching.snippets(self.connection, q, article_ids, width)

    @guarded
    def interrupt(self) -> None:
        """Stop the query running on this store's connection (from another thread);
        that query raises :class:`StoreError`."""
        searching.interrupt(self.connection)
