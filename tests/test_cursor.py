"""Reading only what is new: cut lines, text encodings, damaged archives and pipes, piece by piece
exactly as a direct read of the whole file."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest
from store_helpers import count_bytes, lines_text, same_counts, store_tally
from typer.testing import CliRunner

from logstat.cli import app
from logstat.errors import ExitCode, InputError
from logstat.formats import BUILTIN_FORMATS
from logstat.sources.cursor import FINGERPRINT_BYTES, plan
from logstat.store.ingest import log_name, update_store

TIMED = BUILTIN_FORMATS["nginx_timed"]


def _run(store: Path, *paths: Path) -> None:
    with tempfile.TemporaryDirectory(dir=store.parent) as where:
        update_store(store, [str(p) for p in paths], TIMED, spool_dir=Path(where))


def test_a_short_file_is_recognised_by_its_prefix_as_it_grows(tmp_path: Path) -> None:
    log, store = tmp_path / "access.log", tmp_path / "state.db"
    data = lines_text(0, 40)
    assert len(data) > 2 * FINGERPRINT_BYTES
    for end in (150, 700, 1500, len(data)):  # cut anywhere, often mid-line
        log.write_bytes(data[:end])
        _run(store, log)
    renamed = tmp_path / "access.log.1"
    log.rename(renamed)
    _run(store, renamed)
    same_counts(store_tally(store), count_bytes(data, tmp_path))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_pieces_add_up_to_the_whole_file(tmp_path: Path, encoding: str) -> None:
    text = lines_text(0, 30).decode()
    whole = "\ufeff" + text
    log, store = tmp_path / "access.log", tmp_path / "state.db"
    cut = whole.index("\n", len(whole) // 2) + 5  # a cut inside a line
    log.write_bytes(whole[:cut].encode(encoding))
    _run(store, log)
    log.write_bytes(whole.encode(encoding))
    _run(store, log)
    same_counts(store_tally(store), count_bytes(text.encode(), tmp_path))


def test_cr_line_ends_are_cut_only_where_a_line_ends(tmp_path: Path) -> None:
    data = lines_text(0, 30).replace(b"\n", b"\r")
    log, store = tmp_path / "access.log", tmp_path / "state.db"
    for end in (len(data) // 3, len(data) // 2, len(data)):
        log.write_bytes(data[:end])
        _run(store, log)
    with log.open("ab") as out:
        out.write(b"\n")  # a CRLF split between two runs is one line end, not an extra blank line
    _run(store, log)
    same_counts(store_tally(store), count_bytes(lines_text(0, 30), tmp_path))


def test_a_damaged_archive_counts_what_precedes_the_damage_once(tmp_path: Path) -> None:
    packed = gzip.compress(lines_text(0, 2000))
    broken = tmp_path / "access.log.2.gz"
    broken.write_bytes(packed[: len(packed) * 2 // 3])
    store = tmp_path / "state.db"
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        result = update_store(store, [str(broken)], TIMED, spool_dir=Path(where))
    first = store_tally(store).totals()["lines"]
    assert 0 < first < 2000
    assert "truncated or corrupt" in str(result.tally.inputs["note"][0])
    _run(store, broken)
    assert store_tally(store).totals()["lines"] == first
    nothing = tmp_path / "empty.gz"
    nothing.write_bytes(packed[:12])
    with pytest.raises(InputError, match=r"empty\.gz: gzip data is truncated or corrupt"):
        _run(store, nothing)


def test_standard_input_is_known_by_its_content(tmp_path: Path) -> None:
    store = tmp_path / "state.db"
    data = lines_text(0, 50)
    for text in (data[:2000], data):
        result = CliRunner().invoke(app, ["summarize", "-", "--state", str(store), "-q"], input=text)
        assert result.exit_code == ExitCode.OK, result.stderr
    same_counts(store_tally(store), count_bytes(data[: data.rfind(b"\n") + 1], tmp_path))


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(lines_text(0, 10))
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        pieces = plan([("a", log), ("b", log)], [], Path(where))
    assert [p.copy_of for p in pieces] == [None, "a"]


@pytest.mark.parametrize(
    ("name", "log"),
    [
        ("/var/log/nginx/access.log", "/var/log/nginx/access.log"),
        ("/var/log/nginx/access.log.1", "/var/log/nginx/access.log"),
        ("/var/log/nginx/access.log.12.gz", "/var/log/nginx/access.log"),
        ("access.log-20261010.gz", "access.log"),
        ("access_log.3.zst", "access_log"),
        ("<stdin>", "<stdin>"),
    ],
)
def test_a_file_belongs_to_its_log_whatever_its_rotation_suffix(name: str, log: str) -> None:
    assert log_name(name) == log
