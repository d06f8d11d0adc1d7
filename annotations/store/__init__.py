"""The SQLite store: every read and write of a stancemark database, behind one :class:`Store`.

One file, WAL mode, foreign keys on, a busy timeout, short transactions.
Every public write method commits before it returns (``BEGIN IMMEDIATE`` ...
``COMMIT``), so a crash or ``kill -9`` after the call loses nothing.  The TUI
and the CLI share this API; neither writes SQL of its own.

The package is split by what each module holds, lowest first (a module
imports only those above it in this list; no cycles):

- ``errors``: :class:`StoreError`, the only error that leaves the package (and its
  subclasses :class:`StaleText` and :class:`WriterBusy`).
- ``rows``: column lists and row <-> dataclass conversions (no SQL run).
- ``reports``: :class:`ImportReport`, :class:`MergeReport`.
- ``schema``: tables, indexes, the full-text index, migrations.
- ``connection``: opening a file (pragmas, clear errors), transactions.
- ``articles``: writing one article (re-anchoring on a changed text), reading,
  listing, navigation, the reading position.
- ``events``: the append-only events log.
- ``spans``: spans, statuses, relations.
- ``suggestions``: rejected suggestions, and spans stored in bulk (``suggest --apply``).
- ``reviews``: review decisions and the gold set.
- ``history``: undo and redo, replayed from the events log.
- ``merge``: merging one pack record (times, trust, version keys, ownership,
  re-anchoring).
- ``merges``: the record of each merge, and undoing one.
- ``ingest``: imports of articles and packs, file by file (what one
  transaction holds is decided there).
- ``reads``: read models for export, agreement, stats and the article list.
- ``search``: running a search query (:mod:`annotations.search`): hits, a first
  page with snippets, every match's offsets.
- ``facade``: :class:`Store`, where ``sqlite3`` errors become :class:`StoreError`.

Which writes go through sqlite-utils and which stay raw SQL (and why) is
said at the top of each module that writes.
"""

from __future__ import annotations

from annotations.store.connection import (
    BUSY_TIMEOUT_MS,
    DEFAULT_DB,
    LOCK_TIMEOUT,
    TEXTS_KEPT,
    WAL_AUTOCHECKPOINT,
    resolve_db_path,
)
from annotations.store.errors import StaleText, StoreError, WriterBusy
from annotations.store.events import Event
from annotations.store.facade import Store
from annotations.store.ingest import Unit
from annotations.store.reports import ImportReport, MergeReport, UnmergeReport
from annotations.store.rows import RELATION_COLUMNS, SPAN_COLUMNS
from annotations.store.schema import SCHEMA_VERSION
from annotations.store.spans import SpanWindow

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_DB",
    "LOCK_TIMEOUT",
    "RELATION_COLUMNS",
    "SCHEMA_VERSION",
    "SPAN_COLUMNS",
    "TEXTS_KEPT",
    "WAL_AUTOCHECKPOINT",
    "WriterBusy",
    "Event",
    "ImportReport",
    "MergeReport",
    "StaleText",
    "Store",
    "SpanWindow",
    "StoreError",
    "UnmergeReport",
    "Unit",
    "resolve_db_path",
]
