"""The JSON document has one shape for every log: the same keys and types, whatever the format or data.

A dashboard, jq or DuckDB reading reports of several logs must infer one schema. Each sample
log exercises a different format (latency or not, vhosts, services, unparsed lines, findings).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from logstat.render.schema import report_dict
from logstat.report import build_report
from logstat.sources import open_inputs

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "sample_logs").glob("*.log"))
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def shape(value: Any) -> Any:
    """The keys and JSON types of ``value``; a null is compatible with any type."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = merge(merged, shape(item))
        return ["list", merged]
    if value is None:
        return None
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def merge(a: Any, b: Any) -> Any:
    """The shape both ``a`` and ``b`` fit; a mismatch fails the test."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"keys differ: {sorted(a.keys() ^ b.keys())}"
        return {key: merge(a[key], b[key]) for key in a}
    if isinstance(a, list) and isinstance(b, list):
        return ["list", merge(a[1], b[1])]
    assert a == b, f"types differ: {a} and {b}"
    return a


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    found = {}
    for sample in SAMPLES:
        spool = tmp_path_factory.mktemp(sample.stem)
        report = build_report(open_inputs([str(sample)], spool_dir=spool), now=NOW, split_by=None)
        found[sample.stem] = json.loads(json.dumps(report_dict(report, by="hour")))
    return found


def test_every_sample_log_gives_the_same_shape(documents: dict[str, dict[str, Any]]) -> None:
    shapes = {name: shape(doc) for name, doc in documents.items()}
    total: Any = None
    for name, found in shapes.items():
        try:
            total = merge(total, found)
        except AssertionError as exc:
            msg = f"{name}: {exc}"
            raise AssertionError(msg) from None


def test_objects_are_not_keyed_by_data(documents: dict[str, dict[str, Any]]) -> None:
    allowed = {"generator", "log_format", "time_range", "window", "totals", "latency", "evidence",
               "busiest_window", "series"}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            if key not in ("", *allowed) and not key.endswith("[]"):
                msg = f"an object keyed by data under {key!r}"
                raise AssertionError(msg)
            for child, item in value.items():
                walk(item, child)
        elif isinstance(value, list):
            for item in value:
                walk(item, key + "[]")

    for doc in documents.values():
        walk(doc, "")


def test_every_class_is_present_in_order(documents: dict[str, dict[str, Any]]) -> None:
    for doc in documents.values():
        classes = [c["class"] for c in doc["by_class"]]
        assert classes[:5] == ["1xx", "2xx", "3xx", "4xx", "5xx"] and classes[5:] in ([], ["other"])
        assert sum(c["count"] for c in doc["by_class"]) == doc["totals"]["parsed"]
