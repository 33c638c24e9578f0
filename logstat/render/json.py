"""JSON: the report's document (:func:`logstat.render.schema.report_dict`) as one UTF-8 text."""

from __future__ import annotations

import json

from logstat.render.options import RenderOptions
from logstat.render.schema import report_dict
from logstat.report.model import Report


def render_json(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as an indented JSON document (non-ASCII text kept as is)."""
    return json.dumps(report_dict(report, options.lang, by=options.by), ensure_ascii=False, indent=2) + "\n"
