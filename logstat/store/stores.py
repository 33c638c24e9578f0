"""Reading one or several stores (copied from several hosts) as one tally."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from logstat.errors import UsageError
from logstat.store.read import Rounded, coverage, lifetime_tally, window_tally
from logstat.store.schema import SCHEMA_VERSION, connect, ensure_schema, read_meta, store_error, version
from logstat.tally.model import SAMPLE_LIMIT, Tally
from logstat.text import display_name

READ_SPLITS = ("vhost", "service", "file", "host")
"""What ``--split`` accepts with ``--state``: a key the store keeps, its logs, or its host."""


@dataclass(frozen=True)
class OpenStore:
    """A store opened for reading."""

    path: Path
    conn: sqlite3.Connection
    meta: dict[str, str]

    @property
    def host(self) -> str:
        """The store's name for its host (``meta.host``: the host name where it was created)."""
        return self.meta.get("host") or self.path.stem

    @property
    def split_by(self) -> str | None:
        """The key the store keeps requests per (``vhost``, ``service``), or None."""
        return self.meta.get("split_by") or None

    def history(self) -> tuple[datetime | None, datetime | None]:
        """From when to when the store holds history (see :func:`coverage`)."""
        return coverage(self.conn, self.meta)


def _open(path: Path, wait: float) -> OpenStore:
    conn = connect(path, create=False, wait=wait)
    try:
        found = version(conn)
        if found is None or found < SCHEMA_VERSION:
            # An older store is migrated in place (under the write lock) before it is read.
            conn.execute("BEGIN IMMEDIATE")
            ensure_schema(conn, path)
            conn.execute("COMMIT")
        else:
            ensure_schema(conn, path)  # refuses a newer or foreign database
        meta = read_meta(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return OpenStore(path, conn, meta)


@contextmanager
def opened(paths: Sequence[Path], *, wait: float) -> Iterator[list[OpenStore]]:
    """The stores at ``paths``, open for reading until the block ends."""
    with ExitStack() as stack:
        stores = []
        for path in paths:
            store = _open(path, wait)
            stack.callback(store.conn.close)
            stores.append(store)
        yield stores


def _check_split(stores: Sequence[OpenStore], split_by: str | None) -> None:
    if split_by not in (None, "file", "host"):
        lacking = [s for s in stores if s.split_by != split_by]
        if lacking:
            shown = display_name(str(lacking[0].path))
            kept = f"per {lacking[0].split_by}" if lacking[0].split_by else "without a split key"
            msg = (
                f"{shown}: this store keeps requests {kept}, so --split {split_by} cannot be read from it; "
                f"a store keeps the --split of its first run (vhost or service)"
            )
            raise UsageError(msg)


def with_split(tally: Tally, split_by: str, key: str) -> Tally:
    """``tally`` with every request under the one split key ``key`` (a host, a file)."""
    tables = {name: getattr(tally, name) for name in Tally.TABLES}
    for name in ("counts", "evidence", "latency"):
        tables[name] = tables[name].with_columns(split=pl.lit(key))
    return Tally.of(split_by, sample_limit=tally.sample_limit, **tables)


def _renamed(tally: Tally, host: str) -> Tally:
    """``tally`` with its inputs named ``host:log``, so that the logs of several hosts stay apart."""
    tables = {name: getattr(tally, name) for name in Tally.TABLES}
    for name in ("inputs", "lines", "samples"):
        tables[name] = tables[name].with_columns(input=pl.lit(f"{host}:") + pl.col("input"))
    return Tally.of(tally.split_by, sample_limit=tally.sample_limit, **tables)


def _combined(stores: Sequence[OpenStore], split_by: str | None, tallies: Sequence[Tally]) -> Tally:
    total = Tally.empty(split_by)
    for store, tally in zip(stores, tallies, strict=True):
        if len(stores) > 1:
            tally = _renamed(tally, store.host)
        total = total.merge(tally)
    return total


def read_window(
    stores: Sequence[OpenStore], rounded: Rounded, *, split_by: str | None, sample_limit: int = SAMPLE_LIMIT
) -> Tally:
    """The stores' tally for ``rounded``, merged; ``split_by="host"`` gives one split per store."""
    _check_split(stores, split_by)
    return _combined(
        stores,
        split_by,
        [window_tally(s.conn, rounded, split_by=split_by, host=s.host, sample_limit=sample_limit) for s in stores],
    )


def read_lifetime(stores: Sequence[OpenStore], *, split_by: str | None) -> Tally:
    """The stores' counters over their whole life, merged (``file`` splits are not kept in them)."""
    _check_split(stores, split_by)
    kept = None if split_by == "file" else split_by
    return _combined(stores, kept, [lifetime_tally(s.conn, split_by=kept, host=s.host) for s in stores])


def history(stores: Sequence[OpenStore]) -> tuple[datetime | None, datetime | None]:
    """The span every one of the stores holds history for (``(None, None)`` when one holds none)."""
    spans = [store.history() for store in stores]
    if any(start is None or end is None for start, end in spans):
        return None, None
    starts = [start for start, _ in spans if start is not None]
    ends = [end for _, end in spans if end is not None]
    return max(starts), min(ends)
