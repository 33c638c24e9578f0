"""Issue #6: never lose a line, never crash, never inject; input errors are one line.

The adversarial corpus (``tests/adversarial/``) and the output checks shared with the fuzz
runner (``benchmarks/fuzz.py``) are exercised here; ``tests/test_fuzz.py`` adds
property-based tests and a bounded fuzz run.
"""

from __future__ import annotations

import bz2
import codecs
import collections
import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from helpers import load_benchmark
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import logstat.report
import logstat.sources.encoding
import logstat.tally.count
from logstat.cli import app
from logstat.cli.output import write_atomic
from logstat.errors import ExitCode, InputError
from logstat.formats import BUILTIN_FORMATS, resolve_log_format
from logstat.parse import SAMPLE_LINE_BYTES, read_sample, scan_lines
from logstat.render import OutputFormat, RenderOptions, renderer_for
from logstat.render.csv import MAX_CELL, defuse, render_csv
from logstat.report import Report, build_report
from logstat.sources import CR_NOTE, UTF16_NOTE, Input, lf_copy, open_inputs, utf8_copy, utf16_order
from logstat.tally.group import needed_fields
from logstat.text import display_name

HERE = Path(__file__).parent
ROOT = HERE.parent
ADVERSARIAL = HERE / "adversarial"
COMBINED = BUILTIN_FORMATS["combined"]
T = "[10/Oct/2026:13:55:36 +0000]"


FUZZ = load_benchmark("fuzz")


def line(status: str = "200", *, client: str = "203.0.113.7", request: str = "GET / HTTP/1.1", ua: str = "ua") -> str:
    return f'{client} - - {T} "{request}" {status} 512 "-" "{ua}"'


ORDINARY = line().encode()


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def report_of(path: Path, tmp_path: Path, log_format: str | None = "combined") -> Report:
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    fmt = BUILTIN_FORMATS[log_format] if log_format else None
    return build_report(open_inputs([str(path)], spool_dir=spool), log_format=fmt, spool_dir=spool)


def assert_one_line_error(code: int, out: str, err: str, *, exit_code: int = ExitCode.ERROR) -> None:
    assert code == exit_code, err
    assert out == ""
    assert err.startswith("logstat: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


# --- the line corpus ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    status: str | None
    line: bytes


def _unescape(text: str) -> bytes:
    return codecs.escape_decode(text.encode("ascii"))[0]  # type: ignore[no-any-return]


def load_cases() -> list[Case]:
    cases = []
    for text in (ADVERSARIAL / "lines.tsv").read_text("ascii").splitlines():
        if not text or text.startswith("#"):
            continue
        name, kind, status, raw = text.split("\t")
        decoded = _unescape(status).decode("utf-8") if kind == "parsed" else None
        cases.append(Case(name, kind, decoded, _unescape(raw)))
    return cases


CASES = load_cases()


def test_corpus_covers_every_kind_the_issue_names() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) >= 100
    assert {c.kind for c in CASES} == {"parsed", "unparsed", "blank"}
    statuses = {c.status for c in CASES}
    assert {"-", "000", "0", "999", "1000"} <= statuses
    everything = b"\n".join(c.line for c in CASES)
    for needle in (b'\\"', b"\\\\", b"\\x22", b"%eth0", b"10.0.0.2", b"\xff", b"\x00", b"\x1b", b"\r", b"31/Feb"):
        assert needle in everything, needle


