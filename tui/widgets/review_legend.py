"""One line under the review reader naming how each kind of span shows."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotations.model import Label
from tui.safe import one_line
from tui.widgets.review_reader import GOLD_KIND, ReviewReader

#: Legend names of the kinds (annotations.review.KINDS) in the order shown.
KIND_NAMES = (
    ("agree", "agreed"),
    ("label", "label conflict"),
    ("boundary", "boundary"),
    ("single", "only one"),
)


class ReviewLegend(Static):
    DEFAULT_CSS = """
    ReviewLegend {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;

        & > .review-legend--muted {
            color: $text-muted;
        }
    }
    """

    COMPONENT_CLASSES = {"review-legend--muted"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show(self, reader: ReviewReader, labels: Sequence[Label], single_name: str) -> None:
        """The samples are painted by the reader itself, so they always match the text."""
        sample = labels[0].name if labels else ""
        muted = self.get_component_rich_style("review-legend--muted", default=Style(dim=True))
        parts: list[tuple[str, Style] | str] = []
        for kind, name in KIND_NAMES:
            shown = single_name if kind == "single" else name
            parts += [(f" {shown} ", reader.kind_style(kind, sample)), " "]
        parts += [(" gold ", reader.kind_style(GOLD_KIND, "")), (" │ ", muted)]
        for label in labels:  # their keys are in the footer
            parts += [(f" {one_line(label.name, 16)} ", reader.kind_style("agree", label.name)),
                      " "]
        self.update(Text.assemble(*parts, no_wrap=True, end=""))
