"""Log formats: built-ins, the nginx/Apache compilers, detection and mismatch reasons.

Every pattern must behave the same in Python ``re`` and in polars (Rust ``regex``), so
the line-level tests parse with both engines and require them to agree.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logstat.errors import FormatError, UnknownFormatError
from logstat.formats import (
    BUILTIN_FORMATS,
    FIELD_PATTERNS,
    IMPOSSIBLE_DAY,
    LINE_PREFIXES,
    LogFormat,
    compile_apache,
    compile_nginx,
    detect_format,
    error_log_kind,
    fit_prefix,
    resolve_log_format,
    with_prefix,
)
from logstat.parse import parse_time
from logstat.tally.group import needed_fields

COMBINED = BUILTIN_FORMATS["combined"]
COMMON = BUILTIN_FORMATS["common"]
TIME = "10/Oct/2026:13:55:36 +0000"

NGINX_MAIN_DIRECTIVE = """\
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
"""
APACHE_COMBINED_VERBATIM = r"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""
APACHE_COMBINED_DIRECTIVE = f'LogFormat "{APACHE_COMBINED_VERBATIM}" combined'

# Formats compiled by the tests below; each must also compile in both regex engines.
NGINX_DEFINITIONS = [
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent',
    '${remote_addr} [$time_local] ${status}ms "$request"',
    NGINX_MAIN_DIRECTIVE,
    '$remote_addr "$request" $status',
    "$time_iso8601 $remote_addr $status $request_time",
    "$msec $status",
    'log_format json escape=json \'{"time":"$time_iso8601","status":"$status"}\';',
    "$remote_addr\t$http_x_forwarded_for\t$status\t$time_iso8601",
]
APACHE_DEFINITIONS = [
    APACHE_COMBINED_VERBATIM,
    APACHE_COMBINED_DIRECTIVE,
    r"%{X-Forwarded-For}i %l %u %t \"%r\" %s %b",
    "%h %>s %{ms}T %{us}T %T %D",
    "%h %>s 100%%",
    "%v:%p %h %{%d/%b/%Y:%H:%M:%S %z}t %>s",
    'CustomLog logs/access_log "%h %t %>s %O"',
]


def parse_both(pattern: str, line: str) -> dict[str, str | None] | None:
    """Fields captured from ``line`` by ``re`` and by polars, after checking they agree."""
    found = re.match(pattern, line)
    frame = pl.DataFrame({"line": [line]}, schema={"line": pl.String})
    matched = frame.select(pl.col("line").str.contains(pattern)).item()
    assert matched == (found is not None), f"re and polars disagree on whether {line!r} matches"
    if found is None:
        return None
    groups = frame.select(pl.col("line").str.extract_groups(pattern)).unnest("line").row(0, named=True)
    assert groups == found.groupdict()
    return groups


def combined_line(
    client: str = "203.0.113.7",
    request: str = "GET / HTTP/1.1",
    status: str = "200",
    size: str = "512",
    agent: str = "curl/8.5.0",
    tail: str = "",
) -> str:
    return f'{client} - - [{TIME}] "{request}" {status} {size} "-" "{agent}"{tail}'


# --- built-in formats ------------------------------------------------------------------

EXAMPLE_STATUS = {
    "combined": "200",
    "common": "304",
    "vhost_combined": "200",
    "nginx_main": "401",
    "nginx_timed": "502",
    "ingress_nginx": "504",
    "apache_timed": "200",
}


def test_every_builtin_has_an_expected_status() -> None:
    assert set(EXAMPLE_STATUS) == set(BUILTIN_FORMATS)


@pytest.mark.parametrize("name", BUILTIN_FORMATS)
def test_builtin_parses_its_own_example(name: str) -> None:
    fmt = BUILTIN_FORMATS[name]
    assert fmt.name == name
    fields = parse_both(fmt.pattern(), fmt.example)
    assert fields is not None
    assert set(fields) == set(fmt.fields)
    assert all(value is not None for value in fields.values())
    assert fields["status"] == EXAMPLE_STATUS[name]
    assert fields["time_local"] == TIME


def test_combined_example_fields() -> None:
    assert parse_both(COMBINED.pattern(), COMBINED.example) == {
        "remote_addr": "203.0.113.7",
        "remote_ident": "-",
        "remote_user": "-",
        "time_local": TIME,
        "request": "GET /index.html HTTP/1.1",
        "status": "200",
        "body_bytes_sent": "2326",
        "http_referer": "https://example.com/",
        "http_user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    }


@pytest.mark.parametrize(
    ("upstream", "fields"),
    [
        ("[shop-web-80] [] 10.244.1.7:8080 612 0.012 200", ("shop-web-80", "", "10.244.1.7:8080", "0.012", "200")),
        (
            "[shop-api-80] [shop-api-canary-80] 10.244.1.7:8080, 10.244.2.9:8080 0, 160 0.500, 0.002 502, 200",
            ("shop-api-80", "shop-api-canary-80", "10.244.1.7:8080, 10.244.2.9:8080", "0.500, 0.002", "502, 200"),
        ),
        ("[upstream-default-backend] [] - - - -", ("upstream-default-backend", "", "-", "-", "-")),
    ],
    ids=["one", "retried", "none"],
)
def test_ingress_nginx_upstream_fields(upstream: str, fields: tuple[str, ...]) -> None:
    """ingress-nginx leaves the alternative upstream empty, and lists every upstream tried."""
    fmt = BUILTIN_FORMATS["ingress_nginx"]
    line = f'10.0.0.1 - - [{TIME}] "GET / HTTP/1.1" 200 612 "-" "ua" 420 0.013 {upstream} 0123456789abcdef'
    names = ("proxy_upstream_name", "proxy_alternative_upstream_name", "upstream_addr")
    names += ("upstream_response_time", "upstream_status")
    parsed = parse_both(fmt.pattern(), line)
    assert parsed is not None
    assert tuple(parsed[name] for name in names) == fields
    assert detect_format([line]).log_format is fmt


@pytest.mark.parametrize("name", BUILTIN_FORMATS)
def test_builtin_needed_fields_pattern_parses_example(name: str) -> None:
    fmt = BUILTIN_FORMATS[name]
    fields = parse_both(fmt.pattern(needed_fields(fmt)), fmt.example)
    latency = {
        "nginx_timed": {"request_time": "3.002", "upstream_response_time": "3.001"},
        "ingress_nginx": {"request_time": "60.001", "upstream_response_time": "60.000"},
        "apache_timed": {"request_time_us": "412345"},
    }
    assert fields == {"status": EXAMPLE_STATUS[name], "time_local": TIME, **latency.get(name, {})}


def test_builtin_metadata() -> None:
    for fmt in BUILTIN_FORMATS.values():
        assert fmt.description
        assert fmt.time_field == "time_local"
        assert fmt.syntax == ("nginx" if "$" in fmt.definition else "apache")
    assert COMBINED.fields == (
        "remote_addr",
        "remote_ident",
        "remote_user",
        "time_local",
        "request",
        "status",
        "body_bytes_sent",
        "http_referer",
        "http_user_agent",
    )


# --- detection -------------------------------------------------------------------------


def example_sample(fmt: LogFormat, n: int = 6) -> list[str]:
    """``n`` lines in the shape of ``fmt.example``, with different seconds."""
    return [fmt.example.replace("13:55:36", f"13:55:{i:02d}") for i in range(n)]


@pytest.mark.parametrize("name", BUILTIN_FORMATS)
def test_detect_picks_each_builtin(name: str) -> None:
    fmt = BUILTIN_FORMATS[name]
    detection = detect_format(example_sample(fmt))
    assert detection.log_format is fmt
    assert detection.shares[name] == 1.0
    assert set(detection.shares) == set(BUILTIN_FORMATS)


@pytest.mark.parametrize("name", BUILTIN_FORMATS)
def test_detect_tolerates_noise_and_blank_lines(name: str) -> None:
    fmt = BUILTIN_FORMATS[name]
    sample = [*example_sample(fmt, 3), "", "garbage line", "   ", "another bad one"]
    detection = detect_format(sample)
    assert detection.log_format is fmt
    assert detection.shares[name] == pytest.approx(0.6)


def test_detect_tie_goes_to_the_more_specific_format() -> None:
    detection = detect_format(example_sample(BUILTIN_FORMATS["nginx_main"]))
    # combined and common also match every line (trailing fields are allowed).
    assert detection.shares["combined"] == detection.shares["common"] == 1.0
    assert detection.log_format.name == "nginx_main"


def test_detect_threshold_is_half_of_the_non_blank_lines() -> None:
    assert detect_format([COMMON.example, "junk", ""]).log_format is COMMON
    with pytest.raises(UnknownFormatError):
        detect_format([COMMON.example, "junk", "more junk"])


def test_detect_failure_lists_what_was_tried() -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect_format([COMMON.example, "hello", "world"])
    message = str(info.value)
    assert "tried combined 0%, common 33%, vhost_combined 0%" in message
    for name in BUILTIN_FORMATS:
        assert name in message
    assert "--log-format" in message


@pytest.mark.parametrize(
    ("kind", "lines"),
    [
        (
            "an nginx error log",
            [
                "2026/10/01 12:00:01 [error] 123#0: *1 connect() failed (111: Connection refused) while connecting",
                "2026/10/01 12:00:02 [warn] 123#0: *2 an upstream response is buffered to a temporary file",
            ],
        ),
        (
            "an Apache error log",
            [
                "[Thu Oct 01 12:00:01.123456 2026] [core:error] [pid 42] [client 192.0.2.1:5] AH00126: Invalid URI",
                "[Thu Oct 01 12:00:02 2026] [error] [client 192.0.2.1] File does not exist: /var/www/favicon.ico",
            ],
        ),
    ],
)
def test_detect_names_an_error_log(kind: str, lines: list[str]) -> None:
    with pytest.raises(UnknownFormatError, match=f"^this is {kind}, not an access log; logstat reads access logs"):
        detect_format(lines)
    assert error_log_kind([*lines, COMMON.example]) == kind
    assert error_log_kind([lines[0], COMMON.example, COMMON.example]) is None


def test_nginx_json_log_format() -> None:
    fmt = compile_nginx(
        """log_format j escape=json '{"time":"$time_iso8601","client":"$remote_addr",'
                                  '"request":"$request","status":$status,"rt":$request_time}';"""
    )
    line = (
        '{"time":"2026-10-10T13:55:36+00:00","client":"192.0.2.1",'
        '"request":"GET /a?q=\\"x\\" HTTP/1.1","status":404,"rt":0.012}'
    )
    assert parse_both(fmt.pattern(), line) == {
        "time_iso8601": "2026-10-10T13:55:36+00:00",
        "remote_addr": "192.0.2.1",
        "request": 'GET /a?q=\\"x\\" HTTP/1.1',
        "status": "404",
        "request_time": "0.012",
    }


def test_detect_reads_json_lines_by_key() -> None:
    lines = ['{"time":"2026-10-10T13:55:36+00:00","status":404,"request":"GET / HTTP/1.1"}'] * 3
    fmt = detect_format(lines).log_format
    assert fmt.name == "json"
    assert dict(fmt.json_paths) == {"status": '$["status"]', "time_iso8601": '$["time"]', "request": '$["request"]'}
    assert fmt.time_field == "time_iso8601"


def test_detect_points_json_lines_without_a_status_to_their_log_format() -> None:
    lines = ['{"time":"2026-10-10T13:55:36+00:00","code":404,"request":"GET / HTTP/1.1"}'] * 3
    with pytest.raises(UnknownFormatError, match=r"^the lines are JSON objects, but no key holds a status"):
        detect_format(lines)


def test_detect_on_blank_lines_only_fails() -> None:
    with pytest.raises(UnknownFormatError, match="no known log format matches"):
        detect_format(["", "   ", "\t"])


def test_detect_among_given_candidates() -> None:
    detection = detect_format(example_sample(COMBINED), [COMMON, BUILTIN_FORMATS["vhost_combined"]])
    assert detection.log_format is COMMON
    assert set(detection.shares) == {"common", "vhost_combined"}


# --- lines behind a collector's prefix ---------------------------------------------------

COLLECTOR_PREFIXES = {
    "syslog": [
        "Oct 10 13:55:36 web1 nginx: ",
        "Oct  1 13:55:36 web1 nginx[812]: ",
        "<190>Oct 10 13:55:36 web-1.example.com nginx: ",
        "2026-10-10T13:55:36.123456+00:00 web1 httpd[7]: ",
        "2026-10-10T13:55:36+0000 web1 apache2: ",
    ],
    "kubernetes": ["2026-10-10T13:55:36.123456789Z stdout F ", "2026-10-10T13:55:36.1+02:00 stderr F "],
    "timestamp": ["2026-10-10T13:55:36.123456789Z ", "2026-10-10T13:55:36Z "],
}


@pytest.mark.parametrize("prefix_name", COLLECTOR_PREFIXES)
@pytest.mark.parametrize("name", ["combined", "nginx_timed", "common"])
def test_detect_sees_through_a_collector_prefix(prefix_name: str, name: str) -> None:
    """nginx's ``access_log syslog:``, journalctl and Kubernetes put text before each line."""
    fmt = BUILTIN_FORMATS[name]
    prefixes = COLLECTOR_PREFIXES[prefix_name]
    lines = [prefixes[i % len(prefixes)] + line for i, line in enumerate(example_sample(fmt))]
    detection = detect_format(lines)
    assert detection.log_format == with_prefix(fmt, prefix_name)
    assert detection.log_format.name == f"{prefix_name} + {name}"
    assert detection.shares[detection.log_format.name] == 1.0
    # The fields, the time included, come from the access-log line, not from the prefix.
    assert parse_both(detection.log_format.pattern(), lines[0]) == parse_both(fmt.pattern(), example_sample(fmt)[0])
    assert resolve_log_format(f"{prefix_name} + {name}") == detection.log_format


