"""The open article's relations, indexed by span, for the reader, the span panel and details.

Built from the relations a tagging screen edits (the annotator's own, or gold's
on the review screen) over the same :class:`~tui.spanindex.SpanIndex`: a
relation shows only while both of its spans are in that index (a span
deleted elsewhere hides its links until it comes back).  Each relation a
span takes part in is a :class:`Link` seen from that span: outgoing (``→
rebuts claim “…”``) or incoming (``← rebutted by denial “…”``).

A link is *flagged*, never dropped, when one of its spans is orphaned (the
text changed under it) or when the two labels no longer fit its type (a span
relabelled after it was linked): the panel and the details say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotations.model import Relation, Span
from annotations.relation_types import RelationType, find_type
from tui.safe import one_line
from tui.spanindex import SpanIndex, is_placed


@dataclass(frozen=True)
class Link:
    """One relation seen from one of its spans."""

    relation: Relation
    #: ``True``: the span this is seen from is where the link starts.
    outgoing: bool
    #: The span at the other end.
    other: Span
    #: Why the link needs a look ("" when it is fine).
    flag: str = ""

    def words(self, types: Sequence[RelationType], width: int = 40) -> str:
        """``→ rebuts claim “…”`` or ``← rebutted by denial “…”`` (plain text)."""
        quote = f"{one_line(self.other.label, 16)} “{one_line(self.other.text, width)}”"
        name = one_line(self.relation.label, 20)
        if self.outgoing:
            return f"→ {name} {quote}"
        kind = find_type(types, self.relation.label)
        if kind is not None and kind.inverse:
            return f"← {one_line(kind.inverse, 24)} {quote}"
        return f"← {quote} {name} this"


class RelationIndex:
    """Relations of the open article, by id and by span (see the module)."""

    def __init__(self, spans: SpanIndex, relations: Iterable[Relation] = (),
                 types: Sequence[RelationType] = ()) -> None:
        self.spans = spans
        self.types = tuple(types)
        self.by_id: dict[str, Relation] = {}
        self.reset(relations)

    def reset(self, relations: Iterable[Relation]) -> None:
        self.by_id = {r.id: r for r in relations if r.deleted_at is None}

    def __len__(self) -> int:
        return len(self.by_id)

    def shown(self) -> list[Relation]:
        """The relations whose two spans are in the span index, by id."""
        if not self.by_id:  # no relations: no need for every span (a partial index)
            return []
        spans = self.spans.by_id
        return [r for _, r in sorted(self.by_id.items())
                if r.from_span in spans and r.to_span in spans]

    def related(self) -> set[str]:
        """Ids of the spans that take part in a shown relation."""
        out: set[str] = set()
        for r in self.shown():
            out.update((r.from_span, r.to_span))
        return out

    def flag(self, rel: Relation) -> str:
        """Why ``rel`` needs a look, or ``""``."""
        spans = self.spans.by_id
        a, b = spans.get(rel.from_span), spans.get(rel.to_span)
        if a is None or b is None:
            return "a span is missing"
        n = len(self.spans.lines.text)
        if not (is_placed(a, n) and is_placed(b, n)):
            return "orphaned span"
        kind = find_type(self.types, rel.label)
        if self.types and kind is None:
            return "unknown type"
        if kind is not None and not kind.allows(a.label, b.label):
            return f"{rel.label} links {kind.describe_ends()}"
        return ""

    def links_by_span(self) -> dict[str, list[Link]]:
        """Every span's links (only spans that have some): outgoing first, each side in
        the other end's text order."""
        if not self.by_id:
            return {}
        spans = self.spans.by_id
        out: dict[str, list[Link]] = {}
        for r in self.shown():
            flag = self.flag(r)
            out.setdefault(r.from_span, []).append(Link(r, True, spans[r.to_span], flag))
            out.setdefault(r.to_span, []).append(Link(r, False, spans[r.from_span], flag))
        for links in out.values():
            links.sort(key=lambda lk: (not lk.outgoing, lk.other.start, lk.other.end,
                                       lk.relation.label, lk.relation.id))
        return out

    def links_of(self, span_id: str) -> list[Link]:
        """The links of one span (see :meth:`links_by_span`)."""
        return self.links_by_span().get(span_id, [])

    def linked(self, from_span: str, to_span: str, label: str) -> Relation | None:
        """The live relation of this type between these spans, if there is one."""
        return next((r for r in self.by_id.values() if (r.from_span, r.to_span, r.label)
                     == (from_span, to_span, label)), None)
