"""The tolerant fallback and JSON access logs, piece by piece (``test_variants.py`` checks whole files)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from helpers import T0, line, report_of
from typer.testing import CliRunner

from logstat.cli import app
from logstat.formats import BUILTIN_FORMATS, detect_format
from logstat.formats.detect import not_a_request
from logstat.formats.fallback import FALLBACK, client_from_lead
from logstat.formats.jsonlog import detect_json, explain_json
from logstat.parse import Reading, reading_for
from logstat.render import RenderOptions
from logstat.render.html import render_html
from logstat.render.markdown import render_markdown
from logstat.report import build_report
from logstat.sources import open_inputs

COMBINED = BUILTIN_FORMATS["combined"]
NO_IDENT = '203.0.113.7 [10/Oct/2026:10:00:00 +0000] "GET /x HTTP/1.1" 404 12'


@pytest.mark.parametrize(
    ("lead", "client"),
    [
        ("203.0.113.7 - - ", "203.0.113.7"),
        ("10.0.0.2, 10.0.0.1 - alice ", "10.0.0.2, 10.0.0.1"),
        ('"10.0.0.2, 10.0.0.1" - - ', "10.0.0.2, 10.0.0.1"),
        ("www.example.com:443 2001:db8::1 - - ", "2001:db8::1"),
        ("web-1  | 172.18.0.1 - - ", "172.18.0.1"),
        ("Oct 10 13:55:36 10.0.0.5 nginx[12]: 203.0.113.7 - - ", "203.0.113.7"),
        ("203.0.113.7:51234 ", "203.0.113.7:51234"),
        ("fe80::1%eth0 - - ", "fe80::1%eth0"),
        ("Oct 10 13:55:36 web1 nginx: ", None),  # a time of day is not an IPv6 address
        ("crawl.example.net - - ", None),  # a host name is kept out: it may be the virtual host
        ("", None),
    ],
)
def test_client_is_the_address_before_the_ident_and_user(lead: str, client: str | None) -> None:
    got = pl.select(client_from_lead(pl.lit(lead, pl.String))).item()
    assert got == client


def test_fallback_needs_the_whole_core() -> None:
    pattern = FALLBACK.pattern(["status"])  # tolerant: always the whole core, whatever is asked
    frame = pl.DataFrame(
        {
            "line": [
                NO_IDENT,
                NO_IDENT.removesuffix(" 12"),  # cut before the size
                NO_IDENT[: NO_IDENT.index(" 404")],  # cut before the status
                '2026/10/10 10:00:00 [error] 7#7: *1 open() failed, request: "GET /x HTTP/1.1", host: "a"',
                '[10-Oct-2026 10:00:00 UTC] PHP Warning:  "GET /x HTTP/1.1" 500 1',
                '203.0.113.7 [31/Feb/2026:10:00:00 +0000] "GET /x HTTP/1.1" 404 12',
            ]
        }
    )
    got = frame.select(pl.col("line").str.extract_groups(pattern).struct.field("status")).to_series().to_list()
    assert got == ["404", None, None, None, None, "404"]  # 31/Feb is refused after the match, as for every format


def test_given_format_reads_alone(tmp_path: Path) -> None:
    lines = [line(200, T0), NO_IDENT]
    detected = report_of(tmp_path, lines)
    assert detected.totals.parsed == 2
    assert {fmt.name: n for fmt, n in detected.inputs[0].read_with} == {"combined": 1, "fallback": 1}
    path = tmp_path / "given.log"
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    given = build_report(open_inputs([str(path)], spool_dir=tmp_path), log_format=COMBINED, now=T0)
    assert (given.totals.parsed, given.totals.unparsed) == (1, 1)
    assert {fmt.name: n for fmt, n in given.inputs[0].read_with} == {"combined": 1}
    assert given.unparsed_samples[0].lineno == 2


def test_reading_chain_keeps_one_kind_of_time() -> None:
    iso = detect_format(['{"time":"2026-10-10T10:00:00Z","status":200}'] * 3).log_format
    assert reading_for(iso) == Reading(iso)
    timed = BUILTIN_FORMATS["nginx_timed"]
    assert reading_for(timed, [COMBINED]).formats == (timed, COMBINED, FALLBACK)
    assert reading_for(FALLBACK).formats == (FALLBACK,)


def test_detection_keeps_the_other_formats_the_sample_showed() -> None:
    sample = [BUILTIN_FORMATS["vhost_combined"].example] * 3 + [COMBINED.example] * 2
    detection = detect_format(sample)
    assert detection.log_format.name == "vhost_combined"
    assert [f.name for f in detection.others] == ["combined"]
    assert detect_format([COMBINED.example] * 5).others == ()


def test_detection_falls_back_to_the_core() -> None:
    assert detect_format([NO_IDENT] * 3).log_format is FALLBACK
    # Some lines match an exact format: that one is the input's format, the fallback reads the rest.
    assert detect_format([NO_IDENT] * 3 + [COMBINED.example]).log_format is COMBINED


@pytest.mark.parametrize(
    ("lines", "paths"),
    [
        (
            ['{"status":"200","time_local":"10/Oct/2026:10:00:00 +0000"}'],
            {"status": '$["status"]', "time_local": '$["time_local"]'},
        ),
        (['{"msec":1791640536.123,"status":200}'], {"status": '$["status"]', "msec": '$["msec"]'}),
        (['{"ts":1791640536,"status_code":200}'], {"status": '$["status_code"]', "msec": '$["ts"]'}),
        (
            ['{"upstream":{"status":"502"},"response":{"status":504},"@timestamp":"2026-10-10T10:00:00Z"}'],
            {"status": '$["response"]["status"]', "upstream_status": '$["upstream"]["status"]',
             "time_iso8601": '$["@timestamp"]'},
        ),
    ],
)
def test_json_keys_become_fields(lines: list[str], paths: dict[str, str]) -> None:
    fmt = detect_json(lines * 2, 0.5)
    assert fmt is not None
    assert dict(fmt.json_paths) == paths


def test_json_detection_needs_a_status_on_half_the_lines() -> None:
    with_status = '{"status":200,"time":"2026-10-10T10:00:00Z"}'
    without = '{"level":"info","msg":"listening"}'
    assert detect_json([with_status, without], 0.5) is not None
    assert detect_json([with_status, without, without], 0.5) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"time_local":"10/Oct/2026:10:00:00 +0000","status":""}', 'JSON line has no status ($["status"])'),
        ('{"time_local":"10/Oct/2026:10:00:00 +0000"}', 'JSON line has no status ($["status"])'),
        ('{"status":200}', 'JSON line has no time ($["time_local"])'),
        ('{"status":200,"time_local":"10/Oct/2026:10:0', "not valid JSON (cut short, or not one object per line)"),
        ("2026/10/10 10:00:00 [error] 7#7: *1 oops", "not a JSON object"),
    ],
)
def test_json_reasons(text: str, reason: str) -> None:
    fmt = detect_json(['{"time_local":"10/Oct/2026:10:00:00 +0000","status":200}'], 0.5)
    assert fmt is not None
    assert explain_json(fmt, text) == reason


def test_json_hex_escapes_and_empty_values(tmp_path: Path) -> None:
    lines = [
        '{"time_local":"10/Oct/2026:10:00:00 +0000","status":"404","request":"GET /a\\x22b HTTP/1.1"}',
        '{"time_local":"10/Oct/2026:10:00:01 +0000","status":"","request":"GET / HTTP/1.1"}',
        '{"time_local":"10/Oct/2026:10:00:02 +0000","status":"200","request":"GET / HTTP/1.1"}',
    ]
    report = report_of(tmp_path, lines)
    assert report.inputs[0].log_format.name == "json"
    assert {row.raw: row.count for row in report.by_code} == {"404": 1, "200": 1}
    assert [(s.lineno, s.reason) for s in report.unparsed_samples] == [(2, 'JSON line has no status ($["status"])')]
    paths = [r.value for r in report.evidence["404"].top["path"]]
    assert paths == ['/a"b']


def test_terminal_header_per_input_names_what_the_fallback_read(tmp_path: Path) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text(f"{line(200, T0)}\n{NO_IDENT}\n", encoding="utf-8")
    second.write_text(f"{BUILTIN_FORMATS['nginx_timed'].example}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["summarize", str(first), str(second)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    header = " ".join(result.stdout.split("\n\n")[0].split())  # as one line, however it wraps
    a_part, b_part = header.split("a.log", 1)[1].split("b.log", 1)
    assert "(combined, detected; 2 lines, 1 line by the tolerant fallback)" in a_part
    assert "(nginx_timed, detected; 1 line)" in b_part
    zh = CliRunner().invoke(app, ["summarize", str(first), "--lang", "zh"], catch_exceptions=False)
    assert "combined (自动识别)；1 行由宽松的兜底格式读取" in zh.stdout


def test_fallback_values_stay_text_in_every_output(tmp_path: Path) -> None:
    hostile = '<b>x</b> [10/Oct/2026:10:00:00 +0000] "GET /<script>alert(1)</script> HTTP/1.1" 404 5'
    report = report_of(tmp_path, [hostile] * 3)
    assert report.inputs[0].log_format is FALLBACK
    assert "<script>" not in render_html(report, RenderOptions())
    assert "<script>" not in render_markdown(report, RenderOptions()).replace("\\<script\\>", "")
    data = json.loads(CliRunner().invoke(app, ["summarize", str(tmp_path / "access.log"), "-f", "json"]).stdout)
    assert data["inputs"][0]["read_with"] == [{"format": "fallback", "fallback": True, "lines": 3}]
    assert data["inputs"][0]["fallback_lines"] == 3


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('2026/10/10 10:00:00 [error] 7#7: *1 open() failed, request: "GET /x HTTP/1.1"', "an nginx error.log line"),
        ("web-1  | 2026/10/10 10:00:00 [notice] 1#1: nginx/1.27.2", "an nginx error.log line"),
        ('I1010 13:55:30.114360       7 main.go:205] "Creating API client"', "a Kubernetes (klog) message"),
        ('[10-Oct-2026 13:55:38] WARNING: [pool www] child 12 said into stderr: "x"', "a php-fpm message"),
        ("PHP Warning:  Undefined variable $user in /var/www/html/index.php on line 12", "a PHP message"),
        (line(200, T0), None),
    ],
)
def test_lines_other_programs_write_are_named(text: str, kind: str | None) -> None:
    assert not_a_request(text) == (None if kind is None else f"{kind}, not a request")
