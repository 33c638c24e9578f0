"""Opening inputs and turning each one into a LazyFrame of per-line fields."""

from __future__ import annotations

import gzip
import itertools
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import IO

import polars as pl

from logstat.errors import InputError
from logstat.formats import LogFormat

SAMPLE_LINES = 200
"""How many non-blank lines format detection looks at."""


class LineKind(IntEnum):
    """What became of a line. Every line gets exactly one kind, so totals reconcile."""

    BLANK = 0
    UNPARSED = 1
    PARSED = 2


@dataclass(frozen=True)
class Input:
    """One log source: a file on disk, or standard input spooled to a temporary file."""

    name: str
    path: Path

    @property
    def compressed(self) -> bool:
        """Whether the file is gzip-compressed (polars decompresses it while scanning)."""
        return self.path.suffix == ".gz"


def open_inputs(names: Sequence[str], *, spool_dir: Path) -> list[Input]:
    """Resolve command-line names to inputs; ``-`` spools standard input into ``spool_dir``.

    Raises
    ------
    InputError
        For a name that is missing, a directory, or unreadable.
    """
    inputs: list[Input] = []
    for name in names:
        if name == "-":
            inputs.append(Input("<stdin>", _spool_stdin(spool_dir)))
            continue
        path = Path(name)
        if path.is_dir():
            msg = f"{name}: is a directory; pass the files in it, e.g. '{path / 'access.log*'}'"
            raise InputError(msg)
        try:
            with path.open("rb"):
                pass
        except FileNotFoundError:
            msg = f"{name}: no such file; check the path"
            raise InputError(msg) from None
        except PermissionError:
            msg = f"{name}: permission denied; run as a user that can read it"
            raise InputError(msg) from None
        except OSError as exc:
            msg = f"{name}: cannot be read ({exc.strerror}); check the path"
            raise InputError(msg) from None
        inputs.append(Input(name, path))
    return inputs


def _spool_stdin(spool_dir: Path) -> Path:
    # polars scans files, not pipes; a spooled copy also lets a second query re-read it.
    target = spool_dir / f"stdin-{len(list(spool_dir.iterdir()))}.log"
    with target.open("wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return target


def _open_binary(source: Input) -> IO[bytes]:
    if source.compressed:
        return gzip.open(source.path, "rb")
    return source.path.open("rb")


def read_sample(source: Input, *, limit: int = SAMPLE_LINES) -> list[str]:
    """Return up to ``limit`` non-blank lines from the start of ``source``, decoded lossily."""
    try:
        with _open_binary(source) as handle:
            decoded = (raw.decode("utf-8", "replace").rstrip("\r\n") for raw in handle)
            return list(itertools.islice((ln for ln in decoded if ln.strip()), limit))
    except (OSError, EOFError) as exc:
        msg = f"{source.name}: cannot be read ({exc}); is the file complete and not corrupt?"
        raise InputError(msg) from None


def scan_lines(source: Input) -> pl.LazyFrame:
    """Scan ``source`` as one ``line`` column plus a 1-based ``lineno``.

    Bytes that are not valid UTF-8 become U+FFFD instead of failing the scan. An empty
    line reads as null. The unit-separator byte 0x1F ends what is read of a line (the
    CSV reader needs some separator and that byte does not occur in server-written logs).
    """
    return pl.scan_csv(
        source.path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        schema={"line": pl.String},
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        extra_columns="ignore",
        raise_if_empty=False,
    ).with_row_index("lineno", offset=1)


def parse_lines(lines: pl.LazyFrame, log_format: LogFormat, fields: Sequence[str]) -> pl.LazyFrame:
    """Add ``kind`` and one column per requested field to a frame from :func:`scan_lines`.

    Only the requested fields are captured, and the regex stops after the last of them.
    """
    line = pl.col("line")
    groups = line.str.extract_groups(log_format.pattern(fields))
    captured = [groups.struct.field(name).alias(name) for name in fields]
    is_blank = line.is_null() | (line.str.strip_chars(" \t\r\x0b\x0c").str.len_bytes() == 0)
    kind = (
        pl.when(is_blank)
        .then(pl.lit(LineKind.BLANK, pl.UInt8))
        .when(groups.struct.field("status").is_null())
        .then(pl.lit(LineKind.UNPARSED, pl.UInt8))
        .otherwise(pl.lit(LineKind.PARSED, pl.UInt8))
    )
    return lines.with_columns(*captured, kind.alias("kind"))
