"""Renderers: pure functions from a Report to text, one module per output format."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from logstat.render.options import SUFFIXES, CsvTable, OutputFormat, RenderOptions, format_for_path

if TYPE_CHECKING:
    from logstat.report.model import Report

__all__ = ["SUFFIXES", "CsvTable", "OutputFormat", "RenderOptions", "Renderer", "format_for_path", "renderer_for"]

Renderer = Callable[["Report", RenderOptions], str]


def renderer_for(fmt: OutputFormat) -> Renderer:
    """The render function of ``fmt``."""
    from logstat.render import csv, html, json, markdown, prometheus, table

    renderers: dict[OutputFormat, Renderer] = {
        OutputFormat.TABLE: table.render_table,
        OutputFormat.CSV: csv.render_csv,
        OutputFormat.JSON: json.render_json,
        OutputFormat.MARKDOWN: markdown.render_markdown,
        OutputFormat.HTML: html.render_html,
        OutputFormat.PROMETHEUS: prometheus.render_prometheus,
    }
    return renderers[fmt]
