"""Counting inputs: choose each input's format, read it in one streaming pass, and keep its count tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from logstat.errors import InputError, UnknownFormatError
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
from logstat.tally.group import (
    COUNT_SCHEMA,
    count_lines,
    empty_evidence,
    finish_counts,
    needed_fields,
    read_with,
    split_counts,
    totals,
    unparsed_lines,
)
from logstat.timewindow import TimeWindow

SAMPLE_TEXT_LIMIT = 2000
"""Characters of an unparsed line that a report keeps (lines can be megabytes long)."""


SAMPLE_LIMIT = 20
"""How many unparsed lines a report keeps, over all inputs."""


OPEN_WINDOW = TimeWindow()


@dataclass(frozen=True)
class UnparsedSample:
    """A line that could not be parsed, where it is, and why."""

    file: str
    lineno: int
    reason: str
    text: str


@dataclass(frozen=True)
class InputCounts:
    """The collected count table of one input, with the format it was read with."""

    source: Input
    log_format: LogFormat
    detected: bool
    counts: pl.DataFrame
    evidence: pl.DataFrame
    samples: tuple[UnparsedSample, ...]
    reading: Reading | None = None
    """How the lines were read: ``log_format``, then the formats that read what it missed."""

    @property
    def read_with(self) -> tuple[tuple[LogFormat, int], ...]:
        """How many lines each format read, in the order they were tried (formats that read none left out)."""
        return read_with(self.counts, self.reading or Reading(self.log_format))


def count_input(
    source: Input,
    log_format: LogFormat | None,
    *,
    sample_limit: int,
    window: TimeWindow = OPEN_WINDOW,
    spool_dir: Path | None = None,
    with_evidence: bool = True,
) -> InputCounts:
    """Read one input in a single streaming pass and return its count table.

    When polars cannot decode a damaged gzip or zstd file, the input is decoded again in
    ``spool_dir`` keeping what precedes the damage (see :func:`decode_to_file`).
    """
    reading, detected = plan_reading(source, log_format)
    try:
        return _count(source, reading, detected, sample_limit=sample_limit, window=window, with_evidence=with_evidence)
    except pl.exceptions.ComputeError as exc:
        msg = f"{source.name}: cannot be read ({exc}); check that it is a text log"
        raise InputError(msg) from None
    except OSError as exc:
        if source.compression is None or spool_dir is None:
            # polars reports a file that shrank under it (logrotate's copytruncate) as
            # "failed to fill whole buffer", without the file's name.
            msg = (
                f"{source.name}: reading failed ({exc}); if the file was truncated or rotated "
                "while logstat read it, run logstat again, else check the disk"
            )
            raise InputError(msg) from None
        decoded = decode_to_file(source, spool_dir / f"recovered-{abs(hash(source.name))}")
        return _count(decoded, reading, detected, sample_limit=sample_limit, window=window, with_evidence=with_evidence)


def count_undetected(source: Input, why: str, *, sample_limit: int) -> InputCounts:
    """Count an input whose format could not be detected: every non-blank line is unparsed."""
    lines = scan_lines(source).with_columns(
        kind=pl.when(blank_line()).then(pl.lit(LineKind.BLANK, pl.UInt8)).otherwise(pl.lit(LineKind.UNPARSED, pl.UInt8))
    )
    grouped = (
        lines.group_by("kind")
        .agg(pl.len().alias("count"), pl.col("lineno").min().alias("first_lineno"))
        .collect(engine="streaming")
    )
    counts = grouped.with_columns(
        status=pl.lit(None, pl.String), minute=pl.lit(None), first=pl.lit(None), last=pl.lit(None),
        read_by=pl.lit(None, pl.UInt8),
    ).select(pl.col(name).cast(dtype) for name, dtype in COUNT_SCHEMA.items())
    reason = "no known log format matches this file"
    bad = lines.filter(pl.col("kind") == LineKind.UNPARSED).select("lineno", "line").head(sample_limit)
    samples = tuple(
        UnparsedSample(source.name, lineno, reason, shorten(text or "", SAMPLE_TEXT_LIMIT))
        for lineno, text in bad.collect(engine="streaming").iter_rows()
    ) if sample_limit > 0 else ()
    note = f"{why.removeprefix(source.name + ': ')}; its lines are counted as unparsed"
    return InputCounts(replace(source, note=note), UNDETECTED, False, counts, empty_evidence(), samples)


def _count(
    source: Input, reading: Reading, detected: bool, *, sample_limit: int, window: TimeWindow, with_evidence: bool
) -> InputCounts:
    fmt = reading.log_format
    parsed = parse_lines(scan_lines(source), reading, needed_fields(fmt), fields_of=needed_fields)
    lines = apply_window(parsed, fmt, window)
    grouped = count_lines(lines, reading, with_evidence=with_evidence).collect(engine="streaming")
    count_rows, evidence = split_counts(grouped)
    counts = finish_counts(count_rows)
    samples: tuple[UnparsedSample, ...] = ()
    unparsed = counts.filter(pl.col("kind") == LineKind.UNPARSED)
    if sample_limit > 0 and unparsed.height:
        start = int(unparsed["first_lineno"].min() or 1)  # type: ignore[arg-type]
        bad = unparsed_lines(lines, fmt, start=start, limit=sample_limit).collect(engine="streaming")
        samples = tuple(
            UnparsedSample(
                source.name,
                lineno,
                explain(fmt, text or "", needed_fields(fmt)),
                shorten(text or "", SAMPLE_TEXT_LIMIT),
            )
            for lineno, text in bad.iter_rows()
        )
    return InputCounts(source, fmt, detected, counts, evidence, samples, reading)


def count_inputs(
    inputs: Sequence[Input],
    *,
    log_format: LogFormat | None = None,
    window: TimeWindow = OPEN_WINDOW,
    spool_dir: Path | None = None,
    on_input: Callable[[Input], None] | None = None,
    with_evidence: bool = True,
) -> list[InputCounts]:
    """Read every input, in order, into its count tables (see :func:`build_report` for the parameters).

    An input whose format cannot be detected, in a run over several inputs, has every line
    counted as unparsed; when no input's format can be detected, the first one's error is raised.
    """
    per_input: list[InputCounts] = []
    undetected: list[UnknownFormatError] = []
    for source in inputs:
        if on_input is not None:
            on_input(source)
        remaining = SAMPLE_LIMIT - sum(len(p.samples) for p in per_input)
        try:
            counted = count_input(
                source,
                log_format,
                sample_limit=remaining,
                window=window,
                spool_dir=spool_dir,
                with_evidence=with_evidence,
            )
        except UnknownFormatError as exc:
            # One stray file in a glob (an error.log among access logs) should not stop the
            # report on the others; its lines are counted as unparsed and the report says so.
            if len(inputs) == 1:
                raise
            undetected.append(exc)
            counted = count_undetected(source, str(exc), sample_limit=remaining)
        per_input.append(counted)
    if undetected and len(undetected) == len(inputs):
        raise undetected[0]
    return _with_shared_formats(per_input)


def _with_shared_formats(per_input: list[InputCounts]) -> list[InputCounts]:
    """Give an input with no line to detect from (empty, or blank lines only) the others' format.

    Any format reads such an input the same way, and a log rotated a minute ago should not
    turn the report's format into "mixed".
    """

    def has_lines(counted: InputCounts) -> bool:
        return any(n for kind, n in totals(counted.counts).items() if kind not in ("lines", "blank"))

    formats = [p.log_format for p in per_input if has_lines(p)]
    if not formats:
        return per_input
    common = max(formats, key=lambda f: sum(g.name == f.name for g in formats))
    return [
        p if has_lines(p) or not p.detected else replace(p, log_format=common, reading=Reading(common))
        for p in per_input
    ]


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
