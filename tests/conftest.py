"""Shared fixtures for the logstat test suite."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

LogWriter = Callable[..., Path]


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
