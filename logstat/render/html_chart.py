"""The HTML report's chart: requests per period and status class, as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import polars as pl

from logstat.periods import Period, coarser, period_count
from logstat.registry import Lang
from logstat.render.html_base import CLASS_COLORS, FONT, H2, INK, MUTED, esc, lbl
from logstat.render.markdown import (
    chart_period,
    label,
)
from logstat.render.options import RenderOptions
from logstat.report.model import Report
from logstat.report.series import class_series

MAX_BARS = 360
"""Most bars in the chart; a finer period is coarsened (minute → hour → day) to stay below."""

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
        parts.append(f'<text x="{x + 16:.0f}" y="22">{esc(text)}</text>')
        x += 16 + _text_width(text) + 20
    return "".join(parts)


def _y_axis(top: int, step: int, lang: Lang, period: Period) -> str:
    parts = []
    for value in range(0, top + 1, step):
        y = _TOP + _PLOT_H - value / top * _PLOT_H
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaeef2"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>')
    title = f"{lbl('requests', lang)} / {lbl(period, lang)}"
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
    parts = [f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{base}" y2="{base}" stroke="{MUTED}"/>']
    for i in tick_indexes(starts, period):
        x = _LEFT + (i + 0.5) * slot
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{MUTED}"/>')
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
    title = lbl("chart_title", lang, period=label(period, lang))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" style="display:block;max-width:100%;height:auto" '
        f'font-family="{FONT}" font-size="12" fill="{INK}"><title>{title}</title>'
        f'<rect width="{_W}" height="{_H}" fill="#ffffff"/>'
        + _y_axis(top, step, lang, period)
        + _bars(matrix, top, slot)
        + _x_axis(starts, period, slot)
        + _legend(classes, report, lang)
        + "</svg>"
    )


def chart_section(report: Report, options: RenderOptions) -> str:
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
        text = lbl("coarsened", lang, period=label(period, lang), asked=label(asked, lang), n=bars)
        note = f'<p style="margin:4px 0 0;color:{MUTED};font-size:12px">{text}</p>'
    heading = f'<h2 style="{H2}">{lbl("over_time", lang)}</h2>'
    title = lbl("chart_title", lang, period=label(period, lang))
    caption = f'<p style="margin:0 0 8px;color:{MUTED};font-size:12px">{title}</p>'
    return heading + caption + chart_svg(series, period, report, lang) + note


