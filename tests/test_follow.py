"""The follower reads every line appended to a followed log once: through rename rotation,
re-creation, copytruncate and streams, on real files and pipes."""

from __future__ import annotations

import gzip
import os
import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logstat.errors import InputError
from logstat.sources import follow as follow_module
from logstat.sources.follow import Chunk, Follower, follow


class Clock:
    """A clock the test moves by hand, for the drain timeout."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


def _lines(chunks: list[Chunk]) -> list[str]:
    return [line for c in chunks for line in c.data.decode().splitlines()]


def _drain(follower: Follower) -> list[str]:
    chunks, _ = follower.poll()
    return _lines(chunks)


def test_starts_at_the_end_and_reads_appends(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("old 1\nold 2\n")
    follower = follow([str(log)])
    assert _drain(follower) == []
    _append(log, "new 1\nnew 2\n")
    chunks, _ = follower.poll()
    assert _lines(chunks) == ["new 1", "new 2"]
    assert chunks[0].name == str(log) and chunks[0].lines_before == 0
    _append(log, "new 3\n")
    assert follower.poll()[0][0].lines_before == 2
    assert follower.tail_samples[str(log)] == b"old 1\nold 2\n"


def test_from_start_reads_what_is_there(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("a\nb\n")
    assert _drain(follow([str(log)], from_start=True)) == ["a", "b"]


def test_an_unfinished_line_waits_for_its_end(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("done\nhalf a li")  # started while the server was writing a line
    follower = follow([str(log)])
    _append(log, "ne\nnext par")
    assert _drain(follower) == ["half a line"]
    _append(log, "t\n")
    assert _drain(follower) == ["next part"]


def test_a_backlog_larger_than_the_limit_takes_several_polls(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(f"line {i}\n" for i in range(1000)))
    follower = follow([str(log)], from_start=True)
    seen: list[str] = []
    polls = 0
    while True:
        chunks, _ = follower.poll(limit=1000)
        seen += _lines(chunks)
        polls += 1
        if not follower.behind:
            break
    assert seen == [f"line {i}" for i in range(1000)]
    assert polls > 5


def test_rename_rotation_reads_the_old_file_to_its_end_then_the_new_one(tmp_path: Path) -> None:
    clock = Clock()
    log = tmp_path / "access.log"
    log.write_text("")
    follower = follow([str(log)])
    follower.clock = clock
    _append(log, "1\n")
    assert _drain(follower) == ["1"]
    log.rename(tmp_path / "access.log.1")
    _append(tmp_path / "access.log.1", "2\n")  # the server writes on until it reopens its log
    chunks, events = follower.poll()
    assert _lines(chunks) == ["2"] and [e.what for e in events] == ["removed"]
    log.write_text("3\n")
    _append(tmp_path / "access.log.1", "4 unfinished")
    chunks, events = follower.poll()
    assert sorted(_lines(chunks)) == ["3"] and [e.what for e in events] == ["created"]
    new = next(c for c in chunks if c.data == b"3\n")
    assert new.lines_before == 0
    clock.now += follow_module.DRAIN_SECONDS / 2
    _append(tmp_path / "access.log.1", " yet")
    assert _drain(follower) == []  # still written to: kept open
    clock.now += follow_module.DRAIN_SECONDS * 0.9
    assert _drain(follower) == []
    clock.now += follow_module.DRAIN_SECONDS * 0.2
    assert _drain(follower) == ["4 unfinished yet"]  # quiet long enough: closed, its unfinished line counted
    assert len(follower.readers) == 1


def test_rotation_with_the_new_file_already_there(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    follower = follow([str(log)])
    _append(log, "a\n")
    log.rename(tmp_path / "access.log.1")
    log.write_text("b\n")
    chunks, events = follower.poll()
    assert sorted(_lines(chunks)) == ["a", "b"] and [e.what for e in events] == ["rotated"]


def test_copytruncate_reads_again_from_the_start(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    follower = follow([str(log)])
    _append(log, "first line of a long log\nsecond line of a long log\n")
    assert len(_drain(follower)) == 2
    with log.open("r+") as handle:  # logrotate's copytruncate: copy elsewhere, then truncate
        handle.truncate(0)
    _append(log, "x\n")
    chunks, events = follower.poll()
    assert _lines(chunks) == ["x"] and [e.what for e in events] == ["truncated"]
    assert chunks[0].lines_before == 0


def test_truncated_and_refilled_past_the_old_size_between_polls(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    follower = follow([str(log)])
    _append(log, "short 1\n")
    assert _drain(follower) == ["short 1"]
    with log.open("r+") as handle:
        handle.truncate(0)
    _append(log, "a much longer line that ends past the old size\nand another\n")
    chunks, events = follower.poll()
    assert _lines(chunks) == ["a much longer line that ends past the old size", "and another"]
    assert [e.what for e in events] == ["truncated"]


def test_deleted_and_created_again(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("old\n")
    follower = follow([str(log)])
    log.unlink()
    assert follower.poll()[1][0].what == "removed"
    assert follower.waiting() == [str(log)]
    log.write_text("new\n")
    chunks, events = follower.poll()
    assert _lines(chunks) == ["new"] and events[0].what == "created" and follower.waiting() == []


def test_a_new_file_that_cannot_be_opened_is_said_and_tried_again(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    follower = follow([str(log)])
    log.unlink()
    log.write_text("new\n")
    lowest_free = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest_free)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))  # the next open fails: EMFILE
    try:
        follower.poll()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert "cannot be read (Too many open files)" in follower.problems[str(log)]
    assert _drain(follower) == ["new"] and follower.problems == {}


def test_a_file_rotated_into_another_followed_name_is_read_once(tmp_path: Path) -> None:
    log, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    log.write_text("")
    rotated.write_text("last week\n")
    follower = follow([str(tmp_path / "access.log*")])
    _append(log, "a\n")
    assert _drain(follower) == ["a"]
    rotated.unlink()
    log.rename(rotated)
    _append(rotated, "b\n")
    log.write_text("c\n")
    assert sorted(_drain(follower)) == ["b", "c"]


def test_the_same_file_under_two_names_is_read_once(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    (tmp_path / "link.log").symlink_to(log)
    follower = follow([str(log), str(tmp_path / "link.log")])
    _append(log, "a\n")
    assert _drain(follower) == ["a"]


def test_a_stream_is_read_without_blocking_and_its_last_line_counts(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    follower = Follower(streams=[follow_module._Stream("<stdin>", 0, read_end)])
    assert _drain(follower) == []  # nothing written: returns at once
    os.write(write_end, b"one\ntw")
    deadline = time.monotonic() + 5
    seen: list[str] = []
    while not seen and time.monotonic() < deadline:
        seen = _drain(follower)
    assert seen == ["one"]
    os.write(write_end, b"o")
    os.close(write_end)
    while not follower.ended and time.monotonic() < deadline:
        seen += _drain(follower)
    assert seen == ["one", "two"] and follower.ended


def test_a_named_pipe_is_followed_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    follower = follow([str(fifo)])
    with fifo.open("w") as out:
        out.write("x\ny\n")
    deadline = time.monotonic() + 5
    seen: list[str] = []
    while not follower.ended and time.monotonic() < deadline:
        seen += _drain(follower)
    assert seen == ["x", "y"]


def test_a_glob_leaves_out_its_compressed_files(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    (tmp_path / "access.log.2.gz").write_bytes(gzip.compress(b"old\n"))
    follower = follow([str(tmp_path / "access.log*")])
    assert [p.name for p in follower.paths] == [str(log)]
    assert follower.skipped == [str(tmp_path / "access.log.2.gz")]
    with pytest.raises(InputError, match="compressed"):
        follow([str(tmp_path / "*.gz")])


def test_compressed_and_missing_files_are_refused(tmp_path: Path) -> None:
    packed = tmp_path / "access.log.1.gz"
    packed.write_bytes(gzip.compress(b"a\n"))
    with pytest.raises(InputError, match=r"compressed.*logstat summarize"):
        follow([str(packed)])
    with pytest.raises(InputError, match="no such file"):
        follow([str(tmp_path / "missing.log")])


OPERATIONS = st.lists(
    st.sampled_from(["append", "partial", "late", "poll", "rename", "create", "truncate", "delete"]), max_size=40
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_every_line_is_read_exactly_once(tmp_path_factory: pytest.TempPathFactory, operations: list[str]) -> None:
    """Random appends, unfinished lines, rotations, late writes to the rotated file,
    re-creations, deletions and truncations, between polls.

    Polling sees one change of the file at a path between two polls (as ``tail -F`` does), so
    the model polls before a second one. A truncation (copytruncate) copies the file away
    first, and the lines not read by then are in the copy, which is not followed: the model
    polls just before each truncation too.
    """
    directory = tmp_path_factory.mktemp("follow")
    log = directory / "access.log"
    log.write_text("")
    clock = Clock()
    follower = follow([str(log)])
    follower.clock = clock
    written: list[str] = []
    seen: list[str] = []
    partial = ""
    rotated: Path | None = None
    changed = False

    def poll() -> None:
        nonlocal changed
        seen.extend(_drain(follower))
        changed = False

    def end_line() -> None:
        nonlocal partial
        if partial and log.exists():
            _append(log, partial)
        partial = ""

    for operation in operations:
        text = f"line {len(written) + 1} " + "x" * (len(written) % 7)
        if operation in ("append", "partial") and log.exists():
            written.append(text)
            whole, partial = partial + text + "\n", ""
            cut = len(whole) - (len(text) // 2 + 1) if operation == "partial" else len(whole)
            _append(log, whole[:cut])
            partial = whole[cut:]
        elif operation == "late" and rotated is not None and rotated.exists():
            written.append(text)
            _append(rotated, text + "\n")
        elif operation == "poll":
            poll()
        elif operation in ("rename", "delete", "truncate", "create"):
            if changed or operation == "truncate":
                poll()
            if operation == "create" and not log.exists():
                log.write_text("")
            elif operation != "create" and log.exists():
                end_line()
                if operation == "truncate":
                    poll()
                    with log.open("r+") as handle:
                        handle.truncate(0)
                elif operation == "rename":
                    rotated = directory / f"old-{len(written)}"
                    log.rename(rotated)
                else:
                    log.unlink()
            changed = True
    end_line()
    poll()
    for _ in range(2):
        clock.now += follow_module.DRAIN_SECONDS + 1
        poll()
    assert sorted(seen) == sorted(written)
    assert len(follower.readers) <= 1
