"""Markdown: structure, escaping of hostile log text, the time view, and Chinese labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import HOSTILE_EVIDENCE, T0, line, report_of

from logstat.render import OutputFormat, RenderOptions, format_for_path, renderer_for
from logstat.render.markdown import LABELS, VALUE_LIMIT, clip, escape, escape_cell, fence_for, render_markdown
from logstat.report import NO_LATENCY, Report

markdown_it = pytest.importorskip("markdown_it")

HOSTILE_LINES = [
    "evil | cell | split [x](javascript:alert(1)) ![img](http://x.test/i.png)",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> &lt;b&gt;",
    "\x1b[2J\x1b[31mred\x1b[0m \x07 bell \u202e reversed",
    "```` fence breaker ``` `code` *bold* _it_ ~~strike~~",
]
HOSTILE_NAME = "acc|ess_<b>&`x`.log"



@pytest.fixture
def hostile(tmp_path: Path) -> Report:
    good = [line(200, T0 + timedelta(minutes=i)) for i in range(12)] + [line(404, T0), line(502, T0)]
    return report_of(tmp_path, good + HOSTILE_LINES, name=HOSTILE_NAME)


@pytest.fixture
def hostile_evidence(tmp_path: Path) -> Report:
    """Ten 404s with hostile path, referer and agent from ten clients, and five 200s."""
    bad = [HOSTILE_EVIDENCE.format(i=i) for i in range(10)]
    return report_of(tmp_path, bad + [line(200, T0 + timedelta(minutes=i)) for i in range(5)])


def to_html(markdown: str) -> str:
    """Render like a CommonMark + GFM-tables viewer that passes raw HTML through."""
    return str(markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


def table_shapes(markdown: str) -> list[list[int]]:
    """For every table, the number of cells in each row."""
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    shapes: list[list[int]] = []
    for token in tokens:
        if token.type == "table_open":
            shapes.append([])
        elif token.type == "tr_open":
            shapes[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            shapes[-1][-1] += 1
    return shapes


def test_markdown_structure(hostile: Report) -> None:
    text = render_markdown(hostile, RenderOptions())
    assert text.startswith("## HTTP status report\n")
    assert "### Requests by class" in text
    assert "### Requests by status code" in text
    assert "| 2xx | Successful | 12 | 85.7% |" in text
    assert "| Code | Reason | Count | Share | Meaning | Likely cause |" in text
    assert "| 502 | Bad Gateway | 1 | 7.1% |" in text
    assert "- **Lines:** 18 lines: 14 parsed, 4 unparsed, 0 blank" in text
    assert "Unparsed lines (first 4 of 4)" in text
    assert text.endswith("_\n")


def test_markdown_tables_keep_their_shape(hostile: Report) -> None:
    shapes = table_shapes(render_markdown(hostile, RenderOptions()))
    assert len(shapes) == 2 + 2 * 4, "class, code, and paths/clients/agents/referers of 404 and 502"
    for rows in shapes:
        assert len(set(rows)) == 1, f"a row has a different number of cells: {rows}"


def test_markdown_escapes_hostile_log_text(hostile: Report) -> None:
    text = render_markdown(hostile, RenderOptions())
    rendered = to_html(text)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "href=" not in rendered
    assert "<strong>bold" not in rendered
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "\\x1b[2J\\x1b[31mred" in text
    assert "\\u202e" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[x](javascript:alert(1))" in rendered, "the link text is shown literally"


def test_markdown_unparsed_lines_stay_in_one_code_block(hostile: Report) -> None:
    text = render_markdown(hostile, RenderOptions())
    tokens = markdown_it.MarkdownIt("commonmark").parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1
    body = fences[0].content
    for sample in ("evil | cell", "<script>alert(1)</script>", "```` fence breaker ```", "*bold* _it_"):
        assert sample in body
    assert fences[0].markup == "`````"


def test_markdown_escapes_hostile_file_names(hostile: Report) -> None:
    text = render_markdown(hostile, RenderOptions())
    assert "acc\\|ess\\_\\<b\\>\\&\\`x\\`.log" in text
    rendered = to_html(text)
    assert "<b>" not in rendered
    assert "acc|ess_&lt;b&gt;&amp;`x`.log" in rendered


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("`x`", "\\`x\\`"),
        ("<i>", "\\<i\\>"),
        ("*a* _b_", "\\*a\\* \\_b\\_"),
        ("[t](u)", "\\[t\\](u)"),
        ("a\\|b", "a\\\\\\|b"),
        ("~~s~~ &amp;", "\\~\\~s\\~\\~ \\&amp;"),
        ("line\nbreak", "line\\\\x0abreak"),
        ("plain text 1.5", "plain text 1.5"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_fence_for() -> None:
    assert fence_for("no ticks") == "```"
    assert fence_for("a ``` b") == "````"
    assert fence_for("`````") == "``````"


def test_trend_appears_with_by(hostile: Report) -> None:
    assert "Requests over time" not in render_markdown(hostile, RenderOptions())
    text = render_markdown(hostile, RenderOptions(by="minute"))
    assert "### Requests over time" in text
    assert "_per minute, 2026-10-10 10:00 → 2026-10-10 10:11 UTC, 12 periods_" in text
    assert "| 2xx | `████████████` | 1 | 12 |" in text
    assert "| 4xx | `█···········` | 1 | 1 |" in text


def test_trend_appears_for_logs_over_a_day(tmp_path: Path) -> None:
    lines = [line(200, T0), line(500, T0 + timedelta(days=2))]
    text = render_markdown(report_of(tmp_path, lines), RenderOptions())
    assert "_per hour, 2026-10-10 10:00 → 2026-10-12 10:00 UTC, 49 periods_" in text
    assert "| 5xx | `" in text


def test_long_trend_is_summed_into_marks(tmp_path: Path) -> None:
    lines = [line(200, T0 + timedelta(minutes=i)) for i in range(0, 600, 7)]
    text = render_markdown(report_of(tmp_path, lines), RenderOptions(by="minute"))
    assert "one mark per 7 periods" in text


def test_markdown_in_chinese(hostile: Report) -> None:
    text = render_markdown(hostile, RenderOptions(lang="zh", by="hour"))
    for key in ("title", "by_class", "by_code", "over_time", "trend", "inputs", "time", "count", "share"):
        assert LABELS[key]["zh"] in text
    assert "错误网关" in text
    assert "(自动识别)" in text
    english = [v["en"] for v in LABELS.values() if v["en"] != v["zh"] and "{" not in v["en"] and len(v["en"]) > 3]
    # The latency note names configuration (LogFormat, $upstream_response_time): not labels.
    text = text.replace(escape(NO_LATENCY["zh"]), "")
    leaked = [label for label in english if label in text]
    assert leaked == []


def test_every_label_has_both_languages() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == {"en", "zh"}, key
        assert texts["en"].strip(), key
        assert texts["zh"].strip(), key


def test_no_requests(tmp_path: Path) -> None:
    text = render_markdown(report_of(tmp_path, []), RenderOptions())
    assert "No requests in the input." in text
    assert "### Requests by class" not in text


def test_markdown_is_registered() -> None:
    assert format_for_path(Path("report.md")) is OutputFormat.MARKDOWN
    assert renderer_for(OutputFormat.MARKDOWN) is render_markdown


def test_input_notes_are_shown_escaped(hostile: Report) -> None:
    noted = replace(hostile, inputs=(replace(hostile.inputs[0], note="archive <b>damaged</b> at byte 10"),))
    text = render_markdown(noted, RenderOptions())
    assert "- **Note:** " in text
    assert "archive \\<b\\>damaged\\</b\\> at byte 10" in text


# --- findings, evidence, latency ------------------------------------------------------


def test_findings_follow_the_facts(timed_report: Report) -> None:
    assert {"high_5xx_share", "client_aborts", "rate_limited_client"} <= {f.rule for f in timed_report.findings}
    text = render_markdown(timed_report, RenderOptions())
    assert text.index("- **Lines:**") < text.index("### Findings") < text.index("### Requests by class")
    assert "- 🔴 **Critical: Server errors above 1%** — 6 of 100 requests (6.0%) ended with a 5xx status." in text
    assert "- 🟠 **Warning: Clients gave up before the response** — 2 requests (2%) ended with 499;" in text
    assert (
        "- 🔵 **Info: Rate limiting hits one client (429)** — 8 of 8 responses with status 429 (100%) "
        "went to 198.51.100.77." in text
    )
    assert "  - **Check:** nginx error log: `limiting requests, excess: N by zone" in text
    for finding in timed_report.findings:
        assert f"{escape(finding.title['en'])}** — {escape(finding.detail['en'])}" in text
        assert f"  - **Check:** {escape_cell(finding.check['en'][0])}" in text


def test_findings_in_chinese(timed_report: Report) -> None:
    text = render_markdown(timed_report, RenderOptions(lang="zh"))
    assert text.index("### 诊断发现") < text.index("### 按类别统计")
    assert "- 🔴 **严重：服务器错误超过 1%** — 100 个请求中有 6 个（6.0%）以 5xx 状态结束。" in text
    assert (
        "- 🔵 **提示：限流主要命中一个客户端（429）** — 状态 429 的 8 个响应中有 8 个（100%）发给了 198.51.100.77。"
        in text
    )
    for finding in timed_report.findings:
        assert escape(finding.title["zh"]) in text
        assert escape(finding.detail["zh"]) in text
        assert f"  - **检查：** {escape_cell(finding.check['zh'][0])}" in text
    assert "Server errors" not in text


def test_evidence_per_error_code(timed_report: Report) -> None:
    text = render_markdown(timed_report, RenderOptions())
    evidence = text.index("### Evidence for error codes (top 3)")
    assert text.index("### Requests by status code") < evidence < text.index("Latency in seconds")
    headings = [x for x in text.splitlines() if x.startswith("#### ")]
    assert headings[:3] == [
        "#### 429 Too Many Requests · 8 requests",
        "#### 504 Gateway Timeout · 3 requests",
        "#### 404 Not Found · 2 requests",
    ]
    assert "#### 400 Bad Request · 1 request" in headings
    assert len(headings) == len(timed_report.evidence)
    part = text[text.index("#### 429"):text.index("#### 504")]
    assert "_busiest 5 min from 2026-10-01 13:10:00 UTC: 3 (10.5× its average rate)_" in part
    paths = (
        "| Paths | Count | Share | Query strings |\n| --- | ---: | ---: | ---: |\n"
        "| /api/v1/items | 8 | 100.0% | 7 |"
    )
    assert paths in part
    assert "| Clients | Count | Share |\n| --- | ---: | ---: |\n| 198.51.100.77 | 8 | 100.0% |" in part
    assert "| python-requests/2.32.3 | 8 | 100.0% |" in part
    assert "| https://www.example.com/category/men?sort=price\\&page=1 | 1 | 33.3% |" in text


def test_latency_table(timed_report: Report) -> None:
    text = render_markdown(timed_report, RenderOptions())
    assert "### Latency in seconds (p50 / p95 / p99 / max)" in text
    head = (
        "|  | request p50 | request p95 | request p99 | request max "
        "| upstream p50 | upstream p95 | upstream p99 | upstream max |"
    )
    assert head in text
    rows = text[text.index(head):].split("\n\n")[0].splitlines()[2:]
    assert [r.split(" | ")[0] for r in rows] == ["| " + n for n in ("all", "2xx", "3xx", "4xx", "5xx")] + [
        f"| {row.raw}" for row in timed_report.by_code
    ]
    assert rows[0] == "| all | 0.007 | 3.325 | 60.007 | 60.009 | 0.037 | 60.006 | 60.009 | 60.009 |"
    assert "| 429 | 0.001 | 0.002 | 0.002 | 0.002 | - | - | - | - |" in rows
    assert "| 499 | 43.936 | 43.936 | 43.936 | 43.936 | 43.936 | 43.936 | 43.936 | 43.936 |" in rows
    zh = render_markdown(timed_report, RenderOptions(lang="zh"))
    assert "### 耗时（秒，p50 / p95 / p99 / 最大）" in zh
    assert "|  | 请求 p50 | 请求 p95 | 请求 p99 | 请求 最大 | 上游 p50 |" in zh
    assert "| 全部 | 0.007 |" in zh


def test_latency_note_without_latency_fields(common_report: Report) -> None:
    text = render_markdown(common_report, RenderOptions())
    assert f"### Latency\n\n{escape(NO_LATENCY['en'])}\n" in text
    assert "p50" not in text
    zh = render_markdown(common_report, RenderOptions(lang="zh"))
    assert f"### 耗时\n\n{escape(NO_LATENCY['zh'])}\n" in zh
    assert "### Evidence" in text, "common has paths and clients"
    assert "| Agents |" not in text, "but no user agents"


def test_new_sections_keep_table_shapes(timed_report: Report, hostile_evidence: Report) -> None:
    for report in (timed_report, hostile_evidence):
        for lang in ("en", "zh"):
            shapes = table_shapes(render_markdown(report, RenderOptions(lang=lang)))  # type: ignore[arg-type]
            assert len(shapes) > 3
            for rows in shapes:
                assert len(set(rows)) == 1, f"a row has a different number of cells: {rows}"


def test_hostile_evidence_is_escaped(hostile_evidence: Report) -> None:
    assert [f.rule for f in hostile_evidence.findings] == ["broken_links"], "the finding quotes the referer and path"
    for lang in ("en", "zh"):
        text = render_markdown(hostile_evidence, RenderOptions(lang=lang))  # type: ignore[arg-type]
        rendered = to_html(text)
        for raw in ("<script", "<img", "href=", "<a ", "src=x onerror=alert(1)>"):
            assert raw not in rendered, raw
        assert "| /\\<script\\>alert(1)\\</script\\> | 10 | 100.0% | 0 |" in text
        assert "| \\\\\"\\>\\<img src=x onerror=alert(1)\\> | 10 | 100.0% |" in text
        assert "| \\| pipe \\| \\[x\\](javascript:alert(1)) | 10 | 100.0% |" in text
        assert "<td>/&lt;script&gt;alert(1)&lt;/script&gt;</td>" in rendered
        assert "<td>\\&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>" in rendered
        assert "<td>| pipe | [x](javascript:alert(1))</td>" in rendered
        assert "| pipe | [x](javascript:alert(1)) -&gt; /&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_long_evidence_values_are_clipped() -> None:
    assert clip("a" * VALUE_LIMIT) == "a" * VALUE_LIMIT
    assert clip("a" * 5000) == "a" * VALUE_LIMIT + "…"


def test_chinese_headings_have_no_english_labels(timed_report: Report) -> None:
    text = render_markdown(timed_report, RenderOptions(lang="zh"))
    lines = text.splitlines()
    headers = [x for i, x in enumerate(lines[:-1]) if lines[i + 1].startswith("| ---")]
    headings = [x for x in lines if x.startswith("#")]
    marks = [x.split("**")[1] for x in lines if x.startswith(("- 🔴", "- 🟠", "- 🔵", "  - **"))]
    fixed = " ".join(headers + headings + marks)
    english = [v["en"] for v in LABELS.values() if v["en"] != v["zh"] and "{" not in v["en"] and len(v["en"]) > 2]
    assert [e for e in english if e in fixed] == []
    for key in ("findings", "critical", "warning", "info", "check", "path", "client", "agent", "queries_col", "max"):
        assert LABELS[key]["zh"] in fixed, key
