"""Linking two spans at the keyboard: the picking mode a tagging screen enters with ``>``.

:class:`LinkPicker` holds the state of one link being made and does the work
for the screen's link actions (``action_start_link``, ``action_link_move``,
``action_link_confirm``, ``action_link_as``, ``action_link_cancel`` on
:class:`~tui.screens.tagging.TaggingScreen`):

1. ``>`` on a span of the screen's own starts a link from it.  The candidates
   are the screen's placed spans that some relation type joins it to (the
   schema's ``from`` / ``to``); the reader dims the rest, underlines the
   candidates and shows the picked target in reverse video, and the link bar
   over the reader says what is linked and takes the focus (so only the
   picking keys work: :mod:`tui.widgets.link_bar`).
2. The first target picked is the nearest candidate before the span (where a
   denial's claim usually is), else the first after it; ``tab`` / ``shift+tab``
   (and the cursor keys) go to the next / previous candidate in text order,
   wrapping.  So a target takes at most as many presses as ``tab`` took to
   reach the same span before (the candidates are a subset of the spans, in
   the same order), and the nearest one before takes none.
3. A relation type's key links as that type (refused, with the reason, when
   the type does not join these two labels: nothing is stored); ``enter``
   links when exactly one type fits the pair; ``escape`` cancels.  The store
   checks the types again before writing (:meth:`annotations.store.Store.add_relation`).

Linking, like every action, is committed before the key press returns, through
the screen's one write path (:meth:`~tui.screens.tagging.TaggingScreen.write`:
while another process holds the write lock the picking ends at once and the
link is saved by a worker when the lock is free, or said not to be); the cursor
then goes back to where it was, and the span stays current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from annotations.model import Relation, Span
from annotations.relation_types import can_start, fitting, refusal
from tui.safe import one_line
from tui.spanindex import sort_key

if TYPE_CHECKING:
    from tui.screens.tagging import TaggingScreen


class LinkPicker:
    """One link being picked on a tagging screen (see the module)."""

    def __init__(self, screen: TaggingScreen) -> None:
        self.screen = screen
        self.source: Span | None = None
        self.candidates: list[Span] = []
        self.pos = 0
        #: the reader's cursor when the link started (it goes back there)
        self.return_to = 0

    @property
    def active(self) -> bool:
        return self.source is not None

    @property
    def target(self) -> Span | None:
        return self.candidates[self.pos] if self.source is not None else None

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        s = self.screen
        types = s.relation_types
        if s.article is None:
            return
        if not types:
            s.notify("Relations are off: the labels file has 'relations: []'.", markup=False,
                     timeout=3)
            return
        src = s.target_span()
        if src is None:
            s.app.bell()
            s.notify("Put the cursor on a span to link it (tab jumps to the next one).",
                     markup=False, timeout=3)
            return
        if not s.placed(src):
            s.app.bell()
            s.notify("This span is orphaned: re-place it (p) before linking it.", markup=False,
                     timeout=3)
            return
        if not can_start(types, src.label):
            s.app.bell()
            kinds = "; ".join(f"{t.name} links {t.describe_ends()}" for t in types)
            s.notify(f"No link starts on a {one_line(src.label, 20)} span ({kinds}).",
                     markup=False, timeout=5)
            return
        candidates = [sp for sp in s.index.placed()
                      if sp.id != src.id and fitting(types, src.label, sp.label)]
        if not candidates:
            s.app.bell()
            ends = sorted({lab for t in types for lab in t.to_labels
                           if not t.from_labels or src.label in t.from_labels})
            wanted = " or ".join(one_line(x, 20) for x in ends) or "other"
            s.notify(f"Nothing to link this {one_line(src.label, 20)} to: no {wanted} span "
                     "here yet.", markup=False, timeout=4)
            return
        key = sort_key(src)
        before = [i for i, c in enumerate(candidates) if sort_key(c) < key]
        self.source, self.candidates = src, candidates
        self.pos = before[-1] if before else 0
        self.return_to = s.reader.cursor_offset
        self._show()

    # ------------------------------------------------------------- while picking
    def move(self, step: int) -> None:
        if self.source is None:
            return
        self.pos = (self.pos + step) % len(self.candidates)
        self._show()

    def confirm(self) -> None:
        """``enter``: link as the one type that fits, or say which keys choose one."""
        src, tgt = self.source, self.target
        if src is None or tgt is None:
            return
        fits = fitting(self.screen.relation_types, src.label, tgt.label)
        if len(fits) == 1:
            self.link_as(self.screen.relation_types.index(fits[0]))
            return
        self.screen.app.bell()
        keys = ", ".join(f"{t.key} {t.name}" if t.key else t.name for t in fits)
        self.screen.notify(f"Several links fit this pair: press {keys}.", markup=False,
                           timeout=4)

    def link_as(self, type_index: int) -> None:
        """A relation type's key: link source -> target as that type, or say why not."""
        s = self.screen
        src, tgt = self.source, self.target
        types = s.relation_types
        if src is None or tgt is None or not 0 <= type_index < len(types) or s.article is None:
            return
        kind = types[type_index]
        why = refusal(types, kind.name, src.label, tgt.label)
        if why is not None:
            s.app.bell()
            s.notify(f"Not linked: {why}.", severity="warning", markup=False, timeout=4)
            return
        if s.links.linked(src.id, tgt.id, kind.name) is not None:
            s.app.bell()
            s.notify(f"Already linked: {one_line(src.label, 20)} {kind.name} "
                     f"{one_line(tgt.label, 20)}.", markup=False, timeout=3)
            return
        if s.held():
            return
        article_id, annotator, actor, name = s.article.id, s.annotator, s.actor, kind.name
        src_id, tgt_id, sha = src.id, tgt.id, s.article.text_sha256

        def linked(_: Relation) -> None:
            if self.source is not None and self.source.id == src_id:
                self.finish()
            s.refresh_links()
            s.refresh_article_row()
            s.notify(f"Linked: {one_line(src.label, 20)} “{one_line(src.text, 30)}” "
                     f"{one_line(name, 20)} {one_line(tgt.label, 20)} "
                     f"“{one_line(tgt.text, 30)}”.", markup=False, timeout=3)

        # Through the screen's one write path: it waits for another process's write lock
        # in a worker (then ``linked`` runs once it commits) and reports a refusal.
        s.write("link", lambda store: store.add_relation(
            article_id, annotator, name, src_id, tgt_id, types=types, actor=actor,
            text_sha256=sha), linked)
        if s.pending_write is not None and self.source is not None:
            # Waiting for another writer (the screen says so): the pick is made, so the
            # picking ends now and reading and moving go on while the link is saved.
            self.finish()

    def spans_reloaded(self) -> None:
        """Another process changed the spans: go on with those still there (a teammate's
        commit elsewhere must not end a link half-way), or stop when the link's span or
        every candidate is gone."""
        if self.source is None:
            return
        spans = self.screen.index.by_id
        target = self.target
        kept = [spans[c.id] for c in self.candidates if c.id in spans]
        if self.source.id not in spans or not kept:
            self.cancel()
            return
        self.candidates = kept
        ids = [c.id for c in kept]
        self.pos = ids.index(target.id) if target is not None and target.id in ids else 0
        self._show()

    def cancel(self, *, refocus: bool = True) -> None:
        if self.source is None:
            return
        self.finish(refocus=refocus)
        self.screen.notify("Link cancelled.", markup=False, timeout=2)

    def finish(self, *, refocus: bool = True) -> None:
        """Leave the picking mode: the reader's looks and cursor back, the bar hidden."""
        s = self.screen
        src = self.source
        self.source, self.candidates, self.pos = None, [], 0
        s.reader.set_link(None)
        s.link_bar.hide()
        if refocus:
            s.reader.focus()
        if src is not None and src.id in s.index.by_id:
            s.reader.goto(self.return_to)
            s.set_current(src.id, force=True)

    def _show(self) -> None:
        s = self.screen
        src, tgt = self.source, self.target
        assert src is not None and tgt is not None
        s.reader.set_link(src.id, {c.id for c in self.candidates}, tgt.id)
        s.reader.goto(tgt.start)
        fits = fitting(s.relation_types, src.label, tgt.label)
        keys = " · ".join(f"{t.key} {t.name}" if t.key else t.name for t in fits)
        enter = " · enter links" if len(fits) == 1 else ""
        s.link_bar.show_link(Content.assemble(
            ("link from ", "bold"), f"{one_line(src.label, 16)} “{one_line(src.text, 30)}”",
            (" — pick the target", "bold"), (" (tab / shift+tab, esc cancels)\n", "dim"),
            ("→ ", "bold"), f"{one_line(tgt.label, 16)} “{one_line(tgt.text, 40)}” ",
            (f"{self.pos + 1}/{len(self.candidates)}", "dim"), ("   ", ""),
            (f"{keys}{enter}", "italic"),
        ))