def test_a_given_format_sees_through_a_collector_prefix() -> None:
    lines = ["Oct 10 13:55:36 web1 nginx: " + line for line in example_sample(COMBINED)]
    custom = compile_nginx('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent')
    assert fit_prefix(custom, lines) == with_prefix(custom, "syslog")
    assert fit_prefix(custom, example_sample(COMBINED)) is custom
    assert fit_prefix(custom, ["junk", "more junk"]) is custom
    assert fit_prefix(custom, []) is custom


def test_plain_lines_take_no_prefix() -> None:
    for name, fmt in BUILTIN_FORMATS.items():
        assert detect_format(example_sample(fmt)).log_format.prefix == "", name
    assert set(LINE_PREFIXES) == set(COLLECTOR_PREFIXES)


# --- compiling nginx formats -----------------------------------------------------------


def test_compile_nginx_verbatim() -> None:
    fmt = compile_nginx(NGINX_DEFINITIONS[0])
    assert (fmt.name, fmt.syntax, fmt.definition) == ("custom", "nginx", NGINX_DEFINITIONS[0])
    assert fmt.fields == (
        "remote_addr",
        "remote_user",
        "time_local",
        "request",
        "status",
        "body_bytes_sent",
    )
    assert parse_both(fmt.pattern(), '10.1.2.3 - bob [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 404 0') == {
        "remote_addr": "10.1.2.3",
        "remote_user": "bob",
        "time_local": TIME,
        "request": "GET / HTTP/1.1",
        "status": "404",
        "body_bytes_sent": "0",
    }


