"""Evidence: latency percentiles, upstream time lists, drill-down counts, --top, busiest windows.

Percentiles are checked against a plain-Python nearest-rank computation over the raw values,
each rounded to whole milliseconds first (as logstat.evidence documents).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from helpers import percentiles_by_field, top_lists
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logstat.cli import app
from logstat.formats import BUILTIN_FORMATS, LogFormat, resolve_log_format
from logstat.report import NO_LATENCY, Report, build_report
from logstat.report.evidence import Percentiles, percentiles
from logstat.sources import open_inputs
from logstat.tally.count import CountOptions, count_input
from logstat.tally.dimensions import REQUEST_LIMIT, VALUE_LIMIT
from logstat.timewindow import TimeWindow

SAMPLES = Path(__file__).parent.parent / "sample_logs"
T0 = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 11, tzinfo=UTC)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def stamp(at: datetime, offset: str = "+0000") -> str:
    return f"{at.day:02d}/{MONTHS[at.month - 1]}/{at.year}:{at:%H:%M:%S} {offset}"


def timed(
    status: int | str,
    rt: str = "0.010",
    up: str = "-",
    *,
    at: datetime = T0,
    request: str = "GET / HTTP/1.1",
    ip: str = "192.0.2.1",
    referer: str = "-",
    agent: str = "test-agent/1.0",
) -> str:
    """An nginx_timed line."""
    return f'{ip} - - [{stamp(at)}] "{request}" {status} 153 "{referer}" "{agent}" {rt} {up}'


def write(directory: Path, lines: Sequence[str], name: str = "access.log") -> Path:
    path = directory / name
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path


def report_of(
    directory: Path,
    lines: Sequence[str],
    log_format: LogFormat | str = "nginx_timed",
    *,
    top: int = 5,
    window: TimeWindow | None = None,
) -> Report:
    path = write(directory, lines)
    spool = directory / "spool"
    spool.mkdir(exist_ok=True)
    fmt = BUILTIN_FORMATS[log_format] if isinstance(log_format, str) else log_format
    return build_report(
        open_inputs([str(path)], spool_dir=spool),
        log_format=fmt,
        spool_dir=spool,
        top=top,
        now=NOW,
        window=window or TimeWindow(),
    )


def summarize_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["summarize", *args, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --------------------------------------------------------------------------- independent percentiles


def nearest_rank(values_ms: Sequence[int]) -> Percentiles:
    """Nearest-rank percentiles in seconds, in integers only: the ceil(p/100 * n)-th smallest value."""
    ordered = sorted(values_ms)
    n = len(ordered)

    def at(pct: int) -> float:
        rank = max(1, -(-pct * n // 100))
        return ordered[rank - 1] / 1000

    return Percentiles(n, at(50), at(95), at(99), ordered[-1] / 1000)


def to_ms(seconds_text: str) -> int | None:
    """Whole milliseconds of a latency field; a list of upstream times adds up; ``-`` is no value."""
    parts = [p for p in seconds_text.replace(" : ", ", ").split(", ") if p != "-"]
    return round(sum(float(p) for p in parts) * 1000) if parts else None


def expected_latency(rows: Sequence[tuple[str, str]]) -> dict[str, Percentiles]:
    values = [ms for _, text in rows if (ms := to_ms(text)) is not None]
    return {"x": nearest_rank(values)} if values else {}


def test_nearest_rank_fixed_example(tmp_path: Path) -> None:
    # 1..100 ms in shuffled order, plus a "-" that counts as no value.
    order = [(i * 37) % 100 + 1 for i in range(100)]
    lines = [timed(200, f"0.{ms:03d}") for ms in order] + [timed(200, "-")]
    report = report_of(tmp_path, lines)
    assert report.latency_overall["request_time"] == Percentiles(100, 0.050, 0.095, 0.099, 0.100)
    assert report.latency_by_code["200"]["request_time"] == nearest_rank(order)
    assert "upstream_response_time" not in report.latency_overall


def test_percentiles_of_a_count_table() -> None:
    # 20 values: ranks 10, 19 and 20; counts stand for repeated values; text that is no number is left out.
    table = pl.DataFrame(
        {"value": ["5", "1", "9", "x", "1000"], "count": [8, 2, 9, 4, 1]},
        schema={"value": pl.String, "count": pl.UInt64},
    )
    assert percentiles(table) == Percentiles(20, 0.005, 0.009, 1.0, 1.0)
    assert percentiles(table.filter(pl.col("value") == "x")) is None


STATUSES = ("200", "204", "304", "404", "499", "502")
MILLIS = st.integers(min_value=0, max_value=120_000).map(lambda ms: f"{ms // 1000}.{ms % 1000:03d}")
MICROS = st.integers(min_value=0, max_value=120_000_000).map(lambda us: f"{us // 1_000_000}.{us % 1_000_000:06d}")
REQUEST_TIME = st.one_of(MILLIS, MICROS, st.just("-"))
UPSTREAM_TIME = st.one_of(
    st.just("-"),
    st.lists(st.one_of(MILLIS, st.just("-")), min_size=1, max_size=3).flatmap(
        lambda parts: st.sampled_from([", ", " : "]).map(lambda sep: sep.join(parts))
    ),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STATUSES), REQUEST_TIME, UPSTREAM_TIME), min_size=1, max_size=60))
def test_percentiles_match_independent_nearest_rank(rows: list[tuple[str, str, str]]) -> None:
    lines = [timed(status, rt, up, at=T0 + timedelta(seconds=i)) for i, (status, rt, up) in enumerate(rows)]
    with tempfile.TemporaryDirectory() as directory:
        report = report_of(Path(directory), lines)
    for dim, column in (("request_time", 1), ("upstream_response_time", 2)):
        pairs = [(row[0], row[column]) for row in rows]
        overall = expected_latency(pairs)
        assert report.latency_overall.get(dim) == overall.get("x"), dim
        for status in STATUSES:
            mine = expected_latency([p for p in pairs if p[0] == status])
            assert report.latency_by_code.get(status, {}).get(dim) == mine.get("x"), (status, dim)
        for cls in ("2xx", "3xx", "4xx", "5xx"):
            mine = expected_latency([p for p in pairs if p[0][0] == cls[0]])
            assert report.latency_by_class.get(cls, {}).get(dim) == mine.get("x"), (cls, dim)


# --------------------------------------------------------------------------- latency fields


@pytest.mark.parametrize(
    ("upstream", "ms"),
    [("0.500, 0.012", 512), ("0.1 : 0.2", 300), ("-", None), ("-, 0.3", 300), ("1.000, 2.000 : 0.250", 3250)],
)
def test_multi_valued_upstream_time_is_summed(tmp_path: Path, upstream: str, ms: int | None) -> None:
    report = report_of(tmp_path, [timed(502, "0.600", upstream)])
    rows = report.evidence_table.filter(pl.col("dim") == "upstream_response_time")
    if ms is None:
        assert rows.is_empty()
        assert "upstream_response_time" not in report.latency_overall
    else:
        assert rows.select("value", "count").rows() == [(str(ms), 1)]
        assert report.latency_by_code["502"]["upstream_response_time"] == Percentiles(1, *[ms / 1000] * 4)


def test_upstream_lists_together(tmp_path: Path) -> None:
    values = ["0.500, 0.012", "0.1 : 0.2", "-", "-, 0.3"]
    report = report_of(tmp_path, [timed(200, "0.600", up) for up in values])
    assert report.latency_overall["upstream_response_time"] == Percentiles(3, 0.3, 0.512, 0.512, 0.512)
    assert report.latency_overall["request_time"].count == 4


def test_apache_microseconds(tmp_path: Path) -> None:
    micros = [250, 12_345, 987_654, 3_000_000, 1_499]
    lines = [f'192.0.2.1 - - [{stamp(T0)}] "GET /r HTTP/1.1" 200 10 "-" "ua" {us}' for us in [*micros, "-"]]
    report = report_of(tmp_path, lines, "apache_timed")
    assert report.latency_dims == ("request_time",)
    assert report.latency_overall["request_time"] == nearest_rank([round(us / 1000) for us in micros])
    assert report.latency_overall["request_time"] == Percentiles(5, 0.012, 3.0, 3.0, 3.0)


def test_format_without_latency_says_how_to_add_it(tmp_path: Path) -> None:
    path = write(tmp_path, [f'192.0.2.1 - - [{stamp(T0)}] "GET / HTTP/1.1" 404 10 "-" "ua"'])
    data = summarize_json(str(path), "--log-format", "combined")
    assert data["latency"] == {"fields": [], "unit": "seconds", "note": NO_LATENCY["en"], "overall": [], "by_class": []}
    assert "$request_time" in data["latency"]["note"]
    assert all(code["latency"] == [] for code in data["by_code"])
    zh = summarize_json(str(path), "--log-format", "combined", "--lang", "zh")
    assert "$request_time" in zh["latency"]["note"] and zh["latency"]["fields"] == []


def test_json_latency_section(tmp_path: Path) -> None:
    path = write(tmp_path, [timed(200, "0.010", "0.009"), timed(200, "0.030", "-"), timed(502, "0.002", "0.001")])
    latency = summarize_json(str(path))["latency"]
    assert latency["fields"] == ["request_time", "upstream_response_time"]
    assert latency["unit"] == "seconds"
    overall = percentiles_by_field(latency["overall"])
    assert overall["request_time"] == {"count": 3, "p50": 0.01, "p95": 0.03, "p99": 0.03, "max": 0.03}
    upstream = {"count": 2, "p50": 0.001, "p95": 0.009, "p99": 0.009, "max": 0.009}
    assert overall["upstream_response_time"] == upstream
    by_class = [(r["class"], r["field"], r["count"]) for r in latency["by_class"]]
    assert by_class == [
        ("2xx", "request_time", 2), ("2xx", "upstream_response_time", 1),
        ("5xx", "request_time", 1), ("5xx", "upstream_response_time", 1),
    ]
    assert all(set(r) == {"class", "field", "count", "p50", "p95", "p99", "max"} for r in latency["by_class"])


# --------------------------------------------------------------------------- drill-down


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.log")))
def test_drill_down_counts_sum_to_the_code_count(tmp_path: Path, name: str) -> None:
    inputs = open_inputs([str(SAMPLES / name)], spool_dir=tmp_path)
    report = build_report(inputs, spool_dir=tmp_path, top=1000, now=NOW)
    counts = {row.raw: row.count for row in report.by_code}
    assert report.evidence, "every sample log has error codes"
    for raw, found in report.evidence.items():
        count = counts[raw]
        odd = report.evidence_table.filter((pl.col("status") == raw) & (pl.col("dim") == "odd_request"))
        assert sum(r.count for r in found.top["path"]) + int(odd["count"].sum()) == count, raw
        for dim in ("client", "agent", "referer", "vhost"):
            if found.top.get(dim):
                assert sum(r.count for r in found.top[dim]) == count, (raw, dim)
                assert sum(r.share for r in found.top[dim]) == pytest.approx(1.0)
        window = found.window
        assert window is not None and 1 <= window.count <= count


def test_drill_down_ranks_by_count_then_value(tmp_path: Path) -> None:
    paths = ["/b"] * 3 + ["/a"] * 3 + ["/c"] * 5 + ["/d"]
    report = report_of(tmp_path, [timed(404, request=f"GET {p} HTTP/1.1") for p in paths], top=3)
    assert [(r.value, r.count) for r in report.evidence["404"].top["path"]] == [("/c", 5), ("/a", 3), ("/b", 3)]
    assert report.evidence["404"].top["path"][0].share == pytest.approx(5 / 12)


@pytest.mark.parametrize("top", [0, 1, 2, 5])
def test_top_is_respected_in_json(top: int) -> None:
    full = summarize_json(str(SAMPLES / "incidents.log"), "--top", "1000")
    data = summarize_json(str(SAMPLES / "incidents.log"), "--top", str(top))
    truncated = 0
    for code, whole in zip(data["by_code"], full["by_code"], strict=True):
        if code["evidence"] is None:
            assert whole["evidence"] is None
            continue
        for dim, ranked in top_lists(whole).items():
            shown = top_lists(code).get(dim, [])
            assert shown == ranked[:top], (code["raw"], dim)
            truncated += len(ranked) > top
    assert truncated, "some list is longer than --top"


def test_query_strings_are_grouped(tmp_path: Path) -> None:
    targets = ["/api?id=1", "/api?id=2", "/api", "/api?id=1", "/other?x=1"]
    path = write(tmp_path, [timed(404, request=f"GET {t} HTTP/1.1") for t in targets])
    data = summarize_json(str(path))
    paths = top_lists(data["by_code"][0])["path"]
    assert paths == [
        {"value": "/api", "count": 4, "share": 0.8, "distinct_queries": 2},
        {"value": "/other", "count": 1, "share": 0.2, "distinct_queries": 1},
    ]
    assert all(r["distinct_queries"] == 0 for r in top_lists(data["by_code"][0])["client"])


def test_long_values_are_capped_after_counting(tmp_path: Path) -> None:
    # Agents that differ only after the cap are one value; one of exactly the cap is kept whole.
    long_a, long_b, exact = "A" * 400, "A" * 300 + "B" * 50, "C" * VALUE_LIMIT
    lines = [timed(500, agent=agent) for agent in (long_a, long_b, exact)]
    agents = {r.value: r.count for r in report_of(tmp_path, lines).evidence["500"].top["agent"]}
    assert agents == {"A" * VALUE_LIMIT + "…": 2, exact: 1}


def test_a_request_longer_than_the_pass_keeps_is_still_a_path(tmp_path: Path) -> None:
    target = "/search?q=" + "x" * (REQUEST_LIMIT + 100)
    lines = [timed(414, request=f"GET {target} HTTP/1.1"), timed(414, request="GET /short HTTP/1.1")]
    report = report_of(tmp_path, lines)
    paths = {r.value: (r.count, r.distinct_queries) for r in report.evidence["414"].top["path"]}
    assert paths == {"/search": (1, 1), "/short": (1, 0)}
    odd = report.evidence_table.filter(pl.col("dim") == "odd_request")
    assert odd.is_empty()


@pytest.mark.parametrize(
    ("protocol", "length", "dim"),
    [
        (" HTTP/1.1", REQUEST_LIMIT, "path"),
        ("", REQUEST_LIMIT, "odd_request"),  # whole, and no protocol: odd
        ("", REQUEST_LIMIT + 1, "path"),  # cut by the pass: only its start is judged
        (" HTTP/1.1", REQUEST_LIMIT + 1, "path"),
    ],
)
def test_request_lines_at_the_limit(tmp_path: Path, protocol: str, length: int, dim: str) -> None:
    start = "GET /p?q="
    request = start + "x" * (length - len(start) - len(protocol)) + protocol
    assert len(request) == length
    report = report_of(tmp_path, [timed(414, request=request)])
    table = report.evidence_table.filter(pl.col("dim").is_in(["path", "odd_request"]))
    assert table.select("dim", "count").rows() == [(dim, 1)]
    if dim == "path":
        assert table["value"].to_list() == ["/p"]


def test_links_keep_control_characters_of_the_referer(tmp_path: Path) -> None:
    referer = "https://example.com/a\x1fb\x01"
    lines = [timed(404, referer=referer, request="GET /gone?x=1 HTTP/1.1")] * 2
    report = report_of(tmp_path, lines)
    table = report.evidence_table.filter(pl.col("status") == "404")
    dims = ("referer", "link")
    values = {dim: dict(table.filter(pl.col("dim") == dim).select("value", "count").iter_rows()) for dim in dims}
    assert values == {"referer": {referer: 2}, "link": {f"{referer} -> /gone": 2}}


def test_a_404_without_a_referring_page_adds_no_value_per_path(tmp_path: Path) -> None:
    """A scan of many missing paths must not hold one referer value per path in memory."""
    lines = [timed(404, request=f"GET /probe/{i} HTTP/1.1") for i in range(50)]
    lines += [timed(404, request="GET /gone HTTP/1.1", referer="https://example.com/page")]
    report = report_of(tmp_path, lines)
    links = report.evidence_table.filter(pl.col("dim") == "link")["value"].to_list()
    assert links == ["https://example.com/page -> /gone"]
    source = open_inputs([str(tmp_path / "access.log")], spool_dir=tmp_path)[0]
    counted = count_input(source, BUILTIN_FORMATS["nginx_timed"], CountOptions(sample_limit=0)).evidence
    assert counted.filter(pl.col("dim") == "referer").height == 2  # "-" once, the page once


CUSTOM = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
    '"$http_user_agent" $host [$proxy_upstream_name] "$upstream_addr" "$upstream_status" $request_time '
    "$upstream_response_time"
)


def test_every_dimension_of_a_custom_format(tmp_path: Path) -> None:
    def custom(host: str, addr: str, upstream_status: str, ip: str, up: str) -> str:
        return (
            f'{ip} - - [{stamp(T0)}] "GET /checkout?step=2 HTTP/2.0" 502 157 "https://shop.example.com/cart" '
            f'"Mozilla/5.0" {host} [shop-{host[:3]}-80] "{addr}" "{upstream_status}" 0.700 {up}'
        )

    lines = [
        custom("shop.example.com", "10.0.0.5:8080, 10.0.0.6:8080", "502, 502", "192.0.2.1", "0.300, 0.400"),
        custom("shop.example.com", "10.0.0.5:8080, 10.0.0.6:8080", "502, 502", "192.0.2.2", "0.300, 0.400"),
        custom("api.example.com", "10.0.0.7:8080", "502", "192.0.2.1", "0.700"),
    ]
    report = report_of(tmp_path, lines, resolve_log_format(CUSTOM))
    top = {dim: [(r.value, r.count) for r in ranked] for dim, ranked in report.evidence["502"].top.items()}
    assert top == {
        "path": [("/checkout", 3)],
        "client": [("192.0.2.1", 2), ("192.0.2.2", 1)],
        "agent": [("Mozilla/5.0", 3)],
        "vhost": [("shop.example.com", 2), ("api.example.com", 1)],
        "service": [("shop-sho-80", 2), ("shop-api-80", 1)],
        "referer": [("https://shop.example.com/cart", 3)],
        "upstream": [("10.0.0.5:8080, 10.0.0.6:8080", 2), ("10.0.0.7:8080", 1)],
        "upstream_status": [("502, 502", 2), ("502", 1)],
    }
    assert report.latency_by_code["502"]["upstream_response_time"] == Percentiles(3, 0.7, 0.7, 0.7, 0.7)
    data = summarize_json(str(tmp_path / "access.log"), "--log-format", CUSTOM)
    assert list(top_lists(data["by_code"][0])) == list(top)


def test_dimensions_a_format_lacks_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, [f'192.0.2.1 - - [{stamp(T0)}] "GET /x HTTP/1.1" 404 10'])
    code = summarize_json(str(path), "--log-format", "common")["by_code"][0]
    assert set(top_lists(code)) == {"path", "client"}


@pytest.mark.parametrize(
    ("log_format", "client"),
    [
        ('%{X-Forwarded-For}i %l %u %t "%r" %>s %b', "203.0.113.9, 10.0.0.2"),
        ('%a %l %u %t "%r" %>s %b "%{X-Forwarded-For}i"', "192.0.2.1"),
    ],
    ids=["forwarded-for-only", "both"],
)
def test_clients_come_from_forwarded_for_when_the_format_has_no_address(
    tmp_path: Path, log_format: str, client: str
) -> None:
    """Apache's "proxy" LogFormat behind a load balancer logs X-Forwarded-For instead of %a."""
    first = "203.0.113.9, 10.0.0.2" if log_format.startswith("%{") else "192.0.2.1"
    path = write(tmp_path, [f'{first} - - [{stamp(T0)}] "GET /x HTTP/1.1" 404 10 "203.0.113.9, 10.0.0.2"'])
    code = summarize_json(str(path), "--log-format", log_format)["by_code"][0]
    assert top_lists(code)["client"] == [{"value": client, "count": 1, "share": 1.0, "distinct_queries": 0}]


