"""``--where FIELD=GLOB``: which requests a report is limited to; the others are counted as filtered.

A condition names a field of the request and a glob (``*`` any text, ``?`` one character,
everything else literal, matched against the whole value). Conditions on the same field are
alternatives (``--where status=5* --where status=429``: either); conditions on different fields
must all hold. ``FIELD!=GLOB`` keeps the requests that do not match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from logstat.errors import UsageError
from logstat.formats import LogFormat
from logstat.formats.model import escape_literal
from logstat.parse import LineKind
from logstat.tally.dimensions import DIMENSIONS

FIELDS: dict[str, tuple[str, ...]] = {
    "vhost": DIMENSIONS["vhost"],
    "service": DIMENSIONS["service"],
    "client": DIMENSIONS["client"],
    "agent": DIMENSIONS["agent"],
    "path": ("request",),
    "method": ("request",),
    "status": ("status",),
    "class": ("status",),
}
"""What ``--where`` can test, and the log fields each one is read from (the first the format has)."""

_CONDITION = re.compile(r"^(?P<field>[a-z_]+)(?P<op>!=|=)(?P<glob>.*)$", re.S)


@dataclass(frozen=True)
class Condition:
    """One ``--where`` condition."""

    field: str
    glob: str
    negated: bool = False

    @property
    def text(self) -> str:
        """The condition as it is written on the command line."""
        return f"{self.field}{'!=' if self.negated else '='}{self.glob}"


def parse_condition(text: str) -> Condition:
    """Parse ``FIELD=GLOB`` or ``FIELD!=GLOB``.

    Raises
    ------
    UsageError
        When ``text`` has no ``=``, or names a field that ``--where`` does not know.
    """
    match = _CONDITION.match(text.strip())
    if match is None or match["field"] not in FIELDS:
        known = ", ".join(FIELDS)
        msg = f"invalid --where {text!r}: write FIELD=GLOB or FIELD!=GLOB with FIELD one of {known}, e.g. 'path=/api/*'"
        raise UsageError(msg)
    return Condition(match["field"], match["glob"], negated=match["op"] == "!=")


def glob_regex(glob: str) -> str:
    """An anchored regex (for both Python and polars) matching the whole value against ``glob``."""
    parts = [".*" if ch == "*" else "." if ch == "?" else escape_literal(ch) for ch in glob]
    return "(?s)^" + "".join(parts) + "$"


def field_of(log_format: LogFormat, condition: Condition) -> str:
    """The field of ``log_format`` that ``condition`` reads.

    Raises
    ------
    UsageError
        When the format has no such field.
    """
    found = next((f for f in FIELDS[condition.field] if f in log_format.fields), None)
    if found is None:
        what = f"--where {condition.field}=..."
        msg = f"{what} needs a {condition.field} in the log, and format {log_format.name!r} has none"
        raise UsageError(msg)
    return found


def _value(log_format: LogFormat, condition: Condition) -> pl.Expr:
    column = pl.col(field_of(log_format, condition))
    if condition.field == "method":
        return column.str.extract(r"^([A-Za-z_-]+) ", 1)
    if condition.field == "path":
        return column.str.extract(r"^[A-Za-z_-]+ ([^ ?]*)", 1)
    if condition.field == "class":
        return pl.when(column.str.contains(r"^[1-5][0-9][0-9]$")).then(column.str.slice(0, 1) + "xx")
    return column


def apply_where(lines: pl.LazyFrame, log_format: LogFormat, conditions: Sequence[Condition]) -> pl.LazyFrame:
    """Mark parsed lines that the conditions do not keep as :attr:`LineKind.FILTERED`."""
    if not conditions:
        return lines
    keep = pl.lit(value=True)
    for field in dict.fromkeys(c.field for c in conditions):
        alternatives = pl.lit(value=False)
        for condition in (c for c in conditions if c.field == field):
            hit = _value(log_format, condition).str.contains(glob_regex(condition.glob)).fill_null(value=False)
            alternatives = alternatives | (~hit if condition.negated else hit)
        keep = keep & alternatives
    drop = (pl.col("kind") == LineKind.PARSED) & ~keep
    return lines.with_columns(kind=pl.when(drop).then(pl.lit(LineKind.FILTERED, pl.UInt8)).otherwise(pl.col("kind")))


def where_fields(log_format: LogFormat, conditions: Sequence[Condition]) -> list[str]:
    """The fields the conditions read (to capture on every line)."""
    return list(dict.fromkeys(field_of(log_format, c) for c in conditions))