def test_compile_nginx_quoted_string_is_unwrapped() -> None:
    fmt = compile_nginx("'$remote_addr $status'")
    assert fmt.definition == "$remote_addr $status"
    assert parse_both(fmt.pattern(), "1.2.3.4 200") == {"remote_addr": "1.2.3.4", "status": "200"}


def test_compile_nginx_braced_variables() -> None:
    fmt = compile_nginx(NGINX_DEFINITIONS[1])
    assert fmt.fields == ("remote_addr", "time_local", "status", "request")
    assert [t.text for t in fmt.tokens if not t.is_field] == [" [", "] ", 'ms "', '"']
    fields = parse_both(fmt.pattern(), f'1.2.3.4 [{TIME}] 503ms "GET /x HTTP/1.1"')
    assert fields is not None
    assert fields["status"] == "503"
    assert fields["request"] == "GET /x HTTP/1.1"


def test_compile_nginx_whole_directive() -> None:
    fmt = compile_nginx(NGINX_MAIN_DIRECTIVE)
    builtin = BUILTIN_FORMATS["nginx_main"]
    assert fmt.definition == builtin.definition
    assert fmt.tokens == builtin.tokens
    fields = parse_both(fmt.pattern(), builtin.example)
    assert fields is not None
    assert fields["http_x_forwarded_for"] == "198.51.100.23"