# --------------------------------------------------------------------------- busiest window


def test_busiest_window(tmp_path: Path) -> None:
    minutes = [0, 30, 41, 42, 43, 43, 44, 44, 60]
    report = report_of(tmp_path, [timed(404, at=T0 + timedelta(minutes=m, seconds=7)) for m in minutes])
    window = report.evidence["404"].window
    assert window is not None
    # 9 requests from 12:00 to 13:00: 13 five-minute windows, 9/13 per window on average.
    assert (window.start, window.minutes, window.count) == (T0 + timedelta(minutes=40), 5, 6)
    assert window.times_average == pytest.approx(6 / (9 / 13))
    data = summarize_json(str(tmp_path / "access.log"))
    assert data["by_code"][0]["evidence"]["busiest_window"] == {
        "start": "2026-10-10T12:40:00Z",
        "minutes": 5,
        "count": 6,
        "times_average": 8.67,
    }


def test_busiest_window_ties_go_to_the_earliest_and_windows_align_to_utc(tmp_path: Path) -> None:
    # 18:12 +0530 is 12:42 UTC; two windows of 2 each: 12:40 (UTC) is the earlier one.
    lines = [
        '192.0.2.1 - - [10/Oct/2026:18:12:00 +0530] "GET / HTTP/1.1" 500 1 "-" "ua" 0.1 -',
        '192.0.2.1 - - [10/Oct/2026:18:13:59 +0530] "GET / HTTP/1.1" 500 1 "-" "ua" 0.1 -',
        timed(500, at=T0 + timedelta(minutes=55)),
        timed(500, at=T0 + timedelta(minutes=57)),
    ]
    window = report_of(tmp_path, lines).evidence["500"].window
    assert window is not None
    assert (window.start, window.count) == (T0 + timedelta(minutes=40), 2)
    assert window.times_average == pytest.approx(2 / (4 / (1 + 15 / 5)))


