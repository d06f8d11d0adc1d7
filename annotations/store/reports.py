"""What an import or a merge did: counts and one-line messages for the user."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class MergeReport:
    articles_added: int = 0
    articles_differing: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    orphaned: int = 0
    moved: int = 0
    messages: list[str] = field(default_factory=list)

    def add(self, other: MergeReport) -> None:
        for f in fields(self):
            if f.name != "messages":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.messages.extend(other.messages)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    #: spans re-checked after a text change, by resulting anchor
    anchors: dict[str, int] = field(default_factory=lambda: {"ok": 0, "moved": 0, "orphaned": 0})
    errors: list[str] = field(default_factory=list)
    #: what the pack lines among the articles merged, if there were any
    merge: MergeReport | None = None