def test_compile_nginx_directive_with_escape_parameter() -> None:
    fmt = compile_nginx(NGINX_DEFINITIONS[6])
    assert fmt.definition == '{"time":"$time_iso8601","status":"$status"}'
    assert fmt.time_field == "time_iso8601"
    line = '{"time":"2026-10-10T13:55:36+02:00","status":"418"}'
    assert parse_both(fmt.pattern(), line) == {"time_iso8601": "2026-10-10T13:55:36+02:00", "status": "418"}


def test_custom_nginx_format_with_status_last() -> None:
    fmt = compile_nginx(NGINX_DEFINITIONS[3])
    assert fmt.tokens[-1].text == "status"
    line = '192.0.2.1 "GET /health HTTP/1.1" 204'
    expected = {"remote_addr": "192.0.2.1", "request": "GET /health HTTP/1.1", "status": "204"}
    assert parse_both(fmt.pattern(), line) == expected
    assert parse_both(fmt.pattern(), line + " trailing 0.001") == expected
    assert parse_both(fmt.pattern(["status"]), line) == {"status": "204"}
    assert fmt.time_field is None
    assert parse_both(fmt.pattern(), '192.0.2.1 "GET /health HTTP/1.1" ') is None
    assert fmt.explain_mismatch('192.0.2.1 "GET /health HTTP/1.1"') == ("text '\" ' missing or malformed at column 33")


# --- compiling Apache formats ----------------------------------------------------------


def test_compile_apache_verbatim_with_escaped_quotes() -> None:
    fmt = compile_apache(APACHE_COMBINED_VERBATIM)
    assert fmt.syntax == "apache"
    assert fmt.definition == BUILTIN_FORMATS["combined"].definition
    assert fmt.tokens == COMBINED.tokens


def test_compile_apache_whole_logformat_directive() -> None:
    fmt = compile_apache(APACHE_COMBINED_DIRECTIVE)
    assert fmt.definition == COMBINED.definition
    assert fmt.tokens == COMBINED.tokens
    assert parse_both(fmt.pattern(), COMBINED.example) == parse_both(COMBINED.pattern(), COMBINED.example)


def test_compile_apache_customlog_directive() -> None:
    fmt = compile_apache(APACHE_DEFINITIONS[6])
    assert fmt.definition == "%h %t %>s %O"
    assert fmt.fields == ("remote_addr", "time_local", "status", "bytes_sent")


def test_compile_apache_request_header() -> None:
    fmt = compile_apache(APACHE_DEFINITIONS[2])
    assert fmt.fields[0] == "http_x_forwarded_for"
    line = f'203.0.113.9, 10.0.0.2 - - [{TIME}] "GET / HTTP/1.1" 200 1'
    fields = parse_both(fmt.pattern(), line)
    assert fields is not None
    assert fields["http_x_forwarded_for"] == "203.0.113.9, 10.0.0.2"


