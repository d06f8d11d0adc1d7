"""Who may use a served stancemark: the access token and the address rules.

* :func:`is_loopback` tells whether a host (a bind address or the host name a
  request was sent to) stays on this machine.  ``serve`` listens on a
  loopback address without a token; any other address needs one.
* :func:`check_token` refuses a token someone chose badly (short, spaces,
  control characters); :func:`new_token` makes one (32 random bytes,
  URL-safe).
* :func:`same_token` compares in constant time: both sides are hashed with
  SHA-256 first, so neither the position of the first wrong character nor
  the length of the guess shows in the time taken (``hmac.compare_digest``
  alone returns early on a length difference, and raises on non-ASCII
  ``str``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

#: A token given by hand must be at least this long (a generated one has 43 characters).
MIN_TOKEN_LENGTH = 16

#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class TokenError(ValueError):
    """A token that cannot be used; the message says why, without the token."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_token(token: str) -> str:
    """``token`` if it can protect a server, else :class:`TokenError`."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError(f"an access token needs at least {MIN_TOKEN_LENGTH} characters "
                         "(leave it out and serve makes one)")
    if not token.isprintable() or any(ch.isspace() for ch in token):
        raise TokenError("an access token cannot hold spaces or control characters")
    return token


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def same_token(given: str | None, expected: str) -> bool:
    """Whether ``given`` is the token, in time that does not depend on ``given``."""
    return hmac.compare_digest(_digest(given or ""), _digest(expected)) and given is not None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name, IPv6 with or without brackets) is this machine."""
    name = host.strip().lower().strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def request_hostname(host_header: str | None) -> str:
    """The host name of a ``Host`` header (``127.0.0.1:8000``, ``[::1]:8000``), or ""."""
    if not host_header:
        return ""
    try:
        return urlsplit("//" + host_header).hostname or ""
    except ValueError:
        return ""


def url_host(host: str) -> str:
    """``host`` as it goes into a URL (IPv6 addresses in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
