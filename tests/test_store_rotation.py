"""Runs over rotating logs count every line once: any sequence of appends (lines cut mid-way
included), renames, compressions, copies and truncations, with a run after each step, leaves in
the store exactly what one read of all the content written gives."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import COMPRESSORS, RotatingLog, lines_text, same_counts, store_tally

from logstat.formats import BUILTIN_FORMATS
from logstat.store.ingest import update_store

TIMED = BUILTIN_FORMATS["nginx_timed"]

STEPS = st.one_of(
    st.tuples(st.just("append"), st.integers(0, 40), st.none() | st.integers(1, 400)),
    st.tuples(st.just("rename"), st.none(), st.none()),
    st.tuples(st.just("copytruncate"), st.none(), st.none()),
    st.tuples(st.just("truncate"), st.none(), st.none()),
    st.tuples(st.just("compress"), st.integers(0, 5), st.sampled_from(sorted(COMPRESSORS))),
)


def _run(log: RotatingLog, store: Path, spool: Path) -> None:
    with tempfile.TemporaryDirectory(dir=spool) as where:
        update_store(store, [str(log.dir / "access.log*")], TIMED, spool_dir=Path(where))


def _apply(log: RotatingLog, step: tuple[str, int | None, object]) -> None:
    kind, number, extra = step
    if kind == "append":
        log.append(number or 0, cut=extra if isinstance(extra, int) else None)
    elif kind == "compress":
        log.compress(number or 0, str(extra))
    else:
        getattr(log, kind)()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=1, max_size=9))
def test_store_totals_equal_one_read_of_everything_written(steps: list[tuple[str, int | None, object]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "logs").mkdir()
        log = RotatingLog(root / "logs")
        store = root / "state.db"
        log.append(5)
        _run(log, store, root)
        for step in steps:
            _apply(log, step)
            _run(log, store, root)
            assert store_tally(store).totals() == log.truth(root).totals(), step
        same_counts(store_tally(store), log.truth(root))


def test_a_rotation_day_by_day(tmp_path: Path) -> None:
    """The sequence logrotate makes every day with delaycompress: each line is counted once."""
    (tmp_path / "logs").mkdir()
    log = RotatingLog(tmp_path / "logs")
    store = tmp_path / "state.db"
    for day in range(4):
        log.append(30, cut=50 + day)
        _run(log, store, tmp_path)
        log.rename()
        if day:
            log.compress(1, ".gz")  # access.log.2 (yesterday's .1) → .2.gz
        log.append(10)
        _run(log, store, tmp_path)
    same_counts(store_tally(store), log.truth(tmp_path))
    assert sorted(p.name for p in log.dir.iterdir())[:3] == ["access.log", "access.log.1", "access.log.2.gz"]


def test_a_cut_last_line_waits_for_its_end(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    log = RotatingLog(tmp_path / "logs")
    store = tmp_path / "state.db"
    log.append(3, cut=40)
    _run(log, store, tmp_path)
    assert store_tally(store).totals()["lines"] == 3
    log.append(0)  # the writer finishes the line
    _run(log, store, tmp_path)
    assert store_tally(store).totals()["lines"] == 4
    whole = lines_text(0, 4)
    assert (log.dir / "access.log").read_bytes() == whole


def test_a_cut_line_in_a_copy_is_counted_once_it_is_compressed(tmp_path: Path) -> None:
    """copytruncate copies half a line; the writer finishes it in the emptied file. A direct read
    sees two fragments; once the copy is compressed (nobody appends to it), so does the store."""
    (tmp_path / "logs").mkdir()
    log = RotatingLog(tmp_path / "logs")
    store = tmp_path / "state.db"
    log.append(12, cut=70)
    _run(log, store, tmp_path)
    log.copytruncate()
    log.append(4)
    _run(log, store, tmp_path)
    assert store_tally(store).totals()["lines"] == 12 + 5  # the copy's half line still waits
    log.compress(0, ".xz")
    _run(log, store, tmp_path)
    assert store_tally(store).totals()["lines"] == 12 + 1 + 5
    same_counts(store_tally(store), log.truth(tmp_path))


def test_a_file_and_its_archive_side_by_side_are_read_once(tmp_path: Path) -> None:
    """While logrotate compresses ``.1`` both files exist: the same lines, read from one of them."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log.1").write_bytes(lines_text(0, 50))
    (logs / "access.log.1.gz").write_bytes(COMPRESSORS[".gz"](lines_text(0, 50)))
    (logs / "access.log").write_bytes(lines_text(50, 5))
    store = tmp_path / "state.db"
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        result = update_store(store, [str(logs / "access.log*")], TIMED, spool_dir=Path(where))
    assert store_tally(store).totals()["lines"] == 55
    notes = dict(result.tally.inputs.select("input", "note").iter_rows())
    assert "the same lines as" in str(notes[str(logs / "access.log.1.gz")])
    (logs / "access.log.1").unlink()  # the compression ends
    _run_glob(logs, store, tmp_path)
    assert store_tally(store).totals()["lines"] == 55


def _run_glob(logs: Path, store: Path, spool: Path) -> None:
    with tempfile.TemporaryDirectory(dir=spool) as where:
        update_store(store, [str(logs / "access.log*")], TIMED, spool_dir=Path(where))


def test_a_file_rewritten_in_place_is_read_again_with_a_note(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    live = logs / "access.log"
    live.write_bytes(lines_text(0, 20))
    store = tmp_path / "state.db"
    _run_glob(logs, store, tmp_path)
    with live.open("r+b") as handle:  # the same inode, other lines
        handle.truncate(0)
        handle.write(lines_text(100, 30))
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        result = update_store(store, [str(live)], TIMED, spool_dir=Path(where))
    assert result.tally.totals()["lines"] == 30
    assert "its start changed since the last run" in str(result.tally.inputs["note"][0])
    assert store_tally(store).totals()["lines"] == 50


def test_a_file_that_shrank_is_read_from_its_start(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    live = logs / "access.log"
    live.write_bytes(lines_text(0, 20))
    store = tmp_path / "state.db"
    _run_glob(logs, store, tmp_path)
    live.write_bytes(lines_text(0, 2))  # same start, shorter than where the run stopped
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        result = update_store(store, [str(live)], TIMED, spool_dir=Path(where))
    assert result.tally.totals()["lines"] == 2
    assert "shorter than where the last run stopped" in str(result.tally.inputs["note"][0])
