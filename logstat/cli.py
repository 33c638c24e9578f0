"""The ``logstat`` command line: option parsing, I/O, and the one place errors become exit codes."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from polars.exceptions import PanicException
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from logstat import __version__
from logstat.errors import ExitCode, LogstatError, OutputError, UsageError
from logstat.formats import BUILTIN_FORMATS, resolve_log_format
from logstat.inputs import Input, display_name, expand_arguments, open_inputs
from logstat.registry import LANGS, Lang, StatusCode, load_registry
from logstat.render import CsvTable, OutputFormat, RenderOptions, format_for_path, renderer_for
from logstat.render.text import visible
from logstat.report import Report, build_report
from logstat.series import Period
from logstat.thresholds import Rule, breached, evaluate, parse_rule
from logstat.window import build_window

app = typer.Typer(
    name="logstat",
    help="What your HTTP status codes say, from nginx and Apache access logs.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _stderr() -> Console:
    return Console(stderr=True, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextlib.contextmanager
def _reporting_errors(*, debug: bool) -> Iterator[None]:
    """Turn every error into one stderr line and an exit code; nothing else does.

    Library errors say what to do. Anything else (an I/O error, memory, a polars panic, a
    bug) is one line too; ``--debug`` adds the traceback. Messages quote file names and log
    text, so their control characters are escaped (:func:`visible`) and stay on one line.
    """
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except LogstatError as exc:
        _fail(str(exc), exc.exit_code, debug=debug)
    except KeyboardInterrupt:
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        # The reader went away (`logstat ... | head`); say nothing, as other filters do.
        with contextlib.suppress(OSError):
            sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115
        raise typer.Exit(int(ExitCode.OK)) from None
    except UnicodeEncodeError as exc:
        encoding = getattr(sys.stdout, "encoding", None) or exc.encoding
        msg = (
            f"the output cannot be written in the {encoding} encoding; "
            "use a UTF-8 locale (e.g. LC_ALL=C.UTF-8) or write the report to a file with -o"
        )
        _fail(msg, ExitCode.ERROR, debug=debug)
    except MemoryError:
        _fail("out of memory; read fewer or smaller files at a time", ExitCode.ERROR, debug=debug)
    except OSError as exc:
        where = f"{display_name(os.fsdecode(exc.filename))}: " if exc.filename else ""
        msg = f"{where}{exc.strerror or exc}; check the file, the disk and the permissions"
        _fail(msg, ExitCode.ERROR, debug=debug)
    except (Exception, PanicException) as exc:
        first = next(iter(str(exc).splitlines()), "")  # polars appends the whole query plan
        msg = f"unexpected {type(exc).__name__}: {first}; this is a bug, please report it with the output of --debug"
        _fail(msg, ExitCode.ERROR, debug=debug)


def _fail(message: str, code: ExitCode, *, debug: bool) -> NoReturn:
    """Print ``message`` as one ``logstat: error:`` line (the traceback first with ``debug``) and exit."""
    if debug:
        traceback.print_exc()
    _stderr().print(visible(f"logstat: error: {message}"))
    raise typer.Exit(int(code)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"logstat {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", metavar="", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """What your HTTP status codes say, from nginx and Apache access logs."""


def _is_terminal() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


PIPE_WIDTH = 120
"""Width of the table report when stdout is not a terminal and ``COLUMNS`` is not set."""

MIN_WIDTH = 40


def _stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()  # None: started with standard input closed


NAME_A_FILE = "name one (logstat summarize access.log) or pipe a log in (zcat x.gz | logstat summarize)"


def _files_or_stdin(files: list[str] | None) -> list[str]:
    """The FILE arguments; without any, standard input when a log is piped in."""
    if files:
        return files
    if _stdin_is_terminal():
        msg = f"no log file given; {NAME_A_FILE}"
        raise UsageError(msg)
    return ["-"]


def _terminal_width() -> int:
    """The terminal's width; :data:`PIPE_WIDTH` in a pipe or cron mail, unless ``COLUMNS`` sets one."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").strip().isdigit():
        return max(MIN_WIDTH, shutil.get_terminal_size((100, 24)).columns)
    return PIPE_WIDTH


