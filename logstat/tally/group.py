"""Grouping parsed lines into count tables: pure functions from LazyFrame to LazyFrame (or small frames).

The heavy work is one ``group_by`` per input on (kind, status, minute). Everything the
report shows — totals, per-class and per-code counts, the time range — is derived from
that small table afterwards. Timestamps in nginx's ``$time_local`` form are not parsed per
line: lines are grouped by the raw minute text and its UTC offset, and only the distinct
minutes are parsed. Within one such group the raw texts differ only in the seconds, so
the smallest and largest second give the earliest and latest times (kept as small numbers:
the group-by holds one state per group, and a scan of distinct paths makes many groups)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from logstat.formats import LogFormat
from logstat.parse import TIME_LOCAL_FORMAT, UTC, LineKind, Reading, parse_time, plausible
from logstat.tally.dimensions import COUNT_DIM, latency_fields
from logstat.tally.rows import with_evidence_rows

COUNT_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.UInt8(),
    "status": pl.String(),
    "minute": UTC,
    "first": UTC,
    "last": UTC,
    "count": pl.UInt64(),
    "first_lineno": pl.UInt64(),
    "read_by": pl.UInt8(),
}
"""Columns of the per-input count table that :func:`finish_counts` returns (and ``split``, when counted)."""


def needed_fields(log_format: LogFormat) -> list[str]:
    """The fields the report reads on every line: status, time and latency, where present."""
    time_field = log_format.time_field
    return ["status", *([time_field] if time_field else []), *latency_fields(log_format)]


def count_lines(
    lines: pl.LazyFrame,
    log_format: LogFormat | Reading,
    *,
    with_evidence: bool = False,
    split: pl.Expr | None = None,
    bucket: timedelta | None = None,
) -> pl.LazyFrame:
    """Group lines by kind, status, minute and the format that read them; count them and keep first/last times.

    Lines parsed without a :class:`Reading` have no ``read_by`` column: the first format read them all.

    ``split`` adds one more key to the same group-by (a field such as the virtual host), so a
    report per split costs a group key, not a second pass.

    With ``with_evidence``, the same group-by also counts the evidence rows of
    :func:`logstat.evidence.with_evidence_rows` by (status, dim, value); split the collected
    result with :func:`split_counts`. With ``bucket`` too (and a time in the format), evidence
    rows are also keyed by a time from which :func:`split_counts` takes the UTC bucket's start.
    """
    reading = log_format if isinstance(log_format, Reading) else Reading(log_format)
    if not isinstance(log_format, Reading):
        lines = lines.with_columns(read_by=pl.lit(0, pl.UInt8))
    log_format = reading.log_format
    time_field = log_format.time_field
    index = ["kind", "status", "lineno", "read_by"]
    if split is not None:
        lines = lines.with_columns(split=split)
        index.append("split")
    if time_field == "time_local":
        index.append("time_local")
    elif time_field is not None:
        lines = lines.with_columns(_time=parse_time(log_format))
        index.append("_time")
    if with_evidence:
        lines = with_evidence_rows(lines, reading, index)
    else:
        lines = lines.with_columns(dim=pl.lit(COUNT_DIM), value=pl.lit(None, pl.String))
    keys: list[pl.Expr] = [pl.col("kind"), pl.col("status"), pl.col("read_by"), pl.col("dim"), pl.col("value")]
    if split is not None:
        keys.append(pl.col("split"))
    aggs: list[pl.Expr] = [pl.len().alias("count"), pl.col("lineno").min().alias("first_lineno")]
    if time_field is not None:
        # Evidence rows carry no minute: they are counted per (status, dim, value), and per
        # time bucket only when one is asked for. The masked time is a column of its own, so
        # the keys and aggregations below share it.
        source = "time_local" if time_field == "time_local" else "_time"
        lines = lines.with_columns(_when=pl.when(pl.col("dim") == COUNT_DIM).then(pl.col(source)))
        if with_evidence and bucket is not None:
            keys.append(_bucket_key(pl.when(pl.col("dim") != COUNT_DIM).then(pl.col(source)), time_field, bucket))
        when = pl.col("_when")
        if time_field == "time_local":
            keys += [when.str.slice(0, 17).alias("minute_text"), when.str.slice(21, 5).alias("offset")]
            second = _seconds(when)
            aggs += [second.min().alias("first_second"), second.max().alias("last_second")]
        else:
            keys.append(when.dt.truncate("1m").alias("minute"))
            aggs += [when.min().alias("first"), when.max().alias("last")]
    return lines.group_by(keys).agg(aggs)


def _bucket_key(when: pl.Expr, time_field: str, bucket: timedelta) -> pl.Expr:
    """The time an evidence row is bucketed by, as coarse as the bucket allows (fewer groups).

    A ``$time_local`` text is cut to its hour when the bucket is whole hours and the UTC offset
    whole hours too (``+0530`` moves hour boundaries), else to its minute; a parsed time is
    truncated to the bucket.
    """
    if time_field != "time_local":
        return when.dt.truncate(_every(bucket)).alias("_bucket")
    minute = when.str.slice(0, 17) + ":00" + when.str.slice(20)
    if bucket % timedelta(hours=1):
        return minute.alias("_bucket")
    hour = when.str.slice(0, 14) + ":00:00" + when.str.slice(20)
    return pl.when(when.str.slice(24, 2) == "00").then(hour).otherwise(minute).alias("_bucket")


def _every(bucket: timedelta) -> str:
    """``bucket`` as a polars duration (whole seconds); buckets start at multiples of it since the epoch."""
    return f"{int(bucket.total_seconds())}s"


def split_counts(collected: pl.DataFrame, bucket: timedelta | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a collected :func:`count_lines` result into count rows and evidence.

    The evidence table has columns ``split``, ``bucket``, ``status``, ``dim``, ``value``, ``count``;
    ``bucket`` is the start of the UTC time bucket with ``bucket`` (see :func:`count_lines`), and
    null without it, or for a line whose time does not convert.
    """
    split = pl.col("split") if "split" in collected.columns else pl.lit(None, pl.String).alias("split")
    start = pl.lit(None, UTC)
    if bucket is not None and "_bucket" in collected.columns:
        start = pl.col("_bucket")
        if collected.schema["_bucket"] == pl.String:
            start = plausible(start.str.strptime(UTC, TIME_LOCAL_FORMAT, strict=False))
        start = start.dt.truncate(_every(bucket))
    is_count = pl.col("dim") == COUNT_DIM
    evidence = (
        collected.filter(~is_count)
        .group_by(split, start.alias("bucket"), "status", "dim", "value")
        .agg(pl.col("count").sum().cast(pl.UInt64))
    )
    counts = collected.filter(is_count).drop("dim", "value", *(["_bucket"] if "_bucket" in collected.columns else []))
    return counts, evidence


