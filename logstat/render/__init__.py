"""Renderers: pure functions from a Report to text, one module per output format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from logstat.errors import UsageError
from logstat.registry import Lang
from logstat.report import Report


class OutputFormat(StrEnum):
    """Output formats of ``summarize``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True)
class RenderOptions:
    """How to render: language, and for the table whether to use colour and box drawing."""

    lang: Lang = "en"
    color: bool = False
    width: int = 100


Renderer = Callable[[Report, RenderOptions], str]

SUFFIXES: dict[str, OutputFormat] = {
    ".txt": OutputFormat.TABLE,
    ".csv": OutputFormat.CSV,
    ".json": OutputFormat.JSON,
}


def renderer_for(fmt: OutputFormat) -> Renderer:
    """The render function of ``fmt``."""
    from logstat.render import csv, json, table

    renderers: dict[OutputFormat, Renderer] = {
        OutputFormat.TABLE: table.render_table,
        OutputFormat.CSV: csv.render_csv,
        OutputFormat.JSON: json.render_json,
    }
    return renderers[fmt]


def format_for_path(path: Path) -> OutputFormat:
    """Pick the output format from a file name's suffix."""
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(SUFFIXES)
        msg = f"{path}: cannot tell the output format from the suffix; use one of {known} or --format"
        raise UsageError(msg) from None
