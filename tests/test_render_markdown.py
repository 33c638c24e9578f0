"""Markdown: structure, escaping of hostile log text, the time view, and Chinese labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logstat.inputs import open_inputs
from logstat.render import OutputFormat, RenderOptions, format_for_path, renderer_for
from logstat.render.markdown import LABELS, escape, fence_for, render_markdown
from logstat.report import Report, build_report

markdown_it = pytest.importorskip("markdown_it")

LINE = '203.0.113.7 - - [{when}] "GET /x HTTP/1.1" {status} 512 "-" "curl/8.0"'
T0 = datetime(2026, 10, 10, 10, 0, 0, tzinfo=UTC)
HOSTILE_LINES = [
    "evil | cell | split [x](javascript:alert(1)) ![img](http://x.test/i.png)",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> &lt;b&gt;",
    "\x1b[2J\x1b[31mred\x1b[0m \x07 bell \u202e reversed",
    "```` fence breaker ``` `code` *bold* _it_ ~~strike~~",
]
HOSTILE_NAME = "acc|ess_<b>&`x`.log"


def line(status: int, when: datetime) -> str:
    """One combined-format line at ``when``."""
    return LINE.format(when=when.strftime("%d/%b/%Y:%H:%M:%S +0000"), status=status)


def report_of(tmp_path: Path, lines: list[str], name: str = "access.log") -> Report:
    """A report over ``lines`` written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return build_report(open_inputs([str(path)], spool_dir=tmp_path), now=T0)


@pytest.fixture
def hostile(tmp_path: Path) -> Report:
    good = [line(200, T0 + timedelta(minutes=i)) for i in range(12)] + [line(404, T0), line(502, T0)]
    return report_of(tmp_path, good + HOSTILE_LINES, name=HOSTILE_NAME)


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
    assert len(shapes) == 2
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
