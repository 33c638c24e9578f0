"""Building the Report from count tables: pure functions of the counts, the registry and the options."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from logstat.errors import NoParsableLinesError
from logstat.formats import LogFormat
from logstat.registry import load_registry
from logstat.report.evidence import Percentiles, busiest_window, expand_evidence, percentiles, top_values
from logstat.report.findings import find
from logstat.report.model import CLASS_ORDER, DEFAULT_TOP, ClassRow, CodeEvidence, CodeRow, InputSummary, Report, Totals
from logstat.report.series import class_expr
from logstat.sources import Input
from logstat.tally.count import OPEN_WINDOW, InputCounts, count_inputs
from logstat.tally.dimensions import ERROR_STATUS, LATENCY_FIELDS, SHOWN_DIMENSIONS, latency_fields
from logstat.tally.group import COUNT_SCHEMA, count_by_minute, count_by_status, empty_evidence, time_range, totals
from logstat.timewindow import TimeWindow


def build_report(
    inputs: Sequence[Input],
    *,
    log_format: LogFormat | None = None,
    window: TimeWindow = OPEN_WINDOW,
    spool_dir: Path | None = None,
    on_input: Callable[[Input], None] | None = None,
    top: int = DEFAULT_TOP,
    now: datetime | None = None,
) -> Report:
    """Read every input and build the report.

    Parameters
    ----------
    inputs
        The sources to read, in order.
    log_format
        Read every input with this format instead of detecting one per input.
    window
        Count only requests in this time window; the others are counted as filtered.
    spool_dir
        Where a damaged compressed input may be decoded again (see :func:`count_input`).
    on_input
        Called with each input just before it is read (for progress displays).
    top
        How many values each drill-down list keeps; 0 skips the drill-down and latency
        entirely (the evidence rows are then not counted at all, which is faster).
    now
        The report's generation time (tests pass a fixed one).

    Raises
    ------
    NoParsableLinesError
        When the inputs hold non-blank lines but none of them parsed.
    """
    per_input = count_inputs(
        inputs, log_format=log_format, window=window, spool_dir=spool_dir, on_input=on_input, with_evidence=top > 0
    )
    return assemble_report(per_input, top=top, now=now, window=window)


def assemble_report(
    per_input: Sequence[InputCounts],
    *,
    top: int = DEFAULT_TOP,
    now: datetime | None = None,
    window: TimeWindow = OPEN_WINDOW,
) -> Report:
    """Combine per-input count tables into one :class:`Report` (counted within ``window``)."""
    registry = load_registry()
    summaries = tuple(
        InputSummary(p.source.name, p.log_format, p.detected, Totals(**totals(p.counts)), p.source.note, p.read_with)
        for p in per_input
    )
    combined = pl.concat([p.counts for p in per_input]) if per_input else _empty_counts()
    overall = Totals(**totals(combined))
    if overall.parsed + overall.filtered == 0 and overall.unparsed > 0:
        raise NoParsableLinesError(_nothing_parsed(per_input, summaries, overall.unparsed))
    statuses = count_by_status(combined)
    parsed = overall.parsed or 1
    by_code = tuple(
        CodeRow(raw, int(count), count / parsed, first, last)
        for raw, count, first, last in statuses.iter_rows()
    )
    class_counts: dict[str, int] = {}
    for row in by_code:
        class_counts[row.class_name] = class_counts.get(row.class_name, 0) + row.count
    by_class = tuple(
        ClassRow(name, class_counts[name], class_counts[name] / parsed)
        for name in CLASS_ORDER
        if name in class_counts
    )
    first, last = time_range(combined)
    minutes = count_by_minute(combined)
    evidence = _combine_evidence([p.evidence for p in per_input])
    latency_dims = tuple(
        dict.fromkeys(
            LATENCY_FIELDS[f][0]
            for p in per_input
            for fmt in (p.reading.formats if p.reading else (p.log_format,))
            for f in latency_fields(fmt)
        )
    )
    by_code_latency = _latency(evidence, pl.col("status"), latency_dims)
    error_codes = [row for row in by_code if re.match(ERROR_STATUS, row.raw)]
    ranked = top_values(
        evidence.filter(pl.col("status").is_in([row.raw for row in error_codes])),
        total={row.raw: row.count for row in error_codes},
        top=top,
    )
    report = Report(
        generated_at=now or datetime.now(UTC),
        inputs=summaries,
        totals=overall,
        first=first,  # type: ignore[arg-type]
        last=last,  # type: ignore[arg-type]
        by_class=by_class,
        by_code=by_code,
        unparsed_samples=tuple(s for p in per_input for s in p.samples),
        minutes=minutes,
        registry=registry,
        evidence_table=evidence,
        evidence={
            row.raw: CodeEvidence(
                {dim: ranked.get((row.raw, dim), []) for dim in SHOWN_DIMENSIONS},
                busiest_window(minutes, row.raw),
            )
            for row in error_codes
        },
        latency_dims=latency_dims,
        latency_by_code=by_code_latency,
        latency_by_class=_latency(evidence, class_expr(pl.col("status")), latency_dims),
        latency_overall=_latency(evidence, pl.lit("all"), latency_dims).get("all", {}),
        top=top,
        window=window,
    )
    return replace(report, findings=find(report))


def _nothing_parsed(per_input: Sequence[InputCounts], summaries: Sequence[InputSummary], unparsed: int) -> str:
    """The error for inputs of which no line parsed: where the first line fails, and what to do."""
    names = ", ".join(s.name for s in summaries)
    formats = ", ".join(dict.fromkeys(s.log_format.name for s in summaries))
    first = next((sample for p in per_input for sample in p.samples), None)
    where = f" (line {first.lineno}: {first.reason})" if first else ""
    if all(s.detected for s in summaries):
        advice = "pass the server's own format string with --log-format"
    else:
        advice = "check that --log-format is the format these lines were written with"
    which = "its one line did not match" if unparsed == 1 else f"none of {unparsed:,} lines matched"
    return f"{names}: {which} the log format {formats}{where}; {advice}"


def _combine_evidence(tables: Sequence[pl.DataFrame]) -> pl.DataFrame:
    return expand_evidence(pl.concat([empty_evidence(), *tables]))


def _latency(evidence: pl.DataFrame, key: pl.Expr, dims: Sequence[str]) -> dict[str, dict[str, Percentiles]]:
    """Percentiles per group (``key`` over the evidence rows) and latency dimension, in a stable order."""
    found: dict[tuple[str, str], Percentiles] = {}
    rows = evidence.filter(pl.col("dim").is_in(list(dims))).with_columns(key.alias("_key"))
    for (group, dim), part in rows.group_by("_key", "dim"):
        stats = percentiles(part.select("value", "count"))
        if stats is not None:
            found[str(group), str(dim)] = stats
    groups = sorted({group for group, _ in found})
    return {group: {dim: found[group, dim] for dim in dims if (group, dim) in found} for group in groups}


def _empty_counts() -> pl.DataFrame:
    return pl.DataFrame(schema=COUNT_SCHEMA)
