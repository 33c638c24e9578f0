"""Fuzz logstat's reader, parser and renderers with random and mutated log files.

Usage::

    python benchmarks/fuzz.py --seconds 600                 # ten minutes, a random seed
    python benchmarks/fuzz.py --seconds 60 --seed 7         # reproducible
    python benchmarks/fuzz.py --seconds 3600 --keep fuzz-failures/

Each round writes one file: lines from ``sample_logs/`` and ``tests/adversarial/lines.tsv``,
mutated byte by byte (flips, hostile bytes such as quotes, backslashes, NUL, CR, 0x1F, ESC,
invalid UTF-8, spliced and cut lines, hostile status values), mixed with random bytes, blank
lines, comments and overlong lines, sometimes behind a collector's line prefix, as UTF-16,
gzip-compressed or with CR line ends. The
file is read through ``open_inputs`` and ``build_report`` (with the detected format, then
with a built-in format given), and the report is rendered in every output format. The
round fails when:

* anything but logstat's own errors (``LogstatError``) is raised;
* ``lines != parsed + filtered + unparsed + blank``, or ``lines`` is not the number of lines
  in the file, or the per-code or per-class counts do not add up to ``parsed``;
* JSON does not parse (or is not valid UTF-8); CSV does not parse back into rows of the
  header's width, or a cell from log data starts like a formula; HTML has a ``script``,
  an event handler or a URL attribute, or not exactly one Content-Security-Policy; the
  terminal table or Markdown hold a control or bidi character.

``tests/test_fuzz.py`` runs the same rounds for a bounded time in CI (``LOGSTAT_FUZZ_SECONDS``,
default 20; ``LOGSTAT_FUZZ_SEED``, default 0). A failing input is printed with its seed and
round, and with ``--keep`` saved as a file to reproduce with ``logstat summarize FILE``.
Exit code 1 when any round failed.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import gzip
import io
import json
import random
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from logstat.errors import LogstatError, UsageError
from logstat.formats import BUILTIN_FORMATS, LogFormat
from logstat.render import OutputFormat, RenderOptions, renderer_for
from logstat.render.csv import CLASS_COLUMNS, CODE_COLUMNS, SERIES_COLUMNS, UNPARSED_COLUMNS
from logstat.report import Report, build_report
from logstat.sources import CR_NOTE, UTF16_NOTE, open_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
ADVERSARIAL = ROOT / "tests" / "adversarial" / "lines.tsv"

UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters no terminal or Markdown output may hold raw: controls (but LF) and bidi marks."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|-")

HOSTILE_BYTES = [
    b'"', b"\\", b'\\"', b"\\\\", b" ", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\x1f", b"\x1b[31m", b"\x07",
    b"\x08", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80\xae", b"\xc2\x9b", b"\xef\xbb\xbf", b"[", b"]", b"-", b"=",
    b"+", b"@", b"<", b">", b"&", b"|", b"`", b"*", b"_", b"#", b"%", b",", b":", b"/", b"0", b"9", b"\\x22",
    b"<script>", b"javascript:", b" onerror=", b"[/b]", b"\xb3\\", b"::1%eth0",
]
HOSTILE_STATUS = [
    b"-", b"000", b"0", b"999", b"1000", b"-1", b"=1+1", b"@SUM(A1)", b"+1", b"<script>alert(1)</script>",
    b"<img/src=x/onerror=alert(1)>", b"javascript:alert(1)", b"[x](javascript:alert(1))", b"[bold]500[/bold]",
    b"\x1b[2J", b"\xe2\x80\xae002", b"\xc2\x85", b"\x00", b"9" * 40, b"\xff\xfe", b"`x`", b"|", b"&amp;",
]


COLLECTOR_PREFIXES = [
    b"Oct 10 13:55:36 web1 nginx: ", b"<190>Oct  1 13:55:36 web1 nginx[812]: ",
    b"2026-10-10T13:55:36.123456789Z stdout F ", b"2026-10-10T13:55:36Z ", b"Oct 10 13:55:36 web1 : ",
]
"""What syslog, Kubernetes and kubectl write before access lines (the last one is malformed)."""


def as_utf16(data: bytes) -> bytes:
    """``data`` as UTF-16 with a byte order mark; bytes that are not UTF-8 become U+FFFD first."""
    return codecs.BOM_UTF16_LE + data.decode("utf-8", "replace").encode("utf-16-le")


def _adversarial_lines() -> list[bytes]:
    lines = []
    for text in ADVERSARIAL.read_text("ascii").splitlines():
        if text and not text.startswith("#"):
            lines.append(codecs.escape_decode(text.split("\t")[3].encode())[0])
    return lines


def seed_lines() -> list[bytes]:
    """Valid lines of every built-in format, and the adversarial corpus."""
    lines = [ln for p in sorted(SAMPLES.glob("*.log")) for ln in p.read_bytes().splitlines() if ln.strip()]
    return lines + _adversarial_lines()


def mutate(rng: random.Random, line: bytes, pool: list[bytes]) -> bytes:
    """``line`` with one to four random edits."""
    data = bytearray(line)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        at = rng.randint(0, len(data))
        if op == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[at:at] = rng.choice(HOSTILE_BYTES)
        elif op == 2:
            del data[at : at + rng.randint(1, 8)]
        elif op == 3:
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            data = data[:at] + bytearray(other[cut:])
        elif op == 4:
            data = data[:at]
        elif op == 5:
            span = data[at : at + rng.randint(1, 16)]
            data[at:at] = span * rng.randint(1, 50)
        elif op == 6:
            # a status-looking token (3 digits between blanks) replaced by a hostile value
            found = [m.span(1) for m in re.finditer(rb" ([0-9]{3}) ", bytes(data))]
            if found:
                start, end = rng.choice(found)
                data[start:end] = rng.choice(HOSTILE_STATUS)
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
    return bytes(data)


def random_log(rng: random.Random, pool: list[bytes]) -> bytes:
    """One file's bytes: mostly mutated and intact log lines, some noise."""
    base = rng.choice(pool)
    same_format = [ln for ln in pool if ln[:1] == base[:1]] or pool
    parts: list[bytes] = []
    for _ in range(rng.randint(0, 40)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(rng.choice(same_format))
        elif kind < 0.8:
            parts.append(mutate(rng, rng.choice(same_format), pool))
        elif kind < 0.88:
            parts.append(rng.choice([b"", b" ", b"\t", b"\r", b"# comment", b"\x0b\x0c"]))
        elif kind < 0.97:
            parts.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 80))))
        else:
            parts.append(mutate(rng, rng.choice(same_format), pool) * rng.randint(100, 3000))
    if rng.random() < 0.05:
        parts = [rng.choice(COLLECTOR_PREFIXES) + part for part in parts]
    end = rng.choice([b"\n", b"\n", b"\n", b"\r\n", b"\r"])
    data = end.join(parts) + (end if rng.random() < 0.8 else b"")
    if rng.random() < 0.05:
        data = b"\xef\xbb\xbf" + data
    return data


