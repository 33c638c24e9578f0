"""``logstat export`` writes a Parquet dataset that a real reader (DuckDB) reads back with the
report's counts: per status, per file, unparsed lines; ranges, gzip, re-exports, object storage."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from fleet import object_store
from helpers import load_benchmark

from logstat.export import Exported, export_locally, partition_value
from logstat.report import build_report
from logstat.sources import open_inputs
from logstat.tally.pieces import plan, with_line_numbers

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_logs").glob("*.log"))
generate = load_benchmark("generate")


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logstat", "export", *args], capture_output=True, text=True, check=False
    )


def _sql(query: str) -> list[tuple[object, ...]]:
    return duckdb.connect().sql(query).fetchall()


def _requests(directory: Path) -> str:
    return f"read_parquet('{directory}/requests/**/*.parquet', hive_partitioning=true)"


def test_duckdb_reads_the_counts_of_the_report(tmp_path: Path) -> None:
    junk = tmp_path / "junk.log.gz"
    lines = list(generate.generate("nginx_timed", 800, seed=5, start=datetime(2026, 10, 1, tzinfo=UTC), days=2))
    lines[3:3] = ["garbage", "", '1.2.3.4 - - [31/Feb/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-" 0.1 0.1']
    junk.write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode(), mtime=0))
    files = [*map(str, SAMPLES), str(junk)]
    done = _export(*files, "--to", str(tmp_path / "ds"))
    assert done.returncode == 0, done.stderr
    report = build_report(open_inputs(files, spool_dir=tmp_path))
    assert done.stdout.startswith(f"exported {report.totals.parsed:,} requests and {report.totals.unparsed:,} unparsed")
    data = _requests(tmp_path / "ds")
    assert _sql(f"SELECT count(*) FROM {data}") == [(report.totals.parsed,)]
    by_status = dict(_sql(f"SELECT status_raw, count(*) FROM {data} GROUP BY 1"))
    assert by_status == {row.raw: row.count for row in report.by_code}
    by_file = dict(_sql(f"SELECT file, count(*) FROM {data} GROUP BY 1"))
    expected = {s.name: s.totals.parsed for s in report.inputs if s.totals.parsed}
    assert {Path(name).name: n for name, n in by_file.items()} == {Path(name).name: n for name, n in expected.items()}
    unparsed = _sql(f"SELECT file, line, reason FROM read_parquet('{tmp_path}/ds/unparsed/*.parquet') ORDER BY 2")
    assert len(unparsed) == report.totals.unparsed
    assert (str(junk), 4, "field $remote_addr missing or malformed at column 1") in unparsed or any(
        file == str(junk) and line == 4 for file, line, _ in unparsed
    )
    assert any(file == str(junk) and line == 6 for file, line, _ in unparsed), "the impossible day is unparsed"


def test_columns_are_typed(tmp_path: Path) -> None:
    log = tmp_path / "timed.log"
    log.write_text(
        '203.0.113.9 - - [10/Oct/2026:13:55:36 +0200] "GET /search?q=a%20b HTTP/2.0" 502 157 "https://x.example/" '
        '"curl/8" 1.250 0.500, 0.250\n'
        '203.0.113.9 - - [10/Oct/2026:13:55:37 +0200] "\\x16\\x03\\x01" 400 0 "-" "-" 0.000 -\n',
        encoding="utf-8",
    )
    assert _export(str(log), "--to", str(tmp_path / "ds"), "--log-format", "nginx_timed").returncode == 0
    rows = _sql(
        "SELECT time, status, status_raw, method, path, query, protocol, bytes, referer, agent, client, "
        f"request_time, upstream_response_time, date, vhost, line FROM {_requests(tmp_path / 'ds')} ORDER BY line"
    )
    first, odd = rows
    assert first[0] == datetime(2026, 10, 10, 11, 55, 36, tzinfo=UTC)
    assert first[1:13] == (
        502, "502", "GET", "/search", "q=a%20b", "HTTP/2.0", 157, "https://x.example/", "curl/8", "203.0.113.9",
        1.25, 0.75,
    )
    assert str(first[13]) == "2026-10-10" and first[14] is None and first[15] == 1
    assert odd[3:7] == (None, None, None, None) and odd[1] == 400 and odd[12] is None
    schema = dict((name, kind) for name, kind, *_ in _sql(f"DESCRIBE SELECT * FROM {_requests(tmp_path / 'ds')}"))
    assert schema["time"] == "TIMESTAMP WITH TIME ZONE" and schema["status"] == "SMALLINT"
    assert schema["bytes"] == "BIGINT" and schema["request_time"] == "DOUBLE"
    codec = _sql(
        f"SELECT DISTINCT compression FROM parquet_metadata('{tmp_path}/ds/requests/**/*.parquet')"
    )
    assert codec == [("ZSTD",)]


def test_exporting_again_replaces_and_never_duplicates(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes((ROOT / "sample_logs" / "incidents.log").read_bytes())
    target = tmp_path / "ds"
    for _ in range(2):
        assert _export(str(log), "--to", str(target), "--quiet").returncode == 0
    names = sorted(p.relative_to(target) for p in target.rglob("*.parquet"))
    total = _sql(f"SELECT count(*) FROM {_requests(target)}")[0][0]
    assert total == build_report(open_inputs([str(log)], spool_dir=tmp_path)).totals.parsed
    # A shorter file of the same name (rotated): its old rows and partitions are gone.
    log.write_text("".join(log.read_text(encoding="utf-8").splitlines(keepends=True)[:10]), encoding="utf-8")
    assert _export(str(log), "--to", str(target), "--quiet").returncode == 0
    assert _sql(f"SELECT count(*) FROM {_requests(target)}") == [(10,)]
    assert len(names) >= len(list(target.rglob("*.parquet")))


def test_a_file_cut_into_ranges_keeps_its_line_numbers(tmp_path: Path) -> None:
    lines = list(generate.generate("combined", 3000, seed=9, start=datetime(2026, 10, 1, tzinfo=UTC), days=3))
    lines[1500:1500] = ["junk line", ""]
    log = tmp_path / "big.log"
    log.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    inputs = open_inputs([str(log)], spool_dir=tmp_path)
    pieces = with_line_numbers(plan(inputs, range_bytes=30_000))
    assert len(pieces) > 5
    total = sum(export_locally(pieces, str(tmp_path / "ds"), None), Exported())
    assert (total.requests, total.unparsed) == (3000, 1)
    numbers = [n for (n,) in _sql(f"SELECT line FROM {_requests(tmp_path / 'ds')} ORDER BY line")]
    assert numbers == [*range(1, 1501), *range(1503, 3003)]
    assert _sql(f"SELECT line FROM read_parquet('{tmp_path}/ds/unparsed/*.parquet')") == [(1501,)]
    whole = tmp_path / "whole"
    assert _export(str(log), "--to", str(whole), "--quiet").returncode == 0
    assert _sql(f"SELECT count(*), sum(line), sum(bytes) FROM {_requests(whole)}") == _sql(
        f"SELECT count(*), sum(line), sum(bytes) FROM {_requests(tmp_path / 'ds')}"
    )


@pytest.mark.parametrize(
    ("value", "component"),
    [("www.example.com", "www.example.com"), ("../etc", "..%2Fetc"), ("..", "%2E%2E"), ("a b/c", "a%20b%2Fc")],
)
def test_partition_values_stay_one_path_component(value: str, component: str) -> None:
    assert partition_value(value) == component


def test_export_to_object_storage(tmp_path: Path) -> None:
    log = ROOT / "sample_logs" / "vhost_combined.log"
    with object_store() as store:
        done = _export(str(log), "--to", "s3://logs/lake", *store.cli_options())
        assert done.returncode == 0, done.stderr
        keys = [o["Key"] for o in store.client.list_objects_v2(Bucket="logs", Prefix="lake/")["Contents"]]
        assert any("/vhost=" in key for key in keys) and all(key.endswith(".parquet") for key in keys)
        assert _export(str(log), "--to", "s3://logs/lake", *store.cli_options()).returncode == 0
        again = [o["Key"] for o in store.client.list_objects_v2(Bucket="logs", Prefix="lake/")["Contents"]]
        assert sorted(again) == sorted(keys)
        for key in keys:
            target = tmp_path / "copy" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            store.client.download_file("logs", key, str(target))
    report = build_report(open_inputs([str(log)], spool_dir=tmp_path))
    rows = dict(_sql(f"SELECT status_raw, count(*) FROM {_requests(tmp_path / 'copy' / 'lake')} GROUP BY 1"))
    assert rows == {row.raw: row.count for row in report.by_code}
    hosts = {h for (h,) in _sql(f"SELECT DISTINCT vhost FROM {_requests(tmp_path / 'copy' / 'lake')}")}
    assert hosts and None not in hosts


def test_export_without_a_target_is_a_usage_error() -> None:
    done = _export(str(SAMPLES[0]))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--to" in done.stderr
