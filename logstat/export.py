"""``logstat export``: every parsed request as a row of a hive-partitioned Parquet dataset.

Layout under the target (a directory, or an ``s3://`` / ``gs://`` / ``az://`` prefix)::

    requests/date=2026-11-02/vhost=example.com/part-<input key>-<piece>.parquet
    unparsed/part-<input key>-<piece>.parquet

The input key is a hash of the input's absolute path or URL, and the piece number follows
:mod:`logstat.tally.pieces`: exporting the same input again writes the same names, replacing
the files (in a local directory the input's older files are removed first, so nothing is left
from an earlier, different export of it). A line is a request exactly when the report counts it
as parsed, so the dataset's row count per status equals the report's. Columns: docs/outputs.md.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from logstat.errors import OutputError
from logstat.formats import LogFormat
from logstat.parse import UTC, LineKind, Reading, blank_line, explain, parse_lines, parse_time, scan_lines
from logstat.sources import Input
from logstat.sources.remote import is_url
from logstat.tally.count import shorten
from logstat.tally.dimensions import DIMENSIONS
from logstat.tally.group import needed_fields
from logstat.tally.model import SAMPLE_TEXT_LIMIT
from logstat.tally.pieces import Piece, read_range

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
"""The partition value of requests without a time, or without a host (a format that logs none),
as Hive and Spark write it; readers take it as null."""

EXPLAINED = 10_000
"""Unparsed lines per piece whose reason is worked out one by one; later ones get a general reason."""

REQUEST_COLUMNS: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.UInt64(),
    "time": UTC,
    "status": pl.Int16(),
    "status_raw": pl.String(),
    "method": pl.String(),
    "path": pl.String(),
    "query": pl.String(),
    "protocol": pl.String(),
    "request": pl.String(),
    "bytes": pl.Int64(),
    "referer": pl.String(),
    "agent": pl.String(),
    "client": pl.String(),
    "user": pl.String(),
    "service": pl.String(),
    "upstream_addr": pl.String(),
    "upstream_status": pl.String(),
    "request_time": pl.Float64(),
    "upstream_response_time": pl.Float64(),
}
"""The columns of every ``requests`` file (the partition columns ``date`` and ``vhost`` are in the paths)."""

UNPARSED_COLUMNS: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.UInt64(),
    "reason": pl.String(),
    "text": pl.String(),
}
"""The columns of every ``unparsed`` file."""

_REQUEST_LINE = r"^([A-Z][A-Z_-]*) (\S+) ([A-Z]+/[0-9.]+)$"
_LATENCY = {"request_time": 1.0, "request_time_ms": 1e-3, "request_time_us": 1e-6}


@dataclass(frozen=True)
class Exported:
    """What one piece (or a whole export) wrote."""

    requests: int = 0
    unparsed: int = 0
    files: int = 0

    def __add__(self, other: Exported) -> Exported:
        return Exported(self.requests + other.requests, self.unparsed + other.unparsed, self.files + other.files)


def input_key(source: Input) -> str:
    """A stable name for an input's files: a hash of its URL or absolute path."""
    where = source.url or (source.name if source.name == "<stdin>" else str(Path(source.name).absolute()))
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _field(fmt: LogFormat, names: Sequence[str]) -> str | None:
    """The first of ``names`` that the format has."""
    return next((name for name in names if name in fmt.fields), None)


def _first(fmt: LogFormat, names: Sequence[str]) -> pl.Expr:
    """The first of ``names`` that the format has, as a column (null when it has none)."""
    found = _field(fmt, names)
    return pl.col(found) if found else pl.lit(None, pl.String)


def _seconds(fmt: LogFormat) -> tuple[pl.Expr, pl.Expr]:
    """``request_time`` and ``upstream_response_time`` in seconds (several upstream values add up)."""
    field = next((name for name in _LATENCY if name in fmt.fields), None)
    request = pl.col(field).cast(pl.Float64, strict=False) * _LATENCY[field] if field else pl.lit(None, pl.Float64)
    upstream: pl.Expr = pl.lit(None, pl.Float64)
    if "upstream_response_time" in fmt.fields:
        raw = pl.col("upstream_response_time")
        total = raw.str.extract_all(r"[0-9]+(?:\.[0-9]+)?").list.eval(pl.element().cast(pl.Float64)).list.sum()
        upstream = pl.when(raw.str.contains(r"[0-9]")).then(total)
    return request, upstream


