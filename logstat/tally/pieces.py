"""Pieces of work: the inputs of a run cut into units that can be counted anywhere, and the fold
that merges their tallies into the run's.

Each input is one piece, except a large uncompressed local file, which is cut into line-aligned
byte ranges of about :data:`RANGE_BYTES`: the group-by of one piece holds the distinct values of
that piece only, so memory stays bounded on any file, and a cluster spreads one huge file over
its workers. Compressed files and objects in storage are read whole, by one pass. Formats are
chosen once per input, from its start, before any piece is counted.

A local run and a cluster run count the same pieces and fold their tallies in the same order
(:func:`fold`): their reports are equal byte for byte, also when a drill-down list is past its
cap and summarized (a summary depends on the order of merges; the exact counts do not).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from logstat.errors import InputError, UnknownFormatError
from logstat.formats import UNDETECTED, LogFormat
from logstat.parse import Reading, plan_reading
from logstat.sources import Input
from logstat.tally.count import CountOptions, count_undetected, count_with, with_shared_formats
from logstat.tally.model import Tally

RANGE_BYTES = 32 << 20
"""Bytes of an uncompressed file counted as one piece (cut at the next line end after it).

Measured on a scan log (2M lines, each a 404 for a new path, 213 MB): peak memory 1.24 GB read
whole, 735 MB in 64 MB pieces, 447 MB in 32 MB pieces (docs/benchmarks.md)."""

DEFAULT_OPTIONS = CountOptions()
"""What :func:`count_inputs` counts unless told otherwise."""

_BOM = b"\xef\xbb\xbf"
_SEEK_STEP = 1 << 16


@dataclass(frozen=True)
class Piece:
    """One input, or a line-aligned byte range of one, with the format to read it with."""

    source: Input
    ordinal: int
    reading: Reading
    """The input's format, and the formats that read the lines it misses (see :func:`plan_reading`)."""
    detected: bool
    start: int = 0
    end: int | None = None
    """End of the byte range (exclusive); None: the whole input, read in one pass."""
    undetected: str | None = None
    """Why no format matched, when none did: the piece's lines are then counted as unparsed."""
    lines_before: int = 0
    """Lines of the input before this piece, when known (see :func:`with_line_numbers`); a count
    needs none (:func:`fold` shifts), an export writes line numbers into its rows."""


def plan(
    inputs: Sequence[Input], log_format: LogFormat | None = None, *, range_bytes: int = RANGE_BYTES
) -> list[Piece]:
    """Choose each input's format and cut the inputs into pieces, in input order.

    An input whose format cannot be detected, in a run over several inputs, becomes a piece
    whose lines are all counted as unparsed.

    Raises
    ------
    UnknownFormatError
        When the only input's format, or no input's format, can be detected.
    """
    pieces: list[Piece] = []
    undetected: list[UnknownFormatError] = []
    for ordinal, source in enumerate(inputs):
        try:
            reading, detected = plan_reading(source, log_format)
        except UnknownFormatError as exc:
            # One stray file in a glob (an error.log among access logs) should not stop the
            # report on the others; its lines are counted as unparsed and the report says so.
            if len(inputs) == 1:
                raise
            undetected.append(exc)
            pieces.append(Piece(source, ordinal, Reading(UNDETECTED), detected=False, undetected=str(exc)))
            continue
        whole = Piece(source, ordinal, reading, detected)
        if source.url is not None or source.compression is not None:
            pieces.append(whole)
            continue
        bounds = line_bounds(source.path, range_bytes)
        pieces += [replace(whole, start=a, end=b) for a, b in itertools.pairwise(bounds)] or [whole]
    if undetected and len(undetected) == len(inputs):
        raise undetected[0]
    return pieces


def line_bounds(path: Path, range_bytes: int) -> list[int]:
    """Offsets that cut the file at ``path`` into ranges of about ``range_bytes``, each right after a line end.

    A range never starts with a UTF-8 byte order mark (polars drops one at the start of what it
    reads, and mid-file it belongs to the line). A file smaller than two ranges is not cut: ``[]``.
    """
    size = path.stat().st_size
    if size < 2 * range_bytes:
        return []
    bounds = [0]
    with path.open("rb") as handle:
        while bounds[-1] + range_bytes < size:
            cut = _next_line_start(handle, bounds[-1] + range_bytes - 1)
            while cut is not None and cut < size and _starts_with(handle, cut, _BOM):
                cut = _next_line_start(handle, cut)
            if cut is None or cut >= size:
                break
            bounds.append(cut)
    bounds.append(size)
    return bounds


