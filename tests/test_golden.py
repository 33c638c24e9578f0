"""Golden output for the bundled sample logs: the plain-text report of each, and JSON/CSV of one.

Run ``pytest tests/test_golden.py --update-golden`` after an intended change, and review the diff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from logstat.render import OutputFormat, RenderOptions, renderer_for
from logstat.report import Report, build_report
from logstat.sources import open_inputs

HERE = Path(__file__).parent
SAMPLES = sorted((HERE.parent / "sample_logs").glob("*.log"))
GOLDEN = HERE / "golden"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _from_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative names keep the golden files independent of where the repository lives.
    monkeypatch.chdir(HERE.parent)


def _report(sample: Path, tmp_path: Path) -> Report:
    relative = sample.relative_to(HERE.parent)
    return build_report(open_inputs([str(relative)], spool_dir=tmp_path), now=NOW)


def _check(request: pytest.FixtureRequest, name: str, text: str) -> None:
    golden = GOLDEN / name
    data = text.encode("utf-8")  # bytes: CSV lines end in CRLF
    if request.config.getoption("--update-golden"):
        golden.write_bytes(data)
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert data == golden.read_bytes()


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_table_golden(sample: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    text = renderer_for(OutputFormat.TABLE)(_report(sample, tmp_path), RenderOptions(width=120))
    _check(request, f"{sample.stem}.txt", text)


@pytest.mark.parametrize("fmt", [OutputFormat.JSON, OutputFormat.CSV])
def test_edge_cases_golden(fmt: OutputFormat, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    sample = HERE.parent / "sample_logs" / "edge_cases.log"
    text = renderer_for(fmt)(_report(sample, tmp_path), RenderOptions())
    _check(request, f"edge_cases.{fmt.value}", text)


def test_every_sample_has_a_golden_file() -> None:
    assert {p.stem for p in SAMPLES} <= {p.stem for p in GOLDEN.glob("*.txt")}
