"""Real services on loopback for the fleet tests: an S3 API (moto's server) and Dask clusters.

Nothing here imitates logstat: the S3 server speaks the real S3 protocol to polars' own reader,
and the clusters are Dask's own scheduler and worker processes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUCKET = "logs"


@dataclass(frozen=True)
class ObjectStore:
    """A running S3 API on loopback and how to reach it."""

    endpoint: str
    client: Any  # a boto3 S3 client

    @property
    def options(self) -> dict[str, str]:
        """polars storage options for it (explicit credentials: nothing is looked up elsewhere)."""
        return {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "aws_region": "us-east-1",
            "aws_endpoint_url": self.endpoint,
            "aws_allow_http": "true",
        }

    def cli_options(self) -> list[str]:
        """The same as ``--storage-option`` arguments."""
        return [arg for key, value in self.options.items() for arg in ("--storage-option", f"{key}={value}")]

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` at ``key`` and return its ``s3://`` URL."""
        self.client.put_object(Bucket=BUCKET, Key=key, Body=data)
        return f"s3://{BUCKET}/{key}"


@contextlib.contextmanager
def object_store() -> Iterator[ObjectStore]:
    """moto's S3 server on 127.0.0.1 (a free port), with one empty bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield ObjectStore(endpoint, client)
    finally:
        server.stop()


@contextlib.contextmanager
def local_cluster(workers: int = 2) -> Iterator[str]:
    """A Dask ``LocalCluster`` of worker processes (spawned, one thread each); yields its address."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
    ):
        yield cluster.scheduler_address


def _dask(*args: str) -> list[str]:
    """The ``dask`` command of this environment (next to this Python)."""
    return [str(Path(sys.executable).with_name("dask")), *args]


@contextlib.contextmanager
def command_line_cluster(directory: Path, workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` and ``dask worker`` started as commands on loopback, as an operator would.

    Yields the scheduler address and the processes (scheduler first); they are stopped after.
    """
    from distributed import Client

    scheduler_file = directory / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__MULTIPROCESSING_METHOD": "spawn"}
    files = contextlib.ExitStack()
    logs = files.enter_context((directory / "scheduler.log").open("wb"))
    processes = [
        subprocess.Popen(
            _dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                  "--scheduler-file", str(scheduler_file)),
            stdout=logs, stderr=subprocess.STDOUT, env=env,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                raise RuntimeError("dask scheduler did not start: " + (directory / "scheduler.log").read_text())
            time.sleep(0.2)
        worker_log = files.enter_context((directory / "worker.log").open("wb"))
        processes.append(
            subprocess.Popen(
                _dask("worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                      "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"),
                stdout=worker_log, stderr=subprocess.STDOUT, env=env,
            )
        )
        with Client(scheduler_file=str(scheduler_file), timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
            address = client.scheduler.address
        yield address, processes
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        files.close()
