"""The store's tables, its schema version, and the migrations from older versions.

A store is one SQLite file in WAL mode. Its tables and columns are documented in
``docs/store.md`` and keep their names and types: dashboards query them directly. Times are
whole seconds since the Unix epoch, UTC (``minute``, ``bucket``, ``started_at`` ...), except
``first_us``/``last_us`` (microseconds, to keep sub-second times exact). ``split`` is ``''``
in a store that is not split.
"""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from logstat.errors import StoreError
from logstat.sources.cursor import FINGERPRINT_BYTES
from logstat.text import display_name

SCHEMA_VERSION = 2
"""The layout this logstat writes; ``meta.schema_version`` holds a store's own."""


EVIDENCE_BUCKET = timedelta(hours=1)
"""The time bucket of the ``evidence`` and ``latency`` tables (counts are per minute)."""


_V1_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE runs (
        run INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
        logstat_version TEXT NOT NULL, files INTEGER NOT NULL, lines INTEGER NOT NULL,
        requests INTEGER NOT NULL)""",
    """CREATE TABLE inputs (
        input INTEGER PRIMARY KEY, log TEXT NOT NULL, name TEXT NOT NULL,
        fingerprint TEXT NOT NULL, fingerprint_bytes INTEGER NOT NULL,
        "offset" INTEGER NOT NULL, lines INTEGER NOT NULL, size INTEGER NOT NULL,
        device INTEGER NOT NULL, inode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        log_format TEXT, definition TEXT, syntax TEXT, detected INTEGER,
        first_run INTEGER NOT NULL, last_run INTEGER NOT NULL)""",
    """CREATE TABLE lines (
        run INTEGER NOT NULL, input INTEGER NOT NULL, kind TEXT NOT NULL, read_with TEXT NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (run, input, kind, read_with)) WITHOUT ROWID""",
    """CREATE TABLE counts (
        minute INTEGER NOT NULL, log TEXT NOT NULL, split TEXT NOT NULL, status TEXT NOT NULL,
        first_us INTEGER NOT NULL, last_us INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (minute, log, split, status)) WITHOUT ROWID""",
    """CREATE TABLE evidence (
        bucket INTEGER NOT NULL, split TEXT NOT NULL, status TEXT NOT NULL, dim TEXT NOT NULL,
        value TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (bucket, split, status, dim, value)) WITHOUT ROWID""",
    """CREATE TABLE latency (
        bucket INTEGER NOT NULL, split TEXT NOT NULL, status TEXT NOT NULL, dim TEXT NOT NULL,
        ms INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (bucket, split, status, dim, ms)) WITHOUT ROWID""",
    """CREATE TABLE samples (
        run INTEGER NOT NULL, input INTEGER NOT NULL, lineno INTEGER NOT NULL, reason TEXT NOT NULL,
        text TEXT NOT NULL, PRIMARY KEY (run, input, lineno)) WITHOUT ROWID""",
)
"""Version 1: what was read (``inputs``, ``runs``, ``lines``, ``samples``) and the tallies in
time buckets (``counts``, ``evidence``, ``latency``)."""


_V2_TABLES = (
    """CREATE TABLE totals (
        split TEXT NOT NULL, status TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (split, status)) WITHOUT ROWID""",
    "CREATE TABLE line_totals (kind TEXT PRIMARY KEY, count INTEGER NOT NULL)",
    """CREATE TABLE latency_totals (
        split TEXT NOT NULL, status TEXT NOT NULL, dim TEXT NOT NULL, ms INTEGER NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (split, status, dim, ms)) WITHOUT ROWID""",
)
"""Version 2 adds counters over the store's whole life, which ``--keep`` never prunes (so
that Prometheus's ``rate()`` works on them)."""


MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        *_V2_TABLES,
        "INSERT INTO totals SELECT split, status, sum(count) FROM counts GROUP BY split, status",
        "INSERT INTO line_totals SELECT kind, sum(count) FROM lines GROUP BY kind",
        "INSERT INTO latency_totals SELECT split, status, dim, ms, sum(count) FROM latency "
        "GROUP BY split, status, dim, ms",
    ),
}
"""The statements that take a store from each version to the next (from what it still holds)."""


CREATE = (*_V1_TABLES, *_V2_TABLES)
"""The tables of a new store."""


def connect(path: Path, *, create: bool, wait: float) -> sqlite3.Connection:
    """Open the store at ``path`` (in autocommit mode: transactions are explicit).

    ``wait`` is how many seconds a statement waits for another run's lock.

    Raises
    ------
    StoreError
        When there is no store at ``path`` and ``create`` is false, or the file cannot be opened.
    """
    if not create and not path.exists():
        msg = f"{display_name(str(path))}: no such store; a run that reads logs with --state creates it"
        raise StoreError(msg)
    try:
        conn = sqlite3.connect(path, timeout=wait, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # One commit per run: syncing it costs nothing, and a committed run survives a power cut.
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        raise store_error(path, exc) from None
    return conn


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The one-line error for an SQLite failure on the store at ``path``."""
    shown = display_name(str(path))
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            f"{shown}: another logstat run is updating this store and did not finish in time; "
            "run again later (or wait longer with --wait), and this run's lines will be read then"
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(f"{shown}: not a logstat store (the file is not an SQLite database); check the --state path")
    return StoreError(f"{shown}: the store cannot be used ({text}); check the file, the disk and the permissions")


def version(conn: sqlite3.Connection) -> int | None:
    """The store's schema version; None for an empty database (no table yet)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return None
    if "meta" not in tables:
        return -1
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else -1


def ensure_schema(conn: sqlite3.Connection, path: Path, *, now: datetime | None = None) -> None:
    """Create the tables of a new store, or migrate an older one; inside the caller's write transaction.

    Raises
    ------
    StoreError
        When the database is not a logstat store, or one written by a newer logstat.
    """
    found = version(conn)
    shown = display_name(str(path))
    if found is None:
        for statement in CREATE:
            conn.execute(statement)
        created = int((now or datetime.now(UTC)).timestamp())
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "host": socket.gethostname(),
            "created_at": str(created),
            "evidence_bucket": str(int(EVIDENCE_BUCKET.total_seconds())),
            "fingerprint_bytes": str(FINGERPRINT_BYTES),
            "split_by": "",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        return
    if found < 1:
        msg = f"{shown}: an SQLite database, but not a logstat store; check the --state path"
        raise StoreError(msg)
    if found > SCHEMA_VERSION:
        msg = (
            f"{shown}: written by a newer logstat (schema version {found}; this one reads up to "
            f"{SCHEMA_VERSION}); upgrade logstat to use it"
        )
        raise StoreError(msg)
    for step in range(found, SCHEMA_VERSION):
        for statement in MIGRATIONS[step]:
            conn.execute(statement)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(step + 1),))


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The store's ``meta`` table as a dictionary."""
    with closing(conn.execute("SELECT key, value FROM meta")) as rows:
        return {str(key): str(value) for key, value in rows}
