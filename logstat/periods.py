"""The periods of a time series (minute, hour, day) and their calendar arithmetic, in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

Period = Literal["minute", "hour", "day"]


PERIODS: tuple[Period, ...] = get_args(Period)
"""The periods, finest first."""


_STEP: dict[Period, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}


AUTO_MINUTE_SPAN = timedelta(hours=3)
"""Up to this span :func:`auto_period` picks minutes (at most 180 periods)."""


AUTO_HOUR_SPAN = timedelta(days=7)
"""Up to this span :func:`auto_period` picks hours (at most 168 periods); beyond it, days."""


def auto_period(first: datetime | None, last: datetime | None) -> Period:
    """A period that gives a readable chart of the span from ``first`` to ``last``.

    Up to 3 hours: ``minute``; up to 7 days: ``hour``; longer: ``day``. Without a time
    range (a format with no time field) the answer is ``hour``, which shows nothing anyway.
    """
    if first is None or last is None:
        return "hour"
    span = last - first
    if span <= AUTO_MINUTE_SPAN:
        return "minute"
    if span <= AUTO_HOUR_SPAN:
        return "hour"
    return "day"


def coarser(period: Period) -> Period | None:
    """The next coarser period (``minute`` → ``hour`` → ``day``), or ``None`` after ``day``."""
    index = PERIODS.index(period)
    return PERIODS[index + 1] if index + 1 < len(PERIODS) else None


def truncate(moment: datetime, period: Period) -> datetime:
    """The start of the ``period`` that holds ``moment`` (UTC)."""
    if period == "day":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(second=0, microsecond=0)


def period_count(first: datetime, last: datetime, period: Period) -> int:
    """How many periods the span from ``first`` to ``last`` touches."""
    return (truncate(last, period) - truncate(first, period)) // _STEP[period] + 1


def iso_utc(moment: datetime) -> str:
    """``2015-05-17T10:00:00Z``: ISO 8601 in UTC with a ``Z``, as the JSON and CSV outputs write times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
