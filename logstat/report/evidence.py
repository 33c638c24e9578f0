"""Reading the evidence table: derived dimensions, top values, latency percentiles, busiest windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from logstat.tally.expand import capped, expand_evidence

__all__ = [
    "Percentiles",
    "Ranked",
    "Window",
    "busiest_window",
    "capped",
    "expand_evidence",
    "percentiles",
    "top_values",
]


@dataclass(frozen=True)
class Ranked:
    """One value of a drill-down dimension with its count and its share of the code's requests."""

    value: str
    count: int
    share: float
    distinct_queries: int = 0


@dataclass(frozen=True)
class Percentiles:
    """Latency percentiles in seconds (nearest rank, millisecond resolution)."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Window:
    """The busiest stretch of time for one code."""

    start: datetime
    minutes: int
    count: int
    times_average: float


def top_values(evidence: pl.DataFrame, *, total: dict[str, int], top: int) -> dict[tuple[str, str], list[Ranked]]:
    """The ``top`` most frequent values of every (status, dimension) of an evidence table.

    ``total`` maps each status to its number of requests, for the shares; paths also get
    their number of distinct query strings (from the ``uri`` rows).
    """
    if top <= 0:
        return {}  # polars' group_by().head(0) keeps a row of nulls per group
    ranked = (
        evidence.sort(["count", "value"], descending=[True, False])
        .group_by("status", "dim", maintain_order=True)
        .head(top)
    )
    queries = (
        evidence.filter(pl.col("dim") == "uri")
        .group_by("status", pl.col("value").str.replace(r"\?.*$", ""))
        .agg(pl.len().alias("queries"))
        .with_columns(dim=pl.lit("path"))
    )
    ranked = ranked.join(queries, on=["status", "dim", "value"], how="left", maintain_order="left")
    found: dict[tuple[str, str], list[Ranked]] = {}
    for status, dim, value, count, distinct in ranked.select("status", "dim", "value", "count", "queries").iter_rows():
        share = count / total[status] if total.get(status) else 0.0
        found.setdefault((status, dim), []).append(Ranked(value, count, share, distinct or 0))
    return found


def percentiles(values_ms: pl.DataFrame) -> Percentiles | None:
    """Nearest-rank percentiles from a (value in ms as text, count) table."""
    found = grouped_percentiles(values_ms.with_columns(_group=pl.lit("")), ["_group"])
    return found.get(("",))


def grouped_percentiles(values_ms: pl.DataFrame, keys: Sequence[str]) -> dict[tuple[str, ...], Percentiles]:
    """Nearest-rank percentiles per group of ``keys`` from a (keys..., value in ms as text, count) table.

    One query for every group: the p-th percentile is the smallest value whose cumulative
    count reaches ``ceil(p * total)`` (at least 1). Groups without a numeric value are left out.
    """
    group = list(keys)
    table = (
        values_ms.select(*group, pl.col("value").cast(pl.Int64, strict=False).alias("ms"), pl.col("count"))
        .drop_nulls()
        .group_by(*group, "ms")
        .agg(pl.col("count").sum())
        .sort(*group, "ms")
        .with_columns(_cum=pl.col("count").cum_sum().over(group), _total=pl.col("count").sum().over(group))
    )

    def rank(p: float) -> pl.Expr:
        # round() first: p * total carries float noise (0.95 * 20 = 19.000000000000004).
        needed = (pl.col("_total") * p).round(6).ceil().clip(lower_bound=1)
        return pl.col("ms").filter(pl.col("_cum") >= needed).min()

    stats = table.group_by(group).agg(
        pl.col("count").sum().alias("n"), rank(0.50).alias("p50"), rank(0.95).alias("p95"), rank(0.99).alias("p99"),
        pl.col("ms").max().alias("max"),
    )
    return {
        tuple(str(k) for k in row[: len(group)]): Percentiles(
            int(row[-5]), row[-4] / 1000, row[-3] / 1000, row[-2] / 1000, row[-1] / 1000
        )
        for row in stats.filter(pl.col("n") > 0).select(*group, "n", "p50", "p95", "p99", "max").iter_rows()
    }


def busiest_window(minutes: pl.DataFrame, raw: str, *, size: int = 5) -> Window | None:
    """The ``size``-minute window (aligned to UTC) with the most requests of status ``raw``."""
    return busiest_windows(minutes, [raw], size=size).get(raw)


def busiest_windows(minutes: pl.DataFrame, raws: Sequence[str], *, size: int = 5) -> dict[str, Window]:
    """:func:`busiest_window` of each status of ``raws`` that has requests, in one query.

    Ties go to the earliest window; the rate compares the window with the status's average
    over ``size``-minute windows from its first minute to its last.
    """
    rows = minutes.filter(pl.col("status").is_in(list(raws)))
    if rows.is_empty():
        return {}
    spans = rows.group_by("status").agg(
        pl.col("count").sum().alias("total"),
        pl.col("minute").min().alias("first"),
        pl.col("minute").max().alias("last"),
    )
    best = (
        rows.group_by("status", pl.col("minute").dt.truncate(f"{size}m").alias("start"))
        .agg(pl.col("count").sum())
        .sort(["status", "count", "start"], descending=[False, True, False])
        .group_by("status", maintain_order=True)
        .first()
        .join(spans, on="status")
    )
    found = {}
    for raw, start, count, total, first, last in best.select(
        "status", "start", "count", "total", "first", "last"
    ).iter_rows():
        span = 1.0
        if isinstance(first, datetime) and isinstance(last, datetime):
            span += (last - first) / timedelta(minutes=size)
        average = int(total) / span
        found[str(raw)] = Window(start, size, int(count), int(count) / average if average else 0.0)
    return found
