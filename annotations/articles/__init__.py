"""Read report files (.md, .markdown, .txt, .jsonl) into :class:`Article` objects.

Every offset in stancemark is a code-point index into ``Article.text``, so this
module is where that text is fixed: markdown is reduced to plain text plus
display-only :class:`StyleRange` objects, plain text is taken nearly as is, and
native pack lines keep their text byte for byte so their span offsets stay valid.

Untrusted input never raises out of the batch readers (:func:`read_file`,
:func:`read_jsonl`): problems come back as :class:`ArticleError` values so the
rest of a batch goes on. Text is stored faithfully (control characters, ANSI
escapes, ``[markup]``); escaping for display is the front end's job.

The work is split by stage: :mod:`~annotations.articles.source` (bytes on
disk to text), :mod:`~annotations.articles.markdown` (markdown to plain text
and styles), :mod:`~annotations.articles.fields` (ids, titles, metadata
values), :mod:`~annotations.articles.documents` (.md and .txt files with
their headers), :mod:`~annotations.articles.jsonl` (JSON lines and pack
lines) and :mod:`~annotations.articles.walk` (folders, and the reader for
each suffix). Import the public names from here.
"""

from __future__ import annotations

from annotations.articles.documents import read_markdown, read_text
from annotations.articles.errors import ArticleError
from annotations.articles.fields import slugify
from annotations.articles.jsonl import read_jsonl
from annotations.articles.markdown import parse_markdown
from annotations.articles.source import MAX_ARTICLE_BYTES
from annotations.articles.walk import (
    SUPPORTED_SUFFIXES,
    WalkResult,
    iter_articles,
    read_file,
    walk,
)

__all__ = [
    "MAX_ARTICLE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ArticleError",
    "WalkResult",
    "iter_articles",
    "parse_markdown",
    "read_file",
    "read_jsonl",
    "read_markdown",
    "read_text",
    "slugify",
    "walk",
]
