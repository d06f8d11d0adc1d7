"""The hideable left pane: the search box, a summary line and the article list.

The pane also loads its list: a small one at once (:meth:`ArticlePane.load_now`,
before the first paint), a big one streamed in batches by a worker
(:meth:`ArticlePane.stream`) so that keys and paints go on meanwhile.  Where
the rows come from is the screen's business: it hands over callables.

The search box takes the query language of :mod:`annotations.search` as it
is typed: the text is applied once the keys already sent have reached the
box, so a burst of keys (a paste, fast typing) is one query, not one per key.
A query of only ``is:`` / ``has:`` items is applied to the rows the list
holds, at once (in under a frame at 100,000 rows: see
:class:`~tui.widgets.article_list.ArticleList`).  Any other query goes to :attr:`ArticlePane.searcher`
(the screen's: the store, on a connection of its own): for a small list in
the key's own handler, else in a worker thread, where at most one search
runs at a time; a key typed meanwhile interrupts it
(:attr:`ArticlePane.interrupt`) and the newest text runs next, so however fast
one types, the list shows the hits of the latest text as soon as its query
is done.  A malformed query shows its one-line explanation in the summary
and the list keeps the last hits.  Without a searcher (the pane alone),
words filter the titles.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from annotations.model import ArticleRow, Label, Status
from annotations.search import (
    LabelItem,
    Query,
    QueryError,
    SearchResult,
    Snippet,
    StatusItem,
    TextItem,
    parse,
)
from annotations.store import StoreError
from tui.safe import one_line
from tui.widgets.article_list import ArticleFilter, ArticleList
from tui.widgets.filter_input import FilterInput

#: Lists up to this size load before the first paint; bigger ones stream in after it.
LIST_SYNC_LIMIT = 2000
#: Rows added to the list per step while streaming.
LIST_BATCH = 2000

#: Seconds a search runs before the summary says "searching…" (a quick one never
#: flickers it, and never lays the pane out twice per key).
SLOW_SEARCH = 0.3
#: Lists up to this size are searched on the app's thread, in the key's own handler: a
#: query over them takes a few milliseconds, less than handing it to a thread.
SEARCH_SYNC_LIMIT = 2000

#: Opens the rows to stream (on a read connection of their own) and closes them after.
RowStream = Callable[[], AbstractContextManager[Iterable[ArticleRow]]]
#: A search's hits and the snippets fetched with them.
Found = tuple[SearchResult, dict[str, Snippet]]
#: Runs a search (in a worker thread): the first ``n`` hits (total ``None`` when there
#: are more) and their snippets, or (``n`` is ``None``) every hit.
Searcher = Callable[[Query, int | None], Found]
#: Snippets of more hits (on the app's thread, for rows scrolled into view).
SnippetSource = Callable[[Query, Sequence[str]], dict[str, Snippet]]


def memory_filter(query: Query, labels: Sequence[str] = ()) -> ArticleFilter | None:
    """The in-memory filter that does what ``query`` asks, if it can: positive
    ``is:`` / ``has:`` items (one each), and title words; ``None`` otherwise.

    Label names match the schema's whatever their case.
    """
    words: list[str] = []
    statuses: tuple[Status, ...] = ()
    found: tuple[str, ...] = ()
    by_fold = {name.casefold(): name for name in labels}
    for group in query.groups:
        if len(group) != 1 or group[0].negated:
            return None
        atom = group[0].atom
        if isinstance(atom, StatusItem) and not statuses:
            statuses = atom.statuses
        elif isinstance(atom, LabelItem) and not found:
            found = tuple(by_fold.get(lb.casefold(), lb) for lb in atom.labels)
        elif isinstance(atom, TextItem) and not atom.term.no_space:
            words.append(atom.term.text.casefold())
        else:
            return None
    return ArticleFilter(tuple(words), statuses, found)


class ArticlePane(Vertical):
    DEFAULT_CSS = """
    ArticlePane {
        height: 1fr;
        border-right: vkey $border-blurred;

        &:focus-within {
            border-right: vkey $border;
        }

        #filter-summary {
            height: auto;
            max-height: 4;
            padding: 0 1;
            background: $panel;
        }

        #articles {
            height: 1fr;
        }
    }
    """

    @dataclass
    class SearchChanged(Message):
        """The list now shows the hits of ``query`` (``None``: every article)."""

        query: Query | None

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = list(labels)
        #: how many rows the list holds once loaded (counted when the load began)
        self.expected = 0
        #: every row is in the list (not streaming)
        self.loaded = False
        #: runs a store search (set by the screen; ``None``: words filter titles)
        self.searcher: Searcher | None = None
        #: snippets of hits scrolled into view (set by the screen)
        self.snippet_source: SnippetSource | None = None
        #: stops the search running in the worker thread (set by the screen)
        self.interrupt: Callable[[], None] | None = None
        #: the query whose result the list shows (``None``: no search)
        self.search_query: Query | None = None
        #: the text of the box when the list last showed its result (tests, benchmarks)
        self.applied_text = ""
        self._result: SearchResult | None = None
        self._error: str | None = None
        self._snippets: dict[str, Snippet] = {}
        self._lock = threading.Lock()
        self._wanted: Query | None = None
        self._generation = 0
        self._searching = False
        self._slow = False  # the running search has taken long enough to say so
        self._complete = True  # the list holds every hit (not only the first page)
        self._summary: Content | None = None
        #: Lines the summary takes (its height; 0: not shown yet).
        self._summary_lines = 0
        #: The box's latest text, not applied yet (see :meth:`on_input_changed`).
        self._typed: str | None = None
        self._apply_pending = False

    def compose(self) -> ComposeResult:
        yield FilterInput(id="filter")
        yield Static("", id="filter-summary", markup=False)
        yield ArticleList(self.labels, id="articles")

    @property
    def list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def set_rows(self, rows: Iterable[ArticleRow]) -> None:
        self.list.set_rows(rows)
        self._summarise()

    def append_rows(self, rows: Iterable[ArticleRow]) -> None:
        self.list.append_rows(rows)
        self._summarise()

    def load_now(self, expected: int, rows: Callable[[], Iterable[ArticleRow]]) -> bool:
        """Load a list of ``expected`` rows from ``rows()`` at once if it is small
        (``True``); a bigger one is left for :meth:`stream` (``False``)."""
        self.expected = expected
        if expected > LIST_SYNC_LIMIT:
            return False
        self.set_rows(rows())
        self.loaded = True
        return True

    def stream(self, open_rows: RowStream, done: Callable[[], None]) -> None:
        """Load the list in batches in a worker (replacing one still running);
        ``done()`` runs once every row is in."""
        self.loaded = False
        self.summarise(loading=self.expected)
        self.run_worker(self._stream(open_rows, done), group="article-list", exclusive=True,
                        exit_on_error=False)

    async def _stream(self, open_rows: RowStream, done: Callable[[], None]) -> None:
        with open_rows() as rows:
            self.set_rows(())
            batch: list[ArticleRow] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= LIST_BATCH:
                    self.append_rows(batch)
                    self.summarise(loading=self.expected)
                    batch = []
                    await asyncio.sleep(0.001)  # let keys and paints through
            self.append_rows(batch)
        self.loaded = True
        self.summarise()
        done()

    # ------------------------------------------------------------ the search
    @property
    def text(self) -> str:
        return self.query_one(FilterInput).value

    def set_filter_text(self, text: str) -> None:
        box = self.query_one(FilterInput)
        if box.value != text:
            box.value = text  # Input.Changed applies it
        else:
            self._typed = None  # a text typed before this one is not applied after it
            self._apply(text)

    def clear_search(self) -> None:
        """Show every article again (escape)."""
        self.set_filter_text("")

    def _apply(self, text: str) -> None:
        try:
            query = parse(text, typing=True)
        except QueryError as e:
            self._error = str(e)
            self.applied_text = text
            self._summarise()
            return
        self._error = None
        names = [label.name for label in self.labels]
        simple = memory_filter(query, names)
        if simple is not None and (self.searcher is None or not simple.words):
            self._cancel_search()
            self._show(text, query if query.groups else None, None)
            self.list.set_filter(simple)
            self._summarise()
            return
        if self.searcher is None:
            self._error = "this search needs the database (words, is: and has: only here)"
            self._summarise()
            return
        self._request(query)

    def _show(self, text: str, query: Query | None, result: SearchResult | None) -> None:
        changed = query != self.search_query
        self.search_query = query
        self._result = result
        self.applied_text = text
        if changed:
            self.post_message(self.SearchChanged(query))

    def _cancel_search(self) -> None:
        with self._lock:
            self._generation += 1
            self._wanted = None
            running = self._searching
        if running and self.interrupt is not None:
            self.interrupt()

    def _request(self, query: Query) -> None:
        assert self.searcher is not None
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._wanted = query
            running = self._searching
            self._searching = True
        self._slow = False
        if not running and self.list.total <= SEARCH_SYNC_LIMIT:
            try:
                found: Found | None = self.searcher(query, None)
                error = None
            except StoreError as e:
                found, error = None, str(e)
            with self._lock:
                self._searching = False
            self._found(generation, query, found, error, True)
            return
        if running:
            if self.interrupt is not None:
                self.interrupt()  # the worker runs the newest query next
            return
        self.set_timer(SLOW_SEARCH, partial(self._say_slow, generation))
        self.run_worker(self._search_loop, thread=True, group="search", exit_on_error=False)

    def _say_slow(self, generation: int) -> None:
        """A search still running after :data:`SLOW_SEARCH`: say so in the summary."""
        if self._searching and generation <= self._generation:
            self._slow = True
            self._summarise()

    def _rows_in_view(self) -> int:
        """Hits of the first page (with their snippets): a screenful and a few more."""
        return max(1, self.list.size.height // 3 + 4)

    def _search_loop(self) -> None:
        """In a worker thread: run the newest query until no newer one is waiting.

        Each query in two steps: the first page of hits with their snippets, shown
        at once, then every hit (the count, the rest of the list).  At 100,000
        reports the first page comes in about a third of the time of all of them
        (the ids of the others are looked up only in the second step).
        """
        assert self.searcher is not None
        rows = self._rows_in_view()
        while True:
            with self._lock:
                generation, query = self._generation, self._wanted
                if query is None:
                    self._searching = False
                    return
            try:
                page = self.searcher(query, rows)
                complete = page[0].total is not None
                if not self._deliver(generation, query, page, None, complete):
                    continue
                if not complete:
                    # A key typed while the page was shown came too early to interrupt
                    # the next statement (an interrupt stops only a running one).
                    with self._lock:
                        if generation != self._generation:
                            continue
                    if not self._deliver(generation, query, self.searcher(query, None),
                                         None, True):
                        continue
            except StoreError as e:  # interrupted by a newer key, or a damaged file
                if not self._deliver(generation, query, None, str(e), True):
                    continue
            return

    def _deliver(self, generation: int, query: Query, found: Found | None, error: str | None,
                 final: bool) -> bool:
        """Hand a result to the app's thread; ``False`` when newer text has come since
        (the loop then runs that)."""
        with self._lock:
            if generation != self._generation:
                return False
            if final:
                self._searching = False
        try:
            self.app.call_from_thread(self._found, generation, query, found, error, final)
        except RuntimeError:  # the app is closing
            pass
        return True

    def _found(self, generation: int, query: Query, found: Found | None, error: str | None,
               final: bool) -> None:
        """Back on the app's thread: show the hits (unless newer text is on its way)."""
        with self._lock:
            if generation != self._generation:
                return
        if found is None:
            self._error = one_line(error or "the search failed", 200)
            self._summarise()
            return
        result, snippets = found
        more = self.search_query == query and self.applied_text == query.text and self.list.hits
        if more:  # the rest of the hits whose first page is shown
            self._snippets.update(snippets)
        else:
            self._snippets = dict(snippets)
        self._complete = final
        self._show(query.text, query, result)
        self.list.set_hits(result.ids, ranked=result.ranked, keep=bool(more),
                           snippet_for=self._snippet if query.searches_text else None)
        self._summarise()

    def _snippet(self, article_id: str) -> Snippet | None:
        """A hit's snippet; one scrolled into view brings the next screenful's with it
        (one query for them all)."""
        snip = self._snippets.get(article_id)
        if snip is None and self.snippet_source is not None and self.search_query is not None:
            wanted = [aid for aid in self.list.ids_from(article_id, self._rows_in_view())
                      if aid not in self._snippets]
            try:
                self._snippets.update(self.snippet_source(self.search_query, wanted))
            except StoreError:
                return None
            snip = self._snippets.get(article_id)
        return snip

    # ------------------------------------------------------------ summary
    def summarise(self, loading: int | None = None) -> None:
        self._summarise(loading)

    def _summarise(self, loading: int | None = None) -> None:
        lst = self.list
        parts: list[tuple[str, str]] = []
        if lst.hits is not None:
            n = len(lst.view)
            more = "" if self._complete else "+"
            parts.append((f"{n:,}{more} hit{'' if n == 1 and not more else 's'}", "bold"))
            if lst.ranked:
                parts.append(("  best first", "$text-muted"))
        else:
            f = lst.filter
            bits: list[str] = []
            if f.statuses:
                bits.append("status " + "|".join(s.replace("_", " ") for s in f.statuses))
            if f.labels:
                bits.append("has " + "|".join(one_line(lb, 20) for lb in f.labels))
            if f.words:
                bits.append("title " + " ".join(one_line(w, 20) for w in f.words))
            shown = f"{len(lst.view):,} of {lst.total:,} articles"
            if loading is not None and loading > lst.total:
                shown = f"loading {lst.total:,} of {loading:,} articles…"
            parts.append((shown, "bold"))
            if bits:
                parts.append(("  " + " · ".join(bits), "$text-muted"))
        if self._error is not None:
            # the explanation alone, on as many lines as it needs (the last hits stay)
            parts = [("⚠ " + one_line(self._error, 300), "$text-error")]
        elif self._searching and self._slow:
            parts.append(("  searching…", "$text-muted"))
        elif self._result is not None and lst.hits is not None:
            for warning in self._result.warnings:
                parts.append(("  ⚠ " + one_line(warning, 120), "$text-warning"))
        content = Content.assemble(*parts)
        if content == self._summary:
            return
        # Only a new height lays the screen out again: a layout costs more than the
        # search, or than the whole filter at 100,000 rows.
        width = max(1, self.size.width - 2)
        lines = 1 if len(content.plain) <= width else min(4, len(content.wrap(width)))
        self._summary = content
        self.query_one("#filter-summary", Static).update(
            content, layout=lines != self._summary_lines)
        self._summary_lines = lines

    # ------------------------------------------------------------- events
    def on_input_changed(self, event: Input.Changed) -> None:
        """Apply the box's text once the keys already sent are in: a burst of keys (fast
        typing, a paste) is one query, the last text, not one per key."""
        event.stop()
        self._typed = event.value
        if not self._apply_pending:
            self._apply_pending = True
            self.call_later(self._apply_typed)

    def _apply_typed(self) -> None:
        self._apply_pending = False
        text, self._typed = self._typed, None
        if text is not None:
            self._apply(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_article_list_typed(self, event: ArticleList.Typed) -> None:
        event.stop()
        box = self.query_one(FilterInput)
        box.focus()
        box.insert_text_at_cursor(event.character)

    def on_article_list_left(self, event: ArticleList.Left) -> None:
        event.stop()
        self.leave()

    def leave(self) -> None:
        """Escape: clear the search and go back to the reader."""
        self.clear_search()
        reader = self.screen.query("#reader")
        if reader:
            self.screen.set_focus(reader.first())
