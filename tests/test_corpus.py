"""Real third-party logs give exactly the independently computed counts, with no format flag.

The logs live outside the repository, in ``../shared/corpus/`` beside the clone (their data is
not ours to ship). ``expected.json`` there holds, per file, its sha256, line count, per-code
counts and the 1-based numbers of the lines that are not requests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, require
from typer.testing import CliRunner

from logstat.cli import app

EXPECTED_FILE = CORPUS / "expected.json"
EXPECTED: dict[str, dict[str, Any]] = (
    json.loads(EXPECTED_FILE.read_text(encoding="utf-8")) if EXPECTED_FILE.is_file() else {}
)

TIME_RANGES = {
    "elastic_apache_logs.log": {"first": "2015-05-17T10:05:00Z", "last": "2015-05-20T21:05:59Z"},
    # Offsets are -0500: 06:20:38 local is 11:20:38 UTC.
    "goaccess_ci_vcombined.log": {"first": "2013-07-01T11:20:38Z", "last": "2013-07-01T12:20:02Z"},
}
"""First and last request times (UTC) read off the files by hand."""


def _summary(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["summarize", str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _lines(path: Path) -> list[bytes]:
    """The file's ``\\n``-separated records; a last line without a final newline still counts."""
    records = path.read_bytes().split(b"\n")
    return records[:-1] if records[-1] == b"" else records


def _is_blank(record: bytes) -> bool:
    return not record.strip(b" \t\r\x0b\x0c")


def _corpus_file(name: str | None) -> tuple[Path, dict[str, Any]]:
    require(EXPECTED, f"no real-log corpus at {CORPUS} (expected.json missing)")
    assert name is not None
    path = CORPUS / name
    expected = EXPECTED[name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected["sha256"], f"{path} was changed"
    return path, expected


FILES = sorted(EXPECTED) or [pytest.param(None, id="corpus-absent")]


@pytest.mark.parametrize("name", FILES)
def test_counts_match_reference_without_format_flag(name: str | None) -> None:
    path, expected = _corpus_file(name)
    data = _summary(path)
    assert {row["raw"]: row["count"] for row in data["by_code"]} == expected["counts"]
    totals = data["totals"]
    assert totals["lines"] == expected["lines"]
    assert totals["parsed"] == sum(expected["counts"].values())
    assert totals["filtered"] == 0
    records = _lines(path)
    assert len(records) == expected["lines"]
    not_requests = set(expected["unparsed_lines"])
    blank = {n for n in not_requests if _is_blank(records[n - 1])}
    assert totals["blank"] == len(blank)
    assert totals["unparsed"] == len(not_requests - blank)
    samples = data["unparsed_samples"]
    assert {s["line"] for s in samples} <= not_requests - blank
    assert bool(samples) == bool(not_requests - blank)
    assert all(s["file"] == str(path) and s["reason"] for s in samples)
    [summary] = data["inputs"]
    assert summary["log_format"] not in ("", "undetected")


@pytest.mark.parametrize("name", sorted(TIME_RANGES))
def test_time_range_in_utc(name: str) -> None:
    path, _ = _corpus_file(name if EXPECTED else None)
    assert _summary(path)["time_range"] == TIME_RANGES[name]
