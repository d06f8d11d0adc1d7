"""Command palette (ctrl+p): go to an article by title, toggles, filters, themes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.safe import one_line
from tui.screens.review import ReviewScreen

if TYPE_CHECKING:
    from tui.screens.annotate import AnnotateScreen

#: At most this many articles are offered for one query.
MAX_ARTICLE_HITS = 40


class StancemarkCommands(Provider):
    def _annotate(self) -> AnnotateScreen | None:
        from tui.screens.annotate import AnnotateScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, AnnotateScreen):
                return screen
        return None

    def _commands(self, screen: AnnotateScreen) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        snap = "on" if screen.snap_words else "off"
        listed = "shown" if screen.pane.display else "hidden"
        out: list[tuple[str, str, Callable[[], object]]] = [
            ("Toggle word snapping", f"Selections snap to whole words (now {snap})",
             screen.action_toggle_snap),
            ("Show / hide the article list", f"The list is {listed}", screen.action_toggle_list),
            ("Switch theme", "Pick a colour theme", app.action_change_theme),
            ("Keys and labels (help)", "Every key and label", partial(app.run_action, "help")),
            ("Filter articles: to do", "Only articles you have not started",
             partial(screen.set_filter, "is:todo")),
            ("Filter articles: in progress", "Only articles you have started",
             partial(screen.set_filter, "is:progress")),
            ("Filter articles: done", "Only articles you marked done",
             partial(screen.set_filter, "is:done")),
            ("Filter articles: clear", "Show every article", partial(screen.set_filter, "")),
            ("Reload the article list", "Pick up articles imported by another process",
             screen.reload_list),
            ("Mark done and open the next article", "Same as space", screen.action_done_next),
            ("Go to the span list", "Orphaned spans, notes", screen.action_focus_spans),
            ("Agreement statistics", "Pairwise span F1, token kappa and alpha (as "
             "`stancemark agreement`)", app.open_stats),  # type: ignore[attr-defined]
        ]
        if isinstance(screen, ReviewScreen):
            out += [
                ("Accept every agreed span", "Same as A: copy them into gold",
                 screen.action_accept_agreed),
                ("Next disagreement", "Same as tab", partial(screen.action_jump_item, 1)),
            ]
            if screen.from_annotator:
                out.append(("Back to the annotator", "Same as escape", screen.action_back))
        else:
            article_id = screen.article.id if screen.article is not None else None
            out.insert(0, (
                "Review this article…",
                "Compare everyone else's spans on it, and accept or reject them into gold",
                partial(app.open_review, article_id),  # type: ignore[attr-defined]
            ))
        for i, label in enumerate(screen.labels):
            name = one_line(label.name, 40)
            out.append((f"Tag as {name}", "Tag the selection (or relabel the current span)",
                        partial(screen.action_tag, i)))
            out.append((f"Filter articles: has {name}", f"Only articles with a {name} span",
                        partial(screen.set_filter, f"has:{label.name}")))
        return out

    async def discover(self) -> Hits:
        screen = self._annotate()
        if screen is None:
            return
        for name, help_text, callback in self._commands(screen):
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self._annotate()
        if screen is None:
            return
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands(screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
        for score, row in screen.article_list.find_titles(query, MAX_ARTICLE_HITS):
            title = one_line(row.title or row.id, 90)
            meta = " · ".join(one_line(b, 40) for b in (row.published, row.source) if b)
            yield Hit(
                score,
                Content.assemble(("Go to article: ", "$text-muted"), title),
                partial(screen.go_to_article, row.id),
                text=f"Go to article: {title}",
                help=Content(meta) if meta else None,  # type: ignore[arg-type]
            )