@contextlib.contextmanager
def progress_display(inputs: list[Input], *, enabled: bool) -> Iterator[Callable[[Input], None]]:
    """A progress bar over the inputs' bytes on stderr, shown only once reading takes over a second."""
    if not enabled:
        yield lambda _source: None
        return
    sizes = {id(s): s.path.stat().st_size for s in inputs}
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, markup=False, highlight=False),
        transient=True,
    )
    task = bar.add_task("reading", total=sum(sizes.values()) or 1)
    done: list[Input] = []

    def on_input(source: Input) -> None:
        bar.update(task, completed=sum(sizes[id(s)] for s in done), description=f"reading {visible(source.name)}")
        done.append(source)

    timer = threading.Timer(1.0, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield on_input
    finally:
        timer.cancel()
        bar.stop()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    The file gets the mode an existing report had, or else the usual one for new files
    (0666 less the umask), not the private mode of a temporary file. A symbolic link is
    followed (the file it points to is replaced, the link stays), and a pipe or device
    (``-o /dev/stdout``) is written to directly: there is no file to replace. Whatever
    goes wrong, even Ctrl-C, the temporary file does not stay behind.
    """
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise _write_error(path, exc) from None
        return
    directory = path.parent if str(path.parent) else Path()
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> OutputError:
    shown = display_name(str(path))
    return OutputError(f"{shown}: cannot write the report ({exc.strerror}); check the directory and its permissions")


def _lang(value: str) -> Lang:
    if value not in LANGS:
        msg = f"--lang (or LOGSTAT_LANG) must be one of {', '.join(LANGS)}, not {value!r}"
        raise UsageError(msg)
    return value


FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FILE",
        help="Access log files; '-' reads standard input, as does no FILE when a log is piped in.",
        show_default=False,
    ),
]
LogFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        "-l",
        metavar="FORMAT",
        help="A built-in format name (see 'logstat formats'), or the server's own nginx "
        "log_format / Apache LogFormat string. Default: detected per file.",
    ),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="Output format. Default: table, or from the -o suffix."),
]
OutputOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to this file instead of stdout; repeatable. "
        "The suffix picks each file's format: .txt .csv .json .md .html. "
        "'-' is stdout, in --format (default table), next to the files.",
        show_default=False,
    ),
]
ByOpt = Annotated[
    Period | None,
    typer.Option(
        "--by",
        help="Add requests over time per minute, hour or day: a chart on the terminal and in "
        "HTML/Markdown, a 'series' key in JSON, the series table in CSV.",
        show_default=False,
    ),
]
TableOpt = Annotated[
    CsvTable,
    typer.Option("--table", help="The table CSV writes: codes, classes, series or unparsed."),
]
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom", metavar="", help="Start CSV with a UTF-8 byte order mark, so Excel shows Chinese correctly."
    ),
]
FailIfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-if",
        metavar="RULE",
        help="Exit with code 3 when RULE holds; repeatable. A class or code (or a sum with +), "
        "a comparison, and a count or a share: '5xx>1%', '499>=200', '4xx+5xx>10%'.",
        show_default=False,
    ),
]
LangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="en|zh",
        envvar="LOGSTAT_LANG",
        help="Language of explanations: en or zh.",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="TIME",
        help="Count only requests at or after this time (inclusive): an age like 24h, 7d, 90m, "
        "ISO 8601 (2026-10-10T13:00:00Z; no offset means UTC), or the log's own 10/Oct/2026:13:00:00 +0000.",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="TIME", help="Count only requests before this time (exclusive); same forms as --since."
    ),
]
TopOpt = Annotated[
    int,
    typer.Option(
        "--top",
        min=0,
        metavar="N",
        help="How many paths, clients, agents ... to show per error code; 0 skips the drill-down "
        "and latency, for speed.",
    ),
]
CsvRawOpt = Annotated[
    bool,
    typer.Option(
        "--csv-raw",
        metavar="",
        help="Write CSV cells from log data as they are, without the leading ' that keeps a spreadsheet "
        "from running them as formulas; for programs, not spreadsheets.",
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        metavar="",
        help="No report on stdout (unless -o -) and no progress; -o files and --fail-if verdicts are still written.",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", metavar="", help="Show a traceback on errors.")]


@app.command()
def summarize(
    files: FilesArg = None,
    log_format: LogFormatOpt = None,
    output_format: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = "en",
    since: SinceOpt = None,
    until: UntilOpt = None,
    quiet: QuietOpt = False,
    top: TopOpt = 5,
    by: ByOpt = None,
    table: TableOpt = "codes",
    bom: BomOpt = False,
    csv_raw: CsvRawOpt = False,
    fail_if: FailIfOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Count requests per status class and code, and explain each code.

    \b
    Examples:
      logstat summarize /var/log/nginx/access.log
      logstat summarize access.log --lang zh
      logstat summarize '/var/log/nginx/access.log*' --since 24h
      logstat summarize access.log -f json -o report.json
      zcat access.log.2.gz | logstat summarize -
      logstat summarize app.log \\
        --log-format '$remote_addr [$time_local] "$request" $status'
      logstat summarize access.log --by hour -o report.html \\
        -o series.csv --table series
      logstat summarize access.log -o report.html -o -   # and stdout
      logstat summarize access.log --fail-if '5xx>1%' --fail-if '499>=200'

    \b
    Exit codes: 0 ok, 1 error (unreadable input, nothing parsed), 2 bad usage,
    3 a --fail-if rule holds (each one is printed to stderr with what was measured).
    """
    with _reporting_errors(debug=debug), tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        chosen = _lang(lang)
        named = bool(files)
        files = _files_or_stdin(files)
        rules = [parse_rule(rule) for rule in fail_if or []]
        fmt = resolve_log_format(log_format) if log_format else None
        targets = _output_targets(output or [], output_format)
        _refuse_inputs_as_outputs(files, targets)
        window = build_window(since, until)
        if "-" in files and _stdin_is_terminal():
            _stderr().print("logstat: reading log lines from the terminal; end with Ctrl-D (or pipe a log in)")
        inputs = open_inputs(files, spool_dir=Path(spool))
        if not named and inputs[0].path.stat().st_size == 0:
            # Most likely a cron line that lost its FILE: cron's standard input is empty.
            msg = f"no log file given, and standard input is empty; {NAME_A_FILE}"
            raise UsageError(msg)
        with progress_display(inputs, enabled=not quiet and sys.stderr.isatty()) as on_input:
            report = build_report(
                inputs, log_format=fmt, window=window, spool_dir=Path(spool), on_input=on_input, top=top
            )
        for summary in report.inputs:
            if summary.note:
                # Also on stderr, so that a cron job's mail shows it.
                _stderr().print(f"logstat: warning: {display_name(summary.name)}: {summary.note}")
        options = RenderOptions(
            lang=chosen, width=_terminal_width(), by=by, csv_table=table, bom=bom, csv_raw=csv_raw
        )
        if not targets and not quiet:
            targets = [(STDOUT, output_format or OutputFormat.TABLE)]
        for path, path_format in targets:
            if path == STDOUT:
                sys.stdout.write(renderer_for(path_format)(report, dataclasses.replace(options, color=_is_terminal())))
                sys.stdout.flush()
            else:
                write_atomic(path, renderer_for(path_format)(report, options))
        _check_thresholds(rules, report)


def _refuse_inputs_as_outputs(files: list[str], targets: list[tuple[Path, OutputFormat]]) -> None:
    """logstat never writes to its inputs: an ``-o`` path that is one of them is a usage error."""
    names = [name for name in expand_arguments(files) if name != "-"]
    for path, _ in targets:
        if path != STDOUT and path.exists() and any(Path(name).exists() and path.samefile(name) for name in names):
            shown = display_name(str(path))
            msg = f"{shown}: is also an input; logstat never writes to its inputs, so pick another -o file"
            raise UsageError(msg)


class _StdoutConsole(Console):
    """A stdout console that lets a closed pipe reach _reporting_errors (rich itself exits 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


STDOUT = Path("-")
"""The ``-o`` target that stands for standard output."""


def _output_targets(paths: list[Path], forced: OutputFormat | None) -> list[tuple[Path, OutputFormat]]:
    """Each -o path with its format: from -f when there is exactly one path, else from the suffix.

    ``-`` (stdout) has no suffix: it takes -f, which may then be given next to other -o files,
    or is a table.
    """
    if paths.count(STDOUT) > 1:
        msg = "-o - (stdout) can be given only once"
        raise UsageError(msg)
    if forced is not None and len(paths) == 1:
        return [(paths[0], forced)]
    if forced is not None and paths and STDOUT not in paths:
        msg = "-f/--format sets the format of a single output; with several -o each suffix picks the format"
        raise UsageError(msg)
    return [(path, forced or OutputFormat.TABLE) if path == STDOUT else (path, format_for_path(path)) for path in paths]


def _check_thresholds(rules: list[Rule], report: Report) -> None:
    """Print every --fail-if rule that holds, with the measured values, and exit with code 3."""
    failed = breached(evaluate(rules, report))
    if not failed:
        return
    err = _stderr()
    for verdict in failed:
        err.print(f"logstat: threshold: {verdict.describe()}")
    raise typer.Exit(int(ExitCode.THRESHOLD))


def _select_codes(selectors: list[str]) -> list[StatusCode]:
    registry = load_registry()
    if not selectors:
        return list(registry.codes.values())
    chosen: dict[str, StatusCode] = {}
    for selector in selectors:
        key = selector.strip().lower()
        if key in registry.codes:
            chosen[key] = registry.codes[key]
            continue
        if len(key) in (1, 3) and key[0] in "12345" and key[1:] in ("", "xx"):
            chosen.update({c: e for c, e in registry.codes.items() if c[0] == key[0]})
            continue
        msg = f"no status code {selector!r} in the registry; try a code like 404 or a class like 4xx"
        raise UsageError(msg)
    return list(chosen.values())


def _code_dict(entry: StatusCode, lang: Lang) -> dict[str, object]:
    text = entry.text[lang]
    return {
        "code": entry.code,
        "reason": entry.reason_in(lang),
        "kind": entry.kind,
        "registration": entry.registration,
        "vendor": entry.vendor,
        "spec": entry.spec,
        "in_seed": entry.in_seed,
        "seed_http11_new": entry.seed_http11_new,
        "meaning": text.meaning,
        "causes": list(text.causes),
        "check": list(text.check),
    }


CODE_SECTIONS: dict[str, dict[Lang, str]] = {
    "causes": {"en": "Likely causes:", "zh": "可能原因："},
    "check": {"en": "What to check:", "zh": "检查什么："},
}
"""Headings of the lists ``logstat codes CODE`` prints."""


@app.command()
def codes(
    selectors: Annotated[
        list[str] | None, typer.Argument(help="Codes (404) or classes (4xx); default: all.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of text.")] = False,
    lang: LangOpt = "en",
    debug: DebugOpt = False,
) -> None:
    """Explain status codes: meaning, likely causes, and what to check.

    \b
    Examples:
      logstat codes 499
      logstat codes 5xx --lang zh
      logstat codes --json
    """
    with _reporting_errors(debug=debug):
        chosen = _lang(lang)
        entries = _select_codes(selectors or [])
        if as_json:
            data = [_code_dict(e, chosen) for e in entries]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        console = _StdoutConsole(highlight=False, markup=False, emoji=False, width=_terminal_width())
        detailed = bool(selectors)
        for entry in entries:
            text = entry.text[chosen]
            head = Text(f"{entry.code} {entry.reason_in(chosen)}", style="bold")
            head.append(f"  [{entry.kind}, {entry.spec}]", style="dim")
            console.print(head)
            console.print(Text("  " + text.meaning))
            if detailed:
                for title, items in ((CODE_SECTIONS["causes"], text.causes), (CODE_SECTIONS["check"], text.check)):
                    console.print(Text(f"  {title[chosen]}", style="bold"))
                    for item in items:
                        console.print(Text(f"    - {item}"))
                console.print()


@app.command()
def formats(
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in log formats, each with its definition and an example line.

    \b
    Any other format works too: pass the server's own string with --log-format, e.g.
      --log-format '$remote_addr - $remote_user [$time_local] "$request" $status'
      --log-format '%h %l %u %t "%r" %>s %b'

    Lines behind a syslog, Kubernetes (stdout F) or timestamp prefix are read
    too; the report names the prefix with the format, e.g. 'syslog + combined'.
    """
    with _reporting_errors(debug=False):
        if as_json:
            data = [
                {"name": f.name, "description": f.description, "definition": f.definition,
                 "syntax": f.syntax, "fields": list(f.fields), "example": f.example}
                for f in BUILTIN_FORMATS.values()
            ]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        console = _StdoutConsole(highlight=False, markup=False, emoji=False, width=_terminal_width())
        for fmt in BUILTIN_FORMATS.values():
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column(overflow="fold")
            table.add_row(Text(fmt.name), Text(fmt.description))
            table.add_row(Text("format"), Text(fmt.definition))
            table.add_row(Text("example"), Text(fmt.example))
            console.print(table)
            console.print()