def test_unquoted_forwarded_for_list_in_a_tab_separated_format() -> None:
    fmt = compile_nginx(NGINX_DEFINITIONS[7])
    line = "10.0.0.1\t203.0.113.9, 10.0.0.2\t200\t2026-10-10T13:55:36Z"
    assert parse_both(fmt.pattern(), line) == {
        "remote_addr": "10.0.0.1",
        "http_x_forwarded_for": "203.0.113.9, 10.0.0.2",
        "status": "200",
        "time_iso8601": "2026-10-10T13:55:36Z",
    }


@pytest.mark.parametrize("directive", ["%>s", "%s", "%<s"])
def test_compile_apache_status_directives(directive: str) -> None:
    fmt = compile_apache(f"%h {directive} %b")
    assert fmt.fields == ("remote_addr", "status", "body_bytes_sent")
    assert parse_both(fmt.pattern(), "1.2.3.4 499 -") == {
        "remote_addr": "1.2.3.4",
        "status": "499",
        "body_bytes_sent": "-",
    }


def test_compile_apache_request_time_units() -> None:
    fmt = compile_apache(APACHE_DEFINITIONS[3])
    assert fmt.fields == (
        "remote_addr",
        "status",
        "request_time_ms",
        "request_time_us",
        "request_time",
    )
    fields = parse_both(fmt.pattern(), "1.2.3.4 200 12 12345 0 12345")
    assert fields is not None
    assert (fields["request_time_ms"], fields["request_time_us"], fields["request_time"]) == ("12", "12345", "0")
    # %D is the microsecond count too; the second occurrence is matched but not captured.
    assert parse_both(fmt.pattern(), "1.2.3.4 200 12 12345 0 1.5") is None


def test_compile_apache_percent_literal() -> None:
    fmt = compile_apache(APACHE_DEFINITIONS[4])
    assert fmt.tokens[-1].text == " 100%"
    assert not fmt.tokens[-1].is_field
    assert parse_both(fmt.pattern(), "1.2.3.4 200 100%") == {"remote_addr": "1.2.3.4", "status": "200"}
    assert parse_both(fmt.pattern(), "1.2.3.4 200 100x") is None


def test_compile_apache_time_with_explicit_strftime() -> None:
    fmt = compile_apache(APACHE_DEFINITIONS[5])
    assert fmt.fields == ("server_name", "server_port", "remote_addr", "time_local", "status")
    fields = parse_both(fmt.pattern(), f"www.example.com:80 1.2.3.4 {TIME} 301")
    assert fields is not None
    assert fields["time_local"] == TIME
    assert fields["server_port"] == "80"


def test_apache_msec_is_not_nginx_msec() -> None:
    # Apache %{msec}t is milliseconds since the epoch; nginx $msec is seconds with a fraction.
    fmt = compile_apache("%h %{msec}t %>s")
    assert "msec" not in fmt.fields
    assert fmt.time_field is None
    assert parse_both(fmt.pattern(["status"]), "1.2.3.4 1760104536123 200") == {"status": "200"}


STRFTIME_SPECS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%d/%b/%Y %T",
    "%a, %d %b %Y %H:%M:%S",
    "%e %B %Y %I:%M:%S %p",
    "%F %R:%S",
    "%D %T %z",
    "%A %j %Y %T",
    "%s",
    "%Y%m%d%H%M%S 100%%",
]


@given(
    moment=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 31)),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
    spec=st.sampled_from(STRFTIME_SPECS),
)
@settings(max_examples=300, deadline=None)
def test_apache_strftime_time_is_matched_and_read(moment: datetime, offset_minutes: int, spec: str) -> None:
    """What strftime writes for an Apache ``%{...}t`` matches the field, and reads back as that moment in UTC."""
    if spec == "%D %T %z" and not 1969 < moment.year < 2069:
        return  # %y/%D have two-digit years
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    # Python's %s ignores the offset (it reads the fields as local time); Apache's is the epoch.
    written = aware.strftime(spec.replace("%s", str(int(aware.timestamp()))))
    fmt = compile_apache(f"%h [%{{{spec}}}t] %>s")
    assert fmt.time_field == "time_strftime"
    fields = parse_both(fmt.pattern(["time_strftime", "status"]), f"192.0.2.1 [{written}] 200")
    assert fields == {"time_strftime": written, "status": "200"}
    read = pl.DataFrame({"time_strftime": [written]}).select(parse_time(fmt)).item()
    expected = aware if "%z" in spec or "%s" in spec else aware.replace(tzinfo=UTC)
    assert read == expected.astimezone(UTC)


@pytest.mark.parametrize(
    ("directive", "field"),
    [
        ("%{begin:%Y-%m-%d %H:%M:%S}t", "time_strftime"),
        ("%{end:%d/%b/%Y:%H:%M:%S %z}t", "time_local"),
        ("%{sec}t", "msec"),
        ("%{msec_frac}t", None),
        ("%{%H:%M:%S}t", None),
        ("%{%d %b %Y %H:%M:%S %Z}t", None),
    ],
)
def test_apache_time_forms(directive: str, field: str | None) -> None:
    """Only a full date (or epoch seconds) with a UTC offset or none is read as the time; other forms only match."""
    assert compile_apache(f"%h {directive} %>s").time_field == field


