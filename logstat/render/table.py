"""The terminal report: rich tables, or plain aligned text when colour is off.

Every value that comes from a log is wrapped in ``Text`` after :func:`visible`, so a path
like ``/a[/b]`` is never read as rich markup and no control character reaches the terminal.
"""

from __future__ import annotations

import io
from datetime import datetime

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from logstat.formats.builtins import UNDETECTED
from logstat.registry import Lang
from logstat.render import RenderOptions
from logstat.render import compare_table as compare
from logstat.render.spark import sparkline
from logstat.render.text import first_sentence, percent
from logstat.report.evidence import Ranked
from logstat.report.model import CLASS_ORDER, NO_LATENCY, CodeEvidence, Report, Totals
from logstat.report.series import class_series
from logstat.text import visible

LABELS: dict[str, dict[Lang, str]] = {
    "inputs": {"en": "Inputs", "zh": "输入"},
    "format": {"en": "Format", "zh": "日志格式"},
    "time": {"en": "Time range", "zh": "时间范围"},
    "lines": {"en": "Lines", "zh": "行数"},
    "accounting": {"en": "{lines} lines: {parts}", "zh": "共 {lines} 行：{parts}"},
    "accounting_one": {"en": "1 line: {parts}", "zh": "共 1 行：{parts}"},
    "parsed": {"en": "{n} parsed", "zh": "已解析 {n}"},
    "filtered": {"en": "{n} outside the time window", "zh": "时间窗口外 {n}"},
    "unparsed_n": {"en": "{n} unparsed", "zh": "未解析 {n}"},
    "blank": {"en": "{n} blank", "zh": "空行 {n}"},
    "separator": {"en": ", ", "zh": "，"},
    "note": {"en": "Note", "zh": "注意"},
    "no_time": {"en": "no timestamps in this format", "zh": "此格式不含时间"},
    "none_in_window": {"en": "no requests in the time window", "zh": "时间窗口内没有请求"},
    "none": {"en": "no requests", "zh": "没有请求"},
    "window": {"en": "Window", "zh": "时间窗口"},
    "detected": {"en": "detected", "zh": "自动识别"},
    "given": {"en": "given", "zh": "指定"},
    "mixed": {"en": "mixed: {names}", "zh": "混合：{names}"},
    "input_lines": {"en": "{n:,} lines", "zh": "{n:,} 行"},
    "input_line": {"en": "1 line", "zh": "1 行"},
    "undetected": {"en": "no format matched", "zh": "未识别格式"},
    "by_class": {"en": "Requests by class", "zh": "按类别统计"},
    "by_code": {"en": "Requests by status code", "zh": "按状态码统计"},
    "class": {"en": "Class", "zh": "类别"},
    "code": {"en": "Code", "zh": "状态码"},
    "reason": {"en": "Reason", "zh": "原因短语"},
    "count": {"en": "Count", "zh": "数量"},
    "share": {"en": "Share", "zh": "占比"},
    "meaning": {"en": "Meaning", "zh": "含义"},
    "cause": {"en": "Likely cause", "zh": "可能原因"},
    "unparsed": {"en": "Unparsed lines (first {n} of {total})", "zh": "未解析的行（{total} 行中的前 {n} 行）"},
    "where": {"en": "Where", "zh": "位置"},
    "why": {"en": "Why", "zh": "原因"},
    "line": {"en": "Line", "zh": "内容"},
    "unregistered": {"en": "unregistered", "zh": "未注册"},
    "no_requests": {"en": "No requests in the input.", "zh": "输入中没有请求。"},
    "no_requests_in_window": {
        "en": "No requests in the time window: all {n:,} requests fall outside it.",
        "zh": "时间窗口内没有请求：全部 {n:,} 个请求都在窗口之外。",
    },
    "findings": {"en": "Findings", "zh": "诊断发现"},
    "detail": {"en": "What the log shows", "zh": "日志显示"},
    "check": {"en": "Check", "zh": "检查"},
    "evidence": {"en": "Evidence for error codes (top {top})", "zh": "错误状态码的证据（前 {top} 项）"},
    "busiest": {
        "en": "busiest {minutes} min from {start}: {count:,} ({times:.1f}× its average rate)",
        "zh": "最集中的 {minutes} 分钟从 {start} 开始：{count:,} 次（平均速率的 {times:.1f} 倍）",
    },
    "busiest_all": {
        "en": "all {count:,} within the {minutes} min from {start}",
        "zh": "全部 {count:,} 次都在 {start} 起的 {minutes} 分钟内",
    },
    "queries": {"en": "{n} query strings", "zh": "{n} 种查询串"},
    "query": {"en": "1 query string", "zh": "1 种查询串"},
    "evidence_col": {"en": "Evidence", "zh": "证据"},
    "latency": {"en": "Latency in seconds (p50 / p95 / p99 / max)", "zh": "耗时（秒，p50 / p95 / p99 / 最大）"},
    "all": {"en": "all", "zh": "全部"},
    "path": {"en": "paths", "zh": "路径"},
    "client": {"en": "clients", "zh": "客户端"},
    "agent": {"en": "agents", "zh": "用户代理"},
    "vhost": {"en": "hosts", "zh": "虚拟主机"},
    "service": {"en": "services", "zh": "服务"},
    "referer": {"en": "referers", "zh": "来源页"},
    "upstream": {"en": "upstreams", "zh": "上游"},
    "upstream_status": {"en": "upstream status", "zh": "上游状态"},
    "request_time": {"en": "request", "zh": "请求"},
    "upstream_response_time": {"en": "upstream", "zh": "上游"},
    "over_time": {"en": "Requests per {period}, {start} → {end} UTC", "zh": "每{period}请求数，{start} → {end} UTC"},
    "trend": {"en": "Trend", "zh": "趋势"},
    "peak": {"en": "Peak", "zh": "峰值"},
    "minute": {"en": "minute", "zh": "分钟"},
    "hour": {"en": "hour", "zh": "小时"},
    "day": {"en": "day", "zh": "天"},
}
"""Every fixed label of the table, in both languages."""


