"""The one error type the store lets out.

Every module of the store raises :class:`StoreError` for a problem a user can
act on (a bad file, an unknown id, a refused edit); the :class:`Store` facade
turns any ``sqlite3`` error that escapes a module into one as well, so the CLI
and the TUI catch a single type.
"""

from __future__ import annotations


class StoreError(Exception):
    """A one-line, user-facing problem with the database or a request."""
