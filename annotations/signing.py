"""Signing packs and checking signatures with OpenSSH's ``ssh-keygen -Y``, as git does.

A pack ``PACK`` is signed into ``PACK.sig`` (an armored SSH signature in the
``stancemark`` namespace, so a signature made for git or for mail is never
taken for one made for a pack).  A team lists its members' public keys in an
``allowed_signers`` file, git's format: ``ana ssh-ed25519 AAAA...`` (the
principal is the annotator name).  :func:`verify` finds the principals of the
signing key there (``ssh-keygen -Y find-principals``) and checks the
signature for each (``ssh-keygen -Y verify``); a principal that verifies is
a *signer* of the pack.

``ssh-keygen`` runs with an argument list, never through a shell; the data
goes to it on standard input, the signature through a private temporary
file.  Every failure (``ssh-keygen`` missing or too old, a bad key, a bad
signature) is a one-line :class:`SigningError`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

#: The signature namespace: a signature made for another purpose never verifies here.
NAMESPACE = "stancemark"
#: An armored ed25519 signature is about 300 bytes; RSA-4096 about 900.
MAX_SIGNATURE_BYTES = 64 * 1024
TIMEOUT_S = 60
#: Characters that make an allowed_signers principal a pattern rather than a name.
_PATTERN = frozenset("*?!,")


class SigningError(Exception):
    """Signing or checking failed: one line saying why."""


def signature_path(pack: str | os.PathLike[str]) -> Path:
    """Where the signature of ``pack`` lives: ``PACK.sig`` beside it."""
    return Path(f"{os.fspath(pack)}.sig")


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SigningError("ssh-keygen not found: install OpenSSH (8.2 or later) to sign or "
                           "check signed packs")
    return found


def _run(args: Sequence[str], stdin: IO[bytes] | None) -> subprocess.CompletedProcess[bytes]:
    command = [_ssh_keygen(), *args]
    try:
        if stdin is None:
            return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=TIMEOUT_S, check=False)
        try:
            stdin.fileno()
        except (OSError, ValueError, AttributeError):  # in memory (io.BytesIO): pass the bytes
            return subprocess.run(command, input=stdin.read(), capture_output=True,
                                  timeout=TIMEOUT_S, check=False)
        return subprocess.run(command, stdin=stdin, capture_output=True, timeout=TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise SigningError(f"ssh-keygen took longer than {TIMEOUT_S} s") from None
    except OSError as e:
        raise SigningError(f"cannot run ssh-keygen: {e.strerror or e}") from e


def _said(result: subprocess.CompletedProcess[bytes]) -> str:
    """What ssh-keygen said, on one line."""
    text = (result.stderr or result.stdout).decode("utf-8", "replace")
    return " ".join(text.split())[:300] or f"exit status {result.returncode}"


def sign(data: IO[bytes], key: str | os.PathLike[str]) -> bytes:
    """The armored signature of ``data`` (read to its end) made with ``key``.

    ``key`` is a private key file, or a public key whose private half is in
    ``ssh-agent``; a key with a passphrase asks for it on the terminal.
    """
    if not Path(key).is_file():
        raise SigningError(f"{os.fspath(key)}: no such key file")
    result = _run(["-Y", "sign", "-n", NAMESPACE, "-f", os.path.abspath(key)], data)
    if result.returncode != 0 or not result.stdout.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        raise SigningError(f"ssh-keygen could not sign with {os.fspath(key)}: {_said(result)}")
    return result.stdout


def read_signature(path: Path) -> bytes:
    """The bytes of a signature file, bounded (a signature is small)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SIGNATURE_BYTES + 1)
    except OSError as e:
        raise SigningError(f"{path}: cannot read the signature: {e.strerror or e}") from e
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SigningError(f"{path}: not a signature (over {MAX_SIGNATURE_BYTES} bytes)")
    return data


def verify(data: IO[bytes], signature: bytes, allowed_signers: str | os.PathLike[str]) -> list[str]:
    """The principals of ``allowed_signers`` whose key made ``signature`` over ``data``.

    ``data`` must be seekable: it is read once per principal.  Raises
    :class:`SigningError` when the key is not in ``allowed_signers`` or the
    signature does not verify (changed data, another namespace, a damaged
    signature).
    """
    allowed = Path(allowed_signers)
    if not allowed.is_file():
        raise SigningError(f"{allowed}: no such allowed_signers file")
    with tempfile.TemporaryDirectory(prefix="stancemark-sig-") as folder:
        sig = Path(folder) / "pack.sig"
        sig.write_bytes(signature)
        found = _run(["-Y", "find-principals", "-s", str(sig), "-f", os.path.abspath(allowed)],
                     None)
        if found.returncode != 0:
            raise SigningError(f"signed by a key that is not in {allowed} ({_said(found)})")
        names = [p.strip() for line in found.stdout.decode("utf-8", "replace").splitlines()
                 for p in line.split(",")]
        principals = [p for p in dict.fromkeys(names) if p and not _PATTERN & set(p)]
        signers = []
        problems = []
        for principal in principals:
            data.seek(0)
            checked = _run(["-Y", "verify", "-f", os.path.abspath(allowed), "-I", principal,
                            "-n", NAMESPACE, "-s", str(sig)], data)
            if checked.returncode == 0:
                signers.append(principal)
            else:
                problems.append(_said(checked))
        data.seek(0)
    if not signers:
        reason = problems[0] if problems else "no principal of the key is a plain name"
        raise SigningError(f"the signature does not verify ({reason})")
    return signers