def line_count(data: bytes, *, cr_line_ends: bool) -> int:
    """How many lines ``data`` holds: what ``wc -l`` says, plus a last line without newline.

    A byte order mark at the very start is not a line. With ``cr_line_ends`` a CR alone
    ends a line too (logstat reads a file like that when it says so in the input's note).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if cr_line_ends:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


# --- checking a report and its renderings ------------------------------------------------


def check_totals(report: Report, lines: int | None = None) -> None:
    """Every line has one kind, and the counts per code and per class add up to ``parsed``."""
    t = report.totals
    assert t.lines == t.parsed + t.filtered + t.unparsed + t.blank, t
    if lines is not None:
        assert t.lines == lines, (t, lines)
    assert sum(row.count for row in report.by_code) == t.parsed, (report.by_code, t)
    assert sum(row.count for row in report.by_class) == t.parsed, (report.by_class, t)
    assert t.lines == sum(i.totals.lines for i in report.inputs)
    assert len(report.unparsed_samples) <= t.unparsed


OPTION_SETS = [
    RenderOptions(),
    RenderOptions(lang="zh", color=True, width=60, by="minute"),
    RenderOptions(csv_table="unparsed"),
    RenderOptions(csv_table="series", by="hour", bom=True),
    RenderOptions(csv_table="classes", lang="zh"),
    RenderOptions(csv_table="unparsed", csv_raw=True),
    RenderOptions(csv_table="codes", csv_raw=True),
]
"""Render options that, together, reach every table and branch of the renderers."""


def render_all(
    report: Report, options: list[RenderOptions] | None = None
) -> Iterator[tuple[OutputFormat, RenderOptions, str]]:
    """(format, options, output) for every output format under each of ``options``.

    A rendering that refuses with a usage error (a per-minute series over years, say) is
    skipped: the command line reports those as errors, as it should.
    """
    for opts in options or OPTION_SETS:
        for fmt in OutputFormat:
            if fmt != OutputFormat.CSV and opts.csv_table != "codes":
                continue  # only CSV looks at csv_table: render the others once per language
            try:
                text = renderer_for(fmt)(report, opts)
            except UsageError:
                continue
            yield fmt, opts, text


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


HTML_TAGS = frozenset(
    {
        "html", "head", "meta", "title", "body", "div", "h1", "h2", "h3", "p", "table", "thead", "tbody",
        "tr", "th", "td", "span", "code", "pre", "ul", "ol", "li", "small", "strong", "em", "b", "i", "br",
        "details", "summary", "svg", "g", "rect", "line", "path", "text", "polyline", "circle",
    }
)
"""Every element the HTML report may contain; log data must never add another."""


def check_html(page: str) -> None:
    """Parses; only known elements; no script, event handler, URL attribute; one CSP."""
    parser = _Page()
    parser.feed(page)
    parser.close()
    tags = parser.tags
    unknown = {tag for tag, _ in tags} - HTML_TAGS
    assert not unknown, f"unexpected HTML elements {unknown}"
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}>"
            assert name not in ("href", "src", "xlink:href", "action", "formaction", "srcdoc"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
    csp = [a for t, a in tags if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(csp) == 1 and "default-src 'none'" in (csp[0].get("content") or ""), csp
    assert "script-src" not in (csp[0].get("content") or "")


CSV_COLUMNS = {"codes": CODE_COLUMNS, "classes": CLASS_COLUMNS, "series": SERIES_COLUMNS, "unparsed": UNPARSED_COLUMNS}
DATA_COLUMNS = {"codes": ("raw_status",), "series": ("status",), "unparsed": ("file", "reason", "text"), "classes": ()}
"""Per CSV table, the columns whose text comes from log data or the command line."""


def check_csv(text: str, options: RenderOptions, report: Report) -> None:
    """Parses back; the header and every row have the table's width; data cells are defused."""
    if options.bom:
        assert text.startswith("\ufeff")
        text = text[1:]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert tuple(header[: len(CSV_COLUMNS[options.csv_table])]) == CSV_COLUMNS[options.csv_table], header
    assert all(len(row) == len(header) for row in body), "ragged CSV"
    if options.csv_table == "unparsed":
        assert len(body) == len(report.unparsed_samples)
    if options.csv_table == "codes":
        assert len(body) == len(report.by_code)
    for name in DATA_COLUMNS[options.csv_table]:
        column = header.index(name)
        for row in body:
            cell = row[column]
            assert not UNSAFE.search(cell.replace("\n", "")), f"control character in CSV {name}: {cell!r}"
            formula = cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell)
            assert options.csv_raw or not formula, f"formula in {name}: {cell!r}"


