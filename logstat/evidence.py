"""Evidence from the log itself: what the error requests had in common, and how long requests took.

During the single pass over an input, every parsed line contributes a *count row*, and a line
with an error status (4xx/5xx, which includes nginx's 444 and 499) also contributes one row per
drill-down field: its request line, client, user agent and so on. Lines of formats with latency
fields contribute their time in milliseconds. These rows are counted by (status, dimension,
value), so memory grows with the number of distinct values, not with the number of lines.
Everything else here works on the small collected table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from logstat.formats import LogFormat
from logstat.reader import LineKind

COUNT_DIM = "_count"
"""The dimension name of the row that counts the line itself."""

ERROR_STATUS = r"^[45][0-9][0-9]$"

DIMENSIONS: dict[str, tuple[str, ...]] = {
    # Apache's "proxy" LogFormat behind a load balancer logs only X-Forwarded-For.
    "client": ("remote_addr", "http_x_forwarded_for", "http_x_real_ip"),
    "agent": ("http_user_agent",),
    "referer": ("http_referer",),
    "vhost": ("server_name", "host", "http_host"),
    "service": ("proxy_upstream_name",),
    "upstream": ("upstream_addr",),
    "upstream_status": ("upstream_status",),
}
"""Drill-down dimensions read straight from a field (the first field the format has)."""

REQUEST_DIMENSIONS = ("path", "uri", "odd_request")
"""Dimensions derived from ``$request``: the path without its query, the path with it (to count
distinct query strings), and the request line itself when it is not ``METHOD TARGET PROTOCOL``.
With a referer too, 404s also get ``link``: the referring page and the missing path.

The single pass only cuts the raw fields to size and counts them: the request line travels as
one ``request`` column, and a 404's referer carries the request line too (after
:data:`LINK`). :func:`expand_evidence` derives the dimensions above from the small counted
table. Every expression in the pass runs over every line, error or not, so work moved out
of it is work done once per distinct value instead of once per line."""

SHOWN_DIMENSIONS = ("path", "client", "agent", "vhost", "service", "referer", "upstream", "upstream_status")
"""Drill-down dimensions reports show, in this order (when the format has them)."""

LATENCY_FIELDS: dict[str, tuple[str, float]] = {
    "request_time": ("request_time", 1000.0),
    "request_time_ms": ("request_time", 1.0),
    "request_time_us": ("request_time", 0.001),
    "upstream_response_time": ("upstream_response_time", 1000.0),
}
"""Latency fields, the dimension each feeds (values counted in whole milliseconds), and the
factor from the field's unit to milliseconds."""

_REQUEST_LINE = r"^[A-Z][A-Z_-]* (\S+) [A-Z]+/[0-9.]+$"


def latency_fields(log_format: LogFormat) -> list[str]:
    """The latency fields this format carries (at most one per latency dimension)."""
    chosen: dict[str, str] = {}
    for field_name, (dim, _) in LATENCY_FIELDS.items():
        if field_name in log_format.fields and dim not in chosen:
            chosen[dim] = field_name
    return list(chosen.values())


def drill_fields(log_format: LogFormat) -> dict[str, str]:
    """Each drill-down dimension this format supports, and the field it comes from."""
    found = {dim: next((f for f in fields if f in log_format.fields), "") for dim, fields in DIMENSIONS.items()}
    mapping = {dim: field_name for dim, field_name in found.items() if field_name}
    if "request" in log_format.fields:
        mapping.update(dict.fromkeys(REQUEST_DIMENSIONS, "request"))
    return mapping


LINK = "\n"
"""Joins a 404's referer and its request line in one evidence value. A line break cannot
occur in a value, because lines are split at line breaks."""


VALUE_LIMIT = 300
"""Characters of a drill-down value that are kept (a user agent can be megabytes long)."""

REQUEST_LIMIT = 2 * VALUE_LIMIT
"""Characters of a request line the pass keeps: enough for the method and a target cut to
:data:`VALUE_LIMIT`. A longer line is judged by this much of it."""


def _cut(text: pl.Expr, limit: int = VALUE_LIMIT + 1) -> pl.Expr:
    """The pass keeps one character more than shown, so that a cut value can be marked later."""
    return text.str.slice(0, limit)


def _capped(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.len_chars() > VALUE_LIMIT).then(text.str.slice(0, VALUE_LIMIT) + "…").otherwise(text)


def _milliseconds(field_name: str) -> pl.Expr:
    """Total milliseconds of a latency field; several upstream values ("0.5, 0.012") add up."""
    factor = LATENCY_FIELDS[field_name][1]
    raw = pl.col(field_name)
    if field_name == "upstream_response_time":
        seconds = raw.str.extract_all(r"[0-9]+(?:\.[0-9]+)?").list.eval(pl.element().cast(pl.Float64)).list.sum()
        seconds = pl.when(raw.str.contains(r"[0-9]")).then(seconds)
    else:
        seconds = raw.cast(pl.Float64, strict=False)
    return (seconds * factor).round(0).cast(pl.Int64, strict=False).cast(pl.String)


