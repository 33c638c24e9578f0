"""Every variant of the access-log family reads without ``--log-format``, line by line.

``tests/formats/variants/`` holds lines written the way nginx, Apache and the tools around
them write them (see its README); ``expected.tsv`` says what each line must give: its status
and UTC time, the format that reads it, its client and path, or that it is not a request.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from logstat.cli import app
from logstat.sources import open_inputs
from logstat.tally.count import read_lines

VARIANTS = Path(__file__).parent / "formats" / "variants"


def _tsv(name: str) -> list[dict[str, str]]:
    with (VARIANTS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


DETECTED = {row["file"]: row["format"] for row in _tsv("files.tsv")}
EXPECTED: dict[str, list[dict[str, str]]] = {}
for _row in _tsv("expected.tsv"):
    EXPECTED.setdefault(_row["file"], []).append(_row)


def _report(path: Path, *options: str) -> str:
    result = CliRunner().invoke(app, ["summarize", str(path), *options], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _summary(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_report(path, "--format", "json"))
    return data


def _per_line(path: Path) -> dict[int, dict[str, Any]]:
    """Each line's kind, status, UTC time, reading format, client and path, as the report reads them."""
    [source] = open_inputs([str(path)], spool_dir=None)
    return {int(row["lineno"]): row for row in read_lines(source).iter_rows(named=True)}


def _parsed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row["kind"] == "parsed"]


def test_every_file_has_expectations_and_the_other_way_round() -> None:
    logs = {p.name for p in VARIANTS.glob("*.log")}
    assert logs == set(DETECTED) == set(EXPECTED)
    for name, rows in EXPECTED.items():
        lines = (VARIANTS / name).read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "", f"{name} ends with a newline"
        assert [int(row["line"]) for row in rows] == list(range(1, len(lines))), name


def test_the_variants_the_issue_names_are_all_here() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in VARIANTS.glob("*.log"))
    for shape in (
        r"^10\.0\.0\.2, 10\.0\.0\.1 - ",  # X-Forwarded-For list as the client
        r'^"10\.0\.0\.2, 10\.0\.0\.1" ',  # quoted list
        r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+ - - \[",  # host name
        r"^203\.0\.113\.7:[0-9]+ ",  # ip:port
        r"^www\.example\.com:443 ",  # vhost with port
        r"^www\.example\.com [0-9]",  # vhost without port
        r"^[0-9.]+ \[",  # no ident/user pair
        r'\] "-" 408',  # request "-"
        r'\] "" 400',  # empty request
        r'\\"quoted\\"',  # escaped quotes (Apache)
        r"\\x16\\x03",  # \xHH bytes
        r" 304 - ",  # size -
        r' rt=[0-9.]+ uct="[0-9.]+" ',  # named timings
        r' "whoami@docker" ',  # extra quoted and bare fields
        r'"status": "200"',  # JSON, string status
        r'"status":200',  # JSON, numeric status
        r'"response":\{"status"',  # nested JSON
        r"^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} \[error\]",  # nginx error.log
        r"PHP Warning:",  # PHP warning
        r"^I[0-9]{4} [0-9:.]+ +[0-9]+ [a-z_]+\.go:[0-9]+\]",  # klog
        r'HTTP/1\.1" $',  # cut before its status
    ):
        assert re.search(shape, text, re.M), shape


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_counts_each_line_once(name: str) -> None:
    rows = EXPECTED[name]
    data = _summary(VARIANTS / name)
    parsed = _parsed(rows)
    assert {row["raw"]: row["count"] for row in data["by_code"]} == dict(Counter(row["status"] for row in parsed))
    kinds = Counter(row["kind"] for row in rows)
    assert data["totals"] == {
        "lines": len(rows),
        "parsed": kinds["parsed"],
        "filtered": 0,
        "unparsed": kinds["unparsed"],
        "blank": kinds["blank"],
    }
    times = sorted(row["time"] for row in parsed)
    assert data["time_range"] == {"first": times[0], "last": times[-1]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_names_the_format_and_what_the_fallback_read(name: str) -> None:
    rows = EXPECTED[name]
    [summary] = _summary(VARIANTS / name)["inputs"]
    assert summary["log_format"] == DETECTED[name]
    assert summary["detected"] is True
    read_by = Counter(row["read_by"] for row in _parsed(rows))
    assert {r["format"]: r["lines"] for r in summary["read_with"]} == dict(read_by)
    assert all(r["fallback"] == (r["format"] == "fallback") for r in summary["read_with"])
    # The input's own format first, the fallback last.
    assert summary["read_with"][0]["format"] == DETECTED[name]
    flags = [r["fallback"] for r in summary["read_with"]]
    assert flags == sorted(flags)
    assert summary["fallback_lines"] == read_by["fallback"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lines_that_are_not_requests_are_unparsed_with_a_reason(name: str) -> None:
    rows = EXPECTED[name]
    samples = {s["line"]: s["reason"] for s in _summary(VARIANTS / name)["unparsed_samples"]}
    unparsed = {int(row["line"]): row["reason"] for row in rows if row["kind"] == "unparsed"}
    assert set(samples) == set(unparsed)
    for line, word in unparsed.items():
        assert samples[line], line
        assert word.lower() in samples[line].lower(), (line, samples[line])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_line_gives_its_status_time_and_fields(name: str) -> None:
    got = _per_line(VARIANTS / name)
    assert sorted(got) == [int(row["line"]) for row in EXPECTED[name]]
    for row in EXPECTED[name]:
        line = got[int(row["line"])]
        assert line["kind"] == row["kind"], row
        if row["kind"] != "parsed":
            assert line["status"] is None, row
            continue
        assert line["status"] == row["status"], row
        assert line["time"] == datetime.fromisoformat(row["time"]).replace(tzinfo=UTC), row
        assert line["read_by"] == row["read_by"], row
        for field in ("client", "path"):
            if row[field]:
                assert line[field] == row[field], (field, row)


WITH_FALLBACK = sorted(n for n, rows in EXPECTED.items() if any(r["read_by"] == "fallback" for r in rows))


@pytest.mark.parametrize("name", WITH_FALLBACK)
def test_terminal_header_names_the_format_and_the_fallback_count(name: str) -> None:
    count = sum(row["read_by"] == "fallback" for row in EXPECTED[name])
    text = _report(VARIANTS / name)
    header = text.split("\n\n")[0]
    assert DETECTED[name] in header
    assert re.search(rf"\b{count}\b[^\n]*fallback", header), header