def _seconds(time_local: pl.Expr) -> pl.Expr:
    return time_local.str.slice(18, 2).cast(pl.UInt8)


def finish_counts(counts: pl.DataFrame) -> pl.DataFrame:
    """Bring a collected :func:`count_lines` table to :data:`COUNT_SCHEMA`.

    Evidence rows, if any, are dropped (see :func:`split_counts`).

    Parsed lines whose timestamp does not convert become unparsed here, so a bad time
    never sneaks into the time range. Only parsed lines keep their status.
    """
    if "dim" in counts.columns:
        counts = split_counts(counts)[0]
    schema = {**COUNT_SCHEMA, "split": pl.String()} if "split" in counts.columns else COUNT_SCHEMA
    keys = [key for key in ("kind", "split", "status", "minute", "read_by") if key in schema]
    if "minute_text" in counts.columns:
        # Only the minute is converted; the first and last times differ from it by their
        # seconds (a leap second, :60, is the next minute's :00).
        minute = (pl.col("minute_text") + ":00 " + pl.col("offset")).str.strptime(UTC, TIME_LOCAL_FORMAT, strict=False)
        counts = counts.with_columns(minute=plausible(minute), has_time=pl.lit(value=True)).with_columns(
            first=pl.col("minute") + pl.duration(seconds=pl.col("first_second")),
            last=pl.col("minute") + pl.duration(seconds=pl.col("last_second")),
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
        kind=pl.when(bad_time).then(pl.lit(LineKind.UNPARSED, pl.UInt8)).otherwise("kind")
    ).with_columns(
        *(pl.when(pl.col("kind") == LineKind.PARSED).then(pl.col(key)).alias(key) for key in keys[1:-2]),
        read_by=pl.when(pl.col("kind").is_in([LineKind.PARSED, LineKind.FILTERED])).then("read_by"),
    )
    return (
        counts.select(
            pl.col(name).cast(dtype) for name, dtype in schema.items()
        )
        .group_by(keys)
        .agg(
            pl.col("first").min(),
            pl.col("last").max(),
            pl.col("count").sum(),
            pl.col("first_lineno").min(),
        )
        .select(schema.keys())
        .sort(keys, nulls_last=True)
    )


def totals(counts: pl.DataFrame) -> dict[str, int]:
    """Lines, parsed, filtered, unparsed and blank, from a count table."""
    by_kind = dict(counts.group_by("kind").agg(pl.col("count").sum()).iter_rows())
    numbers = {kind.name.lower(): int(by_kind.get(kind, 0)) for kind in LineKind}
    return {"lines": sum(numbers.values()), **numbers}


def unparsed_lines(lines: pl.LazyFrame, log_format: LogFormat, *, start: int, limit: int) -> pl.LazyFrame:
    """The first ``limit`` unparsed lines from line ``start`` on (lineno, line).

    A line whose timestamp does not convert is unparsed too, as in :func:`finish_counts`.
    """
    bad = pl.col("kind") == LineKind.UNPARSED
    time_field = log_format.time_field
    if time_field is not None:
        bad = bad | ((pl.col("kind") == LineKind.PARSED) & parse_time(log_format).is_null())
    return lines.filter(pl.col("lineno") >= start).filter(bad).select("lineno", "line").head(limit)
