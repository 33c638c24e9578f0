"""Cluster runs give the local report, byte for byte, in every output (issue #18).

Real Dask: a ``LocalCluster`` of two spawned worker processes with one thread each, and the
``dask scheduler`` / ``dask worker`` commands started on loopback. Inputs: many files in several
formats, gzip files, a file cut into line-aligned ranges, objects in a real S3 API (moto's
server), and lists past the drill-down cap (summarized, so the merge order matters).
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import distributed
import pytest
from fleet import command_line_cluster, local_cluster, object_store
from helpers import load_benchmark, require

from logstat.cluster import count_on_cluster
from logstat.errors import InputError
from logstat.render import OutputFormat, RenderOptions, renderer_for
from logstat.report import Report, build
from logstat.sources import open_inputs
from logstat.tally.count import CountOptions
from logstat.tally.pieces import count_locally, fold, plan
from logstat.tally.serialize import to_bytes

generate = load_benchmark("generate")
NOW = datetime(2026, 11, 2, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def outputs(report: Report) -> dict[str, str]:
    """Every output of a report: the table, each CSV table, JSON, Markdown and HTML."""
    texts = {fmt.value: renderer_for(fmt)(report, RenderOptions(width=120)) for fmt in OutputFormat}
    for table in ("classes", "series", "unparsed"):
        texts[f"csv {table}"] = renderer_for(OutputFormat.CSV)(report, RenderOptions(csv_table=table))
    texts["markdown by hour"] = renderer_for(OutputFormat.MARKDOWN)(report, RenderOptions(by="hour"))
    return texts


def _write(path: Path, lines: list[str], *, compress: bool = False) -> Path:
    data = "".join(f"{line}\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Many files: several formats, gzip, junk lines, a file big enough to cut into ranges, a scan."""
    directory = tmp_path_factory.mktemp("fleet-logs")
    start = datetime(2026, 10, 1, tzinfo=UTC)
    found: dict[str, Path] = {}
    for number, fmt in enumerate(["combined", "nginx_timed", "common", "ingress_nginx", "combined"]):
        lines = list(generate.generate(fmt, 1500 + 300 * number, seed=number, start=start, days=1))
        lines[7:7] = ["", "not a log line"]
        found[f"{fmt}-{number}"] = _write(directory / f"{fmt}-{number}.log", lines, compress=number % 2 == 1)
    big = list(generate.generate("combined", 6000, seed=42, start=start, days=2))
    big[100:100] = ["junk in the middle", ""]
    found["big"] = _write(directory / "big.log", big)
    found["scan"] = _write(directory / "scan.log", list(generate.scan_log(3000)))
    return found


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with local_cluster(workers=2) as address:
        yield address


def _pieces(paths: list[Path], spool: Path, range_bytes: int = 40_000) -> tuple[list, list]:
    inputs = open_inputs([str(p) for p in paths], spool_dir=spool)
    return inputs, plan(inputs, range_bytes=range_bytes)


def _local(pieces: list, options: CountOptions, spool: Path) -> Report:
    return build(fold(pieces, count_locally(pieces, options, spool_dir=spool), options), now=NOW)


def test_many_files_and_ranges_give_the_local_report_in_every_output(
    cluster: str, logs: dict[str, Path], tmp_path: Path
) -> None:
    _, pieces = _pieces(list(logs.values()), tmp_path)
    assert sum(1 for p in pieces if p.end is not None) >= 10, "the big files are cut into ranges"
    assert any(p.source.compression == "gzip" and p.end is None for p in pieces)
    options = CountOptions()
    local = _local(pieces, options, tmp_path)
    remote = build(count_on_cluster(cluster, pieces, options, spool_dir=tmp_path), now=NOW)
    assert outputs(remote) == outputs(local)
    # Cutting into ranges changes nothing while the drill-down lists fit their cap.
    _, whole = _pieces(list(logs.values()), tmp_path, range_bytes=1 << 40)
    assert len(whole) == len(logs)
    assert outputs(_local(whole, options, tmp_path)) == outputs(local)


