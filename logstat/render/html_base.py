"""What every part of the HTML report shares: its inline styles, colours, labels and escaping."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from logstat.registry import Lang
from logstat.render.markdown import (
    label,
)
from logstat.text import visible

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

FONT = (
    "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans',"
    "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif"
)
MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace"
INK, MUTED, RULE, PANEL = "#1f2328", "#59636e", "#d0d7de", "#f6f8fa"

BODY = f"margin:0;padding:24px 16px;background:#ffffff;color:{INK};font-family:{FONT};font-size:14px;line-height:1.5"
H1 = "margin:0 0 12px;font-size:22px;font-weight:600"
H2 = f"margin:28px 0 8px;font-size:17px;font-weight:600;border-bottom:1px solid {RULE};padding-bottom:4px"
TABLE = "border-collapse:collapse;width:100%;font-size:13px"
TH = f"text-align:left;padding:6px 10px;border-bottom:2px solid {RULE};background:{PANEL};white-space:nowrap"
TD = f"text-align:left;padding:6px 10px;border-bottom:1px solid {RULE};vertical-align:top"
NUM = ";text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums"
CODE = f"font-family:{MONO};font-size:12px;background:{PANEL};padding:1px 4px;border-radius:3px"

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


def esc(text: str) -> str:
    """Log or label text, safe as HTML element content or a quoted attribute value."""
    return html.escape(visible(text), quote=True)


def registry_html(text: str) -> str:
    """Registry text, escaped, with its ``backtick`` spans shown as code."""
    return re.sub(r"`([^`]+)`", rf'<code style="{CODE}">\1</code>', esc(text))


def lbl(key: str, lang: Lang, **values: object) -> str:
    if key in LABELS:
        return esc(LABELS[key][lang].format(**values))
    return esc(label(key, lang, **values))


def html_table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """A data table; ``headers`` are (escaped label, numeric?) and cells are escaped HTML."""
    numeric = [num for _, num in headers]
    head = "".join(f'<th style="{TH}{NUM if num else ""}">{text}</th>' for text, num in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{TD}{NUM if num else ""}">{cell}</td>' for cell, num in zip(row, numeric, strict=True))
        + "</tr>"
        for row in rows
    )
    return (
        f'<table cellpadding="0" cellspacing="0" border="0" style="{TABLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


