"""The findings of ``--compare``: a code or class whose share rose or fell sharply since the previous period."""

from __future__ import annotations

from logstat.registry import Lang, class_name
from logstat.report.compare import Change
from logstat.report.model import Finding, Report

RISE = 3
"""A share at least this many times the previous one (or at most its inverse, for a fall) ..."""

POINTS = 0.01
"""... that moved by at least one percentage point ..."""

LEAST = 10
"""... with at least this many requests in the period where it is higher."""


def sharp_changes(report: Report) -> list[Finding]:
    """Codes (or else their class) whose share rose to three times or fell to a third, or more."""
    found, rows = report.comparison, report.changes()
    if found is None or not rows:
        return []
    picked = []
    for moved in ([r for r in rows if _rose(r)], [r for r in rows if _fell(r)]):
        codes = [row for row in moved if row.kind == "code"]
        named = {class_name(row.key) for row in codes}
        picked += codes + [row for row in moved if row.kind == "class" and row.key not in named]
    return [_finding(report, row, found.describe("en"), found.describe("zh")) for row in picked]


def _rose(row: Change) -> bool:
    return row.count >= LEAST and row.share_change >= POINTS and row.share >= RISE * row.previous_share


def _fell(row: Change) -> bool:
    return row.previous_count >= LEAST and row.share_change <= -POINTS and row.share * RISE <= row.previous_share


def _finding(report: Report, row: Change, then_en: str, then_zh: str) -> Finding:
    rose = row.share_change > 0
    code = None if row.kind == "class" else row.key
    cls = class_name(row.key) if code else row.key
    # Errors rising, or successes falling, need a look; the opposite is good news.
    severity = "warning" if (rose and cls in ("4xx", "5xx")) or (not rose and cls == "2xx") else "info"
    moved = f"{row.previous_share:.1%} → {row.share:.1%}"
    counts = f"{row.previous_count:,} → {row.count:,}"
    detail: dict[Lang, str] = {
        "en": f"{row.key}: {moved} of requests, vs {then_en} ({counts} requests).",
        "zh": f"{row.key}：占请求的 {moved}，对比{then_zh}（{counts} 个请求）。",
    }
    check: dict[Lang, tuple[str, ...]] = {
        "en": ("what changed since then (a deploy, the upstream, the traffic); the codes and evidence below",),
        "zh": ("此后发生了什么变化（部署、上游、流量）；以及下方各状态码及其证据",),
    }
    parsed = report.totals.parsed
    if rose:
        title: dict[Lang, str] = {"en": f"{row.key} rose sharply", "zh": f"{row.key} 急剧上升"}
        return Finding("sharp_rise", code, severity, title, detail, check, count=row.count, total=parsed)
    title = {"en": f"{row.key} fell sharply", "zh": f"{row.key} 急剧下降"}
    return Finding("sharp_fall", code, severity, title, detail, check, count=row.count, total=parsed)