def test_one_minute_of_errors_is_its_own_average(tmp_path: Path) -> None:
    window = report_of(tmp_path, [timed(404) for _ in range(20)]).evidence["404"].window
    assert window is not None
    assert (window.count, window.times_average) == (20, 1.0)


@pytest.mark.parametrize("render", ["table", "markdown", "html"])
def test_a_code_entirely_in_one_window_says_so_instead_of_a_rate(tmp_path: Path, render: str) -> None:
    """ "1.0x its average rate" says nothing when every request is in the window."""
    all_at_once = write(tmp_path, [timed(404, at=T0 + timedelta(seconds=s)) for s in range(3)], "a.log")
    spread = write(tmp_path, [timed(404, at=T0 + timedelta(minutes=m)) for m in (0, 1, 30)], "b.log")

    def shown(path: Path) -> str:
        result = CliRunner().invoke(app, ["summarize", str(path), "-f", render])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    assert "all 3 within the 5 min from 2026-10-10 12:00:00 UTC" in shown(all_at_once)
    assert "average rate" not in shown(all_at_once)
    assert "busiest 5 min from 2026-10-10 12:00:00 UTC: 2 (" in shown(spread)
    zh = CliRunner().invoke(app, ["summarize", str(all_at_once), "--lang", "zh"]).stdout
    assert "全部 3 次都在 2026-10-10 12:00:00 UTC 起的 5 分钟内" in zh


