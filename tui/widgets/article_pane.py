"""The hideable left pane: filter box, filter summary and the article list.

The pane also loads its list: a small one at once (:meth:`ArticlePane.load_now`,
before the first paint), a big one streamed in batches by a worker
(:meth:`ArticlePane.stream`) so that keys and paints go on meanwhile.  Where
the rows come from is the screen's business: it hands over callables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from annotations.model import ArticleRow, Label
from tui.safe import one_line
from tui.widgets.article_list import ArticleList, parse_filter
from tui.widgets.filter_input import FilterInput

#: Lists up to this size load before the first paint; bigger ones stream in after it.
LIST_SYNC_LIMIT = 2000
#: Rows added to the list per step while streaming.
LIST_BATCH = 2000

#: Opens the rows to stream (on a read connection of their own) and closes them after.
RowStream = Callable[[], AbstractContextManager[Iterable[ArticleRow]]]


class ArticlePane(Vertical):
    DEFAULT_CSS = """
    ArticlePane {
        height: 1fr;
        border-right: vkey $border-blurred;

        &:focus-within {
            border-right: vkey $border;
        }

        #filter-summary {
            height: 1;
            padding: 0 1;
            background: $panel;
        }

        #articles {
            height: 1fr;
        }
    }
    """

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = list(labels)
        #: how many rows the list holds once loaded (counted when the load began)
        self.expected = 0
        #: every row is in the list (not streaming)
        self.loaded = False

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

    def set_filter_text(self, text: str) -> None:
        box = self.query_one(FilterInput)
        if box.value != text:
            box.value = text  # Input.Changed applies it
        else:
            self._apply(text)

    def _apply(self, text: str) -> None:
        self.list.set_filter(parse_filter(text, [label.name for label in self.labels]))
        self._summarise()

    def summarise(self, loading: int | None = None) -> None:
        self._summarise(loading)

    def _summarise(self, loading: int | None = None) -> None:
        lst = self.list
        f = lst.filter
        bits: list[str] = []
        if f.status:
            bits.append(f"status {f.status.replace('_', ' ')}")
        if f.label:
            bits.append(f"has {one_line(f.label, 20)}")
        if f.words:
            bits.append("title " + " ".join(one_line(w, 20) for w in f.words))
        shown = f"{len(lst.view):,} of {lst.total:,} articles"
        if loading is not None and loading > lst.total:
            shown = f"loading {lst.total:,} of {loading:,} articles…"
        self.query_one("#filter-summary", Static).update(
            Content.assemble((shown, "bold"), ("  " + " · ".join(bits), "$text-muted"))
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_article_list_typed(self, event: ArticleList.Typed) -> None:
        event.stop()
        box = self.query_one(FilterInput)
        box.focus()
        box.insert_text_at_cursor(event.character)
