"""Outputs for cron and dashboards: several -o files from one parse, thresholds, quiet mode."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import logstat.report
from logstat.cli import app
from logstat.errors import ExitCode

SAMPLE = Path(__file__).parent.parent / "sample_logs" / "nginx_timed.log"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["summarize", str(SAMPLE), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_one_parse_many_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = logstat.report.build_report

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(logstat.report, "build_report", counting)
    names = ["r.json", "r.csv", "r.md", "r.html", "r.txt"]
    code, out, err = run(*[a for n in names for a in ("-o", str(tmp_path / n))])
    assert code == ExitCode.OK, err
    assert out == "" and len(calls) == 1
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["schema_version"] == 2
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text("utf-8"))))
    assert rows[0][:4] == ["status", "raw_status", "class", "count"]
    assert (tmp_path / "r.md").read_text("utf-8").startswith("#")
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert "Requests by status code" in (tmp_path / "r.txt").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names), "no temporary files left"


def test_stdout_next_to_files_from_one_parse(tmp_path: Path) -> None:
    code, out, err = run("-o", str(tmp_path / "r.html"), "-o", "-")
    assert code == ExitCode.OK, err
    assert "Requests by status code" in out
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    code, out, err = run("-o", str(tmp_path / "r.csv"), "-o", "-", "-f", "json", "--quiet")
    assert code == ExitCode.OK, err
    assert json.loads(out)["schema_version"] == 2
    assert (tmp_path / "r.csv").read_text("utf-8").startswith("status,raw_status")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.html"], "no file named -"


def test_stdout_only_once() -> None:
    code, _, err = run("-o", "-", "-o", "-")
    assert code == ExitCode.USAGE
    assert "-o - (stdout) can be given only once" in err


def test_format_flag_with_several_outputs_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("-f", "csv", "-o", str(tmp_path / "a.csv"), "-o", str(tmp_path / "b.json"))
    assert code == ExitCode.USAGE
    assert "with several -o each suffix picks the format" in err


def test_new_report_gets_the_usual_file_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        run("-o", str(tmp_path / "r.json"))
    finally:
        os.umask(umask)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644


def test_existing_report_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o640)
    run("-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o640
    assert json.loads(target.read_text("utf-8"))["schema_version"] == 2


def test_unwritable_output_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    code, _, err = run("-o", str(tmp_path / "missing-dir" / "r.json"))
    assert code == ExitCode.ERROR
    assert "cannot write the report" in err
    assert list(tmp_path.iterdir()) == []


def test_threshold_crossed_exits_3_and_says_why() -> None:
    code, out, err = run("--fail-if", "5xx>1%", "--fail-if", "499>=200", "-q")
    assert code == ExitCode.THRESHOLD
    assert out == ""
    assert err.splitlines() == ["logstat: threshold: 5xx>1%: 6.0% (6 of 100 requests)"]


def test_threshold_not_crossed_exits_0() -> None:
    code, _, err = run("--fail-if", "5xx>50%", "-f", "json")
    assert code == ExitCode.OK
    assert err == ""


def test_bad_rule_is_a_usage_error_before_reading() -> None:
    code, _, err = run("--fail-if", "5xx>>1%")
    assert code == ExitCode.USAGE
    assert "--fail-if '5xx>1%'" in err


def test_series_in_json_sums_to_parsed() -> None:
    code, out, _ = run("--by", "minute", "-f", "json")
    assert code == ExitCode.OK
    data = json.loads(out)
    assert data["series"]["period"] == "minute"
    assert sum(r["count"] for r in data["series"]["rows"]) == data["totals"]["parsed"]
    assert any(r["count"] == 0 for r in data["series"]["rows"]), "empty periods are present"


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert logstat.cli.summarize.is_terminal()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not logstat.cli.summarize.is_terminal()
