"""The Report: everything a renderer needs, built from the inputs in one pass per input."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from logstat import __version__
from logstat.aggregate import (
    COUNT_SCHEMA,
    apply_window,
    count_by_minute,
    count_by_status,
    count_lines,
    finish_counts,
    needed_fields,
    split_counts,
    time_range,
    totals,
    unparsed_lines,
)
from logstat.errors import InputError, NoParsableLinesError, UnknownFormatError
from logstat.evidence import (
    ERROR_STATUS,
    LATENCY_FIELDS,
    SHOWN_DIMENSIONS,
    Percentiles,
    Ranked,
    Window,
    busiest_window,
    expand_evidence,
    latency_fields,
    percentiles,
    top_values,
)
from logstat.findings import Finding, find
from logstat.formats import BUILTIN_FORMATS, UNDETECTED, LogFormat, detect_format, fit_prefix
from logstat.inputs import Input, decode_to_file
from logstat.reader import LineKind, blank_line, parse_lines, read_sample, scan_lines
from logstat.registry import (
    OTHER_CLASS,
    Explanation,
    Lang,
    Registry,
    class_name,
    load_registry,
    numeric_status,
)
from logstat.series import Period, series_dict
from logstat.window import TimeWindow

SCHEMA_VERSION = 1
"""Version of the JSON document; bumped whenever a key changes meaning or disappears."""

DEFAULT_TOP = 5
"""How many paths, clients, agents ... the drill-down shows per error code."""

SAMPLE_TEXT_LIMIT = 2000
"""Characters of an unparsed line that a report keeps (lines can be megabytes long)."""

SAMPLE_LIMIT = 20
"""How many unparsed lines a report keeps, over all inputs."""

OPEN_WINDOW = TimeWindow()

NO_LATENCY: dict[Lang, str] = {
    "en": "This log format has no latency field, so how long requests took is not shown. If the server "
    "already logs it after these fields (nginx $request_time, Apache %D), pass the server's format string "
    "with --log-format; otherwise add $request_time (and $upstream_response_time) to the nginx log_format, "
    "or %D to the Apache LogFormat.",
    "zh": "此日志格式不含耗时字段，因此无法显示请求耗时。如果服务器已在这些字段之后记录了耗时（nginx 的 "
    "$request_time、Apache 的 %D），请用 --log-format 传入服务器的格式字符串；否则请在 nginx 的 log_format "
    "中加入 $request_time（以及 $upstream_response_time），或在 Apache 的 LogFormat 中加入 %D。",
}

CLASS_ORDER = ("1xx", "2xx", "3xx", "4xx", "5xx", OTHER_CLASS)


@dataclass(frozen=True)
class Totals:
    """Line accounting: ``lines == parsed + filtered + unparsed + blank`` always holds."""

    lines: int
    parsed: int
    filtered: int
    unparsed: int
    blank: int


@dataclass(frozen=True)
class InputSummary:
    """One input, the format it was read with, and its own line accounting."""

    name: str
    log_format: LogFormat
    detected: bool
    totals: Totals
    note: str | None = None
    """What the reader should know about this input, e.g. that an archive was damaged."""


@dataclass(frozen=True)
class ClassRow:
    """Parsed requests in one status class."""

    name: str
    count: int
    share: float


@dataclass(frozen=True)
class CodeRow:
    """Parsed requests with one status value, and what the registry says about it."""

    raw: str
    count: int
    share: float
    first: datetime | None
    last: datetime | None

    @property
    def status(self) -> int | None:
        """The status as an integer, or ``None`` when the value is not a number."""
        return numeric_status(self.raw)

    @property
    def class_name(self) -> str:
        """``"4xx"`` and so on, or ``"other"`` for values outside 100-599."""
        return class_name(self.raw)


@dataclass(frozen=True)
class CodeEvidence:
    """What the requests with one error code had in common."""

    top: dict[str, list[Ranked]]
    """Most frequent values per drill-down dimension (see logstat.evidence.SHOWN_DIMENSIONS)."""
    window: Window | None
    """The busiest 5-minute window of this code."""


@dataclass(frozen=True)
class UnparsedSample:
    """A line that could not be parsed, where it is, and why."""

    file: str
    lineno: int
    reason: str
    text: str


@dataclass(frozen=True)
class Report:
    """A status report; renderers turn it into text, :meth:`to_dict` into data."""

    generated_at: datetime
    inputs: tuple[InputSummary, ...]
    totals: Totals
    first: datetime | None
    last: datetime | None
    by_class: tuple[ClassRow, ...]
    by_code: tuple[CodeRow, ...]
    unparsed_samples: tuple[UnparsedSample, ...]
    minutes: pl.DataFrame = field(repr=False, compare=False)
    """Parsed requests per (status, minute): columns ``status``, ``minute`` (UTC), ``count``."""
    registry: Registry = field(repr=False, compare=False)
    evidence_table: pl.DataFrame = field(repr=False, compare=False, default_factory=pl.DataFrame)
    """Evidence counts: columns ``status``, ``dim``, ``value``, ``count`` (see logstat.evidence)."""
    evidence: dict[str, CodeEvidence] = field(default_factory=dict)
    """Drill-down for each error code present (4xx and 5xx, including nginx's 444 and 499)."""
    latency_dims: tuple[str, ...] = ()
    """Latency in the log: ``request_time`` and/or ``upstream_response_time``; empty without them."""
    latency_by_code: dict[str, dict[str, Percentiles]] = field(default_factory=dict)
    latency_by_class: dict[str, dict[str, Percentiles]] = field(default_factory=dict)
    latency_overall: dict[str, Percentiles] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    top: int = DEFAULT_TOP
    window: TimeWindow = OPEN_WINDOW
    """The ``--since``/``--until`` window the counts are limited to (open: no limit)."""

    def explain(self, row: CodeRow, lang: Lang) -> tuple[str, Explanation, bool]:
        """Reason phrase, explanation and whether the code is registered, in ``lang``."""
        entry = self.registry.lookup(row.raw)
        if entry is not None:
            return entry.reason_in(lang), entry.text[lang], True
        cls = self.registry.class_of(row.raw)
        if cls.name == OTHER_CLASS:
            return cls.label[lang], Explanation(cls.meaning[lang], (), ()), False
        unregistered = {"en": "Unregistered code", "zh": "未注册的状态码"}[lang]
        meaning = {
            "en": f"Not in the IANA registry; clients treat it like {cls.name[0]}00. {cls.meaning[lang]}",
            "zh": f"未在 IANA 注册；客户端会按 {cls.name[0]}00 处理。{cls.meaning[lang]}",
        }[lang]
        return unregistered, Explanation(meaning, (), ()), False

    def to_dict(self, lang: Lang = "en", *, by: Period | None = None) -> dict[str, Any]:
        """The one serializable shape of a report (JSON is this, dumped); ``by`` adds ``series``."""
        formats = dict.fromkeys(i.log_format for i in self.inputs)
        only = next(iter(formats)) if len(formats) == 1 else None
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": {"name": "logstat", "version": __version__},
            "generated_at": _iso(self.generated_at),
            "lang": lang,
            "inputs": [
                {
                    "name": i.name,
                    "log_format": i.log_format.name,
                    "log_format_definition": i.log_format.definition,
                    "detected": i.detected,
                    "note": i.note,
                    **_totals_dict(i.totals),
                }
                for i in self.inputs
            ],
            "log_format": {
                "name": only.name if only else "mixed",
                "definition": only.definition if only else None,
                "detected": all(i.detected for i in self.inputs),
            },
            "time_range": {"first": _iso(self.first), "last": _iso(self.last)},
            "window": {"since": _iso(self.window.since), "until": _iso(self.window.until)},
            "totals": _totals_dict(self.totals),
            "by_class": [
                {
                    "class": row.name,
                    "label": self.registry.classes[row.name].label[lang],
                    "count": row.count,
                    "share": round(row.share, 6),
                }
                for row in self.by_class
            ],
            "by_code": [self._code_dict(row, lang) for row in self.by_code],
            "latency": self._latency_dict(lang),
            "findings": [
                {
                    "rule": f.rule,
                    "code": f.code,
                    "severity": f.severity,
                    "title": f.title[lang],
                    "detail": f.detail[lang],
                    "check": list(f.check[lang]),
                }
                for f in self.findings
            ],
            "unparsed_samples": [
                {"file": s.file, "line": s.lineno, "reason": s.reason, "text": s.text}
                for s in self.unparsed_samples
            ],
            **({"series": series_dict(self, by)} if by is not None else {}),
        }

    def _code_dict(self, row: CodeRow, lang: Lang) -> dict[str, Any]:
        reason, text, registered = self.explain(row, lang)
        entry = self.registry.lookup(row.raw)
        return {
            "status": row.status,
            "raw": row.raw,
            "class": row.class_name,
            "count": row.count,
            "share": round(row.share, 6),
            "registered": registered,
            "kind": entry.kind if entry else None,
            "reason": reason,
            "meaning": text.meaning,
            "causes": list(text.causes),
            "check": list(text.check),
            "first_seen": _iso(row.first),
            "last_seen": _iso(row.last),
            "latency": {dim: _percentiles_dict(p) for dim, p in self.latency_by_code.get(row.raw, {}).items()},
            "evidence": self._evidence_dict(row.raw),
        }

    def _evidence_dict(self, raw: str) -> dict[str, Any] | None:
        found = self.evidence.get(raw)
        if found is None:
            return None
        window = found.window
        return {
            "top": {
                dim: [
                    {"value": r.value, "count": r.count, "share": round(r.share, 6)}
                    | ({"distinct_queries": r.distinct_queries} if dim == "path" else {})
                    for r in ranked
                ]
                for dim, ranked in found.top.items()
                if ranked
            },
            "busiest_window": None
            if window is None
            else {
                "start": _iso(window.start),
                "minutes": window.minutes,
                "count": window.count,
                "times_average": round(window.times_average, 2),
            },
        }

    def _latency_dict(self, lang: Lang) -> dict[str, Any]:
        if not self.latency_dims:
            return {"fields": [], "note": NO_LATENCY[lang]}
        return {
            "fields": list(self.latency_dims),
            "unit": "seconds",
            "overall": {dim: _percentiles_dict(p) for dim, p in self.latency_overall.items()},
            "by_class": {
                cls: {dim: _percentiles_dict(p) for dim, p in dims.items()}
                for cls, dims in sorted(self.latency_by_class.items())
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _percentiles_dict(p: Percentiles) -> dict[str, float | int]:
    return {"count": p.count, "p50": p.p50, "p95": p.p95, "p99": p.p99, "max": p.max}


def _totals_dict(t: Totals) -> dict[str, int]:
    return {"lines": t.lines, "parsed": t.parsed, "filtered": t.filtered, "unparsed": t.unparsed, "blank": t.blank}


@dataclass(frozen=True)
class InputCounts:
    """The collected count table of one input, with the format it was read with."""

    source: Input
    log_format: LogFormat
    detected: bool
    counts: pl.DataFrame
    evidence: pl.DataFrame
    samples: tuple[UnparsedSample, ...]


def choose_format(source: Input, log_format: LogFormat | None) -> tuple[LogFormat, bool]:
    """The given format (after a collector's line prefix, if the lines have one), or the one detected."""
    sample = read_sample(source)
    if log_format is not None:
        return fit_prefix(log_format, sample), False
    if not sample:
        # An empty input has nothing to detect; any format reads it as zero lines.
        return BUILTIN_FORMATS["combined"], True
    try:
        return detect_format(sample).log_format, True
    except UnknownFormatError as exc:
        msg = f"{source.name}: {exc}"
        raise UnknownFormatError(msg) from None


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
    fmt, detected = choose_format(source, log_format)
    try:
        return _count(source, fmt, detected, sample_limit=sample_limit, window=window, with_evidence=with_evidence)
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
        return _count(decoded, fmt, detected, sample_limit=sample_limit, window=window, with_evidence=with_evidence)


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
        status=pl.lit(None, pl.String), minute=pl.lit(None), first=pl.lit(None), last=pl.lit(None)
    ).select(pl.col(name).cast(dtype) for name, dtype in COUNT_SCHEMA.items())
    reason = "no known log format matches this file"
    bad = lines.filter(pl.col("kind") == LineKind.UNPARSED).select("lineno", "line").head(sample_limit)
    samples = tuple(
        UnparsedSample(source.name, lineno, reason, _shorten(text or "", SAMPLE_TEXT_LIMIT))
        for lineno, text in bad.collect(engine="streaming").iter_rows()
    ) if sample_limit > 0 else ()
    note = f"{why.removeprefix(source.name + ': ')}; its lines are counted as unparsed"
    return InputCounts(replace(source, note=note), UNDETECTED, False, counts, _empty_evidence(), samples)


def _count(
    source: Input, fmt: LogFormat, detected: bool, *, sample_limit: int, window: TimeWindow, with_evidence: bool
) -> InputCounts:
    lines = apply_window(parse_lines(scan_lines(source), fmt, needed_fields(fmt)), fmt, window)
    grouped = count_lines(lines, fmt, with_evidence=with_evidence).collect(engine="streaming")
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
                fmt.explain_mismatch(text or "", needed_fields(fmt)),
                _shorten(text or "", SAMPLE_TEXT_LIMIT),
            )
            for lineno, text in bad.iter_rows()
        )
    return InputCounts(source, fmt, detected, counts, evidence, samples)


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
                with_evidence=top > 0,
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
    return assemble_report(_with_shared_formats(per_input), top=top, now=now, window=window)


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
    return [p if has_lines(p) or not p.detected else replace(p, log_format=common) for p in per_input]


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
        InputSummary(p.source.name, p.log_format, p.detected, Totals(**totals(p.counts)), p.source.note)
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
    latency_dims = tuple(dict.fromkeys(LATENCY_FIELDS[f][0] for p in per_input for f in latency_fields(p.log_format)))
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
        latency_by_class=_latency(evidence, _class_expr(), latency_dims),
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


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _class_expr() -> pl.Expr:
    digit = pl.col("status").str.slice(0, 1)
    is_http = pl.col("status").str.contains(r"^[1-5][0-9][0-9]$")
    return pl.when(is_http).then(digit + "xx").otherwise(pl.lit(OTHER_CLASS))


EVIDENCE_SCHEMA = {"status": pl.String, "dim": pl.String, "value": pl.String, "count": pl.UInt64}


def _empty_evidence() -> pl.DataFrame:
    return pl.DataFrame(schema=EVIDENCE_SCHEMA)


def _combine_evidence(tables: Sequence[pl.DataFrame]) -> pl.DataFrame:
    return expand_evidence(pl.concat([_empty_evidence(), *tables]))


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