def check_json(text: str, report: Report) -> None:
    """Valid JSON in valid UTF-8 (no lone surrogates) with the report's totals."""
    text.encode("utf-8")  # strict: a lone surrogate raises here
    data = json.loads(text)
    assert data["totals"]["lines"] == report.totals.lines
    assert sum(row["count"] for row in data["by_code"]) == report.totals.parsed


def _cells(row: str) -> int:
    """Unescaped ``|`` in a Markdown table row (a backslash escapes the next character)."""
    count, escaped = 0, False
    for char in row:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            count += 1
    return count


def check_markdown(text: str) -> None:
    """Every row of a table has as many cells as its header: no value adds or ends a cell."""
    lines = text.split("\n")
    in_fence = ""
    header: int | None = None
    for row in lines:
        fence = re.match(r"(`{3,}|~{3,})", row)
        if fence and (not in_fence or row.strip() == in_fence):
            in_fence = "" if in_fence else fence.group(1)
            continue
        if in_fence or not row.startswith("|"):
            header = None
            continue
        if header is None:
            header = _cells(row)
        assert _cells(row) == header, f"Markdown row with {_cells(row)} cell borders, not {header}: {row[:200]!r}"


def check_output(fmt: OutputFormat, options: RenderOptions, text: str, report: Report) -> None:
    """The checks of one rendering (see the module docstring)."""
    text.encode("utf-8")
    if fmt == OutputFormat.JSON:
        check_json(text, report)
    elif fmt == OutputFormat.CSV:
        check_csv(text, options, report)
    elif fmt == OutputFormat.HTML:
        check_html(text)
        assert not UNSAFE.search(text.replace("\n", "")), "control character in HTML"
    else:
        if fmt == OutputFormat.MARKDOWN:
            check_markdown(text)
        plain = text if not options.color else re.sub(r"\x1b\[[0-9;]*m", "", text)
        found = UNSAFE.search(plain)
        assert found is None, f"raw {found.group()!r} in {fmt} output" if found else ""


