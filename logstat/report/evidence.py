"""Reading the evidence table: derived dimensions, top values, latency percentiles, busiest windows."""

from __future__ import annotations

import math
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
    table = (
        values_ms.select(pl.col("value").cast(pl.Int64, strict=False).alias("ms"), pl.col("count"))
        .drop_nulls()
        .group_by("ms")
        .agg(pl.col("count").sum())
        .sort("ms")
    )
    total = int(table["count"].sum()) if table.height else 0
    if total == 0:
        return None
    cumulative = table["count"].cum_sum()

    def rank(p: float) -> float:
        needed = max(1, math.ceil(round(p * total, 6)))
        position = int((cumulative >= needed).arg_true()[0])
        return int(table["ms"][position]) / 1000

    return Percentiles(total, rank(0.50), rank(0.95), rank(0.99), int(table["ms"][-1]) / 1000)


def busiest_window(minutes: pl.DataFrame, raw: str, *, size: int = 5) -> Window | None:
    """The ``size``-minute window (aligned to UTC) with the most requests of status ``raw``."""
    rows = minutes.filter(pl.col("status") == raw)
    if rows.is_empty():
        return None
    buckets = (
        rows.group_by(pl.col("minute").dt.truncate(f"{size}m").alias("start"))
        .agg(pl.col("count").sum())
        .sort(["count", "start"], descending=[True, False])
    )
    start, count = buckets.row(0)
    first, last = rows["minute"].min(), rows["minute"].max()
    span = 1.0
    if isinstance(first, datetime) and isinstance(last, datetime):
        span += (last - first) / timedelta(minutes=size)
    average = int(rows["count"].sum()) / span
    return Window(start, size, int(count), int(count) / average if average else 0.0)