def _label(key: str, lang: Lang, **values: object) -> str:
    return LABELS[key][lang].format(**values)


def busiest_text(found: CodeEvidence, total: int, lang: Lang) -> str | None:
    """The busiest-window sentence of a code with ``total`` requests, or ``None`` for one request.

    When every request of the code falls in that window, a rate against the average would
    read 1.0×; the sentence says that they all came within those minutes instead.
    """
    w = found.window
    if w is None or w.count <= 1:
        return None
    key = "busiest_all" if w.count == total else "busiest"
    return _label(key, lang, minutes=w.minutes, start=when(w.start), count=w.count, times=w.times_average)


def when(moment: datetime | None) -> str:
    """``2015-05-17 10:05:00 UTC``, or ``-`` without a time."""
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def format_label(report: Report, lang: Lang) -> str:
    """The log format name with ``(detected)``/``(given)``, or ``mixed: a, b``, in ``lang``."""
    names = list(dict.fromkeys(i.log_format.name for i in report.inputs))
    if len(names) != 1:
        return _label("mixed", lang, names=", ".join(names))
    how = "detected" if all(i.detected for i in report.inputs) else "given"
    return f"{names[0]} ({_label(how, lang)})"


def time_span(report: Report, lang: Lang) -> str:
    """``first → last`` in UTC or, when there is none, why: no time in the format, or none in the window."""
    if report.first is not None:
        return f"{when(report.first)} → {when(report.last)}"
    if not any(i.log_format.time_field for i in report.inputs):
        return _label("no_time", lang)
    return _label("none_in_window" if report.totals.filtered else "none", lang)


def window_span(report: Report) -> str | None:
    """The ``--since``/``--until`` window as ``≥ since, < until`` in UTC; None without one."""
    window = report.window
    ends = [f"≥ {when(window.since)}" if window.since else "", f"< {when(window.until)}" if window.until else ""]
    return ", ".join(end for end in ends if end) or None


def no_requests(report: Report, lang: Lang) -> str:
    """What to say instead of the tables when no request was counted."""
    if report.totals.filtered:
        return _label("no_requests_in_window", lang, n=report.totals.filtered)
    return _label("no_requests", lang)


def build_tables(report: Report, options: RenderOptions) -> Group:
    """Build the report as one renderable: header, findings, class and code tables, evidence,
    latency, the trend with ``--by``, and unparsed samples."""
    lang = options.lang
    frame = box.SIMPLE_HEAD if options.color else None
    parts: list[RenderableType] = [_header(report, lang)]
    if report.findings:
        parts.append(_findings_table(report, lang, frame))
    if report.by_code:
        parts += [_class_table(report, lang, frame), _code_table(report, lang, frame)]
    else:
        parts.append(Text(no_requests(report, lang)))
    if report.evidence:
        parts.append(_evidence_table(report, lang, frame))
    parts.append(_latency_part(report, lang, frame))
    if report.by_code and options.by is not None:
        trend = _series_view(report, options, frame)
        if trend is not None:
            parts.append(trend)
    if report.unparsed_samples:
        parts.append(_samples_table(report, lang, frame))
    return Group(*parts)


CLASS_STYLES = {"1xx": "magenta", "2xx": "green", "3xx": "blue", "4xx": "yellow", "5xx": "red", "other": "dim"}


