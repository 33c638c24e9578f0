"""``--compare``: the previous period's counts and shares in every output, findings on sharp
changes, ``--fail-if`` against the previous share, and no invented baseline without history."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from logstat.cli import app
from logstat.errors import ExitCode

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def _line(moment: datetime, status: int, number: int) -> str:
    return (
        f'10.0.0.{number % 200} - - [{moment:%d/%b/%Y:%H:%M:%S} +0000] "GET /x{number % 9} HTTP/1.1" '
        f'{status} 10 "-" "agent" 0.0{number % 9} 0.0{number % 7}\n'
    )


def _hour(end: datetime, errors: int) -> list[str]:
    """1,000 requests in the hour before ``end``, ``errors`` of them 502s."""
    step = 3600 / 1000
    return [
        _line(end - timedelta(hours=1) + timedelta(seconds=i * step), 502 if i < errors else 200, i)
        for i in range(1000)
    ]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["summarize", *args])


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store that read yesterday's hour (1 error in 1,000), then, in a second run, today's (40)."""
    log = tmp_path / "access.log"
    log.write_text("".join(_hour(NOW - timedelta(days=1), 1)), encoding="utf-8")
    state = tmp_path / "state.db"
    assert run(str(log), "--state", str(state), "-q").exit_code == ExitCode.OK
    with log.open("a", encoding="utf-8") as out:
        out.writelines(_hour(NOW, 40))
    return state


def _today(state: Path, *args: str) -> Result:
    log = state.parent / "access.log"
    return run(str(log), "--state", str(state), "--compare", "1d", *args)


def test_the_new_lines_are_compared_with_the_same_time_yesterday(store: Path) -> None:
    result = _today(store, "-f", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    compare = report["compare"]
    assert compare["history"] is True and compare["previous_totals"] == {"parsed": 1000}
    codes = {row["code"]: row for row in compare["by_code"]}
    assert codes["502"]["count"] == 40 and codes["502"]["previous_count"] == 1
    assert codes["502"]["share_change"] == pytest.approx(0.039)
    assert codes["502"]["ratio"] == pytest.approx(40.0)
    rise = next(f for f in report["findings"] if f["rule"] == "sharp_rise")
    assert rise["raw"] == "502" and rise["count"] == 40
    assert rise["detail"].startswith("502: 0.1% → 4.0% of requests, vs the same")
    assert "yesterday" in rise["detail"]


def test_every_output_shows_the_previous_period(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    targets = ["report.txt", "report.md", "report.html", "codes.csv"]
    result = _today(store, *(arg for name in targets for arg in ("-o", str(out / name))))
    assert result.exit_code == ExitCode.OK, result.stderr
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "Compared with" in text and "Then" in text and "+3.9 pts (×40.0)" in text
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "**Compared with:**" in markdown and "| Then | Change |" in markdown
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Compared with" in html and "+3.9 pts (×40.0)" in html
    rows = list(csv.DictReader(io.StringIO((out / "codes.csv").read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["raw_status"] == "502")
    assert (row["previous_count"], row["previous_share"], row["share_change"]) == ("1", "0.001000", "0.039000")


def test_fail_if_compares_with_the_previous_share(store: Path) -> None:
    result = _today(store, "-q", "--fail-if", "5xx>3x", "--fail-if", "2xx<0.5x")
    assert result.exit_code == ExitCode.THRESHOLD
    (verdict,) = result.stderr.strip().splitlines()
    assert verdict == (
        "logstat: threshold: 5xx>3x: 4.0% against 0.1% in the previous period "
        "(40.0x; 40 of 1,000 requests, then 1 of 1,000)"
    )


def test_without_history_nothing_is_compared_and_the_report_says_so(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(_hour(NOW, 40)), encoding="utf-8")
    state = tmp_path / "state.db"
    result = run(str(log), "--state", str(state), "--compare", "7d", "-f", "json", "--fail-if", "5xx>3x")
    assert result.exit_code == ExitCode.OK, result.stderr  # a rule without a baseline does not hold
    report = json.loads(result.stdout)
    assert report["compare"]["history"] is False and report["compare"]["by_code"] == []
    assert report["compare"]["note"].startswith("No history for the previous period")
    assert not any(f["rule"].startswith("sharp_") for f in report["findings"])
    assert "not checked: No history for the previous period" in result.stderr
    table = run("--state", str(state), "--since", "1h", "--compare", "7d")
    assert "No history for the previous period" in table.stdout and "Then" not in table.stdout


def test_a_window_from_the_store_is_compared_too(store: Path) -> None:
    _today(store, "-q")  # the second hour goes in
    hour = [f"{NOW - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}", f"{NOW:%Y-%m-%dT%H:%M:%SZ}"]
    result = run("--state", str(store), "--since", hour[0], "--until", hour[1], "--compare", "1d", "-f", "json")
    report = json.loads(result.stdout)
    assert report["compare"]["history"] is True
    assert {row["code"]: row["previous_count"] for row in report["compare"]["by_code"]}["502"] == 1
    assert report["compare"]["previous"]["since"] == f"{NOW - timedelta(days=1, hours=1):%Y-%m-%dT%H:%M:%SZ}"
    earlier = run("--state", str(store), "--since", "70m", "--compare", "1d", "-f", "json")
    assert json.loads(earlier.stdout)["compare"]["history"] is False  # the store begins 60 minutes into it
