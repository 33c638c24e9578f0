"""HTML: a well-formed, self-contained, script-free page; escaping; the chart; size; Chinese; a real browser."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_check import PNG_SIGNATURE, dump_dom, find_chromium, page_text, screenshot
from helpers import CORPUS, HOSTILE_EVIDENCE, T0, line, report_of, require

from logstat.render import OutputFormat, RenderOptions, format_for_path, renderer_for
from logstat.render.html import SEVERITY_STYLES, render_html
from logstat.render.html_base import CSP, LABELS
from logstat.render.html_chart import MAX_BARS, fit_period, nice_ceiling, tick_indexes
from logstat.render.markdown import LABELS as DOCUMENT_LABELS
from logstat.report import NO_LATENCY, Report, build_report
from logstat.sources import open_inputs

ELASTIC = CORPUS / "elastic_apache_logs.log"
HOSTILE_LINES = [
    '<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1)',
    "\x1b[2J\x1b[31mred\x1b[0m | [x](javascript:alert(1)) \u202e",
    '" onmouseover="alert(1)" x=\' &amp; &#60;',
]
HOSTILE_NAME = "acc<b>ess\"'&.log"



VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}
SVG_LEAVES = {"rect", "path", "line"}


@pytest.fixture
def hostile(tmp_path: Path) -> Report:
    good = [line(200, T0 + timedelta(minutes=i)) for i in range(12)] + [line(404, T0), line(503, T0)]
    return report_of(tmp_path, good + HOSTILE_LINES, name=HOSTILE_NAME)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Report:
    require(ELASTIC.is_file(), f"no real-log corpus at {CORPUS}")
    spool = tmp_path_factory.mktemp("spool")
    return build_report(open_inputs([str(ELASTIC)], spool_dir=spool), now=T0)


class Page(HTMLParser):
    """Parses a page and records its elements, attributes, text and any nesting error."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID | SVG_LEAVES:
            self.errors.append(f"<{tag}/> is not a void or SVG leaf element")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def tags(self) -> set[str]:
        """Every element name on the page."""
        return {tag for tag, _ in self.elements}

    def all_text(self) -> str:
        """The text content, whitespace collapsed."""
        return " ".join(" ".join(self.text).split())


def squash(text: str) -> str:
    """``text`` without any whitespace (element boundaries add spaces to ``all_text``)."""
    return "".join(text.split())


