"""``logstat top``: a live view of a log that is being written."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from logstat.cli.errors import reporting_errors
from logstat.cli.options import DebugOpt, LangOpt, LogFormatOpt, parse_lang
from logstat.cli.terminal import stdin_is_terminal
from logstat.errors import ExitCode, UsageError

_WINDOW = re.compile(r"^([0-9]+)([smh])$")


def parse_window(value: str) -> tuple[str, float | None]:
    """``--window`` as a name and seconds: ``90s``, ``5m``, ``2h``; ``all`` is since the start.

    Raises
    ------
    UsageError
        For anything else, or a window under a second.
    """
    if value in ("all", "start"):
        return "since start", None
    match = _WINDOW.match(value.strip())
    seconds = int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)] if match else 0
    if not seconds:
        msg = f"--window must be a length like 90s, 5m or 1h, or 'all' (since the start), not {value!r}"
        raise UsageError(msg)
    return value.strip(), float(seconds)


TopFilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FILE",
        help="Access logs to follow (globs too); '-' follows standard input, as does no FILE when a log is piped in.",
        show_default=False,
    ),
]
IntervalOpt = Annotated[
    float,
    typer.Option("--interval", min=0.2, max=60.0, metavar="SECONDS", help="Seconds between refreshes."),
]
WindowOpt = Annotated[
    str,
    typer.Option(
        "--window",
        metavar="LENGTH",
        help="The rolling window counted: 1m, 5m, 15m, 1h (the keys switch between them), "
        "any length like 90s or 2h, or 'all' (since the start).",
    ),
]
FromStartOpt = Annotated[
    bool,
    typer.Option("--from-start", metavar="", help="Count what the files already hold first, then follow them."),
]
PlainOpt = Annotated[
    bool,
    typer.Option(
        "--plain",
        metavar="",
        help="No screen: print one line per interval (time, requests, per-class counts, top error code), "
        "for piping into another tool.",
    ),
]


def top(
    files: TopFilesArg = None,
    log_format: LogFormatOpt = None,
    interval: IntervalOpt = 1.0,
    window: WindowOpt = "5m",
    from_start: FromStartOpt = False,
    plain: PlainOpt = False,
    lang: LangOpt = "en",
    debug: DebugOpt = False,
) -> None:
    """Watch a live log: requests per second, codes, errors and findings, now.

    Follows the files like tail -F (through logrotate's rename and copytruncate),
    from their end unless --from-start. Keys: q quit, p pause, s sort, w window,
    1-5 pick a window, z reset, ? list the keys.

    \b
    Examples:
      logstat top /var/log/nginx/access.log
      logstat top '/var/log/nginx/*access.log' --window 15m
      kubectl logs -f deploy/ingress-nginx | logstat top -
      journalctl -f -o cat -u nginx | logstat top -
      logstat top access.log --plain | grep -v ' 5xx=0 '

    \b
    Exit codes: 0 quit with q (or, with --plain, standard input ended),
    1 error, 2 bad usage (no terminal without --plain), 130 Ctrl-C.
    """
    # Imported here, not at the top: polars is needed only once a log is read.
    from rich.console import Console

    from logstat.formats import resolve_log_format
    from logstat.live.intervals import IntervalCounter
    from logstat.live.session import Session, run_plain, run_screen, window_choices
    from logstat.sources.follow import follow

    with reporting_errors(debug=debug), tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        chosen = parse_lang(lang)
        name, seconds = parse_window(window)
        if not plain and not sys.stdout.isatty():
            msg = "logstat top draws a full-screen view and needs a terminal; use --plain for one line per interval"
            raise UsageError(msg)
        fmt = resolve_log_format(log_format) if log_format else None
        if not files:
            if stdin_is_terminal():
                msg = "no log file given; name one (logstat top access.log) or pipe a log in (... | logstat top -)"
                raise UsageError(msg)
            files = ["-"]
        if "-" in files and stdin_is_terminal():
            msg = "'-' follows standard input, and it is the terminal; pipe a log in (... | logstat top -)"
            raise UsageError(msg)
        follower = follow(files, from_start=from_start)
        try:
            windows = window_choices(name, seconds)
            current = next(i for i, (n, s) in enumerate(windows) if n == name or (s is not None and s == seconds))
            counter = IntervalCounter(Path(spool), fmt, follower.tail_samples)
            session = Session(follower, counter, interval, chosen, windows, current)
            if plain:
                code = run_plain(session)
            else:
                try:
                    code = run_screen(session, Console(markup=False, highlight=False, emoji=False))
                except KeyboardInterrupt:
                    code = ExitCode.INTERRUPTED
        finally:
            follower.close()
    if plain:
        raise typer.Exit(int(code))
    _leave_now(code)


def _leave_now(code: int) -> NoReturn:
    """End the process at once, the terminal restored and the spool removed.

    Tearing down an interpreter that has loaded polars takes about a second on a busy
    machine, and ``q`` should feel instant; nothing is left to flush or close but stdout.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
