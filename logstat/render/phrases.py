"""The report's fixed words and sentences, in both languages, shared by every renderer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from logstat.registry import Lang
from logstat.report.model import CodeEvidence, InputSummary, Report
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
    "filtered_where": {"en": "{n} not matching --where", "zh": "不符合 --where 的 {n}"},
    "filtered_both": {
        "en": "{n} outside the time window or not matching --where",
        "zh": "时间窗口外或不符合 --where 的 {n}",
    },
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
    "also": {"en": "; ", "zh": "；"},
    "read_as": {"en": "{n:,} lines read as {name}", "zh": "{n:,} 行按 {name} 读取"},
    "read_as_one": {"en": "1 line read as {name}", "zh": "1 行按 {name} 读取"},
    "read_by_fallback": {"en": "{n:,} lines by the tolerant fallback", "zh": "{n:,} 行由宽松的兜底格式读取"},
    "read_by_fallback_one": {"en": "1 line by the tolerant fallback", "zh": "1 行由宽松的兜底格式读取"},
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
    "split_vhost": {"en": "Virtual host", "zh": "虚拟主机"},
    "split_service": {"en": "Service", "zh": "服务"},
    "split_file": {"en": "File", "zh": "文件"},
    "split_title": {"en": "{name} {value}: {count} requests", "zh": "{name} {value}：{count} 个请求"},
    "split_title_one": {"en": "{name} {value}: 1 request", "zh": "{name} {value}：1 个请求"},
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


def label(key: str, lang: Lang, **values: object) -> str:
    """The label ``key`` of :data:`LABELS` in ``lang``, its ``{placeholders}`` filled from ``values``."""
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
    return label(key, lang, minutes=w.minutes, start=when(w.start), count=w.count, times=w.times_average)


def when(moment: datetime | None) -> str:
    """``2015-05-17 10:05:00 UTC``, or ``-`` without a time."""
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def format_label(report: Report, lang: Lang) -> str:
    """The log format name with ``(detected)``/``(given)``, or ``mixed: a, b``, in ``lang``; then
    how many lines other formats and the tolerant fallback read, when they read any."""
    names = list(dict.fromkeys(i.log_format.name for i in report.inputs))
    if len(names) != 1:
        return label("mixed", lang, names=", ".join(names))
    how = "detected" if all(i.detected for i in report.inputs) else "given"
    others = read_with_label(report.inputs, lang)
    return f"{names[0]} ({label(how, lang)})" + (f"{label('also', lang)}{others}" if others else "")


def read_with_label(summaries: Sequence[InputSummary], lang: Lang) -> str:
    """``2 lines read as combined, 1 line by the tolerant fallback``: what read the lines that
    the inputs' own format did not (empty when it read them all)."""
    read: dict[str, int] = {}
    fallback = 0
    for summary in summaries:
        for fmt, n in summary.read_with:
            if fmt.tolerant:
                fallback += n
            elif fmt.name != summary.log_format.name:
                read[fmt.name] = read.get(fmt.name, 0) + n
    parts = [
        label("read_as_one", lang, name=name) if n == 1 else label("read_as", lang, n=n, name=name)
        for name, n in read.items()
    ]
    if fallback:
        parts.append(label("read_by_fallback_one" if fallback == 1 else "read_by_fallback", lang, n=fallback))
    return label("separator", lang).join(parts)


def time_span(report: Report, lang: Lang) -> str:
    """``first → last`` in UTC or, when there is none, why: no time in the format, or none in the window."""
    if report.first is not None:
        return f"{when(report.first)} → {when(report.last)}"
    if not any(i.log_format.time_field for i in report.inputs):
        return label("no_time", lang)
    return label("none_in_window" if report.totals.filtered else "none", lang)


def window_span(report: Report) -> str | None:
    """The ``--since``/``--until`` window as ``≥ since, < until`` in UTC; None without one."""
    window = report.window
    ends = [f"≥ {when(window.since)}" if window.since else "", f"< {when(window.until)}" if window.until else ""]
    return ", ".join(end for end in ends if end) or None


def no_requests(report: Report, lang: Lang) -> str:
    """What to say instead of the tables when no request was counted."""
    if report.totals.filtered:
        return label("no_requests_in_window", lang, n=report.totals.filtered)
    return label("no_requests", lang)


def accounting(report: Report, lang: Lang) -> str:
    """``"10 lines: 8 parsed, 2 unparsed, 0 blank"``; the filtered count only when there is one,
    worded after what filtered them (the time window, ``--where``, or both)."""
    totals = report.totals
    parts = [label("parsed", lang, n=f"{totals.parsed:,}")]
    if totals.filtered:
        window = not report.window.is_open
        key = "filtered_both" if window and report.where else "filtered_where" if report.where else "filtered"
        parts.append(label(key, lang, n=f"{totals.filtered:,}"))
    parts += [label("unparsed_n", lang, n=f"{totals.unparsed:,}"), label("blank", lang, n=f"{totals.blank:,}")]
    key = "accounting_one" if totals.lines == 1 else "accounting"
    return label(key, lang, lines=f"{totals.lines:,}", parts=label("separator", lang).join(parts))


def split_title(report: Report, section: Report, lang: Lang) -> str:
    """The heading of a ``--split`` section: ``vhost: shop.example.com (1,234 requests)``."""
    name = label(f"split_{report.split_by}", lang)
    n = section.totals.parsed
    which = "split_title_one" if n == 1 else "split_title"
    return label(which, lang, name=name, value=visible(section.section or ""), count=f"{n:,}")
