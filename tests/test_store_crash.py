"""A run killed at any point commits nothing; two runs at once never count a line twice; a
second run waits for the first, and gives up with a clear message after ``--wait``."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_helpers import count_bytes, lines_text, same_counts, store_tally
from typer.testing import CliRunner

from logstat.cli import app
from logstat.errors import ExitCode

LINES = 100_000


def _logstat(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "logstat", "summarize", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err.decode()


@pytest.fixture(scope="module")
def big_log() -> bytes:
    return lines_text(0, LINES)


def test_a_run_killed_at_random_points_commits_nothing(tmp_path: Path, big_log: bytes) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(big_log)
    written = bytearray(big_log)
    store = tmp_path / "state.db"
    started = time.monotonic()
    code, err = _finish(_logstat(str(log), "--state", str(tmp_path / "calibration.db"), "-q"))
    assert code == 0, err
    whole_run = time.monotonic() - started  # on this machine, now: the kill points spread over it
    chance = random.Random(16)
    killed = 0
    for attempt in range(6):
        proc = _logstat(str(log), "--state", str(store), "-q")
        time.sleep(chance.uniform(0.05, whole_run))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        _finish(proc)
        more = lines_text(LINES * (attempt + 1), LINES // 2)  # each run has much to read
        with log.open("ab") as out:
            out.write(more)
        written += more
    assert killed >= 2, "the runs ended before they could be killed; the test proves nothing"
    code, err = _finish(_logstat(str(log), "--state", str(store), "-q"))
    assert code == 0, err
    same_counts(store_tally(store), count_bytes(bytes(written), tmp_path))


def test_two_runs_at_once_count_every_line_once(tmp_path: Path, big_log: bytes) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(big_log)
    store = tmp_path / "state.db"
    first = _logstat(str(log), "--state", str(store), "-q")
    second = _logstat(str(log), "--state", str(store), "-q")
    assert _finish(first)[0] == 0 and _finish(second)[0] == 0
    same_counts(store_tally(store), count_bytes(big_log, tmp_path))
    with sqlite3.connect(store) as conn:
        lines_per_run = [n for (n,) in conn.execute("SELECT lines FROM runs ORDER BY run")]
    assert sorted(lines_per_run) == [0, LINES]  # one read everything, the other found nothing new


def test_a_run_waits_for_the_lock_then_gives_up_with_a_clear_message(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(lines_text(0, 10))
    store = tmp_path / "state.db"
    assert CliRunner().invoke(app, ["summarize", str(log), "--state", str(store), "-q"]).exit_code == 0
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run holds the store
    try:
        started = time.monotonic()
        result = CliRunner().invoke(app, ["summarize", str(log), "--state", str(store), "--wait", "1", "-q"])
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == ExitCode.ERROR
    assert waited >= 1
    assert "another logstat run is updating this store" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert store.stat().st_size > 0
