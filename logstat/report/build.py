"""Building the Report: a pure function of a tally, the registry and the options."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from logstat.errors import NoParsableLinesError
from logstat.formats import LogFormat
from logstat.formats.builtins import format_named
from logstat.registry import Lang, load_registry
from logstat.report.compare import Comparison
from logstat.report.evidence import Percentiles, busiest_windows, expand_evidence, grouped_percentiles, top_values
from logstat.report.findings import find
from logstat.report.model import (
    CLASS_ORDER,
    DEFAULT_TOP,
    ClassRow,
    CodeEvidence,
    CodeRow,
    InputSummary,
    Report,
    Totals,
)
from logstat.report.series import class_expr
from logstat.sources import Input
from logstat.tally.count import CountOptions
from logstat.tally.dimensions import ERROR_STATUS, LATENCY_FIELDS, SHOWN_DIMENSIONS, latency_fields
from logstat.tally.model import Tally, UnparsedSample
from logstat.tally.pieces import count_inputs
from logstat.tally.where import Condition
from logstat.timewindow import OPEN_WINDOW, TimeWindow

Counter = Callable[[Sequence[Input], LogFormat | None, CountOptions], Tally]
"""Counts inputs into a tally, as :func:`count_inputs` does (with a format, or detecting one)."""


def build_report(
    inputs: Sequence[Input],
    *,
    log_format: LogFormat | None = None,
    window: TimeWindow = OPEN_WINDOW,
    spool_dir: Path | None = None,
    on_input: Callable[[Input], None] | None = None,
    top: int = DEFAULT_TOP,
    now: datetime | None = None,
    split_by: str | None = None,
    where: Sequence[Condition] = (),
    count: Counter | None = None,
) -> Report:
    """Read every input and build the report: :func:`count_inputs`, then :func:`build`.

    Parameters
    ----------
    inputs
        The sources to read, in order.
    log_format
        Read every input with this format instead of detecting one per input.
    window
        Count only requests in this time window; the others are counted as filtered.
    spool_dir
        Where a damaged compressed input may be decoded again.
    on_input
        Called with each input just before it is read (for progress displays).
    top
        How many values each drill-down list keeps; 0 skips the drill-down and latency
        entirely (the evidence rows are then not counted at all, which is faster).
    now
        The report's generation time (tests pass a fixed one).
    split_by
        ``vhost``, ``service`` or ``file``: also a section of the report per value of that key.
    where
        ``--where`` conditions: the requests they do not keep are counted as filtered.
    count
        Counts the inputs instead of :func:`count_inputs` (a Dask cluster does, with
        :func:`logstat.cluster.cluster_counter`; the tally is the same).

    Raises
    ------
    NoParsableLinesError
        When the inputs hold non-blank lines but none of them parsed.
    """
    options = CountOptions(window=window, with_evidence=top > 0, split_by=split_by, where=tuple(where))
    if count is None:
        tally = count_inputs(inputs, log_format, options, spool_dir=spool_dir, on_input=on_input)
    else:
        tally = count(inputs, log_format, options)
    return build(tally, top=top, now=now, window=window, where=tuple(c.text for c in where))


def build(
    tally: Tally,
    *,
    top: int = DEFAULT_TOP,
    now: datetime | None = None,
    window: TimeWindow = OPEN_WINDOW,
    where: tuple[str, ...] = (),
    notes: tuple[dict[Lang, str], ...] = (),
    comparison: Comparison | None = None,
    require_parsed: bool = True,
) -> Report:
    """The report of ``tally``: the whole, then (when the tally is split) one section per split key.

    ``notes`` are said about the whole report; ``comparison`` (``--compare``) is added before the
    findings, which may then speak of it. ``require_parsed=False`` allows a tally whose lines
    all failed to parse (the new lines of a log whose format is already known).

    Raises
    ------
    NoParsableLinesError
        When the tally holds non-blank lines but none of them parsed (and ``require_parsed``).
    """
    generated = now or datetime.now(UTC)

    def part(piece: Tally, compared: Comparison | None = None) -> Report:
        return _report(piece, top=top, now=generated, window=window, require_parsed=require_parsed, comparison=compared)

    report = replace(part(tally.unsplit(), comparison), where=where, notes=notes)
    if tally.split_by is None:
        return report
    sections = tuple(replace(part(tally.only(key)), section=key) for key in tally.splits())
    return replace(report, split_by=tally.split_by, sections=sections)


def _summary(tally: Tally, name: str, log_format: LogFormat, detected: bool, note: str | None) -> InputSummary:
    """One input's summary: its format, line accounting, and how many lines each format read.

    The formats that read what the input's own format missed are built-ins (possibly after a
    collector's prefix) or the fallback, so their names are enough to find them again.
    """
    read = tally.lines.filter((pl.col("input") == name) & (pl.col("read_with") != ""))
    by_name = dict(read.group_by("read_with").agg(pl.col("count").sum()).iter_rows())
    others = sorted(
        (format_named(other, "", "nginx") for other in by_name if other != log_format.name),
        key=lambda fmt: (fmt.tolerant, -by_name[fmt.name], fmt.name),
    )
    read_with = tuple((fmt, int(by_name[fmt.name])) for fmt in (log_format, *others) if by_name.get(fmt.name))
    return InputSummary(name, log_format, detected, Totals(**tally.totals(name)), note, read_with)


def _report(
    tally: Tally,
    *,
    top: int,
    now: datetime,
    window: TimeWindow,
    require_parsed: bool = True,
    comparison: Comparison | None = None,
) -> Report:
    registry = load_registry()
    summaries = tuple(
        _summary(tally, name, format_named(log_format, definition, syntax), detected, note)
        for name, log_format, definition, syntax, detected, note in tally.inputs.select(
            "input", "log_format", "definition", "syntax", "detected", "note"
        ).iter_rows()
    )
    overall = Totals(**tally.totals())
    samples = tally.unparsed_samples()
    if require_parsed and overall.parsed + overall.filtered == 0 and overall.unparsed > 0:
        raise NoParsableLinesError(_nothing_parsed(summaries, samples, overall.unparsed))
    parsed = overall.parsed or 1
    by_code = tuple(
        CodeRow(raw, int(count), count / parsed, first, last)
        for raw, count, first, last in tally.by_status().iter_rows()
    )
    class_counts: dict[str, int] = {}
    for row in by_code:
        class_counts[row.class_name] = class_counts.get(row.class_name, 0) + row.count
    by_class = tuple(
        ClassRow(name, class_counts[name], class_counts[name] / parsed) for name in CLASS_ORDER if name in class_counts
    )
    minutes = tally.by_minute()
    first, last = tally.time_range()
    evidence, bounds = _evidence_table(tally)
    latency_dims = tuple(
        dict.fromkeys(
            LATENCY_FIELDS[f][0]
            for summary in summaries
            for fmt in (summary.log_format, *(each for each, _ in summary.read_with))
            for f in latency_fields(fmt)
        )
    )
    error_codes = [row for row in by_code if re.match(ERROR_STATUS, row.raw)]
    ranked = top_values(
        evidence.filter(pl.col("status").is_in([row.raw for row in error_codes])),
        total={row.raw: row.count for row in error_codes},
        top=top,
    )
    busiest = busiest_windows(minutes, [row.raw for row in error_codes])
    report = Report(
        generated_at=now,
        inputs=summaries,
        totals=overall,
        first=first,
        last=last,
        by_class=by_class,
        by_code=by_code,
        unparsed_samples=samples,
        minutes=minutes,
        registry=registry,
        evidence_table=evidence,
        evidence={
            row.raw: CodeEvidence(
                {dim: ranked.get((row.raw, dim), []) for dim in SHOWN_DIMENSIONS},
                busiest.get(row.raw),
                {dim: bounds[row.raw, dim] for dim in SHOWN_DIMENSIONS if (row.raw, dim) in bounds},
            )
            for row in error_codes
        },
        latency_dims=latency_dims,
        latency_by_code=_latency(evidence, pl.col("status"), latency_dims),
        latency_by_class=_latency(evidence, class_expr(pl.col("status")), latency_dims),
        latency_overall=_latency(evidence, pl.lit("all"), latency_dims).get("all", {}),
        top=top,
        window=window,
        comparison=comparison,
    )
    return replace(report, findings=find(report))


def _evidence_table(tally: Tally) -> tuple[pl.DataFrame, dict[tuple[str, str], int]]:
    """Evidence counts per (status, dim, value) over every split key and bucket, shown dimensions
    derived (see :func:`expand_evidence`), latencies as millisecond texts under their own dims;
    and the error bound of every summarized (status, dim) list (see :mod:`logstat.tally.summary`)."""
    keys = ["status", "dim", "value"]
    drill = tally.evidence.select(*keys, "count")
    latency = tally.latency.select("status", "dim", pl.col("ms").cast(pl.String).alias("value"), "count")
    summed = pl.concat([drill, latency]).group_by(keys).agg(pl.col("count").sum())
    expanded = expand_evidence(summed)
    bound = pl.col("value").is_null()
    bounds = {(str(status), str(dim)): int(count) for status, dim, _, count in expanded.filter(bound).iter_rows()}
    return expanded.filter(~bound), bounds


def _nothing_parsed(summaries: Sequence[InputSummary], samples: Sequence[UnparsedSample], unparsed: int) -> str:
    """The error for inputs of which no line parsed: where the first line fails, and what to do."""
    names = ", ".join(s.name for s in summaries)
    formats = ", ".join(dict.fromkeys(s.log_format.name for s in summaries))
    first = next(iter(samples), None)
    where = f" (line {first.lineno}: {first.reason})" if first else ""
    if all(s.detected for s in summaries):
        advice = "pass the server's own format string with --log-format"
    else:
        advice = "check that --log-format is the format these lines were written with"
    which = "its one line did not match" if unparsed == 1 else f"none of {unparsed:,} lines matched"
    return f"{names}: {which} the log format {formats}{where}; {advice}"


def _latency(evidence: pl.DataFrame, key: pl.Expr, dims: Sequence[str]) -> dict[str, dict[str, Percentiles]]:
    """Percentiles per group (``key`` over the evidence rows) and latency dimension, in a stable order."""
    rows = evidence.filter(pl.col("dim").is_in(list(dims))).select(key.alias("_key"), "dim", "value", "count")
    found = {(group, dim): stats for (group, dim), stats in grouped_percentiles(rows, ["_key", "dim"]).items()}
    groups = sorted({group for group, _ in found})
    return {group: {dim: found[group, dim] for dim in dims if (group, dim) in found} for group in groups}
