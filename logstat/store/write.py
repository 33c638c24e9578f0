"""Writing one run into the store: its new tallies, its cursors and its line accounting, in the
caller's single transaction, and pruning with ``--keep``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from logstat import __version__
from logstat.parse import LineKind
from logstat.sources.cursor import Cursor, Piece
from logstat.store.schema import EVIDENCE_BUCKET
from logstat.tally.model import Tally


@dataclass(frozen=True)
class CountedPiece:
    """One file of a run: what was read of it, its tally, and the cursor after it."""

    piece: Piece
    log: str
    """The log the file belongs to (its name without rotation suffixes; see :func:`log_name`)."""
    tally: Tally
    cursor: Cursor | None
    log_format: tuple[str, str, str, bool] | None = None
    """The format to remember for the input (name, definition, syntax, detected), once lines parsed."""


KIND_NAMES = {kind: kind.name.lower() for kind in LineKind}
"""``lines.kind`` and ``line_totals.kind`` values: ``parsed``, ``filtered``, ``unparsed``, ``blank``."""


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def record_run(
    conn: sqlite3.Connection,
    pieces: Sequence[CountedPiece],
    total: Tally,
    *,
    started: datetime,
    finished: datetime,
    keep: timedelta | None = None,
) -> int:
    """Write a run (``total`` is the merge of the pieces' tallies) and return its number."""
    cursor = conn.execute(
        "INSERT INTO runs (started_at, finished_at, logstat_version, files, lines, requests) VALUES (?, ?, ?, ?, ?, ?)",
        (
            _seconds(started), _seconds(finished), __version__, len(pieces),
            total.totals()["lines"], total.totals()["parsed"],
        ),
    )
    run = int(cursor.lastrowid or 0)
    for counted in pieces:
        key = _save_input(conn, run, counted)
        if key is None:
            continue
        _upsert(conn, "lines", ("run", "input", "kind", "read_with"), ("count",), _line_rows(run, key, counted.tally))
        samples = counted.tally.samples.select(
            pl.lit(run).alias("run"), pl.lit(key).alias("input"), "lineno", "reason", "text"
        )
        conn.executemany("INSERT OR IGNORE INTO samples VALUES (?, ?, ?, ?, ?)", samples.iter_rows())
        counts = counted.tally.counts.select(
            pl.col("minute").dt.epoch("s"), pl.lit(counted.log).alias("log"), _split(), "status",
            pl.col("first").dt.epoch("us"), pl.col("last").dt.epoch("us"), "count",
        )
        conn.executemany(
            "INSERT INTO counts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (minute, log, split, status) DO UPDATE SET "
            "first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us), "
            "count = count + excluded.count",
            counts.iter_rows(),
        )
    bucket = pl.col("bucket").dt.epoch("s")
    evidence = total.evidence.select(bucket, _split(), "status", "dim", "value", "count")
    _upsert(conn, "evidence", ("bucket", "split", "status", "dim", "value"), ("count",), evidence.iter_rows())
    latency = total.latency.select(bucket, _split(), "status", "dim", "ms", "count")
    _upsert(conn, "latency", ("bucket", "split", "status", "dim", "ms"), ("count",), latency.iter_rows())
    _add_totals(conn, total)
    if keep is not None:
        prune(conn, finished - keep)
    return run


def _split() -> pl.Expr:
    return pl.col("split").fill_null("")


def _line_rows(run: int, key: int, tally: Tally) -> Iterable[tuple[Any, ...]]:
    for kind, read_with, count in tally.lines.select("kind", "read_with", "count").iter_rows():
        yield run, key, KIND_NAMES[LineKind(kind)], read_with, count


def _upsert(
    conn: sqlite3.Connection, table: str, keys: Sequence[str], sums: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (``keys`` then ``sums``), adding the sums to a row with the same keys."""
    columns = [*keys, *sums]
    marks = ", ".join("?" for _ in columns)
    added = ", ".join(f"{name} = {name} + excluded.{name}" for name in sums)
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
    )
    conn.executemany(statement, rows)


def _save_input(conn: sqlite3.Connection, run: int, counted: CountedPiece) -> int | None:
    """Update (or add) the input's row with its new cursor; its number, or None when nothing is kept."""
    cursor = counted.cursor
    if cursor is None:
        return None
    fmt = counted.log_format
    values = (
        cursor.name, cursor.fingerprint, cursor.fingerprint_bytes, cursor.offset, cursor.lines, cursor.size,
        cursor.device, cursor.inode, cursor.mtime_ns, run,
    )
    if cursor.key is not None:
        conn.execute(
            'UPDATE inputs SET name = ?, fingerprint = ?, fingerprint_bytes = ?, "offset" = ?, lines = ?, size = ?, '
            "device = ?, inode = ?, mtime_ns = ?, last_run = ? WHERE input = ?",
            (*values, cursor.key),
        )
        key = cursor.key
    else:
        inserted = conn.execute(
            'INSERT INTO inputs (name, fingerprint, fingerprint_bytes, "offset", lines, size, device, inode, '
            "mtime_ns, last_run, log, first_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, counted.log, run),
        )
        key = int(inserted.lastrowid or 0)
    if fmt is not None:
        conn.execute(
            "UPDATE inputs SET log_format = ?, definition = ?, syntax = ?, detected = ? WHERE input = ?",
            (fmt[0], fmt[1], fmt[2], int(fmt[3]), key),
        )
    return key


def _add_totals(conn: sqlite3.Connection, total: Tally) -> None:
    """Add the run to the counters over the store's whole life."""
    per_status = total.counts.group_by(_split(), "status").agg(pl.col("count").sum())
    _upsert(conn, "totals", ("split", "status"), ("count",), per_status.iter_rows())
    per_kind = [(KIND_NAMES[LineKind(kind)], count) for kind, count in total.lines.group_by("kind").agg(
        pl.col("count").sum()
    ).iter_rows()]
    _upsert(conn, "line_totals", ("kind",), ("count",), per_kind)
    latency = total.latency.group_by(_split(), "status", "dim", "ms").agg(pl.col("count").sum())
    _upsert(conn, "latency_totals", ("split", "status", "dim", "ms"), ("count",), latency.iter_rows())


def prune(conn: sqlite3.Connection, cutoff: datetime) -> None:
    """Drop what is older than ``cutoff``: minutes and whole buckets before it, runs that ended
    before it, and inputs no run has seen since (the lifetime counters stay)."""
    minute = _seconds(cutoff) // 60 * 60
    size = int(EVIDENCE_BUCKET.total_seconds())
    bucket = _seconds(cutoff) // size * size
    conn.execute("DELETE FROM counts WHERE minute < ?", (minute,))
    conn.execute("DELETE FROM evidence WHERE bucket < ?", (bucket,))
    conn.execute("DELETE FROM latency WHERE bucket < ?", (bucket,))
    old_runs = "SELECT run FROM runs WHERE finished_at < ?"
    for table, column in (("samples", "run"), ("lines", "run"), ("inputs", "last_run")):
        conn.execute(f"DELETE FROM {table} WHERE {column} IN ({old_runs})", (_seconds(cutoff),))
    conn.execute("DELETE FROM runs WHERE finished_at < ?", (_seconds(cutoff),))
    conn.execute(
        "INSERT INTO meta VALUES ('kept_since', ?) ON CONFLICT (key) DO UPDATE SET "
        "value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
        (str(minute),),
    )

