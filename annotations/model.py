"""Plain dataclasses shared by every layer.

Offsets everywhere are Python ``str`` indices (code points) into
``Article.text``, end-exclusive, so ``article.text[span.start:span.end] ==
span.text`` always holds for a span whose anchor is ``ok`` or ``moved``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

#: An annotator's progress on an article (``statuses.status``).
Status = Literal["todo", "in_progress", "done"]
STATUSES: tuple[Status, ...] = get_args(Status)
#: Whether a span's offsets still hold its quote (``spans.anchor``): ``ok``, re-placed
#: after the text changed (``moved``), or not placeable (``orphaned``).
Anchor = Literal["ok", "moved", "orphaned"]
ANCHORS: tuple[Anchor, ...] = get_args(Anchor)

#: Style kinds produced by the markdown reader and painted by the reader widget.
STYLE_KINDS: tuple[str, ...] = (
    "heading",
    "emphasis",
    "strong",
    "link",
    "quote",
    "code",
    "list_item",
)

GOLD = "gold"


def now_iso() -> str:
    """UTC timestamp with microseconds; sorts lexically in time order."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StyleRange:
    """A display style over ``text[start:end]`` (heading, emphasis, link ...)."""

    start: int
    end: int
    kind: str
    #: Extra data, e.g. ``{"href": ...}`` for links or ``{"level": 2}``.
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Article:
    id: str
    text: str
    title: str = ""
    source: str | None = None
    published: str | None = None
    url: str | None = None
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    styles: list[StyleRange] = field(default_factory=list)
    #: Raw pack payload (``spans``/``relations``/``statuses``) when the article
    #: came from a native pack line; ``None`` for plain articles.
    annotations: dict[str, Any] | None = None
    #: What reading the file changed and the user should hear of (one line each, naming
    #: the file): markdown imported as plain text, display styles dropped over the cap.
    notes: list[str] = field(default_factory=list, compare=False)
    #: (text, its SHA-256): computed once per text object (hashing a 1 MB text
    #: takes about 2 ms, and every write from the TUI carries the hash).
    _sha: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text_sha256(self) -> str:
        cached = self._sha
        if cached is None or cached[0] is not self.text:
            cached = self._sha = (self.text, sha256_text(self.text))
        return cached[1]

    def stored_sha(self, sha: str) -> None:
        """Take ``sha`` (read with the text from the same row) as the text's SHA-256."""
        self._sha = (self.text, sha)


@dataclass
class Span:
    id: str
    article_id: str
    annotator: str
    label: str
    start: int
    end: int
    text: str
    prefix: str = ""
    suffix: str = ""
    note: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None
    anchor: Anchor = "ok"


@dataclass
class Relation:
    id: str
    article_id: str
    annotator: str
    label: str
    from_span: str
    to_span: str
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


@dataclass
class StatusRecord:
    article_id: str
    annotator: str
    status: Status
    updated_at: str = ""


@dataclass
class ArticleRow:
    """One line of the article list: titles only, never the text."""

    id: str
    title: str
    published: str | None
    source: str | None
    status: Status
    #: This annotator's live span count per label.
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    color: str
    description: str = ""
    #: words and phrases that suggest this label (see :mod:`annotations.suggest.cues`)
    cues: tuple[str, ...] = ()


@dataclass
class ExportDoc:
    """One article with the annotations chosen for an export."""

    article: Article
    spans: list[Span]
    relations: list[Relation] = field(default_factory=list)
    statuses: list[StatusRecord] = field(default_factory=list)
