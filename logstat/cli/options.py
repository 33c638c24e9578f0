"""The command-line options, declared once and shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logstat.errors import UsageError
from logstat.periods import Period
from logstat.registry import LANGS, Lang
from logstat.render import CsvTable, OutputFormat


def parse_split(value: str | None) -> str | None:
    """``value`` as a ``--split`` key (None: no split).

    Raises
    ------
    UsageError
        When it is not one of :data:`logstat.tally.count.SPLITS`.
    """
    splits = ("vhost", "service", "file")  # logstat.tally.count.SPLITS, without importing polars
    if value is None or value in splits:
        return value
    more = "; --split host splits stores: add --state PATH (once per store)" if value == "host" else ""
    msg = f"--split must be one of {', '.join(splits)}, not {value!r}{more}"
    raise UsageError(msg)


def parse_lang(value: str) -> Lang:
    """``value`` as a language of the explanations.

    Raises
    ------
    UsageError
        When it is not one of :data:`logstat.registry.LANGS`.
    """
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
        "The suffix picks each file's format: .txt .csv .json .md .html, and .prom for Prometheus "
        "(node_exporter's textfile collector; counters over the store's life with --state, else this run's). "
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


SplitOpt = Annotated[
    str | None,
    typer.Option(
        "--split",
        metavar="KEY",
        help="Also a section of the report per virtual host (vhost), ingress-nginx service (service) "
        "or input file (file), most requests first; CSV gets a leading column with the key. "
        "With --state also per host (host: the store's host).",
        show_default=False,
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="FIELD=GLOB",
        help="Count only requests whose FIELD matches GLOB (* and ?); FIELD!=GLOB for the others; "
        "repeatable: the same field any of its globs, different fields all. Fields: vhost, service, "
        "path, client, method, agent, status, class. The rest count as filtered.",
        show_default=False,
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", metavar="", help="Show a traceback on errors.")]


StateOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--state",
        metavar="PATH",
        help="An SQLite store of what was read: with FILE, read only the new lines, add them to it and "
        "report on them; with --since/--until, report on that window from the store; without FILE, "
        "read no log. Repeatable without FILE: several hosts' stores in one report.",
        show_default=False,
    ),
]


CompareOpt = Annotated[
    str | None,
    typer.Option(
        "--compare",
        metavar="PERIOD",
        help="With --state: compare with the same window PERIOD earlier (1d, 7d ...), from the store.",
        show_default=False,
    ),
]


KeepOpt = Annotated[
    str | None,
    typer.Option(
        "--keep",
        metavar="AGE",
        help="With --state: drop what the store holds from before AGE ago (90d); lifetime counters stay.",
        show_default=False,
    ),
]


WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        metavar="SECONDS",
        help="With --state: how long to wait for another run that is updating the same store.",
    ),
]
