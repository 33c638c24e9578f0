"""The Report: everything a renderer needs, and its one serializable shape (:meth:`Report.to_dict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from logstat import __version__
from logstat.formats import LogFormat
from logstat.periods import Period
from logstat.registry import OTHER_CLASS, Explanation, Lang, Registry, class_name, numeric_status
from logstat.report.compare import Change, Comparison, changes
from logstat.report.evidence import Percentiles, Ranked, Window
from logstat.report.series import series_dict
from logstat.tally.model import UnparsedSample
from logstat.timewindow import OPEN_WINDOW, TimeWindow

SCHEMA_VERSION = 1
"""Version of the JSON document; bumped whenever a key changes meaning or disappears."""


DEFAULT_TOP = 5
"""How many paths, clients, agents ... the drill-down shows per error code."""


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
class Finding:
    """One diagnosis: what it is, the numbers behind it, and what to check."""

    rule: str
    code: str | None
    severity: str
    title: dict[Lang, str]
    detail: dict[Lang, str]
    check: dict[Lang, tuple[str, ...]]


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
    split_by: str | None = None
    """With ``--split``: what :attr:`sections` are split by (``vhost``, ``service``, ``file``)."""
    sections: tuple[Report, ...] = ()
    """With ``--split``: one report per split key, most requests first."""
    section: str | None = None
    """In a section: its split key (the virtual host, the service, the file)."""
    notes: tuple[dict[Lang, str], ...] = ()
    """What the reader should know about the report as a whole (e.g. a window rounded to what a store keeps)."""
    comparison: Comparison | None = None
    """With ``--compare``: the previous period's counts, or why there are none."""

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
            "generated_at": iso(self.generated_at),
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
            "time_range": {"first": iso(self.first), "last": iso(self.last)},
            "window": {"since": iso(self.window.since), "until": iso(self.window.until)},
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
            **({"series": series_dict(self.minutes, by, self.first, self.last)} if by is not None else {}),
            "notes": [note[lang] for note in self.notes],
            **(
                {
                    "split_by": self.split_by,
                    "splits": [{"key": s.section, **s.to_dict(lang, by=by)} for s in self.sections],
                }
                if self.split_by is not None
                else {}
            ),
            **({"compare": self._compare_dict(lang)} if self.comparison is not None else {}),
        }

    def changes(self) -> list[Change]:
        """With ``--compare`` and history: each class and code in both periods (see :func:`changes`)."""
        if self.comparison is None:
            return []
        return changes(
            self.comparison,
            self.totals.parsed,
            {row.name: row.count for row in self.by_class},
            {row.raw: row.count for row in self.by_code},
        )

    def _compare_dict(self, lang: Lang) -> dict[str, Any]:
        found = self.comparison
        assert found is not None
        rows = self.changes()

        def entries(kind: str) -> list[dict[str, Any]]:
            return [
                {
                    kind: row.key,
                    "count": row.count,
                    "share": round(row.share, 6),
                    "previous_count": row.previous_count,
                    "previous_share": round(row.previous_share, 6),
                    "share_change": round(row.share_change, 6),
                    "ratio": None if row.ratio is None else round(row.ratio, 4),
                }
                for row in rows
                if row.kind == kind
            ]

        return {
            "period": found.period,
            "previous": {"since": iso(found.window.since), "until": iso(found.window.until)},
            "history": found.history,
            "note": found.note[lang] if found.note else None,
            "previous_totals": {"parsed": found.parsed} if found.history else None,
            "by_class": entries("class"),
            "by_code": entries("code"),
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
            "first_seen": iso(row.first),
            "last_seen": iso(row.last),
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
                "start": iso(window.start),
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


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in UTC with a ``Z``, or ``None``."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _percentiles_dict(p: Percentiles) -> dict[str, float | int]:
    return {"count": p.count, "p50": p.p50, "p95": p.p95, "p99": p.p99, "max": p.max}


def _totals_dict(t: Totals) -> dict[str, int]:
    return {"lines": t.lines, "parsed": t.parsed, "filtered": t.filtered, "unparsed": t.unparsed, "blank": t.blank}
