"""The benchmark log generator (benchmarks/generate.py) against logstat itself.

For every built-in format, a generated log must be detected as that format, parse in full,
and give exactly the per-status counts the generator says it wrote.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import load_benchmark

from logstat.formats import BUILTIN_FORMATS
from logstat.report import build_report
from logstat.sources import open_inputs

GENERATOR_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
LINES = 3_000


generate = load_benchmark("generate")


def test_generator_knows_every_builtin_format():
    assert set(generate.FORMATS) == set(BUILTIN_FORMATS)


@pytest.mark.parametrize("log_format", sorted(BUILTIN_FORMATS))
def test_generated_log_is_detected_parsed_and_counted_exactly(log_format, tmp_path):
    start = datetime(2026, 10, 1, tzinfo=UTC)
    lines, tally = generate.generate_with_tally(log_format, LINES, seed=7, start=start, days=1)
    path = tmp_path / f"{log_format}.log"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="ascii")

    report = build_report(open_inputs([str(path)], spool_dir=tmp_path))

    assert report.inputs[0].log_format.name == log_format
    assert report.inputs[0].detected
    assert report.totals.lines == LINES
    assert report.totals.parsed == LINES
    assert report.totals.unparsed == 0
    assert report.totals.blank == 0
    assert {row.raw: row.count for row in report.by_code} == dict(tally)
    assert start <= report.first <= report.last < start + timedelta(days=1)


@pytest.mark.parametrize("log_format", sorted(BUILTIN_FORMATS))
def test_tally_covers_the_status_mix(log_format):
    tally = generate.tally(log_format, LINES, seed=7, days=1)
    assert sum(tally.values()) == LINES
    assert {"200", "304", "404", "502", "504"} <= set(tally)
    assert tally["200"] > LINES / 2
    nginx_only = {"444", "499"}
    if log_format in generate.NGINX_FORMATS:
        assert nginx_only & set(tally)
    else:
        assert not nginx_only & set(tally)


def test_same_seed_gives_same_lines():
    first = list(generate.generate("nginx_timed", 2_000, seed=3))
    second = list(generate.generate("nginx_timed", 2_000, seed=3))
    other = list(generate.generate("nginx_timed", 2_000, seed=4))
    assert first == second
    assert len(first) == 2_000
    assert first != other


def test_lines_have_no_newline_and_times_follow_the_offset():
    lines = list(generate.generate("combined", 500, start=datetime(2026, 10, 1), days=0.5, utc_offset="-0500"))
    assert not any("\n" in line or "\r" in line for line in lines)
    assert "[30/Sep/2026:19:" in lines[0]
    assert all(" -0500] " in line for line in lines)


def test_command_line_is_reproducible_with_gzip_and_tally(tmp_path):
    outputs = []
    for name in ("a", "b"):
        out, tally = tmp_path / f"{name}.log.gz", tmp_path / f"{name}.json"
        args = ["--format", "apache_timed", "--lines", "1000", "--seed", "5"]
        assert generate.main([*args, "--out", str(out), "--tally", str(tally), "--gzip"]) == 0
        outputs.append((out.read_bytes(), json.loads(tally.read_text(encoding="utf-8"))))
    (data, document), (data_again, document_again) = outputs
    assert data == data_again
    assert document == document_again
    assert document["lines"] == 1000
    assert sum(document["status"].values()) == 1000
    text = gzip.decompress(data).decode("ascii")
    assert text.endswith("\n")
    assert text.splitlines() == list(generate.generate("apache_timed", 1000, seed=5))


def test_read_floor_reads_every_line(tmp_path):
    lines = ["a", "", "bé\x00c", "x" * 5000]
    path = tmp_path / "floor.log"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\r\n")
    script = GENERATOR_PATH.with_name("read_floor.py")
    done = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, check=True)
    assert int(done.stdout) == sum(len(line.encode("utf-8")) for line in lines)


def test_scan_log_is_404s_for_distinct_paths(tmp_path):
    lines = list(generate.scan_log(3000))
    path = tmp_path / "scan.log"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="ascii")
    report = build_report(open_inputs([str(path)], spool_dir=tmp_path))
    assert report.inputs[0].log_format.name == "combined"
    assert report.totals.parsed == 3000
    assert [(row.raw, row.count) for row in report.by_code] == [("404", 3000)]
    assert len({line.split('"')[1] for line in lines}) == 3000
