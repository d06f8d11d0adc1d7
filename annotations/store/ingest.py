"""Bringing work in: article files (:func:`import_articles`) and packs (:func:`merge_docs`).

Both write in batches, one transaction per batch, so a long import commits
as it goes and a failure loses at most the batch in flight.  A pack line met
during an import gets a transaction of its own: its article, then its
annotations merged (:mod:`annotations.store.merge`).  A pack's article that
we lack is added with it; one we have keeps our text.

This module sits above :mod:`~annotations.store.articles` and
:mod:`~annotations.store.merge` because each entry point needs both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from annotations.model import Article
from annotations.store.articles import write_article
from annotations.store.connection import Connection
from annotations.store.merge import merge_article_annotations
from annotations.store.reports import ImportReport, MergeReport

MERGE_BATCH = 200  # pack records per transaction


def import_articles(
    cx: Connection,
    articles: Iterable[Article],
    *,
    on_article: Callable[[Article, str], None] | None = None,
    batch_size: int = 500,
) -> ImportReport:
    """Insert or update articles by id; idempotent.

    Unchanged text is a no-op; changed text updates the article and
    re-anchors its spans (``ok`` / ``moved`` / ``orphaned``).  Pack lines
    (``article.annotations``) are merged after their article.  Articles
    are written in batches of ``batch_size`` per transaction.
    """
    report = ImportReport()
    batch: list[Article] = []
    seen: set[str] = set()

    def flush() -> None:
        if not batch:
            return
        with cx.tx() as c:
            for art in batch:
                outcome = write_article(c, art, report)
                if on_article:
                    on_article(art, outcome)
        batch.clear()

    for art in articles:
        if art.id in seen and art.annotations is None:
            report.failed += 1
            report.errors.append(
                f"{art.path or art.id}: duplicate article id {art.id!r} in this batch; "
                "the first one was kept"
            )
            if on_article:
                on_article(art, "failed")
            continue
        seen.add(art.id)
        if art.annotations is not None:
            flush()
            with cx.tx() as c:
                outcome = write_article(c, art, report, pack=True)
                merged = merge_article_annotations(c, art, art.annotations,
                                                   source=art.path or "pack")
            if report.merge is None:
                report.merge = MergeReport()
            report.merge.add(merged)
            if on_article:
                on_article(art, outcome)
            continue
        batch.append(art)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def merge_docs(cx: Connection, docs: Iterable[tuple[Article, dict[str, Any], str]]) -> MergeReport:
    """Merge pack records ``(article, annotations, source)``; see :mod:`annotations.store.merge`."""
    report = MergeReport()
    batch: list[tuple[Article, dict[str, Any], str]] = []

    def flush() -> None:
        if not batch:
            return
        with cx.tx() as c:
            for art, ann, src in batch:
                if ensure_article(c, art, report):
                    report.add(merge_article_annotations(c, art, ann, source=src))
        batch.clear()

    for item in docs:
        batch.append(item)
        if len(batch) >= MERGE_BATCH:
            flush()
    flush()
    return report


def ensure_article(c: sqlite3.Connection, art: Article, report: MergeReport) -> bool:
    """Add a pack's article if we lack it; ``False`` (and counted) if it is unusable."""
    row = c.execute("SELECT 1 FROM articles WHERE id = ?", (art.id,)).fetchone()
    if row is None:
        tmp = ImportReport()
        write_article(c, art, tmp, pack=True)
        if tmp.failed:
            report.rejected += 1
            report.messages.extend(tmp.errors)
            return False
        report.articles_added += 1
    return True
