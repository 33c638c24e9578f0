"""Aggregations over parsed lines: pure functions from LazyFrame to LazyFrame (or small frames).

The heavy work is one ``group_by`` per input on (kind, status, minute). Everything the
report shows — totals, per-class and per-code counts, the time range — is derived from
that small table afterwards. Timestamps in nginx's ``$time_local`` form are not parsed per
line: lines are grouped by the raw minute text and its UTC offset, and only the distinct
minutes are parsed. Within one such group the raw texts differ only in the seconds, so
their string minimum and maximum are also the earliest and latest times.
"""

from __future__ import annotations

import polars as pl

from logstat.formats import LogFormat
from logstat.reader import LineKind

UTC = pl.Datetime("us", "UTC")

COUNT_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.UInt8(),
    "status": pl.String(),
    "minute": UTC,
    "first": UTC,
    "last": UTC,
    "count": pl.UInt64(),
    "first_lineno": pl.UInt64(),
}
"""Columns of the per-input count table that :func:`finish_counts` returns."""

_TIME_LOCAL = "%d/%b/%Y:%H:%M:%S %z"
_ISO8601 = "%Y-%m-%dT%H:%M:%S%.f%#z"
_MSEC_LIMIT = 253_402_300_800
"""Seconds from the epoch to 10000-01-01T00:00:00Z."""


def needed_fields(log_format: LogFormat) -> list[str]:
    """The fields the status report reads: the status and, when present, the time."""
    time_field = log_format.time_field
    return ["status"] if time_field is None else ["status", time_field]


def parse_time(column: str) -> pl.Expr:
    """Expression converting a raw time field to a UTC datetime (null when it does not parse)."""
    raw = pl.col(column)
    if column == "time_local":
        return raw.str.strptime(UTC, _TIME_LOCAL, strict=False)
    if column == "time_iso8601":
        return raw.str.strptime(UTC, _ISO8601, strict=False)
    seconds = raw.cast(pl.Float64, strict=False)
    # Past year 9999 the value is no server's clock (and Python's datetime cannot hold it).
    seconds = pl.when(seconds < _MSEC_LIMIT).then(seconds)
    return (seconds * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def count_lines(lines: pl.LazyFrame, log_format: LogFormat) -> pl.LazyFrame:
    """Group parsed lines by kind, status and minute; count them and keep first/last times."""
    time_field = log_format.time_field
    keys: list[pl.Expr] = [pl.col("kind"), pl.col("status")]
    aggs: list[pl.Expr] = [pl.len().alias("count"), pl.col("lineno").min().alias("first_lineno")]
    if time_field == "time_local":
        raw = pl.col("time_local")
        keys += [raw.str.slice(0, 17).alias("minute_text"), raw.str.slice(21, 5).alias("offset")]
        aggs += [raw.min().alias("first_text"), raw.max().alias("last_text")]
    elif time_field is not None:
        when = parse_time(time_field)
        keys.append(when.dt.truncate("1m").alias("minute"))
        aggs += [when.min().alias("first"), when.max().alias("last")]
    return lines.group_by(keys).agg(aggs)


def finish_counts(counts: pl.DataFrame) -> pl.DataFrame:
    """Bring a collected :func:`count_lines` table to :data:`COUNT_SCHEMA`.

    Parsed lines whose timestamp does not convert become unparsed here, so a bad time
    never sneaks into the time range.
    """
    if "minute_text" in counts.columns:
        counts = counts.with_columns(
            minute=(pl.col("minute_text") + ":00 " + pl.col("offset")).str.strptime(
                UTC, _TIME_LOCAL, strict=False
            ),
            first=pl.col("first_text").str.strptime(UTC, _TIME_LOCAL, strict=False),
            last=pl.col("last_text").str.strptime(UTC, _TIME_LOCAL, strict=False),
            has_time=pl.lit(value=True),
        )
    elif "minute" in counts.columns:
        counts = counts.with_columns(has_time=pl.lit(value=True))
    else:
        counts = counts.with_columns(
            minute=pl.lit(None, UTC), first=pl.lit(None, UTC), last=pl.lit(None, UTC),
            has_time=pl.lit(value=False),
        )
    bad_time = (
        (pl.col("kind") == LineKind.PARSED) & pl.col("has_time") & pl.col("minute").is_null()
    )
    counts = counts.with_columns(
        kind=pl.when(bad_time).then(pl.lit(LineKind.UNPARSED, pl.UInt8)).otherwise("kind"),
        status=pl.when(bad_time).then(None).otherwise("status"),
    )
    return (
        counts.select(
            pl.col(name).cast(dtype) for name, dtype in COUNT_SCHEMA.items()
        )
        .group_by("kind", "status", "minute")
        .agg(
            pl.col("first").min(),
            pl.col("last").max(),
            pl.col("count").sum(),
            pl.col("first_lineno").min(),
        )
        .select(COUNT_SCHEMA.keys())
        .sort("kind", "status", "minute", nulls_last=True)
    )


def totals(counts: pl.DataFrame) -> dict[str, int]:
    """Lines, parsed, unparsed and blank, from a count table."""
    by_kind = dict(counts.group_by("kind").agg(pl.col("count").sum()).iter_rows())
    parsed = int(by_kind.get(LineKind.PARSED, 0))
    unparsed = int(by_kind.get(LineKind.UNPARSED, 0))
    blank = int(by_kind.get(LineKind.BLANK, 0))
    return {"lines": parsed + unparsed + blank, "parsed": parsed, "unparsed": unparsed, "blank": blank}


def count_by_status(counts: pl.DataFrame) -> pl.DataFrame:
    """Parsed lines per raw status value, most frequent first (ties by status text)."""
    return (
        counts.filter(pl.col("kind") == LineKind.PARSED)
        .group_by("status")
        .agg(pl.col("count").sum(), pl.col("first").min(), pl.col("last").max())
        .sort(["count", "status"], descending=[True, False])
    )


def time_range(counts: pl.DataFrame) -> tuple[object, object]:
    """Earliest and latest parsed request time (``None`` when the format has no time)."""
    parsed = counts.filter(pl.col("kind") == LineKind.PARSED)
    return parsed["first"].min(), parsed["last"].max()


def unparsed_lines(lines: pl.LazyFrame, log_format: LogFormat, *, start: int, limit: int) -> pl.LazyFrame:
    """The first ``limit`` unparsed lines from line ``start`` on (lineno, line).

    A line whose timestamp does not convert is unparsed too, as in :func:`finish_counts`.
    """
    bad = pl.col("kind") == LineKind.UNPARSED
    time_field = log_format.time_field
    if time_field is not None:
        bad = bad | ((pl.col("kind") == LineKind.PARSED) & parse_time(time_field).is_null())
    return lines.filter(pl.col("lineno") >= start).filter(bad).select("lineno", "line").head(limit)


def count_by_minute(counts: pl.DataFrame) -> pl.DataFrame:
    """Parsed requests per status and UTC minute (lines without a time are left out)."""
    return (
        counts.filter((pl.col("kind") == LineKind.PARSED) & pl.col("minute").is_not_null())
        .group_by("status", "minute")
        .agg(pl.col("count").sum())
        .sort("minute", "status")
    )