def _lossy(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return text[:-1] if text.endswith("\r") else text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_adversarial_line(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(ORDINARY + b"\n" + case.line + b"\n")
    report = report_of(path, tmp_path)
    t = report.totals
    kinds = {"parsed": t.parsed - 1, "unparsed": t.unparsed, "blank": t.blank}
    assert t.lines == 2 and t.filtered == 0
    assert kinds == {k: int(k == case.kind) for k in kinds}, report.unparsed_samples
    counts = {row.raw: row.count for row in report.by_code}
    if case.kind == "parsed":
        expected = collections.Counter(["200", case.status])
        assert counts == expected
    if case.kind == "unparsed":
        (sample,) = report.unparsed_samples
        assert sample.lineno == 2 and sample.reason
        assert sample.text == _lossy(case.line)


FALLBACK_READS = {"user_with_space_quoted", "xff_trailing_comma", "client_missing"}
"""Adversarial lines that only the tolerant fallback reads: the CLF core after an odd client or user."""


def test_adversarial_corpus_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.log"
    path.write_bytes(b"\n".join(c.line for c in CASES) + b"\n")
    report = report_of(path, tmp_path, log_format=None)  # detected: most lines are combined
    assert report.inputs[0].log_format.name == "combined"
    # Combined itself rejects these, but a detected format is followed by the formats the
    # sample showed and by the tolerant fallback, which read their CLF core.
    read_by = {name: "fallback" for name in FALLBACK_READS} | {"vhost_combined_line": "vhost_combined"}
    assert {c.name for c in CASES if c.kind == "unparsed"} >= set(read_by)
    kinds = collections.Counter("parsed" if c.name in read_by else c.kind for c in CASES)
    t = report.totals
    assert (t.lines, t.parsed, t.unparsed, t.blank) == (len(CASES), kinds["parsed"], kinds["unparsed"], kinds["blank"])
    statuses = collections.Counter(c.status for c in CASES if c.kind == "parsed") + collections.Counter(
        {"200": len(read_by)}
    )
    assert {row.raw: row.count for row in report.by_code} == statuses
    assert {fmt.name: n for fmt, n in report.inputs[0].read_with} == {
        "combined": sum(c.kind == "parsed" for c in CASES),
        "vhost_combined": 1,
        "fallback": len(FALLBACK_READS),
    }
    FUZZ.check_everything(report, lines=len(CASES))
    code, out, err = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["totals"]["lines"] == len(CASES)


def test_explain_mismatch_with_the_reports_fields_blames_the_time() -> None:
    # A Common Log Format line with an impossible date, read as combined: the status and
    # time are there, the date does not exist. The fields after the status never matter.
    bad = '203.0.113.7 - - [31/Feb/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5'
    assert COMBINED.explain_mismatch(bad, needed_fields(COMBINED)) == "$time_local is not a valid date and time"
    assert "body_bytes_sent" in COMBINED.explain_mismatch(bad)  # the whole format: its own question
    cut = line()[:60]
    assert COMBINED.explain_mismatch(cut, needed_fields(COMBINED)) == COMBINED.explain_mismatch(cut)


def test_unparsed_sample_reason_is_about_the_time(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    bad = '203.0.113.7 - - [31/Feb/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5'
    path.write_text(f"{line()}\n{bad}\n")
    (sample,) = report_of(path, tmp_path).unparsed_samples
    assert sample.reason == "$time_local is not a valid date and time"


@pytest.mark.parametrize(
    "when", ["10/Oct/0000:13:55:36 +0000", "01/Jan/0001:00:00:00 +1400", "31/Dec/9999:23:59:59 -1400"]
)
def test_year_out_of_pythons_range_is_unparsed_not_a_crash(tmp_path: Path, when: str) -> None:
    path = tmp_path / "access.log"
    path.write_text(f"{line()}\n{line().replace(T, f'[{when}]')}\n")
    code, out, err = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["totals"] == {"lines": 2, "parsed": 1, "filtered": 0, "unparsed": 1, "blank": 0}


def test_absurd_latency_is_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(f"{line('502')} 99999999999999999999999 -\n{line()} 0.1 0.1\n")
    report = report_of(path, tmp_path, log_format="nginx_timed")
    assert report.totals.parsed == 2


# --- the file corpus ------------------------------------------------------------------------

EXPECTED: dict[str, dict[str, Any]] = {
    k: v for k, v in json.loads((ADVERSARIAL / "expected.json").read_text("utf-8")).items() if not k.startswith("_")
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in (ADVERSARIAL / "files").iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_adversarial_file(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    path = ADVERSARIAL / "files" / name
    code, out, err = run("summarize", str(path), "-f", "json")
    if expected["exit"] != 0:
        assert_one_line_error(code, out, err, exit_code=expected["exit"])
        assert expected["error"] in err
        return
    assert code == ExitCode.OK, err
    data = json.loads(out)
    totals = data["totals"]
    assert totals["lines"] == totals["parsed"] + totals["filtered"] + totals["unparsed"] + totals["blank"]
    note = data["inputs"][0]["note"]
    if "damaged" in expected:
        low, high = expected["damaged"]
        assert low <= totals["parsed"] <= high, totals
        assert expected["note"] in note and "before the damage" in note
    else:
        assert totals == expected["totals"]
        assert {row["raw"]: row["count"] for row in data["by_code"]} == expected["by_code"]
        assert note == expected["note"] or (expected["note"] and expected["note"] in note)
    FUZZ.check_everything(report_of(path, tmp_path, log_format=None))


# --- reading: every line, whatever the bytes ------------------------------------------------

CUTS_AT_UNIT_SEPARATOR = False
"""``scan_lines`` documents that 0x1F ends what is read of a line; flip this if that goes."""


def python_lines(data: bytes) -> list[str | None]:
    """The lines polars must produce: Python's own split at LF, lossy UTF-8, CRLF allowed."""
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    if not text:
        return []
    parts = text.split("\n")
    if text.endswith("\n"):
        parts.pop()
    out: list[str | None] = []
    for part in parts:
        part = part.removesuffix("\r")
        if CUTS_AT_UNIT_SEPARATOR and "\x1f" in part:
            part = part.split("\x1f")[0].removesuffix("\r")  # the CSV reader trims a CR before it too
        out.append(part or None)
    return out


_ATOMS = [b"\n", b"\r", b"\r\n", b"\x00", b"\x1f", b'"', b"\\", b"\xff", b"\xef\xbb\xbf", b" ", b"\t", b"a", b"#",
          b"\xe4\xb8\xad", b"\xc3", b",", b"\x0b"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_ATOMS), max_size=60))
def test_scan_lines_keeps_every_line(atoms: list[bytes]) -> None:
    data = b"".join(atoms)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.log"
        path.write_bytes(data)
        got = scan_lines(Input("x", path)).collect(engine="streaming")
    assert got["line"].to_list() == python_lines(data)
    assert got["lineno"].to_list() == list(range(1, got.height + 1))


def test_sample_of_a_file_without_line_breaks_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    blob = bytes(range(11, 256)) * ((12 << 20) // 245)  # 12 MB, no LF
    path.write_bytes(blob + b"\n" + ORDINARY + b"\n")
    start = time.monotonic()
    sample = read_sample(Input("blob.bin", path))
    assert time.monotonic() - start < 5
    assert len(sample) == 2
    assert len(sample[0].encode("utf-8", "surrogatepass")) <= 3 * SAMPLE_LINE_BYTES
    assert len(sample[0]) <= SAMPLE_LINE_BYTES and sample[1] == ORDINARY.decode()


def test_lines_of_megabytes(tmp_path: Path) -> None:
    long_path = "/" + "a" * 2_000_000
    lines = [
        line(request=f"GET {long_path} HTTP/1.1"),  # a 2 MB URL
        line("404", ua="b" * 1_500_000),  # a 1.5 MB agent
        "x" * 1_200_000,  # 1.2 MB of garbage
        line("9" * 100_000),  # a 100 kB status
        line(client=", ".join(["10.0.0.1"] * 100_000)),  # an X-Forwarded-For list of 1 MB
        line(request='GET /' + '\\"' * 500_000 + ' HTTP/1.1'),  # a megabyte of escaped quotes
        '1.2.3.4 - - ' + T + ' "' + "\\" * 1_000_001,  # a megabyte of backslashes, unterminated
        line(),
    ]
    path = tmp_path / "long.log"
    path.write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    report = report_of(path, tmp_path, log_format=None)
    t = report.totals
    assert (t.lines, t.parsed, t.unparsed) == (8, 6, 2)
    assert {row.raw: row.count for row in report.by_code} == {"200": 4, "404": 1, "9" * 100_000: 1}
    assert [s.lineno for s in report.unparsed_samples] == [3, 7]
    FUZZ.check_everything(report, lines=8, options=[RenderOptions(), RenderOptions(csv_table="unparsed")])
    csv_text = render_csv(report, RenderOptions(csv_table="unparsed"))
    assert max(len(cell) for row in csv.reader(io.StringIO(csv_text)) for cell in row) <= MAX_CELL
    assert time.monotonic() - start < 5


def test_a_megabyte_agent_is_not_printed_in_full(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    path.write_text(f"{line()}\n{line('404', ua='b' * 1_000_000)}\n")
    report = report_of(path, tmp_path)
    for fmt in OutputFormat:
        assert len(renderer_for(fmt)(report, RenderOptions())) < 100_000, fmt


# --- inputs ---------------------------------------------------------------------------------


def test_cr_line_ends_are_line_ends(tmp_path: Path) -> None:
    lines = [line(s) for s in ("200", "404", "500")]
    plain, packed = tmp_path / "mac.log", tmp_path / "mac.log.gz"
    plain.write_bytes("\r".join(lines).encode() + b"\r")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        report = report_of(path, tmp_path, log_format=None)
        assert report.totals.lines == report.totals.parsed == 3
        assert report.inputs[0].note == CR_NOTE
    unix = tmp_path / "unix.log"
    unix.write_bytes("\n".join([*lines, line(ua="a\rb")]).encode() + b"\n")  # a stray CR stays inside its line
    report = report_of(unix, tmp_path)
    assert report.totals.lines == 4 and report.inputs[0].note is None


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_lf_copy_joins_a_crlf_split_between_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(logstat.sources.encoding, "CHUNK", chunk)
    source = tmp_path / "in.log"
    source.write_bytes(b"a\rb\r\nc\r\r\nd\n\re")
    copied = lf_copy(Input("in.log", source), tmp_path / "out.log")
    assert copied.path.read_bytes() == b"a\nb\nc\n\nd\n\ne"
    assert copied.note == CR_NOTE


UTF16_CASES = {
    "le-bom": ("utf-16-le", b"\xff\xfe", "\n", "little-endian"),
    "be-bom": ("utf-16-be", b"\xfe\xff", "\n", "big-endian"),
    "le-crlf-no-bom": ("utf-16-le", b"", "\r\n", "little-endian"),
    "be-no-bom": ("utf-16-be", b"", "\n", "big-endian"),
}


@pytest.mark.parametrize("case", UTF16_CASES, ids=list(UTF16_CASES))
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_a_utf16_log_reads_like_its_utf8_copy(tmp_path: Path, case: str, packed: bool) -> None:
    """PowerShell's ``>`` and Notepad write UTF-16: such a log used to match no format at all."""
    codec, bom, end, order = UTF16_CASES[case]
    lines = [line(s) for s in ("200", "404", "500")] + [line(ua="浏览器 😀"), "junk", ""]
    utf8 = tmp_path / "utf8.log"
    utf8.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = bom + (end.join(lines) + end).encode(codec)
    utf16 = tmp_path / "utf16.log"
    utf16.write_bytes(gzip.compress(data) if packed else data)
    expected, got = report_of(utf8, tmp_path), report_of(utf16, tmp_path)
    assert got.totals == expected.totals and got.totals.lines == len(lines)
    assert got.by_code == expected.by_code
    assert got.evidence_table.equals(expected.evidence_table)
    assert got.inputs[0].note == UTF16_NOTE.format(order=order)


@pytest.mark.parametrize("chunk", [1, 3, 5])
def test_utf8_copy_joins_characters_split_between_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(logstat.sources.encoding, "CHUNK", chunk)
    source = tmp_path / "in.log"
    source.write_bytes(b"\xff\xfe" + "a😀\n浏\n".encode("utf-16-le") + b"\x00")  # an odd byte at the end
    copied = utf8_copy(Input("in.log", source), tmp_path / "out.log", "little-endian")
    assert copied.path.read_text(encoding="utf-8") == "a😀\n浏\n\ufffd"


@pytest.mark.parametrize(
    "data",
    [
        "203.0.113.7 - - 浏览器 é\n".encode(),
        bytes(64),
        bytes(range(256)) * 4,
        b"\xff\xfe\x00\x00" + "a\n".encode("utf-32-le"),
        b"a\x00",
        b"\xff\xfe" + bytes(range(256)),
        b"\xfe\xff" + "203.0.113.7 - - [10/Oct/2026".encode("utf-16-le"),
    ],
    ids=["utf8", "nuls", "binary", "utf32", "one-character", "binary-after-a-mark", "order-against-the-mark"],
)
def test_only_utf16_is_taken_for_utf16(data: bytes) -> None:
    assert utf16_order(data) is None


def test_a_byte_order_mark_alone_is_an_empty_utf16_log(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"\xfe\xff")
    assert utf16_order(path.read_bytes()) == "big-endian"
    assert report_of(path, tmp_path, log_format=None).totals.lines == 0


NON_UTF8_NAMES = [b"gbk-\xb2\xe2\xca\xd4.log", b"latin1-caf\xe9.log", b"big5-\xb3\\.log"]


@pytest.mark.parametrize("raw_name", NON_UTF8_NAMES, ids=["gbk", "latin1", "big5"])
def test_file_name_that_is_not_utf8(tmp_path: Path, raw_name: bytes) -> None:
    name = os.fsdecode(raw_name)
    path = tmp_path / name
    path.write_text(f"{line()}\n{line('404')}\njunk\n")
    shown = display_name(str(path))
    assert "\\x" in shown and shown.encode("utf-8")
    code, out, err = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["inputs"][0]["name"] == shown
    assert data["totals"]["parsed"] == 2 and data["unparsed_samples"][0]["file"] == shown
    outputs = [tmp_path / f"r.{s}" for s in ("json", "csv", "md", "html", "txt")]
    code, _, err = run("summarize", str(path), *[a for o in outputs for a in ("-o", str(o))])
    assert code == ExitCode.OK, err
    for output in outputs:  # Markdown writes a backslash as \\, CSV has no file column in this table
        assert shown in output.read_text("utf-8").replace("\\\\", "\\") or output.suffix == ".csv", output
    missing = str(tmp_path / os.fsdecode(b"nope-\xff.log"))
    code, out, err = run("summarize", missing)
    assert_one_line_error(code, out, err)
    assert "nope-\\xff.log: no such file" in err


def test_process_substitution_and_named_pipe_are_read_in_full(tmp_path: Path) -> None:
    sample = ROOT / "sample_logs" / "combined.log"
    script = f'{sys.executable} -m logstat summarize <(cat "{sample}") <(gzip -c "{sample}") -f json'
    done = subprocess.run(["bash", "-c", script], capture_output=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [i["parsed"] for i in data["inputs"]] == [100, 100]
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(sample.read_bytes()), daemon=True)
    writer.start()
    code, out, err = run("summarize", str(fifo), "-f", "json")
    _release(fifo, writer, os.O_RDONLY)
    assert code == ExitCode.OK, err
    assert json.loads(out)["totals"]["parsed"] == 100
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def _release(fifo: Path, thread: threading.Thread, flags: int) -> None:
    """Wait for ``thread``, blocked on ``fifo``; if it still waits, open the other end so it ends."""
    thread.join(timeout=10)
    if thread.is_alive():
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, flags | os.O_NONBLOCK))
        thread.join(timeout=10)


def test_dev_null_is_an_empty_input() -> None:
    code, out, err = run("summarize", os.devnull, "-f", "json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["totals"]["lines"] == 0


def test_closed_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="standard input is closed"):
        open_inputs(["-"], spool_dir=tmp_path)
    for files in (["-"], []):  # no FILE reads standard input too
        done = subprocess.run(
            [sys.executable, "-m", "logstat", "summarize", *files], stdin=subprocess.DEVNULL, capture_output=True,
            check=False, timeout=60, preexec_fn=lambda: os.close(0),
        )
        assert done.returncode == ExitCode.ERROR
        assert done.stderr.decode() == (
            "logstat: error: -: standard input is closed; pipe a log into logstat or pass a file name\n"
        )


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, who may read anything: refuse this one path as the kernel would.
    locked = tmp_path / "secret.log"
    locked.write_text(line() + "\n")
    real_open = Path.open

    def refusing(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing)
    code, out, err = run("summarize", str(locked))
    assert_one_line_error(code, out, err)
    assert err == f"logstat: error: {locked}: permission denied; run as a user that can read it\n"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("{tmp}/missing.log", "{tmp}/missing.log: no such file; check the path"),
        ("{tmp}", "{tmp}: is a directory; pass the files in it"),
        ("{tmp}/*.nothing", "{tmp}/*.nothing: the pattern matches no file"),
        ("{tmp}/esc\x1b[31mape\x07.log", "{tmp}/esc\\x1b[31mape\\x07.log: the pattern matches no file"),
        ("{tmp}/bell\x07\u202e.log", "{tmp}/bell\\x07\\u202e.log: no such file"),
    ],
)
def test_input_errors_are_one_escaped_line(tmp_path: Path, argument: str, message: str) -> None:
    code, out, err = run("summarize", argument.format(tmp=tmp_path))
    assert_one_line_error(code, out, err)
    assert message.format(tmp=tmp_path) in err
    assert not FUZZ.UNSAFE.search(err.rstrip("\n"))


def test_log_format_argument_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    fmt = resolve_log_format(os.fsdecode(b"\xff $remote_addr [$time_local] $status"))
    assert fmt.definition.startswith("\ufffd ")
    path = tmp_path / "odd.log"
    path.write_bytes(b"\xff 10.0.0.1 " + T.encode() + b" 200\n")
    spec = os.fsdecode(b"\xff $remote_addr [$time_local] $status")
    code, out, err = run("summarize", str(path), "-f", "json", "-l", spec)
    assert code == ExitCode.OK, err
    assert json.loads(out)["totals"]["parsed"] == 1


# --- the command line: errors, Ctrl-C, closed pipes -----------------------------------------


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RuntimeError("boom\nwith a second line"), "unexpected RuntimeError: boom; this is a bug"),
        (OSError(5, "Input/output error", "/var/log/x.log"), "/var/log/x.log: Input/output error; check the file"),
        (MemoryError(), "out of memory; read fewer or smaller files at a time"),
        (pl.exceptions.PanicException("polars panicked"), "unexpected PanicException: polars panicked"),
        (pl.exceptions.ComputeError("bad\n\nplan"), "unexpected ComputeError: bad; this is a bug"),
    ],
    ids=["bug", "oserror", "memory", "panic", "polars"],
)
def test_unexpected_errors_are_one_line_and_a_traceback_only_on_request(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, message: str
) -> None:
    def failing(*_: object, **__: object) -> Report:
        raise error

    monkeypatch.setattr(logstat.report, "build_report", failing)
    sample = str(ROOT / "sample_logs" / "combined.log")
    code, out, err = run("summarize", sample)
    assert_one_line_error(code, out, err)
    assert message in err
    code, _, err = run("summarize", sample, "--debug")
    assert code == ExitCode.ERROR and "Traceback" in err and message in err


