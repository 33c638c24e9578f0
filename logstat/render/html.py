"""HTML: one self-contained page for a browser or a mail client.

Everything is inline: styles are ``style`` attributes on each element (mail clients drop
``<style>`` blocks and external CSS), the chart is inline SVG, and there is no script, no
font and no image file. A Content-Security-Policy ``<meta>`` forbids loading anything.
Every value passes through :func:`visible` and then :func:`html.escape`; no attribute is
ever built from log data. Some mail clients (Gmail) strip inline SVG: the tables carry the
same numbers, so nothing is lost but the picture.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from datetime import datetime

import polars as pl

from logstat import __version__
from logstat.evidence import Ranked
from logstat.registry import Lang
from logstat.render import RenderOptions
from logstat.render.markdown import (
    LATENCY_STATS,
    accounting,
    chart_period,
    clip,
    code_reason,
    dimension_label,
    evidence_codes,
    label,
    latency_cells,
    latency_rows,
    notes,
    requests,
)
from logstat.render.table import busiest_text, format_label, no_requests, time_span, when, window_span
from logstat.render.text import percent, visible
from logstat.report import CLASS_ORDER, NO_LATENCY, Report, UnparsedSample
from logstat.series import Period, class_series, coarser, period_count

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page loads nothing: no script, no external style, font or image."""

CLASS_COLORS: dict[str, str] = {
    "1xx": "#8250df",
    "2xx": "#2da44e",
    "3xx": "#0969da",
    "4xx": "#d29922",
    "5xx": "#cf222e",
    "other": "#8c959f",
}
"""Colour of each status class in the chart and the class table."""

MAX_BARS = 360
"""Most bars in the chart; a finer period is coarsened (minute → hour → day) to stay below."""

FONT = (
    "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans',"
    "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif"
)
MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace"
_INK, _MUTED, _RULE, _PANEL = "#1f2328", "#59636e", "#d0d7de", "#f6f8fa"

_BODY = f"margin:0;padding:24px 16px;background:#ffffff;color:{_INK};font-family:{FONT};font-size:14px;line-height:1.5"
_H1 = "margin:0 0 12px;font-size:22px;font-weight:600"
_H2 = f"margin:28px 0 8px;font-size:17px;font-weight:600;border-bottom:1px solid {_RULE};padding-bottom:4px"
_TABLE = "border-collapse:collapse;width:100%;font-size:13px"
_TH = f"text-align:left;padding:6px 10px;border-bottom:2px solid {_RULE};background:{_PANEL};white-space:nowrap"
_TD = f"text-align:left;padding:6px 10px;border-bottom:1px solid {_RULE};vertical-align:top"
_NUM = ";text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums"
_CODE = f"font-family:{MONO};font-size:12px;background:{_PANEL};padding:1px 4px;border-radius:3px"

LABELS: dict[str, dict[Lang, str]] = {
    "chart_title": {
        "en": "Requests per {period} by status class (UTC)",
        "zh": "按状态类别统计的每{period}请求数（UTC）",
    },
    "coarsened": {
        "en": "shown per {period}: per {asked} would need {n} bars",
        "zh": "按{period}显示：按{asked}需要 {n} 个柱",
    },
    "requests": {"en": "Requests", "zh": "请求数"},
}
"""Labels only the HTML report uses (the rest come from ``logstat.render.markdown``)."""

HTML_LANG: dict[Lang, str] = {"en": "en", "zh": "zh-CN"}


def _e(text: str) -> str:
    """Log or label text, safe as HTML element content or a quoted attribute value."""
    return html.escape(visible(text), quote=True)


def _rich(text: str) -> str:
    """Registry text, escaped, with its ``backtick`` spans shown as code."""
    return re.sub(r"`([^`]+)`", rf'<code style="{_CODE}">\1</code>', _e(text))


