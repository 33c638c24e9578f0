"""Lines to fields: scanning an input into a LazyFrame of lines, matching them against a format,
and reading their times; each line gets exactly one :class:`LineKind`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from io import BufferedIOBase

import polars as pl

from logstat.errors import InputError, UnknownFormatError, UsageError
from logstat.formats import BUILTIN_FORMATS, IMPOSSIBLE_DAY, LogFormat, detect_format, fit_prefix
from logstat.formats.detect import not_a_request
from logstat.formats.fallback import FALLBACK, client_from_lead
from logstat.formats.jsonlog import explain_json, json_fields
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


@dataclass(frozen=True)
class Reading:
    """How one input's lines are read: its format first, then, only for the lines that one
    misses, each of ``others`` in turn (exact formats the detection sample also showed, then
    the tolerant :data:`~logstat.formats.fallback.FALLBACK`)."""

    log_format: LogFormat
    others: tuple[LogFormat, ...] = ()

    @property
    def formats(self) -> tuple[LogFormat, ...]:
        """Every format of the reading, in the order they are tried; ``read_by`` indexes it."""
        return (self.log_format, *self.others)


def reading_for(log_format: LogFormat, others: Sequence[LogFormat] = (), *, fallback: bool = True) -> Reading:
    """The reading of a detected format: ``others`` that carry the same kind of time, then the fallback.

    A JSON log, or a format whose time is not ``$time_local``, is read by itself: the count
    table groups one kind of time per input.
    """
    if log_format.is_json or log_format.time_field != "time_local":
        return Reading(log_format)
    chain = [f for f in others if f.time_field == "time_local" and not f.is_json and not f.tolerant]
    if fallback and not log_format.tolerant:
        chain.append(FALLBACK)
    return Reading(log_format, tuple(chain))


def _renamed(pattern: str, index: int) -> str:
    """``pattern`` with each named group prefixed by ``_<index>_``, so that alternatives can share one regex."""
    return re.sub(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>", rf"(?P<_{index}_\1>", pattern)


def field_struct(log_format: LogFormat, text: pl.Expr, fields: Sequence[str]) -> pl.Expr:
    """One struct column with ``fields`` of ``log_format`` read from ``text`` (all null where it does not match)."""
    if log_format.is_json:
        return json_fields(log_format, text, fields)
    return text.str.extract_groups(log_format.pattern(fields))


def field_value(log_format: LogFormat, struct: pl.Expr, name: str, group: str | None = None) -> pl.Expr:
    """Field ``name`` of a :func:`field_struct` column (``group`` is its capture name there, if renamed).

    The fallback's ``remote_addr`` holds all the text before the time; the client is read from it.
    """
    value = struct.struct.field(group or name)
    return client_from_lead(value) if log_format.tolerant and name == "remote_addr" else value


@dataclass(frozen=True)
class ChainStage:
    """The struct columns that read every format of a :class:`Reading` (see :func:`chain_fields`)."""

    reading: Reading
    columns: dict[str, pl.Expr]
    """Struct columns to add, in one stage: ``<name>0`` for the first format, ``<name>1`` for the others."""
    fields: tuple[tuple[str, ...], ...]
    """The fields read with each format."""
    name: str

    def value(self, index: int, field: str) -> pl.Expr:
        """Field ``field`` as read by format ``index`` (null where that format did not read the line)."""
        fmt = self.reading.formats[index]
        if index == 0:
            return field_value(fmt, pl.col(f"{self.name}0"), field)
        return field_value(fmt, pl.col(f"{self.name}1"), field, f"_{index}_{field}")

    def coalesced(self, pick: Callable[[LogFormat], str | None]) -> pl.Expr:
        """The first non-null of ``pick(fmt)`` over the formats, in order (null where none has it)."""
        parts = [
            self.value(k, field)
            for k, fmt in enumerate(self.reading.formats)
            if (field := pick(fmt)) is not None and field in self.fields[k]
        ]
        if not parts:
            return pl.lit(None, pl.String)
        return parts[0] if len(parts) == 1 else pl.coalesce(parts)

    def read_by(self) -> pl.Expr:
        """The index of the format that read each line (null where none did)."""
        read_by = pl.lit(None, pl.UInt8)
        for k in reversed(range(1, len(self.reading.formats))):
            hit = pl.col(f"{self.name}1").struct.field(f"_{k}_status").is_not_null()
            read_by = pl.when(hit).then(pl.lit(k, pl.UInt8)).otherwise(read_by)
        first = pl.col(f"{self.name}0").struct.field("status").is_not_null()
        return pl.when(first).then(pl.lit(0, pl.UInt8)).otherwise(read_by)


def chain_fields(
    reading: Reading,
    text: pl.Expr,
    fields_of: Callable[[LogFormat], Sequence[str]],
    *,
    primary: pl.Expr | None,
    rest: pl.Expr,
    name: str,
) -> ChainStage:
    """Read every format of ``reading`` in one stage of struct columns, the others masked.

    ``primary`` selects the lines the first format reads (all when None), ``rest`` those the
    others may read (the text is null elsewhere, which costs next to nothing). The others share
    one alternation regex, so that a homogeneous log pays for one masked column, not one per
    format. Every format reads the status, which tells which one read a line.
    """
    formats = reading.formats
    first, others = formats[0], formats[1:]
    wanted = tuple(tuple(dict.fromkeys(["status", *fields_of(f)])) for f in formats)
    source = text if primary is None else pl.when(primary).then(text)
    columns = {f"{name}0": field_struct(first, source, wanted[0])}
    if others:
        alternation = "|".join(f"(?:{_renamed(f.pattern(wanted[k]), k)})" for k, f in enumerate(others, 1))
        columns[f"{name}1"] = pl.when(rest).then(text).str.extract_groups(alternation)
    return ChainStage(reading, columns, wanted, name)


def _named(field: str) -> Callable[[LogFormat], str]:
    """Pick ``field`` from every format (for :meth:`ChainStage.coalesced`)."""
    return lambda _fmt: field


def parse_lines(
    lines: pl.LazyFrame,
    log_format: LogFormat | Reading,
    fields: Sequence[str],
    *,
    fields_of: Callable[[LogFormat], Sequence[str]] | None = None,
) -> pl.LazyFrame:
    """Add ``kind``, ``read_by`` and one column per requested field to a frame from :func:`scan_lines`.

    Only the requested fields are captured, and the regex stops after the last of them.
    The regex runs once, into a struct column: referring to the same ``extract_groups``
    expression from several columns would run it once per column. A ``$time_local`` on a day
    that does not exist (31/Feb) leaves its line unparsed.

    Given a :class:`Reading`, the lines its format does not match are read by the others in
    the same pass (masked columns, see :func:`chain_fields`); ``fields_of`` gives the fields to
    read with each of them (``fields`` for the first by default), and a ``read_by`` column holds
    the index of the format that read each line.
    """
    reading = log_format if isinstance(log_format, Reading) else Reading(log_format)
    first = reading.log_format
    wanted = fields_of or (lambda fmt: fields if fmt is first else [f for f in fields if f in fmt.fields])
    line = pl.col("line")
    union = list(dict.fromkeys(f for fmt in reading.formats for f in wanted(fmt)))
    if reading.others:
        stage = chain_fields(reading, line, wanted, primary=None, rest=pl.col("_matched").not_(), name="_fields")
        matched = lines.with_columns(stage.columns["_fields0"].alias("_fields0"))
        matched = matched.with_columns(_matched=pl.col("_fields0").struct.field("status").is_not_null())
        matched = matched.with_columns(stage.columns["_fields1"].alias("_fields1"))
        matched = matched.with_columns(
            *(stage.coalesced(_named(name)).alias(name) for name in union), read_by=stage.read_by()
        )
        matched = matched.drop("_fields0", "_fields1", "_matched")
    else:
        matched = lines.with_columns(field_struct(first, line, wanted(first)).alias("_fields"))
        matched = matched.with_columns(field_value(first, pl.col("_fields"), name).alias(name) for name in union)
        matched = matched.drop("_fields")
        if isinstance(log_format, Reading):
            matched = matched.with_columns(read_by=pl.lit(0, pl.UInt8))
    is_parsed = pl.col("status").is_not_null()
    if first.is_json and first.time_field is not None:
        is_parsed = is_parsed & pl.col(first.time_field).is_not_null()
    if "time_local" in union:
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


def explain(log_format: LogFormat, line: str, fields: Sequence[str] | None = None) -> str:
    """Say in a few words why ``line`` was not read with ``log_format`` (see :meth:`LogFormat.explain_mismatch`).

    A line another program wrote into the stream (an nginx error.log line, klog, PHP) is named as such.
    """
    other = not_a_request(line)
    if other is not None:
        return other
    if log_format.is_json and line.strip():
        return explain_json(log_format, line)
    return log_format.explain_mismatch(line, fields)


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


REQUEST_LINE = r"^[A-Z][A-Z_-]* (\S+) [A-Z]+/[0-9.]+$"
"""A ``METHOD TARGET PROTOCOL`` request line; group 1 is the target."""


def plan_reading(source: Input, log_format: LogFormat | None) -> tuple[Reading, bool]:
    """How to read ``source``, and whether its format was detected.

    A given format (after a collector's line prefix, if the lines have one) reads every line
    alone; a detected one is followed by the other formats the sample showed and the fallback
    (see :func:`reading_for`).

    Raises
    ------
    UnknownFormatError
        When no format can be detected; the message names the input.
    """
    sample = read_sample(source)
    if log_format is not None:
        return Reading(fit_prefix(log_format, sample)), False
    if not sample:
        # An empty input has nothing to detect; any format reads it as zero lines.
        return reading_for(BUILTIN_FORMATS["combined"]), True
    try:
        detection = detect_format(sample)
    except UnknownFormatError as exc:
        msg = f"{source.name}: {exc}"
        raise UnknownFormatError(msg) from None
    return reading_for(detection.log_format, detection.others), True