def _series_view(report: Report, options: RenderOptions, frame: box.Box | None) -> Group | None:
    """A title and one sparkline per status class over the ``--by`` periods (``·`` = no requests)."""
    if options.by is None:
        return None
    lang = options.lang
    series = class_series(report.minutes, options.by, report.first, report.last)
    if series.is_empty():
        return None
    starts = series["period_start"].unique().sort()
    title = _label(
        "over_time", lang, period=_label(options.by, lang),
        start=f"{starts[0]:%Y-%m-%d %H:%M}", end=f"{starts[-1]:%Y-%m-%d %H:%M}",
    )
    table = _table("", frame)
    table.add_column(_label("class", lang), no_wrap=True)
    table.add_column(_label("trend", lang), no_wrap=True, overflow="crop")
    table.add_column(_label("peak", lang), justify="right", no_wrap=True)
    table.add_column(_label("count", lang), justify="right", no_wrap=True)
    width = max(10, options.width - 30)
    for (name,), part in series.group_by("class", maintain_order=True):
        counts = [int(c) for c in part.sort("period_start")["count"]]
        spark = Text(sparkline(counts, width), style=CLASS_STYLES.get(str(name), ""))
        table.add_row(Text(str(name)), spark, Text(f"{max(counts):,}"), Text(f"{sum(counts):,}"))
    return Group(Text(title, style="bold"), table)


def _header(report: Report, lang: Lang) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    if len(report.inputs) == 1 or len({i.log_format.name for i in report.inputs}) == 1:
        names = ", ".join(visible(i.name) for i in report.inputs)
        grid.add_row(_label("inputs", lang), Text(names))
        grid.add_row(_label("format", lang), Text(format_label(report, lang)))
    else:
        for i, summary in enumerate(report.inputs):
            n = summary.totals.lines
            lines = _label("input_line", lang) if n == 1 else _label("input_lines", lang, n=n)
            if summary.log_format is UNDETECTED:
                line = f"{visible(summary.name)} ({_label('undetected', lang)}; {lines})"
            else:
                how = _label("detected" if summary.detected else "given", lang)
                line = f"{visible(summary.name)} ({summary.log_format.name}, {how}; {lines})"
            grid.add_row(_label("inputs", lang) if i == 0 else "", Text(line))
    grid.add_row(_label("time", lang), Text(time_span(report, lang)))
    window = window_span(report)
    if window is not None:
        grid.add_row(_label("window", lang), Text(window))
    grid.add_row(_label("lines", lang), Text(accounting(report.totals, lang)))
    for summary in report.inputs:
        if summary.note:
            grid.add_row(_label("note", lang), Text(visible(f"{summary.name}: {summary.note}")))
    for note in report.notes:
        grid.add_row(_label("note", lang), Text(note[lang]))
    for key, line in compare.header_lines(report, lang):
        grid.add_row(key, Text(line))
    return grid


def accounting(totals: Totals, lang: Lang) -> str:
    """``"10 lines: 8 parsed, 2 unparsed, 0 blank"``; the filtered count only when there is one."""
    parts = [_label("parsed", lang, n=f"{totals.parsed:,}")]
    if totals.filtered:
        parts.append(_label("filtered", lang, n=f"{totals.filtered:,}"))
    parts += [_label("unparsed_n", lang, n=f"{totals.unparsed:,}"), _label("blank", lang, n=f"{totals.blank:,}")]
    key = "accounting_one" if totals.lines == 1 else "accounting"
    return _label(key, lang, lines=f"{totals.lines:,}", parts=_label("separator", lang).join(parts))


def _table(title: str, frame: box.Box | None) -> Table:
    # At least as wide as its title: rich wraps a title to the table's width.
    return Table(
        title=title, title_justify="left", box=frame, show_edge=False, pad_edge=False,
        header_style="bold", title_style="bold", min_width=cell_len(title),
    )


def _class_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(_label("by_class", lang), frame)
    table.add_column(_label("class", lang), no_wrap=True)
    table.add_column(_label("meaning", lang))
    table.add_column(_label("count", lang), justify="right", no_wrap=True)
    table.add_column(_label("share", lang), justify="right", no_wrap=True)
    compared = compare.add_columns(table, report, lang)
    for row in report.by_class:
        cls = report.registry.classes[row.name]
        table.add_row(
            Text(row.name), Text(cls.label[lang]), Text(f"{row.count:,}"), Text(percent(row.share)),
            *compare.cells(report, "class", row.name, lang, compared),
        )
    return table


