"""--since / --until: parsing moments, and which lines fall inside the window."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logstat.cli import app
from logstat.errors import ExitCode, UsageError
from logstat.timewindow import build_window, parse_moment

NOW = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", datetime(2026, 10, 9, 12, 0, tzinfo=UTC)),
        ("7d", datetime(2026, 10, 3, 12, 0, tzinfo=UTC)),
        ("90m", datetime(2026, 10, 10, 10, 30, tzinfo=UTC)),
        ("2w", datetime(2026, 9, 26, 12, 0, tzinfo=UTC)),
        ("2026-10-10T13:00:00Z", datetime(2026, 10, 10, 13, 0, tzinfo=UTC)),
        ("2026-10-10T15:00:00+02:00", datetime(2026, 10, 10, 13, 0, tzinfo=UTC)),
        ("2026-10-10 13:00", datetime(2026, 10, 10, 13, 0, tzinfo=UTC)),
        ("2026-10-10", datetime(2026, 10, 10, 0, 0, tzinfo=UTC)),
        ("10/Oct/2026:08:00:00 -0500", datetime(2026, 10, 10, 13, 0, tzinfo=UTC)),
    ],
)
def test_parse_moment(text: str, expected: datetime) -> None:
    assert parse_moment(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "24x", "10/Foo/2026:00:00:00 +0000", ""])
def test_parse_moment_rejects_nonsense(text: str) -> None:
    with pytest.raises(UsageError, match="use a relative age like 24h"):
        parse_moment(text, now=NOW)


def test_window_must_not_be_empty() -> None:
    with pytest.raises(UsageError, match="must be before --until"):
        build_window("2026-10-10T13:00:00Z", "2026-10-10T12:00:00Z", now=NOW)


def _log(tmp_path: Path) -> Path:
    # Local times in +0200: 14:59:59 local is 12:59:59 UTC, and so on.
    stamps = ["10/Oct/2026:14:59:59 +0200", "10/Oct/2026:15:00:00 +0200", "10/Oct/2026:15:30:00 +0200",
              "10/Oct/2026:16:00:00 +0200", "10/Oct/2026:16:00:01 +0200"]
    lines = [f'192.0.2.1 - - [{s}] "GET / HTTP/1.1" {200 + i} 5 "-" "t"' for i, s in enumerate(stamps)]
    path = tmp_path / "access.log"
    path.write_text("\n".join([*lines, "garbage", ""]) + "\n")
    return path


def run(*args: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(app, ["summarize", *args, "-f", "json"])
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else {}), result.stderr


def test_since_is_inclusive_and_until_exclusive_in_utc(tmp_path: Path) -> None:
    code, data, err = run(str(_log(tmp_path)), "--since", "2026-10-10T13:00:00Z", "--until", "2026-10-10T14:00:00Z")
    assert code == ExitCode.OK, err
    assert [r["raw"] for r in data["by_code"]] == ["201", "202"]  # type: ignore[attr-defined]
    assert data["totals"] == {"lines": 7, "parsed": 2, "filtered": 3, "unparsed": 1, "blank": 1}
    assert data["time_range"] == {"first": "2026-10-10T13:00:00Z", "last": "2026-10-10T13:30:00Z"}


def test_window_in_the_logs_own_form(tmp_path: Path) -> None:
    code, data, _ = run(str(_log(tmp_path)), "--since", "10/Oct/2026:16:00:00 +0200")
    assert code == ExitCode.OK
    assert [r["raw"] for r in data["by_code"]] == ["203", "204"]  # type: ignore[attr-defined]


def test_everything_outside_the_window_is_not_an_error(tmp_path: Path) -> None:
    code, data, _ = run(str(_log(tmp_path)), "--since", "1h")
    assert code == ExitCode.OK
    assert data["totals"] == {"lines": 7, "parsed": 0, "filtered": 5, "unparsed": 1, "blank": 1}


def test_window_needs_a_time_field(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_text('192.0.2.1 "GET / HTTP/1.1" 200\n')
    result = CliRunner().invoke(app, ["summarize", str(path), "-l", '$remote_addr "$request" $status', "--since", "1h"])
    assert result.exit_code == ExitCode.USAGE
    assert "need a time in the log" in result.stderr


def test_bad_since_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["summarize", str(_log(tmp_path)), "--since", "last tuesday"])
    assert result.exit_code == ExitCode.USAGE
    assert "cannot read the time 'last tuesday'" in result.stderr


def test_report_states_its_window(tmp_path: Path) -> None:
    code, data, _ = run(str(_log(tmp_path)), "--since", "2026-10-10T13:00:00Z", "--until", "2026-10-10T14:00:00Z")
    assert code == ExitCode.OK
    assert data["window"] == {"since": "2026-10-10T13:00:00Z", "until": "2026-10-10T14:00:00Z"}
    _, whole, _ = run(str(_log(tmp_path)))
    assert whole["window"] == {"since": None, "until": None}
    for fmt, less in (("table", "<"), ("markdown", "<"), ("html", "&lt;")):
        args = ["summarize", str(_log(tmp_path)), "--until", "2026-10-10T14:00:00Z", "-f", fmt]
        out = CliRunner().invoke(app, args).stdout
        assert f"{less} 2026-10-10 14:00:00 UTC" in out, fmt
        assert "≥" not in out, fmt


def test_relative_window_starts_on_a_whole_second() -> None:
    assert build_window("24h", None).since.microsecond == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "span", "message"), [
    ("en", "no requests in the time window", "No requests in the time window: all 5 requests fall outside it."),
    ("zh", "时间窗口内没有请求", "时间窗口内没有请求：全部 5 个请求都在窗口之外。"),
])
def test_an_empty_window_is_not_called_an_empty_input(tmp_path: Path, lang: str, span: str, message: str) -> None:
    for fmt in ("table", "markdown", "html"):
        args = ["summarize", str(_log(tmp_path)), "--since", "1h", "--lang", lang, "-f", fmt]
        out = CliRunner().invoke(app, args).stdout
        assert span in out and message in out, fmt
        assert "no timestamps" not in out and "No requests in the input" not in out, fmt


def test_time_range_without_requests_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert "Time range  no requests\n" in CliRunner().invoke(app, ["summarize", str(empty)]).stdout
    untimed = tmp_path / "untimed.log"
    untimed.write_text('192.0.2.1 "GET / HTTP/1.1" 200\n')
    args = ["summarize", str(untimed), "-l", '$remote_addr "$request" $status']
    assert "Time range  no timestamps in this format\n" in CliRunner().invoke(app, args).stdout


def test_window_over_an_apache_strftime_time(tmp_path: Path) -> None:
    stamps = ["2026-10-10T14:59:59+0200", "2026-10-10T15:00:00+0200", "2026-10-10T16:00:00+0200"]
    path = tmp_path / "apache.log"
    path.write_text("".join(f'192.0.2.1 [{s}] "GET / HTTP/1.1" {200 + i}\n' for i, s in enumerate(stamps)))
    fmt = 'LogFormat "%h [%{%Y-%m-%dT%H:%M:%S%z}t] \\"%r\\" %>s" iso'
    code, data, err = run(str(path), "-l", fmt, "--since", "2026-10-10T13:00:00Z", "--until", "2026-10-10T14:00:00Z")
    assert code == ExitCode.OK, err
    assert [r["raw"] for r in data["by_code"]] == ["201"]  # type: ignore[attr-defined]
    assert data["time_range"] == {"first": "2026-10-10T13:00:00Z", "last": "2026-10-10T13:00:00Z"}
    assert data["totals"] == {"lines": 3, "parsed": 1, "filtered": 2, "unparsed": 0, "blank": 0}
