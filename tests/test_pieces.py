"""Cutting a file into line-aligned byte ranges and folding their tallies gives the tally of the whole."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from helpers import load_benchmark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logstat.sources import open_inputs
from logstat.tally.count import CountOptions, count_with
from logstat.tally.pieces import count_locally, fold, line_bounds, plan, with_line_numbers
from logstat.tally.serialize import to_bytes

generate = load_benchmark("generate")
ODD = ["", "\ufeffBOM at a line start", "x" * 3000, "\r", "junk\r", "  "]


def _write(directory: Path, lines: list[str], *, last_newline: bool) -> Path:
    path = directory / "access.log"
    text = "\n".join(lines) + ("\n" if last_newline else "")
    path.write_bytes(text.encode("utf-8"))
    return path


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 1000),
    size=st.integers(1, 300),
    odd=st.lists(st.tuples(st.integers(0, 300), st.sampled_from(ODD)), max_size=6),
    range_bytes=st.integers(1, 5000),
    last_newline=st.booleans(),
)
def test_ranges_fold_into_the_tally_of_the_whole_file(
    seed: int, size: int, odd: list[tuple[int, str]], range_bytes: int, last_newline: bool
) -> None:
    lines = list(generate.generate("combined", size, seed=seed, start=datetime(2026, 10, 1, tzinfo=UTC), days=1))
    for position, text in odd:
        lines.insert(position % (len(lines) + 1), text)
    options = CountOptions(sample_limit=7)
    with tempfile.TemporaryDirectory() as scratch:
        path = _write(Path(scratch), lines, last_newline=last_newline)
        data = path.read_bytes()
        bounds = line_bounds(path, range_bytes)
        for cut in bounds[1:-1]:
            assert data[cut - 1 : cut] == b"\n" and not data[cut:].startswith(b"\xef\xbb\xbf")
        inputs = open_inputs([str(path)], spool_dir=Path(scratch))
        pieces = plan(inputs, range_bytes=range_bytes)
        assert len(pieces) == max(1, len(bounds) - 1)
        folded = fold(pieces, count_locally(pieces, options), options)
        whole = count_with(inputs[0], pieces[0].reading, pieces[0].detected, options)
        numbered = with_line_numbers(pieces)
    assert to_bytes(folded) == to_bytes(whole)
    starts = [p.lines_before for p in numbered]
    assert starts == sorted(starts) and starts[0] == 0
    assert starts[-1] == data[: pieces[-1].start].count(b"\n")
