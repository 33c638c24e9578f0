"""The ``logstat`` command line: option parsing, I/O, and the one place errors become exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from logstat import __version__
from logstat.errors import ExitCode, LogstatError, UsageError
from logstat.formats import BUILTIN_FORMATS, resolve_log_format
from logstat.inputs import Input, open_inputs
from logstat.registry import LANGS, Lang, StatusCode, load_registry
from logstat.render import OutputFormat, RenderOptions, format_for_path, renderer_for
from logstat.render.text import visible
from logstat.report import build_report
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
    """Turn library errors into one stderr line and an exit code; nothing else does."""
    try:
        yield
    except LogstatError as exc:
        if debug:
            traceback.print_exc()
        _stderr().print(f"logstat: error: {exc}")
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        # The reader went away (`logstat ... | head`); say nothing, as other filters do.
        with contextlib.suppress(OSError):
            sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115
        raise typer.Exit(int(ExitCode.OK)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"logstat {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """What your HTTP status codes say, from nginx and Apache access logs."""


def _is_terminal() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _terminal_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 120


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
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    directory = path.parent if str(path.parent) else Path()
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.", delete=False
        ) as handle:
            handle.write(text)
        Path(handle.name).replace(path)
    except OSError as exc:
        msg = f"{path}: cannot write the report ({exc.strerror}); check the directory and its permissions"
        raise UsageError(msg) from None


def _lang(value: str) -> Lang:
    if value not in LANGS:
        msg = f"--lang must be one of {', '.join(LANGS)}, not {value!r}"
        raise UsageError(msg)
    return value


FilesArg = Annotated[
    list[str],
    typer.Argument(help="Access log files; '-' reads standard input.", show_default=False),
]
LogFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        "-l",
        help="A built-in format name (see 'logstat formats'), or the server's own nginx "
        "log_format / Apache LogFormat string. Default: detected per file.",
    ),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="Output format. Default: table, or from the -o suffix."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file (.txt, .csv, .json) instead of stdout."),
]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of explanations: en or zh.")]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Count only requests at or after this time (inclusive): an age like 24h, 7d, 90m, "
        "ISO 8601 (2026-10-10T13:00:00Z; no offset means UTC), or the log's own 10/Oct/2026:13:00:00 +0000.",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", help="Count only requests before this time (exclusive); same forms as --since."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]


@app.command()
def summarize(
    files: FilesArg,
    log_format: LogFormatOpt = None,
    output_format: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = "en",
    since: SinceOpt = None,
    until: UntilOpt = None,
    quiet: QuietOpt = False,
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
      logstat summarize app.log --log-format '$remote_addr [$time_local] "$request" $status'

    \b
    Exit codes: 0 ok, 1 error (unreadable input, nothing parsed), 2 bad usage.
    """
    with _reporting_errors(debug=debug), tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        chosen = _lang(lang)
        fmt = resolve_log_format(log_format) if log_format else None
        if output_format is None:
            output_format = format_for_path(output) if output else OutputFormat.TABLE
        window = build_window(since, until)
        inputs = open_inputs(files, spool_dir=Path(spool))
        with progress_display(inputs, enabled=not quiet and sys.stderr.isatty()) as on_input:
            report = build_report(
                inputs, log_format=fmt, window=window, spool_dir=Path(spool), on_input=on_input
            )
        to_terminal = output is None and _is_terminal()
        options = RenderOptions(lang=chosen, color=to_terminal, width=_terminal_width())
        text = renderer_for(output_format)(report, options)
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(output, text)


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


@app.command()
def codes(
    selectors: Annotated[
        list[str] | None, typer.Argument(help="Codes (404) or classes (4xx); default: all.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
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
        console = Console(highlight=False, markup=False, emoji=False, width=_terminal_width())
        detailed = bool(selectors)
        for entry in entries:
            text = entry.text[chosen]
            head = Text(f"{entry.code} {entry.reason_in(chosen)}", style="bold")
            head.append(f"  [{entry.kind}, {entry.spec}]", style="dim")
            console.print(head)
            console.print(Text("  " + text.meaning))
            if detailed:
                for title, items in (("causes", text.causes), ("check", text.check)):
                    label = {"causes": {"en": "Likely causes", "zh": "可能原因"},
                             "check": {"en": "What to check", "zh": "检查什么"}}[title][chosen]
                    console.print(Text(f"  {label}:", style="bold"))
                    for item in items:
                        console.print(Text(f"    - {item}"))
                console.print()


@app.command()
def formats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in log formats, each with its definition and an example line.

    \b
    Any other format works too: pass the server's own string with --log-format, e.g.
      --log-format '$remote_addr - $remote_user [$time_local] "$request" $status'
      --log-format '%h %l %u %t "%r" %>s %b'
    """
    if as_json:
        data = [
            {"name": f.name, "description": f.description, "definition": f.definition,
             "syntax": f.syntax, "fields": list(f.fields), "example": f.example}
            for f in BUILTIN_FORMATS.values()
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console(highlight=False, markup=False, emoji=False, width=_terminal_width())
    for fmt in BUILTIN_FORMATS.values():
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        table.add_row(Text(fmt.name), Text(fmt.description))
        table.add_row(Text("format"), Text(fmt.definition))
        table.add_row(Text("example"), Text(fmt.example))
        console.print(table)
        console.print()


