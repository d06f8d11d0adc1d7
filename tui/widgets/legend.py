"""The colour legend under the reader: one swatch per label, and overlaps."""

from __future__ import annotations

from collections.abc import Sequence

from textual.color import Color
from textual.content import Content
from textual.widgets import Static

from annotations.model import Label
from tui.safe import one_line


class Legend(Static):
    DEFAULT_CSS = """
    Legend {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.labels = list(labels)

    def on_mount(self) -> None:
        self.update(self.build())

    def build(self) -> Content:
        parts: list[Content | str | tuple[str, str]] = []
        for label in self.labels:
            color = Color.parse(label.color)
            text = color.get_contrast_text(1.0).hex
            key = f" {label.key}" if label.key else ""
            parts.append((f" {one_line(label.name, 20)}{key} ", f"{text} on {color.hex}"))
            parts.append(" ")
        parts.append(("  underlined", "underline bold"))
        parts.append((": spans overlap, shorter on top", "$text-muted"))
        return Content.assemble(*parts)