def check_safe(text: str) -> Page:
    """Assert the page is well formed, self-contained and script free; return it parsed."""
    assert text.startswith("<!DOCTYPE html>\n<html lang=")
    page = Page(text)
    assert page.errors == []
    assert page.stack == []
    assert page.tags.isdisjoint({"script", "iframe", "object", "embed", "link", "img", "style", "form", "base"})
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}=…>"
            assert name not in {"href", "src", "srcset", "action", "xlink:href"}, f"<{tag} {name}=…>"
            assert "javascript:" not in (value or "").lower()
            assert "url(" not in (value or "").lower(), "no external resources in styles"
    assert "<script" not in text.lower()
    assert "\x1b" not in text
    csp = [a for tag, a in page.elements if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return page


def test_html_is_well_formed_and_self_contained(corpus: Report) -> None:
    text = render_html(corpus, RenderOptions(by="hour"))
    page = check_safe(text)
    assert '<html lang="en">' in text
    assert '<meta charset="utf-8">' in text
    words = page.all_text()
    for expected in ("HTTP status report", "Requests by class", "Requests by status code", "Requests over time",
                     "10,000 lines: 10,000 parsed, 0 unparsed, 0 blank", "9,126", "Not Modified", "91.7%"):
        assert expected in words


def test_html_escapes_hostile_text(hostile: Report) -> None:
    text = render_html(hostile, RenderOptions(by="minute"))
    page = check_safe(text)
    words = page.all_text()
    assert '<script>alert("x")</script> <img src=x onerror=alert(1)>' in words
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "\\x1b[2J\\x1b[31mred" in words
    assert "\\u202e" in words
    assert "\u202e" not in text
    assert '" onmouseover="alert(1)" x=\' &amp; &#60;' in words
    assert "acc<b>ess\"'&.log" in words
    assert "<b>" not in text


def test_svg_chart_only_when_asked_or_over_a_day(hostile: Report, tmp_path: Path) -> None:
    assert "<svg" not in render_html(hostile, RenderOptions())
    assert "<svg" in render_html(hostile, RenderOptions(by="minute"))
    long = report_of(tmp_path, [line(200, T0), line(500, T0 + timedelta(days=1, seconds=1))], name="long.log")
    assert "<svg" in render_html(long, RenderOptions())
    short = report_of(tmp_path, [line(200, T0), line(500, T0 + timedelta(days=1))], name="short.log")
    assert "<svg" not in render_html(short, RenderOptions())


def test_chart_has_bars_axes_and_legend(hostile: Report) -> None:
    page = check_safe(render_html(hostile, RenderOptions(by="minute")))
    svg = [(tag, attrs) for tag, attrs in page.elements if tag in ("svg", "path", "text", "rect")]
    assert svg[0][0] == "svg"
    assert svg[0][1]["role"] == "img"
    fills = [attrs["fill"] for tag, attrs in svg if tag == "path"]
    assert fills == ["#2da44e", "#d29922", "#cf222e"], "one path per class, 2xx green, 4xx amber, 5xx red"
    words = page.all_text()
    for expected in ("2xx Successful", "4xx Client Error", "5xx Server Error", "Requests / minute", "10:00", "10:05"):
        assert expected in words
    assert "Requests per minute by status class (UTC)" in words


def test_chart_bars_stack_to_the_period_total(tmp_path: Path) -> None:
    report = report_of(tmp_path, [line(200, T0)] * 3 + [line(500, T0)] + [line(200, T0 + timedelta(minutes=2))])
    text = render_html(report, RenderOptions(by="minute"))
    assert text.count('<path fill="#2da44e" d="M') == 1
    green = text.split('<path fill="#2da44e" d="')[1].split('"')[0]
    red = text.split('<path fill="#cf222e" d="')[1].split('"')[0]
    assert green.count("M") == 2, "two minutes with 2xx; the empty minute has no bar"
    assert red.count("M") == 1


def test_html_size_stays_small(corpus: Report) -> None:
    for by in ("minute", "hour", "day", None):
        size = len(render_html(corpus, RenderOptions(by=by)).encode("utf-8"))
        assert size < 60_000, f"--by {by}: {size:,} bytes"


def test_too_fine_a_period_is_coarsened(corpus: Report) -> None:
    text = render_html(corpus, RenderOptions(by="minute"))
    assert "shown per hour: per minute would need 4,981 bars" in text
    assert fit_period(corpus, "minute") == "hour"
    assert fit_period(corpus, "day") == "day"


def test_html_in_chinese(corpus: Report) -> None:
    text = render_html(corpus, RenderOptions(lang="zh", by="day"))
    page = check_safe(text)
    assert '<html lang="zh-CN">' in text
    words = page.all_text()
    for key in ("title", "by_class", "by_code", "over_time", "inputs", "format", "time", "lines", "meaning", "cause"):
        assert DOCUMENT_LABELS[key]["zh"] in words, key
    assert "按状态类别统计的每天请求数（UTC）" in words
    assert "请求数 / 天" in words
    assert "2xx 成功" in words
    english = [v["en"] for v in (*DOCUMENT_LABELS.values(), *LABELS.values()) if "{" not in v["en"]]
    # The latency note names configuration (LogFormat, $upstream_response_time): not labels.
    words = words.replace(NO_LATENCY["zh"], "")
    # Whole words only: log data on the page (a "Windows NT" agent) may contain a label's letters.
    assert [e for e in english if len(e) > 3 and re.search(rf"\b{re.escape(e)}\b", words)] == []


def test_no_requests(tmp_path: Path) -> None:
    page = check_safe(render_html(report_of(tmp_path, []), RenderOptions(by="hour")))
    assert "No requests in the input." in page.all_text()
    assert "svg" not in page.tags


@pytest.mark.parametrize(
    ("peak", "top", "step"),
    [(0, 4, 1), (3, 4, 1), (5, 5, 1), (11, 15, 5), (132, 150, 50), (1000, 1000, 200), (1001, 1250, 250),
     (9171, 10000, 2000)],
)
def test_nice_ceiling(peak: int, top: int, step: int) -> None:
    assert nice_ceiling(peak) == (top, step)


def test_tick_indexes_fall_on_round_times() -> None:
    hours = [T0 + timedelta(hours=i) for i in range(84)]
    ticks = tick_indexes(hours, "hour")
    assert len(ticks) <= 8
    assert all(hours[i].hour in (0, 12) for i in ticks)
    minutes = [T0 + timedelta(minutes=i) for i in range(12)]
    assert [minutes[i].minute for i in tick_indexes(minutes, "minute")] == [0, 5, 10]


def test_max_bars_is_sane() -> None:
    assert 100 <= MAX_BARS <= 500


def test_html_is_registered() -> None:
    assert format_for_path(Path("r.html")) is OutputFormat.HTML
    assert format_for_path(Path("R.HTM")) is OutputFormat.HTML
    assert renderer_for(OutputFormat.HTML) is render_html


# --- a real browser ------------------------------------------------------------------

BROWSER = find_chromium()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["HTTP status report", "Requests by status code", "Requests over time", "9,136", "Not Modified",
                "2xx Successful", "Requests / hour", "10,013 lines: 10,010 parsed, 3 unparsed, 0 blank",
                '<script>alert("x")</script>', "Findings", "Broken links: missing pages that other pages point to",
                "Evidence for error codes (top 5)", "404 Not Found · 213 requests", "Latency"]),
        ("zh", ["HTTP 状态码报告", "按状态码统计", "请求随时间变化", "9,136", "未修改", "2xx 成功", "请求数 / 小时",
                "共 10,013 行：已解析 10,010，未解析 3，空行 0", "诊断发现", "失效链接：被其他页面引用的缺失页面",
                "错误状态码的证据（前 5 项）", "404 未找到 · 213 个请求", "耗时"]),
    ],
)
def test_report_in_headless_chromium(tmp_path: Path, lang: str, expected: list[str]) -> None:
    require(BROWSER, "chromium is not installed (apt-get install chromium); the HTML was not checked in a browser")
    assert BROWSER is not None
    require(ELASTIC.is_file(), f"no real-log corpus at {CORPUS}")
    hostile_log = tmp_path / "hostile.log"
    good = [line(200, datetime(2015, 5, 18, 12, tzinfo=UTC))] * 10
    hostile_log.write_text("\n".join(good + HOSTILE_LINES) + "\n", encoding="utf-8")
    report = build_report(open_inputs([str(ELASTIC), str(hostile_log)], spool_dir=tmp_path), now=T0)
    page = tmp_path / f"report-{lang}.html"
    page.write_text(render_html(report, RenderOptions(lang=lang, by="hour")), encoding="utf-8")  # type: ignore[arg-type]

    shot = screenshot(BROWSER, page, tmp_path)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 5_000, "a blank page compresses to almost nothing"

    text, tags = page_text(dump_dom(BROWSER, page, tmp_path))
    for item in expected:
        assert item in text
    assert "script" not in tags
    assert {"svg", "table", "path"} <= tags


