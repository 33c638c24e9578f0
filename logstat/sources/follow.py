"""Following logs as they grow, like ``tail -F``: appends, rename rotation, re-creation,
copytruncate, and streams (standard input, pipes).

Files are read by identity (device and inode), not by name. Each poll looks at what every
followed path names now:

- a path that names a file not being read yet (a new file after rotation, a re-created one)
  is read from its first byte;
- a file that no path names any more (renamed away by logrotate, or deleted) is still read
  to its end through the open descriptor, since the server may write to it until it reopens
  its log, and closed once it has stayed quiet for :data:`DRAIN_SECONDS`;
- a file that shrank below what was read, or whose first bytes changed (truncated and
  written again between two polls), was truncated in place (copytruncate): it is read again
  from its first byte.

A file renamed to another followed path (``access.log`` to ``access.log.1`` under a glob)
keeps its reader, so no line is read twice. Only whole lines are handed out: an unfinished
last line waits until its line end arrives, and is handed out as it is when its file ends
(drained after rotation, truncated, or the stream closed), so every byte read is in exactly
one line.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from logstat.errors import InputError
from logstat.sources.compression import compression_of
from logstat.sources.cursor import FINGERPRINT_BYTES
from logstat.sources.paths import check_readable, expand_arguments
from logstat.text import display_name

READ_LIMIT = 32 << 20
"""Bytes read from one file in one poll; a longer backlog (``--from-start``) takes several polls."""

DRAIN_SECONDS = 10.0
"""How long a rotated-away or deleted file is still read after its last new byte."""

HEAD_BYTES = FINGERPRINT_BYTES
"""Bytes at the start of a file whose change tells that it was truncated and written again: the
store's fingerprint (:mod:`logstat.sources.cursor`), compared as bytes, since the follower keeps
them in memory while the store keeps a digest between runs."""

TAIL_SAMPLE_BYTES = 64 << 10
"""Bytes before the starting point kept for format detection when reading starts at the end."""

STDIN = "<stdin>"

Identity = tuple[int, int]


@dataclass(frozen=True)
class Chunk:
    """Whole lines read from one input: each ends with LF."""

    name: str
    ordinal: int
    data: bytes
    lines_before: int
    """Lines of the same file read before these (line numbers of this chunk start after it)."""


@dataclass(frozen=True)
class Event:
    """Something that happened to an input: ``rotated``, ``truncated``, ``created``, ``removed``, ``ended``."""

    name: str
    what: str


@dataclass
class _Reader:
    """One open file, read by position."""

    name: str
    ordinal: int
    fd: int
    offset: int
    head: bytes
    pending: bytes = b""
    lines: int = 0
    quiet_since: float | None = None

    def read(self, limit: int) -> tuple[bytes, bool]:
        """New whole lines, and whether more was left to read."""
        size = os.fstat(self.fd).st_size
        if size <= self.offset:
            return b"", False
        data = os.pread(self.fd, min(size - self.offset, limit), self.offset)
        self.offset += len(data)
        return self._lines(data), self.offset < size

    def _lines(self, data: bytes) -> bytes:
        buffer = self.pending + data
        cut = buffer.rfind(b"\n") + 1
        self.pending = buffer[cut:]
        return buffer[:cut]

    def was_truncated(self) -> bool:
        """Whether the file shrank below what was read, or its first bytes changed."""
        if os.fstat(self.fd).st_size < self.offset:
            return True
        if not self.head:
            self.head = os.pread(self.fd, HEAD_BYTES, 0)
            return False
        now = os.pread(self.fd, HEAD_BYTES, 0)
        if not now.startswith(self.head):
            return True
        self.head = now
        return False

    def restart(self) -> bytes:
        """Read again from the first byte; returns the unfinished line of the old content, ended."""
        rest = self.finish()
        self.offset, self.lines, self.head = 0, 0, os.pread(self.fd, HEAD_BYTES, 0)
        return rest

    def finish(self) -> bytes:
        """The unfinished last line, ended with LF (empty when there is none)."""
        rest, self.pending = self.pending, b""
        return rest + b"\n" if rest else b""


def _identity(path: str) -> Identity | None:
    try:
        st = Path(path).stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st.st_dev, st.st_ino


def _line_start_before(fd: int, size: int) -> int:
    """The offset just after the last LF before ``size`` (0 when there is none)."""
    position = size
    while position > 0:
        start = max(0, position - (1 << 16))
        block = os.pread(fd, position - start, start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        position = start
    return 0


@dataclass
class _Path:
    path: str
    name: str
    ordinal: int
    identity: Identity | None


class _Stream:
    """A pipe or standard input, read by a thread so that the caller never blocks.

    ``source`` is an open descriptor, or a path that the thread opens (opening a named pipe
    waits for its writer).
    """

    def __init__(self, name: str, ordinal: int, source: int | str) -> None:
        self.name, self.ordinal, self.source = name, ordinal, source
        self.pending = b""
        self.lines = 0
        self.ended = False
        # Bounded: a writer faster than the counting waits on the pipe, as with any reader.
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=64)
        self.thread = threading.Thread(target=self._pump, name=f"read {name}", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        try:
            fd = self.source if isinstance(self.source, int) else os.open(self.source, os.O_RDONLY)
        except OSError:
            self.queue.put(b"")
            return
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            self.queue.put(data)
            if not data:
                return

    def read(self, limit: int) -> tuple[bytes, bool]:
        """Whole lines received since the last call, and whether more is waiting."""
        parts = [self.pending]
        size = 0
        while size < limit:
            try:
                data = self.queue.get_nowait()
            except queue.Empty:
                break
            if not data:
                self.ended = True
                break
            parts.append(data)
            size += len(data)
        buffer = b"".join(parts)
        if self.ended and buffer and not buffer.endswith(b"\n"):
            buffer += b"\n"  # the stream's unfinished last line is a line of its own
        cut = buffer.rfind(b"\n") + 1
        self.pending = buffer[cut:]
        return buffer[:cut], not self.queue.empty()


@dataclass
class Follower:
    """Follows files and streams; :meth:`poll` returns what was appended since the last poll."""

    paths: list[_Path] = field(default_factory=list)
    readers: dict[Identity, _Reader] = field(default_factory=dict)
    streams: list[_Stream] = field(default_factory=list)
    tail_samples: dict[str, bytes] = field(default_factory=dict)
    """For each file read from its end: its last lines before that point, for format detection."""
    skipped: list[str] = field(default_factory=list)
    """Compressed files a glob matched, left out (nothing is appended to them)."""
    problems: dict[str, str] = field(default_factory=dict)
    """Followed paths that name a file which cannot be opened, and why."""
    behind: bool = False
    """Whether the last poll left bytes to read (a backlog larger than :data:`READ_LIMIT`)."""
    clock: Callable[[], float] = time.monotonic

    def poll(self, limit: int = READ_LIMIT) -> tuple[list[Chunk], list[Event]]:
        """The whole lines appended since the last poll, and what happened to the inputs."""
        chunks: list[Chunk] = []
        events: list[Event] = []
        self.behind = False
        self._look_at_paths(events)
        named = {p.identity for p in self.paths}
        now = self.clock()
        for identity, reader in list(self.readers.items()):
            if reader.was_truncated():
                events.append(Event(reader.name, "truncated"))
                self._emit(chunks, reader.name, reader.ordinal, reader.restart(), reader.lines)
            before = reader.offset
            data, more = reader.read(limit)
            self.behind |= more
            self._emit(chunks, reader.name, reader.ordinal, data, reader.lines)
            reader.lines += data.count(b"\n")
            if identity in named:
                reader.quiet_since = None
            elif reader.offset != before or reader.quiet_since is None:
                reader.quiet_since = now
            elif now - reader.quiet_since >= DRAIN_SECONDS:
                self._emit(chunks, reader.name, reader.ordinal, reader.finish(), reader.lines)
                os.close(reader.fd)
                del self.readers[identity]
        for stream in self.streams:
            if stream.ended:
                continue
            data, more = stream.read(limit)
            self.behind |= more
            self._emit(chunks, stream.name, stream.ordinal, data, stream.lines)
            stream.lines += data.count(b"\n")
            if stream.ended:
                events.append(Event(stream.name, "ended"))
        return chunks, events

    @staticmethod
    def _emit(chunks: list[Chunk], name: str, ordinal: int, data: bytes, lines_before: int) -> None:
        if data:
            chunks.append(Chunk(name, ordinal, data, lines_before))

    def _look_at_paths(self, events: list[Event]) -> None:
        for followed in self.paths:
            identity = _identity(followed.path)
            if identity == followed.identity:
                continue
            if identity is None:
                events.append(Event(followed.name, "removed"))
            elif identity not in self.readers:
                try:
                    fd = os.open(followed.path, os.O_RDONLY)
                except FileNotFoundError:
                    continue  # gone again before it could be opened; the next poll looks again
                except OSError as exc:
                    # A log re-created with modes this user may not read (logrotate's "create 0640"):
                    # said on the screen, and tried again at every poll.
                    self.problems[followed.name] = f"cannot be read ({exc.strerror}); run as a user that can read it"
                    continue
                self.problems.pop(followed.name, None)
                if (os.fstat(fd).st_dev, os.fstat(fd).st_ino) != identity:
                    os.close(fd)
                    continue  # replaced between stat and open; the next poll looks again
                what = "created" if followed.identity is None else "rotated"
                events.append(Event(followed.name, what))
                self.readers[identity] = _Reader(followed.name, followed.ordinal, fd, 0, os.pread(fd, HEAD_BYTES, 0))
            followed.identity = identity

    @property
    def ended(self) -> bool:
        """Whether every input is a stream, and every one of them has ended."""
        return not self.paths and all(s.ended for s in self.streams)

    def waiting(self) -> list[str]:
        """Followed paths that name no file at the moment (between rotation and re-creation)."""
        return [p.name for p in self.paths if p.identity is None]

    def close(self) -> None:
        """Close every open file (stream threads end with their input)."""
        for reader in self.readers.values():
            with contextlib.suppress(OSError):
                os.close(reader.fd)
        self.readers.clear()


def follow(arguments: Sequence[str], *, from_start: bool = False) -> Follower:
    """Start following ``arguments`` (files, globs, ``-`` for standard input).

    Files are read from their end (from the start of their unfinished last line), or from
    their first byte with ``from_start``. Standard input and pipes are read from what
    arrives next. Compressed files that a glob matches (``access.log*`` with its rotated
    ``.gz``) are left out, since nothing is appended to them; they are listed in ``skipped``.

    Raises
    ------
    InputError
        For a missing file, a directory, a glob matching nothing, a compressed file named
        on its own, or a glob that matches only compressed files.
    """
    follower = Follower()
    ordinal = 0
    for given in arguments:
        names = expand_arguments([given])
        for argument in names:
            if _add(follower, argument, ordinal, from_start, globbed=names != [given]):
                ordinal += 1
    if not follower.paths and not follower.streams:
        shown = display_name(follower.skipped[0])
        msg = f"{shown}: is compressed, and nothing is appended to a compressed log; name the live log"
        raise InputError(msg)
    return follower


def _add(follower: Follower, argument: str, ordinal: int, from_start: bool, *, globbed: bool) -> bool:
    """Follow one argument; False when it is a compressed file a glob matched (left out)."""
    if argument == "-":
        follower.streams.append(_Stream(STDIN, ordinal, _stdin_fd()))
        return True
    path = check_readable(argument)
    name = display_name(argument)
    if not path.is_file():
        follower.streams.append(_Stream(name, ordinal, argument))
        return True
    if compression_of(path) is not None:
        if globbed:
            follower.skipped.append(argument)
            return False
        msg = (
            f"{name}: is compressed, and nothing is appended to a compressed log; "
            "follow the live log, or read this one with logstat summarize"
        )
        raise InputError(msg)
    identity = _identity(argument)
    follower.paths.append(_Path(argument, name, ordinal, identity))
    if identity is not None and identity not in follower.readers:  # the same file under two names is read once
        follower.readers[identity] = _open_reader(argument, name, ordinal, from_start, follower.tail_samples)
    return True


def _open_reader(path: str, name: str, ordinal: int, from_start: bool, samples: dict[str, bytes]) -> _Reader:
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    start = 0 if from_start else _line_start_before(fd, size)
    if start:
        tail = os.pread(fd, min(start, TAIL_SAMPLE_BYTES), start - min(start, TAIL_SAMPLE_BYTES))
        samples[name] = tail[tail.find(b"\n") + 1 :] if start > TAIL_SAMPLE_BYTES else tail
    return _Reader(name, ordinal, fd, start, os.pread(fd, HEAD_BYTES, 0))


def _stdin_fd() -> int:
    if sys.stdin is None:
        msg = "-: standard input is closed; pipe a log into logstat or pass a file name"
        raise InputError(msg)
    return sys.stdin.fileno()