def _classified(source: Input, reading: Reading, data: bytes | None) -> pl.LazyFrame:
    """Lines with the report's kind (parsed exactly when the report counts them) and every field.

    The fields beyond status, time and latency come from the input's own format: a line that
    only a fallback format read has them null.
    """
    fmt = reading.log_format
    lines = parse_lines(scan_lines(source, data), reading, needed_fields(fmt), fields_of=needed_fields)
    if fmt.time_field is not None:
        bad_time = (pl.col("kind") == LineKind.PARSED) & parse_time(fmt).is_null()
        lines = lines.with_columns(kind=pl.when(bad_time).then(pl.lit(LineKind.UNPARSED, pl.UInt8)).otherwise("kind"))
    others = [name for name in fmt.fields if name not in needed_fields(fmt)]
    if others:
        # The report needs only the fields up to the status; the others come from the whole
        # pattern, and are null on a line that is cut short after the fields the report reads.
        full = pl.when(pl.col("kind") == LineKind.PARSED).then(pl.col("line")).str.extract_groups(fmt.pattern(others))
        lines = lines.with_columns(full.alias("_all")).with_columns(
            pl.col("_all").struct.field(name) for name in others
        )
    return lines


def _requests(lines: pl.LazyFrame, fmt: LogFormat, name: str, lines_before: int) -> pl.LazyFrame:
    request = _first(fmt, ["request"])
    parts = request.str.extract_groups(_REQUEST_LINE)
    target = parts.struct.field("2")
    time = parse_time(fmt) if fmt.time_field else pl.lit(None, UTC)
    request_time, upstream_time = _seconds(fmt)
    columns = {
        "file": pl.lit(name),
        "line": pl.col("lineno") + lines_before,
        "time": time,
        "status": pl.col("status").cast(pl.Int16, strict=False),
        "status_raw": pl.col("status"),
        "method": parts.struct.field("1"),
        "path": target.str.replace(r"\?.*$", ""),
        "query": target.str.extract(r"\?(.*)$", 1),
        "protocol": parts.struct.field("3"),
        "request": request,
        "bytes": _first(fmt, ["body_bytes_sent", "bytes_sent"]).cast(pl.Int64, strict=False),
        "referer": _first(fmt, ["http_referer"]),
        "agent": _first(fmt, ["http_user_agent"]),
        "client": _first(fmt, DIMENSIONS["client"]),
        "user": _first(fmt, ["remote_user"]),
        "service": _first(fmt, ["proxy_upstream_name"]),
        "upstream_addr": _first(fmt, ["upstream_addr"]),
        "upstream_status": _first(fmt, ["upstream_status"]),
        "request_time": request_time,
        "upstream_response_time": upstream_time,
    }
    partitions = [time.dt.strftime("%Y-%m-%d").fill_null(NULL_PARTITION).alias("date")]
    # Every file gets both levels: readers (DuckDB) refuse a dataset whose paths differ in depth,
    # and one directory may hold logs of formats with and without a host.
    vhost = _field(fmt, DIMENSIONS["vhost"])
    host = pl.col(vhost).fill_null(NULL_PARTITION) if vhost else pl.lit(NULL_PARTITION)
    partitions.append(host.alias("vhost"))
    typed = [expr.cast(REQUEST_COLUMNS[key]).alias(key) for key, expr in columns.items()]
    return lines.filter(pl.col("kind") == LineKind.PARSED).select(*typed, *partitions)


