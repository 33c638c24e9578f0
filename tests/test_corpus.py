"""Real third-party logs give exactly the independently computed counts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from logstat.cli import app

CORPUS = Path(__file__).parent / "corpus"

ELASTIC_COUNTS = {"200": 9126, "206": 45, "301": 164, "304": 445, "403": 2, "404": 213, "416": 2, "500": 3}


def _summary(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(app, ["summarize", str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_elastic_apache_counts_match_reference_without_format_flag() -> None:
    data = _summary(CORPUS / "elastic_apache_logs.log")
    assert {row["raw"]: row["count"] for row in data["by_code"]} == ELASTIC_COUNTS  # type: ignore[attr-defined]
    assert data["totals"] == {"lines": 10_000, "parsed": 10_000, "filtered": 0, "unparsed": 0, "blank": 0}
    assert data["log_format"] == {
        "name": "combined",
        "definition": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
        "detected": True,
    }
    assert data["time_range"] == {"first": "2015-05-17T10:05:00Z", "last": "2015-05-20T21:05:59Z"}


def test_goaccess_vhost_log_is_detected_with_ipv6_and_dash_request() -> None:
    data = _summary(CORPUS / "goaccess_ci_vcombined.log")
    assert data["log_format"]["name"] == "vhost_combined"  # type: ignore[index]
    assert {row["raw"]: row["count"] for row in data["by_code"]} == {"200": 3, "408": 1}  # type: ignore[attr-defined]
    # Offsets are -0500: 06:20:38 local is 11:20:38 UTC.
    assert data["time_range"] == {"first": "2013-07-01T11:20:38Z", "last": "2013-07-01T12:20:02Z"}