def evidence_stages(log_format: LogFormat) -> list[dict[str, pl.Expr]]:
    """Column definitions, in stages, ending with one column per evidence dimension.

    Each stage may use the columns of the ones before it, and names starting with ``_`` are
    helpers, not dimensions. The drill-down fields come from a second regex that sees only
    error lines (the column it reads is null everywhere else, which costs next to nothing); it
    runs once, into a struct column, because every expression that repeated it would run it
    again.
    """
    parsed = pl.col("kind") == LineKind.PARSED
    is_error = parsed & pl.col("status").str.contains(ERROR_STATUS)
    mapping = drill_fields(log_format)
    captured: dict[str, pl.Expr] = {}
    derived: dict[str, pl.Expr] = {}
    dims: dict[str, pl.Expr] = {}
    if mapping:
        wanted = sorted(set(mapping.values()))
        captured["_evidence"] = pl.when(is_error).then(pl.col("line")).str.extract_groups(log_format.pattern(wanted))
        fields = pl.col("_evidence")
        for dim, field_name in mapping.items():
            if dim not in REQUEST_DIMENSIONS:
                derived[dim] = _cut(fields.struct.field(field_name))
        if "request" in wanted:
            derived["request"] = _cut(fields.struct.field("request"), REQUEST_LIMIT + 1)
    for field_name in latency_fields(log_format):
        dims[LATENCY_FIELDS[field_name][0]] = pl.when(parsed).then(_milliseconds(field_name))
    stages = [captured, derived, dims]
    if "request" in derived and "referer" in derived:
        # A 404's referer also names the request, so that expand_evidence can tell which
        # pages link to missing ones. Without a referring page there is no link: the value
        # stays "-", so that a scan of a million missing paths does not add a million values.
        referer = pl.col("referer")
        linking = (pl.col("status") == "404") & ~referer.is_in(["-", ""])
        stages.append({"referer": pl.when(linking).then(referer + LINK + pl.col("request")).otherwise(referer)})
    return [stage for stage in stages if stage]


def with_evidence_rows(lines: pl.LazyFrame, log_format: LogFormat, index: Sequence[str]) -> pl.LazyFrame:
    """Turn each line into its count row plus one row per evidence value it has.

    Adds ``dim`` (:data:`COUNT_DIM` on count rows) and ``value``; ``index`` columns are kept.
    """
    stages = evidence_stages(log_format)
    dims = list(dict.fromkeys(name for stage in stages for name in stage if not name.startswith("_")))
    if not dims:
        return lines.with_columns(dim=pl.lit(COUNT_DIM), value=pl.lit(None, pl.String))
    for stage in stages:
        lines = lines.with_columns(**stage)
    return (
        lines.with_columns(**{COUNT_DIM: pl.lit(None, pl.String)})
        .unpivot(index=list(index), on=[COUNT_DIM, *dims], variable_name="dim", value_name="value")
        .filter((pl.col("dim") == COUNT_DIM) | pl.col("value").is_not_null())
    )


# --------------------------------------------------------------------------- analysis


def _target(request: pl.Expr) -> pl.Expr:
    """The target of a ``METHOD TARGET PROTOCOL`` request line, capped; null for anything else.

    A line the pass cut at :data:`REQUEST_LIMIT` has lost its protocol, so only its start is
    checked.
    """
    whole = request.str.extract(_REQUEST_LINE, 1)
    cut = request.str.extract(r"^[A-Z][A-Z_-]* (\S+)", 1)
    return _capped(pl.when(request.str.len_chars() > REQUEST_LIMIT).then(cut).otherwise(whole))


def expand_evidence(evidence: pl.DataFrame) -> pl.DataFrame:
    """Derive the shown dimensions from a collected evidence table, and cap its values.

    ``request`` becomes ``path`` (query removed, counts added up), ``uri`` (targets with a
    query, one row each) and ``odd_request``; a 404's ``referer`` loses the request line it
    carries, which becomes ``link`` ("referer -> path") when there is a referring page.
    """
    keys = ["status", "dim", "value"]
    value = pl.col("value")
    requests = evidence.filter(pl.col("dim") == "request").with_columns(_target=_target(value))
    proper = pl.col("_target").is_not_null()
    referers = (
        evidence.filter(pl.col("dim") == "referer")
        .with_columns(_parts=value.str.split(LINK))
        .with_columns(
            _referer=pl.col("_parts").list.first(),
            _target=_target(pl.col("_parts").list.get(1, null_on_oob=True)),
        )
    )
    linked = pl.col("_target").is_not_null() & ~pl.col("_referer").is_in(["-", ""])
    path = pl.col("_target").str.replace(r"\?.*$", "")
    parts = [
        evidence.filter(~pl.col("dim").is_in(["request", "referer"])).with_columns(value=_capped(value)),
        requests.filter(proper).with_columns(dim=pl.lit("path"), value=path),
        requests.filter(proper & pl.col("_target").str.contains("?", literal=True)).with_columns(
            dim=pl.lit("uri"), value=pl.col("_target")
        ),
        requests.filter(~proper).with_columns(dim=pl.lit("odd_request"), value=value.str.slice(0, 120)),
        referers.with_columns(value=_capped(pl.col("_referer"))),
        referers.filter(linked).with_columns(dim=pl.lit("link"), value=_capped(pl.col("_referer")) + " -> " + path),
    ]
    combined = pl.concat(part.select(evidence.columns) for part in parts)
    return combined.group_by(keys).agg(pl.col("count").sum()).sort(keys)


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
