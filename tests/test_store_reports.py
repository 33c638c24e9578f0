"""Reports from a store: a window from the store equals a direct read of the same logs, rounded
windows say so, several stores merge (split by host), and a run with nothing new is a quiet report."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import load_benchmark
from typer.testing import CliRunner, Result

from logstat.cli import app
from logstat.errors import ExitCode

generate = load_benchmark("generate")
START = datetime(2026, 10, 10, 6, 0, tzinfo=UTC)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["summarize", *args])


def as_json(*args: str) -> dict[str, Any]:
    result = run(*args, "-f", "json")
    assert result.exit_code == ExitCode.OK, (result.stderr, result.exception)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Six hours of a timed log, rotated into three files, read into a store by four runs."""
    where = tmp_path_factory.mktemp("logs")
    lines = list(generate.generate("nginx_timed", 6000, seed=5, start=START, days=0.25))
    lines.insert(100, "not a log line")
    lines.insert(3000, "")
    store = where / "state.db"
    live = where / "access.log"
    for part in range(4):
        chunk = lines[part * 1500 : (part + 1) * 1500 if part < 3 else None]
        with live.open("a", encoding="utf-8") as out:
            out.writelines(f"{text}\n" for text in chunk)
        result = run(str(where / "access.log*"), "--state", str(store), "-q")
        assert result.exit_code == ExitCode.OK, result.stderr
        if part == 1:
            live.rename(where / "access.log.1")
        if part == 2:
            data = (where / "access.log.1").read_bytes()
            (where / "access.log.2.gz").write_bytes(gzip.compress(data))
            (where / "access.log.1").unlink()
            live.rename(where / "access.log.1")
    return where, store


COMPARED = ("totals", "by_class", "time_range")


def _codes(report: dict[str, Any], *, evidence: bool) -> list[dict[str, Any]]:
    keep = {"raw", "count", "share", "first_seen", "last_seen"} | ({"evidence", "latency"} if evidence else set())
    return [{k: v for k, v in row.items() if k in keep} for row in report["by_code"]]


@pytest.mark.parametrize(
    ("since", "until", "hours"),
    [
        ("2026-10-10T07:13:00Z", "2026-10-10T09:41:00Z", False),
        ("2026-10-10T06:59:00Z", None, False),
        ("2026-10-10T07:00:00Z", "2026-10-10T10:00:00Z", True),
        (None, "2026-10-10T09:00:00Z", True),
    ],
)
def test_a_window_from_the_store_equals_the_direct_read(
    logs: tuple[Path, Path], since: str | None, until: str | None, hours: bool
) -> None:
    where, store = logs
    window = [*(["--since", since] if since else []), *(["--until", until] if until else [])]
    direct = as_json(str(where / "access.log*"), *window)
    stored = as_json("--state", str(store), *window)
    for key in COMPARED:
        assert stored[key] == direct[key], key
    assert _codes(stored, evidence=hours) == _codes(direct, evidence=hours)
    if hours:  # evidence and latency buckets are whole hours: the drill-down and findings agree too
        assert stored["latency"] == direct["latency"]
        assert stored["findings"] == direct["findings"]
    assert bool(stored["notes"]) == (not hours)  # minute windows cut an evidence bucket, and say so


def test_a_window_that_cuts_a_bucket_is_rounded_and_says_so(logs: tuple[Path, Path]) -> None:
    where, store = logs
    stored = as_json("--state", str(store), "--since", "2026-10-10T07:13:30Z", "--until", "2026-10-10T08:20:00Z")
    rounded = as_json(str(where / "access.log*"), "--since", "2026-10-10T07:13:00Z", "--until", "2026-10-10T08:20:00Z")
    assert stored["totals"] == rounded["totals"]  # the counts cover whole minutes
    assert stored["window"] == {"since": "2026-10-10T07:13:30Z", "until": "2026-10-10T08:20:00Z"}
    (note,) = stored["notes"]
    assert "counts cover 2026-10-10 07:13 UTC → 2026-10-10 08:20 UTC" in note
    assert "evidence and latency 2026-10-10 07:00 UTC → 2026-10-10 09:00 UTC" in note
    table = run("--state", str(store), "--since", "2026-10-10T07:13:30Z")
    assert "The store keeps counts per minute" in table.stdout


def test_the_whole_store_without_a_window_is_every_line_read(logs: tuple[Path, Path]) -> None:
    where, store = logs
    stored = as_json("--state", str(store))
    direct = as_json(str(where / "access.log*"))
    assert stored["totals"] == direct["totals"] == {
        "lines": 6002, "parsed": 6000, "filtered": 0, "unparsed": 1, "blank": 1,
    }
    assert [i["name"] for i in stored["inputs"]] == [str(where / "access.log")]
    assert stored["inputs"][0]["log_format"] == "nginx_timed"