def test_input_notes_are_shown_escaped(hostile: Report) -> None:
    noted = replace(hostile, inputs=(replace(hostile.inputs[0], note="archive <b>damaged</b> at byte 10"),))
    page = check_safe(render_html(noted, RenderOptions()))
    assert "archive <b>damaged</b> at byte 10" in page.all_text()
    assert "b" not in page.tags


# --- findings, evidence, latency ------------------------------------------------------


def test_findings_are_callouts_after_the_facts(timed_report: Report) -> None:
    assert {"high_5xx_share", "client_aborts", "rate_limited_client"} <= {f.rule for f in timed_report.findings}
    text = render_html(timed_report, RenderOptions())
    words = check_safe(text).all_text()
    assert words.index("Lines") < words.index("Findings") < words.index("Requests by class")
    for finding in timed_report.findings:
        assert f"{finding.title['en']} {finding.detail['en']}" in words
        assert squash(f"Check: {finding.check['en'][0].replace('`', '')}") in squash(words)
    assert "Critical Server errors above 1% 6 of 100 requests (6.0%) ended with a 5xx status." in words
    assert (
        "Info Rate limiting hits one client (429) 8 of 8 responses with status 429 (100%) went to 198.51.100.77."
        in words
    )
    borders = [f"border-left:4px solid {SEVERITY_STYLES[f.severity][0]}" for f in timed_report.findings]
    assert [text.count(b) for b in borders] == [1, 1, 1]
    assert [text.index(b) for b in borders] == sorted(text.index(b) for b in borders)
    assert SEVERITY_STYLES["critical"][0] == "#cf222e"


