"""The command line end to end: exit codes, stderr messages, output shapes, hostile text."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from helpers import fenced_blocks, markdown_section
from typer.testing import CliRunner

import logstat.cli.summarize
from logstat.cli import app
from logstat.errors import ExitCode
from logstat.formats import BUILTIN_FORMATS

LINE = '203.0.113.7 - - [10/Oct/2026:13:55:{s:02d} +0000] "GET {path} HTTP/1.1" {status} 512 "-" "curl/8.0"'


def combined(status: int | str, *, second: int = 0, path: str = "/") -> str:
    """One combined-format line."""
    return LINE.format(s=second, path=path, status=status)


def write_log(tmp_path: Path, lines: list[str], name: str = "access.log") -> Path:
    """Write ``lines`` to a file in ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run logstat in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def mixed_log(tmp_path: Path) -> Path:
    lines = [combined(200, second=i) for i in range(6)] + [combined(404, second=7), combined(502, second=9)]
    return write_log(tmp_path, lines)


def test_summarize_json_shape(mixed_log: Path) -> None:
    code, out, err = run("summarize", str(mixed_log), "-f", "json")
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["schema_version"] == 2
    assert data["totals"] == {"lines": 8, "parsed": 8, "filtered": 0, "unparsed": 0, "blank": 0}
    assert [(c["class"], c["count"]) for c in data["by_class"]] == [
        ("1xx", 0), ("2xx", 6), ("3xx", 0), ("4xx", 1), ("5xx", 1)
    ]
    first = data["by_code"][0]
    assert first["status"] == 200 and first["count"] == 6 and first["share"] == 0.75
    assert first["registered"] is True and first["reason"] == "OK"
    assert first["meaning"] and first["causes"] and first["check"]
    assert data["time_range"] == {"first": "2026-10-10T13:55:00Z", "last": "2026-10-10T13:55:09Z"}
    assert data["inputs"][0]["name"] == str(mixed_log)
    assert data["unparsed_samples"] == []


def test_summarize_table_shows_counts_and_explanations(mixed_log: Path) -> None:
    code, out, _ = run("summarize", str(mixed_log))
    assert code == ExitCode.OK
    assert "combined (detected)" in out
    assert "8 lines: 8 parsed, 0 unparsed, 0 blank" in out
    assert "Bad Gateway" in out and "Not Found" in out
    assert "\x1b[" not in out, "no ANSI escapes when stdout is not a terminal"


def test_summarize_chinese(mixed_log: Path) -> None:
    code, out, _ = run("summarize", str(mixed_log), "--lang", "zh")
    assert code == ExitCode.OK
    assert "按状态码统计" in out and "错误网关" in out
    assert "日志格式  combined (自动识别)" in out and "detected" not in out


def test_summarize_chinese_header_over_mixed_formats(mixed_log: Path, tmp_path: Path) -> None:
    common = write_log(tmp_path, ['192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5'], "common.log")
    _, out, _ = run("summarize", str(mixed_log), str(common), "--lang", "zh")
    assert "(common, 自动识别; 1 行)" in out
    assert "detected" not in out and " line" not in out
    _, out, _ = run("summarize", str(mixed_log), str(common))
    assert "(common, detected; 1 line)" in out


def test_csv_has_header_and_one_row_per_code(mixed_log: Path) -> None:
    code, out, _ = run("summarize", str(mixed_log), "-f", "csv")
    assert code == ExitCode.OK
    rows = out.splitlines()
    assert rows[0].startswith("status,raw_status,class,count,share,registered,reason,")
    assert [r.split(",")[0] for r in rows[1:]] == ["200", "404", "502"]