@pytest.mark.parametrize(
    ("directives", "written", "expected"),
    [
        (
            "%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t",
            "10/Oct/2026 13:55:36.123 +0200",
            datetime(2026, 10, 10, 11, 55, 36, 123000),
        ),
        (
            "%{%Y-%m-%d %T}t.%{usec_frac}t %{%z}t",
            "2026-10-10 13:55:36.123456 -0130",
            datetime(2026, 10, 10, 15, 25, 36, 123456),
        ),
        ("%{%Y-%m-%dT%T}t%{%z}t", "2026-10-10T13:55:36+0200", datetime(2026, 10, 10, 11, 55, 36)),
    ],
)
def test_apache_time_with_its_offset_apart_is_one_time(directives: str, written: str, expected: datetime) -> None:
    """Apache's own example of a time in milliseconds writes the offset as a field of its own: read
    apart, the time would be taken as UTC, off by the offset."""
    fmt = compile_apache(f'%h [{directives}] "%r" %>s')
    assert fmt.time_field == "time_strftime" and "time_part" not in fmt.fields
    line = f'1.2.3.4 [{written}] "GET / HTTP/1.1" 404'
    fields = parse_both(fmt.pattern(["time_strftime", "status"]), line)
    assert fields == {"time_strftime": written, "status": "404"}
    read = pl.DataFrame({"time_strftime": [written]}).select(parse_time(fmt)).item()
    assert read == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "directives",
    ["%{%d/%b/%Y %T}t %r %{%z}t", "%{%z}t %{%d/%b/%Y %T}t", "%{%d/%b/%Y %T %z}t %{%z}t", "%{%T}t %{%z}t"],
)
def test_an_offset_after_other_fields_is_not_joined(directives: str) -> None:
    fmt = compile_apache(f"%h {directives} %>s")
    assert "time_part" in fmt.fields


def test_apache_time_with_an_unknown_directive() -> None:
    with pytest.raises(FormatError, match=r"unsupported time directive %Q in %\{%Q\}t; logstat reads %Y"):
        compile_apache("%h %{%Q}t %>s")
    with pytest.raises(FormatError, match="unsupported time directive % in"):
        compile_apache("%h %{%Y %}t %>s")


@pytest.mark.parametrize(
    ("definition", "spelled"),
    [("%h %Z %>s", "%Z"), ("%h %{foo}Z %>s", "%{foo}Z"), ("%h %>s %j", "%j")],
)
def test_compile_apache_unknown_directive(definition: str, spelled: str) -> None:
    with pytest.raises(FormatError) as info:
        compile_apache(definition)
    assert str(info.value) == f"unsupported Apache directive {spelled} in the log format"


@pytest.mark.parametrize(
    ("compiler", "definition"),
    [(compile_nginx, "$remote_addr [$time_local] $body_bytes_sent"), (compile_apache, "%h %t %b")],
)
def test_compile_without_status_fails(compiler: Callable[[str], LogFormat], definition: str) -> None:
    with pytest.raises(FormatError) as info:
        compiler(definition)
    message = str(info.value)
    assert f"the log format {definition!r} has no status field" in message
    assert "$status" in message
    assert "%>s" in message


@pytest.mark.parametrize(
    ("compiler", "definition"),
    [(compile_nginx, "$remote_addr$status"), (compile_apache, "%h%>s"), (compile_nginx, "${remote_addr}${status}")],
)
def test_compile_adjacent_fields_fails(compiler: Callable[[str], LogFormat], definition: str) -> None:
    with pytest.raises(FormatError) as info:
        compiler(definition)
    assert str(info.value) == ("fields $remote_addr and $status touch with nothing between them; add a separator")


# --- resolve_log_format ----------------------------------------------------------------


def test_resolve_builtin_name() -> None:
    assert resolve_log_format("combined") is COMBINED
    assert resolve_log_format("  vhost_combined\n") is BUILTIN_FORMATS["vhost_combined"]


def test_resolve_format_strings() -> None:
    nginx = resolve_log_format('$remote_addr "$request" $status')
    assert (nginx.syntax, nginx.fields) == ("nginx", ("remote_addr", "request", "status"))
    apache = resolve_log_format(APACHE_COMBINED_DIRECTIVE)
    assert (apache.syntax, apache.tokens) == ("apache", COMBINED.tokens)


@pytest.mark.parametrize("spec", ["nginx_combined", "Combined", ""])
def test_resolve_unknown_name_lists_builtins(spec: str) -> None:
    with pytest.raises(FormatError) as info:
        resolve_log_format(spec)
    message = str(info.value)
    assert message.startswith(f"unknown log format {spec!r}: use one of ")
    assert ", ".join(BUILTIN_FORMATS) in message


