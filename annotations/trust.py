"""How far a pack is trusted: whose spans, relations and statuses it may change.

A pack's content does not prove who wrote it: anyone can put ``"annotator":
"bob"`` or ``"gold"`` in a line.  So a merge changes only the records of the
annotators somebody vouches for:

- the person merging, naming who the pack is from (``--from bob``, repeatable);
- the pack's signature (``PACK.sig``, see :mod:`annotations.signing`): a
  signer listed in the team's ``allowed_signers`` vouches for their own
  records, with no ``--from`` needed.

``gold``, the reviewers' adjudicated set, is vouched for only by ``--from
gold`` together with ``--reviewer`` (the person merging declares that they
review; it is recorded with the merge), never by a signature alone and never
by default.  A record of anyone else that would change our database is
refused and counted; one that changes nothing is simply unchanged.

:class:`Trust` is that decision for one pack; :class:`PackSource` carries it
to the store with the pack's path and the SHA-256 of the bytes read, which
the reader computes as it goes (so the hash is of exactly what was merged).
:func:`open_pack` makes the decision for a pack file under a
:class:`TrustPolicy` (what the person merging said and configured): it
checks ``PACK.sig`` on a private copy of the pack, which is then what gets
read, so the bytes merged are the bytes whose signature was checked.  A
signature that does not verify refuses the whole pack (:class:`PackRefused`),
and so does a pack without one when the policy requires signatures.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from annotations.articles.source import READ_BUFFER
from annotations.model import GOLD
from annotations.signing import SigningError, read_signature, signature_path, verify


@dataclass(frozen=True)
class Trust:
    """Whose records one pack may change, and who is merging it."""

    #: Annotators whose spans, relations and statuses the pack may change.
    vouched: frozenset[str] = frozenset()
    #: The person merging (recorded with every change the merge makes).
    merged_by: str = ""
    #: ``merged_by`` declared themselves a reviewer (``--reviewer``).
    reviewer: bool = False
    #: Principals whose signature on the pack verified.
    signers: tuple[str, ...] = ()
    #: Why a name that was asked for is not vouched for (shown to the user).
    notes: tuple[str, ...] = ()

    @classmethod
    def decide(cls, from_names: Iterable[str] = (), *, signers: Iterable[str] = (),
               reviewer: bool = False, merged_by: str = "") -> Trust:
        """The trust of one pack: ``--from`` names and verified signers, ``gold`` by the rule."""
        asked = set(from_names)
        signed = tuple(dict.fromkeys(signers))
        vouched = asked | set(signed)
        notes = []
        if GOLD in vouched and not (GOLD in asked and reviewer):
            vouched.discard(GOLD)
            notes.append("gold records are accepted only with --from gold and --reviewer")
        return cls(frozenset(vouched), merged_by, reviewer, signed, tuple(notes))

    def allows(self, annotator: str) -> bool:
        return annotator in self.vouched


@dataclass
class PackSource:
    """One pack being merged: its path, its trust, and the hash of the bytes read so far."""

    path: str
    trust: Trust = field(default_factory=Trust)
    #: Fed by the reader with every byte of the file (see ``read_jsonl(digest=...)``);
    #: ``None`` when the records did not come from a file.
    digest: Any = None

    @classmethod
    def of_file(cls, path: str, trust: Trust) -> PackSource:
        return cls(path, trust, hashlib.sha256())

    @property
    def sha256(self) -> str | None:
        """The SHA-256 of the pack file, once the reader has read all of it."""
        return None if self.digest is None else str(self.digest.hexdigest())


class PackRefused(Exception):
    """The whole pack is refused (a bad signature, or unsigned where signatures are required)."""


@dataclass(frozen=True)
class TrustPolicy:
    """What the person merging said (``--from``, ``--reviewer``) and configured (signatures)."""

    from_names: tuple[str, ...] = ()
    reviewer: bool = False
    merged_by: str = ""
    #: The team's ``allowed_signers`` file (``--allowed-signers`` or the config).
    allowed_signers: str | None = None
    #: Refuse packs without a verified signature (``require_signatures: true``).
    require_signatures: bool = False


@dataclass
class OpenedPack:
    """A pack ready to read: its source (trust, digest) and what to read it from."""

    source: PackSource
    #: A private copy to read (when a signature was checked); ``None``: read the file.
    stream: IO[bytes] | None = None
    notes: list[str] = field(default_factory=list)


def open_pack(path: str | os.PathLike[str], policy: TrustPolicy, *,
              whole: bool = True) -> OpenedPack:
    """Decide how far the pack at ``path`` is trusted, checking ``PACK.sig`` if there is one.

    ``whole``: a pack that fails the signature policy is refused as a whole
    (``merge``).  Otherwise (``import``, whose files may be plain articles) an
    unsigned file under ``require_signatures`` is read trusting nobody, so its
    articles come in and its annotations are refused; a bad signature still
    refuses the file.
    """
    name = os.fspath(path)
    sig = signature_path(name)
    notes: list[str] = []
    if sig.is_file():
        if policy.allowed_signers is None:
            if policy.require_signatures:
                raise PackRefused(f"{name}: cannot check {sig.name}: no allowed_signers file "
                                  "(give --allowed-signers FILE or set allowed_signers: in the "
                                  "config)")
            notes.append(f"{name}: {sig.name} not checked (no allowed_signers file); "
                         "trusted as an unsigned pack")
        else:
            if not os.path.isfile(policy.allowed_signers):
                raise PackRefused(f"{name}: cannot check {sig.name}: no allowed_signers file "
                                  f"{policy.allowed_signers}")
            copy = _private_copy(name)
            try:
                signers = verify(copy, read_signature(sig), policy.allowed_signers)
            except SigningError as e:
                copy.close()
                raise PackRefused(f"{name}: bad signature, the whole pack is refused: {e}") from e
            trust = Trust.decide(policy.from_names, signers=signers, reviewer=policy.reviewer,
                                 merged_by=policy.merged_by)
            notes.append(f"{name}: signed by {', '.join(signers)} (checked against "
                         f"{policy.allowed_signers})")
            return OpenedPack(PackSource.of_file(name, trust), copy, notes)
    if policy.require_signatures:
        if whole:
            raise PackRefused(f"{name}: not signed (no {sig.name}) and signatures are required "
                              "(require_signatures in the config)")
        return OpenedPack(PackSource.of_file(name, Trust(merged_by=policy.merged_by)), None,
                          notes)
    trust = Trust.decide(policy.from_names, reviewer=policy.reviewer, merged_by=policy.merged_by)
    return OpenedPack(PackSource.of_file(name, trust), None, notes)


def _private_copy(path: str) -> IO[bytes]:
    """The pack's bytes in an unnamed temporary file nobody else can change."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            raise PackRefused(f"{path}: not a regular file")
    except OSError as e:
        raise PackRefused(f"{path}: cannot read: {e.strerror or e}") from e
    # Read line by line next (read_jsonl): a buffer larger than a pack line.
    copy = tempfile.TemporaryFile(prefix="stancemark-pack-", buffering=READ_BUFFER)
    try:
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, copy, 1024 * 1024)
    except OSError as e:
        copy.close()
        raise PackRefused(f"{path}: cannot read: {e.strerror or e}") from e
    copy.seek(0)
    return copy
