"""The help screen: every key (after the user's remaps) and every label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    order = [K.TAG, K.MOVE, K.SELECT, K.SPANS, K.ARTICLES, K.SEARCH, K.APP, K.LIST, K.SPAN_LIST,
             K.REVIEW]
    return [(g, groups[g]) for g in order if g in groups]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help_close"),
    ]

    def __init__(self, labels: Sequence[Label], keymap: Mapping[str, str] | None) -> None:
        super().__init__()
        self.labels = list(labels)
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content.styled("stancemark keys", "bold"), id="help-title",
                         markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Static(self._labels(), id="help-labels", markup=False)
                left, right = self._keys()
                with Horizontal(id="help-columns"):
                    yield Static(left, classes="help-column", markup=False)
                    yield Static(right, classes="help-column", markup=False)
            yield Static(
                Content.styled(
                    "escape closes · keys can be remapped by id in the config file "
                    "(keys: {tag_claim: \"c,1\"})",
                    "$text-muted",
                ),
                id="help-hint",
                markup=False,
            )

    def _labels(self) -> Content:
        lines: list[Content] = [Content.styled("Labels", "bold $accent")]
        width = max((len(one_line(lb.name, 24)) for lb in self.labels), default=5)
        for i, label in enumerate(self.labels):
            color = Color.parse(label.color)
            keys = [k for k in (label.key, str(i + 1) if i < 9 else "") if k]
            swatch = f"{color.get_contrast_text(1.0).hex} on {color.hex}"
            lines.append(
                Content.assemble(
                    ("  ", ""),
                    (f" {one_line(label.name, 24):<{width}} ", swatch),
                    (f"  {' / '.join(keys):<7}", "bold"),
                    one_line(label.description or "", 200),
                )
            )
        lines.append(Content.styled(
            "  Spans show in their label's colour; where spans overlap the text is underlined "
            "and the shorter one shows.", "$text-muted"))
        return Content("\n").join(lines)

    def _keys(self) -> tuple[Content, Content]:
        """Two columns of key groups."""
        table = key_table(self.labels, self.keymap, self.app.get_key_display)
        columns: list[list[Content]] = [[], []]
        left_groups = {K.TAG, K.MOVE, K.SELECT}
        for group, rows in table:
            lines = columns[0 if group in left_groups else 1]
            if lines:
                lines.append(Content(""))
            lines.append(Content.styled(group, "bold $accent"))
            for shown, description in rows:
                lines.append(Content.assemble(("  " + shown.ljust(14), "bold"), description))
        return Content("\n").join(columns[0]), Content("\n").join(columns[1])

    def action_close(self) -> None:
        self.dismiss(None)
