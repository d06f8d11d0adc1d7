"""What an import, a merge or the undoing of a merge did: counts and one-line messages."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class MergeReport:
    articles_added: int = 0
    articles_differing: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Malformed or impossible records (bad times, another person's span id ...).
    rejected: int = 0
    #: Records that would have changed ours but whose annotator nobody vouched for.
    refused: int = 0
    #: Spans stored ``orphaned`` / ``moved`` by this merge.
    orphaned: int = 0
    moved: int = 0
    #: ``refused`` by annotator, for the summary.
    refused_by: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def add(self, other: MergeReport) -> None:
        for f in fields(self):
            mine = getattr(self, f.name)
            if isinstance(mine, int):
                setattr(self, f.name, mine + getattr(other, f.name))
        for name, n in other.refused_by.items():
            self.refused_by[name] = self.refused_by.get(name, 0) + n
        self.messages.extend(other.messages)

    def refuse(self, annotator: str) -> None:
        self.refused += 1
        self.refused_by[annotator] = self.refused_by.get(annotator, 0) + 1


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
    #: Why the batch stopped early (the database could not be written: disk full ...).
    stopped: str | None = None
    #: Files whose articles were written but rolled back when the batch stopped.
    not_committed: list[str] = field(default_factory=list)

    def add(self, other: ImportReport) -> None:
        """Count ``other`` (one file's or one line's outcome) in this report."""
        self.imported += other.imported
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.skipped += other.skipped
        for anchor, n in other.anchors.items():
            self.anchors[anchor] = self.anchors.get(anchor, 0) + n
        self.errors.extend(other.errors)
        if other.merge is not None:
            if self.merge is None:
                self.merge = MergeReport()
            self.merge.add(other.merge)


@dataclass
class UnmergeReport:
    """What ``merge --undo`` did."""

    #: Merges of the pack that were undone (the same pack may have been merged twice).
    merges: int = 0
    #: Changes put back as they were before the merge.
    reverted: int = 0
    #: Changes left as they are: the record was changed again after the merge.
    kept: int = 0
    messages: list[str] = field(default_factory=list)
