"""Command palette (ctrl+p): the open tagging screen's commands, and go to an article by title."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.safe import one_line
from tui.screens.tagging import PaletteCommand, TaggingScreen

#: At most this many articles are offered for one query.
MAX_ARTICLE_HITS = 40


class StancemarkCommands(Provider):
    """The entries of the tagging screen on top (each screen lists its own, see
    :meth:`~tui.screens.tagging.TaggingScreen.palette_commands`), and its articles by title."""

    def _tagging(self) -> TaggingScreen | None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, TaggingScreen):
                return screen
        return None

    def _commands(self, screen: TaggingScreen) -> list[PaletteCommand]:
        return screen.palette_commands()

    async def discover(self) -> Hits:
        screen = self._tagging()
        if screen is None:
            return
        for name, help_text, callback in self._commands(screen):
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self._tagging()
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
