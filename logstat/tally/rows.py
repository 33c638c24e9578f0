"""Evidence rows: during the single pass over an input, every parsed line contributes a *count
row*, and a line with an error status (4xx/5xx, which includes nginx's 444 and 499) also
contributes one row per drill-down field: its request line, client, user agent and so on. Lines
of formats with latency fields contribute their time in milliseconds. These rows are counted by
(status, dimension, value), so memory grows with the number of distinct values, not with the
number of lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from logstat.formats import LogFormat
from logstat.parse import LineKind, Reading, chain_fields
from logstat.tally.dimensions import (
    COUNT_DIM,
    ERROR_STATUS,
    LATENCY_FIELDS,
    LINK,
    REQUEST_DIMENSIONS,
    REQUEST_LIMIT,
    VALUE_LIMIT,
    drill_fields,
    latency_fields,
)


def _cut(text: pl.Expr, limit: int = VALUE_LIMIT + 1) -> pl.Expr:
    """The pass keeps one character more than shown, so that a cut value can be marked later."""
    return text.str.slice(0, limit)


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


def evidence_stages(log_format: LogFormat | Reading) -> list[dict[str, pl.Expr]]:
    """Column definitions, in stages, ending with one column per evidence dimension.

    Each stage may use the columns of the ones before it, and names starting with ``_`` are
    helpers, not dimensions. The drill-down fields come from a second regex that sees only
    error lines (the column it reads is null everywhere else, which costs next to nothing); it
    runs once, into a struct column, because every expression that repeated it would run it
    again. With a :class:`Reading` of several formats, each error line is read again by the
    format that read it (the others in one masked column), and each dimension takes the value
    of whichever format has it.
    """
    reading = log_format if isinstance(log_format, Reading) else Reading(log_format)
    formats = reading.formats
    parsed = pl.col("kind") == LineKind.PARSED
    is_error = parsed & pl.col("status").str.contains(ERROR_STATUS)
    mappings = [drill_fields(fmt) for fmt in formats]
    captured: dict[str, pl.Expr] = {}
    derived: dict[str, pl.Expr] = {}
    dims: dict[str, pl.Expr] = {}
    if any(mappings):
        wanted = {fmt.name: sorted(set(m.values())) for fmt, m in zip(formats, mappings, strict=True)}
        # The first format's regex also sees the error lines the others read: it does not match
        # them (they missed its status), and one mask fewer is cheaper on every line.
        stage = chain_fields(
            reading,
            pl.col("line"),
            lambda fmt: wanted[fmt.name],
            primary=is_error,
            rest=is_error & (pl.col("read_by") > 0),
            name="_evidence",
        )
        captured.update(stage.columns)
        names = list(dict.fromkeys(dim for m in mappings for dim in m))
        by_format = dict(zip((f.name for f in formats), mappings, strict=True))

        def field_for(dim: str) -> Callable[[LogFormat], str | None]:
            return lambda fmt: by_format[fmt.name].get(dim)

        for dim in names:
            if dim not in REQUEST_DIMENSIONS:
                derived[dim] = _cut(stage.coalesced(field_for(dim)))
        if any("request" in m.values() for m in mappings):
            request = stage.coalesced(lambda fmt: "request" if "request" in fmt.fields else None)
            derived["request"] = _cut(request, REQUEST_LIMIT + 1)
    latency: dict[str, list[str]] = {}
    for fmt in formats:
        for field_name in latency_fields(fmt):
            latency.setdefault(LATENCY_FIELDS[field_name][0], [])
            if field_name not in latency[LATENCY_FIELDS[field_name][0]]:
                latency[LATENCY_FIELDS[field_name][0]].append(field_name)
    for dim, field_names in latency.items():
        values = [_milliseconds(f) for f in field_names]
        dims[dim] = pl.when(parsed).then(values[0] if len(values) == 1 else pl.coalesce(values))
    stages = [captured, derived, dims]
    if "request" in derived and "referer" in derived:
        # A 404's referer also names the request, so that expand_evidence can tell which
        # pages link to missing ones. Without a referring page there is no link: the value
        # stays "-", so that a scan of a million missing paths does not add a million values.
        referer = pl.col("referer")
        linking = (pl.col("status") == "404") & ~referer.is_in(["-", ""])
        stages.append({"referer": pl.when(linking).then(referer + LINK + pl.col("request")).otherwise(referer)})
    return [stage for stage in stages if stage]


def with_evidence_rows(lines: pl.LazyFrame, log_format: LogFormat | Reading, index: Sequence[str]) -> pl.LazyFrame:
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
