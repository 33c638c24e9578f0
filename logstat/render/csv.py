"""CSV: one table per file (codes, classes, series or unparsed), each with a fixed header.

Every table is data rows only, under one header row; no totals or notes are mixed in.
Column lists are the ``*_COLUMNS`` constants below: append only, never reorder.

Spreadsheet safety (CSV injection). Excel, LibreOffice and Google Sheets run a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (and some a TAB or CR) as a formula, and a log
line is written by whoever sends the request. So every cell whose text comes from a log or
from the command line — the raw status in the codes and series tables, file names,
unparsed lines and their reasons — passes through one function, :func:`defuse`:

* control and bidi characters become visible ``\\xNN`` escapes (:func:`visible`), so a
  cell never holds a raw TAB, CR, ESC or NUL;
* a cell that then starts with one of those characters gets a leading apostrophe (``'``),
  which a spreadsheet takes as "this is text" and does not display;
* except a plain decimal number (``-1``, ``+5``, ``2.5``), which every spreadsheet reads as
  a number and never as a formula, and a lone ``-`` (the logs' mark for "no value"): they
  are kept as they are, so numbers stay numbers.

A cell from log data is also cut at :data:`MAX_CELL` characters (ending in ``…``), the
most a spreadsheet cell holds; an overlong line (1 MB and more happens) would otherwise
spill over cells in Excel and exceed the default field limit of CSV readers.

Cells logstat writes itself (counts, shares, times, class names, registry text) are not
changed. ``RenderOptions.csv_raw`` turns the apostrophe off for programs that read the
CSV (control characters are still escaped); JSON is the lossless machine format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from logstat.periods import auto_period, iso_utc
from logstat.registry import numeric_status
from logstat.render.options import RenderOptions
from logstat.render.schema import class_rows, code_row
from logstat.report.model import Report
from logstat.report.series import build_series
from logstat.text import visible

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

CLASS_COLUMNS = ("class", "label", "count", "share")
"""By-class table: class (``2xx`` … ``5xx``, ``other``), its label in ``--lang``, requests, share."""

COMPARE_COLUMNS = ("previous_count", "previous_share", "share_change")
"""With ``--compare`` (and history, without ``--split``), appended to the codes and classes tables:
the previous period's requests and share, and the share now minus the share then (``0.031`` is
3.1 points more)."""

SERIES_COLUMNS = ("period_start", "status", "class", "count", "raw_status")
"""Time series: period start (ISO 8601 UTC, ``Z``), status (an integer, empty when the logged value is
not a number), its class, requests (0 included), and the status as logged."""

UNPARSED_COLUMNS = ("file", "line", "reason", "text")
"""Unparsed samples: input name, line number, why it did not parse, the line (control characters escaped)."""

BOM = "\ufeff"
"""UTF-8 byte order mark; Excel needs it to read a CSV file as UTF-8."""

MAX_CELL = 32_767
"""Most characters of a cell from log data: Excel's limit per cell."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|-")


def render_csv(report: Report, options: RenderOptions) -> str:
    """Render one table of ``report`` as CSV (RFC 4180, ``\\r\\n`` line ends).

    ``options.csv_table`` picks the table (``codes`` by default), ``options.bom`` adds a
    byte order mark, and ``options.by`` sets the period of the ``series`` table.
    """
    columns, rows = _split_table(report, options) if report.split_by else _TABLES[options.csv_table](report, options)
    buffer = io.StringIO()
    if options.bom:
        buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


Table = tuple[Sequence[str], Iterator[list[Any]]]


def _compared(report: Report, kind: str) -> dict[str, list[Any]] | None:
    """The comparison cells of each class or code, or None when there is no previous period."""
    changes = report.changes()
    if not changes:
        return None
    return {
        row.key: [row.previous_count, f"{row.previous_share:.6f}", f"{row.share_change:.6f}"]
        for row in changes
        if row.kind == kind
    }


def _code_table(report: Report, options: RenderOptions) -> Table:
    compared = _compared(report, "code")
    columns = CODE_COLUMNS + (COMPARE_COLUMNS if compared is not None else ())
    return columns, _code_rows(report, options, compared)


def _code_rows(
    report: Report, options: RenderOptions, compared: dict[str, list[Any]] | None = None
) -> Iterator[list[Any]]:
    for code in report.by_code:
        row = code_row(report, code, options.lang)
        extra = [] if compared is None else compared[code.raw]
        yield [
            _number(row["status"]),
            _data(row["raw"], options),
            row["class"],
            row["count"],
            f"{row['share']:.6f}",
            "true" if row["registered"] else "false",
            row["reason"],
            row["meaning"],
            row["causes"][0] if row["causes"] else "",
            row["first_seen"] or "",
            row["last_seen"] or "",
            *extra,
        ]


def _class_table(report: Report, options: RenderOptions) -> Table:
    compared = _compared(report, "class")
    rows = (
        [row["class"], row["label"], row["count"], f"{row['share']:.6f}", *_class_changes(compared, row["class"])]
        for row in class_rows(report, options.lang)
    )
    return CLASS_COLUMNS + (COMPARE_COLUMNS if compared is not None else ()), rows


def _class_changes(compared: dict[str, list[Any]] | None, name: str) -> list[Any]:
    """A class's comparison cells; a class absent from both periods compares 0 with 0."""
    if compared is None:
        return []
    return compared.get(name, [0, f"{0:.6f}", f"{0:.6f}"])


def _series_table(report: Report, options: RenderOptions) -> Table:
    period = options.by or auto_period(report.first, report.last)
    frame = build_series(report.minutes, period, report.first, report.last)
    rows = (
        [iso_utc(start), _number(numeric_status(raw)), cls, count, _data(raw, options)]
        for start, raw, cls, count in frame.iter_rows()
    )
    return SERIES_COLUMNS, rows


def _split_table(report: Report, options: RenderOptions) -> Table:
    """With ``--split``: the chosen table with the split key in a leading column, named after it.

    The whole report's rows come first, with an empty key, then each split's rows. The
    unparsed lines belong to no split, so that table has no such column.
    """
    columns, rows = _TABLES[options.csv_table](report, options)
    if options.csv_table == "unparsed":
        return columns, rows
    sections = [("", rows)]
    sections += [(_data(s.section, options), _TABLES[options.csv_table](s, options)[1]) for s in report.sections]
    return (str(report.split_by), *columns), ([key, *row] for key, part in sections for row in part)


def _number(value: int | None) -> int | str:
    return "" if value is None else value


def defuse(text: str) -> str:
    """Log text made safe for a spreadsheet cell: controls escaped, a formula start quoted.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'``, so
    a spreadsheet shows it as text instead of running it as a formula; a plain number
    (``-1``) and a lone ``-`` are kept as they are (see the module docstring).
    """
    text = visible(text)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _data(text: str | None, options: RenderOptions) -> str:
    """A cell from log data: :func:`defuse`, or only :func:`visible` with ``csv_raw``."""
    if text is None:
        return ""
    cell = visible(text) if options.csv_raw else defuse(text)
    return cell if len(cell) <= MAX_CELL else cell[: MAX_CELL - 1] + "…"


def _unparsed_table(report: Report, options: RenderOptions) -> Table:
    rows = (
        [_data(s.file, options), s.lineno, _data(s.reason, options), _data(s.text, options)]
        for s in report.unparsed_samples
    )
    return UNPARSED_COLUMNS, rows


_TABLES: dict[str, Callable[[Report, RenderOptions], Table]] = {
    "codes": _code_table,
    "classes": _class_table,
    "series": _series_table,
    "unparsed": _unparsed_table,
}
