"""Inputs in object storage: S3 objects (a real S3 API on loopback, moto's server) and https URLs,
read by polars' own cloud readers, give the report of the same files on disk."""

from __future__ import annotations

import gzip
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from fleet import ObjectStore, object_store

from logstat.errors import InputError, UsageError
from logstat.sources import open_inputs
from logstat.sources.remote import parse_storage_options
from logstat.tally.pieces import count_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {name: ROOT / "sample_logs" / f"{name}.log" for name in ("incidents", "nginx_timed", "ingress_nginx")}


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    with object_store() as running:
        for name, path in SAMPLES.items():
            data = path.read_bytes()
            running.put(f"web/{name}.log", data)
            running.put(f"gz/{name}.log.gz", gzip.compress(data, mtime=0))
            running.put(f"zst/{name}.log.zst", zstandard.ZstdCompressor().compress(data))
        yield running


def _summarize(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logstat", "summarize", *args, "-f", "json"], capture_output=True, text=True, check=False
    )


def _document(text: str, *prefixes: str) -> dict[str, object]:
    """A JSON report with its generation time and the inputs' directories taken out."""
    for prefix in prefixes:
        text = text.replace(prefix, "")
    document = json.loads(text)
    document.pop("generated_at")
    return document  # type: ignore[no-any-return]


@pytest.mark.parametrize(("where", "suffix"), [("web", ".log"), ("gz", ".log.gz"), ("zst", ".log.zst")])
def test_objects_give_the_report_of_the_files(store: ObjectStore, where: str, suffix: str, tmp_path: Path) -> None:
    local = [str(p) for p in SAMPLES.values()]
    remote = [f"s3://logs/{where}/{name}{suffix}" for name in SAMPLES]
    on_disk = _summarize(*local)
    in_store = _summarize(*remote, *store.cli_options())
    assert in_store.returncode == 0, in_store.stderr
    directory = f"{ROOT / 'sample_logs'}/"
    expected = _document(on_disk.stdout.replace(".log", f"{suffix}"), directory)
    assert _document(in_store.stdout, f"s3://logs/{where}/") == expected
    inputs = json.loads(in_store.stdout)["inputs"]
    assert [(i["log_format"], i["detected"]) for i in inputs] == [
        ("nginx_timed", True), ("nginx_timed", True), ("ingress_nginx", True)
    ]


def test_a_glob_on_the_store_lists_its_objects_in_order(store: ObjectStore, tmp_path: Path) -> None:
    inputs = open_inputs(["s3://logs/gz/*.gz"], spool_dir=tmp_path, storage_options=store.options)
    assert [i.url for i in inputs] == [f"s3://logs/gz/{n}.log.gz" for n in sorted(SAMPLES)]
    tally = count_inputs(inputs)
    local = count_inputs(open_inputs([str(SAMPLES[n]) for n in sorted(SAMPLES)], spool_dir=tmp_path))
    assert tally.counts.equals(local.counts) and tally.evidence.equals(local.evidence)


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("s3://logs/none/*.log", "s3://logs/none/*.log: the pattern matches no object; check the bucket"),
        ("s3://logs/web/missing.log", "s3://logs/web/missing.log: no such object; check the URL"),
    ],
)
def test_a_missing_object_is_one_line(store: ObjectStore, argument: str, message: str) -> None:
    done = _summarize(argument, *store.cli_options())
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"logstat: error: {message}")


def test_storage_options_are_key_value_pairs() -> None:
    assert parse_storage_options(["aws_region=eu-west-1", "token=a=b"]) == {"aws_region": "eu-west-1", "token": "a=b"}
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_storage_options(["aws_region"])


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with ``Range`` support, as web servers and object stores do (polars asks for ranges)."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        spec = self.headers.get("Range")
        start, end = 0, len(data) - 1
        if spec and spec.startswith("bytes="):
            first, _, last = spec[6:].partition("-")
            start = int(first) if first else len(data) - int(last)
            end = min(int(last), len(data) - 1) if first and last else len(data) - 1
        body = data[start : end + 1]
        self.send_response(206 if spec else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if spec:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()


def test_an_https_style_url_gives_the_report_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "access.log.gz").write_bytes(gzip.compress(SAMPLES["incidents"].read_bytes(), mtime=0))

    def handler(*args: object) -> _RangeHandler:
        return _RangeHandler(*args, directory=str(tmp_path))  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/access.log.gz"
        inputs = open_inputs([url], spool_dir=tmp_path)
        assert inputs[0].url == url
        tally = count_inputs(inputs)
        with pytest.raises(InputError, match="no such object"):
            count_inputs(open_inputs([url.replace("access", "missing")], spool_dir=tmp_path))
    finally:
        server.shutdown()
        server.server_close()
    local = count_inputs(open_inputs([str(SAMPLES["incidents"])], spool_dir=tmp_path))
    assert tally.counts.equals(local.counts) and tally.evidence.equals(local.evidence)
    assert tally.latency.equals(local.latency)
