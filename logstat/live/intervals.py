"""Counting what one interval read into one tally: each input's format is found once, the lines
are counted by the same pass as ``logstat summarize`` (written to a spool file, then
:func:`~logstat.tally.count.count_input`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from logstat import parse
from logstat.errors import UnknownFormatError
from logstat.formats import LogFormat
from logstat.live.window import ClassCounts, merge_all
from logstat.registry import class_name
from logstat.report.model import CLASS_ORDER
from logstat.sources import Input
from logstat.sources.follow import Chunk
from logstat.tally.count import CountOptions, count_input, count_undetected
from logstat.tally.model import Tally

LIVE_OPTIONS = CountOptions(sample_limit=1)
"""The live view shows one unparsed line as an example, not a list."""


@dataclass
class FormatState:
    """How one input is read: its formats once known, whether they were detected, why not yet."""

    plan: parse.Reading | None = None
    detected: bool = False
    problem: str | None = None

    @property
    def log_format(self) -> LogFormat | None:
        """The input's own format (the first one tried), once known."""
        return None if self.plan is None else self.plan.log_format


@dataclass
class IntervalCounter:
    """Counts chunks into tallies; finds each input's format from its first lines (or ``given``)."""

    spool_dir: Path
    given: LogFormat | None = None
    tail_samples: dict[str, bytes] = field(default_factory=dict)
    """Lines just before where an input started to be read: what its format is detected from first."""
    readings: dict[str, FormatState] = field(default_factory=dict)
    options: CountOptions = LIVE_OPTIONS

    def count(self, chunks: Sequence[Chunk]) -> Tally:
        """The tally of the lines of ``chunks`` (line numbers counted from where each input was first read)."""
        tallies = [self._count(chunk) for chunk in chunks if chunk.data]
        return merge_all(tallies, self.options.split_by)

    def _count(self, chunk: Chunk) -> Tally:
        spool = self.spool_dir / "interval"
        spool.write_bytes(chunk.data)
        source = Input(chunk.name, spool)
        reading = self.readings.setdefault(chunk.name, FormatState())
        if reading.log_format is None and chunk.data.strip():
            self._find_format(reading, chunk.name, source)
        if reading.plan is None:
            why = reading.problem or "no known log format matches these lines"
            return count_undetected(source, why, self.options, ordinal=chunk.ordinal).shifted(chunk.lines_before)
        planned = (reading.plan, reading.detected)
        return count_input(source, options=self.options, ordinal=chunk.ordinal, planned=planned).shifted(
            chunk.lines_before
        )

    def __post_init__(self) -> None:
        for name in list(self.tail_samples):
            self._find_format(self.readings.setdefault(name, FormatState()), name, None)

    def _find_format(self, reading: FormatState, name: str, source: Input | None) -> None:
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
                reading.plan, reading.detected = parse.plan_reading(candidate, self.given)
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
