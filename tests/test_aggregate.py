"""Aggregation: the per-input count table and everything derived from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from logstat.formats import BUILTIN_FORMATS, LogFormat, compile_apache, compile_nginx
from logstat.parse import LineKind, parse_lines, scan_lines
from logstat.report import build_report
from logstat.sources import Input
from logstat.tally.count import CountOptions, count_input
from logstat.tally.group import (
    COUNT_SCHEMA,
    count_lines,
    finish_counts,
    needed_fields,
    totals,
    unparsed_lines,
)
from logstat.tally.model import Tally

LogWriter = Callable[..., Path]
COMBINED = BUILTIN_FORMATS["combined"]
BLANK, UNPARSED, PARSED = LineKind.BLANK, LineKind.UNPARSED, LineKind.PARSED


def line(time: str, status: str = "200") -> str:
    return f'192.0.2.1 - - [{time}] "GET / HTTP/1.1" {status} 512 "-" "curl/8.5.0"'


def at(*parts: int) -> datetime:
    """A UTC datetime: ``at(2026, 10, 10, 13, 55, 36)``."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def lines_of(path: Path, fmt: LogFormat) -> pl.LazyFrame:
    return parse_lines(scan_lines(Input(path.name, path)), fmt, needed_fields(fmt))


def counts_of(path: Path, fmt: LogFormat = COMBINED) -> pl.DataFrame:
    return finish_counts(count_lines(lines_of(path, fmt), fmt).collect())


def tally_of(path: Path, fmt: LogFormat = COMBINED) -> Tally:
    return count_input(Input(path.name, path), fmt)


def count_table(rows: Sequence[tuple[object, ...]]) -> pl.DataFrame:
    """A count table from rows without ``read_by``: the one format read every parsed line."""
    full = [(*row, 0 if row[0] in (PARSED, LineKind.FILTERED) else None) for row in rows]
    return pl.DataFrame(full, schema=COUNT_SCHEMA, orient="row")


def test_needed_fields() -> None:
    assert needed_fields(COMBINED) == ["status", "time_local"]
    assert needed_fields(compile_nginx('$remote_addr "$request" $status')) == ["status"]
    assert needed_fields(compile_nginx("$msec $status")) == ["status", "msec"]


def test_small_log_count_table(write_log: LogWriter) -> None:
    path = write_log(
        [
            line("10/Oct/2026:13:55:36 +0000"),
            line("10/Oct/2026:13:55:10 +0000", "404"),
            "",
            line("10/Oct/2026:13:55:50 +0000"),
            "this is not a log line",
            line("10/Oct/2026:13:57:01 +0000"),
            line("10/Oct/2026:14:00:00 +0100", "500"),
            "   ",
        ]
    )
    counts = counts_of(path)
    expected = count_table(
        [
            (BLANK, None, None, None, None, 2, 3),
            (UNPARSED, None, None, None, None, 1, 5),
            (PARSED, "200", at(2026, 10, 10, 13, 55), at(2026, 10, 10, 13, 55, 36), at(2026, 10, 10, 13, 55, 50), 2, 1),
            (PARSED, "200", at(2026, 10, 10, 13, 57), at(2026, 10, 10, 13, 57, 1), at(2026, 10, 10, 13, 57, 1), 1, 6),
            (PARSED, "404", at(2026, 10, 10, 13, 55), at(2026, 10, 10, 13, 55, 10), at(2026, 10, 10, 13, 55, 10), 1, 2),
            (PARSED, "500", at(2026, 10, 10, 13, 0), at(2026, 10, 10, 13, 0), at(2026, 10, 10, 13, 0), 1, 7),
        ]
    )
    assert_frame_equal(counts, expected)
    assert totals(counts) == {"lines": 8, "parsed": 5, "filtered": 0, "unparsed": 1, "blank": 2}
    assert tally_of(path).time_range() == (at(2026, 10, 10, 13, 0), at(2026, 10, 10, 13, 57, 1))
    by_status = tally_of(path).by_status()
    assert by_status.columns == ["status", "count", "first", "last"]
    assert by_status.rows() == [
        ("200", 3, at(2026, 10, 10, 13, 55, 36), at(2026, 10, 10, 13, 57, 1)),
        ("404", 1, at(2026, 10, 10, 13, 55, 10), at(2026, 10, 10, 13, 55, 10)),
        ("500", 1, at(2026, 10, 10, 13, 0), at(2026, 10, 10, 13, 0)),
    ]