def test_summarized_lists_are_the_same_as_local_ones(cluster: str, logs: dict[str, Path], tmp_path: Path) -> None:
    _, pieces = _pieces([logs["scan"], logs["big"]], tmp_path, range_bytes=20_000)
    options = CountOptions(evidence_cap=20, split_by="file")
    local = _local(pieces, options, tmp_path)
    assert local.evidence["404"].approximate, "the scan's paths are past the cap"
    tally = count_on_cluster(cluster, pieces, options, spool_dir=tmp_path)
    assert outputs(build(tally, now=NOW)) == outputs(local)
    assert to_bytes(tally) == to_bytes(fold(pieces, count_locally(pieces, options), options))


def test_the_cli_on_a_cluster_writes_the_local_files(cluster: str, logs: dict[str, Path], tmp_path: Path) -> None:
    files = [str(logs["combined-0"]), str(logs["nginx_timed-1"]), str(logs["big"])]
    for where, extra in (("local", []), ("cluster", ["--cluster", cluster])):
        outs = [arg for suffix in ("json", "md", "html", "csv") for arg in ("-o", str(tmp_path / f"{where}.{suffix}"))]
        done = subprocess.run(
            [sys.executable, "-m", "logstat", "summarize", *files, *outs, "--quiet", *extra],
            capture_output=True, text=True, check=False, env={**os.environ, "DASK_SCHEDULER_ADDRESS": ""},
        )
        assert done.returncode == 0, done.stderr
    for suffix in ("json", "md", "html", "csv"):
        local, remote = ((tmp_path / f"{w}.{suffix}").read_text(encoding="utf-8") for w in ("local", "cluster"))
        assert _without_time(remote) == _without_time(local), suffix


def _without_time(text: str) -> list[str]:
    return [line for line in text.splitlines() if "generated" not in line.lower()]


def test_the_scheduler_address_comes_from_the_environment(cluster: str, logs: dict[str, Path]) -> None:
    command = [sys.executable, "-m", "logstat", "summarize", str(logs["combined-0"]), "-f", "json"]
    results = {}
    for address in (cluster, "tcp://127.0.0.1:9"):
        env = {**os.environ, "DASK_SCHEDULER_ADDRESS": address}
        results[address] = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert results[cluster].returncode == 0, results[cluster].stderr
    refused = results["tcp://127.0.0.1:9"]
    assert refused.returncode == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in refused.stderr