def partition_value(value: str) -> str:
    """A partition value safe as one path component (Hive's escaping: ``%XX`` for anything odd)."""
    value = value[:200]
    if value in ("", ".", ".."):
        return NULL_PARTITION if not value else "".join(f"%{ord(c):02X}" for c in value)
    return re.sub(r"[^A-Za-z0-9._~@+-]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)


def export_piece(piece: Piece, to: str, storage_options: Mapping[str, str] | None = None) -> Exported:
    """Write the requests and unparsed lines of one piece under ``to``; return what was written.

    Raises
    ------
    OutputError
        When a file cannot be written.
    """
    reading, source = piece.reading, piece.source
    fmt = reading.log_format
    data = None if piece.end is None else read_range(piece)
    name = f"part-{input_key(source)}-{piece.start:015d}.parquet"
    if piece.undetected is not None:
        kind = pl.when(blank_line()).then(pl.lit(LineKind.BLANK, pl.UInt8))
        lines = scan_lines(source, data).with_columns(kind=kind.otherwise(pl.lit(LineKind.UNPARSED, pl.UInt8)))
        unparsed = _unparsed(lines, None, source.name, piece.lines_before)
        if unparsed.height:
            _write(unparsed, f"{to}/unparsed/{name}", storage_options)
        return Exported(0, unparsed.height, 1 if unparsed.height else 0)
    lines = _classified(source, reading, data)
    requests = _requests(lines, fmt, source.name, piece.lines_before).collect(engine="streaming")
    keys = [key for key in ("date", "vhost") if key in requests.columns]
    written = 0
    for values, part in requests.partition_by(keys, as_dict=True, maintain_order=True).items():
        where = "/".join(f"{key}={partition_value(str(value))}" for key, value in zip(keys, values, strict=True))
        _write(part.drop(keys), f"{to}/requests/{where}/{name}", storage_options)
        written += 1
    unparsed = _unparsed(lines, fmt, source.name, piece.lines_before)
    if unparsed.height:
        _write(unparsed, f"{to}/unparsed/{name}", storage_options)
        written += 1
    return Exported(requests.height, unparsed.height, written)


def _unparsed(lines: pl.LazyFrame, fmt: LogFormat | None, name: str, lines_before: int) -> pl.DataFrame:
    """The unparsed lines with their reasons (``fmt`` None: no format matched the input)."""
    bad = lines.filter(pl.col("kind") == LineKind.UNPARSED).select("lineno", "line").collect(engine="streaming")
    general = "no known log format matches this file" if fmt is None else f"does not match the log format {fmt.name}"
    reasons = [
        explain(fmt, text or "", needed_fields(fmt)) if fmt is not None and number < EXPLAINED else general
        for number, text in enumerate(bad["line"])
    ]
    return pl.DataFrame(
        {
            "file": [name] * bad.height,
            "line": bad["lineno"] + lines_before,
            "reason": reasons,
            "text": [shorten(text or "", SAMPLE_TEXT_LIMIT) for text in bad["line"]],
        },
        schema=UNPARSED_COLUMNS,
    )


def _write(frame: pl.DataFrame, target: str, storage_options: Mapping[str, str] | None) -> None:
    """Write one Parquet file (zstd), atomically in a local directory."""
    try:
        if is_url(target):
            frame.write_parquet(target, compression="zstd", storage_options=dict(storage_options or {}) or None)
            return
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
        try:
            frame.write_parquet(temporary, compression="zstd")
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, pl.exceptions.PolarsError) as exc:
        msg = f"{target}: cannot write the export ({str(exc).splitlines()[0] if str(exc) else exc}); check the target"
        raise OutputError(msg) from None


def clear_input(to: str, source: Input) -> None:
    """Remove an input's files from an earlier export into the local directory ``to``."""
    if is_url(to):
        return  # objects are replaced by name; see the module docstring
    key = input_key(source)
    for table in ("requests", "unparsed"):
        for old in Path(to, table).glob(f"**/part-{key}-*.parquet"):
            old.unlink()


def export_locally(pieces: Sequence[Piece], to: str, storage_options: Mapping[str, str] | None) -> Iterator[Exported]:
    """Export the pieces one after another in this process."""
    for piece in pieces:
        yield export_piece(piece, to, storage_options)
