"""How to render: the output formats, their options, and the format a file name asks for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from logstat.errors import UsageError
from logstat.periods import Period
from logstat.registry import Lang

CsvTable = Literal["codes", "classes", "series", "unparsed"]
"""The tables ``render_csv`` can write; each has a fixed column list in ``logstat.render.csv``."""


class OutputFormat(StrEnum):
    """Output formats of ``summarize``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    PROMETHEUS = "prometheus"


@dataclass(frozen=True)
class RenderOptions:
    """How to render: language, and for the table whether to use colour and box drawing."""

    lang: Lang = "en"
    color: bool = False
    width: int = 100
    by: Period | None = None
    """Add a time series per this period (CSV ``series`` table, Markdown trend, HTML chart)."""
    csv_table: CsvTable = "codes"
    """Which table CSV writes; ``series`` without ``by`` uses ``series.auto_period``."""
    bom: bool = False
    """Start CSV with a UTF-8 byte order mark, so Excel reads Chinese text correctly."""
    csv_raw: bool = False
    """Write CSV cells from log data without the leading ``'`` that keeps a spreadsheet from
    running them as formulas (see ``logstat.render.csv``); for programs, not spreadsheets."""
    cumulative: bool = False
    """The report's counts cover a store's whole life (``--state``); Prometheus's help says which."""



SUFFIXES: dict[str, OutputFormat] = {
    ".txt": OutputFormat.TABLE,
    ".csv": OutputFormat.CSV,
    ".json": OutputFormat.JSON,
    ".md": OutputFormat.MARKDOWN,
    ".html": OutputFormat.HTML,
    ".htm": OutputFormat.HTML,
    ".prom": OutputFormat.PROMETHEUS,
}


def format_for_path(path: Path) -> OutputFormat:
    """Pick the output format from a file name's suffix."""
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(SUFFIXES)
        msg = f"{path}: cannot tell the output format from the suffix; use one of {known} or --format"
        raise UsageError(msg) from None
