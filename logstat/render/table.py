"""The terminal report: rich tables, or plain aligned text when colour is off.

Every value that comes from a log is wrapped in ``Text`` after :func:`visible`, so a path
like ``/a[/b]`` is never read as rich markup and no control character reaches the terminal.
"""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from logstat.formats.builtins import UNDETECTED
from logstat.registry import Lang
from logstat.render import compare_table as compare
from logstat.render.options import RenderOptions
from logstat.render.phrases import (
    accounting,
    busiest_text,
    format_label,
    label,
    no_requests,
    read_with_label,
    split_title,
    time_span,
    window_span,
)
from logstat.render.spark import sparkline
from logstat.render.text import first_sentence, percent
from logstat.report.evidence import Ranked
from logstat.report.model import CLASS_ORDER, NO_LATENCY, Report
from logstat.report.series import class_series
from logstat.text import visible


def build_tables(report: Report, options: RenderOptions) -> Group:
    """Build the report as one renderable: header, findings, class and code tables, evidence,
    latency, the trend with ``--by``, and unparsed samples."""
    lang = options.lang
    frame = box.SIMPLE_HEAD if options.color else None
    parts: list[RenderableType] = [_header(report, lang), *_body(report, options, frame)]
    if report.unparsed_samples:
        parts.append(_samples_table(report, lang, frame))
    for section in report.sections:
        parts.append(Text(split_title(report, section, lang), style="bold reverse" if options.color else "bold"))
        parts += _body(section, options, frame)
    return Group(*parts)


def _body(report: Report, options: RenderOptions, frame: box.Box | None) -> list[RenderableType]:
    """What the whole report and each ``--split`` section show: findings, counts, evidence, latency, trend."""
    lang = options.lang
    parts: list[RenderableType] = []
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
    return parts


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
    title = label(
        "over_time", lang, period=label(options.by, lang),
        start=f"{starts[0]:%Y-%m-%d %H:%M}", end=f"{starts[-1]:%Y-%m-%d %H:%M}",
    )
    table = _table("", frame)
    table.add_column(label("class", lang), no_wrap=True)
    table.add_column(label("trend", lang), no_wrap=True, overflow="crop")
    table.add_column(label("peak", lang), justify="right", no_wrap=True)
    table.add_column(label("count", lang), justify="right", no_wrap=True)
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
        grid.add_row(label("inputs", lang), Text(names))
        grid.add_row(label("format", lang), Text(format_label(report, lang)))
    else:
        for i, summary in enumerate(report.inputs):
            n = summary.totals.lines
            lines = label("input_line", lang) if n == 1 else label("input_lines", lang, n=n)
            if summary.log_format is UNDETECTED:
                line = f"{visible(summary.name)} ({label('undetected', lang)}; {lines})"
            else:
                how = label("detected" if summary.detected else "given", lang)
                others = read_with_label([summary], lang)
                lines += f"{label('separator', lang)}{others}" if others else ""
                line = f"{visible(summary.name)} ({summary.log_format.name}, {how}; {lines})"
            grid.add_row(label("inputs", lang) if i == 0 else "", Text(line))
    grid.add_row(label("time", lang), Text(time_span(report, lang)))
    window = window_span(report)
    if window is not None:
        grid.add_row(label("window", lang), Text(window))
    grid.add_row(label("lines", lang), Text(accounting(report, lang)))
    for summary in report.inputs:
        if summary.note:
            grid.add_row(label("note", lang), Text(visible(f"{summary.name}: {summary.note}")))
    for note in report.notes:
        grid.add_row(label("note", lang), Text(note[lang]))
    for key, line in compare.header_lines(report, lang):
        grid.add_row(key, Text(line))
    return grid


def _table(title: str, frame: box.Box | None) -> Table:
    # At least as wide as its title: rich wraps a title to the table's width.
    return Table(
        title=title, title_justify="left", box=frame, show_edge=False, pad_edge=False,
        header_style="bold", title_style="bold", min_width=cell_len(title),
    )


def _class_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(label("by_class", lang), frame)
    table.add_column(label("class", lang), no_wrap=True)
    table.add_column(label("meaning", lang))
    table.add_column(label("count", lang), justify="right", no_wrap=True)
    table.add_column(label("share", lang), justify="right", no_wrap=True)
    compared = compare.add_columns(table, report, lang)
    for row in report.by_class:
        cls = report.registry.classes[row.name]
        table.add_row(
            Text(row.name), Text(cls.label[lang]), Text(f"{row.count:,}"), Text(percent(row.share)),
            *compare.cells(report, "class", row.name, lang, compared),
        )
    return table


def _code_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(label("by_code", lang), frame)
    table.add_column(label("code", lang), no_wrap=True)
    table.add_column(label("reason", lang), ratio=2, overflow="fold")
    table.add_column(label("count", lang), justify="right", no_wrap=True)
    table.add_column(label("share", lang), justify="right", no_wrap=True)
    table.add_column(label("meaning", lang), ratio=4, overflow="fold")
    table.add_column(label("cause", lang), ratio=4, overflow="fold")
    compared = compare.add_columns(table, report, lang)
    for row in report.by_code:
        reason, text, registered = report.explain(row, lang)
        if not registered:
            reason = f"{reason} ({label('unregistered', lang)})" if row.class_name != "other" else reason
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
    table = _table(label("findings", lang), frame)
    table.add_column("", no_wrap=True)
    table.add_column(label("detail", lang), ratio=3, overflow="fold")
    table.add_column(label("check", lang), ratio=2, overflow="fold")
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
            item += f" ({label(key, lang, n=r.distinct_queries)})"
        items.append(item)
    return f"{label(dim, lang)}: " + ", ".join(items)


def _evidence_table(report: Report, lang: Lang, frame: box.Box | None) -> Table:
    table = _table(label("evidence", lang, top=report.top), frame)
    table.add_column(label("code", lang), no_wrap=True)
    table.add_column(label("count", lang), justify="right", no_wrap=True)
    table.add_column(label("evidence_col", lang), overflow="fold")
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
    table = _table(label("latency", lang), frame)
    table.add_column("", no_wrap=True)
    for dim in report.latency_dims:
        table.add_column(label(dim, lang), justify="right", no_wrap=True)
    groups = [(label("all", lang), report.latency_overall)]
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
    title = label("unparsed", lang, n=len(samples), total=f"{report.totals.unparsed:,}")
    table = _table(title, frame)
    table.add_column(label("where", lang), no_wrap=True)
    table.add_column(label("why", lang), ratio=1, overflow="fold")
    table.add_column(label("line", lang), ratio=2, overflow="fold")
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