def test_count_lines_on_a_hand_built_frame() -> None:
    frame = pl.LazyFrame(
        {
            "lineno": [1, 2, 3, 4, 5],
            "line": ["a", None, "c", "d", "e"],
            "kind": [PARSED, BLANK, UNPARSED, PARSED, PARSED],
            "status": ["301", None, None, "301", "302"],
            "time_local": [
                "01/Jan/2026:00:00:59 +0000",
                None,
                None,
                "01/Jan/2026:00:00:01 +0000",
                "31/Dec/2025:23:59:30 -0100",
            ],
        },
        schema_overrides={"lineno": pl.UInt32, "kind": pl.UInt8},
    )
    counts = finish_counts(count_lines(frame, COMBINED).collect())
    assert_frame_equal(
        counts,
        count_table(
            [
                (BLANK, None, None, None, None, 1, 2),
                (UNPARSED, None, None, None, None, 1, 3),
                (PARSED, "301", at(2026, 1, 1, 0, 0), at(2026, 1, 1, 0, 0, 1), at(2026, 1, 1, 0, 0, 59), 2, 1),
                (PARSED, "302", at(2026, 1, 1, 0, 59), at(2026, 1, 1, 0, 59, 30), at(2026, 1, 1, 0, 59, 30), 1, 5),
            ]
        ),
    )


def test_empty_log(write_log: LogWriter) -> None:
    path = write_log(b"")
    counts = counts_of(path)
    assert counts.schema == pl.Schema(COUNT_SCHEMA)
    assert counts.height == 0
    assert totals(counts) == {"lines": 0, "parsed": 0, "filtered": 0, "unparsed": 0, "blank": 0}
    assert tally_of(path).time_range() == (None, None)
    assert tally_of(path).by_status().height == 0


def test_count_by_status_orders_by_count_then_status_text() -> None:
    minute = at(2026, 1, 1, 0, 0)
    rows = [("503", 2), ("200", 5), ("-", 2), ("404", 2)]
    counts = pl.DataFrame(
        [(None, status, minute, minute, minute, count) for status, count in rows],
        schema=["split", "status", "minute", "first", "last", "count"],
        orient="row",
    )
    assert Tally.of(counts=counts).by_status()["status"].to_list() == ["200", "-", "404", "503"]


def test_mixed_utc_offsets_in_the_same_minute_text(write_log: LogWriter) -> None:
    path = write_log(
        [
            line("10/Oct/2026:13:55:10 +0200"),  # 11:55:10Z
            line("10/Oct/2026:13:55:20 -0500"),  # 18:55:20Z
            line("10/Oct/2026:13:55:05 -0500"),  # 18:55:05Z
            line("10/Oct/2026:13:55:30 +0200"),  # 11:55:30Z
        ]
    )
    counts = counts_of(path)
    assert counts.select("minute", "first", "last", "count").rows() == [
        (at(2026, 10, 10, 11, 55), at(2026, 10, 10, 11, 55, 10), at(2026, 10, 10, 11, 55, 30), 2),
        (at(2026, 10, 10, 18, 55), at(2026, 10, 10, 18, 55, 5), at(2026, 10, 10, 18, 55, 20), 2),
    ]
    assert tally_of(path).time_range() == (at(2026, 10, 10, 11, 55, 10), at(2026, 10, 10, 18, 55, 20))


def test_different_offsets_of_the_same_utc_minute_merge(write_log: LogWriter) -> None:
    path = write_log(
        [
            line("10/Oct/2026:15:55:40 +0200"),
            line("10/Oct/2026:13:55:10 +0000"),
            line("10/Oct/2026:08:55:59 -0500"),
        ]
    )
    counts = counts_of(path)
    assert counts.select("kind", "minute", "first", "last", "count", "first_lineno").rows() == [
        (PARSED, at(2026, 10, 10, 13, 55), at(2026, 10, 10, 13, 55, 10), at(2026, 10, 10, 13, 55, 59), 3, 1),
    ]


