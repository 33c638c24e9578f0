"""Prometheus text exposition, for node_exporter's textfile collector (``-o FILE.prom``).

Metrics: ``logstat_requests_total`` by ``code`` and ``class`` (and the split key, with
``--split``), ``logstat_lines_total`` by ``kind``, request and upstream latency histograms by
``class`` when the log has them, and ``logstat_last_run_timestamp_seconds``. With ``--state``
the counters cover the store's whole life, so ``rate()`` works; without it, they cover the
lines of this run only, and their help says so. Label values from the log are made visible
(no control characters) and escaped as the format requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from logstat.parse import LineKind
from logstat.registry import class_name
from logstat.render import RenderOptions
from logstat.report.model import Report
from logstat.text import visible

LATENCY_METRICS = {
    "request_time": ("logstat_request_duration_seconds", "Time to serve a request (nginx $request_time)"),
    "upstream_response_time": (
        "logstat_upstream_response_duration_seconds", "Time the upstream took (nginx $upstream_response_time)"
    ),
}
"""The histogram of each latency field."""


BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Upper bounds (seconds) of the latency histograms' buckets, besides ``+Inf``."""


def _label_value(text: str) -> str:
    return visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f'{name}="{_label_value(value)}"' for name, value in pairs) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _family(name: str, kind: str, text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}", *samples]


def render_prometheus(report: Report, options: RenderOptions) -> str:
    """The report's counters in the Prometheus text format (one family per metric, sorted labels)."""
    scope = "over the store's whole life" if options.cumulative else "in this run's lines only (no --state)"
    parts = [report] if report.split_by is None else list(report.sections)
    split = report.split_by
    requests = []
    for part in parts:
        extra = [(split, part.section or "")] if split else []
        for row in part.by_code:
            labels = [("code", row.raw), ("class", row.class_name), *extra]
            requests.append(f"logstat_requests_total{_labels(labels)} {row.count}")
    lines = [
        f'logstat_lines_total{{kind="{kind.name.lower()}"}} {getattr(report.totals, kind.name.lower())}'
        for kind in LineKind
    ]
    out = _family("logstat_requests_total", "counter", f"Parsed requests by status code, {scope}.", requests)
    out += _family("logstat_lines_total", "counter", f"Input lines by what became of them, {scope}.", lines)
    for dim, (name, text) in LATENCY_METRICS.items():
        samples = [line for part in parts for line in _histogram(part, dim, name, split)]
        if samples:
            out += _family(name, "histogram", f"{text}, {scope}.", samples)
    stamp = report.generated_at.timestamp()
    out += _family(
        "logstat_last_run_timestamp_seconds", "gauge", "When logstat last wrote this file (Unix time).",
        [f"logstat_last_run_timestamp_seconds {_number(round(stamp, 3))}"],
    )
    return "\n".join(out) + "\n"


def _histogram(report: Report, dim: str, name: str, split: str | None) -> list[str]:
    """The histogram samples of latency field ``dim`` per status class, from the report's evidence."""
    rows = report.evidence_table.filter(pl.col("dim") == dim)
    if rows.is_empty():
        return []
    extra = [(split, report.section or "")] if split else []
    per_class: dict[str, dict[int, int]] = {}
    for status, value, count in rows.select("status", "value", "count").iter_rows():
        values = per_class.setdefault(class_name(str(status)), {})
        values[int(value)] = values.get(int(value), 0) + int(count)
    samples = []
    for cls in sorted(per_class):
        values = per_class[cls]
        labels = [("class", cls), *extra]
        for bound in BUCKETS:
            below = sum(n for ms, n in values.items() if ms <= bound * 1000)
            samples.append(f"{name}_bucket{_labels([*labels, ('le', _number(bound))])} {below}")
        total = sum(values.values())
        samples.append(f"{name}_bucket{_labels([*labels, ('le', '+Inf')])} {total}")
        seconds = sum(ms * n for ms, n in values.items()) / 1000
        samples.append(f"{name}_sum{_labels(labels)} {_number(seconds)}")
        samples.append(f"{name}_count{_labels(labels)} {total}")
    return samples
