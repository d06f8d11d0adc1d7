"""The selection can be seen on every label's span, on overlaps and on plain text, on
dark, light and 16-colour themes, also once colours are reduced to 256 or 16 (issue 12:
the selection had the context tint's background in a 256-colour terminal)."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style

from annotations.labels import DEFAULT_LABELS
from annotations.model import Article

SIZE = (120, 36)
pytestmark = pytest.mark.anyio

#: One short line per case: a span over "words one two three", the selection "one two".
LINES = [f"{label.name} words one two three end." for label in DEFAULT_LABELS]
LINES.append("overlap words one two three end.")
LINES.append("plain words one two three end.")
TEXT = "\n\n".join(LINES)
SPAN = "words one two three"
SELECTED = "one two"


def _cells(strip: list[Segment]) -> tuple[str, list[Style]]:
    text, styles = [], []
    for seg in strip:
        for ch in seg.text:
            text.append(ch)
            styles.append(seg.style or Style())
    return "".join(text), styles


def _look(style: Style, system: ColorSystem | None) -> object:
    """The background the eye gets (after reverse video), reduced to ``system``'s
    colours (None: as rendered).  A different text colour alone is not enough to see
    a selection by: the backgrounds must differ."""
    bg = style.color if style.reverse else style.bgcolor
    if system is not None and bg is not None:
        bg = bg.downgrade(system)
    return bg.get_truecolor() if isinstance(bg, Color) else bg


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "textual-ansi"])
async def test_selection_differs_from_every_span_and_overlap(tui_store, tui_app, theme):
    tui_store.import_articles([Article(id="colours", title="Colours", text=TEXT)])
    for label in DEFAULT_LABELS:
        start = TEXT.index(SPAN, TEXT.index(label.name))
        tui_store.add_span("colours", "ana", label.name, start, start + len(SPAN))
    over = TEXT.index(SPAN, TEXT.index("overlap"))
    tui_store.add_span("colours", "ana", "context", over, over + len(SPAN))
    tui_store.add_span("colours", "ana", "claim", over + 6, over + len(SPAN))
    app = tui_app(start_article="colours", theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = app.screen.reader
        checked = 0
        for name in [label.name for label in DEFAULT_LABELS] + ["overlap", "plain"]:
            line_start = TEXT.index(name)
            start = TEXT.index(SELECTED, line_start)
            reader.select_offsets(start, start + len(SELECTED))
            await pilot.pause()
            row = reader.lines.row_of(start)
            y = reader.wrapped_document._line_index_to_offsets[row][0] - reader.scroll_offset.y
            shown, styles = _cells(list(reader.render_line(y)))
            x0 = shown.index(LINES[row // 2])
            column = start - reader.lines.starts[row]
            selected = styles[x0 + column : x0 + column + len(SELECTED)]
            # The span's (or the plain text's) cells just outside the selection.
            around = [styles[x0 + column - 2], styles[x0 + column + len(SELECTED) + 2]]
            for system in (None, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD):
                inside = {_look(s, system) for s in selected}
                outside = {_look(s, system) for s in around}
                assert len(inside) == 1, (theme, name, system)
                assert not inside & outside, (theme, name, system, inside, outside)
                # Not the look of any label's tint either (a selection next to a span).
                for label in DEFAULT_LABELS:
                    tint = reader.label_style(label.name)
                    assert inside.isdisjoint({_look(t, system) for t in tint}), (
                        theme, name, label.name, system)
            checked += 1
        assert checked == len(LINES)
