"""Suggestions on a tagging screen: asked for off the UI thread, shown, accepted, rejected.

:class:`SuggestionSource` (one per app) holds the worker that works
suggestions out (a child process, see :mod:`annotations.suggest.worker`) and
the session's settings (a source switched off in the palette stays off until
the app exits; ``suggest:`` in the config sets the start).

:class:`Suggesting` (one per screen, created by
:class:`~tui.screens.tagging.TaggingScreen`, fed by its ``suggestions`` hook)
keeps the open article's suggestions:

* **Asked for after the first paint** of an article (``call_after_refresh``),
  again after undo / redo, a deleted span, a source switched, another
  process's change to one's spans, and (retraining the model) after every
  ``retrain_every`` new tags, once the tagging pauses (``RETRAIN_IDLE``).
  Each request runs in a thread worker
  (``run_worker(thread=True)``) that waits for the worker process; a newer
  request makes older ones drop out unanswered, and an answer for another
  article, another text or an older request is thrown away.  A key press
  never waits for any of it.
* **Shown** in the reader (:meth:`~tui.widgets.reader.Reader.set_suggestions`:
  only the lines whose suggestions changed are repainted) and listed in the span
  panel; the one under the cursor is detailed by the screen
  (:meth:`~tui.screens.tagging.TaggingScreen.show_suggestion`).
* **Accepted** (``a``, or a label key with the cursor on one) as an ordinary span
  of the screen's annotator through the screen's own tag path
  (:meth:`~tui.screens.tagging.TaggingScreen.tag_range`: committed before the
  key returns, or waiting for another writer as any edit does, refused if the
  text changed meanwhile; undoable), its source kept in the span's
  ``attributes``; **rejected** (``r``) into the store's rejection memory by the
  same write path (undoable); ``f`` / ``F`` jump to the next / previous one.
  Accepting or tagging removes the suggestions the new span overlaps once it
  is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.model import Label, Span
from annotations.store import StoreError
from annotations.store.suggestions import Rejection
from annotations.suggest.engine import Suggestion, SuggestResult
from annotations.suggest.settings import SuggestSettings
from annotations.suggest.worker import InlineWorker, ProcessWorker, SuggestError, Worker
from annotations.text import LineIndex
from tui.safe import one_line
from tui.suggestindex import SuggestionIndex

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.screens.tagging import PaletteCommand, TaggingScreen

#: The Textual worker group of suggestion requests.
WORKER_GROUP = "suggestions"


class SuggestionSource:
    """One app's suggestion worker and settings (see the module)."""

    def __init__(self, db_path: Path, labels: list[Label], settings: SuggestSettings, *,
                 in_process: bool = True) -> None:
        self.settings = settings
        kind = ProcessWorker if in_process else InlineWorker
        self.worker: Worker = kind(db_path, labels)

    def close(self) -> None:
        self.worker.close()


