"""The stancemark annotator: a Textual app over a :class:`~annotations.store.Store`.

Usage (what ``tui/cli.py`` does)::

    app = StancemarkApp(store=store, annotator="ana", labels=labels,
                        keymap=config.get("keys"), theme=config.get("theme"),
                        after_tag=after_tag(config), start_article=None)
    app.run()

``annotator=None`` (``stancemark serve`` without ``--annotator``) opens the
name screen first (:class:`~tui.screens.name.NameScreen`): it says what the
app is, takes the person's name and whether they annotate or review, and the
app then opens that screen under that name.

Start-up failures (anything raised while the app or its first tagging screen
mounts, e.g. a damaged database page met by the first query) never show a
traceback: the app exits at once with return code 1 and
:attr:`StancemarkApp.startup_error` holding one line, which the command
prints (``tui/cli/options.py``, ``run_app``).
"""

from __future__ import annotations

import gc
import io
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

from rich.console import Console
from textual.app import App
from textual.notifications import Notify

from annotations.config import (
    DEFAULT_AFTER_TAG,
    AfterTag,
    ConfigError,
    overriding_file,
    save_setting,
)
from annotations.labels import DEFAULT_LABELS
from annotations.model import Label
from annotations.relation_types import LabelList, relation_types_of
from annotations.review import default_against
from annotations.safety import printable
from annotations.store import Store, StoreError
from annotations.suggest.settings import SuggestSettings
from tui import keys as K
from tui.commands import StancemarkCommands
from tui.safe import PrintableStream, display_text
from tui.screens.annotate import AnnotateScreen
from tui.screens.help import HelpScreen
from tui.screens.name import Mode, NameScreen
from tui.screens.review import ReviewScreen
from tui.screens.stats import StatsScreen
from tui.screens.suggesting import SuggestionSource
from tui.screens.tagging import TaggingScreen

#: Seconds between checks whether the WAL should be copied into the database file.
CHECKPOINT_SECONDS = 30.0
#: Notifications shown at once, at most (the oldest goes first).
MAX_NOTIFICATIONS = 3
#: Seconds within which a second ``q`` quits while a write waits for another writer.
QUIT_CONFIRM_SECONDS = 5.0


def clean_keymap(keymap: Mapping[str, Any] | None) -> tuple[dict[str, str], list[str]]:
    """The config's ``keys`` as ``{binding id: "k1,k2"}``, plus problems found."""
    out: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in (keymap or {}).items():
        if isinstance(keys, (list, tuple)):
            keys = ",".join(str(k) for k in keys)
        if not isinstance(binding_id, str) or not isinstance(keys, str) or not keys.strip():
            problems.append(f"ignored key setting {binding_id!r}: {keys!r}")
            continue
        out[binding_id] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return out, problems


