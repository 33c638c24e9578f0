"""Counting on a Dask cluster: each piece of the inputs is a task, the client folds the tallies.

``--cluster ADDRESS`` (or ``DASK_SCHEDULER_ADDRESS``) names a running Dask scheduler. The
client plans the pieces (:func:`logstat.tally.pieces.plan`: formats are detected there, large
plain files are cut into line-aligned ranges), submits one task per piece, and folds the
returned tallies in plan order, exactly as a local run folds them: the report is the same, byte
for byte. A task returns its tally as bytes (:mod:`logstat.tally.serialize`): small, whatever
the size of the piece. Workers read the logs themselves: objects in storage, or local paths on
a filesystem that every worker mounts at the same place. Inputs that exist only on the client
(standard input, and copies it made of UTF-16, CR-only, bzip2 and xz files) are counted there.

Workers must be Dask's own processes (``dask worker``, or ``LocalCluster(processes=True)``),
which Dask starts with ``spawn``: polars can hang in a process forked from one that runs it.
A worker that dies has its tasks rerun by Dask; a piece that cannot be read fails the whole run
with its one-line error, never a partial report.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from logstat.errors import InputError, LogstatError, UsageError
from logstat.formats import LogFormat
from logstat.sources import Input
from logstat.tally.count import CountOptions
from logstat.tally.model import Tally
from logstat.tally.pieces import Piece, count_piece, fold, plan
from logstat.tally.serialize import from_bytes, to_bytes

INSTALL = "pip install 'logstat[cluster]'"
"""What to install for ``--cluster``."""

T = TypeVar("T")

CONNECT_TIMEOUT = "10s"
"""How long the client waits for the scheduler to answer."""


class ClusterError(LogstatError):
    """The cluster cannot be reached, or lost the work."""


def scheduler_address(option: str | None) -> str | None:
    """The scheduler to use: ``--cluster``, else ``DASK_SCHEDULER_ADDRESS``, else None (count here)."""
    return option or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def require_dask() -> None:
    """Check that Dask's distributed scheduler can be imported.

    Raises
    ------
    UsageError
        When it cannot: the one line says what to install.
    """
    try:
        import distributed  # noqa: F401
    except ImportError:
        msg = f"--cluster needs Dask's distributed scheduler; install it with {INSTALL}"
        raise UsageError(msg) from None


def count_task(piece: Piece, options: CountOptions) -> bytes:
    """Count one piece on a worker and return its tally as bytes (the task each piece becomes)."""
    source = piece.source
    if source.url is None and not source.path.exists():
        msg = (
            f"{source.name}: no such file on cluster worker {socket.gethostname()}; on a cluster, "
            "local paths must be on a filesystem every worker mounts, or put the logs in object storage"
        )
        raise InputError(msg)
    with tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        return to_bytes(count_piece(piece, options, spool_dir=Path(spool)))


def _client_only(piece: Piece, spool_dir: Path | None) -> bool:
    """Whether the piece reads a copy that only the client has."""
    return spool_dir is not None and piece.source.url is None and piece.source.path.is_relative_to(spool_dir)


def cluster_counter(address: str, *, spool_dir: Path | None = None) -> Callable[..., Tally]:
    """A counter for :func:`logstat.report.build_report` that counts on the cluster at ``address``."""

    def count(inputs: Sequence[Input], log_format: LogFormat | None, options: CountOptions) -> Tally:
        return count_on_cluster(address, plan(inputs, log_format), options, spool_dir=spool_dir)

    return count


def count_on_cluster(
    address: str, pieces: Sequence[Piece], options: CountOptions, *, spool_dir: Path | None = None
) -> Tally:
    """The tally of ``pieces`` counted on the Dask cluster at ``address``.

    Raises
    ------
    UsageError
        When Dask is not installed.
    ClusterError
        When the scheduler cannot be reached, or workers kept dying on a piece.
    LogstatError
        The error of the first piece (in plan order) that could not be read.
    """

    def here(piece: Piece) -> bytes:
        return to_bytes(count_piece(piece, options, spool_dir=spool_dir))

    results = run_pieces(address, pieces, count_task, here, spool_dir=spool_dir, options=options)
    return fold(pieces, (from_bytes(data) for data in results), options)


def run_pieces(
    address: str,
    pieces: Sequence[Piece],
    task: Callable[..., T],
    here: Callable[[Piece], T],
    *,
    spool_dir: Path | None = None,
    **arguments: Any,
) -> Iterator[T]:
    """Run ``task(piece, **arguments)`` on the cluster for every piece; yield the results in plan order.

    Pieces that only the client can read are run here, with ``here(piece)``. The remaining tasks
    are cancelled when the caller stops early (an error in one piece ends the run).

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached, or workers kept dying on a piece.
    """
    require_dask()
    from distributed import Client
    from distributed.scheduler import KilledWorker

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = f"cannot reach the Dask scheduler at {address} ({exc}); start one (dask scheduler) or check --cluster"
        raise ClusterError(msg) from None
    with client:
        remote = [index for index, piece in enumerate(pieces) if not _client_only(piece, spool_dir)]
        submitted = client.map(task, [pieces[i] for i in remote], pure=False, **arguments)
        futures = dict(zip(remote, submitted, strict=True))
        try:
            # In plan order, whatever order the tasks finish in: the fold must be the local one.
            for index, piece in enumerate(pieces):
                future = futures.get(index)
                if future is None:
                    yield here(piece)
                    continue
                try:
                    result = future.result()
                except KilledWorker:
                    msg = (
                        f"{piece.source.name}: cluster workers kept dying while reading it; "
                        "check the workers' memory limit and logs"
                    )
                    raise ClusterError(msg) from None
                future.release()
                yield result
        finally:
            client.cancel(submitted)
