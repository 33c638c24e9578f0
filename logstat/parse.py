"""Lines to fields: scanning an input into a LazyFrame of lines, matching them against a format,
and reading their times; each line gets exactly one :class:`LineKind`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import IntEnum
from io import BufferedIOBase

import polars as pl

from logstat.errors import InputError, UsageError
from logstat.formats import IMPOSSIBLE_DAY, LogFormat
from logstat.sources import DAMAGE, Input, open_decoded
from logstat.timewindow import TimeWindow

SAMPLE_LINES = 200
"""How many non-blank lines format detection looks at."""


SAMPLE_LINE_BYTES = 4 << 20
"""Longest line the detection sample keeps whole; the rest of a longer line is skipped.

A binary file given by mistake may have no line break at all: without a limit, reading
its "first line" would read the whole file into memory."""


SAMPLE_BYTES = 32 << 20
"""Bytes of sample lines after which detection stops reading (at least one line is kept)."""


class LineKind(IntEnum):
    """What became of a line. Every line gets exactly one kind, so totals reconcile."""

    BLANK = 0
    UNPARSED = 1
    PARSED = 2
    FILTERED = 3
    """Parsed, but outside the ``--since``/``--until`` window."""


def read_sample(source: Input, *, limit: int = SAMPLE_LINES) -> list[str]:
    """Return up to ``limit`` non-blank lines from the start of ``source``, decoded lossily.

    A damaged archive yields the lines before the damage; only an input that yields none
    because of damage is an error. Memory stays bounded: a line longer than
    :data:`SAMPLE_LINE_BYTES` is cut there, and reading stops after :data:`SAMPLE_BYTES`.
    """
    sample: list[str] = []
    size = 0
    try:
        with open_decoded(source) as handle:
            for raw in _bounded_lines(handle, SAMPLE_LINE_BYTES):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line.strip():
                    sample.append(line)
                    size += len(raw)
                    if len(sample) >= limit or size >= SAMPLE_BYTES:
                        break
    except DAMAGE as exc:
        if not sample:
            why = exc or type(exc).__name__
            msg = f"{source.name}: the file is truncated or corrupt ({why}); check it or re-copy it"
            raise InputError(msg) from None
    return sample


def _bounded_lines(handle: BufferedIOBase, most: int) -> Iterator[bytes]:
    """Lines of ``handle``, each cut after ``most`` bytes (the rest of a cut line is skipped)."""
    while raw := handle.readline(most):
        if len(raw) == most and not raw.endswith(b"\n"):
            while (rest := handle.readline(most)) and not rest.endswith(b"\n"):
                pass
        yield raw


def scan_lines(source: Input) -> pl.LazyFrame:
    """Scan ``source`` as one ``line`` column plus a 1-based ``lineno``.

    Bytes that are not valid UTF-8 become U+FFFD instead of failing the scan. An empty
    line reads as null, and a byte order mark at the start of the file is dropped. A line
    ends at LF; a CR right before it is dropped (CRLF). The CSV reader is told that the field
    separator is the line end itself, so every byte of a line, NUL and 0x1F included, lands in
    the one column (``tests/test_robustness.py`` checks this against Python's line splitting).
    """
    return pl.scan_csv(
        source.path,
        has_header=False,
        separator="\n",
        quote_char=None,
        schema={"line": pl.String},
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        extra_columns="ignore",
        raise_if_empty=False,
        glob=False,  # a file may be named access[1].log
    ).with_row_index("lineno", offset=1)


def blank_line() -> pl.Expr:
    """True for a line that is empty or holds only spaces, TAB, CR, VT or FF."""
    line = pl.col("line")
    return line.is_null() | (line.str.strip_chars(" \t\r\x0b\x0c").str.len_bytes() == 0)


def parse_lines(lines: pl.LazyFrame, log_format: LogFormat, fields: Sequence[str]) -> pl.LazyFrame:
    """Add ``kind`` and one column per requested field to a frame from :func:`scan_lines`.

    Only the requested fields are captured, and the regex stops after the last of them.
    The regex runs once, into a struct column: referring to the same ``extract_groups``
    expression from several columns would run it once per column. A ``$time_local`` on a day
    that does not exist (31/Feb) leaves its line unparsed.
    """
    line = pl.col("line")
    matched = lines.with_columns(line.str.extract_groups(log_format.pattern(fields)).alias("_fields"))
    matched = matched.with_columns(pl.col("_fields").struct.field(name) for name in fields).drop("_fields")
    is_parsed = pl.col("status").is_not_null()
    if "time_local" in fields:
        is_parsed = is_parsed & ~pl.col("time_local").str.contains(IMPOSSIBLE_DAY).fill_null(value=True)
    is_blank = blank_line()
    kind = (
        pl.when(is_parsed)
        .then(pl.lit(LineKind.PARSED, pl.UInt8))
        .when(is_blank)
        .then(pl.lit(LineKind.BLANK, pl.UInt8))
        .otherwise(pl.lit(LineKind.UNPARSED, pl.UInt8))
    )
    return matched.with_columns(kind.alias("kind"))


UTC = pl.Datetime("us", "UTC")


TIME_LOCAL_FORMAT = "%d/%b/%Y:%H:%M:%S %z"


_ISO8601 = "%Y-%m-%dT%H:%M:%S%.f%#z"


_MSEC_LIMIT = 253_402_300_800
"""Seconds from the epoch to 10000-01-01T00:00:00Z."""


def plausible(moment: pl.Expr) -> pl.Expr:
    """``moment`` where its year is one a server's clock can show (1 to 9998), else null."""
    # Year 0 or 9999 shifted by an offset is no server's clock, and Python cannot hold it.
    return pl.when(moment.dt.year().is_between(1, 9998)).then(moment)


def parse_time(log_format: LogFormat) -> pl.Expr:
    """Expression converting the format's raw time field to a UTC datetime (null when it does not parse).

    A time without a UTC offset (an Apache ``%{...}t`` without ``%z``) is read as UTC.
    """
    column = log_format.time_field
    if column is None:
        return pl.lit(None, UTC)
    raw = pl.col(column)
    if column == "time_local":
        return plausible(raw.str.strptime(UTC, TIME_LOCAL_FORMAT, strict=False))
    if column == "time_iso8601":
        return plausible(raw.str.strptime(UTC, _ISO8601, strict=False))
    if column == "time_strftime":
        return plausible(raw.str.strptime(UTC, log_format.time_format, strict=False))
    seconds = raw.cast(pl.Float64, strict=False)
    seconds = pl.when(seconds < _MSEC_LIMIT).then(seconds)
    moment = (seconds * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return plausible(moment)


def apply_window(lines: pl.LazyFrame, log_format: LogFormat, window: TimeWindow) -> pl.LazyFrame:
    """Mark parsed lines outside ``window`` as :attr:`LineKind.FILTERED`.

    This parses the time of every line, which the report otherwise avoids; it is only
    done when a window is asked for. A line whose time does not parse is left alone
    (it becomes unparsed in :func:`finish_counts`).

    Raises
    ------
    UsageError
        When the format has no time field.
    """
    if window.is_open:
        return lines
    time_field = log_format.time_field
    if time_field is None:
        msg = f"--since/--until need a time in the log, and format {log_format.name!r} has none"
        raise UsageError(msg)
    when = parse_time(log_format)
    outside = pl.lit(value=False)
    if window.since is not None:
        outside = outside | (when < pl.lit(window.since, UTC))
    if window.until is not None:
        outside = outside | (when >= pl.lit(window.until, UTC))
    filtered = (pl.col("kind") == LineKind.PARSED) & outside.fill_null(value=False)
    return lines.with_columns(
        kind=pl.when(filtered).then(pl.lit(LineKind.FILTERED, pl.UInt8)).otherwise(pl.col("kind"))
    )
