"""JSON: ``Report.to_dict()`` dumped as one UTF-8 document."""

from __future__ import annotations

import json

from logstat.render import RenderOptions
from logstat.report.model import Report


def render_json(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as an indented JSON document (non-ASCII text kept as is)."""
    return json.dumps(report.to_dict(options.lang, by=options.by), ensure_ascii=False, indent=2) + "\n"
