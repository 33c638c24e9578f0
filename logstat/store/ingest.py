"""A run that updates a store: take the store's lock, read what is new in each file, count it,
and commit the new tallies and cursors in one transaction.

The lock is taken before the cursors are read (``BEGIN IMMEDIATE``), so a second run started
meanwhile waits, then reads only what the first one left. Nothing is written before everything
is read: a run that dies (``kill -9`` included) commits nothing, and the next run reads the same
lines again.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from logstat.errors import UnknownFormatError, UsageError
from logstat.formats import BUILTIN_FORMATS, UNDETECTED, LogFormat
from logstat.formats.builtins import format_named
from logstat.parse import LineKind
from logstat.sources import Input, expand_arguments
from logstat.sources.cursor import Cursor, Piece, plan
from logstat.sources.paths import check_readable, copy_stdin, spool_stream
from logstat.store.schema import EVIDENCE_BUCKET, connect, ensure_schema, read_meta, store_error
from logstat.store.write import CountedPiece, record_run
from logstat.tally.count import CountOptions, count_input, count_undetected, with_shared_formats
from logstat.tally.model import SAMPLE_LIMIT, Tally
from logstat.text import display_name

STORED_SPLITS = ("vhost", "service")
"""Split keys a store can keep (``file`` and ``host`` are taken from what every store keeps)."""


_ROTATED = re.compile(r"(?:[.-][0-9]+)?(?:\.(?:gz|bz2|xz|zst|zstd))?$")


def log_name(name: str) -> str:
    """The log a file belongs to: its name without a rotation number or date and compression
    suffix (``access.log.2.gz``, ``access.log-20261010.gz`` → ``access.log``)."""
    return _ROTATED.sub("", name) or name


@dataclass(frozen=True)
class Stored:
    """What the store knows of one input: its cursor, its log and its format (once lines parsed)."""

    cursor: Cursor
    log: str
    log_format: LogFormat | None
    detected: bool


@dataclass(frozen=True)
class RunResult:
    """What one run read and wrote."""

    tally: Tally
    """The new lines, split by the store's split key (if any), or by file when asked."""
    run: int
    host: str
    split_by: str | None
    """The store's split key (``vhost``, ``service``) or None."""
    meta: dict[str, str]


@contextmanager
def locked(path: Path, *, wait: float) -> Iterator[sqlite3.Connection]:
    """The store at ``path`` (created if missing) inside a write transaction, committed when the
    block ends and rolled back if it fails.

    Raises
    ------
    StoreError
        When another run holds the lock for longer than ``wait`` seconds, or the store is unusable.
    """
    conn = connect(path, create=True, wait=wait)
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            ensure_schema(conn, path)
        except sqlite3.Error as exc:
            raise store_error(path, exc) from None
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise store_error(path, exc) from None
    finally:
        conn.close()


def _stored(conn: sqlite3.Connection) -> list[Stored]:
    found = []
    for row in conn.execute(
        'SELECT input, fingerprint, fingerprint_bytes, "offset", lines, name, device, inode, size, mtime_ns, '
        "log, log_format, definition, syntax, detected FROM inputs ORDER BY input"
    ):
        fingerprint, size_fp, offset, lines, name, device, inode, size, mtime = row[1:10]
        cursor = Cursor(fingerprint, size_fp, offset, lines, name, device, inode, size, mtime, row[0])
        log, fmt, definition, syntax, detected = row[10:]
        known = format_named(fmt, definition, syntax) if fmt is not None else None
        found.append(Stored(cursor, log, known, bool(detected)))
    return found


def _files(arguments: Sequence[str], spool_dir: Path) -> list[tuple[str, Path]]:
    """Each argument (globs expanded) as a display name and a path to read; a pipe or standard
    input is copied to ``spool_dir`` first (it is then known by its content alone)."""
    files = []
    for number, name in enumerate(expand_arguments(arguments)):
        if name == "-":
            files.append(("<stdin>", copy_stdin(spool_dir / f"stdin-{number}")))
            continue
        path = check_readable(name)
        if not path.is_file():
            path = spool_stream(name, path, spool_dir / f"stream-{number}")
        files.append((display_name(name), path))
    return files


def _store_split(conn: sqlite3.Connection, meta: dict[str, str], split_by: str | None, path: Path) -> str | None:
    """The split key this run counts by: the store's, set by its first run."""
    stored = meta.get("split_by") or None
    wanted = split_by if split_by in STORED_SPLITS else None
    if stored is None and wanted is not None:
        if conn.execute("SELECT count(*) FROM runs").fetchone()[0]:
            msg = (
                f"{display_name(str(path))}: this store was started without --split {wanted}, so it does not "
                f"keep requests per {wanted}; use a new --state file for that"
            )
            raise UsageError(msg)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'split_by'", (wanted,))
        meta["split_by"] = wanted
        return wanted
    if stored is not None and wanted is not None and wanted != stored:
        msg = f"{display_name(str(path))}: this store keeps requests per {stored}, not per {wanted}"
        raise UsageError(msg)
    return stored