class Suggesting:
    """The open article's suggestions on one tagging screen (see the module)."""

    #: seconds without a new tag before the model retrains (see :meth:`_retrain_soon`)
    RETRAIN_IDLE = 1.0

    def __init__(self, screen: TaggingScreen) -> None:
        self.screen = screen
        self.source: SuggestionSource | None = None
        self.index: SuggestionIndex | None = None
        #: the suggestion under the cursor
        self.under: Suggestion | None = None
        #: why the model suggests nothing, as the worker last said (None: it does)
        self.model_note: str | None = None
        self.generation = 0
        #: own tags since the model was last retrained
        self.tags = 0
        #: ranges tagged since the pending request was made (its answer predates them)
        self._since: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._failed = False
        self._retrain_timer: Timer | None = None

    # -------------------------------------------------------------- state
    @property
    def settings(self) -> SuggestSettings | None:
        return self.source.settings if self.source is not None else None

    @property
    def enabled(self) -> bool:
        return self.source is not None and self.source.settings.any

    def __len__(self) -> int:
        return len(self.index) if self.index is not None else 0

    # ----------------------------------------------------------- requests
    def article_closing(self) -> None:
        """A new article is about to show: forget the old one's suggestions (the reader
        forgets its own when it shows the new text)."""
        self.generation += 1
        self.index = None
        self.under = None
        self.screen.panel.suggestions = None

    def request(self, *, retrain: bool = False) -> None:
        """Ask for the open article's suggestions in a thread worker (see the module)."""
        screen = self.screen
        article = screen.article
        self.generation += 1
        self._since = []
        if not self.enabled or article is None or self.source is None:
            self._show(None)
            return
        if retrain:
            self.tags = 0
        work = partial(self._work, self.generation, article.id, article.text_sha256,
                       screen.index.lines, retrain, self.source.settings)
        screen.run_worker(work, thread=True, group=WORKER_GROUP, exit_on_error=False)

    def _work(self, generation: int, article_id: str, sha: str, lines: LineIndex,
              retrain: bool, settings: SuggestSettings) -> None:
        """In a worker thread: wait for the worker's answer, index it, hand it over."""
        assert self.source is not None
        with self._lock:  # one request at a time; newer ones make older ones drop out
            if generation != self.generation:
                return
            try:
                result = self.source.worker.suggest(self.screen.annotator, article_id,
                                                    settings, retrain=retrain)
            except (SuggestError, StoreError) as e:
                self._call(self._fail, generation, str(e))
                return
            except Exception as e:  # noqa: BLE001 - a bug here must not take the app down
                self._call(self._fail, generation, f"{type(e).__name__}: {e}")
                return
        if result.text_sha256 != sha or generation != self.generation:
            return
        index = SuggestionIndex(lines, result.suggestions)
        self._call(self._arrived, generation, index, result)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            self.screen.app.call_from_thread(fn, *args)
        except RuntimeError:  # the app is closing
            pass

    def _arrived(self, generation: int, index: SuggestionIndex, result: SuggestResult) -> None:
        screen = self.screen
        article = screen.article
        if (generation != self.generation or article is None or article.id != result.article_id
                or article.text_sha256 != result.text_sha256):
            return
        for start, end in self._since:  # tagged while the answer was on its way
            index.remove_overlapping(start, end)
        self.model_note = result.model_note
        self._failed = False
        self._show(index)

    def _fail(self, generation: int, message: str) -> None:
        if generation != self.generation or self._failed:
            return
        self._failed = True  # said once, until suggestions work again
        self.screen.notify(f"Suggestions are unavailable: {one_line(message, 200)}",
                           severity="warning", markup=False, timeout=6)

    def _show(self, index: SuggestionIndex | None) -> None:
        screen = self.screen
        self.index = index
        screen.reader.set_suggestions(index)
        screen.panel.set_suggestions(index)
        self.follow(screen.reader.cursor_offset, force=True)
        screen.suggestions_changed()

    # ------------------------------------------------------------- follow
    def follow(self, offset: int, *, force: bool = False) -> None:
        """The cursor is at ``offset``: note the suggestion under it, show it if new."""
        under = self.index.at(offset) if self.index is not None else None
        if under != self.under or force:
            self.under = under
            self.screen.show_suggestion(under)

    def target(self) -> Suggestion | None:
        """What ``a`` and ``r`` act on: the suggestion under the cursor, else the next."""
        if self.index is None:
            return None
        offset = self.screen.reader.cursor_offset
        return self.index.at(offset) or self.index.after(offset)

    # ------------------------------------------------------------ changes
    def span_added(self, span: Span) -> None:
        """The screen tagged ``span``: drop the suggestions it overlaps; retrain the
        model every ``retrain_every`` tags."""
        self._since.append((span.start, span.end))
        if self.index is not None and self.index.remove_overlapping(span.start, span.end):
            self._removed()
        settings = self.settings
        if settings is None or not self.enabled:
            return
        self.tags += 1
        if settings.model and self.tags >= settings.retrain_every:
            self._retrain_soon()

    def _retrain_soon(self) -> None:
        """Retrain once no tag has come for :attr:`RETRAIN_IDLE` seconds.

        Retraining itself runs in the worker process, but its answer (every
        suggestion of the article, indexed on a thread of ours, then shown) takes
        the interpreter from the key presses of a burst of tags: in the tag key
        press case (1 MB, 1,792 suggestions, a retrain every 5 tags) the presses
        that met one took the median from 6.6 to 8.2 ms.  A pause in the tagging
        is when the new model is wanted anyway.
        """
        if self._retrain_timer is not None:
            self._retrain_timer.stop()
        self._retrain_timer = self.screen.set_timer(self.RETRAIN_IDLE, self._retrain_now)

    def _retrain_now(self) -> None:
        self._retrain_timer = None
        settings = self.settings
        if settings is not None and self.enabled and settings.model \
                and self.tags >= settings.retrain_every:
            self.request(retrain=True)

    def _removed(self) -> None:
        screen = self.screen
        screen.reader.suggestions_changed()
        screen.panel.spans_changed()
        self.follow(screen.reader.cursor_offset)
        screen.suggestions_changed()

    # ------------------------------------------------------------ actions
    def accept(self, label: str | None = None, *, here_only: bool = False) -> bool:
        """Tag the target suggestion (``label``: as that label instead); ``here_only``:
        only one under the cursor.  Whether there was one."""
        if self.index is None:
            return False
        offset = self.screen.reader.cursor_offset
        s = self.index.at(offset) if here_only else self.target()
        if s is None:
            return False
        attributes = {"suggestion": {"source": s.source, "label": s.label, "cue": s.cue,
                                     "confidence": s.confidence}}
        self.screen.tag_range(label or s.label, s.start, s.end, attributes=attributes)
        return True

    def reject(self) -> bool:
        """Remember the target suggestion as rejected and drop it once written (through
        the screen's :meth:`~tui.screens.tagging.TaggingScreen.write`, with the shown
        text's ``text_sha256``, as every edit); whether there was one."""
        screen = self.screen
        s = self.target()
        article = screen.article
        if s is None or article is None or self.index is None:
            return False
        article_id, sha = article.id, article.text_sha256
        annotator, actor = screen.annotator, screen.actor

        def rejected(_: Rejection) -> None:
            self._since.append((s.start, s.end))  # an answer on its way predates it
            if self.index is not None and self.index.remove((s.start, s.end)):
                self._removed()

        screen.write("rejection", lambda store: store.reject_suggestion(
            article_id, annotator, s.start, s.end, s.label, s.source, actor=actor,
            text_sha256=sha), rejected)
        return True

    def jump(self, step: int) -> bool:
        """Put the cursor on the next (``1``) / previous (``-1``) suggestion, wrapping."""
        index = self.index
        if not index:
            return False
        offset = self.screen.reader.cursor_offset
        s = index.after(offset) if step > 0 else index.before(offset)
        if s is None:
            s = index.ordered[0] if step > 0 else index.ordered[-1]
        self.screen.reader.goto(s.start)
        return True

    # ------------------------------------------------------------ palette
    def toggle(self, source: str) -> None:
        """Switch one source (``cues`` or ``model``) on or off for this session."""
        if self.source is None:
            return
        settings = self.source.settings
        on = not getattr(settings, source)
        if source == "cues":
            self.source.settings = replace(settings, cues=on)
        else:
            self.source.settings = replace(settings, model=on)
        self.request(retrain=on and source == "model")
        what = "cue words" if source == "cues" else "the model"
        self.screen.notify(f"Suggestions from {what}: {'on' if on else 'off'} (for this "
                           "session; suggest: in the config sets the start).", markup=False,
                           timeout=3)

    def commands(self) -> list[PaletteCommand]:
        settings = self.settings
        if settings is None:
            return []
        cues = "on" if settings.cues else "off"
        model = "on" if settings.model else "off"
        if settings.model and self.model_note:
            model += f"; {self.model_note}"
        return [
            ("Suggestions: cue words on / off", f"Suggest sentences holding a label's cue words "
             f"(now {cues})", partial(self.toggle, "cues")),
            ("Suggestions: model on / off", f"Suggest sentences like the ones the team tagged "
             f"(now {model})", partial(self.toggle, "model")),
            ("Suggestions: retrain the model now", "Learn from every tag so far, then suggest "
             "again", partial(self.request, retrain=True)),
        ]
