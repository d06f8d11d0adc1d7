"""The help screen: every key (after the user's remaps) and every label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from annotations.model import Label
from tui import keys as K
from tui.safe import one_line


def key_table(labels: Sequence[Label], keymap: Mapping[str, str] | None,
              display: object) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(group, [(keys shown, description)])]`` in a stable order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key in K.all_keys(labels):
        shown = ", ".join(
            display(Binding(k, key.action)) for k in K.keys_for(key, keymap)  # type: ignore[operator]
        )
        groups.setdefault(key.group, []).append((shown, key.description))
    order = [K.TAG, K.MOVE, K.SELECT, K.SPANS, K.LINK, K.ARTICLES, K.SEARCH, K.APP, K.LIST,
             K.SPAN_LIST,
             K.REVIEW]
    return [(g, groups[g]) for g in order if g in groups]


#: Cells for the keys column of the help (``shift+tab``, ``⌫, del`` and their indent).
KEYS_WIDTH = 14


class HelpScreen(ModalScreen[None]):
    """Every key and label, in two columns, or one in a narrow terminal (help.tcss)."""

    CSS_PATH = "help.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help_close"),
    ]

    def __init__(self, labels: Sequence[Label], keymap: Mapping[str, str] | None) -> None:
        super().__init__()
        self.labels = list(labels)
        self.keymap = dict(keymap or {})
        self._heading = Style(bold=True)

    def on_mount(self) -> None:
        # The group headings in the theme's accent (Rich renderables take Rich styles).
        accent = Color.parse(self.app.theme_variables.get("accent", "#ffa62b"))
        self._heading = Style(bold=True, color=accent.rich_color)
        self.query_one("#help-labels", Static).update(self._labels())
        left, right = self._keys()
        columns = self.query(".help-column").results(Static)
        next(columns).update(left)
        next(columns).update(right)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content.styled("stancemark keys", "bold"), id="help-title",
                         markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Static("", id="help-labels", markup=False)
                with Horizontal(id="help-columns"):
                    yield Static("", classes="help-column", markup=False)
                    yield Static("", classes="help-column", markup=False)
            yield Static(
                Content.styled(
                    "escape closes · keys can be remapped by id in the config file "
                    "(keys: {tag_claim: \"c,1\"})",
                    "$text-muted",
                ),
                id="help-hint",
                markup=False,
            )

    def _labels(self) -> Group:
        """The labels as a grid (swatch, keys, description: a long one wraps in its column)."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        width = max((len(one_line(lb.name, 24)) for lb in self.labels), default=5)
        for i, label in enumerate(self.labels):
            color = Color.parse(label.color)
            keys = [k for k in (label.key, str(i + 1) if i < 9 else "") if k]
            swatch = Style(color=color.get_contrast_text(1.0).rich_color,
                           bgcolor=color.rich_color)
            grid.add_row(Text.assemble("  ", (f" {one_line(label.name, 24):<{width}} ", swatch)),
                         Text(f" {' / '.join(keys):<6}", style="bold"),
                         Text(one_line(label.description or "", 200)))
        note = Padding(Text("Spans show in their label's colour; where spans overlap the text "
                            "is underlined and the shorter one shows.", style="dim"), (0, 0, 0, 2))
        return Group(Text("Labels", style=self._heading), grid, note)

    def _keys(self) -> tuple[Group, Group]:
        """Two columns of key groups, each a two-column grid: a description that wraps
        stays in its own column (a hanging indent), never under the keys."""
        table = key_table(self.labels, self.keymap, self.app.get_key_display)
        columns: list[list[RenderableType]] = [[], []]
        left_groups = {K.TAG, K.MOVE, K.SELECT, K.LINK}
        for group, rows in table:
            parts = columns[0 if group in left_groups else 1]
            if parts:
                parts.append(Text(""))
            parts.append(Text(group, style=self._heading))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=KEYS_WIDTH, no_wrap=True, overflow="fold")
            grid.add_column(ratio=1, overflow="fold")
            for shown, description in rows:
                grid.add_row(Text("  " + shown, style="bold"), Text(description))
            parts.append(grid)
        return Group(*columns[0]), Group(*columns[1])

    def action_close(self) -> None:
        self.dismiss(None)
