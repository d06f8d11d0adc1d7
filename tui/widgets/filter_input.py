"""The search box above the article list (the query language of :mod:`annotations.search`)."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from tui import keys as K
from tui.widgets.article_list import ArticleList


class FilterInput(Input, inherit_bindings=True):
    BINDINGS = K.bindings(K.FILTER_KEYS)

    #: ``Input`` sets its virtual width to its text's on every key, and
    #: ``Widget.virtual_size`` lays the whole screen out when set (about 3 ms of a
    #: 10 ms key at 100,000 reports).  The box is one line of a fixed width with
    #: no scroll bars or children, so its virtual size only bounds its own
    #: horizontal scrolling, which reads the value, not the layout: a repaint is
    #: enough.  (Same storage as ``Widget.virtual_size``: reactives store by name.)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    DEFAULT_CSS = """
    FilterInput {
        height: 1;
        margin: 0 0 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder='search: words "a phrase" is:todo has:LABEL span:WORDS',
            id=id,
            compact=True,
            select_on_focus=False,
        )

    def action_open(self) -> None:
        self.screen.query_one(ArticleList).action_open()

    def action_to_list(self) -> None:
        self.screen.set_focus(self.screen.query_one(ArticleList))

    def action_leave(self) -> None:
        """Escape: the pane clears the search and goes back to the reader."""
        self.post_message(ArticleList.Left())