def check_everything(report: Report, lines: int | None = None, options: list[RenderOptions] | None = None) -> None:
    """:func:`check_totals`, then every rendering (:func:`render_all`) through :func:`check_output`."""
    check_totals(report, lines)
    for fmt, opts, text in render_all(report, options):
        try:
            check_output(fmt, opts, text, report)
        except AssertionError as exc:
            msg = f"{fmt} with {opts}: {exc}"
            raise AssertionError(msg) from exc


# --- the rounds -----------------------------------------------------------------------------


def report_of_bytes(data: bytes, directory: Path, *, fmt: LogFormat | None, compress: bool = False) -> Report:
    """The report of ``data`` written as a file in ``directory`` (gzipped with ``compress``)."""
    path = directory / ("access.log.gz" if compress else "access.log")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    spool = directory / "spool"
    spool.mkdir(exist_ok=True)
    return build_report(open_inputs([str(path)], spool_dir=spool), log_format=fmt, spool_dir=spool)


def run_round(
    data: bytes,
    directory: Path,
    *,
    compress: bool,
    fmt: LogFormat | None,
    options: list[RenderOptions] | None = None,
    utf16: bool = False,
) -> None:
    """Read ``data`` as a log file (detected format, or ``fmt``; as UTF-16 with ``utf16``) and check the report."""
    written = as_utf16(data) if utf16 else data
    try:
        report = report_of_bytes(written, directory, fmt=fmt, compress=compress)
    except LogstatError:
        return  # no known format, nothing parsed, a damaged archive: reported as one line
    note = report.inputs[0].note or ""
    check_everything(report, line_count(as_read(written, note), cr_line_ends=CR_NOTE in note), options)


def as_read(data: bytes, note: str) -> bytes:
    """``data`` as logstat reads it: converted to UTF-8 when its note says it was UTF-16."""
    for order, codec in (("little-endian", "utf-16-le"), ("big-endian", "utf-16-be")):
        if UTF16_NOTE.format(order=order) in note:
            return data.decode(codec, "replace").removeprefix("\ufeff").encode("utf-8")
    return data


@dataclass
class Outcome:
    """What a fuzz run did."""

    rounds: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz(seconds: float, seed: int, *, keep: Path | None = None, log: Callable[[str], None] | None = None) -> Outcome:
    """Run rounds for ``seconds``; each round's input comes from ``random.Random((seed, round))``."""
    pool = seed_lines()
    formats = list(BUILTIN_FORMATS.values())
    outcome = Outcome()
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="logstat-fuzz-") as tmp:
        directory = Path(tmp)
        while time.monotonic() < deadline:
            rng = random.Random(f"{seed}/{outcome.rounds}")
            data = random_log(rng, pool)
            compress = rng.random() < 0.1
            utf16 = rng.random() < 0.05
            for fmt in (None, rng.choice(formats)):
                try:
                    run_round(data, directory, compress=compress, fmt=fmt, utf16=utf16)
                except Exception as exc:  # a fuzzer reports whatever breaks
                    where = f"seed {seed} round {outcome.rounds} format {fmt.name if fmt else 'detected'}"
                    detail = "".join(traceback.format_exception_only(exc)).strip()
                    message = f"{where}: {detail}\n  input: {data[:300]!r}{'...' if len(data) > 300 else ''}"
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        saved = keep / f"seed{seed}-round{outcome.rounds}.log{'.gz' if compress else ''}"
                        written = as_utf16(data) if utf16 else data
                        saved.write_bytes(gzip.compress(written, mtime=0) if compress else written)
                        message += f"\n  saved: {saved}"
                    outcome.failures.append(message)
                    if log:
                        log(message)
                    break
            outcome.rounds += 1
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to run (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the rounds (default: random)")
    parser.add_argument("--keep", type=Path, default=None, help="save failing inputs in this directory")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    print(f"fuzzing for {args.seconds:g} s with seed {seed}", file=sys.stderr)
    outcome = fuzz(args.seconds, seed, keep=args.keep, log=lambda m: print(m, file=sys.stderr))
    print(f"{outcome.rounds} rounds, {len(outcome.failures)} failures (seed {seed})", file=sys.stderr)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