@pytest.mark.parametrize(
    "bad_time",
    [
        "99/Foo/2026:13:55:36 +0000",  # no such month
        "31/Feb/2026:13:55:36 +0000",  # no such day
        "10/Oct/2026:25:10:00 +0000",  # no such hour
        "10/Oct/2026:13:61:00 +0000",  # no such minute
        "10/Oct/2026:13:55:75 +0000",  # no such second (the minute itself is fine)
        "10/Oct/2026:13:55:36 +0099",  # no such offset
    ],
)
def test_impossible_time_is_unparsed(write_log: LogWriter, bad_time: str) -> None:
    good, bad = line("10/Oct/2026:13:55:36 +0000"), line(bad_time, "418")
    path = write_log([good, bad, line("10/Oct/2026:13:55:40 +0000")])
    counts = counts_of(path)
    assert totals(counts) == {"lines": 3, "parsed": 2, "filtered": 0, "unparsed": 1, "blank": 0}
    assert "418" not in tally_of(path).by_status()["status"].to_list()
    # The bad line does not disturb the time range of the good ones in the same minute.
    assert tally_of(path).time_range() == (at(2026, 10, 10, 13, 55, 36), at(2026, 10, 10, 13, 55, 40))
    unparsed = counts.filter(pl.col("kind") == UNPARSED)
    assert unparsed.select("status", "count", "first_lineno").rows() == [(None, 1, 2)]
    sample = unparsed_lines(lines_of(path, COMBINED), COMBINED, start=1, limit=20).collect()
    assert sample.rows() == [(2, bad)]


def test_bad_month_is_reported_with_its_reason(write_log: LogWriter) -> None:
    bad = line("99/Foo/2026:13:55:36 +0000")
    path = write_log([line("10/Oct/2026:13:55:36 +0000"), bad])
    result = count_input(Input("access.log", path), COMBINED, CountOptions(sample_limit=5))
    assert result.totals()["unparsed"] == 1
    [sample] = result.unparsed_samples()
    assert (sample.lineno, sample.text) == (2, bad)
    # The month is checked by the format's regex already.
    assert sample.reason == "field $time_local missing or malformed at column 16"


def test_unparsed_lines_start_and_limit(write_log: LogWriter) -> None:
    path = write_log(["junk 1", line("10/Oct/2026:13:55:36 +0000"), "junk 3", "", "junk 5", "junk 6"])
    lines = lines_of(path, COMBINED)
    assert unparsed_lines(lines, COMBINED, start=1, limit=2).collect().rows() == [(1, "junk 1"), (3, "junk 3")]
    assert unparsed_lines(lines, COMBINED, start=4, limit=20).collect().rows() == [(5, "junk 5"), (6, "junk 6")]


def test_format_without_time_field(write_log: LogWriter) -> None:
    fmt = compile_nginx('$remote_addr "$request" $status')
    path = write_log(
        [
            '192.0.2.1 "GET / HTTP/1.1" 200',
            '192.0.2.2 "GET /x HTTP/1.1" 404',
            "",
            "garbage",
            '192.0.2.3 "POST /y HTTP/1.1" 200 0.003',
        ]
    )
    counts = counts_of(path, fmt)
    assert_frame_equal(
        counts,
        count_table(
            [
                (BLANK, None, None, None, None, 1, 3),
                (UNPARSED, None, None, None, None, 1, 4),
                (PARSED, "200", None, None, None, 2, 1),
                (PARSED, "404", None, None, None, 1, 2),
            ]
        ),
    )
    assert totals(counts) == {"lines": 5, "parsed": 3, "filtered": 0, "unparsed": 1, "blank": 1}
    assert tally_of(path, fmt).time_range() == (None, None)
    assert tally_of(path, fmt).by_status().select("status", "count").rows() == [("200", 2), ("404", 1)]
    sample = unparsed_lines(lines_of(path, fmt), fmt, start=1, limit=20).collect()
    assert sample.rows() == [(4, "garbage")]


