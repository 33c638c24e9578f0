"""Counting inputs into a tally: choose each input's format, read it in one streaming pass, keep its counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import polars as pl

from logstat.errors import InputError, UsageError
from logstat.formats import UNDETECTED, LogFormat
from logstat.parse import (
    REQUEST_LINE,
    LineKind,
    Reading,
    apply_window,
    blank_line,
    explain,
    parse_lines,
    parse_time,
    plan_reading,
    scan_lines,
)
from logstat.sources import Input, decode_to_file
from logstat.tally.dimensions import DIMENSIONS, LATENCY_FIELDS, VALUE_LIMIT
from logstat.tally.group import count_lines, finish_counts, needed_fields, split_counts, unparsed_lines
from logstat.tally.model import SAMPLE_LIMIT, SAMPLE_TEXT_LIMIT, Tally, UnparsedSample
from logstat.tally.summary import EVIDENCE_CAP
from logstat.tally.where import Condition, apply_where, where_fields
from logstat.timewindow import OPEN_WINDOW, TimeWindow

SPLITS = ("vhost", "service", "file")
"""What ``--split`` accepts: a field of the log (the virtual host, the ingress-nginx service), or the input file."""

LATENCY_DIMS = tuple(dict.fromkeys(dim for dim, _ in LATENCY_FIELDS.values()))
"""The evidence dimensions that carry a latency in milliseconds (kept in the tally's ``latency`` table)."""


@dataclass(frozen=True)
class CountOptions:
    """What to count besides every line's status and minute."""

    window: TimeWindow = OPEN_WINDOW
    """Requests outside it are counted as filtered."""
    with_evidence: bool = True
    """Count the drill-down values of error requests and the latencies (``--top 0`` turns it off)."""
    split_by: str | None = None
    """One of :data:`SPLITS`: every count, evidence and latency row also carries this key."""
    sample_limit: int = SAMPLE_LIMIT
    """How many unparsed lines to keep."""
    evidence_cap: int = EVIDENCE_CAP
    """Most values per drill-down list before it is summarized (see :mod:`logstat.tally.summary`)."""
    evidence_bucket: timedelta | None = None
    """Also key evidence and latency by the UTC time bucket of this size (buckets start at
    multiples of it since the epoch); then the evidence of a line whose time does not convert
    (an unparsed line) is left out, and a format without a time has a null bucket (all time).
    None (one-shot reports): no bucket, no extra cost."""
    where: tuple[Condition, ...] = ()
    """``--where`` conditions: parsed requests they do not keep are counted as filtered."""


def split_field(log_format: LogFormat, split_by: str | None) -> str | None:
    """The field of ``log_format`` that ``--split split_by`` reads, or None (no split, or by file).

    Raises
    ------
    UsageError
        When the format has no such field.
    """
    if split_by is None or split_by == "file":
        return None
    field = next((f for f in DIMENSIONS[split_by] if f in log_format.fields), None)
    if field is None:
        what = {"vhost": "a virtual host ($host, $server_name, Apache %v)", "service": "an ingress-nginx service"}
        msg = f"--split {split_by} needs {what[split_by]} in the log, and format {log_format.name!r} has none"
        raise UsageError(msg)
    return field


def count_input(
    source: Input,
    log_format: LogFormat | None = None,
    options: CountOptions = CountOptions(),
    *,
    ordinal: int = 0,
    spool_dir: Path | None = None,
    planned: tuple[Reading, bool] | None = None,
) -> Tally:
    """Read one input in a single streaming pass and return its tally.

    When polars cannot decode a damaged gzip or zstd file, the input is decoded again in
    ``spool_dir`` keeping what precedes the damage (see :func:`decode_to_file`). ``planned``
    is a reading already planned (:func:`~logstat.parse.plan_reading`) for earlier lines of
    the same log, and whether it was detected: the live view plans once, not every second.
    """
    reading, detected = planned or plan_reading(source, log_format)
    return count_with(source, reading, detected, options, ordinal=ordinal, spool_dir=spool_dir)


def count_with(
    source: Input,
    reading: Reading,
    detected: bool,
    options: CountOptions = CountOptions(),
    *,
    ordinal: int = 0,
    spool_dir: Path | None = None,
    data: bytes | None = None,
) -> Tally:
    """The tally of ``source`` read as ``reading`` says (planned already: see :func:`plan_reading`).

    With ``data``, those bytes (a piece of the input cut at line ends) are counted instead,
    their lines numbered from 1.
    """
    try:
        return _count(source, reading, detected, options, ordinal, data)
    except pl.exceptions.ComputeError as exc:
        msg = f"{source.name}: cannot be read ({exc}); check that it is a text log"
        raise InputError(msg) from None
    except OSError as exc:
        if source.url is not None:
            from logstat.sources.remote import storage_error

            raise storage_error(source, exc) from None
        if source.compression is None or spool_dir is None or data is not None:
            # polars reports a file that shrank under it (logrotate's copytruncate) as
            # "failed to fill whole buffer", without the file's name.
            msg = (
                f"{source.name}: reading failed ({exc}); if the file was truncated or rotated "
                "while logstat read it, run logstat again, else check the disk"
            )
            raise InputError(msg) from None
        decoded = decode_to_file(source, spool_dir / f"recovered-{ordinal}")
        return _count(decoded, reading, detected, options, ordinal)


def count_undetected(source: Input, why: str, options: CountOptions = CountOptions(), *, ordinal: int = 0) -> Tally:
    """Count an input whose format could not be detected: every non-blank line is unparsed."""
    lines = scan_lines(source).with_columns(
        kind=pl.when(blank_line()).then(pl.lit(LineKind.BLANK, pl.UInt8)).otherwise(pl.lit(LineKind.UNPARSED, pl.UInt8))
    )
    per_kind = lines.group_by("kind").agg(pl.len().alias("count")).collect(engine="streaming")
    samples: list[UnparsedSample] = []
    if options.sample_limit > 0:
        reason = "no known log format matches this file"
        bad = lines.filter(pl.col("kind") == LineKind.UNPARSED).select("lineno", "line").head(options.sample_limit)
        samples = [
            UnparsedSample(source.name, lineno, reason, shorten(text or "", SAMPLE_TEXT_LIMIT))
            for lineno, text in bad.collect(engine="streaming").iter_rows()
        ]
    note = f"{why.removeprefix(source.name + ': ')}; its lines are counted as unparsed"
    per_kind = per_kind.with_columns(read_by=pl.lit(None, pl.UInt8))
    noted = replace(source, note=note)
    return _tally(noted, Reading(UNDETECTED), False, options, ordinal, per_kind, None, None, samples)


def _count(
    source: Input, reading: Reading, detected: bool, options: CountOptions, ordinal: int, data: bytes | None = None
) -> Tally:
    fmt = reading.log_format
    field = split_field(fmt, options.split_by)
    extra = [*([field] if field else []), *where_fields(fmt, options.where)]

    def fields_of(each: LogFormat) -> list[str]:
        # The split and --where fields are the input's format's; the others read them where they have them.
        return list(dict.fromkeys([*needed_fields(each), *(f for f in extra if f in each.fields)]))

    parsed_lines = parse_lines(scan_lines(source, data), reading, fields_of(fmt), fields_of=fields_of)
    lines = apply_window(parsed_lines, fmt, options.window)
    lines = apply_where(lines, fmt, options.where)
    split = None if field is None else pl.col(field).str.slice(0, VALUE_LIMIT)
    bucket = options.evidence_bucket
    grouped = count_lines(lines, reading, with_evidence=options.with_evidence, split=split, bucket=bucket)
    count_rows, evidence = split_counts(grouped.collect(engine="streaming"), bucket)
    counts = finish_counts(count_rows)
    samples: list[UnparsedSample] = []
    unparsed = counts.filter(pl.col("kind") == LineKind.UNPARSED)
    if options.sample_limit > 0 and unparsed.height:
        start = int(unparsed["first_lineno"].min() or 1)  # type: ignore[arg-type]
        bad = unparsed_lines(lines, fmt, start=start, limit=options.sample_limit).collect(engine="streaming")
        samples = [
            UnparsedSample(
                source.name,
                lineno,
                explain(fmt, text or "", needed_fields(fmt)),
                shorten(text or "", SAMPLE_TEXT_LIMIT),
            )
            for lineno, text in bad.iter_rows()
        ]
    per_kind = counts.group_by("kind", "read_by").agg(pl.col("count").sum())
    parsed = counts.filter(pl.col("kind") == LineKind.PARSED)
    return _tally(source, reading, detected, options, ordinal, per_kind, parsed, evidence, samples)


def _tally(
    source: Input,
    reading: Reading,
    detected: bool,
    options: CountOptions,
    ordinal: int,
    per_kind: pl.DataFrame,
    parsed: pl.DataFrame | None,
    evidence: pl.DataFrame | None,
    samples: Sequence[UnparsedSample],
) -> Tally:
    """The tally of one input from its collected count tables (``per_kind``: lines per kind and ``read_by``)."""
    fmt = reading.log_format
    name = pl.lit(source.name)
    read = pl.col("kind").is_in([LineKind.PARSED, LineKind.FILTERED])
    names = {k: each.name for k, each in enumerate(reading.formats)}
    read_with = pl.col("read_by").replace_strict(names, default="", return_dtype=pl.String)
    lines = per_kind.with_columns(input=name, read_with=pl.when(read).then(read_with).otherwise(pl.lit("")))
    lines = lines.group_by("input", "kind", "read_with").agg(pl.col("count").sum())
    inputs = pl.DataFrame(
        [{"input": source.name, "ordinal": ordinal, "log_format": fmt.name, "definition": fmt.definition,
          "syntax": fmt.syntax, "detected": detected, "note": source.note}]
    )
    tables: dict[str, pl.DataFrame] = {"inputs": inputs, "lines": lines}
    if parsed is not None:
        tables["counts"] = parsed
    if evidence is not None:
        if options.evidence_bucket is not None and fmt.time_field is not None:
            # Without a bucket, the line's time did not convert: it is counted as unparsed.
            evidence = evidence.filter(pl.col("bucket").is_not_null())
        is_latency = pl.col("dim").is_in(LATENCY_DIMS)
        tables["evidence"] = evidence.filter(~is_latency)
        tables["latency"] = evidence.filter(is_latency).with_columns(ms=pl.col("value").cast(pl.Int64))
    if options.split_by == "file":
        for key in ("counts", "evidence", "latency"):
            if key in tables:
                tables[key] = tables[key].with_columns(split=name)
    if samples:
        rows = [(ordinal, s.file, s.lineno, s.reason, s.text) for s in samples]
        tables["samples"] = pl.DataFrame(rows, schema=["ordinal", "input", "lineno", "reason", "text"], orient="row")
    return Tally.of(options.split_by, sample_limit=options.sample_limit, evidence_cap=options.evidence_cap, **tables)


def with_shared_formats(tally: Tally) -> Tally:
    """Give a detected input with no line to detect from (empty, or blank lines only) the others' format.

    Any format reads such an input the same way, and a log rotated a minute ago should not
    turn the report's format into "mixed".
    """
    nonblank = tally.lines.filter(pl.col("kind") != LineKind.BLANK).group_by("input").agg(pl.col("count").sum())
    has_lines = tally.inputs["input"].is_in(nonblank.filter(pl.col("count") > 0)["input"].implode())
    with_lines = tally.inputs.filter(has_lines)
    if with_lines.is_empty() or with_lines.height == tally.inputs.height:
        return tally
    common = (
        with_lines.group_by("log_format", "definition", "syntax")
        .agg(pl.len().alias("n"), pl.col("ordinal").min())
        .sort(["n", "ordinal"], descending=[True, False])
        .row(0, named=True)
    )
    borrow = ~has_lines & pl.col("detected")
    inputs = tally.inputs.with_columns(
        pl.when(borrow).then(pl.lit(common[key])).otherwise(pl.col(key)).alias(key)
        for key in ("log_format", "definition", "syntax")
    )
    return replace(tally, inputs=inputs)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with ``…`` where it was cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def read_lines(source: Input, log_format: LogFormat | None = None) -> pl.DataFrame:
    """Every line of ``source`` as the report reads it, one row each, for inspection and tests.

    Columns: ``lineno``, ``kind`` (``parsed``, ``unparsed`` or ``blank``), and for a parsed
    line its ``status``, UTC ``time``, the format that read it (``read_by``), its ``client``
    and the ``path`` of its request (without the query). This collects the whole input in
    memory: the report itself never does.
    """
    reading, _ = plan_reading(source, log_format)

    def wanted(fmt: LogFormat) -> list[str]:
        extra = [f for f in ("remote_addr", "http_x_forwarded_for", "request") if f in fmt.fields]
        return list(dict.fromkeys([*needed_fields(fmt), *extra]))

    union = list(dict.fromkeys(f for fmt in reading.formats for f in wanted(fmt)))
    lines = parse_lines(scan_lines(source), reading, union, fields_of=wanted)
    names = {k: fmt.name for k, fmt in enumerate(reading.formats)}
    parsed = pl.col("kind") == LineKind.PARSED
    client = [pl.col(f) for f in ("remote_addr", "http_x_forwarded_for") if f in union]
    request = pl.col("request") if "request" in union else pl.lit(None, pl.String)
    frame = lines.with_columns(_time=parse_time(reading.log_format)).collect()
    return frame.select(
        "lineno",
        kind=pl.col("kind").replace_strict({int(k): k.name.lower() for k in LineKind}, return_dtype=pl.String),
        status=pl.when(parsed).then(pl.col("status")),
        time=pl.when(parsed).then(pl.col("_time")),
        read_by=pl.when(parsed).then(pl.col("read_by").replace_strict(names, return_dtype=pl.String)),
        client=pl.when(parsed).then(pl.coalesce(client) if client else pl.lit(None, pl.String)),
        path=pl.when(parsed).then(request.str.extract(REQUEST_LINE, 1).str.replace(r"\?.*$", "")),
    )
