"""Helpers for the store tests: unique log lines, a model of rotating logs, and reading a store back."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import zstandard

from logstat.formats import BUILTIN_FORMATS
from logstat.sources import Input
from logstat.store.read import Rounded
from logstat.store.schema import EVIDENCE_BUCKET
from logstat.store.stores import opened, read_window
from logstat.tally.count import CountOptions, count_input
from logstat.tally.model import Tally
from logstat.timewindow import OPEN_WINDOW

START = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
STATUSES = (200, 200, 200, 404, 500, 502, 301, 499)

COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def log_line(number: int, start: datetime = START) -> str:
    """A unique timed nginx line (``nginx_timed``) for ``number``; some are junk or blank."""
    if number % 23 == 7:
        return f"junk line {number}"
    if number % 31 == 5:
        return ""
    when = start + timedelta(seconds=13 * number)
    status = STATUSES[number % len(STATUSES)]
    return (
        f'10.0.{number % 7}.{number % 250} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET /p/{number % 17}?n={number} '
        f'HTTP/1.1" {status} {number % 900} "-" "agent/{number % 5}" {number % 3}.{number % 1000:03d} '
        f"{number % 2}.{number % 997:03d}"
    )


def lines_text(first: int, count: int) -> bytes:
    """``count`` lines from number ``first``, each ending in a newline."""
    return "".join(log_line(n) + "\n" for n in range(first, first + count)).encode()


def count_bytes(data: bytes, directory: Path, name: str = "x.log") -> Tally:
    """The tally of ``data`` read directly (as one file), with the store's evidence buckets."""
    path = directory / f"direct-{len(list(directory.iterdir()))}"
    path.write_bytes(data)
    options = CountOptions(evidence_bucket=EVIDENCE_BUCKET, sample_limit=0)
    return count_input(Input(name, path), BUILTIN_FORMATS["nginx_timed"], options)


def store_tally(path: Path, window: Rounded | None = None) -> Tally:
    """Everything the store at ``path`` holds (or a window of it), unsplit."""
    with opened([path], wait=5) as stores:
        return read_window(stores, window or Rounded.of(OPEN_WINDOW), split_by=None, sample_limit=0)


def same_counts(store: Tally, direct: Tally) -> None:
    """Assert that two tallies hold the same requests, line accounting, evidence and latency."""
    assert store.totals() == direct.totals()
    for name in ("counts", "evidence", "latency"):
        mine = getattr(store.unsplit(), name).drop("split")
        theirs = getattr(direct.unsplit(), name).drop("split")
        keys = [c for c in mine.columns if c not in ("count", "first", "last")]
        mine = mine.group_by(keys).agg(pl.all().sum() if name != "counts" else pl.col("count").sum()).sort(keys)
        theirs = theirs.group_by(keys).agg(
            pl.all().sum() if name != "counts" else pl.col("count").sum()
        ).sort(keys)
        assert mine.equals(theirs), name


@dataclass
class Stream:
    """The content of one file's life (from its creation, or a truncation, to now)."""

    data: bytearray = field(default_factory=bytearray)
    compressed: bool = False

    def counted(self) -> bytes:
        """What a store counts of it: whole lines, and in a compressed file a cut last line too."""
        if self.compressed:
            return bytes(self.data)
        end = self.data.rfind(b"\n") + 1
        return bytes(self.data[:end])


class RotatingLog:
    """``access.log`` and its rotated files in a directory, and the streams of content they hold."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.next_line = 0
        self.pending = b""
        """The rest of a line the writer cut, written at its next append."""
        self.streams: list[Stream] = []
        self.names: dict[str, int] = {}
        self._new_live()

    def _new_live(self) -> None:
        self.streams.append(Stream())
        self.names["access.log"] = len(self.streams) - 1
        (self.dir / "access.log").write_bytes(b"")

    def _write(self, name: str, data: bytes) -> None:
        with (self.dir / name).open("ab") as out:
            out.write(data)
        self.streams[self.names[name]].data += data

    def append(self, count: int, *, cut: int | None = None) -> None:
        """Write the rest of a cut line, ``count`` lines, and with ``cut`` the first bytes of one more."""
        data = self.pending + lines_text(self.next_line, count)
        self.next_line += count
        self.pending = b""
        if cut is not None:
            line = lines_text(self.next_line, 1)
            self.next_line += 1
            keep = cut % len(line)
            data, self.pending = data + line[:keep], line[keep:]
        self._write("access.log", data)

    def _shift(self) -> None:
        """Rename every rotated file one number up (``.2.gz`` → ``.3.gz``), oldest first."""
        rotated = [(int(name.split(".")[2]), name) for name in self.names if name != "access.log"]
        for number, name in sorted(rotated, reverse=True):
            suffix = name[len(f"access.log.{number}") :]
            target = f"access.log.{number + 1}{suffix}"
            (self.dir / name).rename(self.dir / target)
            self.names[target] = self.names.pop(name)

    def rename(self) -> None:
        """logrotate's default: the live file becomes ``.1`` (the writer finishes its line there)."""
        if self.pending:
            self._write("access.log", self.pending)
            self.pending = b""
        self._shift()
        (self.dir / "access.log").rename(self.dir / "access.log.1")
        self.names["access.log.1"] = self.names.pop("access.log")
        self._new_live()

    def copytruncate(self) -> None:
        """logrotate's ``copytruncate``: ``.1`` is a copy, the live file starts again empty."""
        self._shift()
        data = (self.dir / "access.log").read_bytes()
        (self.dir / "access.log.1").write_bytes(data)
        self.names["access.log.1"] = self.names.pop("access.log")
        with (self.dir / "access.log").open("r+b") as live:
            live.truncate(0)
        self.streams.append(Stream())
        self.names["access.log"] = len(self.streams) - 1

    def truncate(self) -> None:
        """The live file emptied in place, without a rotation (its lines were read already)."""
        with (self.dir / "access.log").open("r+b") as live:
            live.truncate(0)
        stream = self.streams[self.names["access.log"]]
        end = stream.data.rfind(b"\n") + 1
        del stream.data[end:]  # a cut line that was never finished is gone
        self.streams.append(Stream())
        self.names["access.log"] = len(self.streams) - 1

    def compress(self, which: int, suffix: str) -> None:
        """Compress the ``which``-th plain rotated file (as logrotate's ``compress`` does)."""
        plain = sorted(n for n in self.names if n != "access.log" and n.count(".") == 2)
        if not plain:
            return
        name = plain[which % len(plain)]
        data = (self.dir / name).read_bytes()
        (self.dir / (name + suffix)).write_bytes(COMPRESSORS[suffix](data))
        (self.dir / name).unlink()
        self.names[name + suffix] = self.names.pop(name)
        self.streams[self.names[name + suffix]].compressed = True

    def truth(self, scratch: Path) -> Tally:
        """One direct read of all the content written, as a store counts it."""
        total = Tally.empty()
        with tempfile.TemporaryDirectory(dir=scratch) as where:
            for stream in self.streams:
                total = total.merge(count_bytes(stream.counted(), Path(where)))
        return total
