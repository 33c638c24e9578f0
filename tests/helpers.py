"""Helpers shared by several test modules."""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from logstat.report import Report, build_report
from logstat.sources import open_inputs

ROOT = Path(__file__).resolve().parent.parent

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
"""Real third-party logs, kept beside the clone (``../shared/corpus``), not in the repository."""

LINE = '203.0.113.7 - - [{when}] "GET /x HTTP/1.1" {status} 512 "-" "curl/8.0"'
T0 = datetime(2026, 10, 10, 10, 0, 0, tzinfo=UTC)
HOSTILE_EVIDENCE = (
    '203.0.113.{i} - - [10/Oct/2026:10:0{i}:00 +0000] "GET /<script>alert(1)</script> HTTP/1.1" 404 512 '
    '"| pipe | [x](javascript:alert(1))" "\\"><img src=x onerror=alert(1)>"'
)
"""A 404 whose path, referer and user agent (with an Apache-escaped quote) are hostile."""


def load_benchmark(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (not a package) once, by its path."""
    key = f"logstat_benchmarks_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def line(status: int, when: datetime) -> str:
    """One combined-format line at ``when``."""
    return LINE.format(when=when.strftime("%d/%b/%Y:%H:%M:%S +0000"), status=status)


def report_of(tmp_path: Path, lines: list[str], name: str = "access.log") -> Report:
    """A report over ``lines`` written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return build_report(open_inputs([str(path)], spool_dir=tmp_path), now=T0)


def require(available: object, why: str) -> None:
    """Skip the calling test with ``why`` when ``available`` is falsy; in CI (``CI=true``), fail instead.

    Skips are listed with their reasons at the end of every run (``-rs``), so a missing browser
    or corpus is one visible line locally and never a silent pass in CI.
    """
    if available:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why} (CI=true: this must run in CI)")
    pytest.skip(why)


def markdown_section(text: str, heading: str) -> str:
    """The text under the Markdown ``heading`` line (e.g. ``"## Quick start"``), up to the next
    heading of the same or a higher level; code fences are skipped, so a ``#`` comment in one is
    not a heading."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    assert heading in lines, f"no heading {heading!r}"
    body: list[str] = []
    fenced = False
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            hashes = len(line) - len(line.lstrip("#"))
            if hashes <= level and line[hashes : hashes + 1] == " ":
                break
        body.append(line)
    return "\n".join(body)


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced code block of Markdown ``text``, as (info string, body), in order."""
    blocks: list[tuple[str, str]] = []
    info: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        if info is None and line.startswith("```"):
            info, body = line[3:].strip(), []
        elif info is not None and line.startswith("```"):
            blocks.append((info, "\n".join(body)))
            info = None
        elif info is not None:
            body.append(line)
    return blocks


def top_lists(code: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A JSON ``by_code`` entry's drill-down lists by dimension (the document keeps them as records)."""
    evidence = code["evidence"] or {"top": []}
    return {entry["dimension"]: entry["values"] for entry in evidence["top"]}


def percentiles_by_field(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """JSON latency records by field, without the ``field`` key."""
    return {r["field"]: {k: v for k, v in r.items() if k not in ("field", "class")} for r in records}
