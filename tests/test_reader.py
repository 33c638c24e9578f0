"""Reading inputs: line numbering, odd bytes, gzip, opening errors and the detection sample."""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import pytest

from logstat.errors import InputError
from logstat.formats import BUILTIN_FORMATS, LogFormat
from logstat.parse import LineKind, parse_lines, read_sample, scan_lines
from logstat.sources import Input, compression_of, open_inputs

LogWriter = Callable[..., Path]

COMBINED = BUILTIN_FORMATS["combined"]
COMMON = BUILTIN_FORMATS["common"]
TIME = "10/Oct/2026:13:55:36 +0000"
GOOD = f'192.0.2.1 - - [{TIME}] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0"'
GOOD_COMMON = f'192.0.2.1 - - [{TIME}] "GET / HTTP/1.1" 404 -'


def scanned(path: Path) -> list[tuple[int, str | None]]:
    return scan_lines(Input(path.name, path)).collect().rows()


def parsed(path: Path, fmt: LogFormat = COMBINED, fields: Sequence[str] = ("status", "time_local")) -> pl.DataFrame:
    return parse_lines(scan_lines(Input(path.name, path)), fmt, list(fields)).collect()


# --- scan_lines ------------------------------------------------------------------------


def test_scan_lines_numbers_from_one_and_reads_empty_lines_as_null(write_log: LogWriter) -> None:
    path = write_log(["first", "", "third", "", ""])
    assert scanned(path) == [(1, "first"), (2, None), (3, "third"), (4, None), (5, None)]


def test_scan_lines_schema(write_log: LogWriter) -> None:
    frame = scan_lines(Input("x", write_log(["a"]))).collect()
    assert frame.columns == ["lineno", "line"]
    assert frame.schema["line"] == pl.String


def test_scan_lines_strips_crlf(write_log: LogWriter) -> None:
    path = write_log(b"one\r\ntwo\r\n\r\nthree\r\n")
    assert scanned(path) == [(1, "one"), (2, "two"), (3, None), (4, "three")]


def test_scan_lines_keeps_a_lone_carriage_return_inside_a_line(write_log: LogWriter) -> None:
    assert scanned(write_log(b"a\rb\n")) == [(1, "a\rb")]


def test_scan_lines_replaces_invalid_utf8(write_log: LogWriter) -> None:
    path = write_log(b"ok \xff\xfe end\nnext \xe4\xb8\n\xc3\xa9t\xc3\xa9\n")
    rows = scanned(path)
    assert rows[0] == (1, "ok \ufffd\ufffd end")
    assert rows[1][1] is not None
    assert rows[1][1].startswith("next \ufffd")
    assert rows[2] == (3, "été")


def test_scan_lines_keeps_nul_bytes(write_log: LogWriter) -> None:
    line_with_nul = GOOD.replace("curl/8.5.0", "curl\x00evil")
    path = write_log(["a\x00b", line_with_nul])
    assert scanned(path) == [(1, "a\x00b"), (2, line_with_nul)]
    assert parsed(path)["kind"].to_list() == [LineKind.UNPARSED, LineKind.PARSED]


def test_scan_lines_reads_last_line_without_newline(write_log: LogWriter) -> None:
    assert scanned(write_log(b"one\ntwo")) == [(1, "one"), (2, "two")]
    assert scanned(write_log(b"one\r\ntwo\r", "crlf.log")) == [(1, "one"), (2, "two")]


def test_scan_lines_empty_file(write_log: LogWriter) -> None:
    path = write_log(b"")
    assert scanned(path) == []
    frame = parsed(path)
    assert frame.height == 0
    assert frame.columns == ["lineno", "line", "status", "time_local", "kind"]


def test_scan_lines_single_newline_is_one_blank_line(write_log: LogWriter) -> None:
    assert scanned(write_log(b"\n")) == [(1, None)]


def test_scan_lines_keeps_every_byte_of_a_line(write_log: LogWriter) -> None:
    # The CSV reader's separator is the line end itself, so no byte splits a line.
    assert scanned(write_log(b"abc\x1fdef\x00g,h;i\tj\nnext\n")) == [(1, "abc\x1fdef\x00g,h;i\tj"), (2, "next")]


def test_scan_lines_drops_a_byte_order_mark(write_log: LogWriter) -> None:
    path = write_log(b"\xef\xbb\xbf" + GOOD.encode() + b"\n")
    assert scanned(path) == [(1, GOOD)]


def test_scan_lines_reads_gzip(write_log: LogWriter) -> None:
    lines = [GOOD, "", "garbage", GOOD]
    plain = write_log(lines, "access.log")
    packed = write_log(lines, "access.log.gz")
    assert compression_of(packed) == "gzip"
    assert compression_of(plain) is None
    assert scanned(packed) == scanned(plain) == [(1, GOOD), (2, None), (3, "garbage"), (4, GOOD)]


def test_scan_lines_reads_every_member_of_a_multi_member_gzip(write_log: LogWriter) -> None:
    # `cat access.log.1.gz access.log.2.gz > both.gz` is a valid gzip file of two members.
    data = gzip.compress(f"{GOOD}\nfirst member end\n".encode()) + gzip.compress(b"\nsecond member\n")
    path = write_log(data, "both.log.gz")
    assert scanned(path) == [(1, GOOD), (2, "first member end"), (3, None), (4, "second member")]
    assert read_sample(Input("both", path, compression="gzip")) == [GOOD, "first member end", "second member"]


