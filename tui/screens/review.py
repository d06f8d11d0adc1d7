"""The review screen: compare annotators on one article and build ``gold``.

A sibling of the annotate screen over the same
:class:`~tui.screens.tagging.TaggingScreen` base (article list, reader, gold
span list, the same keys for moving, selecting, tagging, undo and articles),
pointed at ``gold`` with the reviewer as the actor, plus what reviewing needs:

* the reader paints every compared annotator's spans by kind (agreed, label
  conflict, boundary difference, only one) and underlines gold;
* the review list names each span's annotator, label, kind and decision;
* ``a`` / ``r`` accept (copy into gold) or reject the span under the cursor,
  ``A`` accepts every agreed span, tab / shift+tab walk the disagreements;
* relations are compared too (:mod:`annotations.review_relations`): their
  disagreements are listed after the span each starts on and walked with
  tab, and ``a`` on one brings it into gold with the spans it needs;
* the header shows the article's agreement figures (gold left out unless
  ``include_gold``), the list each article's "decided / disagreements"
  (computed for the rows drawn, then cached).

Every decision and edit goes through :mod:`annotations.review` or the Store
by the base's :meth:`~tui.screens.tagging.TaggingScreen.write`, so it is
committed before the key press returns (or, while another process holds the
write lock, shown as waiting with edits held), and carries the hash of the
text on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import cast

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content

from annotations import review as core
from annotations.agreement import AgreementReport, figure_text
from annotations.config import DEFAULT_AFTER_TAG, AfterTag
from annotations.model import GOLD, ArticleRow, Label, Span
from annotations.review_relations import ReviewRelation
from annotations.store import Store, StoreError
from annotations.text import LineIndex
from tui import keys as K
from tui.safe import one_line
from tui.screens.tagging import TAGGING_CSS, PaletteCommand, TaggingScreen
from tui.spanindex import SpanIndex
from tui.widgets.article_header import ArticleHeader
from tui.widgets.article_pane import ArticlePane
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.review_bar import ReviewBar
from tui.widgets.review_items import ReviewItems
from tui.widgets.review_legend import ReviewLegend
from tui.widgets.review_reader import GOLD_KIND, ReviewReader
from tui.widgets.span_panel import SpanPanel

#: Articles looked at, at most, for the first one with undecided disagreements.
START_SCAN = 200


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def agreement_figures(report: AgreementReport) -> Content:
    """The header's line: exact / overlap F1 and token kappa of the pair (the mean of the
    pairs when more than two annotators are compared), and alpha; '-' when undefined."""
    pairs = report.pairs
    if len(pairs) == 1:
        who = Content.assemble(("agreement ", "$text-muted"),
                               f"{one_line(pairs[0].a, 12)}–{one_line(pairs[0].b, 12)}")
    else:
        who = Content(f"mean of {len(pairs)} pairs" if pairs else "agreement: no pair")
    return Content.assemble(
        who,
        ("  exact F1 ", "$text-muted"),
        (figure_text(_mean(p.exact_f1 for p in pairs)), "bold"),
        ("  overlap F1 ", "$text-muted"),
        (figure_text(_mean(p.overlap_f1 for p in pairs)), "bold"),
        ("  token kappa ", "$text-muted"),
        (figure_text(_mean(p.token_kappa for p in pairs)), "bold"),
        ("  alpha ", "$text-muted"),
        (figure_text(report.alpha), "bold"),
    )


class ReviewScreen(TaggingScreen, inherit_bindings=False):
    CSS_PATH = [TAGGING_CSS, "review.tcss"]
    BINDINGS = K.bindings(K.REVIEW_SCREEN_KEYS)
    ARTICLE_ACTIONS = TaggingScreen.ARTICLE_ACTIONS | {
        "accept", "reject", "accept_agreed", "jump_item"}
    #: Label keys tag gold; where one is also a review key, the review key wins here
    #: (the label's number still tags).
    KEYS_BEFORE_LABELS = frozenset(k for key in K.REVIEW_KEYS for k in key.keys.split(","))
    STATUS_NAME = "gold"
    #: The reader already paints every compared annotator's spans.
    TEAM_TOGGLE = False

    def __init__(
        self,
        store: Store,
        reviewer: str,
        labels: Sequence[Label],
        against: Sequence[str],
        start_article: str | None = None,
        *,
        from_annotator: bool = False,
        include_gold: bool = False,
        after_tag: AfterTag = DEFAULT_AFTER_TAG,
    ) -> None:
        """``include_gold``: the header's figures count gold as a rater too."""
        super().__init__(store, GOLD, labels, start_article, actor=reviewer,
                         after_tag=after_tag)
        self.reviewer = reviewer
        self.against = [a for a in dict.fromkeys(against) if a != GOLD]
        self.from_annotator = from_annotator
        self.include_gold = include_gold
        self.review: core.ArticleReview | None = None
        #: the compared spans of the open article, by id
        self.items: dict[str, core.ReviewSpan] = {}
        #: the compared relations of the open article, by id
        self.relation_items: dict[str, ReviewRelation] = {}
        #: the compared span under the cursor (accept and reject act on it)
        self.current_item: str | None = None
        #: what the reader paints: the compared spans and gold
        self.review_index = SpanIndex(LineIndex(""))
        self._kinds: dict[str, str] = {}
        self._progress: dict[str, tuple[int, int] | None] = {}
        self._queue: list[str] = []
        self._queued: set[str] = set()

    # ------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield ReviewBar(id="top-bar")
        with Horizontal(id="main"):
            yield ArticlePane(self.labels, id="article-pane")
            with Vertical(id="reading"):
                yield ArticleHeader(id="article-header")
                yield self.new_link_bar()
                yield ReviewReader(self.labels, id="reader")
                yield ReviewLegend(id="legend")
                yield ReviewItems(self.labels, id="review-items")
                yield SpanPanel(self.labels, id="span-panel")
        yield FittingFooter()

    @property
    def review_reader(self) -> ReviewReader:
        return cast(ReviewReader, self.reader)

    @property
    def items_panel(self) -> ReviewItems:
        return self.query_one(ReviewItems)

    @property
    def single_name(self) -> str:
        return "only one" if len(self.against) <= 2 else "not all"

    def prepare(self) -> None:
        self.article_list.review_progress = self.progress_of
        items = self.items_panel
        items.single_name = self.single_name
        items.border_title = "compared spans"
        self.panel.border_title = "gold"
        self.call_after_refresh(self._show_legend)

    def _show_legend(self) -> None:
        self.query_one(ReviewLegend).show(self.review_reader, self.labels, self.single_name)

    def theme_changed(self) -> None:
        self.reader.restyle()
        self._show_legend()

    # -------------------------------------------------------------- list
    def prepare_list(self) -> None:
        """The articles to review: those someone compared has tagged."""
        self._queue = core.review_queue(self.store, self.against)
        self._queued = set(self._queue)
        self._progress.clear()

    def list_rows(self, rows: Iterable[ArticleRow]) -> Iterable[ArticleRow]:
        """Only the articles someone compared has tagged."""
        queued = self._queued
        return (row for row in rows if row.id in queued)

    def progress_of(self, article_id: str) -> tuple[int, int] | None:
        """(decided, disagreements) for the list: computed when first drawn, then cached."""
        if article_id not in self._progress:
            try:
                self._progress[article_id] = core.article_progress(
                    self.store, article_id, self.reviewer, self.against)
            except StoreError:
                return None
        return self._progress[article_id]

    def start_target(self) -> tuple[str, int] | None:
        """The article asked for, else the first one with undecided disagreements."""
        if self.start_article and self.store.get_article(self.start_article) is not None:
            return self.start_article, 0
        for article_id in self._queue[:START_SCAN]:
            progress = self.progress_of(article_id)
            if progress is not None and progress[0] < progress[1]:
                return article_id, 0
        return (self._queue[0], 0) if self._queue else None

    def neighbour_article(self, step: int) -> str | None:
        """The next / previous row of the list, or (the open article not listed) the
        nearest listed article that way in the store's order."""
        assert self.article is not None
        lst = self.article_list
        if lst.view_position(self.article.id) is not None:
            return lst.neighbour(self.article.id, step)
        # The open article is not in the list (nobody compared tagged it, or filtered):
        # the nearest listed article in that direction.
        ids = self.store.article_ids()
        try:
            here = ids.index(self.article.id)
        except ValueError:
            return None
        order = ids[here + 1:] if step > 0 else reversed(ids[:here])
        return next((a for a in order if lst.view_position(a) is not None), None)

    # ----------------------------------------------------------- article
    def read_spans(self, lines: LineIndex, cursor: int = 0) -> SpanIndex:
        """Gold is what this screen edits; the reader paints the compared spans too."""
        self.index = SpanIndex(lines)
        self.review_index = SpanIndex(lines)
        self.current_item = None
        self._load_review()
        self.review_reader.kinds = dict(self._kinds)
        self.items_panel.current_id = None
        self.items_panel.set_items(self.review.items if self.review else [],
                                   self.review.relations if self.review else [])
        return self.review_index

    def _load_review(self) -> None:
        """Re-read the open article's comparison, decisions and gold spans."""
        assert self.article is not None
        rv = core.review_article(self.store, self.article.id, self.reviewer, self.against,
                                 include_gold=self.include_gold)
        self.review = rv
        self.items = {it.span.id: it for it in rv.items}
        self.relation_items = {it.relation.id: it for it in rv.relations}
        self.index.reset(rv.gold)
        self.review_index.reset([*(it.span for it in rv.items), *rv.gold])
        self._kinds = {it.span.id: it.kind for it in rv.items}
        self._kinds.update({g.id: GOLD_KIND for g in rv.gold})
        self._progress[self.article.id] = (
            (rv.decided, rv.disagreement_count) if rv.items else None
        )

    def _refresh_review(self) -> None:
        """After a decision, an edit, undo or another process: re-read and repaint."""
        if self.article is None:
            return
        self._load_review()
        self.review_reader.set_review(self.review_index, self._kinds)
        self.panel.spans_changed()
        assert self.review is not None
        self.items_panel.set_items(self.review.items, self.review.relations)
        item = self.current_item if (self.current_item in self.items
                                     or self.current_item in self.relation_items) else None
        self._set_item(item, force=True)
        gold = self.current_span if self.current_span in self.index.by_id else None
        self.set_current(gold, force=True)
        self.sync_current()
        self.refresh_links()  # gold's links (an accepted relation, an undo)
        self.article_list.refresh_row(self.article.id)
        self.refresh_article_row()

    def header_figures(self) -> Content | None:
        """The article's agreement figures."""
        return agreement_figures(self.review.agreement) if self.review else None

    def show_empty(self) -> None:
        self.query_one(ArticleHeader).show_article(None)
        self.items_panel.empty_text = (
            "Nothing to review: none of " + ", ".join(one_line(a, 20) for a in self.against)
            + " has tagged a span."
        )
        self.items_panel.set_items([])
        self.update_top()

    def update_top(self) -> None:
        lst = self.article_list
        pos = None
        if self.article is not None:
            i = lst.index_of(self.article.id)
            pos = None if i is None else i + 1
        total = lst.total if self.pane.loaded else len(self._queue)
        rv = self.review
        progress = (rv.decided, rv.disagreement_count) if rv is not None and rv.items else None
        self.query_one(ReviewBar).show(self.reviewer, self.against, pos, total, progress)

    # keep_position: not overridden.  The reviewer's place in the annotator is
    # theirs; the review keeps none.

    # ------------------------------------------------------------ current
    def _target_item(self) -> core.ReviewItem | None:
        if not self.current_item:
            return None
        return self.items.get(self.current_item) or self.relation_items.get(self.current_item)

    def _paint_active(self) -> None:
        rel = self.relation_items.get(self.current_item or "")
        active = rel.source.id if rel is not None else self.current_item
        self.review_reader.set_active_span(active or self.current_span)

    def _set_item(self, span_id: str | None, *, force: bool = False) -> None:
        if span_id == self.current_item and not force:
            return
        self.current_item = span_id
        self.items_panel.set_current(span_id)
        self._paint_active()

    def follow_cursor(self, offset: int, *, force: bool = False) -> None:
        """The compared span under the cursor: keep the current one if still there,
        else the innermost (a disagreement before an agreement)."""
        under = [s for s in self.review_index.at(offset) if s.id in self.items]
        ids = {s.id for s in under}
        rel = self.relation_items.get(self.current_item or "")
        if rel is not None and rel.source.id in ids:
            self._set_item(rel.relation.id, force=force)  # still on the span it starts on
        elif self.current_item in ids:
            self._set_item(self.current_item, force=force)
        else:
            open_ = [s for s in under if self.items[s.id].kind != "agree"]
            pick = (open_ or under)[0].id if under else None
            self._set_item(pick, force=force)

    def current_changed(self) -> None:
        """The gold span under the cursor (backspace, note and relabel act on it)."""
        self._paint_active()

    def spans_changed(self, current: str | None, cursor: int | None = None) -> None:
        """A gold span was tagged, relabelled or deleted (the annotator's actions)."""
        self._refresh_review()
        if cursor is not None:
            self.reader.goto(cursor)
        self.set_current(current, force=True)

    def reload_spans(self) -> None:
        """Undo, redo, other processes: everything may have changed."""
        self._progress.clear()
        self._refresh_review()
        self.article_list.refresh()

    # ------------------------------------------------------------ actions
    def _no_item(self) -> None:
        self.app.bell()
        self.notify("No compared span under the cursor (tab jumps to the next disagreement).",
                    markup=False, timeout=2)

    @staticmethod
    def _describe(item: core.ReviewItem) -> str:
        if isinstance(item, ReviewRelation):
            rel = item.relation
            return (f"{one_line(rel.annotator, 20)}'s {one_line(rel.label, 20)} link "
                    f"“{one_line(item.source.text, 30)}” → “{one_line(item.target.text, 30)}”")
        span = item.span
        return (f"{one_line(span.annotator, 20)}'s {one_line(span.label, 20)} "
                f"“{one_line(span.text, 40)}”")

    def action_accept(self) -> None:
        item = self._target_item()
        if item is None:
            self._no_item()
            return
        if self.article is None or self.held():
            return
        sha, described = self.article.text_sha256, self._describe(item)
        # Arguments bound now: the call may run later, in a worker on a store of its own.
        call = (partial(core.accept_relation, relation_id=item.relation.id,
                        reviewer=self.reviewer, types=self.relation_types, text_sha256=sha)
                if isinstance(item, ReviewRelation) else
                partial(core.accept, span_id=item.span.id, reviewer=self.reviewer,
                        text_sha256=sha))

        def accepted(_: object) -> None:
            self._refresh_review()
            self.notify(f"Accepted {described} into gold.", markup=False, timeout=3)

        self.write("acceptance", call, accepted)

    def action_reject(self) -> None:
        item = self._target_item()
        if item is None:
            self._no_item()
            return
        if self.held():
            return
        described = self._describe(item)
        call = (partial(core.reject_relation, relation_id=item.relation.id,
                        reviewer=self.reviewer)
                if isinstance(item, ReviewRelation) else
                partial(core.reject, span_id=item.span.id, reviewer=self.reviewer))

        def rejected(_: object) -> None:
            self._refresh_review()
            self.notify(f"Rejected {described}.", markup=False, timeout=3)

        self.write("rejection", call, rejected)

    def action_accept_agreed(self) -> None:
        if self.article is None or self.held():
            return
        article_id, sha = self.article.id, self.article.text_sha256

        def accepted(made: list[Span]) -> None:
            self._refresh_review()
            if made:
                self.notify(f"Accepted {len(made)} agreed span(s) into gold.", markup=False,
                            timeout=3)
            else:
                self.notify("No agreed spans left to accept here.", markup=False, timeout=3)

        self.write("acceptances", lambda store: core.accept_agreed(
            store, article_id, self.reviewer, self.against, text_sha256=sha), accepted)

    def action_jump_item(self, step: int) -> None:
        """Tab / shift+tab: the next / previous disagreement in text order (wrapping), a
        relation's right after the span it starts on."""
        disagreements = self.review.open_items if self.review is not None else []
        if not disagreements:
            self.app.bell()
            self.notify("No disagreements on this article.", markup=False, timeout=2)
            return
        ids = [it.item_id for it in disagreements]
        if self.current_item in ids:
            pos = (ids.index(self.current_item) + step) % len(ids)
        else:
            offset = self.review_reader.cursor_offset
            if step > 0:
                pos = next((i for i, it in enumerate(disagreements) if it.start > offset), 0)
            else:
                pos = next((i for i in range(len(ids) - 1, -1, -1)
                            if disagreements[i].start < offset), len(ids) - 1)
        item = disagreements[pos]
        self._set_item(item.item_id)
        self.reader.goto(item.start)

    def action_done_next(self) -> None:
        """Space: mark this article's gold done and open the next article to review."""
        if self.article is None or self.held():
            return
        article_id = self.article.id

        def marked(_: None) -> None:
            self.refresh_article_row()
            self.action_next_article()

        self.write("done mark", lambda store: store.set_status(article_id, GOLD, "done",
                                                              actor=self.actor), marked)

    def action_focus_spans(self) -> None:
        self.items_panel.focus()

    def action_back(self) -> None:
        """Escape: back to the annotator this screen was opened from."""
        if self.held():
            return
        if not self.from_annotator:
            self.notify("This review was opened from the command line: q quits "
                        "(everything is already saved).", markup=False, timeout=3)
            return
        self.dismiss(None)

    def palette_commands(self) -> list[PaletteCommand]:
        own: list[PaletteCommand] = [
            ("Accept every agreed span", "Same as A: copy them into gold",
             self.action_accept_agreed),
            ("Next disagreement", "Same as tab", partial(self.action_jump_item, 1)),
        ]
        if self.from_annotator:
            own.append(("Back to the annotator", "Same as escape", self.action_back))
        return [*self.common_commands(), *own, *self.label_commands()]

    # ------------------------------------------------------------- events
    def on_review_items_highlighted(self, event: ReviewItems.Highlighted) -> None:
        event.stop()
        item = self.items.get(event.span_id) or self.relation_items.get(event.span_id)
        if item is None:
            return
        self._set_item(item.item_id)
        self.reader.goto(item.start)

    def on_review_items_chosen(self, event: ReviewItems.Chosen) -> None:
        event.stop()
        item = self.items.get(event.span_id) or self.relation_items.get(event.span_id)
        if item is None:
            return
        self._set_item(item.item_id)
        self.reader.goto(item.start, center=True)
        self.reader.focus()