def test_a_run_with_nothing_new_is_a_quiet_report(logs: tuple[Path, Path], tmp_path: Path) -> None:
    where, store = logs
    copy = tmp_path / "state.db"
    shutil.copy(store, copy)
    result = run(str(where / "access.log*"), "--state", str(copy))
    assert result.exit_code == ExitCode.OK
    assert "0 lines: 0 parsed" in result.stdout
    report = as_json(str(where / "access.log*"), "--state", str(copy))
    assert report["totals"]["lines"] == 0 and len(report["inputs"]) == 3


def test_several_stores_merge_and_split_by_host(logs: tuple[Path, Path], tmp_path: Path) -> None:
    _, store = logs
    other = tmp_path / "web-2.db"
    shutil.copy(store, other)
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("UPDATE meta SET value = 'web-2' WHERE key = 'host'")
    with sqlite3.connect(store) as conn:
        host = conn.execute("SELECT value FROM meta WHERE key = 'host'").fetchone()[0]
    one = as_json("--state", str(store))
    both = as_json("--state", str(store), "--state", str(other), "--split", "host")
    assert both["totals"]["parsed"] == 2 * one["totals"]["parsed"]
    assert sorted(i["name"] for i in both["inputs"]) == sorted(
        f"{h}:{i['name']}" for h in (host, "web-2") for i in one["inputs"]
    )
    assert sorted(s["key"] for s in both["splits"]) == sorted([host, "web-2"])
    assert all(s["totals"]["parsed"] == one["totals"]["parsed"] for s in both["splits"])


def test_what_needs_a_store_says_so() -> None:
    for args, why in [
        (["x.log", "--compare", "1d"], "--compare needs a store"),
        (["x.log", "--keep", "90d"], "--keep needs a store"),
        (["x.log", "--split", "host"], "--split host"),
        (["x.log", "--fail-if", "5xx>3x"], "compares with the previous period"),
    ]:
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE and why in result.stderr, (args, result.stderr)


def test_bad_store_options_are_usage_errors(logs: tuple[Path, Path], tmp_path: Path) -> None:
    _, store = logs
    for args, why in [
        (["x.log", "--state", "a.db", "--state", "b.db"], "more than once only to read stores"),
        (["--state", str(store), "--compare", "yesterday"], "--compare takes a length of time"),
        (["--state", str(store), "--split", "planet"], "--split must be one of"),
        (["--state", str(store), "--compare", "1d"], "--compare needs a window"),
    ]:
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE and why in result.stderr, (args, result.stderr)
    missing = run("--state", str(tmp_path / "none.db"))
    assert missing.exit_code == ExitCode.ERROR and "no such store" in missing.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    bad = run("--state", str(junk))
    assert bad.exit_code == ExitCode.ERROR and "not a logstat store" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_relative_window_reads_the_last_hours_of_the_store(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    lines = list(generate.generate("nginx_timed", 2000, seed=9, start=now - timedelta(hours=5), days=5 / 24))
    log = tmp_path / "access.log"
    log.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    store = tmp_path / "state.db"
    assert run(str(log), "--state", str(store), "-q").exit_code == ExitCode.OK
    stored = as_json("--state", str(store), "--since", "2h")
    direct = as_json(str(log), "--since", "2h")
    # --since 2h cuts a minute (to the second): the store's counts cover whole minutes, so at most
    # the requests of that one minute differ, and the report says so.
    assert 0 <= stored["totals"]["parsed"] - direct["totals"]["parsed"] <= 60
    assert stored["notes"] and stored["totals"]["lines"] == direct["totals"]["lines"]


def test_split_by_file_from_a_store_is_per_log(logs: tuple[Path, Path], tmp_path: Path) -> None:
    where, store = logs
    stored = as_json("--state", str(store), "--split", "file")
    assert [(s["key"], s["totals"]["parsed"]) for s in stored["splits"]] == [(str(where / "access.log"), 6000)]
    files = tmp_path / "logs"
    shutil.copytree(where, files)  # other inodes, the same content: the store knows the lines
    copy = files / "state.db"
    with (files / "access.log").open("a", encoding="utf-8") as out:
        out.write(next(generate.generate("nginx_timed", 1, seed=3, start=START)) + "\n")
    new = as_json(str(files / "access.log*"), "--state", str(copy), "--split", "file")
    assert [(s["key"], s["totals"]["parsed"]) for s in new["splits"]] == [(str(files / "access.log"), 1)]
    assert new["totals"]["lines"] == 1
