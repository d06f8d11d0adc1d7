"""The annotate screen: one annotator tags their own spans.

Article list, reader, legend, span panel, span details, footer, over the
:class:`~tui.screens.tagging.TaggingScreen` base (which holds the keys and
the actions; see it for the hooks implemented here).  What is its own: the
spans shown and edited are the annotator's, a tag updates the list row
without a store query, the cursor position is kept between runs, and the
palette offers to review the article.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from annotations.model import Relation, Span
from annotations.store import Event, StoreError
from annotations.suggest.engine import Suggestion
from annotations.text import LineIndex
from tui import keys as K
from tui.screens.suggesting import SuggestionSource
from tui.screens.tagging import TAGGING_CSS, PaletteCommand, TaggingScreen
from tui.spanindex import SpanIndex
from tui.widgets.article_header import ArticleHeader
from tui.widgets.article_pane import ArticlePane
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.legend import Legend
from tui.widgets.reader import Reader
from tui.widgets.span_details import SpanDetails
from tui.widgets.span_panel import SpanPanel
from tui.widgets.top_bar import TopBar

#: The least text (characters) whose spans the first frame reads: enough spans to fill
#: the span panel below the cursor's too, in all but the sparsest articles.
WINDOW_CHARS = 16_384
#: A span's colour in the details when its label is not in the schema.
UNKNOWN_COLOR = "#999999"


class AnnotateScreen(TaggingScreen):
    CSS_PATH = [TAGGING_CSS, "annotate.tcss"]
    BINDINGS = K.bindings((*K.SCREEN_KEYS, *K.SUGGEST_KEYS))

    # ------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield TopBar(self.annotator, id="top-bar")
        with Horizontal(id="main"):
            yield ArticlePane(self.labels, id="article-pane")
            with Vertical(id="reading"):
                yield ArticleHeader(id="article-header")
                yield self.new_link_bar()
                yield Reader(self.labels, id="reader")
                yield Legend(self.labels, id="legend")
                yield SpanPanel(self.labels, id="span-panel")
                yield SpanDetails(id="span-details")
        yield FittingFooter()

    def start_target(self) -> tuple[str, int] | None:
        """The article asked for, else where the annotator left off, else the first
        one not done (the first one when all are)."""
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

    def show_empty(self) -> None:
        self.query_one(ArticleHeader).show_article(None)
        self.query_one(SpanDetails).show_span(None)
        self.update_top()

    def update_top(self) -> None:
        lst = self.article_list
        pos = None
        if self.article is not None:
            i = lst.index_of(self.article.id)
            pos = None if i is None else i + 1
        total = lst.total if self.pane.loaded else self.pane.expected
        self.query_one(TopBar).show(pos, total, self.snap_words, lst.count_status("done"),
                                    team=self.show_team)

    def keep_position(self, article_id: str, offset: int) -> bool:
        try:
            self.store.save_position(self.annotator, article_id, offset)
        except StoreError:
            return False  # only a convenience: never interrupt the work for it
        return True

    # -------------------------------------------------------------- spans
    def read_spans(self, lines: LineIndex, cursor: int = 0) -> SpanIndex:
        """Only the spans around the cursor's screen, and the counts of all: the rest
        load after the first frame (:meth:`TaggingScreen.load_spans`; issue 19)."""
        article = self.article
        assert article is not None
        # Each line takes at least one screen line, so this many lines on either side
        # of the cursor's cover the screen wherever the reader puts the cursor.
        around = self.app.size.height + 4
        row = lines.row_of(cursor)
        lo = lines.starts[max(0, row - around)]
        hi = lines.line_end(min(len(lines.starts) - 1, row + around)) + 1
        hi = max(hi, min(lo + WINDOW_CHARS, len(lines.text) + 1))
        store, who = self.store, self.annotator
        w = store.span_window(article.id, who, lo, hi, len(lines.text))
        # The span panel lists from the first span while none is current: those too.
        head = store.spans_starting(article.id, who, None, w.first, around) if w.before else []
        self.index = SpanIndex.partial(
            lines, w.spans, first=w.first, end=w.end, before=w.before, total=w.total,
            orphaned=w.orphaned, paint_from=lo, head=head,
            read=partial(store.spans_starting, article.id, who))
        return self.index

    def current_changed(self) -> None:
        """Highlight the current span in the reader (when placed) and detail it below
        (or, with no current span, the suggestion under the cursor)."""
        span = self.target_span()
        self.reader.set_active_span(span.id if span is not None and self.placed(span) else None)
        if span is None and self.suggesting.under is not None:
            self.show_suggestion(self.suggesting.under)
            return
        color = self.label_color(span.label) if span is not None else UNKNOWN_COLOR
        self.query_one(SpanDetails).show_span(
            span, placed=span is None or self.placed(span), color=color,
            links=self.link_words(span)
        )

    def label_color(self, name: str) -> str:
        """The colour of the schema's label ``name`` (:data:`UNKNOWN_COLOR` if none)."""
        return next((lb.color for lb in self.labels if lb.name == name), UNKNOWN_COLOR)

    def suggestions(self) -> SuggestionSource | None:
        """The app's suggestions (their worker and the session's settings)."""
        source = getattr(self.app, "suggestions", None)
        return source if isinstance(source, SuggestionSource) else None

    def show_suggestion(self, suggestion: Suggestion | None) -> None:
        """Detail the suggestion under the cursor while no span is current."""
        if self.target_span() is not None or self.article is None:
            return
        details = self.query_one(SpanDetails)
        if suggestion is None:
            details.show_span(None)
            return
        details.show_suggestion(suggestion, self.article.text[suggestion.start:suggestion.end],
                                self.label_color(suggestion.label))

    def spans_changed(self, current: str | None, cursor: int | None = None) -> None:
        """Repaint only what the change touched (the index knows), and the list row."""
        self.reader.spans_changed()
        self.panel.spans_changed()
        if cursor is not None:
            self.reader.goto(cursor)
        self.set_current(current, force=True)
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
        self.show_header()
        self.update_top()

    def history_applied(self, ev: Event) -> bool:
        """Undo and redo of this annotator's spans on the open article update the span
        index with the spans they wrote, and repaint what those touched, as a tag does
        (re-reading 5,000 spans and rebuilding the index cost 115-220 ms: issue 19).
        Anything else (a status, a review, someone else's record) reloads."""
        article = self.article
        if article is None or not ev.reverted:
            return False
        spans: list[Span] = []
        relations = False
        for action, article_id, record in ev.reverted:
            if article_id != article.id:
                return False
            if isinstance(record, Span) and action.startswith("span."):
                if record.annotator != self.annotator:
                    return False
                spans.append(record)
            elif isinstance(record, Relation) and action.startswith("relation."):
                relations = True
            else:
                return False
        for span in spans:
            self.index.add(span)  # a tombstone only removes it
        gone = {s.id for s in spans if s.deleted_at is not None}
        if relations or gone & self.links.related():
            self.refresh_links()
        current = self.current_span if self.current_span in self.index.by_id else None
        self.spans_changed(current)
        if current is None:
            self.sync_current()
        return True

    def reload_spans(self) -> None:
        """Re-read the open article's spans; repaint only if they changed."""
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
        self.set_current(current, force=True)
        if current is None:
            self.sync_current()

    # ------------------------------------------------------------ actions
    def action_done_next(self) -> None:
        """Space: mark the article done and open the next one not done."""
        if self.article is None or self.held():
            return
        article_id = self.article.id

        def marked(_: None) -> None:
            self.refresh_article_row()
            nxt = self.store.next_article(self.annotator, article_id, not_done=True)
            if nxt is None:
                self.notify("Every article is done.", markup=False)
                return
            self.open_article(nxt)

        self.write("done mark", lambda store: store.set_status(
            article_id, self.annotator, "done", actor=self.actor), marked)

    def neighbour_article(self, step: int) -> str | None:
        """The next / previous row of the list, or (the open article not listed) of
        the store's order."""
        assert self.article is not None
        nxt = self.article_list.neighbour(self.article.id, step)
        if nxt is not None or self.article_list.view_position(self.article.id) is not None:
            return nxt
        if step > 0:
            return self.store.next_article(self.annotator, self.article.id, not_done=False)
        return self.store.previous_article(self.article.id)

    def action_focus_spans(self) -> None:
        self.panel.focus()

    def palette_commands(self) -> list[PaletteCommand]:
        article_id = self.article.id if self.article is not None else None
        review: PaletteCommand = (
            "Review this article…",
            "Compare your spans with everyone else's on it; accept or reject them into gold",
            partial(self.app.open_review, article_id),  # type: ignore[attr-defined]
        )
        return [review, *self.common_commands(), *self.label_commands()]
