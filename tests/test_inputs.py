"""Real-world inputs: many files, globs, compressed rotations, stdin, damaged archives."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from helpers import load_benchmark
from typer.testing import CliRunner

from logstat.cli import app
from logstat.errors import ExitCode, InputError
from logstat.render.phrases import format_label
from logstat.report import Report, build_report
from logstat.sources import expand_arguments, open_inputs

HERE = Path(__file__).parent
SAMPLES = HERE.parent / "sample_logs"

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def report_of(paths: list[Path], tmp_path: Path) -> Report:
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    return build_report(open_inputs([str(p) for p in paths], spool_dir=spool), spool_dir=spool)


def code_counts(report: Report) -> dict[str, int]:
    return {row.raw: row.count for row in report.by_code}


def summarize_json(*args: str, stdin: bytes | None = None) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(app, ["summarize", *args, "-f", "json"], input=stdin)
    data = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, data, result.stderr


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_compressed_equals_plain(tmp_path: Path, suffix: str) -> None:
    plain = SAMPLES / "combined.log"
    packed = tmp_path / f"combined.log{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](plain.read_bytes()))
    expected, got = report_of([plain], tmp_path), report_of([packed], tmp_path)
    assert code_counts(got) == code_counts(expected)
    assert got.totals == expected.totals
    assert (got.first, got.last) == (expected.first, expected.last)
    assert got.inputs[0].note is None


def test_compression_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    plain = SAMPLES / "combined.log"
    disguised = tmp_path / "access.log.1"  # logrotate's delaycompress names vary
    disguised.write_bytes(bz2.compress(plain.read_bytes()))
    assert code_counts(report_of([disguised], tmp_path)) == code_counts(report_of([plain], tmp_path))


def test_multi_frame_zstd_reads_every_frame(tmp_path: Path) -> None:
    data = (SAMPLES / "combined.log").read_bytes()
    both = tmp_path / "both.zst"
    both.write_bytes(COMPRESSORS[".zst"](data) + COMPRESSORS[".zst"](data))
    single = report_of([SAMPLES / "combined.log"], tmp_path).totals.parsed
    assert report_of([both], tmp_path).totals.parsed == 2 * single


def test_multi_member_gzip_reads_every_member(tmp_path: Path) -> None:
    data = (SAMPLES / "combined.log").read_bytes()
    both = tmp_path / "both.gz"
    both.write_bytes(gzip.compress(data) + gzip.compress(data))
    report = report_of([both], tmp_path)
    single = report_of([SAMPLES / "combined.log"], tmp_path)
    assert report.totals.parsed == 2 * single.totals.parsed


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_truncated_archive_keeps_what_came_before_the_damage(tmp_path: Path, suffix: str) -> None:
    # Varied lines, several bzip2 blocks: a cut then leaves whole blocks before the damage.
    lines, _ = load_benchmark("generate").generate_with_tally("combined", 30_000, seed=3)  # type: ignore[attr-defined]
    packed = COMPRESSORS[suffix](("\n".join(lines) + "\n").encode())
    damaged = tmp_path / f"cut.log{suffix}"
    damaged.write_bytes(packed[: len(packed) * 2 // 3])
    report = report_of([damaged], tmp_path)
    assert 0 < report.totals.parsed < 30_000
    note = report.inputs[0].note
    assert note is not None
    assert "truncated or corrupt" in note and "the rest is missing" in note


def test_damaged_archive_with_nothing_readable_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.log.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, _, err = summarize_json(str(broken))
    assert code == ExitCode.ERROR
    assert err.startswith(f"logstat: error: {broken}: ")
    assert "truncated or corrupt" in err


def test_files_of_different_formats_in_one_run(tmp_path: Path) -> None:
    names = ["combined.log", "common.log", "nginx_timed.log", "vhost_combined.log"]
    paths = [SAMPLES / n for n in names]
    report = report_of(paths, tmp_path)
    assert [i.log_format.name for i in report.inputs] == ["combined", "common", "nginx_timed", "vhost_combined"]
    assert all(i.detected for i in report.inputs)
    singles = [report_of([p], tmp_path) for p in paths]
    summed: dict[str, int] = {}
    for single in singles:
        for raw, count in code_counts(single).items():
            summed[raw] = summed.get(raw, 0) + count
    assert code_counts(report) == summed
    assert report.totals.lines == sum(s.totals.lines for s in singles)
    assert format_label(report, "en").startswith("mixed: combined, common")
    assert format_label(report, "zh").startswith("混合：combined, common")


def test_an_empty_input_takes_the_format_of_the_others(tmp_path: Path) -> None:
    """A log rotated a moment ago (empty, or blank lines only) does not make the format "mixed"."""
    empty, blank = tmp_path / "access.log", tmp_path / "blank.log"
    empty.write_text("")
    blank.write_text("\n  \n")
    report = report_of([empty, blank, SAMPLES / "nginx_timed.log", SAMPLES / "incidents.log"], tmp_path)
    assert [i.log_format.name for i in report.inputs] == ["nginx_timed"] * 4
    assert format_label(report, "en") == "nginx_timed (detected)"
    assert report.totals.blank == 2
    alone = report_of([empty], tmp_path)
    assert alone.inputs[0].log_format.name == "combined"


def test_glob_is_expanded_in_natural_order(tmp_path: Path) -> None:
    for name in ["access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz", "error.log"]:
        (tmp_path / name).write_text("x\n")
    (tmp_path / "access.log.d").mkdir()
    names = expand_arguments([str(tmp_path / "access.log*")])
    assert [Path(n).name for n in names] == ["access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz"]


def test_glob_matching_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the pattern matches no file"):
        expand_arguments([str(tmp_path / "nothing*.log")])


def test_quoted_glob_on_the_command_line(tmp_path: Path) -> None:
    for n in (1, 2):
        (tmp_path / f"access.log.{n}").write_bytes((SAMPLES / "combined.log").read_bytes())
    code, data, _ = summarize_json(str(tmp_path / "access.log.*"))
    assert code == ExitCode.OK
    assert [i["name"] for i in data["inputs"]] == [str(tmp_path / "access.log.1"), str(tmp_path / "access.log.2")]  # type: ignore[index]


def test_stdin_may_be_compressed() -> None:
    raw = (SAMPLES / "combined.log").read_bytes()
    _, from_file, _ = summarize_json(str(SAMPLES / "combined.log"))
    code, from_stdin, _ = summarize_json("-", stdin=gzip.compress(raw))
    assert code == ExitCode.OK
    assert from_stdin["by_code"] == from_file["by_code"]
    assert from_stdin["inputs"][0]["name"] == "<stdin>"  # type: ignore[index]


def test_medium_generated_log_matches_the_generators_tally(tmp_path: Path) -> None:
    generate = load_benchmark("generate")
    lines, tally = generate.generate_with_tally("nginx_timed", 200_000, seed=7, days=2)  # type: ignore[attr-defined]
    path = tmp_path / "medium.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1))
    report = report_of([path], tmp_path)
    assert report.inputs[0].log_format.name == "nginx_timed"
    assert report.totals.lines == report.totals.parsed == 200_000
    assert code_counts(report) == dict(tally)
    minutes = report.minutes["count"].sum()
    assert minutes == 200_000


def test_file_name_with_glob_characters_is_read_literally(tmp_path: Path) -> None:
    odd = tmp_path / "access[1].log"
    odd.write_bytes((SAMPLES / "combined.log").read_bytes())
    assert report_of([odd], tmp_path).totals.parsed == report_of([SAMPLES / "combined.log"], tmp_path).totals.parsed


def test_a_stray_file_in_a_glob_is_counted_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "access.log").write_bytes((SAMPLES / "combined.log").read_bytes())
    (tmp_path / "error.log").write_text(
        "2026/10/01 12:00:01 [error] 123#0: *1 connect() failed (111: Connection refused)\n"
        "2026/10/01 12:00:02 [error] 123#0: *2 upstream timed out (110: Connection timed out)\n\n"
    )
    code, data, err = summarize_json(str(tmp_path / "*.log"))
    assert code == ExitCode.OK
    access, error = data["inputs"]  # type: ignore[misc]
    assert access["log_format"] == "combined" and access["unparsed"] == 0
    assert error["log_format"] == "undetected" and not error["detected"]
    assert (error["lines"], error["unparsed"], error["blank"]) == (3, 2, 1)
    assert "this is an nginx error log, not an access log" in error["note"] and "counted as unparsed" in error["note"]
    assert data["totals"]["unparsed"] == 2  # type: ignore[index]
    assert data["unparsed_samples"][0]["reason"] == "no known log format matches this file"  # type: ignore[index]
    assert f"logstat: warning: {tmp_path / 'error.log'}: this is an nginx error log, not an access log" in err
    out = CliRunner().invoke(app, ["summarize", str(tmp_path / "*.log")]).stdout
    assert f"{tmp_path / 'error.log'} (no format matched; 3 lines)" in out


def test_every_input_undetectable_is_still_an_error(tmp_path: Path) -> None:
    for name in ("a.log", "b.log"):
        (tmp_path / name).write_text("not an access log\n")
    code, _, err = summarize_json(str(tmp_path / "a.log"), str(tmp_path / "b.log"))
    assert code == ExitCode.ERROR
    assert "a.log: no known log format matches" in err
