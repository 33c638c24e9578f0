"""The live screen and the ``--plain`` line: pure functions of a :class:`Screen`.

Every value from a log (paths, clients, statuses, file names) goes through
:func:`~logstat.text.visible` into a :class:`rich.text.Text`, never into markup, and each item
takes one line (cut with ``…``), so a hostile log cannot move the cursor or fill the screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from logstat.live.window import ClassCounts, View
from logstat.registry import Lang, class_name
from logstat.render.spark import sparkline
from logstat.render.table import CLASS_STYLES
from logstat.render.text import first_sentence, percent
from logstat.report.model import CLASS_ORDER, Report
from logstat.tally.dimensions import ERROR_STATUS
from logstat.text import visible

SORTS = ("count", "code", "change")
"""What ``s`` cycles the code table through."""

KEYS: dict[Lang, tuple[tuple[str, str], ...]] = {
    "en": (
        ("q", "quit"), ("p", "pause the display (reading goes on)"), ("s", "sort the codes: count, code, change"),
        ("w / W", "next / previous window"), ("1-{n}", "window {windows}"),
        ("z", "reset the counts"), ("?", "show or hide these keys"), ("Ctrl-C", "quit (exit code 130)"),
    ),
    "zh": (
        ("q", "退出"), ("p", "暂停显示（继续读取）"), ("s", "状态码排序：数量、代码、变化"),
        ("w / W", "下一个 / 上一个时间窗口"), ("1-{n}", "时间窗口 {windows}"),
        ("z", "清零计数"), ("?", "显示或隐藏按键说明"), ("Ctrl-C", "退出（退出码 130）"),
    ),
}

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"en": "logstat top", "zh": "logstat top"},
    "colon": {"en": ": ", "zh": "："},
    "window": {"en": "window {name} ({seconds} s)", "zh": "时间窗口 {name}（{seconds} 秒）"},
    "since": {"en": "since start", "zh": "自启动以来"},
    "paused": {"en": "PAUSED (reading goes on; p resumes)", "zh": "已暂停（仍在读取；按 p 继续）"},
    "rates": {"en": "Requests/s", "zh": "每秒请求"},
    "now": {"en": "now", "zh": "当前"},
    "avg": {"en": "window", "zh": "窗口"},
    "trend": {"en": "trend over the window", "zh": "窗口内趋势"},
    "all": {"en": "all", "zh": "全部"},
    "lines": {
        "en": "Lines in the window: {parsed:,} parsed, {unparsed:,} unparsed, {blank:,} blank",
        "zh": "窗口内的行：已解析 {parsed:,}，未解析 {unparsed:,}，空行 {blank:,}",
    },
    "example": {"en": "unparsed, e.g.: {text}", "zh": "未解析示例：{text}"},
    "code": {"en": "Code", "zh": "状态码"},
    "count": {"en": "Count", "zh": "数量"},
    "share": {"en": "Share", "zh": "占比"},
    "rate": {"en": "Rate/s", "zh": "每秒"},
    "change": {"en": "Change", "zh": "变化"},
    "meaning": {"en": "Meaning", "zh": "含义"},
    "sorted": {"en": "sorted by {sort}", "zh": "按{sort}排序"},
    "count_sort": {"en": "count", "zh": "数量"},
    "code_sort": {"en": "code", "zh": "代码"},
    "change_sort": {"en": "change", "zh": "变化"},
    "new": {"en": "new", "zh": "新出现"},
    "top_path": {"en": "top path", "zh": "最多的路径"},
    "top_client": {"en": "top client", "zh": "最多的客户端"},
    "latency": {"en": "Latency (s)", "zh": "耗时（秒）"},
    "request_time": {"en": "request", "zh": "请求"},
    "upstream_response_time": {"en": "upstream", "zh": "上游"},
    "findings": {"en": "Findings", "zh": "诊断发现"},
    "no_requests": {"en": "No requests in the window yet.", "zh": "窗口内还没有请求。"},
    "keys": {
        "en": "q quit · p pause · s sort · w window · z reset · ? keys",
        "zh": "q 退出 · p 暂停 · s 排序 · w 时间窗口 · z 清零 · ? 按键",
    },
    "waiting": {"en": "{name}: waiting for the file to appear again", "zh": "{name}：等待文件重新出现"},
    "ended": {"en": "{name}: input ended", "zh": "{name}：输入已结束"},
    "undetected": {"en": "{name}: format not found yet ({why})", "zh": "{name}：尚未识别格式（{why}）"},
    "rotated": {"en": "{name} rotated at {when}", "zh": "{name} 于 {when} 轮转"},
    "truncated": {"en": "{name} truncated at {when}", "zh": "{name} 于 {when} 被截断"},
    "created": {"en": "{name} created at {when}", "zh": "{name} 于 {when} 创建"},
    "removed": {"en": "{name} removed at {when}", "zh": "{name} 于 {when} 被移走"},
}


def label(key: str, lang: Lang, **values: object) -> str:
    """A fixed text of the screen in ``lang``."""
    return LABELS[key][lang].format(**values)


@dataclass(frozen=True)
class Screen:
    """Everything one frame of the live view shows."""

    now: datetime
    lang: Lang
    window_name: str | None
    """``1m`` ... ``1h``; None for since start."""
    interval: float
    """Seconds per interval."""
    view: View
    report: Report | None
    last: ClassCounts
    """Requests per class in the last count (of ``last_seconds``)."""
    last_seconds: float = 1.0
    previous: dict[str, float] | None = None
    """Requests per second per status in the window before (None before there is one)."""
    inputs: tuple[str, ...] = ()
    """One line per input: its name and format."""
    notes: tuple[str, ...] = ()
    """What happened to the inputs (rotations, waiting, formats not found)."""
    windows: tuple[str, ...] = ("1m", "5m", "15m", "1h", "since start")
    """The windows the keys choose from, in order."""
    sort: str = "count"
    paused: bool = False
    show_keys: bool = False
    width: int = 80
    height: int = 24


def _line(text: str, style: str = "") -> Text:
    return Text(visible(text), style=style, no_wrap=True, overflow="ellipsis")


def _seconds(screen: Screen) -> float:
    return max(screen.view.intervals, 1) * screen.interval


def render(screen: Screen) -> RenderableType:
    """The whole screen, one item per line, cut to ``screen.height`` lines."""
    lang = screen.lang
    name = screen.window_name or label("since", lang)
    seconds = screen.view.intervals * screen.interval
    shown = f"{seconds:,.0f}" if seconds == int(seconds) else f"{seconds:,.1f}"
    head = f"{label('title', lang)} · {label('window', lang, name=name, seconds=shown)} · "
    head += f"{screen.now:%Y-%m-%d %H:%M:%S} UTC"
    parts: list[RenderableType] = [_line(head, "bold")]
    if screen.paused:
        parts.append(_line(label("paused", lang), "reverse"))
    parts += [_line(text) for text in screen.inputs]
    parts += [_line(text, "yellow") for text in screen.notes]
    if screen.show_keys:
        names = [label("since", lang) if n == "since start" else n for n in screen.windows]
        listed = (", " if lang == "en" else "、").join(names)
        for key, what in KEYS[lang]:
            key_shown = key.format(n=len(names))
            parts.append(_line(f"{key_shown:<8} {what.format(windows=listed)}"))
        return Group(*parts)
    parts += _rates(screen)
    report = screen.report
    if report is None or not report.by_code:
        parts.append(_line(label("no_requests", lang)))
    else:
        totals = report.totals
        parts.append(_line(label("lines", lang, parsed=totals.parsed, unparsed=totals.unparsed, blank=totals.blank)))
        if report.unparsed_samples:
            parts.append(_line(label("example", lang, text=report.unparsed_samples[0].text), "dim"))
        tail = [*_errors(report, lang), *_latency(report, lang), *_findings(report, lang)]
        room = screen.height - len(parts) - len(tail) - 3  # the codes' two heading lines, the keys line
        parts += _codes(screen, report, max(3, room))
        parts += tail
    parts.append(_line(label("keys", lang), "dim"))
    return Group(*parts)


Cell = tuple[str, str]
"""A cell's text and style."""


