"""CSV: one row per status value, with a fixed header."""

from __future__ import annotations

import csv
import io

from logstat.render import RenderOptions
from logstat.report import Report

CODE_COLUMNS = (
    "status",
    "raw_status",
    "class",
    "count",
    "share",
    "registered",
    "reason",
    "meaning",
    "likely_cause",
    "first_seen",
    "last_seen",
)
"""Column order of the by-code table; append only, never reorder."""


def render_csv(report: Report, options: RenderOptions) -> str:
    """Render the per-code counts of ``report`` as CSV (RFC 4180, ``\\r\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CODE_COLUMNS)
    for row in report.to_dict(options.lang)["by_code"]:
        writer.writerow(
            [
                "" if row["status"] is None else row["status"],
                row["raw"],
                row["class"],
                row["count"],
                f"{row['share']:.6f}",
                "true" if row["registered"] else "false",
                row["reason"],
                row["meaning"],
                row["causes"][0] if row["causes"] else "",
                row["first_seen"] or "",
                row["last_seen"] or "",
            ]
        )
    return buffer.getvalue()
