"""Requests over time: the per-minute counts of a report, bucketed into minutes, hours or days.

The series is a long ("tidy") table with one row per (period, status) and explicit zero
rows for periods without requests, so a chart drawn from it never bridges a gap. Every
count comes from ``Report.minutes``, so the series sums to the parsed requests that carry
a time (all parsed requests, for every format with a time field)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from logstat.errors import UsageError
from logstat.periods import _STEP, Period, coarser, iso_utc, period_count, truncate
from logstat.registry import OTHER_CLASS, numeric_status

UTC = pl.Datetime("us", "UTC")


SERIES_SCHEMA: dict[str, pl.DataType] = {
    "period_start": UTC,
    "status": pl.String(),
    "class": pl.String(),
    "count": pl.UInt64(),
}
"""Columns of :func:`build_series`: period start (UTC), status as logged, its class, requests."""


CLASS_SERIES_SCHEMA: dict[str, pl.DataType] = {
    "period_start": UTC,
    "class": pl.String(),
    "count": pl.UInt64(),
}
"""Columns of :func:`class_series`."""


MAX_PERIODS = 100_000
"""Most periods a series may span (69 days of minutes); more is almost surely a mistake."""


_INTERVAL: dict[Period, str] = {"minute": "1m", "hour": "1h", "day": "1d"}


def class_expr(status: pl.Expr) -> pl.Expr:
    """Polars version of :func:`logstat.registry.class_name`: ``"4xx"`` for ``"404"``, else ``"other"``."""
    is_http = status.str.contains(r"^[1-5][0-9][0-9]$").fill_null(value=False)
    return pl.when(is_http).then(status.str.slice(0, 1) + pl.lit("xx")).otherwise(pl.lit(OTHER_CLASS))


def _bounds(
    minutes: pl.DataFrame, first: datetime | None, last: datetime | None
) -> tuple[datetime, datetime] | None:
    """The earliest and latest time of the data, widened to ``first``/``last`` when given."""
    if minutes.is_empty():
        return None
    low: datetime = minutes["minute"].min()  # type: ignore[assignment]
    high: datetime = minutes["minute"].max()  # type: ignore[assignment]
    if first is not None:
        low = min(low, first)
    if last is not None:
        high = max(high, last)
    return low, high


def _periods(low: datetime, high: datetime, period: Period) -> pl.DataFrame:
    """Every period start from ``low`` to ``high``, as a one-column frame."""
    count = period_count(low, high, period)
    if count > MAX_PERIODS:
        better = coarser(period) or "day"
        msg = (
            f"a series per {period} over this log needs {count:,} periods (the limit is {MAX_PERIODS:,}); "
            f"use --by {better}"
        )
        raise UsageError(msg)
    starts = pl.datetime_range(
        truncate(low, period), truncate(high, period), _INTERVAL[period],
        time_unit="us", time_zone="UTC", eager=True,
    )
    return pl.DataFrame({"period_start": starts})


def build_series(
    minutes: pl.DataFrame,
    period: Period,
    first: datetime | None = None,
    last: datetime | None = None,
) -> pl.DataFrame:
    """Requests per period and status, zero rows included (:data:`SERIES_SCHEMA`).

    Parameters
    ----------
    minutes
        ``Report.minutes``: columns ``status``, ``minute`` (UTC), ``count``.
    period
        The bucket size.
    first, last
        The report's time range; the series covers it even where ``minutes`` has no rows.

    Returns
    -------
    polars.DataFrame
        One row for every period from the first to the last, crossed with every status in
        ``minutes``; sorted by ``period_start`` then ``status``. ``count`` sums to
        ``minutes["count"].sum()``.

    Raises
    ------
    UsageError
        When the span holds more than :data:`MAX_PERIODS` periods.
    """
    bounds = _bounds(minutes, first, last)
    if bounds is None:
        return pl.DataFrame(schema=SERIES_SCHEMA)
    counted = minutes.group_by(
        pl.col("minute").dt.truncate(_INTERVAL[period]).alias("period_start"), "status"
    ).agg(pl.col("count").sum())
    statuses = minutes.select(pl.col("status").unique())
    grid = _periods(*bounds, period).join(statuses, how="cross")
    return (
        grid.join(counted, on=["period_start", "status"], how="left")
        .with_columns(pl.col("count").fill_null(0), class_expr(pl.col("status")).alias("class"))
        .select(pl.col(name).cast(dtype) for name, dtype in SERIES_SCHEMA.items())
        .sort("period_start", "status")
    )


def class_series(
    minutes: pl.DataFrame,
    period: Period,
    first: datetime | None = None,
    last: datetime | None = None,
) -> pl.DataFrame:
    """Requests per period and status class (:data:`CLASS_SERIES_SCHEMA`), for charts.

    Every period crossed with every class present in the data, zeros included, sorted by
    ``period_start`` then class (``1xx`` … ``5xx``, ``other`` last).
    """
    series = build_series(minutes, period, first, last)
    return (
        series.group_by("period_start", "class")
        .agg(pl.col("count").sum())
        .select(pl.col(name).cast(dtype) for name, dtype in CLASS_SERIES_SCHEMA.items())
        .sort("period_start", "class")
    )


def series_records(
    minutes: pl.DataFrame, period: Period, first: datetime | None, last: datetime | None
) -> list[dict[str, Any]]:
    """The series of a report's ``minutes`` over ``first``..``last`` as JSON-ready rows.

    Each row has ``period_start`` (ISO 8601 UTC, ``Z``), ``status`` (the code as an
    integer, ``null`` when the logged value is not a number, as in ``by_code``), ``raw``
    (the value as logged), ``class`` and ``count``.
    """
    frame = build_series(minutes, period, first, last)
    return [
        {
            "period_start": iso_utc(start),
            "status": numeric_status(raw),
            "raw": raw,
            "class": cls,
            "count": int(count),
        }
        for start, raw, cls, count in frame.iter_rows()
    ]


def series_dict(
    minutes: pl.DataFrame, period: Period, first: datetime | None, last: datetime | None
) -> dict[str, Any]:
    """The proposed ``"series"`` value of the JSON report: period, its length and the rows."""
    return {
        "period": period,
        "period_seconds": int(_STEP[period].total_seconds()),
        "rows": series_records(minutes, period, first, last),
    }