def test_an_unreadable_input_fails_the_run_with_the_local_error(
    cluster: str, logs: dict[str, Path], tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.log.gz"
    damaged.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    gone = _write(tmp_path / "gone.log", list(generate.generate("combined", 50, seed=1)))
    spool = tmp_path / "spool"
    spool.mkdir()
    _, pieces = _pieces([logs["combined-0"], gone], spool)
    gone.unlink()
    with pytest.raises(InputError, match=r"gone\.log: no such file on cluster worker .*object storage"):
        count_on_cluster(cluster, pieces, CountOptions(), spool_dir=spool)
    errors = []
    for extra in ([], ["--cluster", cluster]):
        done = subprocess.run(
            [sys.executable, "-m", "logstat", "summarize", str(logs["combined-0"]), str(damaged), *extra],
            capture_output=True, text=True, check=False, env={**os.environ, "DASK_SCHEDULER_ADDRESS": ""},
        )
        assert done.returncode == 1 and done.stdout == ""
        errors.append(done.stderr)
    assert errors[0] == errors[1] and errors[0].count("\n") == 1 and "damaged.log.gz" in errors[0]


def test_without_dask_the_cli_says_what_to_install(logs: dict[str, Path]) -> None:
    code = (
        "import sys; sys.modules['distributed'] = None; sys.argv[0] = 'logstat'\n"
        "from logstat.launch import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "summarize", str(logs["combined-0"]), "--cluster", "tcp://127.0.0.1:9"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "logstat: error: --cluster needs Dask's distributed scheduler; install it with pip install 'logstat[cluster]'"
    ]


def test_objects_in_s3_on_the_cluster(cluster: str, logs: dict[str, Path], tmp_path: Path) -> None:
    with object_store() as store:
        names = ["combined-0", "nginx_timed-1", "common-2"]
        for name in names:
            store.put(f"2026/11/{logs[name].name}", logs[name].read_bytes())
        inputs = open_inputs(["s3://logs/2026/11/*"], spool_dir=tmp_path, storage_options=store.options)
        assert [source.url for source in inputs] == [f"s3://logs/2026/11/{logs[n].name}" for n in sorted(names)]
        pieces = plan(inputs)
        options = CountOptions()
        local = _local(pieces, options, tmp_path)
        remote = build(count_on_cluster(cluster, pieces, options), now=NOW)
    assert outputs(remote) == outputs(local)
    on_disk = build(fold(*_folded(sorted(logs[n] for n in names), tmp_path, options)), now=NOW)
    assert remote.totals == on_disk.totals and remote.by_code == on_disk.by_code


def _folded(paths: list[Path], spool: Path, options: CountOptions) -> tuple:
    _, pieces = _pieces(paths, spool, range_bytes=1 << 40)
    return pieces, count_locally(pieces, options), options


def test_the_dask_commands_on_loopback_give_the_local_report(logs: dict[str, Path], tmp_path: Path) -> None:
    require(Path(sys.executable).with_name("dask").exists(), "the dask command (pip install 'logstat[cluster]')")
    _, pieces = _pieces(list(logs.values()), tmp_path)
    options = CountOptions(evidence_cap=50)
    local = _local(pieces, options, tmp_path)
    with command_line_cluster(tmp_path, workers=2) as (address, _):
        remote = build(count_on_cluster(address, pieces, options, spool_dir=tmp_path), now=NOW)
    assert outputs(remote) == outputs(local)


def test_a_worker_that_dies_has_its_tasks_rerun(logs: dict[str, Path], tmp_path: Path) -> None:
    require(Path(sys.executable).with_name("dask").exists(), "the dask command (pip install 'logstat[cluster]')")
    _, pieces = _pieces([logs["big"]] * 4, tmp_path, range_bytes=150_000)
    options = CountOptions()
    expected = outputs(_local(pieces, options, tmp_path))
    with command_line_cluster(tmp_path, workers=2) as (address, _):
        with distributed.Client(address, set_as_default=False) as client:
            worker_pids = list(client.run(os.getpid).values())
        result: dict[str, object] = {}

        def run() -> None:
            result["tally"] = count_on_cluster(address, pieces, options, spool_dir=tmp_path)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(1.0)
        os.kill(worker_pids[0], signal.SIGKILL)  # the nanny starts a new worker; the scheduler reruns
        thread.join(timeout=300)
    assert not thread.is_alive()
    assert outputs(build(result["tally"], now=NOW)) == expected  # type: ignore[arg-type]


def test_an_export_on_the_cluster_writes_the_local_dataset(cluster: str, logs: dict[str, Path], tmp_path: Path) -> None:
    import duckdb

    files = [str(logs["big"]), str(logs["nginx_timed-1"]), str(logs["ingress_nginx-3"])]
    for where, extra in (("local", []), ("cluster", ["--cluster", cluster])):
        done = subprocess.run(
            [sys.executable, "-m", "logstat", "export", *files, "--to", str(tmp_path / where), *extra],
            capture_output=True, text=True, check=False, env={**os.environ, "DASK_SCHEDULER_ADDRESS": ""},
        )
        assert done.returncode == 0, done.stderr
    names = {
        where: sorted(p.relative_to(tmp_path / where) for p in (tmp_path / where).rglob("*.parquet"))
        for where in ("local", "cluster")
    }
    assert names["cluster"] == names["local"] and names["local"]
    query = "SELECT * FROM read_parquet('{}/requests/**/*.parquet', hive_partitioning=true) ORDER BY file, line"
    rows = {w: duckdb.connect().sql(query.format(tmp_path / w)).fetchall() for w in ("local", "cluster")}
    assert rows["cluster"] == rows["local"]
