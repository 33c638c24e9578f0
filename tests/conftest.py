"""Shared fixtures for the logstat test suite."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logstat.report import Report, build_report
from logstat.sources import open_inputs

LogWriter = Callable[..., Path]



@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports are 120 columns wide and in English in tests, whatever ``COLUMNS`` and
    ``LOGSTAT_LANG`` the shell exports."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LOGSTAT_LANG", raising=False)


@pytest.fixture
def write_log(tmp_path: Path) -> LogWriter:
    """Write a log file under ``tmp_path`` and return its path.

    ``content`` is either raw bytes, written as is, or a sequence of lines, each ended with
    ``\\n`` and gzip-compressed when ``name`` ends in ``.gz``.
    """

    def write(content: bytes | Sequence[str], name: str = "access.log") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            data = "".join(f"{line}\n" for line in content).encode()
            path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites the golden files instead of comparing with them."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from current output")


SAMPLE_LOGS = Path(__file__).parent.parent / "sample_logs"


def _sample_report(factory: pytest.TempPathFactory, name: str) -> Report:
    """A report over ``sample_logs/<name>``, 3 values per drill-down list, at a fixed time."""
    spool = factory.mktemp("spool")
    now = datetime(2026, 10, 10, 10, 0, 0, tzinfo=UTC)
    return build_report(open_inputs([str(SAMPLE_LOGS / name)], spool_dir=spool), now=now, top=3)


@pytest.fixture(scope="module")
def timed_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of ``sample_logs/nginx_timed.log`` (findings, evidence and latency)."""
    return _sample_report(tmp_path_factory, "nginx_timed.log")


@pytest.fixture(scope="module")
def common_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of ``sample_logs/common.log`` (no latency fields)."""
    return _sample_report(tmp_path_factory, "common.log")
