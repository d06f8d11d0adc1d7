"""Keys per tag: the fewest key presses that store a given span, with today's keys and the old ones.

For each target span of :data:`TARGETS` (quotes of the bundled ``sample_articles/``:
whole sentences, runs of two or three sentences, phrases of 2 to 6 words inside
a sentence, paragraphs) a breadth-first search over a key set finds the
shortest key sequence that, pressed from the *arrival state*, stores a span
equal to the target (``text[start:end] == quote``, exact offsets).

Arrival state ("after arriving at it"): the article open, nothing selected, the
cursor at the first character of the sentence that holds the target's start
(for a sentence or a run of sentences, their first sentence; for a phrase, the
sentence it is in; for a paragraph, its first sentence, the paragraph's start).
The count includes the label key that stores the span (``c``), so selecting a
sentence and tagging it is 2.

The search runs on a model of the keys (:class:`KeyModel`): the reader's
actions are the core's pure functions (``annotations.text``) on ``(anchor,
cursor)`` offsets, with TextArea's rules for the arrow keys (a plain arrow
with a selection goes to the selection's edge; ``up``/``down`` move by screen
line through Textual's own ``WrappedDocument`` and ``DocumentNavigator`` at the
reader's wrap width in a 120 x 36 terminal, keeping the column TextArea
remembers), and the tag stores ``snap(selection)``.  ``home``/``end`` and the
page keys are left out.  Every sequence found is then pressed once for real
with Pilot in the annotator (:func:`verify`, in a child process), and the span
it stored is compared with the target.

Key sets: ``new`` is this issue's default keys; ``old`` the keys before it (no
``W B S P ( )`` and no ``ctrl+shift`` arrows, which are the same as ``W B``).
Both use today's sentence boundaries (sentencex), so the figures compare the
key sets alone.  The search is capped (:data:`MAX_DEPTH` keys,
:data:`MAX_STATES` states) and only keeps states whose cursor and anchor stay
within the target's paragraph and the paragraphs next to it; a target not
found within the cap would be reported as such (none is).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.text import (
    LineIndex,
    SentenceIndex,
    next_paragraph,
    next_word,
    next_word_end,
    paragraph_at,
    previous_paragraph,
    previous_word,
    snap,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_articles"
LABEL_KEY = "c"
MAX_DEPTH = 40
MAX_STATES = 400_000

#: Keys in Textual's names, as Pilot presses them (j / k are the same as down / up).
OLD_KEYS = ("h", "l", "up", "down", "w", "b", "left_curly_bracket", "right_curly_bracket", "s",
            "shift+left", "shift+right", "shift+up", "shift+down")
NEW_KEYS = (*OLD_KEYS, "W", "B", "left_parenthesis", "right_parenthesis", "S", "P")
KEY_SETS = {"new": NEW_KEYS, "old": OLD_KEYS}
#: How the report writes Textual's key names.
SHOWN = {"left_curly_bracket": "{", "right_curly_bracket": "}", "left_parenthesis": "(",
         "right_parenthesis": ")", "shift+left": "shift+←", "shift+right": "shift+→",
         "shift+up": "shift+↑", "shift+down": "shift+↓", "up": "↑", "down": "↓"}

KINDS = ("sentence", "sentences", "phrase", "paragraph")
#: Goals of issue 12 (keys, label key included, after arriving).
GOALS = {"sentence": 2, "phrase": 6, "paragraph": 2}

#: (kind, article id, quote); the first occurrence of the quote in the article's text.
TARGETS: tuple[tuple[str, str, str], ...] = (
    ("sentence", "harbor-contract-allegation",
     "Ostrand Marine Ltd. submitted the highest price of the four, about 9 percent above the "
     "lowest offer, but received the highest technical score by a wide margin."),
    ("sentence", "bridge-inspection-context",
     "The Halden Street bridge in Kellmouth has been closed to vehicles since Oct. 9, when the "
     "city council's engineers reported that corrosion in two of its steel bearings was "
     "\"more advanced than previously understood.\""),
    ("sentence", "central-bank-leak-denial",
     "Governor Dr. Evelyn Moraga said at a press conference that an internal review had found "
     "\"no evidence whatsoever\" of a leak."),
    ("sentence", "wire-memo", "Dunmere Rail denied the allegation on Saturday."),
    ("sentence", "airline-maintenance-claim",
     "Ms. Erikstad said no incident had resulted from the alleged delays."),
    ("sentence", "bracket-title-wire",
     "The company said it would cooperate fully with the investigation and had appointed a "
     "U.S. law firm with trade remedies experience to represent it."),
    ("sentences", "harbor-contract-allegation",
     "According to their account, a criterion worth 15 percent of the total score was narrowed "
     "from \"experience with tidal estuaries\" to \"completed projects in the Ravensholm channel "
     "within the past five years.\" Only one company met that definition."),
    ("sentences", "central-bank-leak-denial",
     "Governor Dr. Evelyn Moraga said at a press conference that an internal review had found "
     "\"no evidence whatsoever\" of a leak. \"Access to the decision before publication is "
     "limited to a very small number of people, every one of whom is subject to strict "
     "confidentiality rules, and every one of whom has been interviewed,\" she said. \"I am "
     "confident that the decision did not leave this building early.\""),
    ("sentences", "wire-memo",
     "The memo, dated Oct. 30 and written by the company's head of performance analysis, says "
     "the practice inflated reported punctuality on the line from an actual figure of around "
     "71 percent to a published figure of 86 percent. It warns that the discrepancy \"exposes "
     "the company to penalty claims and to serious reputational damage if disclosed "
     "externally.\""),
    ("sentences", "bridge-inspection-context",
     "Both accept that the bearings are seriously corroded and must be replaced. Both recommend "
     "installing strain and displacement sensors."),
    ("phrase", "wire-memo", "Dunmere Rail"),
    ("phrase", "harbor-contract-allegation", "rewrote the scoring rules"),
    ("phrase", "harbor-contract-allegation", "Ostrand Marine Ltd."),
    ("phrase", "wire-memo", "misreported punctuality figures"),
    ("phrase", "central-bank-leak-denial", "no evidence whatsoever"),
    ("phrase", "central-bank-leak-denial", "Central Bank of Lissara"),
    ("phrase", "bridge-inspection-context", "more advanced than previously understood"),
    ("phrase", "airline-maintenance-claim", "postponed mandatory borescope inspections"),
    ("phrase", "bracket-title-wire", "denied selling wheat abroad below cost"),
    ("paragraph", "bridge-inspection-context",
     "The Halden Street bridge was built in 1962 and carries about 22,000 vehicles a day across "
     "the River Kell. It is one of four road crossings in the city and the only one with a "
     "dedicated bus lane. Its last major refurbishment took place in 1998, when the deck was "
     "resurfaced and the parapets replaced."),
    ("paragraph", "wire-memo",
     "Dunmere Rail denied the allegation on Saturday. \"Our punctuality data is collected "
     "automatically, audited annually and reported to the transport ministry in exactly the "
     "form the ministry requires,\" a company spokesperson said. \"The document referred to is "
     "an internal working paper that reflects one employee's interpretation of a technical "
     "definition. It does not represent the company's view.\""),
    ("paragraph", "airline-maintenance-claim",
     "that inspections required every 1,500 flight cycles were performed late on at least 23 "
     "occasions;\nthat in four cases an aircraft flew with a known \"monitor item\" on a "
     "turbine blade for longer than the manufacturer's recommended limit;\nthat engineers who "
     "objected were moved to night shifts or removed from the line maintenance roster."),
)

#: (anchor, cursor, remembered column): a selection when anchor and cursor differ; the
#: column is where TextArea's up / down aim (set by every move but up / down themselves
#: and the reader's own selections, which set ``selection`` directly).
State = tuple[int, int, int]


@dataclass(frozen=True)
class Target:
    kind: str
    article: str
    start: int
    end: int
    #: the arrival state's cursor
    arrival: int


class KeyModel:
    """The reader's keys as pure functions of a :data:`State` (see the module).

    Results that depend on one offset are memoised: the search asks for the same
    word and sentence boundaries many times.
    """

    def __init__(self, text: str, wrap_width: int) -> None:
        from textual.document._document import Document
        from textual.document._document_navigator import DocumentNavigator
        from textual.document._wrapped_document import WrappedDocument

        from tui.safe import display_text

        self.text = text
        self.lines = LineIndex(text)
        self.sentences = SentenceIndex(self.lines)
        self.wrapped = WrappedDocument(Document(display_text(text)), width=0, tab_width=4)
        self.wrapped.wrap(wrap_width, tab_width=4)
        self.navigator = DocumentNavigator(self.wrapped)
        self._memo: dict[tuple[str, int], Any] = {}
        self._vertical_memo: dict[tuple[int, int, bool], int] = {}
        n = len(text)
        lines, sentences = self.lines, self.sentences
        self._fns: dict[str, Callable[[int], Any]] = {
            "next_word": lambda c: next_word(text, c),
            "previous_word": lambda c: previous_word(text, c),
            "next_word_end": lambda c: next_word_end(text, c),
            "previous_paragraph": lambda c: previous_paragraph(lines, c),
            "next_paragraph": lambda c: next_paragraph(lines, c),
            "sentence_at": sentences.at,
            "next_start": sentences.next_start,
            "previous_start": sentences.previous_start,
            "ending_after": sentences.ending_after,
            "paragraph_at": lambda c: paragraph_at(lines, c),
            "x": lambda c: self.wrapped.location_to_offset(lines.to_location(c))[0],
            "snap_start": lambda c: (snap(text, c, n) or (n, n))[0],
            "snap_end": lambda c: (snap(text, 0, c) or (0, 0))[1],
        }

    def _f(self, name: str, offset: int) -> Any:
        key = (name, offset)
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = self._fns[name](offset)
            return value

    def arrive(self, offset: int) -> State:
        """The arrival state: the article opened with the cursor at ``offset``."""
        return offset, offset, self._f("x", offset)

    def _goto(self, offset: int | None) -> State | None:
        """A move that records the column (TextArea's ``move_cursor``)."""
        return None if offset is None else (offset, offset, self._f("x", offset))

    def _select(self, bounds: tuple[int, int] | None, x: int) -> State | None:
        """The reader's own selections (``select_offsets``): the column stays."""
        return None if bounds is None else (bounds[0], bounds[1], x)

    def _vertical(self, c: int, x: int, down: bool) -> int:
        key = (c, x, down)
        found = self._vertical_memo.get(key)
        if found is None:
            nav = self.navigator
            nav.last_x_offset = x
            location = self.lines.to_location(c)
            target = (nav.get_location_below(location) if down
                      else nav.get_location_above(location))
            found = self._vertical_memo[key] = self.lines.to_offset(*target)
        return found

    def step(self, state: State, key: str) -> State | None:
        """The state after ``key``; ``None`` when the key does nothing there (a bell)."""
        a, c, x = state
        n = len(self.text)
        f = self._f
        if key == "h":
            return self._goto(min(a, c) if a != c else max(0, c - 1))
        if key == "l":
            return self._goto(max(a, c) if a != c else min(n, c + 1))
        if key in ("up", "down"):
            target = self._vertical(c, x, key == "down")
            return target, target, x
        if key in ("shift+up", "shift+down"):
            return a, self._vertical(c, x, key == "shift+down"), x
        if key == "shift+left":
            c2 = max(0, c - 1)
            return a, c2, f("x", c2)
        if key == "shift+right":
            c2 = min(n, c + 1)
            return a, c2, f("x", c2)
        if key == "W" or key == "B":
            c2 = f("next_word_end" if key == "W" else "previous_word", c)
            return a, c2, f("x", c2)
        if key == "w":
            return self._goto(f("next_word", c))
        if key == "b":
            return self._goto(f("previous_word", c))
        if key == "left_curly_bracket":
            return self._goto(f("previous_paragraph", c))
        if key == "right_curly_bracket":
            return self._goto(f("next_paragraph", c))
        if key == "left_parenthesis":
            return self._goto(f("previous_start", c))
        if key == "right_parenthesis":
            return self._goto(f("next_start", c))
        if key == "s" or (key == "S" and a == c):
            return self._select(f("sentence_at", c), x)
        if key == "S":
            found = f("ending_after", max(a, c))
            return None if found is None else (min(a, c), found[1], x)
        if key == "P":
            return self._select(f("paragraph_at", c), x)
        raise KeyError(key)

    def tagged(self, state: State) -> tuple[int, int] | None:
        """The span the label key stores in ``state`` (``None``: nothing selected).

        ``snap`` trims and widens each end on its own, so its start depends on
        the selection's start only and its end on its end only."""
        a, c, _x = state
        if a == c:
            return None
        start, end = self._f("snap_start", min(a, c)), self._f("snap_end", max(a, c))
        return (start, end) if start < end else None


def locate(texts: dict[str, str], kind: str, article: str, quote: str) -> Target:
    text = texts[article]
    start = text.index(quote)
    sentences = SentenceIndex(LineIndex(text))
    first = sentences.at(start)
    if first is None:
        raise ValueError(f"{article}: no sentence at {quote[:30]!r}")
    return Target(kind, article, start, start + len(quote), first[0])


def _window(model: KeyModel, target: Target) -> tuple[int, int]:
    """The target's paragraph and the paragraphs before and after it."""
    lines = model.lines
    lo = previous_paragraph(lines, previous_paragraph(lines, target.start))
    hi = next_paragraph(lines, next_paragraph(lines, target.end - 1))
    return lo, min(len(model.text), hi + 1)


def shortest(model: KeyModel, target: Target, keys: Iterable[str],
             max_depth: int = MAX_DEPTH, max_states: int = MAX_STATES) -> list[str] | None:
    """Breadth-first: the fewest keys (the label key last) that store ``target``."""
    keys = tuple(keys)
    goal = (target.start, target.end)
    if max_depth < 2:
        return None
    lo, hi = _window(model, target)
    start = model.arrive(target.arrival)
    parent: dict[State, tuple[State, str] | None] = {start: None}
    frontier = deque([(start, 0)])

    def path_to(node: State) -> list[str]:
        path = [LABEL_KEY]
        step = parent[node]
        while step is not None:
            node, key = step
            path.append(key)
            step = parent[node]
        return path[::-1]

    while frontier:
        state, depth = frontier.popleft()
        # A state is tested as it is reached (one layer earlier than when it is
        # expanded): the first one found is on the shallowest layer holding one.
        if depth + 2 > max_depth or len(parent) > max_states:
            continue
        for key in keys:
            nxt = model.step(state, key)
            if nxt is None or nxt in parent:
                continue
            if not (lo <= nxt[0] <= hi and lo <= nxt[1] <= hi):
                continue
            parent[nxt] = (state, key)
            if model.tagged(nxt) == goal:
                return path_to(nxt)
            frontier.append((nxt, depth + 1))
    return None


def sample_texts() -> dict[str, str]:
    from annotations import articles
    from annotations.model import Article

    _, found = articles.iter_articles([SAMPLES])
    return {a.id: a.text for a in found if isinstance(a, Article)}


def plan(targets: Iterable[tuple[str, str, str]], wrap_width: int,
         max_states: int = MAX_STATES) -> list[dict[str, Any]]:
    """Every target with its shortest sequences under both key sets (a phrase also from
    its own first word: ``from_phrase``)."""
    texts = sample_texts()
    models: dict[str, KeyModel] = {}
    out = []
    for kind, article, quote in targets:
        target = locate(texts, kind, article, quote)
        if article not in models:
            models[article] = KeyModel(texts[article], wrap_width)
        model = models[article]
        row: dict[str, Any] = {"kind": kind, "article": article, "start": target.start,
                               "end": target.end, "arrival": target.arrival,
                               "words": len(quote.split()), "keys": {}}
        for name, keys in KEY_SETS.items():
            row["keys"][name] = shortest(model, target, keys, max_states=max_states)
        out.append(row)
        if kind == "phrase":
            at_phrase = Target(kind, article, target.start, target.end, target.start)
            out.append({**row, "kind": "phrase from its first word", "arrival": target.start,
                        "keys": {name: shortest(model, at_phrase, keys, max_states=max_states)
                                 for name, keys in KEY_SETS.items()}})
    return out


def shown(keys: list[str]) -> str:
    return " ".join(SHOWN.get(k, k) for k in keys)


# ------------------------------------------------------------------ the check with Pilot

async def _in_app(db: str, work: Callable[[Any, Any, Any], Any]) -> Any:
    from annotations.store import Store
    from annotations.suggest.settings import OFF
    from tui.app import StancemarkApp

    store = Store.open(db, create=False)
    # The keys of issue 12 with nothing suggested: a label key on a suggestion would
    # accept it (issue 16), which the key model here does not know.
    app = StancemarkApp(store, "bench", suggest=OFF)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            return await work(app, pilot, store)
    finally:
        store.close()


def geometry(db: str) -> dict[str, Any]:
    """The reader's wrap width in the annotator at 120 x 36 (what up / down move over)."""
    async def work(app: Any, pilot: Any, store: Any) -> dict[str, Any]:
        return {"wrap_width": app.screen.reader.wrap_width}

    return asyncio.run(_in_app(db, work))


def verify(db: str, rows: list[dict[str, Any]], wrap_width: int) -> list[dict[str, Any]]:
    """Press every sequence in the annotator (Pilot, 120 x 36) and report the spans stored."""
    async def work(app: Any, pilot: Any, store: Any) -> list[dict[str, Any]]:
        screen = app.screen
        if screen.reader.wrap_width != wrap_width:
            raise RuntimeError(f"the reader wraps at {screen.reader.wrap_width}, "
                               f"the plan at {wrap_width}")
        results = []
        for row in rows:
            for name, keys in row["keys"].items():
                if keys is None:
                    continue
                screen.open_article(row["article"], row["arrival"])
                await pilot.pause()
                before = {s.id for s in store.spans(row["article"], "bench")}
                await pilot.press(*keys)
                new = [s for s in store.spans(row["article"], "bench") if s.id not in before]
                got = [(s.start, s.end) for s in new]
                results.append({"article": row["article"], "start": row["start"],
                                "key_set": name, "stored": got,
                                "ok": got == [(row["start"], row["end"])]})
                for span in new:  # leave the article as it was for the next sequence
                    store.delete_span(span.id, "bench")
                screen.reload_spans()
                await pilot.pause()
        return results

    return asyncio.run(_in_app(db, work))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.keys_per_tag")
    p.add_argument("command", choices=("geometry", "verify"))
    p.add_argument("--db", required=True)
    p.add_argument("--plan", help="JSON: {wrap_width, rows} (verify)")
    args = p.parse_args(argv)
    if args.command == "geometry":
        print(json.dumps(geometry(args.db)))
        return 0
    planned = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    print(json.dumps(verify(args.db, planned["rows"], planned["wrap_width"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
