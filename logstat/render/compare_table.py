"""The terminal table's part of ``--compare``: header lines and the Then/Change columns."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from logstat.registry import Lang
from logstat.render.compare import change_of, change_text, header_lines, label, then_text, with_history

__all__ = ["add_columns", "cells", "header_lines"]
from logstat.report.model import Report


def add_columns(table: Table, report: Report, lang: Lang) -> bool:
    """Add the Then and Change columns when the report has a previous period; whether it did."""
    if not with_history(report):
        return False
    table.add_column(label("then", lang), justify="right", no_wrap=True)
    table.add_column(label("change", lang), justify="right", no_wrap=True)
    return True


def cells(report: Report, kind: str, key: str, lang: Lang, compared: bool) -> list[Text]:
    """The Then and Change cells of one class or code row (none when the columns are not there)."""
    if not compared:
        return []
    row = change_of(report, kind, key)
    return [Text(then_text(row)), Text(change_text(row, lang))]