def update_store(
    path: Path,
    arguments: Sequence[str],
    log_format: LogFormat | None,
    *,
    split_by: str | None = None,
    wait: float = 600,
    keep: timedelta | None = None,
    spool_dir: Path,
    sample_limit: int = SAMPLE_LIMIT,
    on_input: Callable[[Input], None] | None = None,
) -> RunResult:
    """Read what is new in the files of ``arguments`` and add it to the store at ``path``."""
    started = datetime.now(UTC)
    files = _files(arguments, spool_dir)
    with locked(path, wait=wait) as conn:
        meta = read_meta(conn)
        split = _store_split(conn, meta, split_by, path)
        stored = _stored(conn)
        pieces = plan(files, [s.cursor for s in stored], spool_dir)
        # Per file, the new lines' report can be split without the store keeping it (it has `log`).
        counting = split or ("file" if split_by == "file" else None)
        options = CountOptions(split_by=counting, sample_limit=sample_limit, evidence_bucket=EVIDENCE_BUCKET)
        by_key = {s.cursor.key: s for s in stored}
        counted = _count(pieces, by_key, log_format, options, spool_dir, on_input)
        total = Tally.empty(counting, sample_limit=sample_limit)
        for one in counted:
            total = total.merge(one.tally)
        kept = counted if counting == split else [replace(one, tally=one.tally.unsplit()) for one in counted]
        finished = datetime.now(UTC)
        run = record_run(conn, kept, total if counting == split else total.unsplit(), started=started,
                         finished=finished, keep=keep)
    return RunResult(with_shared_formats(total), run, meta["host"], split, meta)


def _count(
    pieces: Sequence[Piece],
    stored: dict[int | None, Stored],
    log_format: LogFormat | None,
    options: CountOptions,
    spool_dir: Path,
    on_input: Callable[[Input], None] | None,
) -> list[CountedPiece]:
    """Count each piece's new lines, as :func:`count_inputs` counts whole files."""
    readable = sum(piece.source is not None for piece in pieces)
    undetected: list[UnknownFormatError] = []
    counted: list[CountedPiece] = []
    samples = 0
    for ordinal, piece in enumerate(pieces):
        known = stored.get(piece.previous.key) if piece.previous is not None else None
        fmt = log_format or (known.log_format if known else None)
        remaining = replace(options, sample_limit=max(0, options.sample_limit - samples))
        if piece.source is None:
            tally = _idle(piece, fmt or BUILTIN_FORMATS["combined"], fmt is None or bool(known and known.detected),
                          ordinal, remaining)
        else:
            if on_input is not None:
                on_input(piece.source)
            try:
                tally = count_input(piece.source, fmt, remaining, ordinal=ordinal, spool_dir=spool_dir)
            except UnknownFormatError as exc:
                if readable == 1:
                    raise
                undetected.append(exc)
                tally = count_undetected(piece.source, str(exc), remaining, ordinal=ordinal)
            tally = tally.shifted(piece.start_line)
            if log_format is None and known is not None and known.log_format is not None:
                tally = replace(tally, inputs=tally.inputs.with_columns(detected=pl.lit(known.detected)))
        samples += tally.samples.height
        lines = tally.totals()["lines"]
        counted.append(CountedPiece(
            piece, known.log if known else log_name(piece.name), tally, piece.cursor(lines), _established(tally)
        ))
    if undetected and len(undetected) == readable:
        raise undetected[0]
    return counted


def _established(tally: Tally) -> tuple[str, str, str, bool] | None:
    """The format of a piece to remember for its input: once some line parsed with it.

    Raises
    ------
    UsageError
        When the format has no time: the store keeps requests per minute.
    """
    row = tally.inputs.row(0, named=True)
    fmt = format_named(row["log_format"], row["definition"], row["syntax"])
    read = tally.lines.filter(pl.col("kind").is_in([LineKind.PARSED, LineKind.FILTERED]))["count"].sum()
    if fmt is UNDETECTED or not read:
        return None
    if fmt.time_field is None:
        msg = (
            f"{row['input']}: --state keeps requests per minute, and the log format {fmt.name!r} has no time; "
            "add $time_local (nginx) or %t (Apache) to the format"
        )
        raise UsageError(msg)
    return fmt.name, fmt.definition, fmt.syntax, bool(row["detected"])


def _idle(piece: Piece, fmt: LogFormat, detected: bool, ordinal: int, options: CountOptions) -> Tally:
    """The tally of a file with no new line: it is listed among the inputs, with no line."""
    row = {"input": piece.name, "ordinal": ordinal, "log_format": fmt.name, "definition": fmt.definition,
           "syntax": fmt.syntax, "detected": detected, "note": piece.note}
    return Tally.of(options.split_by, sample_limit=options.sample_limit, inputs=pl.DataFrame([row]))
