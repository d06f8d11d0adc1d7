"""The TUI's pure parts (no terminal needed): the reader's line index over the displayed
copy, the span index, the list filter, the key table, the paint sweep, the screens' shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.labels import DEFAULT_LABELS, RESERVED_KEYS
from annotations.model import Span
from annotations.relation_types import relation_types_of
from annotations.search import QueryError, parse
from annotations.text import LineIndex
from tui import keys as K
from tui.safe import display_text
from tui.screens.annotate import AnnotateScreen
from tui.screens.review import ReviewScreen
from tui.screens.tagging import REQUIRED_HOOKS, TaggingScreen
from tui.spanindex import SpanIndex
from tui.widgets.article_list import ArticleFilter
from tui.widgets.article_pane import memory_filter


@given(st.text(alphabet=st.sampled_from("ab \n\t\x1b\u2028é字"), max_size=60), st.data())
def test_line_index_round_trips(text, data):
    shown = display_text(text)
    assert len(shown) == len(text)
    lines = LineIndex(shown)
    assert lines.line_count == len(shown.split("\n"))
    offset = data.draw(st.integers(0, len(shown)))
    assert lines.to_offset(*lines.to_location(offset)) == offset


def _span(sid: str, start: int, end: int, label: str = "claim", anchor: str = "ok") -> Span:
    return Span(sid, "a", "ana", label, start, end, "", anchor=anchor)


def test_span_index_rows_lookups_and_neighbours():
    text = "aaaa bbbb\ncccc dddd\neeee"
    lines = LineIndex(text)
    index = SpanIndex(lines, [
        _span("outer", 0, 14),
        _span("inner", 5, 9, "denial"),
        _span("tail", 20, 24),
        _span("lost", 2, 3, anchor="orphaned"),
    ])
    assert [s.id for s in index.at(6)] == ["inner", "outer"]
    assert [s.id for s in index.at(11)] == ["outer"]
    assert index.at(16) == []
    assert sorted(index.rows) == [0, 1, 2]
    assert index.orphan_ids == {"lost"}
    assert [s.id for s in index.placed()] == ["outer", "inner", "tail"]
    assert index.neighbour(None, 15, 1).id == "tail"
    assert index.neighbour("tail", 0, 1).id == "outer"  # wraps
    assert index.neighbour("outer", 0, -1).id == "tail"
    assert index.label_counts == {"claim": 3, "denial": 1}  # orphans count too
    index.take_dirty()
    index.remove("outer")
    # Only the columns the span covered are repainted, line by line.
    assert index.take_dirty() == {0: [(0, 9)], 1: [(0, 4)]}
    assert index.label_counts == {"claim": 2, "denial": 1}
    index.add(_span("new", 11, 13, "denial"))
    assert index.take_dirty() == {1: [(1, 3)]}
    assert index.label_counts == {"claim": 2, "denial": 2}
    index.remove("new")
    index.take_dirty()
    index.add(_span("inner", 10, 14, "denial"))
    assert [s.id for s in index.at(11)] == ["inner"]
    assert index.position_of("inner") == 1


def test_filter_parsing():
    """What the list can filter in memory, from the search's query language."""
    labels = ["claim", "denial"]

    def memory(text: str) -> ArticleFilter | None:
        return memory_filter(parse(text), labels)

    assert memory("Harbor is:done has:Claim") == ArticleFilter(("harbor",), ("done",), ("claim",))
    assert memory("status:progress").statuses == ("in_progress",)
    assert memory("is:todo|done has:claim|denial") == ArticleFilter(
        (), ("todo", "done"), ("claim", "denial"))
    with pytest.raises(QueryError, match="is: takes"):  # was a title word: now explained
        memory("is:nonsense")
    assert not memory("  ").active  # type: ignore[union-attr]
    # Anything else is for the store's search.
    for text in ("-is:done", "span:x", "by:ana", "date:2025", "a OR b", "李小龍", "is:done is:todo"):
        assert memory(text) is None, text