def test_time_iso8601(write_log: LogWriter) -> None:
    fmt = compile_nginx('$remote_addr [$time_iso8601] "$request" $status')
    path = write_log(
        [
            '192.0.2.1 [2026-10-10T13:55:36+02:00] "GET / HTTP/1.1" 200',  # 11:55:36Z
            '192.0.2.1 [2026-10-10T11:55:59Z] "GET / HTTP/1.1" 200',
            '192.0.2.1 [2026-10-10T13:55:01+0200] "GET / HTTP/1.1" 200',  # 11:55:01Z
            '192.0.2.1 [2026-10-10T13:55:36.250-05:00] "GET / HTTP/1.1" 503',  # 18:55:36.25Z
            '192.0.2.1 [2026-13-40T00:00:00Z] "GET / HTTP/1.1" 200',  # impossible date
        ]
    )
    counts = counts_of(path, fmt)
    assert_frame_equal(
        counts,
        count_table(
            [
                (UNPARSED, None, None, None, None, 1, 5),
                (
                    PARSED,
                    "200",
                    at(2026, 10, 10, 11, 55),
                    at(2026, 10, 10, 11, 55, 1),
                    at(2026, 10, 10, 11, 55, 59),
                    3,
                    1,
                ),
                (
                    PARSED,
                    "503",
                    at(2026, 10, 10, 18, 55),
                    at(2026, 10, 10, 18, 55, 36, 250_000),
                    at(2026, 10, 10, 18, 55, 36, 250_000),
                    1,
                    4,
                ),
            ]
        ),
    )
    assert tally_of(path, fmt).time_range() == (at(2026, 10, 10, 11, 55, 1), at(2026, 10, 10, 18, 55, 36, 250_000))
    assert unparsed_lines(lines_of(path, fmt), fmt, start=1, limit=5).collect()["lineno"].to_list() == [5]


def test_msec(write_log: LogWriter) -> None:
    fmt = compile_nginx("$msec $remote_addr $status")
    path = write_log(
        [
            "1760104536.123 192.0.2.1 200",  # 2025-10-10T13:55:36.123Z
            "1760104536 192.0.2.1 200",
            "1760104599.999 192.0.2.1 204",
            "99999999999999999999 192.0.2.1 200",  # overflows: unparsed, not an error
            "253402300800.000 192.0.2.1 200",  # year 10000
            "253402300799.000 192.0.2.1 200",  # year 9999: implausible, and near Python's limit
        ]
    )
    counts = counts_of(path, fmt)
    assert totals(counts) == {"lines": 6, "parsed": 3, "filtered": 0, "unparsed": 3, "blank": 0}
    assert counts.filter(pl.col("kind") == PARSED).select("status", "minute", "first", "last", "count").rows() == [
        ("200", at(2025, 10, 10, 13, 55), at(2025, 10, 10, 13, 55, 36), at(2025, 10, 10, 13, 55, 36, 123_000), 2),
        (
            "204",
            at(2025, 10, 10, 13, 56),
            at(2025, 10, 10, 13, 56, 39, 999_000),
            at(2025, 10, 10, 13, 56, 39, 999_000),
            1,
        ),
    ]
    assert tally_of(path, fmt).time_range() == (at(2025, 10, 10, 13, 55, 36), at(2025, 10, 10, 13, 56, 39, 999_000))
    sample = unparsed_lines(lines_of(path, fmt), fmt, start=1, limit=5).collect()
    assert sample["lineno"].to_list() == [4, 5, 6]


def test_apache_epoch_milliseconds_do_not_break_the_report(write_log: LogWriter) -> None:
    # %{msec}t counts milliseconds; read as nginx's seconds it lands past year 9999.
    fmt = compile_apache("%h %{msec}t %>s")
    path = write_log(["192.0.2.1 1760104536123 200", "192.0.2.1 1760104536999 503"])
    report = build_report([Input("access.log", path)], log_format=fmt)
    assert (report.totals.parsed, report.totals.unparsed) == (2, 0)
    assert (report.first, report.last) == (None, None)
    assert [(row.raw, row.count) for row in report.by_code] == [("200", 1), ("503", 1)]


def test_a_leap_second_is_the_next_minutes_first(write_log: LogWriter) -> None:
    path = write_log([line("31/Dec/2016:23:59:59 +0000"), line("31/Dec/2016:23:59:60 +0000")])
    counts = counts_of(path)
    assert totals(counts)["parsed"] == 2
    assert tally_of(path).time_range() == (at(2016, 12, 31, 23, 59, 59), at(2017, 1, 1, 0, 0, 0))
