"""``--split`` (a section per virtual host, service or file) and ``--where`` (limit the counted requests)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logstat.cli import app
from logstat.errors import ExitCode

LINES = [
    'shop.example.com:443 192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "GET /cart HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    'shop.example.com:443 192.0.2.2 - - [10/Oct/2026:13:56:37 +0000] "GET /checkout HTTP/1.1" 502 51 "-" "Mozilla/5.0"',
    'shop.example.com:443 192.0.2.2 - - [10/Oct/2026:13:56:38 +0000] "GET /checkout HTTP/1.1" 502 51 "-" "Mozilla/5.0"',
    'api.example.com:443 192.0.2.3 - - [10/Oct/2026:13:55:38 +0000] "GET /api/v1/x?id=1 HTTP/1.1" 404 12 "-" "curl/8"',
    'api.example.com:443 192.0.2.3 - - [10/Oct/2026:13:55:39 +0000] "POST /api/v1/y HTTP/1.1" 201 12 "-" "curl/8"',
    '<b>evil</b>:80 192.0.2.9 - - [10/Oct/2026:13:57:39 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8"',
    "not a log line",
]


def _log(tmp_path: Path, lines: list[str] = LINES, name: str = "vhosts.log") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["summarize", *args])
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    code, out, err = _run(*args, "-f", "json")
    assert code == ExitCode.OK, err
    data: dict = json.loads(out)  # type: ignore[type-arg]
    return data


def test_json_has_the_whole_and_one_record_per_vhost(tmp_path: Path) -> None:
    data = _json(str(_log(tmp_path)), "--split", "vhost")
    assert data["split_by"] == "vhost"
    assert data["totals"]["parsed"] == 6 and data["totals"]["unparsed"] == 1
    keys = [(s["key"], s["totals"]["parsed"]) for s in data["splits"]]
    assert keys == [("shop.example.com", 3), ("api.example.com", 2), ("<b>evil</b>", 1)]
    shop = data["splits"][0]
    assert [(c["raw"], c["count"]) for c in shop["by_code"]] == [("502", 2), ("200", 1)]
    assert [f["rule"] for f in shop["findings"]] == ["high_5xx_share"]
    assert set(shop) == {"key", "totals", "by_class", "by_code", "latency", "findings"}
    assert sum(s["totals"]["parsed"] for s in data["splits"]) == data["totals"]["parsed"]
    for section in data["splits"]:
        evidence = [c["evidence"] for c in section["by_code"] if c["evidence"]]
        hosts = {v["value"] for e in evidence for t in e["top"] if t["dimension"] == "vhost" for v in t["values"]}
        assert hosts <= {section["key"]}


def test_json_without_split_has_stable_keys(tmp_path: Path) -> None:
    data = _json(str(_log(tmp_path)))
    assert data["split_by"] is None and data["splits"] == []


def test_csv_has_the_key_in_a_leading_column_whole_first(tmp_path: Path) -> None:
    code, out, err = _run(str(_log(tmp_path)), "--split", "vhost", "-f", "csv")
    assert code == ExitCode.OK, err
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header[:3] == ["vhost", "status", "raw_status"]
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("", "200", "2"), ("", "502", "2"), ("", "201", "1"), ("", "404", "1"),
        ("shop.example.com", "502", "2"), ("shop.example.com", "200", "1"),
        ("api.example.com", "201", "1"), ("api.example.com", "404", "1"),
        ("<b>evil</b>", "200", "1"),
    ]
    code, out, _ = _run(str(_log(tmp_path)), "--split", "vhost", "-f", "csv", "--table", "series", "--by", "hour")
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header[0] == "vhost" and {r[0] for r in rows} == {"", "shop.example.com", "api.example.com", "<b>evil</b>"}
    assert sum(int(r[4]) for r in rows if r[0] == "") == sum(int(r[4]) for r in rows if r[0]) == 6


def test_table_markdown_and_html_have_one_section_per_split(tmp_path: Path) -> None:
    path = str(_log(tmp_path))
    _, table, _ = _run(path, "--split", "vhost")
    heads = [line for line in table.splitlines() if line.startswith("Virtual host ")]
    assert heads == [
        "Virtual host shop.example.com: 3 requests",
        "Virtual host api.example.com: 2 requests",
        "Virtual host <b>evil</b>: 1 request",
    ]
    assert table.index("Lines") < table.index(heads[0])
    _, markdown, _ = _run(path, "--split", "vhost", "-f", "markdown")
    assert "## Virtual host shop.example.com: 3 requests" in markdown
    assert "<b>evil</b>" not in markdown  # log data never becomes Markdown/HTML
    _, page, _ = _run(path, "--split", "vhost", "-f", "html")
    assert page.count("Virtual host ") == 3 and "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page


def test_split_by_file_keeps_each_files_own_accounting(tmp_path: Path) -> None:
    first = _log(tmp_path, [*LINES[:3], "", "junk"], "a.log")
    second = _log(tmp_path, LINES[3:5], "b.log")
    data = _json(str(first), str(second), "--split", "file")
    sections = {s["key"]: s["totals"] for s in data["splits"]}
    assert sections[str(first)] == {"lines": 5, "parsed": 3, "filtered": 0, "unparsed": 1, "blank": 1}
    assert sections[str(second)] == {"lines": 2, "parsed": 2, "filtered": 0, "unparsed": 0, "blank": 0}


def test_split_needs_the_field_in_the_format(tmp_path: Path) -> None:
    path = _log(tmp_path, ['192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"'])
    code, _, err = _run(str(path), "--split", "vhost")
    assert code == ExitCode.USAGE
    assert err.strip().splitlines() == [
        "logstat: error: --split vhost needs a virtual host ($host, $server_name, Apache %v) in the log, "
        "and format 'combined' has none"
    ]
    code, _, err = _run(str(path), "--split", "host")
    assert code == ExitCode.USAGE and "--split must be one of vhost, service, file" in err


@pytest.mark.parametrize(
    ("conditions", "parsed"),
    [
        (["path=/api/*"], 2),
        (["path!=/api/*"], 4),
        (["status=5*"], 2),
        (["status=5*", "status=404"], 3),  # one field: either glob
        (["class=2xx", "vhost=api.*"], 1),  # two fields: both
        (["method=POST"], 1),
        (["client=192.0.2.?"], 6),
        (["agent=curl*"], 3),
        (["vhost=nothing"], 0),
    ],
)
def test_where_limits_the_requests_and_the_accounting_reconciles(
    tmp_path: Path, conditions: list[str], parsed: int
) -> None:
    args = [a for c in conditions for a in ("--where", c)]
    data = _json(str(_log(tmp_path)), *args)
    totals = data["totals"]
    assert totals["parsed"] == parsed
    assert totals["filtered"] == 6 - parsed and totals["unparsed"] == 1
    assert totals["lines"] == totals["parsed"] + totals["filtered"] + totals["unparsed"] + totals["blank"]
    assert sum(c["count"] for c in data["by_code"]) == parsed


def test_where_is_named_in_the_accounting_line(tmp_path: Path) -> None:
    _, table, _ = _run(str(_log(tmp_path)), "--where", "path=/api/*")
    assert "7 lines: 2 parsed, 4 not matching --where, 1 unparsed, 0 blank" in table


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("path", "invalid --where 'path': write FIELD=GLOB"),
        ("bogus=1", "invalid --where 'bogus=1'"),
        ("service=x", "--where service=... needs a service in the log, and format 'vhost_combined' has none"),
    ],
)
def test_bad_where_is_a_one_line_usage_error(tmp_path: Path, condition: str, message: str) -> None:
    code, _, err = _run(str(_log(tmp_path)), "--where", condition)
    assert code == ExitCode.USAGE
    [line] = err.strip().splitlines()
    assert message in line