def test_findings_in_chinese(timed_report: Report) -> None:
    words = check_safe(render_html(timed_report, RenderOptions(lang="zh"))).all_text()
    assert words.index("诊断发现") < words.index("按类别统计")
    assert "严重 服务器错误超过 1% 100 个请求中有 6 个（6.0%）以 5xx 状态结束。 检查： 下方各状态码及其证据" in words
    for finding in timed_report.findings:
        assert f"{finding.title['zh']} {finding.detail['zh']}" in words
        assert squash(f"检查：{finding.check['zh'][0].replace('`', '')}") in squash(words)
    for label in ("严重", "警告", "提示"):
        assert label in words
    assert "Server errors" not in words


def test_evidence_tables(timed_report: Report) -> None:
    page = check_safe(render_html(timed_report, RenderOptions()))
    words = page.all_text()
    start = words.index("Evidence for error codes (top 3)")
    assert words.index("Requests by status code") < start < words.index("Latency in seconds")
    part = words[start:words.index("504 Gateway Timeout · 3 requests")]
    assert "429 Too Many Requests · 8 requests" in part
    assert "busiest 5 min from 2026-10-01 13:10:00 UTC: 3 (10.5× its average rate)" in part
    assert "Paths Count Share Query strings /api/v1/items 8 100.0% 7" in part
    assert "Clients Count Share 198.51.100.77 8 100.0%" in part
    assert "Agents Count Share python-requests/2.32.3 8 100.0%" in part
    assert "400 Bad Request · 1 request " in words
    zh = check_safe(render_html(timed_report, RenderOptions(lang="zh"))).all_text()
    assert "429 请求过多 · 8 个请求" in zh
    assert "路径 数量 占比 查询串种数 /api/v1/items 8 100.0% 7" in zh


def test_latency_table(timed_report: Report) -> None:
    words = check_safe(render_html(timed_report, RenderOptions())).all_text()
    head = "Latency in seconds (p50 / p95 / p99 / max) request upstream p50 p95 p99 max p50 p95 p99 max"
    assert head in words
    assert f"{head} all 0.007 3.325 60.007 60.009 0.037 60.006 60.009 60.009 2xx" in words
    assert "429 0.001 0.002 0.002 0.002 - - - -" in words
    zh = check_safe(render_html(timed_report, RenderOptions(lang="zh"))).all_text()
    assert "耗时（秒，p50 / p95 / p99 / 最大） 请求 上游 p50 p95 p99 最大 p50 p95 p99 最大 全部 0.007" in zh


def test_latency_note_without_latency_fields(common_report: Report) -> None:
    for lang in ("en", "zh"):
        words = check_safe(render_html(common_report, RenderOptions(lang=lang))).all_text()  # type: ignore[arg-type]
        assert f"{DOCUMENT_LABELS['latency_title'][lang]} {NO_LATENCY[lang]}" in words
        assert "p50" not in words


def test_hostile_evidence_is_escaped(tmp_path: Path) -> None:
    bad = [HOSTILE_EVIDENCE.format(i=i) for i in range(10)]
    report = report_of(tmp_path, bad + [line(200, T0 + timedelta(minutes=i)) for i in range(5)])
    assert [f.rule for f in report.findings] == ["broken_links"], "the finding quotes the referer and path"
    for lang in ("en", "zh"):
        text = render_html(report, RenderOptions(lang=lang))  # type: ignore[arg-type]
        page = check_safe(text)
        assert "img" not in page.tags
        words = page.all_text()
        assert "/<script>alert(1)</script> 10 100.0% 0" in words
        assert '\\"><img src=x onerror=alert(1)> 10 100.0%' in words
        assert "| pipe | [x](javascript:alert(1)) 10 100.0%" in words
        assert "| pipe | [x](javascript:alert(1)) -> /<script>alert(1)</script>" in words
        assert "\\&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in text


def test_html_with_evidence_stays_small(timed_report: Report, corpus: Report) -> None:
    corpus_size = len(render_html(corpus, RenderOptions(by="hour")).encode("utf-8"))
    assert "Evidence for error codes" in render_html(corpus, RenderOptions(by="hour"))
    assert corpus_size < 60_000, f"{corpus_size:,} bytes"
    # A small log with many error codes: nine codes, four evidence tables each, 19 latency rows.
    timed_size = len(render_html(timed_report, RenderOptions(lang="zh")).encode("utf-8"))
    assert timed_size < 80_000, f"{timed_size:,} bytes"
