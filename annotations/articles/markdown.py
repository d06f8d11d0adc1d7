"""Markdown to the plain text every offset counts in, plus display-only style ranges.

:func:`parse_markdown` is the one place where a markdown body becomes
``Article.text``: blocks become lines separated by one blank line, inline
markup is removed, HTML stays literal text, and headings, emphasis, links,
quotes, code and list items become :class:`~annotations.model.StyleRange`
objects that the reader only paints.

The parser's work is bounded (:class:`MarkdownTooCostly`): markdown-it-py
spends about 70 µs on each ``[`` that opens no link (1 MB of ``[`` took 67 s)
and about 360 bytes per table cell (a 6 MB table took 4 GB).  A body over
:data:`MAX_MARKDOWN_CHARS` is refused before parsing, and the work is
counted as it goes, in steps that each cost about the same — every block
token made, every block and every inline position the rules are tried at,
every token skipped while a link label is scanned, ten per link reference
definition, and four per table cell (counted before a table is parsed) — and
a body that needs more than
:func:`work_budget` steps is refused before it costs more.  The bound counts work, not time, so a file parses the same way
on every machine: the same text, the same offsets, for every teammate.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import reference as _reference_rule
from markdown_it.rules_block import table as _table_rule
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

from annotations.articles.source import normalise_newlines, trim_blank_lines
from annotations.model import StyleRange

#: markdown-it silently drops whatever is nested deeper than ``maxNesting``;
#: the commonmark preset's 20 is reachable by real files, 100 is not, and we
#: refuse (rather than truncate) anything deeper. Strikethrough stays literal
#: ``~~text~~``: with no style for it, hiding the marks would hide a retraction.
_MAX_NESTING = 100
_MD = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable("table")
#: A quote is one level of markdown-it's nesting, a list two (the list and its
#: item), and the innermost paragraph needs one more: so quotes stop at 99
#: levels and lists at 49.
MAX_QUOTE_DEPTH = _MAX_NESTING - 1
MAX_LIST_DEPTH = (_MAX_NESTING - 1) // 2
_TOO_DEEP = (
    f"markdown nested too deeply (more than {MAX_QUOTE_DEPTH} levels of quotes or "
    f"{MAX_LIST_DEPTH} of lists); rename it to .txt to import it as plain text"
)

#: Characters of markdown parsed at most: markdown-it indexes every line first (about
#: 1 µs and 200 bytes a line), before any rule runs.  News reports are 5-50 KB.
MAX_MARKDOWN_CHARS = 2 * 1024 * 1024
#: Parser steps allowed per character of the body, plus a base (see :func:`work_budget`).
WORK_PER_CHAR = 10
WORK_BASE = 50_000
#: Parser steps allowed at most, whatever the size: about 2 s and 150 MB for the costliest
#: shapes (measured: see tests/test_markdown_costs.py).  Prose takes about 0.15 steps a
#: character (2 MB fit), dense markdown (a heading, list, quote and table every 270
#: characters) 0.55 (700 KB fit); news reports are 5-50 KB.
MAX_WORK = 400_000
_BUDGET = "stancemark_budget"


class MarkdownTooCostly(ValueError):
    """The body needs more parser work than allowed (one line: what ran out)."""


def work_budget(chars: int) -> int:
    """Parser steps allowed for a body of ``chars`` characters."""
    return min(MAX_WORK, WORK_PER_CHAR * chars + WORK_BASE)


class _Budget:
    __slots__ = ("left", "limit", "block_tokens")

    def __init__(self, limit: int) -> None:
        self.left = self.limit = limit
        self.block_tokens = 0  # block tokens already paid for

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            self.exhausted()

    def exhausted(self) -> None:
        raise MarkdownTooCostly(f"markdown too costly to parse (more than {self.limit:,} "
                                "parser steps)")


#: Spends nothing: for a parse of ``_MD`` that brought no budget.
_UNCOUNTED = _Budget(1 << 62)


def _budget(env: Any) -> _Budget:
    budget = env.get(_BUDGET) if isinstance(env, dict) else None
    return budget if budget is not None else _UNCOUNTED


def _count_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """First block rule: counts one step per block attempted (or line checked for one that
    would end a paragraph) and one per block token made since the last count (a list
    item makes six), matches nothing."""
    budget = _budget(state.env)
    made = len(state.tokens) - budget.block_tokens
    budget.block_tokens += made
    budget.spend(1 + made)
    return False


def _count_inline(state: StateInline, silent: bool) -> bool:
    """First inline rule: counts one step per position the rules are tried at.  (The
    hottest hook: one dict look-up and a subtraction.)"""
    budget = state.env.get(_BUDGET, _UNCOUNTED)
    budget.left -= 1
    if budget.left < 0:
        budget.exhausted()
    return False


def _counted_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """The table rule, charged four steps per cell before it builds the table's tokens."""
    if silent or not _table_rule(state, start, end, True):
        return _table_rule(state, start, end, silent)
    header = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
    columns = header.count("|") + 1
    budget = _budget(state.env)
    line = start
    while line < end and not state.isEmpty(line):
        line += 1
        if (line - start) * columns * 4 > budget.left:
            break
    budget.spend((line - start) * columns * 4)
    matched = _table_rule(state, start, end, silent)
    budget.block_tokens = len(state.tokens)  # paid for above
    return matched


