"""Files and folders to articles: the deterministic file walk and the reader for each suffix.

:func:`walk` fails early on a path that does not exist; after that nothing
raises: :func:`read_file` and :func:`iter_articles` yield an
:class:`~annotations.articles.errors.ArticleError` for each bad file or line,
so the rest of a batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from annotations.articles.documents import read_markdown, read_text
from annotations.articles.errors import ArticleError
from annotations.articles.jsonl import read_jsonl
from annotations.model import Article

SUPPORTED_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".txt", ".jsonl")


def read_file(path: Path) -> Iterator[Article | ArticleError]:
    """Read any supported file; every problem is yielded as ArticleError, never raised."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(path)
        return
    reader = {".md": read_markdown, ".markdown": read_markdown, ".txt": read_text}.get(suffix)
    if reader is None:
        yield ArticleError(path, f"unsupported file type '{path.suffix or '(none)'}'")
        return
    try:
        yield reader(path)
    except ArticleError as exc:
        yield exc
    except Exception as exc:  # noqa: BLE001 - one bad file never ends the batch
        yield ArticleError(path, f"cannot read file: {exc}"[:300])


@dataclass
class WalkResult:
    """Files to import, and files passed over (for the summary): because of their type,
    or (``outside``, counted in ``skipped`` too) because they are symbolic links to a
    file outside the folder being imported."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)


def _is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _inside(path: Path, folder: str) -> bool:
    """Does ``path``, every link resolved, lie inside ``folder`` (already resolved)?"""
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def walk(paths: Iterable[Path | str], *, follow_links: bool = False) -> WalkResult:
    """Expand files and folders into a deterministic list of readable files.

    Folders are searched recursively in sorted order; hidden entries (names
    starting with '.') inside them are ignored, symlinked folders are not
    followed (no cycles). A symlinked file found in a folder is read only if
    it points inside that folder, unless ``follow_links``: a folder from
    elsewhere (a cloned repository, an unpacked archive) may hold
    ``appendix.txt -> ~/.ssh/id_rsa``, whose text would then travel in packs;
    such links are skipped and listed in ``WalkResult.outside``.  A path
    given by name is always read, link or not.  Arguments keep their order;
    duplicates are dropped. A path that does not exist raises ArticleError
    before anything is read.
    """
    result = WalkResult()
    seen: set[Path] = set()

    def add(file: Path, folder: str | None = None) -> None:
        key = Path(os.path.abspath(file))
        if key in seen:
            return
        seen.add(key)
        if folder is not None and not follow_links and file.is_symlink() and (
                not _inside(file, folder)):
            result.outside.append(file)
            result.skipped.append(file)
            return
        if file.is_file() and _is_supported(file):
            result.files.append(file)
        else:  # other suffixes, sockets, FIFOs...
            result.skipped.append(file)

    for given in paths:
        root = Path(given)
        if not os.path.lexists(root) or (root.is_symlink() and not root.exists()):
            raise ArticleError(root, "no such file or directory")
        if not root.is_dir():
            add(root)
            continue
        found: list[tuple[tuple[str, ...], Path]] = []
        folder = os.path.realpath(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            base = Path(dirpath)
            rel = base.relative_to(root).parts
            for name in filenames:
                if not name.startswith("."):
                    found.append(((*rel, name), base / name))
        for _key, file in sorted(found, key=lambda item: item[0]):
            add(file, folder)
    return result


def iter_articles(
    paths: Iterable[Path | str], *, follow_links: bool = False,
) -> tuple[WalkResult, Iterator[Article | ArticleError]]:
    """Walk the paths now (so missing paths fail early), read the files lazily."""
    found = walk(paths, follow_links=follow_links)

    def generate() -> Iterator[Article | ArticleError]:
        for file in found.files:
            yield from read_file(file)

    return found, generate()
