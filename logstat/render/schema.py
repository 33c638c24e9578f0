"""The report as data: the JSON document, whose keys and types do not depend on the log.

Every object has the same keys for every input: lists of records instead of objects keyed by
data (a dashboard or DuckDB infers one schema for every file), all status classes present with
zero counts, statuses as integers with the logged text beside them, times as ISO 8601 UTC.
``docs/outputs.md`` documents every key; :data:`SCHEMA_VERSION` changes when one changes meaning
or disappears.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from logstat import __version__
from logstat.periods import Period
from logstat.registry import OTHER_CLASS, Lang, numeric_status
from logstat.report.evidence import Percentiles
from logstat.report.model import CLASS_ORDER, NO_LATENCY, CodeRow, Finding, Report, Totals
from logstat.report.series import series_dict

SCHEMA_VERSION = 2
"""Version of the JSON document. 2: latency, evidence and findings as lists of records, every
class present, findings with machine-readable fields, ``splits``."""


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in UTC with a ``Z``, or ``None``."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def report_dict(report: Report, lang: Lang = "en", *, by: Period | None = None) -> dict[str, Any]:
    """The JSON document of ``report``; ``by`` adds ``series``, per that period."""
    formats = dict.fromkeys(i.log_format for i in report.inputs)
    only = next(iter(formats)) if len(formats) == 1 else None
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "logstat", "version": __version__},
        "generated_at": iso(report.generated_at),
        "lang": lang,
        "inputs": [
            {
                "name": i.name,
                "log_format": i.log_format.name,
                "log_format_definition": i.log_format.definition,
                "detected": i.detected,
                "note": i.note,
                **_totals(i.totals),
                "read_with": [{"format": fmt.name, "fallback": fmt.tolerant, "lines": n} for fmt, n in i.read_with],
                "fallback_lines": i.fallback_lines,
            }
            for i in report.inputs
        ],
        "log_format": {
            "name": only.name if only else "mixed",
            "definition": only.definition if only else None,
            "detected": all(i.detected for i in report.inputs),
        },
        "time_range": {"first": iso(report.first), "last": iso(report.last)},
        "window": {"since": iso(report.window.since), "until": iso(report.window.until)},
        **_counts(report, lang),
        "unparsed_samples": [
            {"file": s.file, "line": s.lineno, "reason": s.reason, "text": s.text} for s in report.unparsed_samples
        ],
        "split_by": report.split_by,
        "splits": [{"key": section.section, **_counts(section, lang)} for section in report.sections],
        "notes": [note[lang] for note in report.notes],
        "compare": compare_dict(report, lang),
        **({"series": series_dict(report.minutes, by, report.first, report.last)} if by is not None else {}),
    }


def _counts(report: Report, lang: Lang) -> dict[str, Any]:
    """What the whole report and each split section have: totals, classes, codes, latency, findings."""
    return {
        "totals": _totals(report.totals),
        "by_class": class_rows(report, lang),
        "by_code": [code_row(report, row, lang) for row in report.by_code],
        "latency": _latency(report, lang),
        "findings": [_finding(f, lang) for f in report.findings],
    }


def compare_dict(report: Report, lang: Lang) -> dict[str, Any] | None:
    """With ``--compare``: the previous period, whether the store holds it, and each class and
    code in both periods (empty lists without history); None without ``--compare``."""
    found = report.comparison
    if found is None:
        return None
    rows = report.changes()

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


def class_rows(report: Report, lang: Lang) -> list[dict[str, Any]]:
    """Every status class, in order, with its label, count and share (zero for a class not seen)."""
    seen = {row.name: row for row in report.by_class}
    return [
        {
            "class": name,
            "label": report.registry.classes[name].label[lang],
            "count": seen[name].count if name in seen else 0,
            "share": round(seen[name].share, 6) if name in seen else 0.0,
        }
        for name in CLASS_ORDER
        if name != OTHER_CLASS or name in seen
    ]


def code_row(report: Report, row: CodeRow, lang: Lang) -> dict[str, Any]:
    """One status value of the report with the registry's explanation, latency and evidence."""
    reason, text, registered = report.explain(row, lang)
    entry = report.registry.lookup(row.raw)
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
        "latency": [_percentiles(dim, p) for dim, p in report.latency_by_code.get(row.raw, {}).items()],
        "evidence": _evidence(report, row.raw),
    }


def _evidence(report: Report, raw: str) -> dict[str, Any] | None:
    found = report.evidence.get(raw)
    if found is None:
        return None
    window = found.window
    return {
        "top": [
            {
                "dimension": dim,
                "values": [
                    {
                        "value": r.value,
                        "count": r.count,
                        "share": round(r.share, 6),
                        "distinct_queries": r.distinct_queries,
                    }
                    for r in ranked
                ],
            }
            for dim, ranked in found.top.items()
            if ranked
        ],
        "busiest_window": None
        if window is None
        else {
            "start": iso(window.start),
            "minutes": window.minutes,
            "count": window.count,
            "times_average": round(window.times_average, 2),
        },
    }


def _latency(report: Report, lang: Lang) -> dict[str, Any]:
    return {
        "fields": list(report.latency_dims),
        "unit": "seconds",
        "note": None if report.latency_dims else NO_LATENCY[lang],
        "overall": [_percentiles(dim, p) for dim, p in report.latency_overall.items()],
        "by_class": [
            {"class": cls, **_percentiles(dim, p)}
            for cls in CLASS_ORDER
            for dim, p in report.latency_by_class.get(cls, {}).items()
        ],
    }


def _finding(finding: Finding, lang: Lang) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "status": None if finding.code is None else numeric_status(finding.code),
        "raw": finding.code,
        "severity": finding.severity,
        "title": finding.title[lang],
        "detail": finding.detail[lang],
        "check": list(finding.check[lang]),
        "start": iso(finding.start),
        "end": iso(finding.end),
        "count": finding.count,
        "total": finding.total,
        "values": list(finding.values),
    }


def _percentiles(dim: str, p: Percentiles) -> dict[str, Any]:
    return {"field": dim, "count": p.count, "p50": p.p50, "p95": p.p95, "p99": p.p99, "max": p.max}


def _totals(t: Totals) -> dict[str, int]:
    return {"lines": t.lines, "parsed": t.parsed, "filtered": t.filtered, "unparsed": t.unparsed, "blank": t.blank}
