"""``-o FILE.prom``: node_exporter's textfile format, read back by Prometheus's own parser and
checked by ``promtool``; counters over a store's whole life with ``--state``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from helpers import ROOT, require
from prometheus_client.parser import text_string_to_metric_families
from store_helpers import lines_text
from typer.testing import CliRunner, Result

from logstat.cli import app
from logstat.errors import ExitCode

INCIDENTS = ROOT / "sample_logs" / "incidents.log"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["summarize", *args])


def families(path: Path) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    """The file's samples per metric family, as Prometheus's client library parses them."""
    parsed = text_string_to_metric_families(path.read_text(encoding="utf-8"))
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in parsed}


def promtool_check(path: Path) -> None:
    promtool = shutil.which("promtool")
    require(promtool, "promtool is not installed (apt-get install prometheus)")
    assert promtool is not None
    checked = subprocess.run([promtool, "check", "metrics"], input=path.read_bytes(), capture_output=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == b"" and checked.stderr.strip() == b""  # no lint complaint either


def _requests(found: dict[str, list[tuple[str, dict[str, str], float]]]) -> dict[str, float]:
    return {labels["code"]: value for _, labels, value in found["logstat_requests"]}


def test_one_run_writes_its_counts(tmp_path: Path) -> None:
    prom = tmp_path / "logstat.prom"
    result = run(str(INCIDENTS), "-o", str(prom), "-o", str(tmp_path / "r.json"))
    assert result.exit_code == ExitCode.OK, result.stderr
    promtool_check(prom)
    found = families(prom)
    requests = _requests(found)
    assert requests["200"] == 251 and sum(requests.values()) == 411
    assert {labels["class"] for _, labels, _ in found["logstat_requests"]} == {"2xx", "3xx", "4xx", "5xx"}
    lines = {labels["kind"]: value for _, labels, value in found["logstat_lines"]}
    assert lines == {"parsed": 411, "filtered": 0, "unparsed": 0, "blank": 0}
    text = prom.read_text(encoding="utf-8")
    assert "in this run's lines only (no --state)" in text
    for metric in ("logstat_request_duration_seconds", "logstat_upstream_response_duration_seconds"):
        samples = found[metric]
        for cls in ("2xx", "5xx"):
            buckets = [v for name, labels, v in samples if name.endswith("_bucket") and labels["class"] == cls]
            count = next(v for name, labels, v in samples if name.endswith("_count") and labels["class"] == cls)
            assert buckets == sorted(buckets) and buckets[-1] == count
    total = sum(v for name, _, v in found["logstat_request_duration_seconds"] if name.endswith("_count"))
    assert total == 411
    (stamp,) = found["logstat_last_run_timestamp_seconds"]
    assert stamp[2] > 1.7e9


def test_with_a_store_the_counters_cover_its_whole_life(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    lines = INCIDENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text("".join(lines[:200]), encoding="utf-8")
    state, prom = tmp_path / "state.db", tmp_path / "logstat.prom"
    assert run(str(log), "--state", str(state), "-o", str(prom)).exit_code == ExitCode.OK
    first = sum(_requests(families(prom)).values())
    inode = prom.stat().st_ino
    with log.open("a", encoding="utf-8") as out:
        out.writelines(lines[200:])
    result = run(str(log), "--state", str(state), "-o", str(prom), "-o", str(tmp_path / "new.json"))
    assert result.exit_code == ExitCode.OK, result.stderr
    promtool_check(prom)
    assert first == 200 and sum(_requests(families(prom)).values()) == 411  # the report itself: 211 new
    assert prom.stat().st_ino != inode, "the file is replaced by a rename, never rewritten in place"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert "over the store's whole life" in prom.read_text(encoding="utf-8")
    # Pruning keeps the counters: rate() never sees them go down.
    pruned = run(str(log), "--state", str(state), "--keep", "1d", "-o", str(prom), "-q")
    assert pruned.exit_code == ExitCode.OK, pruned.stderr
    assert sum(_requests(families(prom)).values()) == 411
    kept = json.loads(run("--state", str(state), "-f", "json").stdout)
    assert kept["totals"]["parsed"] == 0  # the log's minutes are older than a day: pruned


def test_label_values_from_the_log_are_escaped(tmp_path: Path) -> None:
    log = tmp_path / "odd.log"
    log.write_text(
        '1.2.3.4 [10/Oct/2026:10:00:00 +0000] "GET / HTTP/1.1" a"b\\c\n'
        '1.2.3.4 [10/Oct/2026:10:00:01 +0000] "GET / HTTP/1.1" 200\n',
        encoding="utf-8",
    )
    prom = tmp_path / "odd.prom"
    fmt = '$remote_addr [$time_local] "$request" $status'
    result = run(str(log), "--log-format", fmt, "-o", str(prom))
    assert result.exit_code == ExitCode.OK, result.stderr
    promtool_check(prom)
    assert _requests(families(prom)) == {'a"b\\c': 1, "200": 1}


def test_split_keys_become_labels(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(lines_text(0, 300))
    state, prom = tmp_path / "state.db", tmp_path / "m.prom"
    result = run(str(log), "--state", str(state), "--split", "host", "-o", str(prom))
    assert result.exit_code == ExitCode.OK, result.stderr
    promtool_check(prom)
    found = families(prom)
    assert {labels.get("host") for _, labels, _ in found["logstat_requests"]} != {None}
    lines = {labels["kind"]: value for _, labels, value in found["logstat_lines"]}
    assert sum(v for _, _, v in found["logstat_requests"]) == lines["parsed"] > 0
