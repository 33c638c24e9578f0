"""Property-based tests and a bounded fuzz run: whatever the bytes, no exception, every line
counted, and every output valid (checks shared with ``benchmarks/fuzz.py``).

The fuzz run takes ``LOGSTAT_FUZZ_SECONDS`` (default 20) with seed ``LOGSTAT_FUZZ_SEED``
(default 0). For a longer run: ``python benchmarks/fuzz.py --seconds 600``.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

from helpers import load_benchmark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logstat.cli import app
from logstat.formats import BUILTIN_FORMATS
from logstat.render import RenderOptions
from logstat.text import display_name

ROOT = Path(__file__).parent.parent


FUZZ = load_benchmark("fuzz")
POOL: list[bytes] = FUZZ.seed_lines()
FORMATS = [None, *BUILTIN_FORMATS.values()]
QUICK = [RenderOptions(), RenderOptions(csv_table="unparsed", lang="zh", color=True), RenderOptions(csv_table="series")]
"""Fewer render options than the fuzz run, to keep each example fast."""


def _round(data: bytes, fmt_index: int, *, compress: bool = False, utf16: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        FUZZ.run_round(data, Path(tmp), compress=compress, fmt=FORMATS[fmt_index], options=QUICK, utf16=utf16)


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.integers(0, len(FORMATS) - 1), st.booleans())
def test_arbitrary_bytes(data: bytes, fmt_index: int, compress: bool) -> None:
    _round(data, fmt_index, compress=compress)


@st.composite
def mutated_logs(draw: st.DrawFn) -> bytes:
    """A few log lines, intact or mutated (the fuzz runner's mutations), maybe behind a collector's
    prefix, joined by any line end."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    prefix = draw(st.sampled_from([b"", *FUZZ.COLLECTOR_PREFIXES]))
    lines = []
    for index in draw(st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=12)):
        chosen = POOL[index]
        lines.append(prefix + (FUZZ.mutate(rng, chosen, POOL) if draw(st.booleans()) else chosen))
    end = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    return end.join(lines) + draw(st.sampled_from([b"", end]))


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_logs(), st.integers(0, len(FORMATS) - 1), st.booleans())
def test_mutated_log_lines(data: bytes, fmt_index: int, utf16: bool) -> None:
    _round(data, fmt_index, utf16=utf16)


LINE = '203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET {path} HTTP/1.1" {status} 512 "-" "{agent}"'
# Any text but blanks (the status field ends at a blank) and line ends; 0x1F cuts the line
# (documented in scan_lines); no lone surrogates, which lossy decoding never produces.
fields = st.text(st.characters(exclude_categories=("Cs", "Zs"), exclude_characters="\t\n\r\x0b\x0c\x1f"), min_size=1)


@settings(max_examples=75, deadline=None)
@given(fields, st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\r\x1f\"\\")))
def test_any_status_and_path_text(status: str, path: str) -> None:
    first, second = LINE.format(path="/", status="200", agent="a"), LINE.format(path=path, status=status, agent=path)
    data = f"{first}\n{second}"
    with tempfile.TemporaryDirectory() as tmp:
        report = FUZZ.report_of_bytes(data.encode("utf-8"), Path(tmp), fmt=BUILTIN_FORMATS["combined"])
        FUZZ.check_everything(report, lines=2, options=QUICK)
    assert {row.raw for row in report.by_code} == {"200", status}


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"\x00" not in b and b"/" not in b and b.strip(b".") != b""))
def test_any_file_name(raw_name: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / os.fsdecode(raw_name)
        path.write_bytes(LINE.format(path="/", status="404", agent="a").encode() + b"\n")
        result = CliRunner().invoke(app, ["summarize", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    result.stdout.encode("utf-8")
    data = json.loads(result.stdout)
    assert data["inputs"][0]["name"] == display_name(str(path))
    assert data["totals"]["parsed"] == 1


def test_fuzz_for_a_while() -> None:
    seconds = float(os.environ.get("LOGSTAT_FUZZ_SECONDS", "20"))
    seed = int(os.environ.get("LOGSTAT_FUZZ_SEED", "0"))
    outcome = FUZZ.fuzz(seconds, seed)
    assert outcome.rounds > 0 or seconds <= 0
    assert not outcome.failures, "\n".join(outcome.failures)
