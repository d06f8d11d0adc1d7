"""Timestamps that come from packs: RFC 3339 only, stored in one canonical UTC form.

A pack's ``created_at`` / ``updated_at`` / ``deleted_at`` decide which
version of a record wins a merge, so a value that is not a real time
(``"~forever"``, ``"9999"``, a date without a time, ``NaN``) would win every
later merge.  :meth:`Clock.canonical` accepts RFC 3339 date-times only
(``2025-03-01T09:30:00Z``, ``2025-03-01T10:30:00.5+01:00``) and returns the
form stancemark itself writes (:func:`annotations.model.now_iso`):
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, so comparing two stored values as
strings compares them as times.  A time more than :data:`MAX_AHEAD` after
the merging clock is refused: it would win every merge until then.

Parsing is the standard library's ``datetime.fromisoformat``, which checks
calendar values (no 30 February, no hour 24); it also accepts ISO 8601 forms
that RFC 3339 does not (week dates, a date alone, compact digits, no
offset), so :data:`_RFC3339` checks the shape first.  ``rfc3339-validator``
is that same regex and nothing more, so it is not worth a dependency.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

#: How far ahead of the merging clock a pack's time may be: clocks drift and
#: time zones get mixed up, but a record must not win every merge for long.
MAX_AHEAD = timedelta(days=1)
_CHECKED_MAX = 100_000  # values remembered by one Clock (a few MB at most)
_MAX_LENGTH = 40  # longer than any RFC 3339 time with a 9-digit fraction

_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


#: The canonical form (``now_iso``): UTC, microseconds, ``Z``.
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


class TimestampError(ValueError):
    """A value that is not an acceptable timestamp; the message says why."""


def parse_timestamp(value: Any) -> datetime:
    """An aware UTC :class:`datetime` for an RFC 3339 string; :class:`TimestampError` else."""
    if not isinstance(value, str):
        raise TimestampError(f"must be an RFC 3339 time string, not {type(value).__name__}")
    shape = _RFC3339.fullmatch(value) if len(value) <= _MAX_LENGTH else None
    if shape is None:
        raise TimestampError(f"{value[:_MAX_LENGTH]!r} is not an RFC 3339 time "
                             "(e.g. 2025-03-01T09:30:00Z)")
    fraction = shape["fraction"]
    zone = shape["zone"]
    text = (f"{shape['date']}T{shape['time']}"
            f"{'.' + fraction[:6].ljust(6, '0') if fraction else ''}"  # microseconds at most
            f"{'+00:00' if zone in 'Zz' else zone}")
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError) as e:
        raise TimestampError(f"{value!r} is not a valid time ({e})") from None


def format_timestamp(moment: datetime) -> str:
    """The canonical stored form of an aware datetime (what ``now_iso`` writes)."""
    m = moment.astimezone(UTC)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
            f"{m.second:02d}.{m.microsecond:06d}Z")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The merging clock: checks and canonicalises a pack's times against one ``now``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now if now is not None else utc_now()
        #: The latest acceptable time, canonical, so canonical values compare as strings.
        self.limit = format_timestamp(self.now + MAX_AHEAD)
        #: Canonical values already checked against this clock (a span's created_at is
        #: often its updated_at, a line's times often the same): checked once.
        self._checked: set[str] = set()

    def canonical(self, value: Any) -> str:
        """``value`` in the canonical stored form; refused unless RFC 3339 and at most a day ahead."""
        # Fast path for what stancemark writes (every time of a stancemark pack):
        # the shape, then the calendar (fromisoformat), then a string comparison.
        if type(value) is str and value in self._checked:
            return value
        if isinstance(value, str) and _CANONICAL.fullmatch(value) and value <= self.limit:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                pass  # e.g. 30 February: the slow path says so
            else:
                if len(self._checked) >= _CHECKED_MAX:
                    self._checked.clear()
                self._checked.add(value)
                return value
        moment = parse_timestamp(value)
        if moment > self.now + MAX_AHEAD:
            raise TimestampError(f"{value!r} is in the future (more than a day after "
                                 f"{format_timestamp(self.now)})")
        return format_timestamp(moment)

    def order_key(self, value: Any) -> str:
        """A stored time as a sort key: canonical when acceptable, ``""`` (oldest) when not.

        Rows stored before pack times were checked may hold any string, or a
        time far ahead; they lose to every real time instead of winning every
        merge.
        """
        try:
            return self.canonical(value)
        except TimestampError:
            return ""
