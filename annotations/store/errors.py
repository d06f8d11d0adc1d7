"""The one error type the store lets out, and the subclasses a front end acts on.

Every module of the store raises :class:`StoreError` for a problem a user can
act on (a bad file, an unknown id, a refused edit); the :class:`Store` facade
turns any ``sqlite3`` error that escapes a module into one as well, so the CLI
and the TUI catch a single type.  Two subclasses say more, for a screen that
can do something about them: :class:`StaleText` (the write was made against a
text that is no longer the stored one) and :class:`WriterBusy` (another
process kept the write lock past the timeout).
"""

from __future__ import annotations


class StoreError(Exception):
    """A one-line, user-facing problem with the database or a request."""


class StaleText(StoreError):
    """A write made against a text whose SHA-256 is no longer the stored one: refused.

    Another process re-imported the article between the moment its text was
    read (and offsets chosen in it) and the write.  Nothing was written.
    """

    def __init__(self, article_id: str) -> None:
        super().__init__(f"the text of {article_id!r} changed in another process since it "
                         "was shown: nothing was saved")
        self.article_id = article_id


class WriterBusy(StoreError):
    """Another process held the database's write lock for longer than this one may wait."""
