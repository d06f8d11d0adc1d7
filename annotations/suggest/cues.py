"""Cue words: the labels file's ``cues:`` lists, checked, and found in sentences.

Contract: a cue is a word or a phrase (``deny``, ``according to``,
``rejected the allegations``).  It matches case-insensitively, on whole words
only, with simple inflection: each word matches every word of the same stem
(``deny`` matches ``denied``, ``denies``, ``Denying``; ``allegation`` matches
``allegations``, ``alleged``), so a phrase matches the same words in the same
order (punctuation between them is ignored).  A cue never matches part of a
word (``claim`` does not match ``reclaim`` or ``claimant``) nor across a
sentence boundary: :func:`sentence_cues` looks inside one sentence at a time.

Stems come from the Snowball English stemmer (``snowballstemmer``, the
stemmer Sphinx and many search engines use), not from rules of our own: it
is maintained, pure Python and small.  A stem is computed once per distinct
word (cached), so a 1 MB article costs one pass over its words.

Of several cues found in one sentence, the label with most (non-overlapping)
matches wins, ties going to the label whose first match comes first; where
cues overlap (``deny`` and ``deny the allegation``) the longest one counts.
The winning label's first match is the cue shown (``cue: denied``).

Nothing here reads files or the store; :mod:`annotations.labels` calls
:func:`parse_cues` for each label's ``cues:``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from annotations.safety import UNSAFE_CHARS

#: The cues of the default labels (a label of the same name in a labels file that
#: says nothing about ``cues:`` gets these too; ``cues: []`` turns them off).
#: Context has none: background has no surface cue of its own.
DEFAULT_CUES: dict[str, tuple[str, ...]] = {
    "claim": (
        "allege", "allegation", "accuse", "accusation", "claim", "according to",
        "assert", "contend", "raised concerns", "warn",
    ),
    "denial": (
        "deny", "denial", "reject", "refute", "rebut", "dismiss", "dispute", "not true",
        "untrue", "no evidence", "false", "baseless", "unfounded", "without merit",
        "categorically", "nothing to hide", "in full compliance", "misleading", "inaccurate",
    ),
}

#: Limits of a labels file's cue list.
MAX_CUES = 500
MAX_CUE_LENGTH = 80

#: A word of a text or a cue: letters and digits, with inner apostrophes.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CONTROL = re.compile(f"[\t\n{UNSAFE_CHARS}]")
_STEMMER = snowballstemmer.stemmer("english")


class CueError(ValueError):
    """A ``cues:`` value that cannot be used; the message says why."""


def parse_cues(value: object) -> tuple[str, ...]:
    """A label's ``cues:`` as a tuple of cues (duplicates dropped), or :class:`CueError`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CueError("'cues' must be a list of words or phrases")
    if len(value) > MAX_CUES:
        raise CueError(f"'cues' holds {len(value)} cues (at most {MAX_CUES})")
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise CueError(f"each cue must be a word or phrase, not {str(item)[:40]!r}")
        cue = " ".join(item.split())
        if len(cue) > MAX_CUE_LENGTH or _CONTROL.search(cue):
            raise CueError(f"cue {cue[:40]!r}: at most {MAX_CUE_LENGTH} printable characters")
        stems = cue_stems(cue)
        if not stems:
            raise CueError(f"cue {cue!r} holds no word")
        if stems not in seen:
            seen.add(stems)
            out.append(cue)
    return tuple(out)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one word, lower-cased (cached: news vocabularies are small)."""
    return str(_STEMMER.stemWord(word.lower()))


def cue_stems(cue: str) -> tuple[str, ...]:
    return tuple(stem(m.group()) for m in WORD.finditer(cue))


@dataclass(frozen=True)
class CueHit:
    """One cue found in a text: ``text[start:end]`` matched ``cue`` of ``label``."""

    start: int
    end: int
    label: str
    cue: str


class CueMatcher:
    """The cues of some labels, indexed by their first word's stem."""

    def __init__(self, cues: Iterable[tuple[str, Sequence[str]]]) -> None:
        #: first stem -> [(stems, label, cue)], longest first
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for label, label_cues in cues:
            for cue in label_cues:
                stems = cue_stems(cue)
                if stems:
                    self._by_first.setdefault(stems[0], []).append((stems, label, cue))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def hits(self, text: str, start: int = 0, end: int | None = None) -> list[CueHit]:
        """Every cue in ``text[start:end]``, left to right; overlapping cues give the
        longest (then the first listed) and the words it covers take no other."""
        end = len(text) if end is None else end
        words = [(m.start(), m.end(), stem(m.group()))
                 for m in WORD.finditer(text, start, end)]
        out: list[CueHit] = []
        i, n = 0, len(words)
        by_first = self._by_first
        while i < n:
            entries = by_first.get(words[i][2])
            found = None
            if entries:
                for stems, label, cue in entries:
                    k = len(stems)
                    if i + k <= n and all(words[i + j][2] == stems[j] for j in range(1, k)):
                        found = (k, label, cue)
                        break
            if found is None:
                i += 1
                continue
            k, label, cue = found
            out.append(CueHit(words[i][0], words[i + k - 1][1], label, cue))
            i += k
        return out

    def decide(self, text: str, start: int, end: int) -> tuple[str, CueHit] | None:
        """The label the cues give the sentence ``text[start:end]``, and its first cue."""
        hits = self.hits(text, start, end)
        if not hits:
            return None
        count: dict[str, int] = {}
        first: dict[str, CueHit] = {}
        for hit in hits:
            count[hit.label] = count.get(hit.label, 0) + 1
            first.setdefault(hit.label, hit)
        label = max(count, key=lambda lb: (count[lb], -first[lb].start))
        return label, first[label]