#: Steps a link reference definition costs (it is normalised, case-folded and stored).
REFERENCE_STEPS = 10


def _counted_reference(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """The link reference definition rule, charged :data:`REFERENCE_STEPS` each."""
    matched = _reference_rule(state, start, end, silent)
    if matched:
        _budget(state.env).spend(REFERENCE_STEPS)
    return matched


def _counted_skip(state: StateInline) -> None:
    """``ParserInline.skipToken``, one step each: link labels are scanned token by token."""
    _budget(state.env).spend(1)
    _SKIP_TOKEN(state)


_MD.block.ruler.at("table", _counted_table, {"alt": ["paragraph", "reference"]})
_MD.block.ruler.at("reference", _counted_reference)
# In the chains that end a paragraph, a quote or a list too: each line of a long
# paragraph is checked for a block that would interrupt it.
_MD.block.ruler.before("table", "stancemark_budget", _count_block,
                       {"alt": ["paragraph", "reference", "blockquote", "list"]})
_MD.inline.ruler.before("text", "stancemark_budget", _count_inline)
_SKIP_TOKEN = _MD.inline.skipToken
# Our own parser instance only (markdown-it looks ``skipToken`` up on the instance).
setattr(_MD.inline, "skipToken", _counted_skip)  # noqa: B010 - a method, replaced on purpose

#: Separator placed between non-empty children of each container.
_BLOCK_SEP = {
    "root": "\n\n",
    "blockquote": "\n\n",
    "list": "\n",
    "list_item": "\n",
    "table": "\n",
    "table_section": "\n",
}


class _Frame:
    """An open block or inline element while walking the token stream."""

    __slots__ = ("kind", "data", "sep", "start", "count", "ordered", "first_index")

    def __init__(
        self, kind: str | None, data: dict[str, Any] | None = None, sep: str | None = None
    ) -> None:
        self.kind = kind  # style kind to record, or None
        self.data = data
        self.sep = sep  # separator between non-empty children (containers only)
        self.start: int | None = None  # offset of first emitted character
        self.count = 0  # children seen (list items, table cells)
        self.ordered = False
        self.first_index = 1


class _Renderer:
    """Turns markdown-it tokens into plain text and style ranges.

    Text is collected as a list of parts with a running offset (linear in the
    size of the text). Separators between blocks are emitted lazily, just
    before the next real character, so empty blocks leave no blank lines and
    no range ever starts on a separator.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.pending: str | None = None
        self.stack: list[_Frame] = [_Frame(None, sep=_BLOCK_SEP["root"])]
        self.styles: list[StyleRange] = []
        self.list_depth = 0

    # -- low level ---------------------------------------------------------

    def emit(self, text: str) -> None:
        if not text:
            return
        if self.pending is not None:
            self.parts.append(self.pending)
            self.pos += len(self.pending)
            self.pending = None
        # Frames without a start form a suffix of the stack.
        for frame in reversed(self.stack):
            if frame.start is not None:
                break
            frame.start = self.pos
        self.parts.append(text)
        self.pos += len(text)

    def begin_child(self) -> None:
        """A new child of the innermost container starts."""
        parent = self.stack[-1]
        if parent.sep is not None and parent.start is not None:
            self.pending = parent.sep

    def push(
        self, kind: str | None, data: dict[str, Any] | None = None, sep: str | None = None
    ) -> _Frame:
        frame = _Frame(kind, data, sep)
        self.stack.append(frame)
        return frame

    def pop(self) -> _Frame:
        frame = self.stack.pop()
        if frame.kind is not None and frame.start is not None and self.pos > frame.start:
            self.styles.append(StyleRange(frame.start, self.pos, frame.kind, frame.data or {}))
        return frame

    # -- blocks ------------------------------------------------------------

    def render(self, tokens: list[Token]) -> None:
        for token in tokens:
            ttype = token.type
            if token.nesting == -1:
                if ttype in ("bullet_list_close", "ordered_list_close"):
                    self.list_depth -= 1
                self.pop()
                continue
            if token.nesting == 1:
                self.open_block(token)
                continue
            if ttype == "inline":
                self.inline(token.children or [])
            elif ttype in ("fence", "code_block"):
                code = trim_blank_lines(token.content)
                data: dict[str, Any] = {"block": True}
                info = token.info.strip()
                if info:
                    data["info"] = info
                self.begin_child()
                self.push("code", data)
                self.emit(code)
                self.pop()
            elif ttype == "html_block":
                self.begin_child()
                self.emit(trim_blank_lines(token.content))
            elif ttype == "hr":
                continue
            elif token.content:  # unknown leaf block from a plugin: keep its text
                self.begin_child()
                self.emit(token.content)

    def open_block(self, token: Token) -> None:
        ttype = token.type
        parent = self.stack[-1]
        if token.level >= _MAX_NESTING - 1 and ttype in ("blockquote_open", "list_item_open"):
            raise ValueError(_TOO_DEEP)  # markdown-it dropped this block's content
        if ttype in ("th_open", "td_open"):
            # Cells are joined with " | "; separators accumulate over empty cells
            # (keeping columns aligned) and are dropped at the end of a row.
            if parent.start is not None:
                self.pending = (self.pending or "") + " | "
            self.push(None)
            return
        self.begin_child()
        if ttype == "heading_open":
            self.push("heading", {"level": int(token.tag[1:]) if token.tag[1:].isdigit() else 1})
        elif ttype == "paragraph_open":
            self.push(None)
        elif ttype == "blockquote_open":
            self.push("quote", None, _BLOCK_SEP["blockquote"])
        elif ttype in ("bullet_list_open", "ordered_list_open"):
            frame = self.push(None, None, _BLOCK_SEP["list"])
            frame.ordered = ttype == "ordered_list_open"
            start = token.attrs.get("start", 1)
            frame.first_index = start if isinstance(start, int) else 1
            self.list_depth += 1
        elif ttype == "list_item_open":
            index = parent.first_index + parent.count if parent.ordered else parent.count + 1
            parent.count += 1
            data = {"ordered": parent.ordered, "index": index, "depth": self.list_depth - 1}
            self.push("list_item", data, _BLOCK_SEP["list_item"])
        elif ttype == "table_open":
            self.push(None, None, _BLOCK_SEP["table"])
        elif ttype == "thead_open":
            # Header cells are shown bold, as a terminal reader has no table grid.
            self.push("strong", None, _BLOCK_SEP["table_section"])
        elif ttype == "tbody_open":
            self.push(None, None, _BLOCK_SEP["table_section"])
        else:  # tr_open and containers from plugins
            self.push(None, None, "\n")

    # -- inline ------------------------------------------------------------

    def inline(self, children: list[Token]) -> None:
        for tok in children:
            ttype = tok.type
            if ttype in ("text", "text_special", "html_inline"):
                self.emit(tok.content)
            elif ttype in ("softbreak", "hardbreak"):
                self.emit("\n")
            elif ttype == "code_inline":
                self.push("code")
                self.emit(tok.content)
                self.pop()
            elif ttype == "em_open":
                self.push("emphasis")
            elif ttype == "strong_open":
                self.push("strong")
            elif ttype == "link_open":
                data = {"href": str(tok.attrs.get("href", ""))}
                if tok.attrs.get("title"):
                    data["title"] = str(tok.attrs["title"])
                self.push("link", data)
            elif ttype == "image":
                self.inline(tok.children or [])
            elif tok.nesting == 1:  # other inline containers (plugins): text only
                self.push(None)
            elif tok.nesting == -1:
                self.pop()
            else:
                self.emit(tok.content)

    def result(self) -> tuple[str, list[StyleRange]]:
        text = "".join(self.parts)
        styles = sorted(self.styles, key=lambda r: (r.start, -r.end, r.kind))
        return text, styles


def parse_markdown(source: str) -> tuple[str, list[StyleRange]]:
    """Reduce markdown to the plain text every offset refers to, plus display styles.

    Blocks become lines separated by one blank line; items of one list are
    separated by single newlines; inline markup is removed; HTML is kept as
    literal text (never interpreted). ``list_item`` ranges cover the whole
    item including nested lists; ``data["depth"]`` is 0 for a top-level list
    and ``data["index"]`` is the item's number (ordered) or 1-based position.
    Raises ValueError for blocks nested so deeply the parser would drop text,
    and :class:`MarkdownTooCostly` (a ValueError) for a body that needs more
    parser work than :func:`work_budget` allows.
    """
    source = normalise_newlines(source.removeprefix("\ufeff"))
    if len(source) > MAX_MARKDOWN_CHARS:
        raise MarkdownTooCostly(f"markdown too large to parse ({len(source):,} characters; "
                                f"at most {MAX_MARKDOWN_CHARS:,})")
    renderer = _Renderer()
    renderer.render(_MD.parse(source, {_BUDGET: _Budget(work_budget(len(source)))}))
    text, styles = renderer.result()
    # Defensive: the renderer never emits outer blank lines, but keep the
    # promise even if a future token type does.
    lead = len(text) - len(text.lstrip("\n"))
    trimmed = text.strip("\n")
    if lead or len(trimmed) != len(text):
        styles = _shift_styles(styles, lead, len(trimmed))
        text = trimmed
    return text, styles


def _shift_styles(styles: list[StyleRange], lead: int, length: int) -> list[StyleRange]:
    out = []
    for r in styles:
        start, end = max(r.start - lead, 0), min(r.end - lead, length)
        if start < end:
            out.append(StyleRange(start, end, r.kind, r.data))
    return out