def _next_line_start(handle: BinaryIO, position: int) -> int | None:
    """The offset right after the first LF at or after ``position``, or None."""
    handle.seek(position)
    while chunk := handle.read(_SEEK_STEP):
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
    return None


def _starts_with(handle: BinaryIO, position: int, prefix: bytes) -> bool:
    handle.seek(position)
    return handle.read(len(prefix)) == prefix


def with_line_numbers(pieces: Sequence[Piece]) -> list[Piece]:
    """The pieces with ``lines_before`` set: each range's line ends are counted (a fast byte scan)."""
    numbered: list[Piece] = []
    before: dict[int, int] = {}
    for piece in pieces:
        lines = before.get(piece.ordinal, 0)
        numbered.append(replace(piece, lines_before=lines))
        if piece.end is not None:
            before[piece.ordinal] = lines + read_range(piece).count(b"\n")
    return numbered


def read_range(piece: Piece) -> bytes:
    """The bytes of a ranged piece.

    Raises
    ------
    InputError
        When the file is shorter than when it was planned (truncated or rotated meanwhile).
    """
    assert piece.end is not None
    try:
        with piece.source.path.open("rb") as handle:
            handle.seek(piece.start)
            data = handle.read(piece.end - piece.start)
    except OSError as exc:
        msg = f"{piece.source.name}: reading failed ({exc.strerror or exc}); check the file and the disk"
        raise InputError(msg) from None
    if len(data) != piece.end - piece.start:
        msg = (
            f"{piece.source.name}: the file shrank while logstat read it (truncated or rotated); "
            "run logstat again"
        )
        raise InputError(msg)
    return data


def count_piece(piece: Piece, options: CountOptions, *, spool_dir: Path | None = None) -> Tally:
    """The tally of one piece, its lines numbered from the piece's first line (see :func:`fold`)."""
    if piece.undetected is not None:
        return count_undetected(piece.source, piece.undetected, options, ordinal=piece.ordinal)
    data = None if piece.end is None else read_range(piece)
    return count_with(
        piece.source, piece.reading, piece.detected, options, ordinal=piece.ordinal, spool_dir=spool_dir, data=data
    )


def fold(pieces: Sequence[Piece], tallies: Iterable[Tally], options: CountOptions) -> Tally:
    """Merge the tallies of ``pieces`` (in the same order) into the tally of the run.

    Each piece's unparsed-line numbers are moved past the lines of the pieces of its input
    before it.
    """
    total = Tally.empty(options.split_by, sample_limit=options.sample_limit, evidence_cap=options.evidence_cap)
    lines_before: dict[int, int] = {}
    for piece, tally in zip(pieces, tallies, strict=True):
        before = lines_before.get(piece.ordinal, 0)
        total = total.merge(tally.shifted(before))
        lines_before[piece.ordinal] = before + tally.totals()["lines"]
    return with_shared_formats(total)


def count_locally(
    pieces: Sequence[Piece],
    options: CountOptions,
    *,
    spool_dir: Path | None = None,
    on_input: Callable[[Input], None] | None = None,
) -> Iterator[Tally]:
    """Count the pieces one after another in this process (what a cluster run does on its workers)."""
    for index, piece in enumerate(pieces):
        if on_input is not None and (index == 0 or pieces[index - 1].ordinal != piece.ordinal):
            on_input(piece.source)
        yield count_piece(piece, options, spool_dir=spool_dir)


def count_inputs(
    inputs: Sequence[Input],
    log_format: LogFormat | None = None,
    options: CountOptions = DEFAULT_OPTIONS,
    *,
    spool_dir: Path | None = None,
    on_input: Callable[[Input], None] | None = None,
) -> Tally:
    """Read every input, in order, and return the tally of all of them.

    The inputs are cut into pieces and counted one by one (see :mod:`logstat.tally.pieces`).
    An input whose format cannot be detected, in a run over several inputs, has every line
    counted as unparsed; when no input's format can be detected, the first one's error is raised.

    Parameters
    ----------
    inputs
        The sources to read, in order.
    log_format
        Read every input with this format instead of detecting one per input.
    options
        What to count (time window, evidence, split key, samples).
    spool_dir
        Where a damaged compressed input may be decoded again (see :func:`count_input`).
    on_input
        Called with each input just before it is read (for progress displays).
    """
    pieces = plan(inputs, log_format)
    return fold(pieces, count_locally(pieces, options, spool_dir=spool_dir, on_input=on_input), options)