# --------------------------------------------------------------------------- time window


def test_evidence_counts_only_lines_inside_the_window(tmp_path: Path) -> None:
    lines = [
        timed(404, f"0.{i + 1:03d}", request=f"GET /p{i} HTTP/1.1", at=T0 + timedelta(minutes=10 * i))
        for i in range(18)
    ]
    window = TimeWindow(T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    report = report_of(tmp_path, lines, top=1000, window=window)
    assert report.totals.parsed == 6 and report.totals.filtered == 12
    paths = [r.value for r in report.evidence["404"].top["path"]]
    assert set(paths) == {f"/p{i}" for i in range(6, 12)}
    assert sum(r.count for r in report.evidence["404"].top["client"]) == 6
    assert report.latency_overall["request_time"] == nearest_rank(list(range(7, 13)))
    assert int(report.evidence_table["count"].sum()) == 6 * len(report.evidence_table["dim"].unique())


def test_evidence_leaves_out_lines_with_a_bad_time(tmp_path: Path) -> None:
    lines = [
        timed(404, "0.100", request="GET /a HTTP/1.1"),
        timed(404, "9.000", request="GET /b HTTP/1.1").replace("/Oct/", "/Foo/"),
    ]
    report = report_of(tmp_path, lines, top=1000)
    assert report.totals.parsed == 1 and report.totals.unparsed == 1
    assert [r.value for r in report.evidence["404"].top["path"]] == ["/a"]
    assert report.latency_overall["request_time"].count == 1


def test_evidence_leaves_out_days_that_do_not_exist(tmp_path: Path) -> None:
    lines = [
        timed(404, "0.100", request="GET /a HTTP/1.1"),
        timed(404, "9.000", request="GET /b HTTP/1.1").replace("10/Oct/2026", "31/Feb/2026"),
        timed(404, "0.200", request="GET /c HTTP/1.1").replace("10/Oct/2026", "29/Feb/2028"),  # leap year
    ]
    report = report_of(tmp_path, lines, top=1000)
    assert (report.totals.parsed, report.totals.unparsed) == (2, 1)
    assert sorted(r.value for r in report.evidence["404"].top["path"]) == ["/a", "/c"]
    assert report.latency_overall["request_time"].count == 2
