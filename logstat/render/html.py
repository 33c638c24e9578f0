"""HTML: one self-contained page for a browser or a mail client.

Everything is inline: styles are ``style`` attributes on each element (mail clients drop
``<style>`` blocks and external CSS), the chart is inline SVG, and there is no script, no
font and no image file. A Content-Security-Policy ``<meta>`` forbids loading anything.
Every value passes through :func:`visible` and then :func:`html.escape`; no attribute is
ever built from log data. Some mail clients (Gmail) strip inline SVG: the tables carry the
same numbers, so nothing is lost but the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from logstat import __version__
from logstat.registry import Lang
from logstat.render import compare
from logstat.render.html_base import (
    BODY,
    CLASS_COLORS,
    CODE,
    CSP,
    H1,
    H2,
    HTML_LANG,
    INK,
    MUTED,
    PANEL,
    RULE,
    esc,
    html_table,
    lbl,
    registry_html,
)
from logstat.render.html_chart import chart_section
from logstat.render.markdown import (
    LATENCY_STATS,
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
from logstat.render.options import RenderOptions
from logstat.render.phrases import (
    accounting,
    busiest_text,
    format_label,
    no_requests,
    split_title,
    time_span,
    when,
    window_span,
)
from logstat.render.text import percent
from logstat.report.evidence import Ranked
from logstat.report.model import CLASS_ORDER, NO_LATENCY, Report
from logstat.tally.model import UnparsedSample


def _facts(report: Report, lang: Lang) -> str:
    names = ", ".join(i.name for i in report.inputs)
    facts = [
        ("inputs", names),
        ("format", format_label(report, lang)),
        ("time", time_span(report, lang)),
        *(("window", w) for w in [window_span(report)] if w),
        ("lines", accounting(report, lang)),
        *(("note", note) for note in notes(report, lang)),
    ]
    named = [(lbl(key, lang), value) for key, value in facts] + [
        (esc(name), text) for name, text in compare.header_lines(report, lang)
    ]
    rows = "".join(
        f'<tr><th style="text-align:left;padding:2px 16px 2px 0;color:{MUTED};font-weight:600;'
        f'white-space:nowrap;vertical-align:top">{name}</th>'
        f'<td style="padding:2px 0;word-break:break-all">{esc(value)}</td></tr>'
        for name, value in named
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
    headers = [(lbl(k, lang), k in ("count", "share")) for k in ("class", "meaning", "count", "share")]
    headers.append(("", False))
    headers += _change_headers(report, lang)
    rows = [
        [
            _swatch(row.name) + esc(row.name),
            esc(report.registry.classes[row.name].label[lang]),
            f"{row.count:,}",
            esc(percent(row.share)),
            _share_bar(row.name, row.share),
            *_changes(report, "class", row.name, lang),
        ]
        for row in report.by_class
    ]
    return f'<h2 style="{H2}">{lbl("by_class", lang)}</h2>' + html_table(headers, rows)


def _change_headers(report: Report, lang: Lang) -> list[tuple[str, bool]]:
    if not compare.with_history(report):
        return []
    return [(esc(compare.label("then", lang)), True), (esc(compare.label("change", lang)), True)]


def _changes(report: Report, kind: str, key: str, lang: Lang) -> list[str]:
    if not compare.with_history(report):
        return []
    found = compare.change_of(report, kind, key)
    return [esc(compare.then_text(found)), esc(compare.change_text(found, lang))]


def _code_section(report: Report, lang: Lang) -> str:
    keys = ("code", "reason", "count", "share", "meaning", "cause")
    headers = [(lbl(k, lang), k in ("count", "share")) for k in keys] + _change_headers(report, lang)
    rows = []
    for row in report.by_code:
        reason, meaning, cause = code_reason(report, row.raw, lang)
        code = f'<span style="font-weight:600;white-space:nowrap">{_swatch(row.class_name)}{esc(row.raw)}</span>'
        count, share = f"{row.count:,}", esc(percent(row.share))
        rows.append([
            code, esc(reason), count, share, registry_html(meaning), registry_html(cause),
            *_changes(report, "code", row.raw, lang),
        ])
    return f'<h2 style="{H2}">{lbl("by_code", lang)}</h2>' + html_table(headers, rows)


SEVERITY_STYLES: dict[str, tuple[str, str, str]] = {
    "critical": ("#cf222e", "#ffebe9", "#cf222e"),
    "warning": ("#d4a72c", "#fff8c5", "#9a6700"),
    "info": ("#0969da", "#ddf4ff", "#0969da"),
}
"""Callout colours of a finding by severity: left border, background, badge."""

_OTHER_SEVERITY = ("#8c959f", PANEL, MUTED)


def _finding(report: Report, index: int, lang: Lang) -> str:
    finding = report.findings[index]
    border, background, badge = SEVERITY_STYLES.get(finding.severity, _OTHER_SEVERITY)
    severity = lbl(finding.severity, lang) if finding.severity in SEVERITY_STYLES else esc(finding.severity)
    check = ""
    if finding.check[lang]:
        check = (
            f'<div style="margin-top:4px;font-size:13px;color:{MUTED}">'
            f'<span style="font-weight:600;color:{INK}">{lbl("check", lang)}{lbl("colon", lang)}</span>'
            f'{"" if lang == "zh" else " "}{registry_html(finding.check[lang][0])}</div>'
        )
    return (
        f'<div style="margin:0 0 10px;padding:10px 14px;border-left:4px solid {border};background:{background};'
        f'border-radius:0 6px 6px 0"><div style="font-weight:600">'
        f'<span style="display:inline-block;margin-right:8px;padding:0 6px;border-radius:3px;background:{badge};'
        f'color:#ffffff;font-size:11px;line-height:18px;vertical-align:1px">{severity}</span>'
        f"{esc(finding.title[lang])}</div>"
        f'<div style="margin-top:4px;word-break:break-word">{esc(finding.detail[lang])}</div>{check}</div>'
    )


def _findings_section(report: Report, lang: Lang) -> str:
    callouts = "".join(_finding(report, i, lang) for i in range(len(report.findings)))
    return f'<h2 style="{H2}">{lbl("findings", lang)}</h2>' + callouts


# The evidence and latency tables can have many rows: their cells carry no style of their
# own but inherit alignment from <tbody>, and cellpadding pads them (mail clients honour it).
_STABLE = 'cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;font-size:12px"'
_SHEAD = f'<thead style="background:{PANEL};white-space:nowrap"><tr style="border-bottom:2px solid {RULE}">'
_SBODY = '<tbody style="text-align:right;vertical-align:top;white-space:nowrap">'
_SROW = '<tr style="border-bottom:1px solid #eaeef2">'
_LEFT_TH = '<th style="text-align:left">'
_RIGHT_TH = '<th style="text-align:right;width:1%">'


def _dimension_table(dim: str, ranked: Sequence[Ranked], lang: Lang) -> str:
    paths = dim == "path"
    heads = [lbl(k, lang) for k in ("count", "share", *(("queries_col",) if paths else ()))]
    head = _LEFT_TH + esc(dimension_label(dim, lang)) + "</th>" + "".join(f"{_RIGHT_TH}{h}</th>" for h in heads)
    rows = []
    for r in ranked:
        numbers = [f"{r.count:,}", esc(percent(r.share)), *([f"{r.distinct_queries:,}"] if paths else [])]
        rows.append(
            f'{_SROW}<td style="text-align:left;white-space:normal;word-break:break-word">{esc(clip(r.value))}</td>'
            + "".join(f"<td>{n}</td>" for n in numbers)
            + "</tr>"
        )
    return (
        '<div style="display:inline-block;vertical-align:top;width:100%;max-width:480px;margin:0 16px 12px 0">'
        f'<table {_STABLE}>{_SHEAD}{head}</tr></thead>{_SBODY}{"".join(rows)}</tbody></table></div>'
    )


def _evidence_section(report: Report, lang: Lang) -> str:
    parts = [f'<h2 style="{H2}">{lbl("evidence", lang, top=report.top)}</h2>']
    for row, found in evidence_codes(report):
        reason, _, _ = code_reason(report, row.raw, lang)
        parts.append(
            f'<h3 style="margin:16px 0 6px;font-size:15px;font-weight:600">{_swatch(row.class_name)}'
            f'{esc(row.raw)} {esc(reason)} <span style="color:{MUTED};font-weight:400">· '
            f"{esc(requests(row.count, lang))}</span></h3>"
        )
        busiest = busiest_text(found, row.count, lang)
        if busiest is not None:
            parts.append(f'<p style="margin:0 0 8px;color:{MUTED};font-size:12px">{esc(busiest)}</p>')
        parts += [_dimension_table(dim, ranked, lang) for dim, ranked in found.top.items() if ranked]
    return "".join(parts)


def _latency_section(report: Report, lang: Lang) -> str:
    if not report.latency_dims:
        heading = f'<h2 style="{H2}">{lbl("latency_title", lang)}</h2>'
        return heading + f'<p style="margin:0;color:{MUTED}">{esc(NO_LATENCY[lang])}</p>'
    fields = report.latency_dims
    stats = [lbl(stat, lang) if stat == "max" else stat for stat in LATENCY_STATS]
    top = '<th rowspan="2"></th>' + "".join(
        f'<th colspan="{len(stats)}" style="text-align:center">{lbl(f, lang)}</th>' for f in fields
    )
    sub = "".join(f"{_RIGHT_TH}{stat}</th>" for _ in fields for stat in stats)
    rows: list[str] = []
    group = ""
    for name, dims in latency_rows(report, lang):
        # A rule between the groups: all requests, the classes, the codes.
        kind = "class" if name in CLASS_ORDER else "all" if not rows else "code"
        row = _SROW if kind == group else f'<tr style="border-top:2px solid {RULE}">'
        group = kind
        cells = "".join(f"<td>{cell}</td>" for cell in latency_cells(dims, fields))
        rows.append(f"{row}{_LEFT_TH}{esc(name)}</th>{cells}</tr>")
    return (
        f'<h2 style="{H2}">{lbl("latency", lang)}</h2><table {_STABLE}>'
        f'{_SHEAD}{top}</tr><tr style="border-bottom:2px solid {RULE}">{sub}</tr></thead>'
        f'{_SBODY}{"".join(rows)}</tbody></table>'
    )


def _sample_section(report: Report, lang: Lang) -> str:
    samples = report.unparsed_samples
    title = lbl("unparsed", lang, n=len(samples), total=f"{report.totals.unparsed:,}")
    headers = [(lbl(k, lang), False) for k in ("where", "why", "line")]
    rows = [[esc(f"{s.file}:{s.lineno}"), esc(s.reason), _sample_text(s)] for s in samples]
    return f'<h2 style="{H2}">{title}</h2>' + html_table(headers, rows)


def _sample_text(sample: UnparsedSample) -> str:
    text = sample.text[:300] + ("…" if len(sample.text) > 300 else "")
    return f'<code style="{CODE};word-break:break-all;white-space:pre-wrap">{esc(text)}</code>'



def _body(report: Report, options: RenderOptions) -> list[str]:
    """What the whole report and each ``--split`` section show: findings, counts, chart, evidence, latency."""
    lang = options.lang
    parts = []
    if report.findings:
        parts.append(_findings_section(report, lang))
    if report.by_code:
        parts += [_class_section(report, lang), chart_section(report, options), _code_section(report, lang)]
    else:
        parts.append(f'<p style="margin:16px 0">{esc(no_requests(report, lang))}</p>')
    if report.evidence:
        parts.append(_evidence_section(report, lang))
    if report.by_code:
        parts.append(_latency_section(report, lang))
    return parts


def render_html(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as a self-contained HTML5 page, labels in ``options.lang``.

    The page has the facts, the findings as callouts coloured by severity, the class table,
    a stacked bar chart of the classes over time (when ``options.by`` is set or the log spans
    more than a day), the code table, the evidence per error code, latency percentiles (or
    the note that the format has none) and the unparsed samples.
    """
    lang = options.lang
    parts = [f'<h1 style="{H1}">{lbl("title", lang)}</h1>', _facts(report, lang), *_body(report, options)]
    if report.unparsed_samples:
        parts.append(_sample_section(report, lang))
    for section in report.sections:
        title = esc(split_title(report, section, lang))
        parts.append(f'<h1 style="{H1};margin-top:40px">{title}</h1>')
        parts += _body(section, options)
    generated = lbl("generated", lang, version=__version__, when=when(report.generated_at))
    parts.append(f'<p style="margin:28px 0 0;color:{MUTED};font-size:12px">{generated}</p>')
    names = ", ".join(i.name for i in report.inputs)
    return _page(lang, f"{label('title', lang)} · {names}", "".join(parts))


def _page(lang: Lang, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        f"<title>{esc(title)}</title>\n</head>\n"
        f'<body style="{BODY}">\n<div style="max-width:1000px;margin:0 auto">\n{body}\n</div>\n</body>\n</html>\n'
    )
