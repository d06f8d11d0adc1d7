"""The stancemark annotator: a Textual app over a :class:`~annotations.store.Store`.

Usage (what ``tui/cli.py`` does)::

    app = StancemarkApp(store=store, annotator="ana", labels=labels,
                        keymap=config.get("keys"), theme=config.get("theme"),
                        after_tag=after_tag(config), start_article=None)
    app.run()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import App

from annotations.config import DEFAULT_AFTER_TAG, AfterTag
from annotations.labels import DEFAULT_LABELS
from annotations.model import Label
from annotations.review import default_against
from annotations.store import Store
from tui import keys as K
from tui.commands import StancemarkCommands
from tui.screens.annotate import AnnotateScreen
from tui.screens.help import HelpScreen
from tui.screens.review import ReviewScreen
from tui.screens.stats import StatsScreen
from tui.screens.tagging import TaggingScreen

#: Seconds between checks whether the WAL should be copied into the database file.
CHECKPOINT_SECONDS = 30.0


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
        annotator: str,
        labels: Sequence[Label] | None = None,
        keymap: Mapping[str, Any] | None = None,
        theme: str | None = None,
        start_article: str | None = None,
        review_against: Sequence[str] | None = None,
        after_tag: AfterTag = DEFAULT_AFTER_TAG,
    ) -> None:
        """``review_against``: start on the review screen, comparing these annotators
        (``annotator`` is then the reviewer).  ``after_tag``: where the cursor goes
        after a tag (the config's ``after_tag``)."""
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.labels = list(labels) if labels else list(DEFAULT_LABELS)
        self.keymap, self._keymap_problems = clean_keymap(keymap)
        self.requested_theme = theme
        self.start_article = start_article
        self.review_against = list(review_against) if review_against is not None else None
        self.after_tag: AfterTag = after_tag
        self._checkpointed = store.total_changes()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        problems = list(self._keymap_problems)
        if self.requested_theme:
            if self.requested_theme in self.available_themes:
                self.theme = self.requested_theme
            else:
                problems.append(f"Unknown theme {self.requested_theme!r}; using {self.theme}.")
        if self.review_against is not None:
            self.push_screen(ReviewScreen(self.store, self.annotator, self.labels,
                                          self.review_against, self.start_article,
                                          after_tag=self.after_tag))
        else:
            self.push_screen(
                AnnotateScreen(self.store, self.annotator, self.labels, self.start_article,
                               after_tag=self.after_tag)
            )
        self.set_interval(CHECKPOINT_SECONDS, self.checkpoint_if_written)
        for problem in problems:
            # After the push, so the message shows on the annotate screen.
            self.call_later(self.notify, problem, severity="warning", markup=False)

    def checkpoint_if_written(self) -> None:
        """Every 30 s: copy the WAL into the database file if we wrote since the last time,
        so the automatic checkpoint rarely lands inside a key press."""
        changes = self.store.total_changes()
        if changes != self._checkpointed:
            self.store.checkpoint()
            self._checkpointed = changes

    def open_review(self, article_id: str | None = None) -> None:
        """The review screen over everyone else's spans (from the annotator's palette)."""
        against = default_against(self.store, self.annotator)
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
                         from_annotator=True, after_tag=self.after_tag),
            callback=back,
        )

    def open_stats(self) -> None:
        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.store))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.labels, self.keymap))

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, TaggingScreen):
                screen.save_position_now()
        self.exit()
