"""The annotate screen: article list, reader, legend, span panel, footer.

Every change goes through the Store synchronously inside the action handler,
so it is committed before the key press returns.  The screen keeps one piece
of state of its own, ``current_span``: the span under the reader's cursor, or
the one picked in the span panel; delete, note and relabel act on it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, TextArea

from annotations.model import Article, ArticleRow, Label, Span
from annotations.store import Event, Store, StoreError
from annotations.text import LineIndex, snap
from tui import keys as K
from tui.safe import one_line
from tui.screens.note import NoteScreen
from tui.spanindex import SpanIndex, is_placed
from tui.widgets.article_header import ArticleHeader
from tui.widgets.article_list import ArticleList
from tui.widgets.article_pane import ArticlePane
from tui.widgets.filter_input import FilterInput
from tui.widgets.legend import Legend
from tui.widgets.reader import Reader
from tui.widgets.span_details import SpanDetails
from tui.widgets.span_panel import SpanPanel
from tui.widgets.top_bar import TopBar

#: Seconds between checks for changes made by other processes.
POLL_SECONDS = 1.0
#: Lists up to this size load before the first paint; bigger ones stream in after it.
LIST_SYNC_LIMIT = 2000
#: Rows added to the list per step while streaming.
LIST_BATCH = 2000


def describe_event(ev: Event) -> str:
    """A short, plain description of an undone / redone action."""
    state = ev.after or ev.before or {}
    if ev.action.startswith("span."):
        quote = one_line(str(state.get("text", "")), 40)
        label = one_line(str(state.get("label", "")), 20)
        what = {"span.add": "tag", "span.update": "edit", "span.delete": "deletion"}.get(
            ev.action, ev.action
        )
        return f"{what} of {label} “{quote}”"
    if ev.action == "status.set":
        return f"status {(ev.after or {}).get('status', '?')}"
    if ev.action == "review.record":
        decision = str((ev.after or {}).get("decision", ""))
        return {"reject": "rejection", "accept": "acceptance"}.get(decision, "decision")
    return ev.action


class AnnotateScreen(Screen[None]):
    BINDINGS = K.bindings(K.SCREEN_KEYS)

    def __init__(
        self,
        store: Store,
        annotator: str,
        labels: Sequence[Label],
        start_article: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        #: whose spans the screen shows and edits (``gold`` on the review screen)
        self.annotator = annotator
        #: who does it: recorded in the event log, and whose actions undo reverts
        self.actor = annotator
        self.labels = list(labels)
        self.start_article = start_article
        self.article: Article | None = None
        self.index = SpanIndex(LineIndex(""))
        self.current_span: str | None = None
        self.snap_words = True
        self._list_expected = 0
        self._list_loaded = False
        self._position_dirty = False
        self._data_version = store.data_version()
        self._binding_state: tuple[Any, ...] = ()
        self._reader: Reader | None = None
        self._install_label_bindings()

    def _install_label_bindings(self) -> None:
        """``tag_<label>`` bindings; a label's key wins over another default key."""
        key_map = self._bindings.key_to_bindings
        for key in K.label_keys(self.labels):
            for binding in Binding.make_bindings([key.binding()]):
                key_map[binding.key] = [
                    b for b in key_map.get(binding.key, []) if b.action.startswith("tag(")
                ] + [binding]

    # ------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield TopBar(self.annotator, id="top-bar")
        with Horizontal(id="main"):
            yield ArticlePane(self.labels, id="article-pane")
            with Vertical(id="reading"):
                yield ArticleHeader(id="article-header")
                yield Reader(self.labels, id="reader")
                yield Legend(self.labels, id="legend")
                yield SpanPanel(self.labels, id="span-panel")
                yield SpanDetails(id="span-details")
        yield Footer(compact=True)

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
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self.reader.restyle()
        self._list_expected = self.store.count_articles()
        streaming = self._list_expected > LIST_SYNC_LIMIT
        if not streaming:
            self.pane.set_rows(self.list_rows(self.store.list_articles(self.annotator)))
            self._list_loaded = True
        target = self._start_target()
        if target is not None:
            self.open_article(*target, save_old=False)
        else:
            self._show_empty()
        self.reader.focus()
        if streaming:
            # A big list streams in by batches without blocking the screen.  The
            # worker starts now rather than after a refresh: its first batch then
            # makes the first paint, instead of an empty list for ~0.1 s.
            self.pane.summarise(loading=self._list_expected)
            self._start_streaming()
        self.set_interval(POLL_SECONDS, self.poll_changes)
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _start_streaming(self) -> None:
        self._list_loaded = False
        self.run_worker(self._stream_list(), group="article-list", exclusive=True,
                        exit_on_error=False)

    async def _stream_list(self) -> None:
        """Load the article list in batches, on a read connection of its own."""
        try:
            source = Store.open(self.store.path, create=False)
        except StoreError:
            source = None
        if source is None:
            self.pane.set_rows(self.list_rows(self.store.list_articles(self.annotator)))
        else:
            rows = source.iter_article_rows(self.annotator)
            self.pane.set_rows(())
            batch: list[ArticleRow] = []
            try:
                for row in self.list_rows(rows):
                    batch.append(row)
                    if len(batch) >= LIST_BATCH:
                        self.pane.append_rows(batch)
                        self.pane.summarise(loading=self._list_expected)
                        batch = []
                        await asyncio.sleep(0.001)  # let keys and paints through
                self.pane.append_rows(batch)
            finally:
                rows.close()
                source.close()
        self._list_loaded = True
        self.pane.summarise()
        if self.article is not None:
            self.article_list.set_current(self.article.id)
        self._update_top()

    def list_rows(self, rows: Iterable[ArticleRow]) -> Iterable[ArticleRow]:
        """The rows the article list keeps (all here; the review screen keeps fewer)."""
        return rows

    def _theme_changed(self) -> None:
        self.call_after_refresh(self.reader.restyle)

    def _start_target(self) -> tuple[str, int] | None:
        store, who = self.store, self.annotator
        if self.start_article and store.article_row(self.start_article, who) is not None:
            return self.start_article, 0
        saved = store.position(who)
        if saved is not None:
            return saved
        first = store.next_article(who, None, not_done=True)
        if first is None:  # every article is done: start at the first one
            first = store.next_article(who, None, not_done=False)
        return None if first is None else (first, 0)

    def _show_empty(self) -> None:
        self.query_one(ArticleHeader).show_article(None)
        self.query_one(SpanDetails).show_span(None)
        self._update_top()

    # ------------------------------------------------------------ articles
    def open_article(self, article_id: str, cursor: int = 0, *, save_old: bool = True) -> bool:
        if save_old and self.article is not None:
            self._save_position()
        article = self.store.get_article(article_id)
        if article is None:
            self.notify(f"No article {one_line(article_id, 60)!r}", severity="warning",
                        markup=False)
            return False
        self.article = article
        lines = LineIndex(article.text)
        self.index = SpanIndex(lines, self.store.spans(article.id, self.annotator))
        self.current_span = None
        cursor = max(0, min(cursor, len(article.text)))
        self.reader.show_article(article.text, article.styles, self.index, cursor)
        self.panel.current_id = None
        self.panel.set_index(self.index)
        self.article_list.set_current(article.id)
        self._show_header()
        self._sync_current(force=True)
        self._position_dirty = True
        self._save_position()
        self._update_top()
        return True

    def _show_header(self) -> None:
        if self.article is None:
            return
        row = self.article_list.row(self.article.id)
        status = row.status if row else self.store.status(self.article.id, self.annotator)
        self.query_one(ArticleHeader).show_article(self.article, status)

    def _update_top(self) -> None:
        lst = self.article_list
        pos = None
        if self.article is not None:
            i = lst.index_of(self.article.id)
            pos = None if i is None else i + 1
        total = lst.total if self._list_loaded else self._list_expected
        self.query_one(TopBar).show(pos, total, self.snap_words, lst.count_status("done"))

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
        elif self._list_loaded:
            # imported by another process meanwhile
            self.pane.append_rows(list(self.list_rows([row])))
        if self.article is not None and article_id == self.article.id:
            self._show_header()
        self._update_top()

    def _save_position(self) -> None:
        if self.article is None or not self._position_dirty:
            return
        try:
            self.store.save_position(self.annotator, self.article.id, self.reader.cursor_offset)
        except StoreError:
            return  # only a convenience: never interrupt the work for it
        self._position_dirty = False

    def save_position_now(self) -> None:
        self._position_dirty = True
        self._save_position()

    # -------------------------------------------------------------- spans
    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        try:
            yield
        except StoreError as e:
            self.notify(str(e), severity="error", markup=False, timeout=8)
            self.reload_spans()

    def target_span(self) -> Span | None:
        return self.index.by_id.get(self.current_span) if self.current_span else None

    def _placed(self, span: Span) -> bool:
        return is_placed(span, len(self.index.lines.text))

    def _set_current(self, span_id: str | None, *, force: bool = False) -> None:
        if span_id == self.current_span and not force:
            return
        self.current_span = span_id
        span = self.target_span()
        self.reader.set_active_span(span.id if span is not None and self._placed(span) else None)
        self.panel.set_current(span_id)
        color = "#999999"
        if span is not None:
            color = next((lb.color for lb in self.labels if lb.name == span.label), color)
        self.query_one(SpanDetails).show_span(
            span, placed=span is None or self._placed(span), color=color
        )
        self._update_bindings()

    def _sync_current(self, *, force: bool = False) -> None:
        """Follow the cursor: keep the current span if still under it, else the innermost."""
        under = self.index.at(self.reader.cursor_offset)
        ids = [s.id for s in under]
        if self.current_span in ids:
            self._set_current(self.current_span, force=force)
        else:
            self._set_current(ids[0] if ids else None, force=force)

    def _update_bindings(self) -> None:
        """Rebuild the footer when the keys that apply change.

        Span keys (delete, note) apply once the article has spans, re-place once
        it has orphans: this changes with edits, not with every cursor move, so
        moving through densely tagged text never rebuilds the footer.
        """
        state = (self.article is not None, len(self.index) > 0, bool(self.index.orphan_ids))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _spans_changed(self, current: str | None, cursor: int | None = None) -> None:
        self.reader.spans_changed()
        self.panel.spans_changed()
        if cursor is not None:
            self.reader.goto(cursor)
        self._set_current(current, force=True)
        self._refresh_open_row()

    def _refresh_open_row(self) -> None:
        """The open article's list row after this screen changed its spans: no store query.

        The counts come from the span index, which holds the same spans the
        store counts (this annotator's live spans of the article, orphans too);
        the status from the list row, except ``todo``, which the store turns
        ``in_progress`` on the first tag (then read back: one key look-up).
        Changes from other processes, undo and redo re-read the row from the
        store (:meth:`refresh_article_row`).
        """
        if self.article is None:
            return
        row = self.article_list.row(self.article.id)
        if row is None:  # not in the list (yet): the store knows
            self.refresh_article_row()
            return
        status = row.status
        if status == "todo":
            status = self.store.status(self.article.id, self.annotator)
        counts = dict(self.index.label_counts)
        self.article_list.update_row(dataclasses.replace(row, status=status, counts=counts))
        self._show_header()
        self._update_top()

    def reload_spans(self) -> None:
        """Re-read the open article's spans (undo, redo, other processes)."""
        if self.article is None:
            return
        spans = self.store.spans(self.article.id, self.annotator)
        old = sorted((s.id, s.updated_at) for s in self.index.by_id.values())
        if sorted((s.id, s.updated_at) for s in spans) == old:
            return
        self.index.reset(spans)
        self.reader.repaint()
        self.panel.spans_changed()
        current = self.current_span if self.current_span in self.index.by_id else None
        self._set_current(current, force=True)
        if current is None:
            self._sync_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete_span", "edit_note"):
            return len(self.index) > 0
        if action == "replace_orphan":
            return bool(self.index.orphan_ids)
        if action in ("done_next", "next_article", "previous_article") or action.startswith(
            "tag"
        ):
            return self.article is not None
        return True

    # ------------------------------------------------------------ actions
    def action_tag(self, label_index: int) -> None:
        if self.article is None or not 0 <= label_index < len(self.labels):
            return
        label = self.labels[label_index].name
        selected = self.reader.selection_offsets()
        with self._store_errors():
            if selected is not None:
                found = snap(self.article.text, *selected, words=self.snap_words)
                if found is None:
                    self.notify("Nothing to tag: the selection is only white space.",
                                markup=False)
                    return
                start, end = found
                for span in self.index.at(start):
                    if (span.start, span.end, span.label) == (start, end, label):
                        self.reader.goto(start)
                        self._set_current(span.id)
                        self.notify(f"Already tagged as {one_line(label, 40)}.", markup=False)
                        return
                span = self.store.add_span(self.article.id, self.annotator, label, start, end,
                                           actor=self.actor)
                self.index.add(span)
                self._spans_changed(span.id, cursor=start)
                return
            span = self.target_span()
            if span is None:
                self.app.bell()
                self.notify(
                    "Select some text first (shift+arrows, s for a sentence, or drag).",
                    markup=False,
                )
                return
            if span.label == label:
                return
            new = self.store.update_span(span.id, self.annotator, label=label, actor=self.actor)
            self.index.add(new)
            self._spans_changed(new.id)

    def _no_span(self) -> None:
        self.app.bell()
        self.notify("No span under the cursor (tab jumps to the next one).", markup=False,
                    timeout=2)

    def action_delete_span(self) -> None:
        span = self.target_span()
        if span is None:
            self._no_span()
            return
        with self._store_errors():
            self.store.delete_span(span.id, self.annotator, actor=self.actor)
            self.index.remove(span.id)
            self._spans_changed(None)
            self._sync_current()

    def action_edit_note(self) -> None:
        span = self.target_span()
        if span is None:
            self._no_span()
            return
        span_id = span.id

        def save(note: str) -> None:
            with self._store_errors():
                new = self.store.update_span(span_id, self.annotator, note=note,
                                             actor=self.actor)
                self.index.add(new)
                self._spans_changed(new.id)

        self.app.push_screen(NoteScreen(span.label, span.text, span.note, save))

    def action_replace_orphan(self) -> None:
        if self.article is None:
            return
        orphans = self.index.orphans()
        if not orphans:
            return
        current = self.target_span()
        orphan = current if current is not None and not self._placed(current) else orphans[0]
        selected = self.reader.selection_offsets()
        found = snap(self.article.text, *selected, words=self.snap_words) if selected else None
        if found is None:
            self.notify(
                f"Select the text where the orphaned {one_line(orphan.label, 20)} span "
                f"“{one_line(orphan.text, 30)}” belongs, then press p.",
                markup=False,
            )
            return
        with self._store_errors():
            new = self.store.update_span(orphan.id, self.annotator, start=found[0], end=found[1],
                                         actor=self.actor)
            self.index.add(new)
            self._spans_changed(new.id, cursor=found[0])

    def action_undo(self) -> None:
        with self._store_errors():
            ev = self.store.undo(self.actor)
            if ev is None:
                self.notify("Nothing to undo.", markup=False)
                return
            self._after_history(ev, "Undid")

    def action_redo(self) -> None:
        with self._store_errors():
            ev = self.store.redo(self.actor)
            if ev is None:
                self.notify("Nothing to redo.", markup=False)
                return
            self._after_history(ev, "Redid")

    def _after_history(self, ev: Event, verb: str) -> None:
        if ev.article_id and (self.article is None or ev.article_id != self.article.id):
            state = ev.before or ev.after or {}
            start = state.get("start", 0) if ev.action.startswith("span.") else 0
            self.open_article(ev.article_id, int(start or 0))
        else:
            self.reload_spans()
        if ev.article_id:
            self.refresh_article_row(ev.article_id)
        self.notify(f"{verb} {describe_event(ev)}.", markup=False, timeout=3)

    def action_done_next(self) -> None:
        if self.article is None:
            return
        with self._store_errors():
            self.store.set_status(self.article.id, self.annotator, "done", actor=self.actor)
            self.refresh_article_row()
            nxt = self.store.next_article(self.annotator, self.article.id, not_done=True)
        if nxt is None:
            self.notify("Every article is done.", markup=False)
            return
        self.open_article(nxt)

    def _neighbour_article(self, step: int) -> str | None:
        assert self.article is not None
        nxt = self.article_list.neighbour(self.article.id, step)
        if nxt is not None or self.article_list.view_position(self.article.id) is not None:
            return nxt
        if step > 0:
            return self.store.next_article(self.annotator, self.article.id, not_done=False)
        return self.store.previous_article(self.article.id)

    def action_next_article(self) -> None:
        if self.article is None:
            return
        nxt = self._neighbour_article(1)
        if nxt is None:
            self.notify("This is the last article in the list.", markup=False, timeout=2)
            return
        self.open_article(nxt)

    def action_previous_article(self) -> None:
        if self.article is None:
            return
        prev = self._neighbour_article(-1)
        if prev is None:
            self.notify("This is the first article in the list.", markup=False, timeout=2)
            return
        self.open_article(prev)

    def action_jump_span(self, step: int) -> None:
        current = self.target_span()
        from_id = current.id if current is not None and self._placed(current) else None
        span = self.index.neighbour(from_id, self.reader.cursor_offset, step)
        if span is None:
            self.app.bell()
            return
        self._set_current(span.id)
        self.reader.goto(span.start)

    def action_toggle_list(self) -> None:
        pane = self.pane
        pane.display = not pane.display
        if not pane.display and self.focused is not None and pane in self.focused.ancestors:
            self.reader.focus()

    def action_focus_filter(self) -> None:
        self.pane.display = True
        self.query_one(FilterInput).focus()

    def action_focus_spans(self) -> None:
        self.panel.focus()

    def action_toggle_snap(self) -> None:
        self.snap_words = not self.snap_words
        self._update_top()

    def go_to_article(self, article_id: str) -> None:
        if self.article is None or article_id != self.article.id:
            self.open_article(article_id)
        self.reader.focus()

    def set_filter(self, text: str) -> None:
        self.pane.display = True
        self.pane.set_filter_text(text)

    def reload_list(self) -> None:
        """Re-read the whole list (articles imported by another process)."""
        self._list_expected = self.store.count_articles()
        if self._list_expected > LIST_SYNC_LIMIT:
            self._start_streaming()
            return
        self.pane.set_rows(self.list_rows(self.store.list_articles(self.annotator)))
        if self.article is not None:
            self.article_list.set_current(self.article.id)
        self._update_top()

    # ------------------------------------------------------------ events
    @on(TextArea.SelectionChanged, "#reader")
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        self._sync_current()
        self._update_bindings()
        self._position_dirty = True

    def on_article_list_chosen(self, event: ArticleList.Chosen) -> None:
        event.stop()
        self.go_to_article(event.article_id)

    def on_span_panel_highlighted(self, event: SpanPanel.Highlighted) -> None:
        event.stop()
        span = self.index.by_id.get(event.span_id)
        if span is None:
            return
        self._set_current(span.id)
        if self._placed(span):
            self.reader.goto(span.start)

    def on_span_panel_chosen(self, event: SpanPanel.Chosen) -> None:
        event.stop()
        span = self.index.by_id.get(event.span_id)
        if span is None:
            return
        if self._placed(span):
            self._set_current(span.id)
            self.reader.goto(span.start, center=True)
            self.reader.focus()
        else:
            self.notify(
                "This span is orphaned: select the text where it belongs and press p, "
                "or delete it.",
                markup=False,
            )

    def poll_changes(self) -> None:
        """Every second: save the cursor position, pick up other processes' changes."""
        self._save_position()
        try:
            version = self.store.data_version()
        except StoreError:
            return
        if version == self._data_version:
            return
        self._data_version = version
        with self._store_errors():
            if self.article is not None and (
                self.store.article_sha(self.article.id) != self.article.text_sha256
            ):
                # Re-imported elsewhere: never tag offsets of a text no longer stored.
                self.open_article(self.article.id, self.reader.cursor_offset, save_old=False)
                self.notify("This article's text changed in another process: reloaded.",
                            severity="warning", markup=False)
            else:
                self.reload_spans()
            self.refresh_article_row()

    def on_unmount(self) -> None:
        # Closing by any route (ctrl+q, ctrl+c...) keeps the place.
        if self._reader is not None:
            self._save_position()