def columns(rows: list[list[Cell]], right: set[int], width: int) -> list[Text]:
    """Rows of cells as aligned lines: each column as wide as its widest cell, ``right`` ones
    aligned right, the last one cut at ``width``. Plain lines of text draw much faster than
    rich tables, and the screen is drawn every second."""
    widths = [max(cell_len(row[i][0]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    lines = []
    for row in rows:
        line = Text(no_wrap=True, overflow="ellipsis")
        for i, (text, style) in enumerate(row):
            pad = " " * (widths[i] - cell_len(text)) if i < len(row) - 1 or i in right else ""
            cell = pad + text if i in right else text + pad
            line.append(cell, style=style)
            if i < len(row) - 1:
                line.append("  ")
        line.truncate(width, overflow="ellipsis")
        lines.append(line)
    return lines


def _rates(screen: Screen) -> list[Text]:
    lang = screen.lang
    seconds = _seconds(screen)
    points = screen.view.points
    spans = screen.view.point_intervals
    totals = [sum(p[i] for p in points) for i in range(len(CLASS_ORDER))]
    series = [(label("all", lang), sum(screen.last), sum(totals), [sum(p) for p in points], "bold")]
    series += [
        (cls, screen.last[i], totals[i], [p[i] for p in points], CLASS_STYLES.get(cls, ""))
        for i, cls in enumerate(CLASS_ORDER)
        if totals[i] or screen.last[i]
    ]
    header = [(label(key, lang), "bold") for key in ("rates", "now", "avg", "trend")]
    rows = [
        [(name, style), (_rate(last / screen.last_seconds), ""), (_rate(total / seconds), ""), ("", style)]
        for name, last, total, _, style in series
    ]
    lines = columns([header, *rows], {1, 2}, screen.width)
    room = max(10, screen.width - lines[0].cell_len + cell_len(header[-1][0]))
    for line, (_, _, _, counts, style) in zip(lines[1:], series, strict=True):
        rates = [round(1000 * count / span) for count, span in zip(counts, spans, strict=True)]
        line.append(sparkline(rates, room), style=style)
    return lines


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 1 else f"{value:.2f}"


def change(now: float, before: float | None) -> str:
    """``+12%``, ``-40%``, ``new`` or ``-`` (no window before), from two rates."""
    if before is None:
        return "-"
    if before == 0:
        return "new" if now else "-"
    return f"{now / before - 1:+.0%}"


def _codes(screen: Screen, report: Report, rows: int) -> list[Text]:
    lang = screen.lang
    seconds = _seconds(screen)
    previous = screen.previous

    def before(raw: str) -> float | None:
        return None if previous is None else previous.get(raw, 0.0)

    def growth(raw: str, count: int) -> float:
        old = before(raw)
        return float("inf") if not old else count / seconds / old

    codes = list(report.by_code)
    if screen.sort == "code":
        codes.sort(key=lambda row: row.raw)
    elif screen.sort == "change":
        codes.sort(key=lambda row: (-growth(row.raw, row.count), -row.count, row.raw))
    header = [(label(key, lang), "bold") for key in ("code", "count", "share", "rate", "change", "meaning")]
    table = [header]
    for row in codes[:rows]:
        reason, text, _ = report.explain(row, lang)
        rate = row.count / seconds
        shown = change(rate, before(row.raw))
        table.append([
            (visible(row.raw), CLASS_STYLES.get(class_name(row.raw), "")),
            (f"{row.count:,}", ""),
            (percent(row.share), ""),
            (_rate(rate), ""),
            (label("new", lang) if shown == "new" else shown, ""),
            (visible(f"{reason}{label('colon', lang)}{first_sentence(text.meaning)}"), ""),
        ])
    sorted_by = label("sorted", lang, sort=label(f"{screen.sort}_sort", lang))
    return [Text(sorted_by, style="dim", justify="right"), *columns(table, {1, 2, 3, 4}, screen.width)]


def _errors(report: Report, lang: Lang) -> list[Text]:
    """The top path and client of the three most frequent error codes, one line each."""
    lines = []
    errors = [row for row in report.by_code if row.raw in report.evidence][:3]
    for row in errors:
        top = report.evidence[row.raw].top
        parts = [visible(row.raw)]
        for dim, key in (("path", "top_path"), ("client", "top_client")):
            ranked = top.get(dim) or []
            if ranked:
                parts.append(f"{label(key, lang)} {visible(ranked[0].value)} {percent(ranked[0].share)}")
        if len(parts) > 1:
            lines.append(_line(" · ".join(parts)))
    return lines


def _latency(report: Report, lang: Lang) -> list[Text]:
    overall = report.latency_overall
    if not overall:
        return []
    parts = [
        f"{label(dim, lang)} p50 {p.p50:.3f} p95 {p.p95:.3f} p99 {p.p99:.3f}"
        for dim in report.latency_dims
        if (p := overall.get(dim)) is not None
    ]
    return [_line(f"{label('latency', lang)}  " + " · ".join(parts))] if parts else []


def _findings(report: Report, lang: Lang) -> list[Text]:
    marks = {"critical": "!!", "warning": "! ", "info": "i "}
    styles = {"critical": "bold red", "warning": "yellow", "info": ""}
    found = [
        _line(f"{marks[f.severity]} {f.title[lang]}: {f.detail[lang]}", styles[f.severity]) for f in report.findings
    ]
    return [_line(label("findings", lang), "bold"), *found[:5]] if found else []


def plain_line(when: datetime, interval: ClassCounts, unparsed: int, top_error: tuple[str, int] | None) -> str:
    """One ``--plain`` line: the interval's end (UTC), its requests, per class, unparsed lines, top error code.

    ``2026-10-10T12:00:01Z requests=812 1xx=0 2xx=700 3xx=50 4xx=60 5xx=2 other=0 unparsed=0 top_error=404:41``
    """
    classes = " ".join(f"{name}={count}" for name, count in zip(CLASS_ORDER, interval, strict=True))
    top = "-" if top_error is None else f"{visible(top_error[0])}:{top_error[1]}"
    return f"{when:%Y-%m-%dT%H:%M:%SZ} requests={sum(interval)} {classes} unparsed={unparsed} top_error={top}"


def top_error(by_status: list[tuple[str, int]]) -> tuple[str, int] | None:
    """The most frequent 4xx/5xx status of (status, count) pairs sorted most frequent first."""
    return next(((raw, count) for raw, count in by_status if re.match(ERROR_STATUS, raw)), None)
