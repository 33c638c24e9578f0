"""What every output shows of ``--compare``: a line naming the previous period (or saying there is
no history), the previous share and the change of each class and code, and the codes gone since."""

from __future__ import annotations

from logstat.registry import Lang
from logstat.render.text import percent
from logstat.report.compare import Change
from logstat.report.model import Report
from logstat.text import visible

LABELS: dict[str, dict[Lang, str]] = {
    "compared": {"en": "Compared with", "zh": "比较对象"},
    "then": {"en": "Then", "zh": "之前"},
    "change": {"en": "Change", "zh": "变化"},
    "period": {"en": "{what} ({span}): {n} requests", "zh": "{what}（{span}）：{n} 个请求"},
    "gone": {"en": "Gone since then: {codes}", "zh": "此后不再出现：{codes}"},
    "new": {"en": "new", "zh": "新出现"},
}
"""The fixed words of the comparison, in both languages."""


def label(key: str, lang: Lang, **values: object) -> str:
    """A comparison label in ``lang``."""
    return LABELS[key][lang].format(**values)


def _when(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "-"


def with_history(report: Report) -> bool:
    """Whether the report compares with a previous period it has the counts of."""
    return report.comparison is not None and report.comparison.history


def compared_line(report: Report, lang: Lang) -> str | None:
    """``the same hour yesterday (2026-10-09 13:00 → 14:00 UTC): 1,234 requests``, the note that
    there is no history, or None without ``--compare``."""
    found = report.comparison
    if found is None:
        return None
    if not found.history:
        return (found.note or {}).get(lang, "")
    span = f"{_when(found.window.since)} → {_when(found.window.until)} UTC"
    return label("period", lang, what=found.describe(lang), span=span, n=f"{found.parsed:,}")


def change_of(report: Report, kind: str, key: str) -> Change | None:
    """The comparison row of a class (``kind="class"``) or code, or None without history."""
    return next((row for row in report.changes() if row.kind == kind and row.key == key), None)


def then_text(row: Change | None) -> str:
    """``12 (0.4%)``: the previous count and share; ``-`` without history."""
    return "-" if row is None else f"{row.previous_count:,} ({percent(row.previous_share)})"


def change_text(row: Change | None, lang: Lang) -> str:
    """``+2.8 pts (×8.0)``: the change of the share in percentage points, and its ratio."""
    if row is None:
        return "-"
    points = row.share_change * 100
    text = f"{points:+.1f} pts" if lang == "en" else f"{points:+.1f} 个百分点"
    if row.ratio is None:
        return f"{text} ({label('new', lang)})" if row.count else text
    return f"{text} (×{row.ratio:.1f})"


def gone_line(report: Report, lang: Lang) -> str | None:
    """The codes of the previous period with no request now, or None."""
    gone = [row for row in report.changes() if row.kind == "code" and row.count == 0]
    if not gone:
        return None
    codes = ", ".join(f"{visible(row.key)} {row.previous_count:,} ({percent(row.previous_share)})" for row in gone)
    return label("gone", lang, codes=codes)


def header_lines(report: Report, lang: Lang) -> list[tuple[str, str]]:
    """The header rows of the comparison (label, text): what it compares with, or why it cannot,
    and the codes gone since; none without ``--compare``."""
    line = compared_line(report, lang)
    if line is None:
        return []
    rows = [(label("compared", lang), line)]
    gone = gone_line(report, lang)
    if gone is not None:
        rows.append((label("then", lang), gone))
    return rows
