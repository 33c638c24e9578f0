"""Time series (zero periods, sums, classes) and the CSV/JSON export schemas of every table.

The CSV tests live here with the series because the series is the newest table; each
table's header, column types and row contents are checked the same way.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from helpers import CORPUS, require

from logstat.errors import UsageError
from logstat.periods import auto_period
from logstat.registry import class_name
from logstat.render import CsvTable, RenderOptions
from logstat.render.csv import (
    BOM,
    CLASS_COLUMNS,
    CODE_COLUMNS,
    SERIES_COLUMNS,
    UNPARSED_COLUMNS,
    defuse,
    render_csv,
)
from logstat.render.json import render_json
from logstat.render.spark import bucket_size, sparkline
from logstat.report import Report, build_report
from logstat.report.series import (
    CLASS_SERIES_SCHEMA,
    MAX_PERIODS,
    SERIES_SCHEMA,
    build_series,
    class_expr,
    class_series,
    series_dict,
    series_records,
)
from logstat.sources import open_inputs

ELASTIC = CORPUS / "elastic_apache_logs.log"
LINE = '203.0.113.7 - - [{when}] "GET /x HTTP/1.1" {status} 512 "-" "curl/8.0"'
T0 = datetime(2026, 10, 10, 10, 0, 30, tzinfo=UTC)
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def line(status: int, when: datetime) -> str:
    """One combined-format line at ``when``."""
    return LINE.format(when=when.strftime("%d/%b/%Y:%H:%M:%S +0000"), status=status)


def report_of(tmp_path: Path, lines: list[str]) -> Report:
    """A report over ``lines`` written to a file in ``tmp_path``."""
    path = tmp_path / "access.log"
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return build_report(open_inputs([str(path)], spool_dir=tmp_path))


@pytest.fixture
def gappy(tmp_path: Path) -> Report:
    """Five requests over 14 hours with long quiet stretches, plus one unparsed line."""
    return report_of(
        tmp_path,
        [
            line(200, T0),
            line(404, T0 + timedelta(seconds=15)),
            line(200, T0 + timedelta(minutes=3)),
            line(500, T0 + timedelta(hours=2, minutes=30)),
            line(200, T0 + timedelta(hours=14, minutes=10)),
            "this is not an access log line",
        ],
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Report:
    require(ELASTIC.is_file(), f"no real-log corpus at {CORPUS}")
    return build_report(open_inputs([str(ELASTIC)], spool_dir=tmp_path_factory.mktemp("spool")))


# --- class_expr ------------------------------------------------------------------------


def test_class_expr_agrees_with_class_name() -> None:
    values = ["100", "200", "204", "301", "404", "499", "500", "599", "600", "099", "000", "999",
              "1000", "20", "", "-", "2x0", "20 ", "٢٠٠", "５００"]
    frame = pl.DataFrame({"status": values}).with_columns(cls=class_expr(pl.col("status")))
    assert frame["cls"].to_list() == [class_name(v) for v in values]


# --- build_series ----------------------------------------------------------------------


@pytest.mark.parametrize(("period", "periods"), [("minute", 851), ("hour", 15), ("day", 2)])
def test_series_zero_fills_every_period_and_status(gappy: Report, period: Any, periods: int) -> None:
    series = build_series(gappy.minutes, period, gappy.first, gappy.last)
    assert dict(series.schema) == SERIES_SCHEMA
    statuses = ["200", "404", "500"]
    assert series.height == periods * len(statuses)
    assert series["period_start"].n_unique() == periods
    assert sorted(series["status"].unique().to_list()) == statuses
    assert series.group_by("period_start").len()["len"].to_list() == [len(statuses)] * periods
    assert series.equals(series.sort("period_start", "status"))
    assert int(series["count"].sum()) == gappy.totals.parsed == 5


def test_series_counts_land_in_their_period(gappy: Report) -> None:
    series = build_series(gappy.minutes, "hour", gappy.first, gappy.last)
    counts = {(t.hour, s): int(c) for t, s, _, c in series.iter_rows()}
    assert counts[(10, "200")] == 2
    assert counts[(10, "404")] == 1
    assert counts[(12, "500")] == 1
    assert counts[(0, "200")] == 1
    assert counts[(11, "200")] == 0, "an hour without requests is a zero row"
    assert counts[(23, "500")] == 0


def test_series_periods_are_consecutive_utc_starts(gappy: Report) -> None:
    series = build_series(gappy.minutes, "minute", gappy.first, gappy.last)
    starts = series["period_start"].unique().sort().to_list()
    assert starts[0] == datetime(2026, 10, 10, 10, 0, tzinfo=UTC)
    assert starts[-1] == datetime(2026, 10, 11, 0, 10, tzinfo=UTC)
    assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(starts))


def test_day_series_uses_utc_midnight(tmp_path: Path) -> None:
    local = '203.0.113.7 - - [10/Oct/2026:23:30:00 +0800] "GET / HTTP/1.1" 200 5 "-" "x"'
    report = report_of(tmp_path, [local])
    series = build_series(report.minutes, "day", report.first, report.last)
    assert series["period_start"].to_list() == [datetime(2026, 10, 10, tzinfo=UTC)]


@pytest.mark.parametrize("period", ["minute", "hour", "day"])
def test_corpus_series_sums_to_totals(corpus: Report, period: Any) -> None:
    series = build_series(corpus.minutes, period, corpus.first, corpus.last)
    assert int(series["count"].sum()) == corpus.totals.parsed == 10_000
    per_code = dict(series.group_by("status").agg(pl.col("count").sum()).iter_rows())
    assert per_code == {row.raw: row.count for row in corpus.by_code}
    per_class = class_series(corpus.minutes, period, corpus.first, corpus.last)
    assert dict(per_class.schema) == CLASS_SERIES_SCHEMA
    sums = dict(per_class.group_by("class").agg(pl.col("count").sum()).iter_rows())
    assert sums == {row.name: row.count for row in corpus.by_class}


def test_class_series_is_zero_filled_and_in_class_order(gappy: Report) -> None:
    series = class_series(gappy.minutes, "hour", gappy.first, gappy.last)
    assert series.height == 15 * 3
    assert series["class"].head(3).to_list() == ["2xx", "4xx", "5xx"]
    assert int(series.filter(pl.col("class") == "5xx")["count"].sum()) == 1


def test_nonhttp_status_is_class_other() -> None:
    minute = datetime(2026, 1, 1, tzinfo=UTC)
    minutes = pl.DataFrame(
        {"status": ["000", "200"], "minute": [minute, minute], "count": [3, 4]},
        schema={"status": pl.String, "minute": pl.Datetime("us", "UTC"), "count": pl.UInt64},
    )
    series = build_series(minutes, "hour")
    assert series.rows() == [(minute, "000", "other", 3), (minute, "200", "2xx", 4)]


def test_empty_minutes_give_an_empty_series() -> None:
    empty = pl.DataFrame(schema={"status": pl.String, "minute": pl.Datetime("us", "UTC"), "count": pl.UInt64})
    series = build_series(empty, "hour", None, None)
    assert series.is_empty()
    assert dict(series.schema) == SERIES_SCHEMA


def test_too_many_periods_is_a_usage_error() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    minutes = pl.DataFrame(
        {"status": ["200"], "minute": [start], "count": [1]},
        schema={"status": pl.String, "minute": pl.Datetime("us", "UTC"), "count": pl.UInt64},
    )
    end = start + timedelta(minutes=MAX_PERIODS)
    with pytest.raises(UsageError, match="use --by hour"):
        build_series(minutes, "minute", start, end)
    assert build_series(minutes, "minute", start, end - timedelta(minutes=1)).height == MAX_PERIODS


@pytest.mark.parametrize(
    ("span", "period"),
    [
        (timedelta(0), "minute"),
        (timedelta(hours=3), "minute"),
        (timedelta(hours=3, seconds=1), "hour"),
        (timedelta(days=7), "hour"),
        (timedelta(days=7, seconds=1), "day"),
        (timedelta(days=400), "day"),
    ],
)
def test_auto_period(span: timedelta, period: str) -> None:
    assert auto_period(T0, T0 + span) == period


def test_auto_period_without_times() -> None:
    assert auto_period(None, None) == "hour"


# --- JSON records --------------------------------------------------------------------


def test_series_records_are_json_ready(gappy: Report) -> None:
    records = series_records(gappy.minutes, "hour", gappy.first, gappy.last)
    assert len(records) == 45
    for record in records:
        assert list(record) == ["period_start", "status", "raw", "class", "count"]
        assert ISO_Z.match(record["period_start"])
        assert isinstance(record["status"], int)
        assert isinstance(record["raw"], str)
        assert isinstance(record["count"], int)
        assert record["class"] == class_name(record["raw"])
    assert records[0] == {"period_start": "2026-10-10T10:00:00Z", "status": 200, "raw": "200", "class": "2xx",
                          "count": 2}
    assert sum(r["count"] for r in records) == gappy.totals.parsed
    document = series_dict(gappy.minutes, "minute", gappy.first, gappy.last)
    assert document["period"] == "minute"
    assert document["period_seconds"] == 60
    assert json.loads(json.dumps(document)) == document


def test_json_document_schema(gappy: Report) -> None:
    data = json.loads(render_json(gappy, RenderOptions()))
    assert isinstance(data["schema_version"], int)
    assert [(c["class"], c["count"]) for c in data["by_class"]] == [
        ("1xx", 0), ("2xx", 3), ("3xx", 0), ("4xx", 1), ("5xx", 1)
    ]
    for row in data["by_class"]:
        assert set(row) == {"class", "label", "count", "share"}
        assert isinstance(row["share"], float)
    for row in data["by_code"]:
        assert isinstance(row["status"], int)
        assert isinstance(row["count"], int)
    (sample,) = data["unparsed_samples"]
    assert set(sample) == {"file", "line", "reason", "text"}
    assert isinstance(sample["line"], int)


# --- sparkline -----------------------------------------------------------------------


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "··"
    assert sparkline([0, 1, 8]) == "·▁█"
    assert sparkline([4, 8]) == "▄█"
    assert sparkline(list(range(200)), width=50) == sparkline([sum(range(i, i + 4)) for i in range(0, 200, 4)])
    assert len(sparkline([1] * 1000, width=60)) <= 60
    assert bucket_size(120, 60) == 2
    assert bucket_size(121, 60) == 3
    assert bucket_size(10, 60) == 1


# --- CSV: every table ----------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    """Parse CSV text and check its framing: RFC 4180 line ends and no BOM."""
    assert not text.startswith(BOM)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv(report: Report, table: CsvTable, **options: Any) -> list[list[str]]:
    return read_csv(render_csv(report, RenderOptions(csv_table=table, **options)))


def test_csv_codes_table(gappy: Report) -> None:
    header, *rows = _csv(gappy, "codes")
    assert tuple(header) == CODE_COLUMNS
    assert [r[0] for r in rows] == ["200", "404", "500"]
    for row in rows:
        assert len(row) == len(CODE_COLUMNS)
        record = dict(zip(CODE_COLUMNS, row, strict=True))
        assert int(record["status"]) == int(record["raw_status"])
        assert record["class"] == class_name(record["raw_status"])
        assert int(record["count"]) > 0
        assert 0 < float(record["share"]) <= 1
        assert record["registered"] in {"true", "false"}
        assert ISO_Z.match(record["first_seen"])
    assert sum(int(r[3]) for r in rows) == gappy.totals.parsed


def test_csv_classes_table(gappy: Report) -> None:
    header, *rows = _csv(gappy, "classes")
    assert tuple(header) == CLASS_COLUMNS == ("class", "label", "count", "share")
    assert rows == [
        ["1xx", "Informational", "0", "0.000000"],
        ["2xx", "Successful", "3", "0.600000"],
        ["3xx", "Redirection", "0", "0.000000"],
        ["4xx", "Client Error", "1", "0.200000"],
        ["5xx", "Server Error", "1", "0.200000"],
    ]


def test_csv_classes_in_chinese(gappy: Report) -> None:
    _, _, second, *_ = _csv(gappy, "classes", lang="zh")
    assert second == ["2xx", "成功", "3", "0.600000"]


@pytest.mark.parametrize(("by", "periods"), [("minute", 851), ("hour", 15), ("day", 2)])
def test_csv_series_table(gappy: Report, by: Any, periods: int) -> None:
    header, *rows = _csv(gappy, "series", by=by)
    assert tuple(header) == SERIES_COLUMNS == ("period_start", "status", "class", "count", "raw_status")
    assert len(rows) == periods * 3
    for start, status, cls, count, raw in rows:
        assert ISO_Z.match(start)
        assert datetime.fromisoformat(start).tzinfo is not None
        assert cls == class_name(raw) and status == raw
        assert int(count) >= 0
    assert sum(int(r[3]) for r in rows) == gappy.totals.parsed


def test_csv_series_rows(gappy: Report) -> None:
    _, *rows = _csv(gappy, "series", by="hour")
    assert rows[:4] == [
        ["2026-10-10T10:00:00Z", "200", "2xx", "2", "200"],
        ["2026-10-10T10:00:00Z", "404", "4xx", "1", "404"],
        ["2026-10-10T10:00:00Z", "500", "5xx", "0", "500"],
        ["2026-10-10T11:00:00Z", "200", "2xx", "0", "200"],
    ]


def test_csv_series_without_by_uses_auto_period(gappy: Report) -> None:
    _, *rows = _csv(gappy, "series")
    assert auto_period(gappy.first, gappy.last) == "hour"
    assert len(rows) == 15 * 3


def test_csv_unparsed_table(gappy: Report) -> None:
    header, *rows = _csv(gappy, "unparsed")
    assert tuple(header) == UNPARSED_COLUMNS == ("file", "line", "reason", "text")
    (row,) = rows
    assert row[0].endswith("access.log")
    assert row[1] == "6"
    assert row[2]
    assert row[3] == "this is not an access log line"


def test_csv_unparsed_text_is_defused(tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://x.test")', "\x1b[31mred\x1b[0m, \"quoted\"\tand\ttabs", "@SUM(A1)"]
    report = report_of(tmp_path, [line(200, T0)] * 8 + hostile)
    _, *rows = _csv(report, "unparsed")
    texts = [r[3] for r in rows]
    assert texts == [
        "'=HYPERLINK(\"http://x.test\")",
        '\\x1b[31mred\\x1b[0m, "quoted"\\x09and\\x09tabs',
        "'@SUM(A1)",
    ]
    assert defuse("-1+2") == "'-1+2"
    assert defuse("GET /") == "GET /"


@pytest.mark.parametrize("table", ["codes", "classes", "series", "unparsed"])
def test_csv_bom(gappy: Report, table: CsvTable) -> None:
    plain = render_csv(gappy, RenderOptions(csv_table=table, lang="zh"))
    excel = render_csv(gappy, RenderOptions(csv_table=table, lang="zh", bom=True))
    assert excel == BOM + plain
    assert excel.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    decoded = excel.encode("utf-8").decode("utf-8-sig")
    assert decoded == plain


@pytest.mark.parametrize("table", ["codes", "classes", "series", "unparsed"])
def test_csv_never_carries_ansi_escapes(tmp_path: Path, table: CsvTable) -> None:
    report = report_of(tmp_path, [line(200, T0)] * 8 + ["\x1b[2J\x1b[31mboom\x07"])
    assert report.unparsed_samples[0].text.startswith("\x1b")
    assert "\x1b" not in render_csv(report, RenderOptions(csv_table=table, color=True))