def test_every_binding_has_an_id_and_labels_avoid_reserved_keys():
    every = K.all_keys(DEFAULT_LABELS)
    ids = [k.id for k in every]
    assert all(ids)
    assert {"tag_claim", "tag_denial", "tag_context", "undo", "redo", "done_next"} <= set(ids)
    tag_keys = {k for key in K.label_keys(DEFAULT_LABELS) for k in key.keys.split(",")}
    assert tag_keys == {"c", "d", "x", "1", "2", "3"}
    assert not {label.key for label in DEFAULT_LABELS} & RESERVED_KEYS


def test_every_default_character_key_is_reserved_from_labels():
    """A label key takes over the default key it shares (tagging._install_label_bindings),
    so every printable default key of the tagging screens must be refused as a label key."""
    from textual.keys import key_to_character

    tables = [*K.READER_KEYS, *K.SCREEN_KEYS, *K.SUGGEST_KEYS, *K.APP_KEYS, *K.REVIEW_KEYS]
    chars = set()
    for key in tables:
        for name in key.keys.split(","):
            char = key_to_character(name)
            if char is not None and len(char) == 1 and char.isprintable():
                chars.add(char)
    assert {"W", "B", "S", "P", "(", ")", "s", "w", "b", "a", "r", "f", "F", "m", "M", "T",
            ">"} <= chars
    assert chars <= RESERVED_KEYS, sorted(chars - RESERVED_KEYS)


def test_the_annotate_screens_keys_never_collide():
    """On the annotate screen every key does one thing: the labels', the reader's, the
    screen's (spans, search, link), the suggestions' and the app's.  The picking keys and
    the relation types' keys are bound on the link bar alone (active only while linking)."""
    from tui.screens.annotate import AnnotateScreen
    from tui.widgets.link_bar import LinkBar

    tables = [*K.label_keys(DEFAULT_LABELS), *K.READER_KEYS, *K.SCREEN_KEYS, *K.SUGGEST_KEYS,
              *K.APP_KEYS]
    seen: dict[str, str] = {}
    for key in tables:
        for name in key.keys.split(","):
            assert name not in seen, (name, seen.get(name), key.id)
            seen[name] = key.id
    assert {seen[k] for k in ("a", "r", "f", "F")} == {
        "suggestion_accept", "suggestion_reject", "suggestion_next", "suggestion_previous"}
    assert (seen["m"], seen["M"], seen["T"], seen["greater_than_sign"]) == (
        "match_next", "match_previous", "toggle_team", "link_start")
    screen_ids = {b.id for b in AnnotateScreen.BINDINGS if not isinstance(b, tuple)}
    assert {k.id for k in K.SUGGEST_KEYS} <= screen_ids
    assert not {k.id for k in K.LINK_KEYS} & screen_ids
    assert {b.id for b in LinkBar.BINDINGS if not isinstance(b, tuple)} == {
        k.id for k in K.LINK_KEYS}


def test_no_mode_binds_one_key_twice():
    """Each mode's active keys (annotate, review, picking a link target) name every key
    once.  The suggestion keys (a, r, f, F) are active on the annotate screen only; while
    a target is picked only the link bar's keys, the relation types' keys (default
    ``rebuts`` r, ``supports`` s, ``qualifies`` q) and the app keys the bar passes on work,
    so ``r`` there is ``rebuts``, never a rejection."""
    from textual.binding import Binding

    from tui.widgets.link_bar import PASS_THROUGH

    app_passed = [k for k in K.APP_KEYS if k.keys in PASS_THROUGH]
    modes = {
        "annotate": [*K.label_keys(DEFAULT_LABELS), *K.READER_KEYS, *K.SCREEN_KEYS,
                     *K.SUGGEST_KEYS, *K.APP_KEYS],
        "review": [*K.label_keys(DEFAULT_LABELS), *K.REVIEW_READER_KEYS,
                   *K.REVIEW_SCREEN_KEYS, *K.APP_KEYS],
        "link": [*K.LINK_KEYS, *K.relation_keys(relation_types_of(DEFAULT_LABELS)),
                 *app_passed],
    }
    active: dict[str, dict[str, str]] = {}
    for mode, keys in modes.items():
        seen = active.setdefault(mode, {})
        for key in keys:
            for binding in Binding.make_bindings([key.binding()]):
                assert binding.key not in seen, (mode, binding.key, seen.get(binding.key),
                                                 key.id)
                seen[binding.key] = key.id
    assert [active["annotate"][k] for k in ("a", "r", "f", "F")] == [
        "suggestion_accept", "suggestion_reject", "suggestion_next", "suggestion_previous"]
    assert [active["review"][k] for k in ("a", "r")] == ["review_accept", "review_reject"]
    assert not {"f", "F"} & set(active["review"])  # no suggestions on the review screen
    assert [active["link"][k] for k in ("r", "s", "q")] == [
        "link_as_rebuts", "link_as_supports", "link_as_qualifies"]
    assert not {"a", "f", "F", "m", "M", "T", "slash"} & set(active["link"])
    assert {"m", "M", "T", "greater_than_sign", "slash", "S", "P", "W", "B",
            "left_parenthesis", "right_parenthesis"} <= set(active["annotate"])