# --- parse_lines -----------------------------------------------------------------------


def test_parse_lines_kinds_and_fields(write_log: LogWriter) -> None:
    path = write_log([GOOD, "", "   \t", "not a log line", GOOD.replace("200", "503"), "\x0b\x0c"])
    frame = parsed(path)
    assert frame["lineno"].to_list() == [1, 2, 3, 4, 5, 6]
    assert frame["kind"].to_list() == [
        LineKind.PARSED,
        LineKind.BLANK,
        LineKind.BLANK,
        LineKind.UNPARSED,
        LineKind.PARSED,
        LineKind.BLANK,
    ]
    assert frame["status"].to_list() == ["200", None, None, None, "503", None]
    assert frame["time_local"].to_list() == [TIME, None, None, None, TIME, None]
    assert frame.schema["kind"] == pl.UInt8


def test_parse_lines_common_with_crlf(write_log: LogWriter) -> None:
    # common ends with a field, so a leftover "\r" would break the match.
    path = write_log(f"{GOOD_COMMON}\r\n{GOOD_COMMON}\r\n".encode())
    frame = parsed(path, COMMON)
    assert frame["kind"].to_list() == [LineKind.PARSED, LineKind.PARSED]
    assert frame["status"].to_list() == ["404", "404"]


def test_parse_lines_captures_only_requested_fields(write_log: LogWriter) -> None:
    path = write_log([GOOD])
    assert parsed(path, fields=["status"]).columns == ["lineno", "line", "status", "kind"]
    everything = parsed(path, fields=COMBINED.fields)
    assert everything.columns == ["lineno", "line", *COMBINED.fields, "kind"]
    assert everything.row(0, named=True)["http_user_agent"] == "curl/8.5.0"


def test_parse_lines_truncated_line_is_parsed_when_needed_fields_are_present(write_log: LogWriter) -> None:
    # Only status and time are needed, so a line cut off after the status still counts.
    cut = f'192.0.2.1 - - [{TIME}] "GET / HTTP/1.1" 200 '
    frame = parsed(write_log([cut, cut.rstrip()]))
    assert frame["kind"].to_list() == [LineKind.PARSED, LineKind.UNPARSED]


# --- open_inputs -----------------------------------------------------------------------


def test_open_inputs_missing_file(tmp_path: Path) -> None:
    name = str(tmp_path / "nope.log")
    with pytest.raises(InputError) as info:
        open_inputs([name], spool_dir=tmp_path)
    assert str(info.value) == f"{name}: no such file; check the path"


def test_open_inputs_directory_suggests_a_glob(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    with pytest.raises(InputError) as info:
        open_inputs([str(logs)], spool_dir=tmp_path)
    message = str(info.value)
    assert message.startswith(f"{logs}: is a directory; pass the files in it")
    assert f"'{logs / 'access.log*'}'" in message


def test_open_inputs_keeps_order_and_names(write_log: LogWriter, tmp_path: Path) -> None:
    first = write_log(["a"], "b.log")
    second = write_log(["b"], "a.log.gz")
    inputs = open_inputs([str(first), str(second)], spool_dir=tmp_path)
    assert [(i.name, i.path) for i in inputs] == [(str(first), first), (str(second), second)]
    assert [i.compression for i in inputs] == [None, "gzip"]


def test_open_inputs_spools_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = f"{GOOD}\n\nlast".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    spool = tmp_path / "spool"
    spool.mkdir()
    [source] = open_inputs(["-"], spool_dir=spool)
    assert source.name == "<stdin>"
    assert source.path.parent == spool
    assert source.path.read_bytes() == data
    assert scanned(source.path) == [(1, GOOD), (2, None), (3, "last")]


# --- read_sample -----------------------------------------------------------------------


def test_read_sample_skips_blank_lines(write_log: LogWriter) -> None:
    path = write_log(b"\n\n  \n\t\none\r\n\r\ntwo\n   \nthree")
    assert read_sample(Input("x", path)) == ["one", "two", "three"]


def test_read_sample_limit(write_log: LogWriter) -> None:
    path = write_log([""] + [f"line {i}" for i in range(10)])
    assert read_sample(Input("x", path), limit=3) == ["line 0", "line 1", "line 2"]


def test_read_sample_decodes_lossily(write_log: LogWriter) -> None:
    assert read_sample(Input("x", write_log(b"a\xffb\n"))) == ["a\ufffdb"]


def test_read_sample_empty_and_blank_files(write_log: LogWriter) -> None:
    assert read_sample(Input("x", write_log(b""))) == []
    assert read_sample(Input("y", write_log(b"\n \n\r\n", "blank.log"))) == []


def test_read_sample_gzip(write_log: LogWriter) -> None:
    path = write_log(["", GOOD, GOOD_COMMON], "access.log.gz")
    assert read_sample(Input("x", path)) == [GOOD, GOOD_COMMON]


def test_read_sample_truncated_gzip_is_an_input_error(write_log: LogWriter) -> None:
    data = gzip.compress("\n".join([GOOD] * 200).encode())
    path = write_log(data[: len(data) // 2], "cut.log.gz")
    with pytest.raises(InputError, match=r"^cut: the file is truncated or corrupt \(.*\); check it or re-copy it$"):
        read_sample(Input("cut", path))
