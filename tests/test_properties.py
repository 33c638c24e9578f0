"""Properties: generated combined lines parse back to their fields; line counts reconcile; the
drill-down agrees with an independent count."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from logstat.errors import NoParsableLinesError
from logstat.formats import BUILTIN_FORMATS
from logstat.parse import parse_time
from logstat.report import build_report
from logstat.sources import Input
from logstat.tally.dimensions import REQUEST_LIMIT, VALUE_LIMIT
from logstat.tally.group import needed_fields

COMBINED = BUILTIN_FORMATS["combined"]
FULL = re.compile(COMBINED.pattern())
NEEDED = re.compile(COMBINED.pattern(needed_fields(COMBINED)))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Printable text as a server writes it inside quotes: no control characters (Apache and
# nginx write those as \xHH), no lone surrogates; quotes and backslashes get escaped below.
printable = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)


def escaped(text: str) -> str:
    """Escape a quoted field the way Apache does: ``\\`` and ``"`` get a backslash."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


clients = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.lists(st.ip_addresses(v=4).map(str), min_size=2, max_size=3).map(", ".join),
)
tokens = st.one_of(st.just("-"), st.from_regex(r"[A-Za-z0-9._@%-]{1,12}", fullmatch=True))
moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60)
requests = st.one_of(
    st.just("-"),
    st.just(""),
    st.builds(
        lambda method, path, proto: f"{method} {path} {proto}",
        st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PROPFIND"]),
        printable,
        st.sampled_from(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3"]),
    ),
    printable,
).map(escaped)
statuses = st.one_of(st.from_regex(r"[0-9]{3}", fullmatch=True), st.just("-"))
sizes = st.one_of(st.from_regex(r"[0-9]{1,10}", fullmatch=True), st.just("-"))
quoted = st.one_of(st.just("-"), printable.map(escaped))


def time_local(moment: datetime, offset_minutes: int) -> str:
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (
        f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year:04d}:"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


@st.composite
def combined_lines(draw: st.DrawFn) -> tuple[str, dict[str, str], datetime]:
    """A combined line, the fields it was built from, and its time in UTC."""
    moment = draw(moments).replace(microsecond=0)
    offset = draw(offsets)
    fields = {
        "remote_addr": draw(clients),
        "remote_ident": draw(tokens),
        "remote_user": draw(tokens),
        "time_local": time_local(moment, offset),
        "request": draw(requests),
        "status": draw(statuses),
        "body_bytes_sent": draw(sizes),
        "http_referer": draw(quoted),
        "http_user_agent": draw(quoted),
    }
    line = (
        '{remote_addr} {remote_ident} {remote_user} [{time_local}] "{request}" {status} '
        '{body_bytes_sent} "{http_referer}" "{http_user_agent}"'
    ).format(**fields)
    return line, fields, (moment - timedelta(minutes=offset)).replace(tzinfo=UTC)


@settings(max_examples=100, deadline=None)
@given(combined_lines())
def test_generated_combined_line_parses_back_to_its_fields(
    generated: tuple[str, dict[str, str], datetime],
) -> None:
    line, fields, when = generated
    found = FULL.match(line)
    assert found is not None, COMBINED.explain_mismatch(line)
    assert found.groupdict() == fields
    frame = pl.DataFrame({"line": [line]}, schema={"line": pl.String})
    extracted = frame.select(pl.col("line").str.extract_groups(COMBINED.pattern())).unnest("line")
    assert extracted.row(0, named=True) == fields
    assert extracted.select(parse_time(COMBINED)).item() == when


# Garbage: anything on one line that is neither blank nor a parsable combined line. 0x1F
# ends what the reader keeps of a line and a BOM at the very start of a file is dropped
# (both documented reader behaviour), so neither appears here.
garbage = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\n\x1f\ufeff"), min_size=1, max_size=60
).filter(lambda text: text.strip(" \t\r\x0b\x0c") != "" and NEEDED.match(text) is None)
blanks = st.sampled_from(["", " ", "\t", "  \t ", "\r"])


@st.composite
def cut_lines(draw: st.DrawFn) -> tuple[str, str]:
    """A combined line cut short: still good when the status and time are complete."""
    line = draw(combined_lines())[0]
    cut = line[: draw(st.integers(min_value=1, max_value=len(line)))]
    return ("good" if NEEDED.match(cut) else "garbage"), cut


