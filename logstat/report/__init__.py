"""The report: a pure function of the counts, with its findings and its series."""

from logstat.report.build import build, build_report
from logstat.report.model import CLASS_ORDER, DEFAULT_TOP, NO_LATENCY, CodeRow, Report, Totals

__all__ = [
    "CLASS_ORDER",
    "DEFAULT_TOP",
    "NO_LATENCY",
    "CodeRow",
    "Report",
    "Totals",
    "build",
    "build_report",
]