def _code_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(_label("by_code", lang), frame)
    table.add_column(_label("code", lang), no_wrap=True)
    table.add_column(_label("reason", lang), ratio=2, overflow="fold")
    table.add_column(_label("count", lang), justify="right", no_wrap=True)
    table.add_column(_label("share", lang), justify="right", no_wrap=True)
    table.add_column(_label("meaning", lang), ratio=4, overflow="fold")
    table.add_column(_label("cause", lang), ratio=4, overflow="fold")
    compared = compare.add_columns(table, report, lang)
    for row in report.by_code:
        reason, text, registered = report.explain(row, lang)
        if not registered:
            reason = f"{reason} ({_label('unregistered', lang)})" if row.class_name != "other" else reason
        table.add_row(
            Text(visible(row.raw)),
            Text(reason),
            Text(f"{row.count:,}"),
            Text(percent(row.share)),
            Text(first_sentence(text.meaning)),
            Text(text.causes[0] if text.causes else "-"),
            *compare.cells(report, "code", row.raw, lang, compared),
        )
    return table


def _findings_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(_label("findings", lang), frame)
    table.add_column("", no_wrap=True)
    table.add_column(_label("detail", lang), ratio=3, overflow="fold")
    table.add_column(_label("check", lang), ratio=2, overflow="fold")
    marks = {"critical": "!!", "warning": "!", "info": "i"}
    for finding in report.findings:
        text = Text(finding.title[lang], style="bold")
        text.append("\n" + visible(finding.detail[lang]), style="")
        check = finding.check[lang][0] if finding.check[lang] else "-"
        table.add_row(Text(marks.get(finding.severity, "")), text, Text(check))
    return table


def describe_ranked(dim: str, ranked: list[Ranked], lang: Lang) -> str:
    """``paths: /a 40% (3 query strings), /b 10%`` for one drill-down dimension."""
    items = []
    for r in ranked:
        item = f"{visible(r.value)} {percent(r.share)}"
        if r.distinct_queries:
            key = "query" if r.distinct_queries == 1 else "queries"
            item += f" ({_label(key, lang, n=r.distinct_queries)})"
        items.append(item)
    return f"{_label(dim, lang)}: " + ", ".join(items)


def _evidence_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(_label("evidence", lang, top=report.top), frame)
    table.add_column(_label("code", lang), no_wrap=True)
    table.add_column(_label("count", lang), justify="right", no_wrap=True)
    table.add_column(_label("evidence_col", lang), overflow="fold")
    for row in report.by_code:
        found = report.evidence.get(row.raw)
        if found is None:
            continue
        lines = [describe_ranked(dim, ranked, lang) for dim, ranked in found.top.items() if ranked]
        busiest = busiest_text(found, row.count, lang)
        if busiest is not None:
            lines.append(busiest)
        table.add_row(Text(visible(row.raw)), Text(f"{row.count:,}"), Text("\n".join(lines)))
    return table


def _latency_part(report: Report, lang: Lang, frame: box.Box | None) -> RenderableType:
    if not report.latency_dims:
        return Text(visible(NO_LATENCY[lang]))
    table = _table(_label("latency", lang), frame)
    table.add_column("", no_wrap=True)
    for dim in report.latency_dims:
        table.add_column(_label(dim, lang), justify="right", no_wrap=True)
    groups = [(_label("all", lang), report.latency_overall)]
    groups += [(name, report.latency_by_class[name]) for name in CLASS_ORDER if name in report.latency_by_class]
    by_code = report.latency_by_code
    groups += [(row.raw, by_code[row.raw]) for row in report.by_code if row.raw in by_code]
    # One width for every number, so that p50, p95, p99 and max line up from row to row.
    numbers = [v for _, dims in groups for p in dims.values() for v in (p.p50, p.p95, p.p99, p.max)]
    width = max((len(f"{v:.3f}") for v in numbers), default=0)
    for name, dims in groups:
        cells = [
            Text(" / ".join(f"{v:{width}.3f}" for v in (p.p50, p.p95, p.p99, p.max)) if (p := dims.get(dim)) else "-")
            for dim in report.latency_dims
        ]
        table.add_row(Text(visible(name)), *cells)
    return table


def _samples_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    samples = report.unparsed_samples
    title = _label("unparsed", lang, n=len(samples), total=f"{report.totals.unparsed:,}")
    table = _table(title, frame)
    table.add_column(_label("where", lang), no_wrap=True)
    table.add_column(_label("why", lang), ratio=1, overflow="fold")
    table.add_column(_label("line", lang), ratio=2, overflow="fold")
    for sample in samples:
        table.add_row(
            Text(f"{visible(sample.file)}:{sample.lineno}"),
            Text(visible(sample.reason)),
            Text(visible(sample.text[:300]) + ("…" if len(sample.text) > 300 else "")),
        )
    return table


def render_table(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as text: with colour and rules when ``options.color``, else plain."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        no_color=not options.color,
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )
    for part in build_tables(report, options).renderables:
        console.print(part)
        console.print()
    text = buffer.getvalue()
    if not options.color:
        # Plain text goes to files and mail: no padding to the console width.
        text = "\n".join(line.rstrip() for line in text.splitlines())
    return text.rstrip("\n") + "\n"