def test_pattern_for_a_missing_field_fails() -> None:
    with pytest.raises(FormatError, match="format 'common' has no field 'http_referer'"):
        COMMON.pattern(["status", "http_referer"])


def test_partial_pattern_stops_after_last_wanted_field() -> None:
    truncated = f'1.2.3.4 - - [{TIME}] "GET / HTTP/1.1" 200 '
    assert parse_both(COMBINED.pattern(), truncated) is None
    assert parse_both(COMBINED.pattern(["status", "time_local"]), truncated) == {"status": "200", "time_local": TIME}
    assert parse_both(COMBINED.pattern([]), "anything at all") == {}


# --- awkward real-world lines ----------------------------------------------------------

AWKWARD = {
    "ipv6 client": (
        combined_line(client="2001:db8:85a3::8a2e:370:7334"),
        "remote_addr",
        "2001:db8:85a3::8a2e:370:7334",
    ),
    "ipv4-mapped ipv6": (combined_line(client="::ffff:192.0.2.128"), "remote_addr", "::ffff:192.0.2.128"),
    "dash size": (combined_line(size="-"), "body_bytes_sent", "-"),
    "http/2.0": (combined_line(request="GET /app.js HTTP/2.0"), "request", "GET /app.js HTTP/2.0"),
    "http/3": (combined_line(request="GET /app.js HTTP/3"), "request", "GET /app.js HTTP/3"),
    "dash request": (combined_line(request="-", status="408", size="0"), "request", "-"),
    "empty request": (combined_line(request="", status="400", size="0"), "request", ""),
    "escaped quote in request": (
        combined_line(request=r"GET /search?q=\"x\" HTTP/1.1"),
        "request",
        r"GET /search?q=\"x\" HTTP/1.1",
    ),
    "escaped quote in agent": (
        combined_line(agent=r"Mozilla/5.0 \"quoted\" (compatible)"),
        "http_user_agent",
        r"Mozilla/5.0 \"quoted\" (compatible)",
    ),
    "backslash pair at end of agent": (combined_line(agent="evil\\\\"), "http_user_agent", "evil\\\\"),
    "x-forwarded-for list": (combined_line(client="203.0.113.9, 10.0.0.2"), "remote_addr", "203.0.113.9, 10.0.0.2"),
    "x-forwarded-for list without space": (
        combined_line(client="203.0.113.9,10.0.0.2"),
        "remote_addr",
        "203.0.113.9,10.0.0.2",
    ),
    "extra trailing fields": (combined_line(tail=' "198.51.100.1" 0.004 rt=0.1'), "http_user_agent", "curl/8.5.0"),
    "options asterisk": (combined_line(request="OPTIONS * HTTP/1.1"), "request", "OPTIONS * HTTP/1.1"),
    "connect authority": (combined_line(request="CONNECT example.com:443 HTTP/1.1"), "status", "200"),
    "nginx 499": (combined_line(status="499", size="0"), "status", "499"),
    "dash status": (combined_line(status="-"), "status", "-"),
    "brackets in url": (
        combined_line(request="GET /b?x=[bold]y[/b] HTTP/1.1"),
        "request",
        "GET /b?x=[bold]y[/b] HTTP/1.1",
    ),
    "negative offset": (combined_line().replace("+0000", "-0930"), "time_local", "10/Oct/2026:13:55:36 -0930"),
    "non-ascii agent": (combined_line(agent="Mozilla/5.0 (中文; ✓)"), "http_user_agent", "Mozilla/5.0 (中文; ✓)"),
    "replacement character": (combined_line(request="GET /\ufffd HTTP/1.1"), "request", "GET /\ufffd HTTP/1.1"),
}