def test_output_file_format_from_suffix(mixed_log: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run("summarize", str(mixed_log), "-o", str(target))
    assert code == ExitCode.OK and out == ""
    assert json.loads(target.read_text("utf-8"))["totals"]["parsed"] == 8
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")], "temp file left over"


def test_stdin_equals_file(mixed_log: Path) -> None:
    _, from_file, _ = run("summarize", str(mixed_log), "-f", "csv")
    code, from_stdin, _ = run("summarize", "-", "-f", "csv", stdin=mixed_log.read_text("utf-8"))
    assert code == ExitCode.OK
    assert from_stdin == from_file


def test_unparsed_lines_are_counted_and_sampled(tmp_path: Path) -> None:
    lines = [combined(200), "", "total garbage", combined(301, second=5), combined(200)[:40]]
    path = write_log(tmp_path, lines)
    code, out, _ = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK
    data = json.loads(out)
    assert data["totals"] == {"lines": 5, "parsed": 2, "filtered": 0, "unparsed": 2, "blank": 1}
    samples = data["unparsed_samples"]
    assert [(s["line"], s["text"]) for s in samples] == [(3, "total garbage"), (5, combined(200)[:40])]
    assert all(s["file"] == str(path) and s["reason"] for s in samples)


def test_status_values_outside_the_registry_are_kept(tmp_path: Path) -> None:
    path = write_log(tmp_path, [combined(s) for s in (200, 299, 599, "-", "000", 0, 999)])
    code, out, _ = run("summarize", str(path), "-f", "json", "-l", "combined")
    assert code == ExitCode.OK
    data = json.loads(out)
    rows = {r["raw"]: r for r in data["by_code"]}
    assert set(rows) == {"200", "299", "599", "-", "000", "0", "999"}
    assert rows["299"]["registered"] is False and rows["299"]["class"] == "2xx"
    assert rows["-"]["status"] is None and rows["-"]["class"] == "other"
    assert rows["000"]["status"] == 0 and rows["000"]["registered"] is True and rows["000"]["class"] == "other"
    assert rows["999"]["class"] == "other"
    assert sum(r["count"] for r in data["by_code"]) == data["totals"]["parsed"] == 7
    assert {c["class"]: c["count"] for c in data["by_class"]} == {
        "1xx": 0, "2xx": 2, "3xx": 0, "4xx": 0, "5xx": 1, "other": 4
    }


def test_custom_nginx_format_string(tmp_path: Path) -> None:
    path = write_log(tmp_path, ['10.0.0.1 [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 0.120 503'])
    fmt = '$remote_addr [$time_local] "$request" $request_time $status'
    code, out, err = run("summarize", str(path), "-f", "json", "--log-format", fmt)
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["log_format"] == {"name": "custom", "definition": fmt, "detected": False}
    assert data["by_code"][0]["raw"] == "503"


def test_custom_apache_format_string(tmp_path: Path) -> None:
    path = write_log(tmp_path, ['www.example.com 10.0.0.1 [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 404 12'])
    code, out, err = run("summarize", str(path), "-f", "json", "-l", r'%V %a %t \"%r\" %>s %B')
    assert code == ExitCode.OK, err
    assert json.loads(out)["by_code"][0]["raw"] == "404"


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["summarize", "missing.log"], ExitCode.ERROR, "logstat: error: missing.log: no such file"),
        (["summarize", "{tmp}"], ExitCode.ERROR, "is a directory; pass the files in it"),
        (["summarize", "{garbage}"], ExitCode.ERROR, "no known log format matches (tried combined 0%"),
        (
            ["summarize", "{garbage}", "-l", "common"],
            ExitCode.ERROR,
            "none of 2 lines matched the log format common (line 1: text ' [' missing or malformed at column 11); "
            "check that --log-format is the format these lines were written with",
        ),
        (
            ["summarize", "{log}", "-l", "$remote_addr [$time_iso8601] $status"],
            ExitCode.ERROR,
            "access.log: its one line did not match the log format custom (line 1: text ' [' missing",
        ),
        (["summarize", "{log}", "-l", "nosuch"], ExitCode.USAGE, "unknown log format 'nosuch': use one of"),
        (["summarize", "{log}", "-l", "$remote_addr $body_bytes_sent"], ExitCode.USAGE, "has no status field"),
        (["summarize", "{log}", "-l", "%h %Z %>s"], ExitCode.USAGE, "unsupported Apache directive %Z"),
        (["summarize", "{log}", "--lang", "fr"], ExitCode.USAGE, "--lang (or LOGSTAT_LANG) must be one of en, zh"),
        (["summarize", "{log}", "-o", "{tmp}/r.xlsx"], ExitCode.USAGE, "cannot tell the output format"),
        (["summarize", "{log}", "--nope"], ExitCode.USAGE, "No such option"),
        (["codes", "999"], ExitCode.USAGE, "no status code '999' in the registry"),
    ],
)
def test_errors_are_one_line_with_exit_code(
    tmp_path: Path, args: list[str], exit_code: ExitCode, message: str
) -> None:
    garbage = write_log(tmp_path, ["not a log line", "neither is this"], "garbage.log")
    log = write_log(tmp_path, [combined(200)])
    filled = [a.format(tmp=tmp_path, garbage=garbage, log=log) for a in args]
    code, out, err = run(*filled)
    assert code == exit_code
    assert message in err
    assert "Traceback" not in err and out == ""
    if exit_code == ExitCode.ERROR:
        assert err.count("\n") == 1