@st.composite
def log_files(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Lines of a log file, each tagged good, garbage or blank."""
    tagged = draw(
        st.lists(
            st.one_of(
                combined_lines().map(lambda generated: ("good", generated[0])),
                cut_lines(),
                garbage.map(lambda text: ("garbage", text)),
                blanks.map(lambda text: ("blank", text)),
            ),
            max_size=25,
        )
    )
    return [tag for tag, _ in tagged], [text for _, text in tagged]


@settings(max_examples=100, deadline=None)
@given(log_files(), st.booleans())
def test_report_line_counts_reconcile(file: tuple[list[str], list[str]], final_newline: bool) -> None:
    tags, lines = file
    # Without a final newline a trailing empty line does not exist at all.
    assume(final_newline or not lines or lines[-1] != "")
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    good, blank = tags.count("good"), tags.count("blank")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "access.log"
        path.write_bytes(text.encode("utf-8"))
        source = Input("access.log", path)
        if good == 0 and blank < len(lines):
            with pytest.raises(NoParsableLinesError):
                build_report([source], log_format=COMBINED)
            return
        report = build_report([source], log_format=COMBINED)
    totals = report.totals
    assert totals.lines == len(lines)
    assert totals.parsed == good
    assert totals.blank == blank
    assert totals.unparsed == tags.count("garbage")
    assert sum(row.count for row in report.by_code) == good
    assert sum(row.count for row in report.by_class) == good
    assert len(report.unparsed_samples) == min(totals.unparsed, 20)
    assert report.inputs[0].totals == totals


# Request targets with spaces, queries, escapes and non-ASCII, some longer than the pass keeps.
targets = st.one_of(
    st.text(st.sampled_from(list("ab/?=&% 中\\\"")), max_size=40),
    st.builds(lambda n, tail: "/" + "p" * n + tail, st.integers(280, 700), st.sampled_from(["", "?q=1", " x"])),
).map(escaped)
error_lines = st.builds(
    lambda status, method, target, proto, referer: (status, f"{method} {target}{proto}", referer),
    st.sampled_from(["400", "404", "404", "500"]),
    st.sampled_from(["GET", "POST", "get", ""]),
    targets,
    st.sampled_from([" HTTP/1.1", "", " HTTP/2.0 x"]),
    st.sampled_from(["-", "", "https://example.com/a", "https://example.com/中?x=1"]),
)


def expected_path(request: str) -> str | None:
    """The drill-down path of a request line as logged, computed independently; None if odd."""
    if len(request) > REQUEST_LIMIT:
        found = re.match(r"[A-Z][A-Z_-]* (\S+)", request)
    else:
        found = re.fullmatch(r"[A-Z][A-Z_-]* (\S+) [A-Z]+/[0-9.]+", request)
    if found is None:
        return None
    target = found.group(1)
    target = target if len(target) <= VALUE_LIMIT else target[:VALUE_LIMIT] + "…"
    return target.split("?", 1)[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(error_lines, min_size=1, max_size=12))
def test_drill_down_paths_and_links_match_an_independent_count(rows: list[tuple[str, str, str]]) -> None:
    lines = [
        f'192.0.2.{i % 3} - - [10/Oct/2026:13:55:{i:02d} +0000] "{request}" {status} 5 "{referer}" "agent"'
        for i, (status, request, referer) in enumerate(rows)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "access.log"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        report = build_report([Input("access.log", path)], log_format=COMBINED, top=1000)
    table = report.evidence_table
    for status in {status for status, _, _ in rows}:
        mine = [(request, referer) for s, request, referer in rows if s == status]
        paths = Counter(p for request, _ in mine if (p := expected_path(request)) is not None)
        links = Counter(
            f"{referer} -> {p}"
            for request, referer in mine
            if status == "404" and referer not in ("-", "") and (p := expected_path(request)) is not None
        )

        def counted(dim: str, code: str = status) -> Counter[str]:
            found = table.filter((pl.col("status") == code) & (pl.col("dim") == dim))
            return Counter({str(value): int(count) for value, count in found.select("value", "count").iter_rows()})

        assert counted("path") == paths
        assert counted("link") == links
        assert counted("odd_request").total() == len(mine) - paths.total()
        assert counted("referer") == Counter(referer for _, referer in mine)
