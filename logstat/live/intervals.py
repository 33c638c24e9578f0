"""Counting what one interval read into one tally: each input's format is found once, the lines
are counted by the same pass as ``logstat summarize`` (written to a spool file, then
:func:`~logstat.tally.count.count_input`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from logstat.errors import UnknownFormatError
from logstat.formats import LogFormat
from logstat.live.window import ClassCounts, merge_all
from logstat.registry import class_name
from logstat.report.model import CLASS_ORDER
from logstat.sources import Input
from logstat.sources.follow import Chunk
from logstat.tally.count import CountOptions, choose_format, count_input, count_undetected
from logstat.tally.model import Tally

LIVE_OPTIONS = CountOptions(sample_limit=1)
"""The live view shows one unparsed line as an example, not a list."""


@dataclass
class Reading:
    """How one input is read: its format once known, whether it was detected, why not yet."""

    log_format: LogFormat | None = None
    detected: bool = False
    problem: str | None = None


@dataclass
class IntervalCounter:
    """Counts chunks into tallies; finds each input's format from its first lines (or ``given``)."""

    spool_dir: Path
    given: LogFormat | None = None
    tail_samples: dict[str, bytes] = field(default_factory=dict)
    """Lines just before where an input started to be read: what its format is detected from first."""
    readings: dict[str, Reading] = field(default_factory=dict)
    options: CountOptions = LIVE_OPTIONS

    def count(self, chunks: Sequence[Chunk]) -> Tally:
        """The tally of the lines of ``chunks`` (line numbers counted from where each input was first read)."""
        tallies = [self._count(chunk) for chunk in chunks if chunk.data]
        return merge_all(tallies, self.options.split_by)

    def _count(self, chunk: Chunk) -> Tally:
        spool = self.spool_dir / "interval"
        spool.write_bytes(chunk.data)
        source = Input(chunk.name, spool)
        reading = self.readings.setdefault(chunk.name, Reading())
        if reading.log_format is None and chunk.data.strip():
            self._find_format(reading, chunk.name, source)
        if reading.log_format is None:
            why = reading.problem or "no known log format matches these lines"
            return count_undetected(source, why, self.options, ordinal=chunk.ordinal).shifted(chunk.lines_before)
        return count_input(source, reading.log_format, self.options, ordinal=chunk.ordinal).shifted(chunk.lines_before)

    def __post_init__(self) -> None:
        for name in list(self.tail_samples):
            self._find_format(self.readings.setdefault(name, Reading()), name, None)

    def _find_format(self, reading: Reading, name: str, source: Input | None) -> None:
        """Detect from the lines before the start point first, then from the new lines; keep trying."""
        candidates = []
        tail = self.tail_samples.pop(name, b"")
        if tail.strip():
            sample = self.spool_dir / "sample"
            sample.write_bytes(tail)
            candidates.append(Input(name, sample))
        if source is not None:
            candidates.append(source)
        for candidate in candidates:
            try:
                reading.log_format, reading.detected = choose_format(candidate, self.given)
            except UnknownFormatError as exc:
                reading.problem = str(exc).removeprefix(f"{name}: ")
                continue
            reading.problem = None
            return


def class_counts(tally: Tally) -> ClassCounts:
    """Parsed requests per class of ``tally``, in :data:`CLASS_ORDER`."""
    if tally.counts.is_empty():
        return (0,) * len(CLASS_ORDER)
    found: dict[str, int] = {}
    for status, count in tally.by_status().select("status", "count").iter_rows():
        name = class_name(str(status))
        found[name] = found.get(name, 0) + int(count)
    return tuple(found.get(name, 0) for name in CLASS_ORDER)
