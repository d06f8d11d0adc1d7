"""The review reader: the article with every chosen annotator's spans painted by kind.

A :class:`~tui.widgets.reader.Reader` (read-only cursor, selections, the same
moves) whose index holds the compared annotators' spans and the gold spans.
Each stretch of text shows the kind that most needs a look (label conflict,
then boundary difference, then a span not everyone made, then agreement), in
the colour of the innermost span of that kind; gold spans are underlined.
The looks come from its ``DEFAULT_CSS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.style import Style
from rich.text import Text
from textual.color import Color

from annotations.model import Label
from tui import keys as K
from tui.spanindex import SpanIndex
from tui.widgets.reader import SPAN_TINT, UNKNOWN_LABEL_COLOR, Reader, elementary_covers

#: Kind of a gold span in :attr:`ReviewReader.kinds` (the others are annotations.review.KINDS).
GOLD_KIND = "gold"
#: Which kind shows where spans of several kinds overlap: the one that most needs a look.
KIND_PRIORITY = {"label": 3, "boundary": 2, "single": 1, "agree": 0}
KIND_CLASSES = {
    "label": "review-reader--label",
    "boundary": "review-reader--boundary",
    "single": "review-reader--single",
    GOLD_KIND: "review-reader--gold",
}


class ReviewReader(Reader, inherit_bindings=False):
    """The reader of the review screen (tab walks disagreements, escape goes back)."""

    BINDINGS = K.bindings(K.REVIEW_READER_KEYS)

    DEFAULT_CSS = """
    /* How each kind of span shows in the review reader. Agreements take their
       label's colour as background (as in the annotator); the rest: */
    ReviewReader {
        & > .review-reader--label {
            /* a label conflict: red background, bold */
            background: $error;
            text-style: bold;
        }
        & > .review-reader--boundary {
            /* a boundary difference: label-coloured italic text */
            text-style: italic;
        }
        & > .review-reader--single {
            /* a span not everyone made: label-coloured dim text */
            text-style: dim;
        }
        & > .review-reader--gold {
            /* already in gold: underlined */
            text-style: underline;
        }
        & > .reader--link {
            /* links keep their colour but not their underline, which means gold here */
            text-style: none;
        }
    }
    """

    COMPONENT_CLASSES = Reader.COMPONENT_CLASSES | set(KIND_CLASSES.values())

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(labels, id=id)
        #: span id -> kind ("agree", "label", "boundary", "single" or "gold")
        self.kinds: dict[str, str] = {}
        self._colors = {label.name: label.color for label in labels}
        self._looks: dict[str, Style] = {}
        self._conflict = Color.parse("#D55E00")
        self._review_styles: dict[tuple[str, str], Style] = {}

    def set_review(self, index: SpanIndex, kinds: Mapping[str, str]) -> None:
        """New spans or kinds for the article shown (after a decision or an edit)."""
        self.index = index
        self.kinds = dict(kinds)
        self.repaint()

    # ------------------------------------------------------------ looks
    def _background(self) -> Color:
        background = self.styles.background
        if background.a == 0:
            background = Color.parse(self.app.current_theme.surface or "#1e1e1e")
        return background

    def restyle(self) -> None:
        self._looks = {
            kind: self.get_component_rich_style(name).without_color
            for kind, name in KIND_CLASSES.items()
        }
        self._conflict = self.get_component_styles(KIND_CLASSES["label"]).background
        self._review_styles = {}
        super().restyle()

    def kind_style(self, kind: str, label: str) -> Style:
        """How a span of ``kind`` with ``label`` shows in the text (and in the legend)."""
        key = (kind, label)
        style = self._review_styles.get(key)
        if style is not None:
            return style
        look = self._looks.get(kind, Style())
        if kind == "agree":
            style = self.label_style(label)[0]
        elif kind == "label":
            background = self._background()
            tint = self._conflict if background.ansi is not None else background.blend(
                self._conflict, SPAN_TINT)
            style = Style(bgcolor=tint.rich_color,
                          color=tint.get_contrast_text(1.0).rich_color) + look
        elif kind == GOLD_KIND:
            style = look
        else:  # boundary, single: the label's colour on the plain background
            color = Color.parse(self._colors.get(label, UNKNOWN_LABEL_COLOR))
            style = Style(color=color.rich_color) + look
        self._review_styles[key] = style
        return style

    # ------------------------------------------------------------ painting
    def _paint_spans(self, line: Text, runs: list[tuple[int, int, str]]) -> None:
        by_id = self.index.by_id
        kinds = self.kinds
        gold_look = self.kind_style(GOLD_KIND, "")
        for a, b, cover in elementary_covers(runs):
            items = [sid for sid in cover if kinds.get(sid) != GOLD_KIND]
            style: Style | None = None
            if items:
                best = min(items, key=lambda sid: (
                    -KIND_PRIORITY.get(kinds.get(sid, "single"), 1),
                    by_id[sid].end - by_id[sid].start, by_id[sid].label, sid))
                style = self.kind_style(kinds.get(best, "single"), by_id[best].label)
            if len(items) < len(cover):
                style = gold_look if style is None else style + gold_look
            if style is not None:
                line.stylize(style, a, b)

    # ------------------------------------------------------------- actions
    def action_clear_or_back(self) -> None:
        """Escape: clear the selection, or leave the review screen."""
        if self.selection.start != self.selection.end:
            self.action_clear_selection()
            return
        back = getattr(self.screen, "action_back", None)
        if back is not None:
            back()