@pytest.mark.parametrize(("line", "field", "value"), AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_combined_lines_parse(line: str, field: str, value: str) -> None:
    fields = parse_both(COMBINED.pattern(), line)
    assert fields is not None, COMBINED.explain_mismatch(line)
    assert fields[field] == value
    # The pattern the report uses agrees with the full one.
    partial = parse_both(COMBINED.pattern(needed_fields(COMBINED)), line)
    assert partial == {"status": fields["status"], "time_local": fields["time_local"]}


@pytest.mark.parametrize("client", ["host-7.example.net", "localhost", "2001:db8::1", "198.51.100.23"])
def test_common_accepts_hostname_and_address_clients(client: str) -> None:
    line = f'{client} - alice [{TIME}] "GET /a.png HTTP/1.0" 304 -'
    fields = parse_both(COMMON.pattern(), line)
    assert fields is not None
    assert (fields["remote_addr"], fields["remote_user"], fields["status"]) == (client, "alice", "304")


def test_common_rejects_glued_trailing_text() -> None:
    # After the last field the line must end or continue with a blank.
    assert parse_both(COMMON.pattern(), COMMON.example + " extra") is not None
    assert parse_both(COMMON.pattern(), COMMON.example + "x") is None


BAD_COMBINED = {
    "blank": ("", "blank line"),
    "spaces": ("   \t", "blank line"),
    "comment": ("# Fields: date time cs-method", "comment line"),
    "truncated after status": (
        f'1.2.3.4 - - [{TIME}] "GET / HTTP/1.1" 200',
        "field $status missing or malformed at column 59",
    ),
    "no brackets": (
        f'1.2.3.4 - - {TIME} "GET / HTTP/1.1" 200 1 "-" "a"',
        "text ' [' missing or malformed at column 13",
    ),
    "no offset": (
        '1.2.3.4 - - [10/Oct/2026:13:55:36] "GET / HTTP/1.1" 200 1 "-" "a"',
        "field $time_local missing or malformed at column 14",
    ),
    "seconds out of range": (
        combined_line().replace(":36 ", ":75 "),
        "field $time_local missing or malformed at column 18",
    ),
    "unterminated request": (
        f'1.2.3.4 - - [{TIME}] "GET / HTTP/1.1 200 1 "-" "a"',
        "text '\" ' missing or malformed at column 65",
    ),
    "size with unit": (combined_line(size="12k"), "field $body_bytes_sent missing or malformed at column 67"),
    "two blanks before status": (
        f'1.2.3.4 - - [{TIME}] "GET / HTTP/1.1"  200 1 "-" "a"',
        "field $status missing or malformed at column 59",
    ),
    "plain words": ("hello world", "field $remote_ident missing or malformed at column 7"),
    "json": ('{"status": 200, "time": "x"}', "text ' [' missing or malformed at column 25"),
    "unterminated agent": (
        f'1.2.3.4 - - [{TIME}] "GET / HTTP/1.1" 200 1 "-" "a',
        "field $http_user_agent missing or malformed at column 70",
    ),
    "common line": (COMMON.example, "field $body_bytes_sent missing or malformed at column 83"),
    "vhost line": (BUILTIN_FORMATS["vhost_combined"].example, "text ' [' missing or malformed at column 35"),
}


@pytest.mark.parametrize(("line", "reason"), BAD_COMBINED.values(), ids=BAD_COMBINED.keys())
def test_bad_lines_do_not_parse_and_say_why(line: str, reason: str) -> None:
    assert parse_both(COMBINED.pattern(), line) is None
    assert COMBINED.explain_mismatch(line) == reason


def test_well_shaped_but_impossible_date_is_explained() -> None:
    # Day, month, hour and minute ranges are in the pattern; only calendar facts are not.
    assert COMBINED.explain_mismatch(combined_line().replace("10/Oct/2026", "99/Foo/2026")).startswith(
        "field $time_local missing or malformed"
    )
    line = combined_line().replace("10/Oct/2026", "31/Feb/2026")
    assert parse_both(COMBINED.pattern(), line) is not None  # the shape is right ...
    assert COMBINED.explain_mismatch(line) == "$time_local is not a valid date and time"  # ... the date is not


# --- both regex engines accept every pattern -------------------------------------------


def all_formats() -> list[LogFormat]:
    compiled = [compile_nginx(d) for d in NGINX_DEFINITIONS] + [compile_apache(d) for d in APACHE_DEFINITIONS]
    return [*BUILTIN_FORMATS.values(), *compiled]


def captures_of(fmt: LogFormat) -> list[list[str] | None]:
    return [None, needed_fields(fmt), *([f] for f in fmt.fields)]


@pytest.mark.parametrize("fmt", all_formats(), ids=lambda f: f"{f.name}:{f.definition[:40]}")
def test_every_pattern_compiles_in_re_and_polars(fmt: LogFormat) -> None:
    probe = pl.DataFrame({"line": [fmt.example or "x"]}, schema={"line": pl.String})
    for capture in captures_of(fmt):
        pattern = fmt.pattern(capture)
        wanted = list(fmt.fields if capture is None else capture)
        assert list(re.compile(pattern).groupindex) == [f for f in fmt.fields if f in wanted]
        extracted = probe.select(pl.col("line").str.extract_groups(pattern)).unnest("line")
        assert extracted.columns == list(re.compile(pattern).groupindex)
        assert probe.select(pl.col("line").str.contains(pattern)).dtypes == [pl.Boolean]


def test_impossible_day_agrees_with_the_calendar() -> None:
    """Every day 28-31 of every month of every year the time pattern accepts (1000-9899)."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    days = [
        (f"{day}/{months[month - 1]}/{year}:00:00:00 +0000", day > calendar.monthrange(year, month)[1])
        for year in range(1000, 9900)
        for month in range(1, 13)
        for day in range(28, 32)
    ]
    frame = pl.DataFrame(days, schema=["time_local", "impossible"], orient="row")
    found = frame.select(pl.col("time_local").str.contains(IMPOSSIBLE_DAY))["time_local"]
    assert found.to_list() == frame["impossible"].to_list()
    assert re.match(FIELD_PATTERNS["time_local"] + "$", days[0][0])
