"""Time windows for ``--since`` / ``--until``: absolute or relative moments, compared in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from logstat.errors import UsageError

_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_LOG_TIME = "%d/%b/%Y:%H:%M:%S %z"


@dataclass(frozen=True)
class TimeWindow:
    """Requests with ``since <= time < until`` are in the window; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True when neither end is set, i.e. every request is in the window."""
        return self.since is None and self.until is None


OPEN_WINDOW = TimeWindow()
"""The window that holds every request."""


def parse_moment(text: str, *, now: datetime) -> datetime:
    """Parse ``24h``/``7d``/``90m`` (before ``now``), ISO 8601, or ``10/Oct/2026:13:55:36 +0000``.

    A moment without a UTC offset is taken as UTC.

    Raises
    ------
    UsageError
        When ``text`` is none of these.
    """
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative[1]), relative[2]
        return now - timedelta(**{_UNITS[unit]: amount})
    for parse in (lambda t: datetime.strptime(t, _LOG_TIME), datetime.fromisoformat):
        try:
            moment = parse(text.strip())
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    msg = (
        f"cannot read the time {text!r}; use a relative age like 24h, 7d or 90m, "
        "ISO 8601 like 2026-10-10T13:00:00Z, or the log's own form like '10/Oct/2026:13:55:36 +0000'"
    )
    raise UsageError(msg)


def parse_age(text: str, option: str) -> timedelta:
    """A length of time like ``90d``, ``7d``, ``12h`` or ``2w`` (for ``option``'s error message).

    Raises
    ------
    UsageError
        When ``text`` is not a whole number and a unit (s, m, h, d, w), or is zero.
    """
    relative = _RELATIVE.match(text)
    if relative is None or int(relative[1]) == 0:
        msg = f"{option} takes a length of time like 1h, 1d, 7d or 90d, not {text!r}"
        raise UsageError(msg)
    return timedelta(**{_UNITS[relative[2]]: int(relative[1])})


def build_window(since: str | None, until: str | None, *, now: datetime | None = None) -> TimeWindow:
    """The window for the ``--since`` and ``--until`` option values.

    A relative age counts back from ``now`` (default: the current time, to the whole second,
    like the log's own times)."""
    moment = now or datetime.now(UTC).replace(microsecond=0)
    window = TimeWindow(
        parse_moment(since, now=moment) if since else None,
        parse_moment(until, now=moment) if until else None,
    )
    if window.since and window.until and window.since >= window.until:
        msg = f"--since ({window.since:%Y-%m-%d %H:%M:%S}Z) must be before --until ({window.until:%Y-%m-%d %H:%M:%S}Z)"
        raise UsageError(msg)
    return window