def test_a_file_that_shrinks_while_it_is_read_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """logrotate's copytruncate can empty a log under the scan; polars then fails without a name."""

    def shrunk(*_: object, **__: object) -> Report:
        msg = "failed to fill whole buffer"  # what polars raises then
        raise OSError(msg)

    monkeypatch.setattr(logstat.tally.count, "_count", shrunk)
    path = tmp_path / "access.log"
    path.write_text(line() + "\n")
    code, out, err = run("summarize", str(path))
    assert_one_line_error(code, out, err)
    assert err.startswith(f"logstat: error: {path}: reading failed (failed to fill whole buffer); ")
    assert "truncated or rotated while logstat read it, run logstat again" in err


def test_ctrl_c_exits_130_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> Report:
        raise KeyboardInterrupt

    monkeypatch.setattr(logstat.report, "build_report", interrupted)
    code, out, err = run("summarize", str(ROOT / "sample_logs" / "combined.log"))
    assert (code, out, err) == (ExitCode.INTERRUPTED, "", "")


def test_ctrl_c_in_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "logstat", "summarize", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert proc.stdin is not None
    proc.stdin.write(ORDINARY + b"\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("logstat-*/stdin-0")):  # it is copying stdin: past all imports
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert (out, err) == (b"", b"")
    assert not list(tmp_path.glob("logstat-*")), "the spool directory is removed"


@pytest.fixture(scope="module")
def wide_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A log whose report is far larger than a pipe buffer: 3,000 distinct status values."""
    path = tmp_path_factory.mktemp("wide") / "wide.log"
    path.write_text("".join(line(f"s{i:05d}") + "\n" for i in range(3000)))
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_reader_that_goes_away_early(wide_log: Path, fmt: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "logstat", "summarize", str(wide_log), "-f", fmt],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # closed before logstat writes a byte
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=60) == ExitCode.OK
    assert err == b""


@pytest.mark.parametrize("command", [["codes"], ["formats"]])
def test_other_commands_with_a_reader_that_goes_away(command: list[str]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "logstat", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (ExitCode.OK, b"")


def test_head_closes_the_pipe_in_the_middle(wide_log: Path) -> None:
    script = f'set -o pipefail; {sys.executable} -m logstat summarize "{wide_log}" | head -c 5000 >/dev/null'
    done = subprocess.run(["bash", "-c", script], capture_output=True, check=False, timeout=60)
    assert done.returncode == 0
    assert done.stderr == b"", done.stderr  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_output_the_terminal_cannot_encode(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    sample = str(ROOT / "sample_logs" / "combined.log")
    done = subprocess.run(
        [sys.executable, "-m", "logstat", "summarize", sample, "--lang", "zh"], capture_output=True, env=env,
        check=False, timeout=60,
    )
    assert done.returncode == ExitCode.ERROR
    err = done.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cannot be written in the ascii encoding; use a UTF-8 locale" in err


# --- inputs are never written; outputs are renamed into place -------------------------------


def _fingerprint(path: Path) -> tuple[str, int, int, int, int]:
    info = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size, info.st_mtime_ns, info.st_mode, info.st_ino


def test_inputs_are_never_written(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    text = (ROOT / "sample_logs" / "combined.log").read_bytes()
    inputs = {
        "access.log": text,
        "access.log.1.gz": gzip.compress(text),
        "access.log.2.bz2": bz2.compress(text),
        "mac.log": text.replace(b"\n", b"\r"),
        os.fsdecode(b"gbk-\xb2\xe2.log"): text,
        "edge_cases.log": (ROOT / "sample_logs" / "edge_cases.log").read_bytes(),
    }
    for name, data in inputs.items():
        (logs / name).write_bytes(data)
        os.utime(logs / name, ns=(1_000_000_000, 1_000_000_000))
    before = {p.name: _fingerprint(p) for p in logs.iterdir()}
    out = tmp_path / "out"
    out.mkdir()
    targets = [out / f"r.{s}" for s in ("json", "csv", "md", "html", "txt")]
    args = ["summarize", *(str(logs / n) for n in inputs), *[a for t in targets for a in ("-o", str(t))]]
    env = {**os.environ, "TMPDIR": str(tmp_path / "spool")}
    (tmp_path / "spool").mkdir()
    command = [sys.executable, "-m", "logstat", *args]
    done = subprocess.run(command, capture_output=True, env=env, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {p.name: _fingerprint(p) for p in logs.iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(t.name for t in targets), "no temporary file left"
    assert not list((tmp_path / "spool").iterdir()), "the spool directory is removed"


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes((ROOT / "sample_logs" / "combined.log").read_bytes())
    before = _fingerprint(log)
    code, _, err = run("summarize", str(log), "-f", "json", "-o", str(log))
    assert _fingerprint(log) == before
    assert code == ExitCode.USAGE and "is also an input" in err


def test_output_to_a_pipe_is_written_straight_to_it(tmp_path: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run("summarize", str(ROOT / "sample_logs" / "combined.log"), "-o", str(fifo))
    _release(fifo, reader, os.O_WRONLY)
    assert code == ExitCode.OK, err
    assert received and json.loads(received[0])["totals"]["parsed"] == 100
    assert stat.S_ISFIFO(fifo.stat().st_mode) and list(tmp_path.iterdir()) == [fifo]


def test_output_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "site" / "report.html"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.html"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: Path, mode: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "chmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "r.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / os.fsdecode(b"r\xff.json")
    code, out, err = run("summarize", str(ROOT / "sample_logs" / "combined.log"), "-o", str(target))
    assert_one_line_error(code, out, err)
    assert "missing-dir/r\\xff.json: cannot write the report (No such file or directory)" in err


# --- nothing from a log reaches an output as markup, control or formula ---------------------

CONTROLS = "".join(map(chr, [*range(0x01, 0x20), 0x7F, *range(0x80, 0xA0)])) + "\u061c\u200e\u200f" + "".join(
    map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
)
"""Every C0 control (but NUL, which no file name can hold), DEL, every C1 control, every bidi mark."""


def test_every_control_and_bidi_character_is_shown_escaped(tmp_path: Path) -> None:
    name = tmp_path / f"x{CONTROLS.replace('/', '')}.log"
    garbage = [f"junk {c} /path{c}end" for c in CONTROLS if c not in "\n\r"]
    statuses = [f"5{c}0" for c in CONTROLS if c not in "\n\r\t\x0b\x0c\x1f"]  # 0x1F: see scan_lines
    inline = CONTROLS.replace("\n", "").replace("\r", "").replace("\x1f", "")  # 0x1F: see scan_lines
    evidence = [line(code, request=f"GET /{inline} HTTP/1.1", ua=inline) for code in ("404", "502")]
    parsed = [line(s) for s in statuses] + evidence  # error codes show their paths and agents
    name.write_text("\n".join([line(), *garbage, *parsed]) + "\n")
    for fmt in ("table", "markdown", "html", "csv"):
        args = ["summarize", str(name), "-l", "combined", "-f", fmt]
        tables = ["codes", "series", "unparsed"] if fmt == "csv" else [None]
        for table in tables:
            code, out, err = run(*args, *(["--table", table] if table else []))
            assert code == ExitCode.OK, err
            found = FUZZ.UNSAFE.search(out.replace("\r\n", "\n"))
            assert found is None, f"raw {found.group()!r} in {fmt} {table or ''}"
            assert "\\x1b" in out or "\\x1b" in out.replace("\\\\", "\\")
    code, out, _ = run("summarize", str(name), "-l", "combined", "-f", "json")
    data = json.loads(out)
    assert data["inputs"][0]["name"] == str(name)  # JSON keeps the text exactly, escaped by JSON itself
    assert len(data["by_code"]) == len(statuses) + 3


def test_the_terminal_table_escapes_the_file_name_and_the_status(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b]0;title\x07[bold]b[i].log"
    path.write_text(f"{line(chr(0x202E) + '002')}\n{line()}\n")
    code, out, err = run("summarize", str(path), "-l", "combined")
    assert code == ExitCode.OK, err
    assert "a\\x1b]0;title\\x07[bold]b[i].log" in out
    assert "\\u202e002" in out and "\x1b" not in out and "\u202e" not in out


@pytest.mark.parametrize(
    ("cell", "defused"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x.test")', "'=HYPERLINK(\"http://x.test\")"),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-1+2", "'-1+2"),
        ("--", "'--"),
        ("-", "-"),
        ("-1", "-1"),
        ("+5", "+5"),
        ("-2.5", "-2.5"),
        ("200", "200"),
        ("\t=1+1", "\\x09=1+1"),
        ("\r=1+1", "\\x0d=1+1"),
        ("GET /=x", "GET /=x"),
    ],
)
def test_defuse(cell: str, defused: str) -> None:
    assert defuse(cell) == defused


def _csv_rows(report: Report, **options: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(render_csv(report, RenderOptions(**options)))))


def test_every_csv_cell_from_log_data_is_defused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = Path("=cmd|' calc'!A0.log")
    path.write_text("\n".join([line(s) for s in ("200", "=1+1", "-1", "-", "@x", "+1+1")] + ["=2+2 junk", "-x"]) + "\n")
    report = report_of(path, tmp_path)
    codes = {row[1] for row in _csv_rows(report)[1:]}
    assert codes == {"200", "'=1+1", "-1", "-", "'@x", "'+1+1"}
    series = _csv_rows(report, csv_table="series")[1:]
    assert {row[4] for row in series} == codes
    assert {row[1] for row in series} == {"200", ""}  # status: a status number, or empty
    unparsed = _csv_rows(report, csv_table="unparsed")[1:]
    assert [r[0] for r in unparsed] == ["'=cmd|' calc'!A0.log"] * 2
    assert [r[3] for r in unparsed] == ["'=2+2 junk", "'-x"]
    raw = _csv_rows(report, csv_raw=True)
    assert {row[1] for row in raw[1:]} == {"200", "=1+1", "-1", "-", "@x", "+1+1"}
    assert [r[3] for r in _csv_rows(report, csv_table="unparsed", csv_raw=True)[1:]] == ["=2+2 junk", "-x"]


def test_html_holds_no_active_content_from_data(tmp_path: Path) -> None:
    path = tmp_path / '"><script>alert(1)<\\script>.log'
    hostile = [c.line for c in CASES if c.name.startswith(("status_html", "status_javascript", "html_"))]
    path.write_bytes(b"\n".join([ORDINARY, *hostile]) + b"\n")
    report = report_of(path, tmp_path)
    for options in (RenderOptions(), RenderOptions(lang="zh", by="minute")):
        page = renderer_for(OutputFormat.HTML)(report, options)
        FUZZ.check_html(page)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page.lower()


def test_json_is_valid_whatever_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / os.fsdecode(b"\xed\xa0\x80-\xff.log")  # a UTF-8-encoded surrogate and a stray byte
    junk = b"\xed\xa0\x80\x00\x1b\xff\xfe \x85 \xe2\x80\xae"
    path.write_bytes(ORDINARY + b"\n" + junk + b"\n" + line("\x00").encode() + b"\n")
    code, out, err = run("summarize", str(path), "-f", "json")
    assert code == ExitCode.OK, err
    out.encode("utf-8")  # no lone surrogate
    data = json.loads(out)
    assert data["inputs"][0]["name"].endswith("\\xed\\xa0\\x80-\\xff.log")
    (sample,) = data["unparsed_samples"]
    assert "\x00" in sample["text"] and "\ufffd" in sample["text"]
    assert "\\u0000" in out and "\\u001b" in out