class StancemarkApp(App[None]):
    """Read news reports and tag spans as claim / denial / context."""

    #: App-wide rules only: each screen names its own styles (CSS_PATH), each widget
    #: carries its own (DEFAULT_CSS).
    CSS_PATH = "app.tcss"
    TITLE = "stancemark"
    BINDINGS = K.bindings(K.APP_KEYS)
    COMMANDS = App.COMMANDS | {StancemarkCommands}

    def __init__(
        self,
        store: Store,
        annotator: str | None,
        labels: Sequence[Label] | None = None,
        keymap: Mapping[str, Any] | None = None,
        theme: str | None = None,
        start_article: str | None = None,
        review_against: Sequence[str] | None = None,
        include_gold: bool = False,
        config_path: Path | None = None,
        after_tag: AfterTag = DEFAULT_AFTER_TAG,
        suggest: SuggestSettings | None = None,
        suggest_in_process: bool = True,
    ) -> None:
        """``review_against``: start on the review screen, comparing these annotators
        (``annotator`` is then the reviewer; ``None``: ask for the name first);
        ``include_gold``: agreement figures count gold as a rater (the review header, the
        stats screen); ``config_path``: the user's config file, where a theme picked in the
        palette is remembered (None: nowhere); ``after_tag``: where the cursor goes after a
        tag (the config's ``after_tag``); ``suggest``: the suggestion settings (the config's
        ``suggest:``; default: cue words and the model on), worked out in a child process
        unless ``suggest_in_process`` is false (then in a worker thread of this one)."""
        super().__init__()
        # A crash report (Textual's traceback, printed after the app ends) may quote
        # article text: printed plain, with control characters escaped.
        if isinstance(sys.stderr, io.TextIOBase):
            stream = cast(IO[str], PrintableStream(sys.stderr))
            self.error_console = Console(file=stream, markup=False, highlight=False,
                                         no_color=True)
        self.store = store
        #: who works in this app; "" until the name screen has been answered
        self.annotator = annotator or ""
        self.ask_name = annotator is None
        # A LabelList keeps the relation types of the labels file (relation_types.py).
        self.labels = LabelList(labels or DEFAULT_LABELS, relation_types_of(labels or
                                                                            DEFAULT_LABELS))
        self.keymap, self._keymap_problems = clean_keymap(keymap)
        self.requested_theme = theme
        self.start_article = start_article
        self.review_against = list(review_against) if review_against is not None else None
        self.include_gold = include_gold
        self.config_path = config_path
        self._theme_applied = False
        #: why the app could not start (one line), set when it exits for that reason
        self.startup_error: str | None = None
        #: the first tagging screen has mounted: later errors are no longer start-up ones
        self.started = False
        #: notification id -> (its message before the count, how many it stands for)
        self._repeats: dict[str, tuple[str, int]] = {}
        self.after_tag: AfterTag = after_tag
        self._checkpointed = store.total_changes()
        #: where suggestions come from (one worker for every screen of the app)
        self.suggestions = SuggestionSource(store.path, self.labels,
                                            suggest if suggest is not None else SuggestSettings(),
                                            in_process=suggest_in_process)
        self._quit_asked = float("-inf")

    def fail_startup(self, error: BaseException) -> None:
        """Exit now with return code 1, keeping one line that says why (start-up only)."""
        reason = str(error) if isinstance(error, StoreError) else (
            f"{type(error).__name__}: {error}")
        self.startup_error = printable(f"cannot start the annotator: {reason}")[:500]
        self.exit(return_code=1)

    def on_mount(self) -> None:
        try:
            self._start()
        except Exception as e:  # a start-up failure is one line, never a traceback
            self.fail_startup(e)

    def _start(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        problems = list(self._keymap_problems)
        if self.requested_theme:
            if self.requested_theme in self.available_themes:
                self.theme = self.requested_theme
            else:
                problems.append(f"Unknown theme {self.requested_theme!r}; using {self.theme}.")
        self._theme_applied = True  # from here on a new theme is the user's choice
        if self.ask_name:
            self.push_screen(NameScreen(self.store), callback=self._named)
        else:
            self._open_first_screen()
        self.set_interval(CHECKPOINT_SECONDS, self.checkpoint_if_written)
        for problem in problems:
            # After the push, so the message shows on the annotate screen.
            self.call_later(self.notify, problem, severity="warning", markup=False)

    def _open_first_screen(self) -> None:
        if self.review_against is not None:
            self.push_screen(ReviewScreen(self.store, self.annotator, self.labels,
                                          self.review_against, self.start_article,
                                          include_gold=self.include_gold,
                                          after_tag=self.after_tag))
        else:
            self.push_screen(
                AnnotateScreen(self.store, self.annotator, self.labels, self.start_article,
                               after_tag=self.after_tag)
            )

    def _named(self, answer: tuple[str, Mode] | None) -> None:
        """The name screen's answer: work under that name, annotating or reviewing."""
        if answer is None:
            self.exit()
            return
        self.annotator, mode = answer
        if mode == "review":
            self.review_against = default_against(self.store, self.annotator)
        self._open_first_screen()

    def on_notify(self, event: Notify) -> None:
        """Before a notification shows (``App._on_notify`` adds it next): its text gets
        control characters replaced (:func:`tui.safe.display_text`), a repeat of
        one still shown replaces it with a count ("… (×3)"), and at most
        :data:`MAX_NOTIFICATIONS` show at once, the oldest dropped first, so a burst
        of key presses never stacks toasts over the span lists.

        Textual has no public way to list or drop shown notifications; this uses
        ``App._notifications`` and ``App._unnotify`` (pinned by textual<9, and
        tests/test_tui_daily.py checks the behaviour).
        """
        new = event.notification
        # Whatever a message quotes (an error naming a file, a span's text) reaches the
        # terminal with the one set of unsafe characters replaced, like the reader's text.
        new.message = display_text(new.message)
        new.title = display_text(new.title)
        shown = list(self._notifications)  # unexpired, oldest first
        count = 1
        for old in shown:
            base, repeats = self._repeats.get(old.identity, (old.message, 1))
            if (base, old.title, old.severity) == (new.message, new.title, new.severity):
                count += repeats
                self._unnotify(old, refresh=False)
        shown = [n for n in shown if n in self._notifications]
        if count > 1:
            self._repeats[new.identity] = (new.message, count)
            new.message = f"{new.message} (×{count})"
        for old in shown[: max(0, len(shown) - MAX_NOTIFICATIONS + 1)]:
            self._unnotify(old, refresh=False)
        live = {n.identity for n in self._notifications} | {new.identity}
        self._repeats = {k: v for k, v in self._repeats.items() if k in live}

    def watch_theme(self, theme: str) -> None:
        """A theme picked by the user (the palette's "Switch theme") is remembered in their
        config file, so the next start uses it; a file that cannot be written is a
        warning, never a crash."""
        if not self._theme_applied or self.config_path is None:
            return
        try:
            save_setting(self.config_path, "theme", theme)
        except ConfigError as e:
            self.notify(f"Theme not saved: {e}", severity="warning", markup=False, timeout=8)
            return
        winner = overriding_file("theme")
        if winner is not None:
            self.notify(f"Theme saved to {self.config_path}, but {winner} sets one too and "
                        "wins at the next start.", severity="warning", markup=False, timeout=8)

    def checkpoint_if_written(self) -> None:
        """Every 30 s: copy the WAL into the database file if we wrote since the last time,
        so the automatic checkpoint rarely lands inside a key press."""
        changes = self.store.total_changes()
        if changes != self._checkpointed:
            self.store.checkpoint()
            self._checkpointed = changes

    def open_review(self, article_id: str | None = None) -> None:
        """The review screen over everyone's spans, the reviewer's own among them (from the
        annotator's palette: "how do my tags compare?")."""
        if isinstance(self.screen, TaggingScreen) and self.screen.held():
            return
        against = default_against(self.store, self.annotator, include_self=True)
        if not against:
            self.notify("Nobody else has tagged anything yet: nothing to review.",
                        severity="warning", markup=False)
            return
        below = next((s for s in reversed(self.screen_stack) if isinstance(s, AnnotateScreen)),
                     None)

        def back(_: object) -> None:
            if below is not None:
                below.reload_spans()  # undo in the review may have reverted our own tags
                below.refresh_article_row()

        self.push_screen(
            ReviewScreen(self.store, self.annotator, self.labels, against, article_id,
                         from_annotator=True, include_gold=self.include_gold,
                         after_tag=self.after_tag),
            callback=back,
        )

    def open_stats(self) -> None:
        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.store, include_gold=self.include_gold))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.labels, self.keymap))

    def on_unmount(self) -> None:
        # The worker process would end by itself when our end of its pipe closes.
        self.suggestions.close()
        # The screens freeze what they hold for the cyclic GC (TaggingScreen): give it
        # back, so that an app run in a process that goes on (tests, serve) is freed.
        gc.unfreeze()

    async def action_quit(self) -> None:
        """Quit, keeping each screen's place.  While a write waits for another writer the
        first ``q`` says so; a second one within :data:`QUIT_CONFIRM_SECONDS` quits and the
        waiting action is not saved."""
        waiting = [s for s in self.screen_stack
                   if isinstance(s, TaggingScreen) and s.pending_write is not None]
        now = time.monotonic()
        if waiting and now - self._quit_asked > QUIT_CONFIRM_SECONDS:
            self._quit_asked = now
            self.bell()
            self.notify(f"Your {waiting[0].pending_write} is still waiting for another writer "
                        "and is not saved yet: press q again to quit without it.",
                        severity="warning", markup=False, timeout=QUIT_CONFIRM_SECONDS)
            return
        for screen in self.screen_stack:
            if isinstance(screen, TaggingScreen):
                screen.cancel_waiting_write()
                screen.save_position_now()
        self.exit()