def test_elementary_covers_match_the_definition():
    """The painting sweep finds, for every stretch between span edges, exactly the
    spans covering it (checked against testing every span on random lines)."""
    import random

    from tui.widgets.reader import elementary_covers

    rng = random.Random(7)
    for _ in range(300):
        runs = []
        for k in range(rng.randint(1, 12)):
            cs = rng.randint(0, 40)
            runs.append((cs, cs + rng.randint(1, 15), f"s{k}"))
        points = sorted({p for cs, ce, _ in runs for p in (cs, ce)})
        expected = []
        for a, b in zip(points, points[1:], strict=False):
            cover = sorted(sid for cs, ce, sid in runs if cs <= a and ce >= b)
            if cover:
                expected.append((a, b, cover))
        got = [(a, b, sorted(cover)) for a, b, cover in elementary_covers(runs)]
        assert got == expected


def test_annotate_and_review_are_siblings_over_the_tagging_base():
    assert not issubclass(ReviewScreen, AnnotateScreen)
    assert not issubclass(AnnotateScreen, ReviewScreen)
    for screen in (AnnotateScreen, ReviewScreen):
        assert screen.__bases__ == (TaggingScreen,)
        assert all(name in vars(screen) for name in REQUIRED_HOOKS), screen
        # Set-up goes through the prepare() hook: Textual would call a second on_mount too.
        assert "on_mount" not in vars(screen)
    with pytest.raises(TypeError, match="must define .*read_spans"):
        type("Half", (TaggingScreen,), {"compose": lambda self: iter(())})


def _top_level_selectors(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors, depth, start = [], 0, 0
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                selectors.append(css[start:i].strip())
            depth += 1
        elif ch == "}":
            depth -= 1
            start = i + 1
    return selectors


def test_styles_travel_with_their_screen():
    """Each screen names its own .tcss, every rule in it scoped to the screen (a screen's
    CSS stays loaded for the whole app once shown); every .tcss is named somewhere."""
    from tui.app import StancemarkApp
    from tui.screens.help import HelpScreen
    from tui.screens.name import NameScreen
    from tui.screens.note import NoteScreen
    from tui.screens.stats import StatsScreen

    root = Path(__file__).resolve().parents[1] / "tui"
    named = {(root / StancemarkApp.CSS_PATH).resolve()}
    for screen in (AnnotateScreen, ReviewScreen, HelpScreen, NoteScreen, StatsScreen,
                   NameScreen):
        paths = screen.CSS_PATH if isinstance(screen.CSS_PATH, list) else [screen.CSS_PATH]
        for path in paths:
            full = (root / "screens" / path).resolve()
            named.add(full)
            scopes = {cls.__name__ for cls in screen.__mro__}
            for selector in _top_level_selectors(full.read_text(encoding="utf-8")):
                assert selector in scopes, (full.name, selector)
    assert set(root.rglob("*.tcss")) == named
