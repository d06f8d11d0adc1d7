"""The tagging base shared by the annotate and review screens.

:class:`TaggingScreen` is what tagging needs on any screen: the article list
(loaded before the first paint, or streamed in when big), the open article
in a :class:`~tui.widgets.reader.Reader`, the index of the spans the screen
edits (``annotator``'s own on the annotate screen, ``gold`` on the review
screen), the *current span* (the one under the cursor, or picked in the span
panel: delete, note and relabel act on it), and the actions on them — tag,
relabel, delete, note, re-place an orphan, undo / redo, move between
articles.

Writes (:meth:`TaggingScreen.write`): every change goes through the Store
inside the action handler, so it is committed before the key press returns —
unless another process holds the database's write lock.  The screen's own
connection waits :data:`FIRST_TRY_SECONDS` for it; past that, the write moves
to a worker thread on a connection of its own, which waits up to
:attr:`TaggingScreen.WRITE_TIMEOUT` (the store's ``LOCK_TIMEOUT``, 60 s).
Meanwhile the screen says "waiting for another writer…" (:class:`WriteWait`,
shown at once, so within 1 s of the key press), reading, moving and selecting
go on, and every further edit, article change or quit is held (a bell and a
notice) until the write commits — then the screen shows it as if the key had
just returned — or gives up with a message saying nothing was saved.

Every write also carries the ``text_sha256`` of the text on screen.  If
another process re-imported the article with a different text since it was
shown, the store refuses the write (:class:`~annotations.store.StaleText`,
nothing saved); the screen reloads the article, puts the selection back where
its words are now (re-anchored by quote, as spans are) or drops it, and says
so: the key pressed again tags the new text.

:class:`~tui.screens.annotate.AnnotateScreen` and
:class:`~tui.screens.review.ReviewScreen` are siblings over this base.  Each
says how it differs only through the hooks below (public names, each
documented where it is defined here); the rest of the base is machinery that
neither overrides.  A screen must define the hooks marked *required*
(checked when the class is created); the others have a default.

============================  ==============================================================
hook                          what it decides
============================  ==============================================================
``compose`` (required)        the layout: an ArticlePane, an ArticleHeader, a Reader with
                              id ``reader`` and a SpanPanel, at least
``prepare``                   set-up of the composed widgets, before anything loads
``prepare_list``              re-read what the article list is made of, before it (re)loads
``list_rows``                 the rows the article list keeps
``start_target`` (required)   the article (and cursor offset) opened first
``read_spans`` (required)     read the opened article's spans; what the reader paints
``follow_cursor``             what else follows the cursor, besides the current span
``current_changed`` (req.)    show a new current span
``spans_changed`` (required)  repaint after this screen changed one of its spans
``reload_spans`` (required)   re-read the spans (undo, redo, other processes, errors)
``header_figures``            a third header line under the title and metadata
``show_empty`` (required)     what shows when there is no article at all
``update_top`` (required)     the top bar
``neighbour_article`` (req.)  the article ``]`` / ``[`` open
``keep_position``             whether and where the reader's place is kept between runs
``theme_changed``             restyle after a theme change
``palette_commands``          the command palette's entries
``team_spans``                the teammates' spans the ``T`` toggle shows (read-only)
``suggestions``               where the screen's suggestions come from (default: none)
``show_suggestion``           show the suggestion under the cursor (no span there)
``read_relations``            the open article's relations the screen edits (its annotator's)
``action_done_next`` (req.)   space: mark done, open the next article
``action_focus_spans`` (req.) ``o``: focus the screen's span list
============================  ==============================================================

Class attributes declare the rest: ``ARTICLE_ACTIONS`` (actions that need an
open article), ``KEYS_BEFORE_LABELS`` (the screen's keys a label key does not
take over), ``STATUS_NAME`` (the header's name for the status shown) and
``TEAM_TOGGLE`` (whether ``T`` shows teammates' spans here).

Teammates' spans: with the toggle on, the spans :meth:`team_spans` returns
sit in a second index (:attr:`TaggingScreen.team`) that the reader paints
faintly under the screen's own and the span panel lists below them with
their annotators' names; it is re-read when the article opens and when
another process commits (the poll), never edited: delete, note, relabel and
tab act on :attr:`TaggingScreen.index` only, which never holds them.

Suggestions: :attr:`TaggingScreen.suggesting` (:mod:`tui.screens.suggesting`)
keeps the open article's suggestions, asked for after the first paint from the
source the :meth:`~TaggingScreen.suggestions` hook gives, and the keys ``a``,
``r``, ``f`` / ``F`` and a label key on a suggestion act on them; accepted ones
go through :meth:`TaggingScreen.tag_range`, the tag path of the label keys.

Relations: ``>`` links the current span to another of the screen's spans
(:mod:`tui.screens.linking`: a picking mode, with its own keys on the link
bar over the reader); the relations of :meth:`TaggingScreen.read_relations`
sit in :attr:`TaggingScreen.links`, listed under their spans in the span
panel and in the details, the spans that take part marked in the reader.
They are re-read (:meth:`TaggingScreen.refresh_links`) when the article
opens, after a link or a deletion (which takes a span's relations with it),
undo and redo, and another process's change.  Backspace on a link row of the
span panel deletes that relation.

Styles: ``tagging.tcss`` lays out the parts both screens share (scoped to
``TaggingScreen``); each screen's ``CSS_PATH`` names it (:data:`TAGGING_CSS`)
and then its own sizes; the widgets bring their looks (``DEFAULT_CSS``).

Search is machinery of the base: the article pane runs the queries (see
:mod:`tui.widgets.article_pane`) on a store connection of the screen's own,
and tells the screen which query the list shows
(:class:`~tui.widgets.article_pane.ArticlePane.SearchChanged`); the screen
highlights that query's matches in the open article (:meth:`TaggingScreen.show_matches`),
opens a hit at its first match, and moves between matches (``m`` / ``M``).
Escape in the reader with nothing selected clears the search.

Features meant for both screens (relation linking, suggestions, search,
teammates' spans) go here, behind a hook where the screens differ; a
feature for one screen goes into that screen alone.  Textual calls every
``on_mount`` along the class hierarchy, so a screen does its set-up in
:meth:`TaggingScreen.prepare`, never in an ``on_mount`` of its own.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import TextArea

from annotations.anchoring import context, reanchor
from annotations.config import DEFAULT_AFTER_TAG, AfterTag
from annotations.model import GOLD, Article, ArticleRow, Label, Relation, Span
from annotations.relation_types import relation_types_of
from annotations.search import Query, SearchResult, Snippet, merge_ranges
from annotations.store import LOCK_TIMEOUT, Event, StaleText, Store, StoreError, WriterBusy
from annotations.suggest.engine import Suggestion
from annotations.text import LineIndex, snap
from tui import keys as K
from tui.compositor import OccludingCompositor
from tui.relationindex import RelationIndex
from tui.safe import one_line
from tui.screens.linking import LinkPicker
from tui.screens.note import NoteScreen
from tui.screens.suggesting import Suggesting, SuggestionSource
from tui.shown_text import shown_text
from tui.spanindex import SpanIndex, is_placed
from tui.suggestindex import key_of
from tui.widgets.article_header import ArticleHeader
from tui.widgets.article_list import ArticleList
from tui.widgets.article_pane import ArticlePane
from tui.widgets.filter_input import FilterInput
from tui.widgets.link_bar import LinkBar
from tui.widgets.reader import Reader
from tui.widgets.span_panel import SpanPanel, parse_link_row
from tui.widgets.write_wait import WriteWait

#: Characters of span starts a step of the background span read covers (about 2 ms
#: for 160 spans), the longest stretch of steps between two turns of the event loop,
#: and how long it waits when input is being handled (see :meth:`TaggingScreen.load_spans`).
SPAN_STEP = 32_768
SPAN_SLICE = 0.004
SPAN_PAUSE = 0.02
#: Seconds after the first frame before the background span read starts.
SPAN_IDLE = 0.1

R = TypeVar("R")

#: Seconds between checks for changes made by other processes.
POLL_SECONDS = 1.0
#: Seconds a write waits for another process's write lock on the key press itself,
#: before it moves to a worker thread and the screen says it is waiting.
FIRST_TRY_SECONDS = 0.25
#: The worker's waits between checks whether the app is quitting.
WAIT_SLICE_SECONDS = 0.25

#: Terminal widths below this hide the article list until ``L`` (see TaggingScreen).
NARROW_BELOW = 100
#: Terminal heights below this shrink the panels under the reader.
SHORT_BELOW = 30
#: Seconds after the last key typed in the search box before the open article's
#: matches are highlighted.
MATCHES_DELAY = 0.25
#: Characters of text in a hit's snippet (the list cuts it to its width).
SNIPPET_WIDTH = 120

#: The layout both tagging screens share; each names it first in its CSS_PATH.
TAGGING_CSS = Path(__file__).with_name("tagging.tcss")

#: A command palette entry: (name, help text, what it runs).
PaletteCommand = tuple[str, str, Callable[[], object]]

#: What a worker's write returns when the app quit while it waited.
_CANCELLED = object()

#: Hooks every tagging screen defines itself.
REQUIRED_HOOKS = (
    "compose",
    "start_target",
    "read_spans",
    "current_changed",
    "spans_changed",
    "reload_spans",
    "show_empty",
    "update_top",
    "neighbour_article",
    "action_done_next",
    "action_focus_spans",
)


def describe_event(ev: Event) -> str:
    """A short, plain description of an undone / redone action."""
    state = ev.after or ev.before or {}
    more = ev.group_size - 1
    if ev.action.startswith("span."):
        quote = one_line(str(state.get("text", "")), 40)
        label = one_line(str(state.get("label", "")), 20)
        what = {"span.add": "tag", "span.update": "edit", "span.delete": "deletion"}.get(
            ev.action, ev.action
        )
        links = f" and its {more} link(s)" if more > 0 and ev.action == "span.delete" else ""
        return f"{what} of {label} “{quote}”{links}"
    if ev.action.startswith("relation."):
        label = one_line(str(state.get("label", "")), 20)
        what = {"relation.add": f"{label} link", "relation.delete": f"removal of a {label} link"
                }.get(ev.action, ev.action)
        spans = f" (with the {more} gold span(s) it brought)" if more > 0 else ""
        return f"{what}{spans}"
    if ev.action == "status.set":
        return f"status {(ev.after or {}).get('status', '?')}"
    if ev.action == "suggestion.reject":
        state = ev.after or ev.before or {}
        return (f"rejection of the {one_line(str(state.get('label', '')), 20)} suggestion "
                f"“{one_line(str(state.get('quote', '')), 40)}”")
    if ev.action == "review.record":
        decision = str((ev.after or {}).get("decision", ""))
        return {"reject": "rejection", "accept": "acceptance"}.get(decision, "decision")
    return ev.action


class TaggingScreen(Screen[None]):
    """One article at a time, its spans, and the keys that tag them (see the module)."""

    #: Narrower than this, the article list starts hidden (``L`` shows it) and, lower
    #: than ``SHORT_BELOW`` lines, the panels under the reader shrink (tagging.tcss):
    #: at 80x24 the reader keeps most of the screen.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-tall")]

    #: Actions that apply only with an article open (and every ``tag(...)``).
    ARTICLE_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"done_next", "next_article", "previous_article"}
    )
    #: Keys of the screen's own bindings that keep their action when a label has the
    #: same key (the label's number still tags).
    KEYS_BEFORE_LABELS: ClassVar[frozenset[str]] = frozenset()
    #: The header's name for the status it shows (whose status: ``annotator``'s).
    STATUS_NAME: ClassVar[str] = "status"
    #: ``T`` shows teammates' spans (dimmed, read-only) on this screen.
    TEAM_TOGGLE: ClassVar[bool] = True
    #: Seconds a write waits for another process's write lock before it gives up.
    WRITE_TIMEOUT: ClassVar[float] = LOCK_TIMEOUT

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [name for name in REQUIRED_HOOKS
                   if getattr(cls, name) is getattr(TaggingScreen, name)]
        if missing:
            raise TypeError(f"{cls.__name__} must define {', '.join(missing)}")

    def __init__(
        self,
        store: Store,
        annotator: str,
        labels: Sequence[Label],
        start_article: str | None = None,
        *,
        actor: str | None = None,
        after_tag: AfterTag = DEFAULT_AFTER_TAG,
    ) -> None:
        super().__init__()
        # Renders only the widgets a partial update shows (issue 19: the tag key press).
        self._compositor = OccludingCompositor()
        self.store = store
        #: where the cursor goes after a tag: the next sentence's start, or it stays
        self.after_tag = after_tag
        #: whose spans the screen shows and edits (``gold`` on the review screen)
        self.annotator = annotator
        #: who does it: recorded in the event log, and whose actions undo reverts
        self.actor = actor or annotator
        self.labels = list(labels)
        self.start_article = start_article
        self.article: Article | None = None
        #: the spans this screen edits, of the open article
        self.index = SpanIndex(LineIndex(""))
        self.current_span: str | None = None
        #: (cursor offset, span id): after a tag moved the cursor on to the next sentence,
        #: the new span stays current while the cursor stays there
        self._held_current: tuple[int, str] | None = None
        self.snap_words = True
        #: teammates' spans of the open article, shown read-only (the ``T`` toggle)
        self.show_team = False
        self.team = SpanIndex(LineIndex(""))
        #: the relation types of the labels file, and the open article's relations
        self.relation_types = relation_types_of(labels)
        self.links = RelationIndex(self.index, (), self.relation_types)
        #: a link being picked (``>``), see :mod:`tui.screens.linking`
        self.linker = LinkPicker(self)
        #: the open article's suggestions (their source comes from :meth:`suggestions`)
        self.suggesting = Suggesting(self)
        self._position_dirty = False
        #: what the write waiting for another process's write lock saves (None: none)
        self.pending_write: str | None = None
        self._wait_started = 0.0
        self._cancel_wait = threading.Event()
        # A key press waits this long for the write lock, then a worker waits on.
        store.lock_wait = min(store.lock_wait, FIRST_TRY_SECONDS)
        self._data_version = store.data_version()
        self._binding_state: tuple[Any, ...] = ()
        #: the reader's selection when the screen last followed it (see catch_up)
        self._followed: Any = None
        self._reader: Reader | None = None
        #: the search whose hits the list shows, when it has words to highlight
        self.search: Query | None = None
        #: the open article's search matches, ``[start, end)`` in text order
        self.matches: list[tuple[int, int]] = []
        self._search_store: Store | None = None
        self._matches_timer: Timer | None = None
        self._install_label_bindings()

    def _install_label_bindings(self) -> None:
        """``tag_<label>`` bindings; a label's key wins over another default key,
        except the screen's :attr:`KEYS_BEFORE_LABELS`."""
        key_map = self._bindings.key_to_bindings
        for key in K.label_keys(self.labels):
            for binding in Binding.make_bindings([key.binding()]):
                if binding.key in self.KEYS_BEFORE_LABELS:
                    continue
                key_map[binding.key] = [
                    b for b in key_map.get(binding.key, []) if b.action.startswith("tag(")
                ] + [binding]

    # ================================================================ hooks
    def compose(self) -> ComposeResult:
        """Required: the layout.  It holds at least an :class:`ArticlePane`, an
        :class:`ArticleHeader`, a :class:`Reader` (or subclass) with id ``reader``,
        just above it the link bar of :meth:`new_link_bar`, and a :class:`SpanPanel`
        (the spans this screen edits)."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Set up the composed widgets, first thing on mount (before the list loads
        and the first article opens).  Default: nothing."""

    def prepare_list(self) -> None:
        """Re-read whatever :meth:`list_rows` depends on; called before the article
        list loads and before each reload.  Default: nothing."""

    def list_rows(self, rows: Iterable[ArticleRow]) -> Iterable[ArticleRow]:
        """The rows the article list keeps, from the store's rows (lazily: a big list
        streams through).  Default: all of them."""
        return rows

    def start_target(self) -> tuple[str, int] | None:
        """Required: the article and cursor offset to open first (``None``: nothing)."""
        raise NotImplementedError

    def read_spans(self, lines: LineIndex, cursor: int = 0) -> SpanIndex:
        """Required: read the spans of the article just opened (:attr:`article`).

        Set :attr:`index` to the spans the screen edits, over ``lines``, and
        return the index the reader paints (the same one, or one holding more).
        The index may be partial, holding the spans around ``cursor`` (the
        screen completes it after the first frame: :meth:`load_spans`).
        """
        raise NotImplementedError

    def follow_cursor(self, offset: int, *, force: bool = False) -> None:
        """The cursor is at ``offset`` (it moved, or an article opened): pick whatever
        besides the current span follows it.  Called before the current span is
        picked.  Default: nothing."""

    def current_changed(self) -> None:
        """Required: show the new :attr:`current_span` (already set, and already
        marked in the span panel), e.g. highlight it in the reader."""
        raise NotImplementedError

    def spans_changed(self, current: str | None, cursor: int | None = None) -> None:
        """Required: this screen just changed a span (tag, relabel, delete, note,
        re-place) in the store and in :attr:`index`; repaint what shows it, make
        ``current`` the current span and put the cursor at ``cursor`` if given."""
        raise NotImplementedError

    def reload_spans(self) -> None:
        """Required: re-read the open article's spans from the store (after undo or
        redo, another process's change, or a failed write)."""
        raise NotImplementedError

    def history_applied(self, ev: Event) -> bool:
        """Show an undo or redo of the open article from what it left stored
        (``ev.reverted``) instead of reading the article's spans again; ``False``
        when this screen cannot, and :meth:`reload_spans` should.  Default: cannot."""
        return False

    def header_figures(self) -> Content | None:
        """A third line for the article header.  Default: none."""
        return None

    def show_empty(self) -> None:
        """Required: show that there is no article to open."""
        raise NotImplementedError

    def update_top(self) -> None:
        """Required: refresh the top bar (position in the list, progress, modes)."""
        raise NotImplementedError

    def neighbour_article(self, step: int) -> str | None:
        """Required: the article after (``step=1``) or before (``-1``) the open one,
        for ``]`` and ``[``; ``None`` at an end."""
        raise NotImplementedError

    def keep_position(self, article_id: str, offset: int) -> bool:
        """Keep the reader's place for the next run (called on leaving an article,
        every poll and on unmount, when the place changed).  Return ``False`` to be
        asked again.  Default: keep nothing."""
        return True

    def theme_changed(self) -> None:
        """The app's theme changed (called after a refresh).  Default: recolour
        the reader."""
        self.reader.restyle()

    def palette_commands(self) -> list[PaletteCommand]:
        """The command palette's entries while this screen is open.  Default: the
        :meth:`common_commands` and the :meth:`label_commands`."""
        return [*self.common_commands(), *self.label_commands()]

    def team_spans(self) -> list[Span]:
        """The teammates' spans of the open article that the ``T`` toggle shows.
        Default: every live span of the article by someone other than the screen's
        annotator and actor, and not gold (the review's outcome, not a teammate)."""
        assert self.article is not None
        mine = {self.annotator, self.actor, GOLD}
        return [s for s in self.store.spans(self.article.id) if s.annotator not in mine]

    def suggestions(self) -> SuggestionSource | None:
        """Where this screen's suggestions come from (``None``: it shows none), read
        once on mount.  Default: none."""
        return None

    def show_suggestion(self, suggestion: Suggestion | None) -> None:
        """The cursor moved onto ``suggestion`` (or off one: ``None``); show it where the
        screen shows the current span, if no span is current.  Default: nothing."""

    def read_relations(self) -> list[Relation]:
        """The open article's relations this screen shows and edits.  Default: the live
        relations of the screen's annotator."""
        assert self.article is not None
        return self.store.relations(self.article.id, self.annotator)

    def action_done_next(self) -> None:
        """Required: space, mark the article done and open the next one."""
        raise NotImplementedError

    def action_focus_spans(self) -> None:
        """Required: ``o``, move the focus to the screen's span list."""
        raise NotImplementedError

    # ============================================================ machinery
    @property
    def reader(self) -> Reader:
        if self._reader is None:
            self._reader = self.query_one(Reader)
        return self._reader

    @property
    def panel(self) -> SpanPanel:
        return self.query_one(SpanPanel)

    @property
    def pane(self) -> ArticlePane:
        return self.query_one(ArticlePane)

    @property
    def link_bar(self) -> LinkBar:
        return self.query_one(LinkBar)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def new_link_bar(self) -> LinkBar:
        """The link bar a screen composes just above its reader (see :meth:`compose`)."""
        return LinkBar(self.relation_types, getattr(self.app, "keymap", None), id="link-bar")

    def on_mount(self) -> None:
        started = getattr(self.app, "started", True)
        try:
            self._mount()
        except Exception as e:
            if started:
                raise
            # The first screen of a run: a one-line start-up failure, no traceback.
            self.app.fail_startup(e)  # type: ignore[attr-defined]
            return
        self.app.started = True  # type: ignore[attr-defined]

    def _mount(self) -> None:
        self.mount(WriteWait())
        self.suggesting.source = self.suggestions()
        self.prepare()
        pane = self.pane
        pane.searcher = self._run_search
        pane.snippet_source = self._more_snippets
        pane.interrupt = self._interrupt_search
        self.reader.restyle()
        self.prepare_list()
        loaded = self.pane.load_now(self.store.count_articles(), self._all_rows)
        target = self.start_target()
        if target is not None:
            self.open_article(*target, save_old=False)
        else:
            self.show_empty()
        self.reader.focus()
        if loaded:
            # What the first screen holds lives as long as the app (see _list_reloaded):
            # with it frozen, a full collection while a long article opens walks only
            # that article (measured, 1 MB with 5,000 spans: 86-188 ms of collection
            # per opening became 4-47 ms).
            self.call_after_refresh(gc.freeze)
        else:
            # A big list streams in by batches without blocking the screen.  The
            # worker starts now rather than after a refresh: its first batch then
            # makes the first paint, instead of an empty list for ~0.1 s.
            self.pane.stream(self._streamed_rows, self._list_reloaded)
        self.set_interval(POLL_SECONDS, self.poll_changes)
        self.watch(self.app, "theme", self._theme_watched, init=False)

    def _theme_watched(self) -> None:
        self.call_after_refresh(self.theme_changed)

    # ---------------------------------------------------------------- list
    def _all_rows(self) -> Iterable[ArticleRow]:
        return self.list_rows(self.store.list_articles(self.annotator))

    @contextmanager
    def _streamed_rows(self) -> Iterator[Iterable[ArticleRow]]:
        """The list's rows read on a connection of their own, so that writes made
        while they stream in never wait for them (the store's own if that fails)."""
        try:
            source = Store.open(self.store.path, create=False)
        except StoreError:
            source = None
        if source is None:
            yield self._all_rows()
            return
        rows = source.iter_article_rows(self.annotator)
        try:
            yield self.list_rows(rows)
        finally:
            rows.close()
            source.close()

    def _list_reloaded(self) -> None:
        if self.article is not None:
            self.article_list.set_current(self.article.id)
        self.update_top()
        # What is loaded now (a big list's rows, the app itself) lives as long as the
        # app: the cyclic GC need not walk it again on every full collection (one
        # during typing in the search box at 100,000 reports: 142 ms, then 22 ms).
        # Reference counting still frees whatever of it is dropped.
        gc.freeze()

    def reload_list(self) -> None:
        """Re-read the whole list (articles imported by another process)."""
        self.prepare_list()
        if self.pane.load_now(self.store.count_articles(), self._all_rows):
            self._list_reloaded()
        else:
            self.pane.stream(self._streamed_rows, self._list_reloaded)

    def refresh_article_row(self, article_id: str | None = None) -> None:
        """Re-read one list row (counts, status) after a change: not the whole list."""
        article_id = article_id or (self.article.id if self.article else None)
        if article_id is None:
            return
        row = self.store.article_row(article_id, self.annotator)
        if row is None:
            return
        if self.article_list.index_of(article_id) is not None:
            self.article_list.update_row(row)
        elif self.pane.loaded:
            # imported by another process meanwhile
            self.pane.append_rows(list(self.list_rows([row])))
        if self.article is not None and article_id == self.article.id:
            self.show_header()
        self.update_top()

    # -------------------------------------------------------------- search
    def _searching_store(self) -> Store:
        """The store searches run on: a connection of its own, used by one worker
        thread at a time, so a search never holds up a write and can be interrupted."""
        if self._search_store is None:
            self._search_store = Store.open(self.store.path, create=False)
        return self._search_store

    def _run_search(self, query: Query, first: int | None
                    ) -> tuple[SearchResult, dict[str, Snippet]]:
        """(In the pane's worker thread, or its own for a small list) the first hits
        and their snippets, or every hit (``first`` is ``None``)."""
        store = self._searching_store()
        if first is None:
            return store.search(query, self.annotator), {}
        return store.search_page(query, self.annotator, first, SNIPPET_WIDTH)

    def _more_snippets(self, query: Query, article_ids: Sequence[str]) -> dict[str, Snippet]:
        return self.store.search_snippets(query, article_ids, SNIPPET_WIDTH)

    def _interrupt_search(self) -> None:
        if self._search_store is not None:
            self._search_store.interrupt()

    def _match_ranges(self, article: Article) -> list[tuple[int, int]]:
        """The open article's matches of the search, as text ranges (a note's match:
        its span)."""
        if self.search is None:
            return []
        try:
            found = self.store.search_matches(self.search, article.id)
        except StoreError:
            return []
        ranges = [(m.start, m.end) for m in found if m.field == "text"]
        for span_id in dict.fromkeys(m.span_id for m in found if m.field == "note"):
            span = self.store.get_span(span_id) if span_id else None
            if span is not None and article.text[span.start : span.end] == span.text:
                ranges.append((span.start, span.end))
        return merge_ranges(ranges)

    def show_matches(self) -> None:
        """Highlight the search's matches in the open article."""
        self._matches_timer = None
        self.matches = self._match_ranges(self.article) if self.article is not None else []
        self.reader.set_matches(self.matches)
        self._update_bindings()

    def on_article_pane_search_changed(self, event: ArticlePane.SearchChanged) -> None:
        """Highlight the new search's matches in the open article once typing pauses
        (or now, when the search was cleared or is not typed): finding them costs a
        query, which need not hold up the list's hits key after key."""
        event.stop()
        query = event.query
        self.search = query if query is not None and query.searches_text else None
        if self._matches_timer is not None:
            self._matches_timer.stop()
            self._matches_timer = None
        if self.search is None or not isinstance(self.focused, FilterInput):
            self.show_matches()
        else:
            self._matches_timer = self.set_timer(MATCHES_DELAY, self.show_matches)

    def on_reader_nothing_to_clear(self, event: Reader.NothingToClear) -> None:
        event.stop()
        if self.pane.search_query is not None or self.pane.text:
            self.pane.clear_search()

    def action_jump_match(self, step: int) -> None:
        """m / M: the next / previous match of the search (wrapping round)."""
        if not self.matches:
            self.app.bell()
            return
        starts = [s for s, _ in self.matches]
        offset = self.reader.cursor_offset
        if step > 0:
            i = bisect_right(starts, offset)
            wrapped = i >= len(starts)
            target = starts[0 if wrapped else i]
        else:
            i = bisect_left(starts, offset) - 1
            wrapped = i < 0
            target = starts[i]
        if wrapped:
            where = "first" if step > 0 else "last"
            self.notify(f"Back at the {where} match.", markup=False, timeout=2)
        self.reader.goto(target, center=True)

    def close_search(self) -> None:
        """Stop and close the search connection (on unmount)."""
        store, self._search_store = self._search_store, None
        if store is not None:
            try:
                store.interrupt()
                store.close()
            except StoreError:
                pass

    # ------------------------------------------------------------ articles
    def open_article(self, article_id: str, cursor: int = 0, *, save_old: bool = True,
                     at_match: bool = False) -> bool:
        """Open an article with the cursor at ``cursor`` (``at_match``: at the search's
        first match in it, when it has one)."""
        if save_old and self.article is not None:
            self._save_position()
        article = self.store.get_article(article_id)
        if article is None:
            self.notify(f"No article {one_line(article_id, 60)!r}", severity="warning",
                        markup=False)
            return False
        if self.linker.active:
            self.linker.finish()
        self.article = article
        self.current_span = None
        self.suggesting.article_closing()
        self.matches = self._match_ranges(article)
        if at_match and self.matches:
            cursor = self.matches[0][0]
        lines = shown_text(article.text, article.text_sha256).lines  # the reader's split too
        cursor = max(0, min(cursor, len(article.text)))
        painted = self.read_spans(lines, cursor)
        self._read_team(lines)
        self.reader.set_team(self.team if self.show_team else None, repaint=False)
        self.reader.show_article(article.text, article.styles, painted, cursor,
                                 sha256=article.text_sha256)
        self.links = RelationIndex(self.index, self.read_relations(), self.relation_types)
        self.reader.set_related(self.links.related())
        self.reader.set_matches(self.matches)
        self.panel.current_id = None
        self.panel.team = self.team if self.show_team else None
        self.panel.links = self.links
        self.panel.set_index(self.index)
        self.article_list.set_current(article.id)
        self.show_header()
        self.sync_current(force=True)
        self._position_dirty = True
        self._save_position()
        self.update_top()
        # After the first paint, so a long article shows at once (the work is elsewhere).
        self.call_after_refresh(self.suggesting.request)
        self.call_after_refresh(self.load_spans, self.index)
        return True

    def load_spans(self, index: SpanIndex) -> None:
        """Complete a partial span index (:meth:`read_spans`) in the background: a
        worker loads a step of spans at a time while no input is being handled.
        Whatever needs a span not loaded yet completes the index itself first
        (:mod:`tui.spanindex`), so this only takes that wait off the keys."""
        if index is self.index and index.is_partial and self.is_mounted:
            # As the reader's background wrap: not in the first moment after the frame
            # (when the first key comes: a timer, so not even the worker's own messages).
            self.set_timer(SPAN_IDLE, partial(self._start_loading, index))

    def _start_loading(self, index: SpanIndex) -> None:
        if index is self.index and index.is_partial:
            self.run_worker(self._load_rest(index), group="span-load", exclusive=True,
                            description="read the rest of the article's spans")

    async def _load_rest(self, index: SpanIndex) -> None:
        while index is self.index and index.is_partial:
            if self.reader.input_pending():  # never while input is being handled
                await asyncio.sleep(SPAN_PAUSE)
                continue
            deadline = time.perf_counter() + SPAN_SLICE
            while not index.load_more(SPAN_STEP) and time.perf_counter() < deadline:
                pass
            await asyncio.sleep(0)

    @property
    def spans_loading(self) -> bool:
        """Whether the open article's spans are still being read (benchmarks wait)."""
        return self.index.is_partial

    def show_header(self) -> None:
        """Title, metadata and status of the open article (and :meth:`header_figures`)."""
        if self.article is None:
            return
        row = self.article_list.row(self.article.id)
        status = row.status if row else self.store.status(self.article.id, self.annotator)
        self.query_one(ArticleHeader).show_article(
            self.article, status, status_name=self.STATUS_NAME, figures=self.header_figures()
        )

    def go_to_article(self, article_id: str) -> None:
        """Open an article picked in the list, at its first search match if any."""
        if self.article is None or article_id != self.article.id:
            if self.held():
                return
            self.open_article(article_id, at_match=True)
        else:
            if self._matches_timer is not None:  # typed a moment ago: find them now
                self._matches_timer.stop()
                self.show_matches()
            if self.matches:
                self.reader.goto(self.matches[0][0], center=True)
        self.reader.focus()

    def set_filter(self, text: str) -> None:
        self.pane.display = True
        self.pane.set_filter_text(text)

    def _save_position(self) -> None:
        if self.article is None or not self._position_dirty:
            return
        if self.keep_position(self.article.id, self.reader.cursor_offset):
            self._position_dirty = False

    def save_position_now(self) -> None:
        self._position_dirty = True
        self._save_position()

    # --------------------------------------------------------------- writes
    @contextmanager
    def store_errors(self) -> Iterator[None]:
        """Show a failed write as an error and re-read the spans; the screen goes on.
        A write refused because the text changed reloads the article instead."""
        try:
            yield
        except StoreError as e:
            self.report_error(e)

    def report_error(self, error: StoreError) -> None:
        """A refused or failed write: the text changed (reload it, see :meth:`text_changed`),
        or anything else (say it, re-read the spans)."""
        if isinstance(error, StaleText):
            self.text_changed(error)
            return
        self.notify(str(error), severity="error", markup=False, timeout=8)
        self.reload_spans()

    def write(self, what: str, call: Callable[[Store], R], done: Callable[[R], None]) -> None:
        """Run one write, ``call(store)``, then ``done(result)`` to show it (see the module).

        Now, on the screen's store, when the write lock is free within
        :data:`FIRST_TRY_SECONDS`; else in a worker thread on a connection of its
        own while :class:`WriteWait` says so and edits are held (:meth:`held`), and
        ``done`` runs once it commits.  ``what`` names the action in messages
        ("tag", "deletion", ...).  ``call`` is run again from the start if the lock
        was busy, so it must be a write that a busy lock stops before any change
        (every store write is: the lock is taken first).
        """
        started = time.monotonic()
        # The commit syncs the file on a helper thread while ``done`` updates the index
        # and prepares the repaint; leaving the block waits for it (durable).  A failed
        # commit is reported as any failed write (the spans are read again).
        try:
            with self.store.overlapped_commit():
                try:
                    result = call(self.store)
                except WriterBusy:
                    self._wait_for_writer(what, call, done, started)
                    return
                done(result)
        except StoreError as e:
            self.report_error(e)

    class WriteFinished(Message):
        """A write that waited in a worker thread is over: ``finish(outcome)`` shows it."""

        def __init__(self, finish: Callable[[tuple[str, Any]], None],
                     outcome: tuple[str, Any]) -> None:
            super().__init__()
            self.finish = finish
            self.outcome = outcome

    def on_tagging_screen_write_finished(self, message: WriteFinished) -> None:
        message.stop()
        message.finish(message.outcome)

    def held(self) -> bool:
        """Is a write waiting for another writer?  Then say that edits wait (and bell)."""
        if self.pending_write is None:
            return False
        self.app.bell()
        waited = time.monotonic() - self._wait_started
        self.notify(f"Still waiting for another writer to save your {self.pending_write} "
                    f"({waited:.0f} s): other edits wait until it is saved or given up; "
                    "reading and moving go on.", severity="warning", markup=False, timeout=4)
        return True

    def _wait_for_writer(self, what: str, call: Callable[[Store], R],
                         done: Callable[[R], None], started: float) -> None:
        """The write lock is busy: go on waiting in a thread, say so, hold edits."""
        self.pending_write = what
        self._wait_started = started
        self._cancel_wait.clear()
        self._show_wait()
        timer = self.set_interval(1.0, self._show_wait)
        path, deadline, cancel = self.store.path, started + self.WRITE_TIMEOUT, self._cancel_wait

        def work() -> None:
            outcome: tuple[str, Any]
            try:
                outcome = ("done", self._write_until(path, call, deadline, cancel))
            except BaseException as e:  # delivered to the screen, which reports it
                outcome = ("error", e)
            # Posting is thread-safe and never waits (call_from_thread would wait for an
            # event loop that may be busy or gone once the app quits).
            self.post_message(TaggingScreen.WriteFinished(finish, outcome))

        def finish(outcome: tuple[str, Any]) -> None:
            timer.stop()
            self.pending_write = None
            self.query_one(WriteWait).hide()
            kind, value = outcome
            if kind == "done" and value is _CANCELLED:
                return
            if kind == "error":
                if isinstance(value, WriterBusy):
                    self.notify(f"Gave up after {self.WRITE_TIMEOUT:.0f} s: another process "
                                f"kept the database locked, so your {what} was NOT saved. "
                                "Try again when it is done.", severity="error",
                                markup=False, timeout=12)
                    return
                if isinstance(value, StoreError):
                    self.report_error(value)
                    return
                raise value
            waited = time.monotonic() - started
            with self.store_errors():
                done(value)
            self.notify(f"Saved your {what} (after waiting {waited:.0f} s for another writer).",
                        markup=False, timeout=3)

        # A daemon thread, not a Textual worker (the default executor): quitting while
        # it waits must not wait for it (see cancel_waiting_write).
        threading.Thread(target=work, name="stancemark-write", daemon=True).start()

    @staticmethod
    def _write_until(path: Path, call: Callable[[Store], R], deadline: float,
                     cancel: threading.Event) -> R | object:
        """In the worker: ``call`` on a connection of its own until the lock is free, the
        deadline passes (:class:`WriterBusy`) or the app quits (``_CANCELLED``)."""
        store = Store.open(path, create=False)
        try:
            while True:
                remaining = deadline - time.monotonic()
                store.lock_wait = max(0.0, min(WAIT_SLICE_SECONDS, remaining))
                try:
                    return call(store)
                except WriterBusy:
                    if cancel.is_set():
                        return _CANCELLED
                    if time.monotonic() >= deadline:
                        raise
        finally:
            store.close()

    def _show_wait(self) -> None:
        if self.pending_write is not None:
            self.query_one(WriteWait).show_wait(
                self.pending_write, time.monotonic() - self._wait_started, self.WRITE_TIMEOUT)

    def cancel_waiting_write(self) -> None:
        """The app quits: stop waiting (within :data:`WAIT_SLICE_SECONDS`); not saved."""
        self._cancel_wait.set()

    def text_changed(self, stale: StaleText | None = None) -> None:
        """The open article's text changed in another process: show the new text, with
        the selection put back where its words are now (re-anchored by quote, as spans
        are) or dropped, and say so.  ``stale``: a write was refused for it."""
        if self.article is None or (stale is not None and stale.article_id != self.article.id):
            if stale is not None:
                self.notify(str(stale), severity="warning", markup=False, timeout=8)
            return
        old = self.article.text
        selected = self.reader.selection_offsets()
        if not self.open_article(self.article.id, self.reader.cursor_offset, save_old=False):
            return
        new = self.article.text
        said = ("This article's text changed in another process"
                + (": nothing was saved, and" if stale is not None else ";")
                + " the new text is shown")
        if selected is not None:
            start, end = selected
            place = reanchor(new, start, end, old[start:end], *context(old, start, end))
            if place.placed:
                self.reader.select_offsets(place.start, place.end)
                said += "; your selection is where its words are now"
                said += " (press the key again)." if stale is not None else "."
            else:
                said += "; your selection is no longer in it and was dropped."
        else:
            said += "."
        self.notify(said, severity="warning", markup=False, timeout=8)

    def refresh_links(self) -> None:
        """Re-read the open article's relations; repaint the marks, rows and details that
        show them (after a link, a deletion, undo / redo, another process's change)."""
        if self.article is None:
            return
        self.links = RelationIndex(self.index, self.read_relations(), self.relation_types)
        self.reader.set_related(self.links.related())
        self.panel.set_links(self.links)
        self.current_changed()

    def link_words(self, span: Span | None) -> list[str]:
        """The links of ``span`` as the span panel words them (for the details)."""
        if span is None:
            return []
        return [link.words(self.relation_types, 24) + (f" ⚠ {link.flag}" if link.flag else "")
                for link in self.links.links_of(span.id)]

    def target_span(self) -> Span | None:
        """The current span (what delete, note and relabel act on)."""
        return self.index.get(self.current_span) if self.current_span else None

    def placed(self, span: Span) -> bool:
        """Does ``span`` sit in the open article's text (not orphaned)?"""
        return is_placed(span, len(self.index.lines.text))

    def set_current(self, span_id: str | None, *, force: bool = False,
                    panel: bool = True) -> None:
        """Make ``span_id`` (one of :attr:`index`, or None) the span delete, note and
        relabel act on; ``panel=False`` leaves the span panel's highlight where it is
        (on a teammate's row, which is never current)."""
        if span_id == self.current_span and not force:
            return
        self.current_span = span_id
        if panel:
            self.panel.set_current(span_id)
        self.current_changed()
        self._update_bindings()

    def sync_current(self, *, force: bool = False) -> None:
        """Follow the cursor: keep the current span if still under it, else the innermost."""
        offset = self.reader.cursor_offset
        self.follow_cursor(offset, force=force)
        self.suggesting.follow(offset)
        held = self._held_current
        if held is not None:
            if held == (offset, self.current_span) and held[1] in self.index.by_id:
                self.set_current(held[1], force=force)
                return
            self._held_current = None
        ids = [s.id for s in self.index.at(offset)]
        if self.current_span in ids:
            self.set_current(self.current_span, force=force)
        else:
            self.set_current(ids[0] if ids else None, force=force)

    def _update_bindings(self) -> None:
        """Rebuild the footer when the keys that apply change.

        Span keys (delete, note) apply once the article has spans, re-place once
        it has orphans: this changes with edits, not with every cursor move, so
        moving through densely tagged text never rebuilds the footer.
        """
        state = (self.article is not None, len(self.index) > 0, self.index.has_orphans(),
                 bool(self.matches), len(self.suggesting) > 0)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete_span", "edit_note"):
            return len(self.index) > 0
        if action == "replace_orphan":
            return self.index.has_orphans()
        if action == "toggle_team":
            return self.TEAM_TOGGLE and self.article is not None
        if action == "start_link":
            return bool(self.relation_types) and len(self.index) > 0
        if action == "jump_match":
            return bool(self.matches)
        if action in ("accept_suggestion", "reject_suggestion", "jump_suggestion"):
            return len(self.suggesting) > 0
        if action in self.ARTICLE_ACTIONS or action.startswith("tag"):
            return self.article is not None
        return True

    # ------------------------------------------------------------- actions
    def action_tag(self, label_index: int) -> None:
        if self.article is None or not 0 <= label_index < len(self.labels) or self.held():
            return
        label = self.labels[label_index].name
        selected = self.reader.selection_offsets()
        sha = self.article.text_sha256
        if selected is not None:
            found = snap(self.article.text, *selected, words=self.snap_words)
            if found is None:
                self.notify("Nothing to tag: the selection is only white space.",
                            markup=False)
                return
            self.tag_range(label, *found)
            return
        # With the cursor on a suggestion, a label key accepts it as that label.
        if self.suggesting.accept(label, here_only=True):
            return
        span = self.target_span()
        if span is None:
            theirs = self._theirs_here()
            if theirs is not None:
                self._read_only(theirs)
                return
            self.app.bell()
            self.notify(
                "Select some text first (s: sentence, W: word by word, P: paragraph, "
                "shift+arrows, or drag).",
                markup=False,
            )
            return
        if span.label == label:
            return
        span_id = span.id
        self.write("relabelling", lambda store: store.update_span(
            span_id, self.annotator, label=label, actor=self.actor, text_sha256=sha),
            self._span_written)

    def _span_written(self, new: Span) -> None:
        """Show a span this screen just wrote (relabel, note, re-place)."""
        self.index.add(new)
        self.spans_changed(new.id)

    def tag_range(self, label: str, start: int, end: int, *,
                  attributes: dict[str, Any] | None = None) -> None:
        """Tag ``text[start:end]`` of the open article as ``label`` (a snapped selection,
        an accepted suggestion) through :meth:`write`, with the shown text's
        ``text_sha256``; once written the cursor moves as ``after_tag`` says.  An
        identical span already there becomes current instead."""
        assert self.article is not None
        for existing in self.index.at(start):
            if (existing.start, existing.end, existing.label) == (start, end, label):
                self.reader.goto(start)
                self.set_current(existing.id)
                self.notify(f"Already tagged as {one_line(label, 40)}.", markup=False)
                return
        article_id, sha = self.article.id, self.article.text_sha256

        def tagged(added: Span) -> None:
            self.index.add(added)
            self.suggesting.span_added(added)
            nxt = None
            if self.after_tag == "next_sentence":
                # The next sentence starting at or after the span's end: tagging
                # consecutive sentences is `s` + a label key each time.  The new
                # span stays current until the cursor moves again, so a label key,
                # n or backspace right after still act on it.
                nxt = self.reader.sentences.next_start(end - 1)
            if nxt is not None:
                self._held_current = (nxt, added.id)
            self.spans_changed(added.id, cursor=start if nxt is None else nxt)

        self.write("tag", lambda store: store.add_span(
            article_id, self.annotator, label, start, end, attributes=attributes,
            actor=self.actor, text_sha256=sha), tagged)

    def _theirs_here(self) -> Span | None:
        """The teammate's span the user points at (a highlighted row of the span list,
        else under the cursor), when teammates' spans are shown: what a key that found
        no span of the screen's own was probably meant for."""
        if not self.show_team:
            return None
        panel = self.panel
        if panel.has_focus and panel.current_id is not None:
            return self.team.by_id.get(panel.current_id)
        under = self.team.at(self.reader.cursor_offset)
        return under[0] if under else None

    def _read_only(self, theirs: Span) -> None:
        self.app.bell()
        self.notify(f"That is {one_line(theirs.annotator, 30)}'s span: teammates' spans are "
                    "shown, never edited (select the text to tag your own).", markup=False,
                    timeout=3)

    def _no_span(self) -> None:
        theirs = self._theirs_here()
        if theirs is not None:
            self._read_only(theirs)
            return
        self.app.bell()
        self.notify("No span under the cursor (tab jumps to the next one).", markup=False,
                    timeout=2)

    def action_delete_span(self) -> None:
        link = self.panel.link_at(self.panel.current_id) if self.panel.has_focus else None
        if link is not None:
            self._delete_link(link.relation)
            return
        span = self.target_span()
        if span is None:
            self._no_span()
            return
        if self.article is None or self.held():
            return
        span_id, sha, label = span.id, self.article.text_sha256, span.label

        def deleted(_: Span) -> None:
            linked = len(self.links.links_of(span_id))
            self.index.remove(span_id)
            self.spans_changed(None)
            self.sync_current()
            if linked:
                self.refresh_links()
                self.notify(f"Deleted the {one_line(label, 20)} and its {linked} link(s) "
                            "(u brings them back).", markup=False, timeout=3)
            self.suggesting.request()  # the sentence may be suggested again

        self.write("deletion", lambda store: store.delete_span(
            span_id, self.annotator, actor=self.actor, text_sha256=sha), deleted)

    def _delete_link(self, rel: Relation) -> None:
        """Backspace on a link row of the span panel: delete that relation."""
        if self.article is None or self.held():
            return
        relation_id, label, sha = rel.id, rel.label, self.article.text_sha256

        def unlinked(_: Relation) -> None:
            self.refresh_links()
            self.refresh_article_row()
            self.notify(f"Unlinked ({one_line(label, 20)}; u brings it back).",
                        markup=False, timeout=3)

        self.write("unlink", lambda store: store.delete_relation(
            relation_id, self.annotator, actor=self.actor, text_sha256=sha), unlinked)

    def action_edit_note(self, draft: str | None = None) -> None:
        span = self.target_span()
        if span is None:
            self._no_span()
            return
        if self.article is None or self.held():
            return
        span_id, sha = span.id, self.article.text_sha256

        def save(note: str) -> None:
            if self.held():
                return
            self.write("note", lambda store: store.update_span(
                span_id, self.annotator, note=note, actor=self.actor, text_sha256=sha),
                self._span_written)
            if self.article is not None and self.article.text_sha256 != sha and (
                    span_id in self.index.by_id):
                # Refused (the text changed while the note was typed): offer it again.
                self.set_current(span_id)
                self.action_edit_note(draft=note)

        self.app.push_screen(NoteScreen(span.label, span.text,
                                        span.note if draft is None else draft, save))

    def action_replace_orphan(self) -> None:
        if self.article is None:
            return
        orphans = self.index.orphans()
        if not orphans:
            return
        current = self.target_span()
        orphan = current if current is not None and not self.placed(current) else orphans[0]
        selected = self.reader.selection_offsets()
        found = snap(self.article.text, *selected, words=self.snap_words) if selected else None
        if found is None:
            self.notify(
                f"Select the text where the orphaned {one_line(orphan.label, 20)} span "
                f"“{one_line(orphan.text, 30)}” belongs, then press p.",
                markup=False,
            )
            return
        if self.held():
            return
        orphan_id, sha, start = orphan.id, self.article.text_sha256, found[0]

        def placed(new: Span) -> None:
            self.index.add(new)
            self.spans_changed(new.id, cursor=start)

        self.write("re-placed span", lambda store: store.update_span(
            orphan_id, self.annotator, start=found[0], end=found[1], actor=self.actor,
            text_sha256=sha), placed)

    def _shown(self) -> tuple[str, str] | None:
        """The (article id, text SHA-256) on screen, for undo and redo."""
        return (self.article.id, self.article.text_sha256) if self.article else None

    def action_undo(self) -> None:
        if self.held():
            return
        shown = self._shown()

        def undone(ev: Event | None) -> None:
            if ev is None:
                self.notify("Nothing to undo.", markup=False)
                return
            self._after_history(ev, "Undid")

        self.write("undo", lambda store: store.undo(self.actor, shown=shown), undone)

    def action_redo(self) -> None:
        if self.held():
            return
        shown = self._shown()

        def redone(ev: Event | None) -> None:
            if ev is None:
                self.notify("Nothing to redo.", markup=False)
                return
            self._after_history(ev, "Redid")

        self.write("redo", lambda store: store.redo(self.actor, shown=shown), redone)

    def _after_history(self, ev: Event, verb: str) -> None:
        if ev.article_id and (self.article is None or ev.article_id != self.article.id):
            state = ev.before or ev.after or {}
            start = state.get("start", 0) if ev.action.startswith("span.") else 0
            self.open_article(ev.article_id, int(start or 0))
        elif not self.history_applied(ev):
            self.reload_spans()
            self.refresh_links()
            if ev.article_id:
                self.refresh_article_row(ev.article_id)
        if ev.article_id and (self.article is None or ev.article_id != self.article.id):
            self.refresh_article_row(ev.article_id)
        self.suggesting.request()  # spans or rejections changed
        self.notify(f"{verb} {describe_event(ev)}.", markup=False, timeout=3)

    def action_next_article(self) -> None:
        if self.article is None or self.held():
            return
        nxt = self.neighbour_article(1)
        if nxt is None:
            self.notify("This is the last article in the list.", markup=False, timeout=2)
            return
        self.open_article(nxt, at_match=True)

    def action_previous_article(self) -> None:
        if self.article is None or self.held():
            return
        prev = self.neighbour_article(-1)
        if prev is None:
            self.notify("This is the first article in the list.", markup=False, timeout=2)
            return
        self.open_article(prev, at_match=True)

    def action_jump_span(self, step: int) -> None:
        current = self.target_span()
        from_id = current.id if current is not None and self.placed(current) else None
        span = self.index.neighbour(from_id, self.reader.cursor_offset, step)
        if span is None:
            self.app.bell()
            return
        self.set_current(span.id)
        self.reader.goto(span.start)

    def action_toggle_list(self) -> None:
        pane = self.pane
        pane.display = not pane.display
        if not pane.display and self.focused is not None and pane in self.focused.ancestors:
            self.reader.focus()

    def action_focus_filter(self) -> None:
        self.pane.display = True
        self.query_one(FilterInput).focus()

    # ------------------------------------------------------------- linking
    def action_start_link(self) -> None:
        """``>``: link the current span to another (pick the target); held, like every
        edit, while a write waits for another writer."""
        if self.held():
            return
        self.linker.start()

    def action_link_move(self, step: int) -> None:
        self.linker.move(step)

    def action_link_confirm(self) -> None:
        self.linker.confirm()

    def action_link_as(self, type_index: int) -> None:
        self.linker.link_as(type_index)

    def action_link_cancel(self) -> None:
        self.linker.cancel()

    def on_link_bar_left(self, event: LinkBar.Left) -> None:
        """The link bar lost the focus (a click elsewhere): the link is cancelled there."""
        event.stop()
        self.linker.cancel(refocus=False)

    def action_toggle_snap(self) -> None:
        self.snap_words = not self.snap_words
        self.update_top()

    # ------------------------------------------------------- teammates' spans
    def _read_team(self, lines: LineIndex | None = None) -> bool:
        """Re-read the teammates' spans of the open article (when shown); whether they
        changed."""
        if not self.show_team or self.article is None:
            changed = len(self.team) > 0
            self.team = SpanIndex(lines or self.index.lines)
            return changed
        spans = self.team_spans()
        if lines is None:
            before = sorted((s.id, s.updated_at) for s in self.team.by_id.values())
            if sorted((s.id, s.updated_at) for s in spans) == before:
                return False
        self.team = SpanIndex(lines or self.index.lines, spans)
        return True

    def _show_team(self) -> None:
        """Hand the teammates' spans (or none) to the reader and the span panel."""
        team = self.team if self.show_team else None
        self.reader.set_team(team)
        self.panel.set_team(team)

    def reload_team(self) -> None:
        """Re-read the teammates' spans; repaint only if they changed (the poll)."""
        if self.show_team and self._read_team():
            self._show_team()

    def action_toggle_team(self) -> None:
        """``T``: show or hide teammates' spans of the article (dimmed, read-only)."""
        if not self.TEAM_TOGGLE or self.article is None:
            return
        self.show_team = not self.show_team
        with self.store_errors():
            self._read_team(self.index.lines)
        self._show_team()
        self.update_top()
        if not self.show_team:
            self.notify("Teammates' spans hidden.", markup=False, timeout=2)
            return
        names = sorted({s.annotator for s in self.team.by_id.values()})
        if not names:
            self.notify("No teammate has tagged this article yet (shown when they do).",
                        markup=False, timeout=3)
        else:
            who = ", ".join(one_line(n, 20) for n in names[:5])
            more = f" +{len(names) - 5}" if len(names) > 5 else ""
            self.notify(f"Showing {len(self.team)} span(s) by {who}{more}: dimmed, "
                        "read-only, listed under yours.", markup=False, timeout=3)

    # ------------------------------------------------------------- palette
    def common_commands(self) -> list[PaletteCommand]:
        """The palette entries every tagging screen offers."""
        app = self.app
        snap = "on" if self.snap_words else "off"
        listed = "shown" if self.pane.display else "hidden"
        return [
            ("Toggle word snapping", f"Selections snap to whole words (now {snap})",
             self.action_toggle_snap),
            ("Show / hide the article list", f"The list is {listed}", self.action_toggle_list),
            *self._team_command(),
            *self.suggesting.commands(),
            ("Switch theme", "Pick a colour theme", app.action_change_theme),
            ("Keys and labels (help)", "Every key and label", partial(app.run_action, "help")),
            ("Filter articles: to do", "Only articles you have not started",
             partial(self.set_filter, "is:todo")),
            ("Filter articles: in progress", "Only articles you have started",
             partial(self.set_filter, "is:progress")),
            ("Filter articles: done", "Only articles you marked done",
             partial(self.set_filter, "is:done")),
            ("Filter articles: clear", "Show every article", partial(self.set_filter, "")),
            ("Reload the article list", "Pick up articles imported by another process",
             self.reload_list),
            ("Mark done and open the next article", "Same as space", self.action_done_next),
            ("Go to the span list", "Orphaned spans, notes", self.action_focus_spans),
            ("Link the span under the cursor…", "Pick another span it rebuts, supports… (>)",
             self.action_start_link),
            ("Agreement statistics", "Pairwise span F1, token kappa and alpha (as "
             "`stancemark agreement`)", app.open_stats),  # type: ignore[attr-defined]
        ]

    def _team_command(self) -> list[PaletteCommand]:
        if not self.TEAM_TOGGLE:
            return []
        state = "shown" if self.show_team else "hidden"
        return [("Show / hide teammates' spans",
                 f"Other annotators' spans of this article, dimmed and read-only (now {state};"
                 " key T)", self.action_toggle_team)]

    def label_commands(self) -> list[PaletteCommand]:
        """Per label: tag as it, filter by it."""
        out: list[PaletteCommand] = []
        for i, label in enumerate(self.labels):
            name = one_line(label.name, 40)
            out.append((f"Tag as {name}", "Tag the selection (or relabel the current span)",
                        partial(self.action_tag, i)))
            out.append((f"Filter articles: has {name}", f"Only articles with a {name} span",
                        partial(self.set_filter, f"has:{label.name}")))
        return out

    # -------------------------------------------------------------- events
    @on(TextArea.SelectionChanged, "#reader")
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        event.stop()  # nothing above the screen listens (the reader posts it here)
        self._follow_selection()

    def _follow_selection(self) -> None:
        """What the screen does when the reader's cursor or selection moved."""
        self._followed = self.reader.selection
        if self.linker.active:
            return  # the cursor shows the target; the link's source stays current
        self.sync_current()
        self._update_bindings()
        self._position_dirty = True

    def catch_up(self) -> None:
        """Follow a cursor move whose ``SelectionChanged`` is still queued.

        The reader runs a key's binding as soon as the key reaches it
        (:meth:`Reader._on_key`, which calls this first): the move made by the key
        just before may not have reached the screen yet (a binding used to run only
        after its key had passed the screen, behind that message), and every action
        on the current span, its enabled state and the footer must see the move.
        Following it twice changes nothing.
        """
        if self.reader.selection != self._followed:
            self._follow_selection()

    def on_article_list_chosen(self, event: ArticleList.Chosen) -> None:
        event.stop()
        self.go_to_article(event.article_id)

    def on_span_panel_highlighted(self, event: SpanPanel.Highlighted) -> None:
        event.stop()
        suggested = key_of(event.span_id)
        if suggested is not None:  # a suggestion's row: show it in the text
            self.set_current(None, panel=False)
            self.reader.goto(suggested[0])
            return
        link_row = parse_link_row(event.span_id)
        if link_row is not None:
            # A link row: its span is current (details), the row stays highlighted, and
            # backspace deletes the relation.
            owner = self.index.by_id.get(link_row[1])
            self.set_current(owner.id if owner else None, panel=False)
            if owner is not None and self.placed(owner):
                self.reader.goto(owner.start)
            return
        span = self.index.by_id.get(event.span_id)
        if span is None:
            # A teammate's row: nothing of ours is current while it is highlighted, so
            # delete / note / relabel have no target (and never act on theirs).
            self.set_current(None, panel=False)
            return
        self.set_current(span.id)
        if self.placed(span):
            self.reader.goto(span.start)

    def on_span_panel_chosen(self, event: SpanPanel.Chosen) -> None:
        event.stop()
        suggested = key_of(event.span_id)
        if suggested is not None:
            self.reader.goto(suggested[0], center=True)
            self.reader.focus()
            return
        link = self.panel.link_at(event.span_id)
        if link is not None:
            # enter on a link row shows the span at its other end
            if self.placed(link.other):
                self.set_current(link.other.id)
                self.reader.goto(link.other.start, center=True)
                self.reader.focus()
            return
        span = self.index.by_id.get(event.span_id)
        if span is None:
            theirs = self.team.by_id.get(event.span_id) if self.show_team else None
            if theirs is not None and self.placed(theirs):
                # Show it in the text; it stays theirs (nothing acts on it).
                self.reader.goto(theirs.start, center=True)
                self.reader.focus()
            return
        if self.placed(span):
            self.set_current(span.id)
            self.reader.goto(span.start, center=True)
            self.reader.focus()
        else:
            self.notify(
                "This span is orphaned: select the text where it belongs and press p, "
                "or delete it.",
                markup=False,
            )

    def poll_changes(self) -> None:
        """Every second: keep the cursor position, pick up other processes' changes
        (not while a write of ours waits: nobody else commits meanwhile but the writer
        we wait for, and its change is picked up once ours is done)."""
        if self.pending_write is not None:
            return
        self._save_position()
        try:
            version = self.store.data_version()
        except StoreError:
            return
        if version == self._data_version:
            return
        self._data_version = version
        with self.store_errors():
            if self.article is not None and (
                self.store.article_sha(self.article.id) != self.article.text_sha256
            ):
                # Re-imported elsewhere: show the new text (writes made against the
                # old one are refused by the store meanwhile).
                self.text_changed()
            else:
                before = self._own_state()
                self.reload_spans()
                self.reload_team()
                self.refresh_links()
                self.linker.spans_reloaded()
                if self._own_state() != before:
                    self.suggesting.request()  # another process changed our spans
            self.refresh_article_row()

    def _own_state(self) -> list[tuple[str, str]]:
        return sorted((s.id, s.updated_at) for s in self.index.by_id.values())

    # ---------------------------------------------------------- suggestions
    def suggestions_changed(self) -> None:
        """The suggestions shown changed (arrived, accepted, rejected): the footer's keys."""
        self._update_bindings()

    def action_accept_suggestion(self) -> None:
        """``a``: accept the suggestion under the cursor (or the next one) as its label."""
        if self.article is None or self.held():
            return
        if not self.suggesting.accept():
            self._no_suggestion()

    def action_reject_suggestion(self) -> None:
        """``r``: reject the suggestion under the cursor (or the next one); it stays away."""
        if self.article is None or self.held():
            return
        if not self.suggesting.reject():
            self._no_suggestion()

    def action_jump_suggestion(self, step: int) -> None:
        """``f`` / ``F``: the next / previous suggestion."""
        if not self.suggesting.jump(step):
            self._no_suggestion()

    def _no_suggestion(self) -> None:
        self.app.bell()
        self.notify("No suggestion ahead in this article.", markup=False, timeout=2)

    def on_unmount(self) -> None:
        # Closing by any route (ctrl+q, ctrl+c...) keeps the place.
        if self._reader is not None:
            self._save_position()
        self.close_search()
