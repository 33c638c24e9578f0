"""Diagnosis rules: each fires on a crafted log with its pattern and stays silent on a near miss.

Logs are written line by line (nginx_timed, or combined where latency must be absent), and the
numbers each finding states are checked against what the log was built with.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import logstat.report.findings
from logstat.cli import app
from logstat.formats import BUILTIN_FORMATS
from logstat.report import Report, build_report
from logstat.report.model import Finding
from logstat.sources import open_inputs

SAMPLES = Path(__file__).parent.parent / "sample_logs"
T0 = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 11, tzinfo=UTC)
TLS = r"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"
"""The first bytes of a TLS ClientHello as nginx logs them (escaped)."""
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def line(
    status: int | str,
    *,
    at: datetime = T0,
    path: str = "/",
    request: str | None = None,
    ip: str = "192.0.2.1",
    referer: str = "-",
    agent: str = "test-agent/1.0",
    rt: float | None = 0.01,
    up: str = "-",
    timed: bool = True,
) -> str:
    """One access-log line: nginx_timed, or combined with ``timed=False``."""
    stamp = f"{at.day:02d}/{MONTHS[at.month - 1]}/{at.year}:{at:%H:%M:%S} +0000"
    req = request if request is not None else f"GET {path} HTTP/1.1"
    text = f'{ip} - - [{stamp}] "{req}" {status} 153 "{referer}" "{agent}"'
    if timed:
        text += f" {'-' if rt is None else f'{rt:.3f}'} {up}"
    return text


def ok(count: int, *, start: datetime = T0, step: timedelta = timedelta(seconds=20), **kwargs: object) -> list[str]:
    """``count`` successful requests, one every ``step`` from ``start``."""
    return [line(200, at=start + i * step, ip=f"198.18.0.{i % 250 + 1}", **kwargs) for i in range(count)]  # type: ignore[arg-type]


def report_of(tmp_path: Path, lines: Sequence[str], *, timed: bool = True, top: int = 5) -> Report:
    path = tmp_path / "access.log"
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    fmt = BUILTIN_FORMATS["nginx_timed" if timed else "combined"]
    return build_report(open_inputs([str(path)], spool_dir=spool), log_format=fmt, spool_dir=spool, top=top, now=NOW)


def fired(report: Report, rule: str) -> list[Finding]:
    found = [f for f in report.findings if f.rule == rule]
    for f in found:
        assert f.title["en"] and f.detail["en"]
        assert CHINESE.search(f.title["zh"]) and CHINESE.search(f.detail["zh"]), f.detail["zh"]
        assert f.severity in {"info", "warning", "critical"}
    return found


def only(report: Report, rule: str) -> Finding:
    found = fired(report, rule)
    assert len(found) == 1, [f.rule for f in report.findings]
    return found[0]


# --------------------------------------------------------------------------- TLS and idle connections


@pytest.mark.parametrize(
    ("tls", "other", "share"),
    [(12, 8, "60%"), (3, 37, "8%"), (1, 4, "20%")],
    ids=["most", "three-is-enough", "a-fifth-is-enough"],
)
def test_tls_on_plain_http_fires(tmp_path: Path, tls: int, other: int, share: str) -> None:
    lines = [line(400, request=TLS, ip=f"203.0.113.{i + 1}", at=T0 + timedelta(minutes=i)) for i in range(tls)]
    lines += [line(400, path="/bad%zz", at=T0 + timedelta(minutes=i)) for i in range(other)]
    finding = only(report_of(tmp_path, [*lines, *ok(30)]), "tls_on_plain_http")
    total = tls + other
    assert finding.code == "400"
    assert finding.detail["en"].startswith(f"{tls} of {total} requests with status 400 ({share}) start with \\x16\\x03")
    assert f"状态 400 的 {total} 个请求中有 {tls} 个（{share}）" in finding.detail["zh"]


@pytest.mark.parametrize(("tls", "other"), [(2, 18), (0, 20)], ids=["below-threshold", "absent"])
def test_tls_on_plain_http_stays_silent(tmp_path: Path, tls: int, other: int) -> None:
    lines = [line(400, request=TLS) for _ in range(tls)] + [line(400, path="/bad%zz") for _ in range(other)]
    assert not fired(report_of(tmp_path, [*lines, *ok(30)]), "tls_on_plain_http")


def test_idle_connections_fire_for_408_dash_and_400_empty(tmp_path: Path) -> None:
    lines = [line(408, request="-", rt=60.0) for _ in range(5)] + [line(408, path="/slow-upload")]
    lines += [line(400, request="") for _ in range(3)]
    report = report_of(tmp_path, [*lines, *ok(20)])
    found = {f.code: f for f in fired(report, "idle_connections")}
    assert set(found) == {"400", "408"}
    idle = '5 of 6 requests with status 408 (83%) have no request line ("-" or "")'
    assert found["408"].detail["en"].startswith(idle)
    assert found["400"].detail["en"].startswith("3 of 3 requests with status 400 (100%) have no request line")
    assert "状态 408 的 6 个请求中有 5 个（83%）没有请求行" in found["408"].detail["zh"]
    assert not fired(report, "tls_on_plain_http")


def test_idle_connections_stay_silent_below_three(tmp_path: Path) -> None:
    lines = [line(408, request="-") for _ in range(2)] + [line(400, request="") for _ in range(2)]
    lines += [line(400, path="/x") for _ in range(10)]
    assert not fired(report_of(tmp_path, [*lines, *ok(20)]), "idle_connections")


# --------------------------------------------------------------------------- scanners and broken links


def test_scanner_on_probe_paths(tmp_path: Path) -> None:
    probes = ["/.env"] * 3 + ["/wp-login.php"] * 3 + ["/.git/config"] * 2
    missing = [f"/products/gone-{i}" for i in range(12)]
    lines = [
        line(404, path=p, ip=f"192.0.2.{10 + i}", at=T0 + timedelta(minutes=i)) for i, p in enumerate(probes + missing)
    ]
    finding = only(report_of(tmp_path, [*lines, *ok(40)]), "scanner")
    assert finding.code == "404"
    assert finding.detail["en"] == (
        "8 of 20 (40%) hit known probe paths (/.env, /wp-login.php, /.git/config); "
        "the top 3 clients (192.0.2.10, 192.0.2.11, 192.0.2.12) sent 15%."
    )
    assert "20 个中有 8 个（40%）" in finding.detail["zh"]


def test_scanner_from_few_clients_without_probe_paths(tmp_path: Path) -> None:
    lines = [line(401, path="/api/v1/login", ip="198.51.100.9", at=T0 + timedelta(seconds=i)) for i in range(12)]
    lines += [line(401, path="/api/v1/login", ip=f"192.0.2.{i + 1}") for i in range(8)]
    finding = only(report_of(tmp_path, [*lines, *ok(40)]), "scanner")
    assert finding.code == "401"
    assert finding.detail["en"] == (
        "0 of 20 (0%) hit known probe paths (-); the top 3 clients (198.51.100.9, 192.0.2.1, 192.0.2.2) sent 70%."
    )
    assert finding.title["en"] == "401s come from scanners, not broken links"


@pytest.mark.parametrize(
    "lines",
    [
        # 20 missing pages from 20 clients, no probe path, no referer: neither scanner nor broken links.
        [line(404, path=f"/old/{i}", ip=f"192.0.2.{i + 1}") for i in range(20)],
        # Only probes, but fewer than 10 of them.
        [line(404, path="/wp-login.php", ip="203.0.113.5") for _ in range(9)],
        # Three clients sent 75%, but only 9 requests: not enough to call them scanners.
        [line(404, path=f"/old/{i}", ip=f"203.0.113.{i % 3}") for i in range(9)]
        + [line(404, path="/old/x", ip=f"192.0.2.{i + 1}") for i in range(3)],
    ],
    ids=["spread-out", "too-few", "few-clients-too-few-requests"],
)
def test_scanner_stays_silent(tmp_path: Path, lines: list[str]) -> None:
    report = report_of(tmp_path, [*lines, *ok(40)])
    assert not fired(report, "scanner")
    assert not fired(report, "broken_links")


def _linked_404s(*, with_referer: bool) -> list[str]:
    links = [("https://www.example.com/blog", "/old-page")] * 5 + [("https://www.example.com/shop", "/gone")] * 3
    links += [("https://partner.example.net/", "/promo"), ("-", "/undefined"), ("-", "/null"), ("-", "/favicon.png")]
    return [
        line(404, path=path, referer=referer if with_referer else "-", ip=f"192.0.2.{i + 1}", timed=False)
        for i, (referer, path) in enumerate(links)
    ]


def test_broken_links(tmp_path: Path) -> None:
    report = report_of(tmp_path, [*_linked_404s(with_referer=True), *ok(40, timed=False)], timed=False)
    finding = only(report, "broken_links")
    assert finding.code == "404"
    assert finding.detail["en"] == (
        "12 requests got 404; most often from a referring page: https://www.example.com/blog -> /old-page; "
        "https://www.example.com/shop -> /gone; https://partner.example.net/ -> /promo."
    )
    assert "共有 12 个请求返回 404" in finding.detail["zh"]
    assert not fired(report, "scanner")


def test_broken_links_silent_without_referers(tmp_path: Path) -> None:
    report = report_of(tmp_path, [*_linked_404s(with_referer=False), *ok(40, timed=False)], timed=False)
    assert not fired(report, "broken_links")


def test_scanner_wins_over_broken_links(tmp_path: Path) -> None:
    lines = _linked_404s(with_referer=True)
    lines += [line(404, path="/.env", ip=f"203.0.113.{i + 1}", timed=False) for i in range(8)]
    report = report_of(tmp_path, [*lines, *ok(40, timed=False)], timed=False)
    assert only(report, "scanner").code == "404"
    assert not fired(report, "broken_links")


# --------------------------------------------------------------------------- client aborts


def test_client_aborts_slow_upstream(tmp_path: Path) -> None:
    aborted = [line(499, path="/export", rt=21.0 + i, ip=f"192.0.2.{i + 1}") for i in range(10)]
    finding = only(report_of(tmp_path, [*aborted, *ok(200, rt=0.05)]), "client_aborts")
    assert finding.code == "499"
    # 210 requests; the 499 median is the 5th of 21..30 s; the overall p95 is the 200th: 0.050 s.
    assert finding.detail["en"] == (
        "10 requests (5%) ended with 499; their median wait was 25.000 s, above the p95 of all requests "
        "(0.050 s): a slow upstream, not impatient users."
    )
    assert "是上游慢" in finding.detail["zh"] and "25.000 秒" in finding.detail["zh"]


def test_client_aborts_impatient_clients(tmp_path: Path) -> None:
    aborted = [line(499, path="/search", rt=0.2) for _ in range(10)]
    lines = [*aborted, *ok(190, rt=0.1), *ok(20, rt=3.0)]
    finding = only(report_of(tmp_path, lines), "client_aborts")
    # 220 requests: the p95 (220 * 0.95 = 209th value) falls among the twenty 3 s requests.
    assert finding.detail["en"] == (
        "10 requests (5%) ended with 499; their median wait was 0.200 s, below the p95 of all requests "
        "(3.000 s): clients with short timeouts or users leaving early."
    )
    assert "客户端超时设置过短" in finding.detail["zh"]


def test_client_aborts_without_latency_says_how_to_add_it(tmp_path: Path) -> None:
    lines = [line(499, timed=False) for _ in range(5)] + ok(95, timed=False)
    finding = only(report_of(tmp_path, lines, timed=False), "client_aborts")
    assert finding.detail["en"] == (
        "5 requests (5%) ended with 499; "
        "add $request_time to log_format to tell a slow upstream from impatient clients."
    )
    assert "$request_time" in finding.detail["zh"]


@pytest.mark.parametrize(
    ("aborted", "others", "fires"),
    [(2, 398, False), (4, 496, False), (1, 99, True), (5, 995, True)],
    ids=["0.5%", "4-of-500", "1%", "five"],
)
def test_client_aborts_threshold(tmp_path: Path, aborted: int, others: int, fires: bool) -> None:
    lines = [line(499, rt=1.0) for _ in range(aborted)] + ok(others, step=timedelta(seconds=1))
    assert bool(fired(report_of(tmp_path, lines), "client_aborts")) is fires


# --------------------------------------------------------------------------- upstream outages


def _gateway(status: int, at: datetime, i: int) -> str:
    return line(status, at=at, path=f"/page/{i}", ip=f"192.0.2.{i % 200 + 1}", up="0.001")


def test_upstream_outage_window(tmp_path: Path) -> None:
    start = T0
    lines = [_gateway(502, start + timedelta(seconds=30 * i), i) for i in range(18)]
    lines += [_gateway(504, start + timedelta(minutes=9, seconds=10 * i), i) for i in range(2)]
    lines += [_gateway(502, start - timedelta(hours=2), 90), _gateway(502, start + timedelta(hours=2), 91)]
    report = report_of(tmp_path, [*lines, *ok(300, start=start - timedelta(hours=2), step=timedelta(seconds=48))])
    finding = only(report, "upstream_outage")
    assert finding.code == "502"
    assert finding.severity == "critical"
    assert finding.detail["en"] == (
        "20 of 22 502/504 responses (91%) fall between 2026-10-10 12:00 UTC and 2026-10-10 12:09 UTC (10 min): "
        "the upstream was down or overloaded then."
    )
    assert "22 个 502/504 响应中有 20 个（91%）" in finding.detail["zh"]
    assert not fired(report, "chronic_upstream_errors")


def test_chronic_upstream_errors(tmp_path: Path) -> None:
    lines = [_gateway(502, T0 + timedelta(minutes=30 * i), i) for i in range(12)]
    report = report_of(tmp_path, [*lines, *ok(400, step=timedelta(seconds=50))])
    finding = only(report, "chronic_upstream_errors")
    assert finding.code == "502"
    assert finding.detail["en"] == (
        "12 502 responses are spread over 12 separate periods between 2026-10-10 12:00 UTC and "
        "2026-10-10 17:30 UTC: a recurring upstream problem, not one outage."
    )
    assert "12 个时段" in finding.detail["zh"]
    assert not fired(report, "upstream_outage")


@pytest.mark.parametrize(("minutes_apart", "rule"), [(3, "upstream_outage"), (4, "chronic_upstream_errors")])
def test_outage_clusters_split_after_three_quiet_minutes(tmp_path: Path, minutes_apart: int, rule: str) -> None:
    lines = [_gateway(503, T0 + timedelta(minutes=minutes_apart * i), i) for i in range(10)]
    report = report_of(tmp_path, [*lines, *ok(200)])
    assert [f.rule for f in report.findings if f.rule in {"upstream_outage", "chronic_upstream_errors"}] == [rule]


@pytest.mark.parametrize(
    "lines",
    [
        [_gateway(502, T0 + timedelta(seconds=i), i) for i in range(4)],
        [_gateway(504, T0 + timedelta(minutes=20 * i), i) for i in range(8)],
    ],
    ids=["four-together", "eight-spread-out"],
)
def test_upstream_rules_stay_silent(tmp_path: Path, lines: list[str]) -> None:
    report = report_of(tmp_path, [*lines, *ok(200)])
    assert not fired(report, "upstream_outage")
    assert not fired(report, "chronic_upstream_errors")


# --------------------------------------------------------------------------- rate limiting, 413, 5xx share


def test_rate_limited_client(tmp_path: Path) -> None:
    lines = [line(429, ip="198.51.100.77", at=T0 + timedelta(seconds=i)) for i in range(8)]
    lines += [line(429, ip="192.0.2.1"), line(429, ip="192.0.2.2")]
    finding = only(report_of(tmp_path, [*lines, *ok(50)]), "rate_limited_client")
    assert finding.code == "429"
    assert finding.detail["en"] == "8 of 10 responses with status 429 (80%) went to 198.51.100.77."
    assert "状态 429 的 10 个响应中有 8 个（80%）发给了 198.51.100.77" in finding.detail["zh"]


def test_rate_limited_client_with_503(tmp_path: Path) -> None:
    lines = [line(503, ip="198.51.100.77", at=T0 + timedelta(minutes=10 * i)) for i in range(6)]
    finding = only(report_of(tmp_path, [*lines, *ok(600)]), "rate_limited_client")
    assert finding.code == "503"
    assert finding.detail["en"] == "6 of 6 responses with status 503 (100%) went to 198.51.100.77."


@pytest.mark.parametrize(
    "lines",
    [
        [line(429, ip=f"192.0.2.{i + 1}") for i in range(10)],
        [line(429, ip="198.51.100.77") for _ in range(4)],
    ],
    ids=["many-clients", "too-few"],
)
def test_rate_limited_client_stays_silent(tmp_path: Path, lines: list[str]) -> None:
    assert not fired(report_of(tmp_path, [*lines, *ok(50)]), "rate_limited_client")


def test_body_too_large(tmp_path: Path) -> None:
    lines = [line(413, request="POST /api/upload HTTP/1.1") for _ in range(3)]
    lines.append(line(413, request="PUT /avatar HTTP/1.1"))
    finding = only(report_of(tmp_path, [*lines, *ok(20)]), "body_too_large")
    assert finding.code == "413"
    assert finding.detail["en"].startswith("4 requests got 413, mostly on /api/upload, /avatar: ")
    assert "有 4 个请求返回 413，主要在 /api/upload, /avatar" in finding.detail["zh"]


def test_body_too_large_silent_without_413(tmp_path: Path) -> None:
    lines = [line(400, request="POST /api/upload HTTP/1.1") for _ in range(3)]
    assert not fired(report_of(tmp_path, [*lines, *ok(20)]), "body_too_large")


@pytest.mark.parametrize(("errors", "severity", "share"), [(3, "warning", "1.5%"), (12, "critical", "6.0%")])
def test_high_5xx_share(tmp_path: Path, errors: int, severity: str, share: str) -> None:
    lines = [line(500, at=T0 + timedelta(minutes=7 * i), ip=f"192.0.2.{i + 1}") for i in range(errors)]
    finding = only(report_of(tmp_path, [*lines, *ok(200 - errors)]), "high_5xx_share")
    assert finding.code is None
    assert finding.severity == severity
    assert finding.detail["en"] == f"{errors} of 200 requests ({share}) ended with a 5xx status."
    assert f"200 个请求中有 {errors} 个（{share}）" in finding.detail["zh"]


def test_high_5xx_share_silent_at_one_percent(tmp_path: Path) -> None:
    lines = [line(500, at=T0 + timedelta(minutes=30 * i)) for i in range(2)]
    assert not fired(report_of(tmp_path, [*lines, *ok(198)]), "high_5xx_share")


# --------------------------------------------------------------------------- spikes


def _spike_log(code: int, *, burst: int, background: bool) -> list[str]:
    """A burst in 12:20-12:25 and, optionally, one per 10 minutes from 10:00 to 15:50."""
    start = T0 - timedelta(hours=2)
    lines = [line(code, at=start + timedelta(minutes=10 * i), path="/bg", ip=f"192.0.2.{i + 1}") for i in range(36)]
    lines = lines if background else []
    burst_start = T0 + timedelta(minutes=20)
    lines += [
        line(code, at=burst_start + timedelta(seconds=9 * i), path=f"/b{i}", ip=f"203.0.113.{i % 50 + 1}")
        for i in range(burst)
    ]
    return [*lines, *ok(500, start=start, step=timedelta(seconds=43))]


def test_spike(tmp_path: Path) -> None:
    report = report_of(tmp_path, _spike_log(404, burst=30, background=True))
    finding = only(report, "spike")
    assert finding.code == "404"
    # 31 in the window (30 + one background); 66 over 10:00-15:50 = 71 five-minute windows.
    assert finding.detail["en"] == (
        "31 responses with status 404 in the 5 minutes from 2026-10-10 12:20 UTC: 33 times its average rate."
    )
    assert "出现了 31 个状态 404 的响应，是其平均速率的 33 倍" in finding.detail["zh"]


@pytest.mark.parametrize(
    ("code", "burst", "background"),
    [(404, 30, False), (404, 8, True), (502, 30, True)],
    ids=["burst-only-no-average", "burst-too-small", "gateway-codes-are-outages"],
)
def test_spike_stays_silent(tmp_path: Path, code: int, burst: int, background: bool) -> None:
    report = report_of(tmp_path, _spike_log(code, burst=burst, background=background))
    assert not fired(report, "spike")


# --------------------------------------------------------------------------- outputs


def _write(tmp_path: Path, lines: Sequence[str]) -> Path:
    path = tmp_path / "access.log"
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path


def test_findings_in_json_and_in_both_languages(tmp_path: Path) -> None:
    lines = [line(429, ip="198.51.100.77", at=T0 + timedelta(seconds=i)) for i in range(8)]
    lines += [line(413, request="POST /api/upload HTTP/1.1"), *ok(50)]
    path = _write(tmp_path, lines)
    result = CliRunner().invoke(app, ["summarize", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["status"], f["raw"], f["severity"]) for f in findings] == [
        ("body_too_large", 413, "413", "warning"),
        ("rate_limited_client", 429, "429", "info"),
    ]
    assert (findings[1]["count"], findings[1]["total"], findings[1]["values"]) == (8, 8, ["198.51.100.77"])
    assert all(set(f) == set(findings[0]) for f in findings)
    assert findings[1]["title"] == "Rate limiting hits one client (429)"
    assert findings[1]["detail"] == "8 of 8 responses with status 429 (100%) went to 198.51.100.77."
    assert findings[0]["check"] and all(isinstance(c, str) for c in findings[0]["check"])
    zh = json.loads(CliRunner().invoke(app, ["summarize", str(path), "-f", "json", "--lang", "zh"]).stdout)
    # Most severe first.
    assert [f["rule"] for f in zh["findings"]] == ["body_too_large", "rate_limited_client"]
    assert all(CHINESE.search(f["title"]) and CHINESE.search(f["detail"]) for f in zh["findings"])


def test_findings_in_the_table(tmp_path: Path) -> None:
    lines = [line(429, ip="198.51.100.77", at=T0 + timedelta(seconds=i)) for i in range(8)] + ok(50)
    result = CliRunner().invoke(app, ["summarize", str(_write(tmp_path, lines))])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Findings" in text
    assert "Rate limiting hits one client (429)" in text
    assert "8 of 8 responses with status 429 (100%) went to" in text
    assert text.index("Findings") < text.index("Rate limiting hits one client")


def test_no_findings_on_a_healthy_log(tmp_path: Path) -> None:
    report = report_of(tmp_path, ok(100))
    assert report.findings == ()
    result = CliRunner().invoke(app, ["summarize", str(_write(tmp_path, ok(100))), "-f", "json"])
    assert json.loads(result.stdout)["findings"] == []


def test_tied_values_are_named_in_a_stable_order(tmp_path: Path) -> None:
    lines = [line(413, request=f"POST /up{i % 4} HTTP/1.1") for i in range(12)]
    lines += [line(429, ip=f"10.0.1.{i % 2}") for i in range(12)]
    report = report_of(tmp_path, [*lines, *ok(20)])
    assert only(report, "body_too_large").detail["en"].startswith("12 requests got 413, mostly on /up0, /up1, /up2:")
    # Two clients with half each: no single client is "mostly" hit.
    assert not fired(report, "rate_limited_client")


# --------------------------------------------------------------------------- sample logs

ALL_RULES = {
    "tls_on_plain_http",
    "idle_connections",
    "scanner",
    "broken_links",
    "client_aborts",
    "upstream_outage",
    "chronic_upstream_errors",
    "rate_limited_client",
    "body_too_large",
    "high_5xx_share",
    "spike",
}


def test_rule_list_matches_findings_module() -> None:
    source = Path(logstat.report.findings.__file__).read_text(encoding="utf-8")
    rules = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Finding"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert rules == ALL_RULES


def test_sample_logs_show_every_finding(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    seen: dict[str, list[str]] = {}
    for path in sorted(SAMPLES.glob("*.log")):
        report = build_report(open_inputs([str(path)], spool_dir=spool), spool_dir=spool, now=NOW)
        for finding in report.findings:
            seen.setdefault(finding.rule, []).append(path.name)
    assert set(seen) == ALL_RULES, sorted(ALL_RULES - set(seen))


def test_incidents_sample_shows_its_findings(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    report = build_report(open_inputs([str(SAMPLES / "incidents.log")], spool_dir=spool), spool_dir=spool, now=NOW)
    assert report.inputs[0].log_format.name == "nginx_timed"
    assert report.totals.unparsed == 0
    assert {f.rule for f in report.findings} == ALL_RULES - {"broken_links", "chronic_upstream_errors"}
    (aborts,) = fired(report, "client_aborts")
    assert "a slow upstream, not impatient users" in aborts.detail["en"]
    broken = build_report(open_inputs([str(SAMPLES / "broken_links.log")], spool_dir=spool), spool_dir=spool, now=NOW)
    assert broken.inputs[0].log_format.name == "combined"
    assert {"broken_links", "chronic_upstream_errors"} <= {f.rule for f in broken.findings}
