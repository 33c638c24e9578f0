"""The tally is exact and mergeable: any cut of a log into pieces merges into the tally of the whole."""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from helpers import load_benchmark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logstat.formats import BUILTIN_FORMATS
from logstat.render.schema import report_dict
from logstat.report import build
from logstat.sources import Input
from logstat.tally.count import CountOptions, count_input
from logstat.tally.model import Tally
from logstat.tally.serialize import TallyFormatError, from_bytes, to_bytes

generate = load_benchmark("generate")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
JUNK = ["", "   ", "not a log line", '1.2.3.4 - - [31/Feb/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"']


def _log(fmt: str, seed: int, size: int, junk: list[int]) -> list[str]:
    lines = list(generate.generate(fmt, size, seed=seed, start=datetime(2026, 10, 1, tzinfo=UTC), days=1))
    for position in junk:
        lines.insert(position % (len(lines) + 1), JUNK[position % len(JUNK)])
    return lines


def _tally(directory: Path, name: str, lines: list[str], fmt: str, options: CountOptions, first_line: int) -> Tally:
    """The tally of ``lines`` read as a piece of the input ``name`` that starts at line ``first_line + 1``."""
    path = directory / f"piece-{first_line}"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return count_input(Input(name, path), BUILTIN_FORMATS[fmt], options).shifted(first_line)


def _pieces(lines: list[str], cuts: list[int]) -> list[tuple[int, list[str]]]:
    points = sorted({0, len(lines), *(c % (len(lines) + 1) for c in cuts)})
    return [(start, lines[start:end]) for start, end in itertools.pairwise(points)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(BUILTIN_FORMATS)),
    seed=st.integers(0, 10_000),
    size=st.integers(1, 400),
    junk=st.lists(st.integers(0, 10_000), max_size=8),
    cuts=st.lists(st.integers(0, 10_000), max_size=4),
    order=st.randoms(use_true_random=False),
    split_by=st.sampled_from([None, "file"]),
)
def test_merging_the_pieces_gives_the_tally_of_the_whole(
    fmt: str, seed: int, size: int, junk: list[int], cuts: list[int], order: object, split_by: str | None
) -> None:
    lines = _log(fmt, seed, size, junk)
    options = CountOptions(split_by=split_by, sample_limit=5)
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        whole = _tally(directory, "access.log", lines, fmt, options, 0)
        parts = [_tally(directory, "access.log", piece, fmt, options, start) for start, piece in _pieces(lines, cuts)]
    order.shuffle(parts)  # type: ignore[attr-defined]
    merged = Tally.empty(split_by, sample_limit=5)
    for part in parts:
        merged = merged.merge(part)
    assert merged.equals(whole)
    assert to_bytes(merged) == to_bytes(whole)
    if whole.totals()["parsed"]:
        assert report_dict(build(merged, now=NOW)) == report_dict(build(whole, now=NOW))


def test_merge_is_associative_and_commutative(tmp_path: Path) -> None:
    lines = _log("nginx_timed", 3, 300, [5, 77, 150])
    options = CountOptions()
    a, b, c = (_tally(tmp_path, "x.log", lines[i : i + 100], "nginx_timed", options, i) for i in (0, 100, 200))
    assert a.merge(b).merge(c).equals(a.merge(b.merge(c)))
    assert a.merge(b).equals(b.merge(a))
    assert a.merge(Tally.empty()).equals(a)


def test_a_tally_is_small_for_a_log_of_repeated_lines(tmp_path: Path) -> None:
    line = '203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /missing HTTP/1.1" 404 12 "-" "curl/8"'
    small = _tally(tmp_path, "a.log", [line] * 10, "combined", CountOptions(), 0)
    large = _tally(tmp_path, "a.log", [line] * 10_000, "combined", CountOptions(), 0)
    sizes = [getattr(large, name).height for name in Tally.TABLES]
    assert sizes == [getattr(small, name).height for name in Tally.TABLES]
    assert large.totals()["parsed"] == 10_000


def test_serialized_tally_reads_back_equal(tmp_path: Path) -> None:
    lines = _log("ingress_nginx", 11, 500, [3, 40])
    tally = _tally(tmp_path, "in.log", lines, "ingress_nginx", CountOptions(split_by="file"), 0)
    data = to_bytes(tally)
    back = from_bytes(data)
    assert back.equals(tally) and back.split_by == "file"
    assert to_bytes(back) == data
    for table in Tally.TABLES:
        assert getattr(back, table).schema == getattr(tally, table).schema


@pytest.mark.parametrize(
    ("data", "why"),
    [(b"", "not a logstat tally"), (b"logstat tally\n\x00\x00\x00\x02{]", "damaged")],
)
def test_bytes_that_are_not_a_tally_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(TallyFormatError, match=why):
        from_bytes(data)


def test_truncated_tally_is_refused(tmp_path: Path) -> None:
    lines = _log("combined", 1, 50, [])
    data = to_bytes(_tally(tmp_path, "a.log", lines, "combined", CountOptions(), 0))
    with pytest.raises(TallyFormatError, match="truncated"):
        from_bytes(data[:-10])


def test_tallies_split_differently_do_not_merge() -> None:
    with pytest.raises(ValueError, match="split by"):
        Tally.empty("vhost").merge(Tally.empty(None))


def test_counts_keep_only_parsed_requests(tmp_path: Path) -> None:
    tally = _tally(tmp_path, "a.log", ["junk", "", *_log("common", 2, 20, [])], "common", CountOptions(), 0)
    assert tally.totals()["unparsed"] == 1 and tally.totals()["blank"] == 1
    assert int(tally.counts["count"].sum()) == tally.totals()["parsed"] == 20
    assert tally.lines.filter(pl.col("read_with") == "common")["count"].sum() == 20