def _lbl(key: str, lang: Lang, **values: object) -> str:
    if key in LABELS:
        return _e(LABELS[key][lang].format(**values))
    return _e(label(key, lang, **values))


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """A data table; ``headers`` are (escaped label, numeric?) and cells are escaped HTML."""
    numeric = [num for _, num in headers]
    head = "".join(f'<th style="{_TH}{_NUM if num else ""}">{text}</th>' for text, num in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_TD}{_NUM if num else ""}">{cell}</td>' for cell, num in zip(row, numeric, strict=True))
        + "</tr>"
        for row in rows
    )
    return (
        f'<table cellpadding="0" cellspacing="0" border="0" style="{_TABLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _facts(report: Report, lang: Lang) -> str:
    names = ", ".join(i.name for i in report.inputs)
    facts = [
        ("inputs", names),
        ("format", format_label(report, lang)),
        ("time", time_span(report, lang)),
        *(("window", w) for w in [window_span(report)] if w),
        ("lines", accounting(report, lang)),
        *(("note", note) for note in notes(report)),
    ]
    rows = "".join(
        f'<tr><th style="text-align:left;padding:2px 16px 2px 0;color:{_MUTED};font-weight:600;'
        f'white-space:nowrap;vertical-align:top">{_lbl(key, lang)}</th>'
        f'<td style="padding:2px 0;word-break:break-all">{_e(value)}</td></tr>'
        for key, value in facts
    )
    layout = 'role="presentation" cellpadding="0" cellspacing="0" border="0" style="font-size:13px"'
    return f"<table {layout}>{rows}</table>"


def _swatch(name: str) -> str:
    color = CLASS_COLORS.get(name, CLASS_COLORS["other"])
    return (
        f'<span style="display:inline-block;width:10px;height:10px;border-radius:2px;'
        f'background:{color};margin-right:6px;vertical-align:baseline"></span>'
    )


def _share_bar(name: str, share: float) -> str:
    color = CLASS_COLORS.get(name, CLASS_COLORS["other"])
    width = max(0.0, min(100.0, share * 100))
    return (
        f'<div style="width:120px;height:8px;background:#eaeef2;border-radius:4px;overflow:hidden">'
        f'<div style="width:{width:.1f}%;height:8px;background:{color}"></div></div>'
    )


def _class_section(report: Report, lang: Lang) -> str:
    headers = [(_lbl(k, lang), k in ("count", "share")) for k in ("class", "meaning", "count", "share")]
    headers.append(("", False))
    rows = [
        [
            _swatch(row.name) + _e(row.name),
            _e(report.registry.classes[row.name].label[lang]),
            f"{row.count:,}",
            _e(percent(row.share)),
            _share_bar(row.name, row.share),
        ]
        for row in report.by_class
    ]
    return f'<h2 style="{_H2}">{_lbl("by_class", lang)}</h2>' + _table(headers, rows)


def _code_section(report: Report, lang: Lang) -> str:
    keys = ("code", "reason", "count", "share", "meaning", "cause")
    headers = [(_lbl(k, lang), k in ("count", "share")) for k in keys]
    rows = []
    for row in report.by_code:
        reason, meaning, cause = code_reason(report, row.raw, lang)
        code = f'<span style="font-weight:600;white-space:nowrap">{_swatch(row.class_name)}{_e(row.raw)}</span>'
        rows.append([code, _e(reason), f"{row.count:,}", _e(percent(row.share)), _rich(meaning), _rich(cause)])
    return f'<h2 style="{_H2}">{_lbl("by_code", lang)}</h2>' + _table(headers, rows)


SEVERITY_STYLES: dict[str, tuple[str, str, str]] = {
    "critical": ("#cf222e", "#ffebe9", "#cf222e"),
    "warning": ("#d4a72c", "#fff8c5", "#9a6700"),
    "info": ("#0969da", "#ddf4ff", "#0969da"),
}
"""Callout colours of a finding by severity: left border, background, badge."""

_OTHER_SEVERITY = ("#8c959f", _PANEL, _MUTED)


def _finding(report: Report, index: int, lang: Lang) -> str:
    finding = report.findings[index]
    border, background, badge = SEVERITY_STYLES.get(finding.severity, _OTHER_SEVERITY)
    severity = _lbl(finding.severity, lang) if finding.severity in SEVERITY_STYLES else _e(finding.severity)
    check = ""
    if finding.check[lang]:
        check = (
            f'<div style="margin-top:4px;font-size:13px;color:{_MUTED}">'
            f'<span style="font-weight:600;color:{_INK}">{_lbl("check", lang)}{_lbl("colon", lang)}</span>'
            f'{"" if lang == "zh" else " "}{_rich(finding.check[lang][0])}</div>'
        )
    return (
        f'<div style="margin:0 0 10px;padding:10px 14px;border-left:4px solid {border};background:{background};'
        f'border-radius:0 6px 6px 0"><div style="font-weight:600">'
        f'<span style="display:inline-block;margin-right:8px;padding:0 6px;border-radius:3px;background:{badge};'
        f'color:#ffffff;font-size:11px;line-height:18px;vertical-align:1px">{severity}</span>'
        f"{_e(finding.title[lang])}</div>"
        f'<div style="margin-top:4px;word-break:break-word">{_e(finding.detail[lang])}</div>{check}</div>'
    )


def _findings_section(report: Report, lang: Lang) -> str:
    callouts = "".join(_finding(report, i, lang) for i in range(len(report.findings)))
    return f'<h2 style="{_H2}">{_lbl("findings", lang)}</h2>' + callouts


# The evidence and latency tables can have many rows: their cells carry no style of their
# own but inherit alignment from <tbody>, and cellpadding pads them (mail clients honour it).
_STABLE = 'cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;font-size:12px"'
_SHEAD = f'<thead style="background:{_PANEL};white-space:nowrap"><tr style="border-bottom:2px solid {_RULE}">'
_SBODY = '<tbody style="text-align:right;vertical-align:top;white-space:nowrap">'
_SROW = '<tr style="border-bottom:1px solid #eaeef2">'
_LEFT_TH = '<th style="text-align:left">'
_RIGHT_TH = '<th style="text-align:right;width:1%">'


def _dimension_table(dim: str, ranked: Sequence[Ranked], lang: Lang) -> str:
    paths = dim == "path"
    heads = [_lbl(k, lang) for k in ("count", "share", *(("queries_col",) if paths else ()))]
    head = _LEFT_TH + _e(dimension_label(dim, lang)) + "</th>" + "".join(f"{_RIGHT_TH}{h}</th>" for h in heads)
    rows = []
    for r in ranked:
        numbers = [f"{r.count:,}", _e(percent(r.share)), *([f"{r.distinct_queries:,}"] if paths else [])]
        rows.append(
            f'{_SROW}<td style="text-align:left;white-space:normal;word-break:break-word">{_e(clip(r.value))}</td>'
            + "".join(f"<td>{n}</td>" for n in numbers)
            + "</tr>"
        )
    return (
        '<div style="display:inline-block;vertical-align:top;width:100%;max-width:480px;margin:0 16px 12px 0">'
        f'<table {_STABLE}>{_SHEAD}{head}</tr></thead>{_SBODY}{"".join(rows)}</tbody></table></div>'
    )


def _evidence_section(report: Report, lang: Lang) -> str:
    parts = [f'<h2 style="{_H2}">{_lbl("evidence", lang, top=report.top)}</h2>']
    for row, found in evidence_codes(report):
        reason, _, _ = code_reason(report, row.raw, lang)
        parts.append(
            f'<h3 style="margin:16px 0 6px;font-size:15px;font-weight:600">{_swatch(row.class_name)}'
            f'{_e(row.raw)} {_e(reason)} <span style="color:{_MUTED};font-weight:400">· '
            f"{_e(requests(row.count, lang))}</span></h3>"
        )
        busiest = busiest_text(found, row.count, lang)
        if busiest is not None:
            parts.append(f'<p style="margin:0 0 8px;color:{_MUTED};font-size:12px">{_e(busiest)}</p>')
        parts += [_dimension_table(dim, ranked, lang) for dim, ranked in found.top.items() if ranked]
    return "".join(parts)


def _latency_section(report: Report, lang: Lang) -> str:
    if not report.latency_dims:
        heading = f'<h2 style="{_H2}">{_lbl("latency_title", lang)}</h2>'
        return heading + f'<p style="margin:0;color:{_MUTED}">{_e(NO_LATENCY[lang])}</p>'
    fields = report.latency_dims
    stats = [_lbl(stat, lang) if stat == "max" else stat for stat in LATENCY_STATS]
    top = '<th rowspan="2"></th>' + "".join(
        f'<th colspan="{len(stats)}" style="text-align:center">{_lbl(f, lang)}</th>' for f in fields
    )
    sub = "".join(f"{_RIGHT_TH}{stat}</th>" for _ in fields for stat in stats)
    rows: list[str] = []
    group = ""
    for name, dims in latency_rows(report, lang):
        # A rule between the groups: all requests, the classes, the codes.
        kind = "class" if name in CLASS_ORDER else "all" if not rows else "code"
        row = _SROW if kind == group else f'<tr style="border-top:2px solid {_RULE}">'
        group = kind
        cells = "".join(f"<td>{cell}</td>" for cell in latency_cells(dims, fields))
        rows.append(f"{row}{_LEFT_TH}{_e(name)}</th>{cells}</tr>")
    return (
        f'<h2 style="{_H2}">{_lbl("latency", lang)}</h2><table {_STABLE}>'
        f'{_SHEAD}{top}</tr><tr style="border-bottom:2px solid {_RULE}">{sub}</tr></thead>'
        f'{_SBODY}{"".join(rows)}</tbody></table>'
    )


def _sample_section(report: Report, lang: Lang) -> str:
    samples = report.unparsed_samples
    title = _lbl("unparsed", lang, n=len(samples), total=f"{report.totals.unparsed:,}")
    headers = [(_lbl(k, lang), False) for k in ("where", "why", "line")]
    rows = [[_e(f"{s.file}:{s.lineno}"), _e(s.reason), _sample_text(s)] for s in samples]
    return f'<h2 style="{_H2}">{title}</h2>' + _table(headers, rows)


def _sample_text(sample: UnparsedSample) -> str:
    text = sample.text[:300] + ("…" if len(sample.text) > 300 else "")
    return f'<code style="{_CODE};word-break:break-all;white-space:pre-wrap">{_e(text)}</code>'


# --- the chart -------------------------------------------------------------------------

_W, _H = 960, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 72, 16, 40, 44
_PLOT_W, _PLOT_H = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM


def nice_ceiling(value: int) -> tuple[int, int]:
    """A round axis maximum at or above ``value`` and its step (1, 2, 2.5 or 5 × 10ⁿ), at most 5 steps."""
    if value <= 4:
        return 4, 1
    magnitude = 10 ** max(0, math.floor(math.log10(value / 5)))
    step = next(
        s for s in (m * magnitude * k for k in (1, 10) for m in (1, 2, 2.5, 5)) if s == int(s) and value <= 5 * s
    )
    return int(step) * math.ceil(value / step), int(step)


def fit_period(report: Report, period: Period) -> Period:
    """``period``, or the first coarser one whose chart has at most :data:`MAX_BARS` bars."""
    if report.first is None or report.last is None:
        return period
    current: Period | None = period
    while current is not None:
        if period_count(report.first, report.last, current) <= MAX_BARS:
            return current
        current = coarser(current)
    return "day"


def _tick_format(period: Period, starts: Sequence[datetime]) -> str:
    if period == "day":
        return "%Y-%m-%d"
    if period == "hour" or starts[0].date() != starts[-1].date():
        return "%m-%d %H:%M"
    return "%H:%M"


def _text_width(text: str) -> float:
    """Rough width in pixels of ``text`` at 12px: wide (CJK) characters count double."""
    return sum(12.0 if ord(ch) > 0x2E80 else 6.8 for ch in text)


def _legend(classes: Sequence[str], report: Report, lang: Lang) -> str:
    parts, x = [], float(_LEFT)
    for name in classes:
        text = f"{name} {report.registry.classes[name].label[lang]}"
        color = CLASS_COLORS.get(name, CLASS_COLORS["other"])
        parts.append(f'<rect x="{x:.0f}" y="12" width="11" height="11" rx="2" fill="{color}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="22">{_e(text)}</text>')
        x += 16 + _text_width(text) + 20
    return "".join(parts)


def _y_axis(top: int, step: int, lang: Lang, period: Period) -> str:
    parts = []
    for value in range(0, top + 1, step):
        y = _TOP + _PLOT_H - value / top * _PLOT_H
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaeef2"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>')
    title = f"{_lbl('requests', lang)} / {_lbl(period, lang)}"
    middle = _TOP + _PLOT_H / 2
    parts.append(f'<text transform="rotate(-90)" x="{-middle:.0f}" y="16" text-anchor="middle">{title}</text>')
    return "".join(parts)


_TICK_STEPS: dict[Period, tuple[int, ...]] = {
    "minute": (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400),
    "hour": (3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800),
    "day": (86400, 172800, 604800, 1209600, 2592000, 7776000, 31536000),
}
"""Candidate spacings of x-axis labels, in seconds; the first that gives at most 8 labels wins."""


def tick_indexes(starts: Sequence[datetime], period: Period, most: int = 8) -> list[int]:
    """Which periods get an x-axis label: those on a round time (every 6 hours, midnight …)."""
    span = (starts[-1] - starts[0]).total_seconds() + 1
    steps = _TICK_STEPS[period]
    step = next((s for s in steps if span / s < most), steps[-1])
    ticks = [i for i, start in enumerate(starts) if int(start.timestamp()) % step == 0]
    if len(ticks) > most:
        ticks = ticks[:: math.ceil(len(ticks) / most)]
    return ticks or [0]


def _x_axis(starts: Sequence[datetime], period: Period, slot: float) -> str:
    fmt = _tick_format(period, starts)
    base = _TOP + _PLOT_H
    parts = [f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{base}" y2="{base}" stroke="{_MUTED}"/>']
    for i in tick_indexes(starts, period):
        x = _LEFT + (i + 0.5) * slot
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{_MUTED}"/>')
        parts.append(f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle">{starts[i]:{fmt}}</text>')
    return "".join(parts)


def _bars(matrix: dict[str, list[int]], top: int, slot: float) -> str:
    """One ``<path>`` per class: its segment of every stacked bar, bottom class first."""
    width = slot * 0.8 if slot >= 4 else slot
    pad = (slot - width) / 2
    stacked = [0] * len(next(iter(matrix.values())))
    paths = []
    for name, counts in matrix.items():
        d = []
        for i, count in enumerate(counts):
            if count <= 0:
                continue
            bottom = _TOP + _PLOT_H - stacked[i] / top * _PLOT_H
            height = max(1.0, count / top * _PLOT_H)
            x = _LEFT + i * slot + pad
            d.append(f"M{x:.1f} {bottom - height:.1f}h{width:.1f}v{height:.1f}h-{width:.1f}z")
            stacked[i] += count
        if d:
            color = CLASS_COLORS.get(name, CLASS_COLORS["other"])
            paths.append(f'<path fill="{color}" d="{"".join(d)}"/>')
    return "".join(paths)


def chart_svg(series: pl.DataFrame, period: Period, report: Report, lang: Lang) -> str:
    """A stacked bar chart of ``series`` (:func:`logstat.series.class_series`) as inline SVG."""
    starts: list[datetime] = series["period_start"].unique().sort().to_list()
    classes: list[str] = series["class"].unique().sort().to_list()
    matrix = {
        name: [int(c) for c in series.filter(pl.col("class") == name).sort("period_start")["count"]]
        for name in classes
    }
    peak = max((sum(column) for column in zip(*matrix.values(), strict=True)), default=0)
    top, step = nice_ceiling(peak)
    slot = _PLOT_W / len(starts)
    title = _lbl("chart_title", lang, period=label(period, lang))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" style="display:block;max-width:100%;height:auto" '
        f'font-family="{FONT}" font-size="12" fill="{_INK}"><title>{title}</title>'
        f'<rect width="{_W}" height="{_H}" fill="#ffffff"/>'
        + _y_axis(top, step, lang, period)
        + _bars(matrix, top, slot)
        + _x_axis(starts, period, slot)
        + _legend(classes, report, lang)
        + "</svg>"
    )


def _chart_section(report: Report, options: RenderOptions) -> str:
    asked = chart_period(report, options)
    if asked is None:
        return ""
    period = fit_period(report, asked)
    series = class_series(report.minutes, period, report.first, report.last)
    if series.is_empty():
        return ""
    lang = options.lang
    note = ""
    if period != asked and report.first is not None and report.last is not None:
        bars = f"{period_count(report.first, report.last, asked):,}"
        text = _lbl("coarsened", lang, period=label(period, lang), asked=label(asked, lang), n=bars)
        note = f'<p style="margin:4px 0 0;color:{_MUTED};font-size:12px">{text}</p>'
    heading = f'<h2 style="{_H2}">{_lbl("over_time", lang)}</h2>'
    title = _lbl("chart_title", lang, period=label(period, lang))
    caption = f'<p style="margin:0 0 8px;color:{_MUTED};font-size:12px">{title}</p>'
    return heading + caption + chart_svg(series, period, report, lang) + note


def render_html(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as a self-contained HTML5 page, labels in ``options.lang``.

    The page has the facts, the findings as callouts coloured by severity, the class table,
    a stacked bar chart of the classes over time (when ``options.by`` is set or the log spans
    more than a day), the code table, the evidence per error code, latency percentiles (or
    the note that the format has none) and the unparsed samples.
    """
    lang = options.lang
    parts = [f'<h1 style="{_H1}">{_lbl("title", lang)}</h1>', _facts(report, lang)]
    if report.findings:
        parts.append(_findings_section(report, lang))
    if report.by_code:
        parts += [_class_section(report, lang), _chart_section(report, options), _code_section(report, lang)]
    else:
        parts.append(f'<p style="margin:16px 0">{_e(no_requests(report, lang))}</p>')
    if report.evidence:
        parts.append(_evidence_section(report, lang))
    if report.by_code:
        parts.append(_latency_section(report, lang))
    if report.unparsed_samples:
        parts.append(_sample_section(report, lang))
    generated = _lbl("generated", lang, version=__version__, when=when(report.generated_at))
    parts.append(f'<p style="margin:28px 0 0;color:{_MUTED};font-size:12px">{generated}</p>')
    names = ", ".join(i.name for i in report.inputs)
    return _page(lang, f"{label('title', lang)} · {names}", "".join(parts))


def _page(lang: Lang, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        f"<title>{_e(title)}</title>\n</head>\n"
        f'<body style="{_BODY}">\n<div style="max-width:1000px;margin:0 auto">\n{body}\n</div>\n</body>\n</html>\n'
    )