def test_empty_input_is_not_an_error(tmp_path: Path) -> None:
    path = write_log(tmp_path, [])
    code, out, _ = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK
    assert json.loads(out)["totals"] == {"lines": 0, "parsed": 0, "filtered": 0, "unparsed": 0, "blank": 0}
    code, out, err = run("summarize", str(path), "-l", "nginx_timed")  # latency fields, but no latency
    assert code == ExitCode.OK, err
    assert "No requests in the input." in out


def test_log_data_never_becomes_markup_or_escape_sequences(tmp_path: Path) -> None:
    hostile = ["/a?[/b]", "/[bold]x[/bold]", "/\x1b[31mred", "/bell\x07"]
    lines = [combined(200)] + ["junk " + p for p in hostile]
    path = write_log(tmp_path, lines)
    code, out, err = run("summarize", str(path), "-l", "combined")
    assert code == ExitCode.OK, err
    assert "junk /a?[/b]" in out and "junk /[bold]x[/bold]" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "junk /\\x1b[31mred" in out and "junk /bell\\x07" in out


def test_codes_lists_and_explains() -> None:
    code, out, _ = run("codes", "499")
    assert code == ExitCode.OK
    assert out.startswith("499 Client Closed Request")
    assert "Likely causes:" in out and "What to check:" in out
    code, out, _ = run("codes", "499", "--lang", "zh")
    assert "  可能原因：\n" in out and "  检查什么：\n" in out
    code, out, _ = run("codes", "5xx", "--json", "--lang", "zh")
    data = json.loads(out)
    assert code == ExitCode.OK and {d["status"] // 100 for d in data} == {5}
    assert next(d for d in data if d["status"] == 502)["reason"] == "错误网关"
    assert all(set(d) == set(data[0]) for d in data) and "in_seed" not in data[0]
    code, out, _ = run("codes")
    assert code == ExitCode.OK and "418 (Unused)" in out and "000 " in out


def test_formats_lists_every_builtin_with_a_detectable_example(tmp_path: Path) -> None:
    code, out, _ = run("formats", "--json")
    assert code == ExitCode.OK
    listed = json.loads(out)
    assert [f["name"] for f in listed] == list(BUILTIN_FORMATS)
    for entry in listed:
        path = write_log(tmp_path, [entry["example"]], f"{entry['name']}.log")
        _, report, _ = run("summarize", str(path), "-f", "json")
        assert json.loads(report)["log_format"]["name"] == entry["name"]
    code, out, _ = run("formats")
    assert all(name in out for name in BUILTIN_FORMATS)


@pytest.mark.parametrize("command", ["summarize", "top", "codes", "formats"])
def test_help_has_examples(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == ExitCode.OK
    assert "Examples:" in out or "--log-format" in out


@pytest.mark.parametrize("command", ["summarize", "top", "codes", "formats"])
def test_help_examples_fit_an_80_column_terminal(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An example that wraps cannot be copied into a shell: each one is a line of its own."""
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(command, "--help")
    shown = {line.strip() for line in out.splitlines()}
    callback = next(c.callback for c in app.registered_commands if c.callback and c.callback.__name__ == command)
    doc = (callback.__doc__ or "").splitlines()
    starts = ("logstat ", "zcat ", "--log-format ", "kubectl ", "journalctl ")
    examples = [line.strip() for line in doc if line.strip().startswith(starts)]
    assert examples
    assert [line for line in examples if line not in shown] == []


@pytest.mark.parametrize("command", ["summarize", "top", "codes", "formats"])
def test_help_names_what_options_take(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flag shows no value placeholder (``--quiet <bool>`` reads as if it took one)."""
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run(command, "--help")
    option_rows = [line for line in out.splitlines() if "--" in line and "--help" not in line]
    assert option_rows
    assert [line for line in option_rows if "<bool>" in line or "<str>" in line] == []
    if command == "summarize":
        assert re.search(r"--since +TIME ", out) and re.search(r"--output +-o +FILE ", out)


def test_columns_sets_the_width_of_piped_output() -> None:
    log = str(Path(__file__).parent.parent / "sample_logs" / "incidents.log")
    wide = CliRunner().invoke(app, ["summarize", log]).stdout.splitlines()
    assert max(map(len, wide)) == 120
    narrow = CliRunner().invoke(app, ["summarize", log], env={"COLUMNS": "72"}).stdout.splitlines()
    assert max(map(len, narrow)) <= 72
    assert len(narrow) > len(wide)


def test_stdin_from_a_terminal_says_how_to_end_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logstat.cli.summarize, "stdin_is_terminal", lambda: True)
    code, out, err = run("summarize", "-", stdin=combined(200) + "\n")
    assert code == ExitCode.OK
    assert "end with Ctrl-D" in err and "Requests by class" in out
    monkeypatch.setattr(logstat.cli.summarize, "stdin_is_terminal", lambda: False)
    assert "Ctrl-D" not in run("summarize", "-", stdin=combined(200) + "\n")[2]


def test_no_file_reads_a_piped_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logstat.cli.summarize, "stdin_is_terminal", lambda: False)
    code, out, err = run("summarize", "-f", "json", stdin=combined(404) + "\n")
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert [i["name"] for i in data["inputs"]] == ["<stdin>"] and data["by_code"][0]["raw"] == "404"
    code, _, err = run("summarize", stdin="")
    assert code == ExitCode.USAGE
    assert "no log file given, and standard input is empty; name one" in err
    monkeypatch.setattr(logstat.cli.summarize, "stdin_is_terminal", lambda: True)
    code, _, err = run("summarize")
    assert code == ExitCode.USAGE
    assert "no log file given; name one (logstat summarize access.log) or pipe a log in" in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == ExitCode.OK and out.startswith("logstat ")


def test_readme_quick_start_shows_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of the README's quick-start transcript (bar the marked cuts) is in what its
    command prints today: the first ``sh`` block under ``## Quick start`` is the command, the first
    ``text`` block after it what it prints."""
    root = Path(__file__).parent.parent
    quick_start = markdown_section((root / "README.md").read_text(encoding="utf-8"), "## Quick start")
    blocks = fenced_blocks(quick_start)
    command = next(body for info, body in blocks if info == "sh").splitlines()[0]
    install, run_logstat = command.split(" && ")
    assert install == "pip install ." and run_logstat.startswith("logstat summarize ")
    transcript = next(body for info, body in blocks if info == "text")
    assert "trimmed where marked `…`" in quick_start
    shown = [line for line in transcript.splitlines() if line != "…"]
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, shlex.split(run_logstat)[1:])
    assert result.exit_code == 0, result.stderr
    printed = result.stdout.splitlines()
    assert len(shown) > 60
    assert [line for line in shown if line not in printed] == []


def test_access_lines_in_syslog_count_as_in_the_access_log(tmp_path: Path) -> None:
    """nginx's ``access_log syslog:`` lands in /var/log/syslog among other programs' lines."""
    lines = [combined(status, second=i) for i, status in enumerate([200, 200, 404, 502, 200, 301])]
    plain = write_log(tmp_path, lines, "plain.log")
    mixed = [f"Oct 10 13:55:{i:02d} web1 nginx: {line}" for i, line in enumerate(lines)]
    mixed.insert(3, "Oct 10 13:55:03 web1 CRON[99]: (root) CMD (run-parts /etc/cron.hourly)")
    syslog = write_log(tmp_path, mixed, "syslog")
    _, expected, _ = run("summarize", str(plain), "-f", "json")
    code, out, err = run("summarize", str(syslog), "-f", "json", "--since", "2026-10-10T13:55:01Z")
    assert code == ExitCode.OK, err
    got, want = json.loads(out), json.loads(expected)
    assert got["log_format"]["name"] == "syslog + combined" and got["log_format"]["detected"]
    assert got["totals"] == {"lines": 7, "parsed": 5, "filtered": 1, "unparsed": 1, "blank": 0}
    assert [s["line"] for s in got["unparsed_samples"]] == [4]
    assert {c["raw"]: c["count"] for c in got["by_code"]} == {"200": 2, "404": 1, "502": 1, "301": 1}
    assert want["time_range"]["last"] == got["time_range"]["last"] == "2026-10-10T13:55:05Z"
    given = run("summarize", str(syslog), "-f", "json", "--log-format", "combined")[1]
    assert json.loads(given)["log_format"]["name"] == "syslog + combined"


def test_logstat_lang_sets_the_default_language(mixed_log: Path) -> None:
    """A team that reads Chinese sets it once (in a profile or a crontab), not on every command."""
    chinese = {"LOGSTAT_LANG": "zh"}
    zh = CliRunner().invoke(app, ["summarize", str(mixed_log), "-f", "json"], env=chinese)
    assert json.loads(zh.stdout)["lang"] == "zh"
    en = CliRunner().invoke(app, ["summarize", str(mixed_log), "-f", "json", "--lang", "en"], env=chinese)
    assert json.loads(en.stdout)["lang"] == "en"
    codes = CliRunner().invoke(app, ["codes", "404"], env=chinese)
    assert codes.stdout.startswith("404 未找到")
    bad = CliRunner().invoke(app, ["codes", "404"], env={"LOGSTAT_LANG": "fr"})
    assert bad.exit_code == ExitCode.USAGE and "--lang (or LOGSTAT_LANG) must be one of en, zh" in bad.stderr
