"""``logstat summarize``: read logs, build the report, write it where it was asked for."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from logstat.cli.errors import reporting_errors, stderr_console
from logstat.cli.options import (
    BomOpt,
    ByOpt,
    CompareOpt,
    CsvRawOpt,
    DebugOpt,
    FailIfOpt,
    FilesArg,
    FormatOpt,
    KeepOpt,
    LangOpt,
    LogFormatOpt,
    OutputOpt,
    QuietOpt,
    SinceOpt,
    SplitOpt,
    StateOpt,
    TableOpt,
    TopOpt,
    UntilOpt,
    WaitOpt,
    WhereOpt,
    parse_lang,
    parse_split,
)
from logstat.cli.output import STDOUT, output_targets, refuse_inputs_as_outputs, write_atomic
from logstat.cli.terminal import is_terminal, progress_display, stdin_is_terminal, terminal_width
from logstat.errors import ExitCode, UsageError
from logstat.render import OutputFormat, RenderOptions, renderer_for
from logstat.text import display_name

if TYPE_CHECKING:
    from logstat.report import Report
    from logstat.report.thresholds import Rule

NAME_A_FILE = "name one (logstat summarize access.log) or pipe a log in (zcat x.gz | logstat summarize)"


def _files_or_stdin(files: list[str] | None) -> list[str]:
    """The FILE arguments; without any, standard input when a log is piped in."""
    if files:
        return files
    if stdin_is_terminal():
        msg = f"no log file given; {NAME_A_FILE}"
        raise UsageError(msg)
    return ["-"]


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
    split: SplitOpt = None,
    where: WhereOpt = None,
    state: StateOpt = None,
    compare: CompareOpt = None,
    keep: KeepOpt = None,
    wait: WaitOpt = 600,
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
      logstat summarize other_vhosts_access.log --split vhost
      logstat summarize access.log --where 'path=/api/*' --where 'status=5*'
      logstat summarize 'access.log*' --state s.db --compare 1d -o m.prom
      logstat summarize --state s.db --since 24h -o daily.html

    \b
    Exit codes: 0 ok, 1 error (unreadable input, nothing parsed), 2 bad usage,
    3 a --fail-if rule holds (each one is printed to stderr with what was measured).
    """
    # Imported here, not at the top: polars is needed only once a log is read.
    from logstat.formats import resolve_log_format
    from logstat.report import build_report
    from logstat.report.thresholds import parse_rule
    from logstat.sources import open_inputs
    from logstat.tally.where import parse_condition
    from logstat.timewindow import build_window

    with reporting_errors(debug=debug), tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        chosen = parse_lang(lang)
        named = bool(files)
        rules = [parse_rule(rule) for rule in fail_if or []]
        _needs_store(state, compare, keep, where, rules)
        if not state:
            files = _files_or_stdin(files)
        split_by = split if state and split == "host" else parse_split(split)
        conditions = [parse_condition(text) for text in where or []]
        fmt = resolve_log_format(log_format) if log_format else None
        targets = output_targets(output or [], output_format)
        refuse_inputs_as_outputs(files or [], targets)
        window = build_window(since, until)
        if files and "-" in files and stdin_is_terminal():
            stderr_console().print("logstat: reading log lines from the terminal; end with Ctrl-D (or pipe a log in)")
        metrics = None
        if state:
            from logstat.cli.stateful import StateOptions, stateful_report

            stored = StateOptions(state, split_by, compare, keep, wait)
            prom = any(target is OutputFormat.PROMETHEUS for _, target in targets)
            reports = stateful_report(stored, files, fmt, window, top=top, spool_dir=Path(spool), metrics=prom)
            report, metrics = reports.report, reports.metrics
        else:
            assert files is not None
            inputs = open_inputs(files, spool_dir=Path(spool))
            if not named and inputs[0].path.stat().st_size == 0:
                # Most likely a cron line that lost its FILE: cron's standard input is empty.
                msg = f"no log file given, and standard input is empty; {NAME_A_FILE}"
                raise UsageError(msg)
            with progress_display(inputs, enabled=not quiet and sys.stderr.isatty()) as on_input:
                report = build_report(
                    inputs,
                    log_format=fmt,
                    window=window,
                    spool_dir=Path(spool),
                    on_input=on_input,
                    top=top,
                    split_by=split_by,
                    where=conditions,
                )
        for summary in report.inputs:
            if summary.note:
                # Also on stderr, so that a cron job's mail shows it.
                stderr_console().print(f"logstat: warning: {display_name(summary.name)}: {summary.note}")
        options = RenderOptions(
            lang=chosen, width=terminal_width(), by=by, csv_table=table, bom=bom, csv_raw=csv_raw,
            cumulative=bool(state),
        )
        if not targets and not quiet:
            targets = [(STDOUT, output_format or OutputFormat.TABLE)]
        for path, path_format in targets:
            if path == STDOUT:
                sys.stdout.write(renderer_for(path_format)(report, dataclasses.replace(options, color=is_terminal())))
                sys.stdout.flush()
            else:
                shown = metrics if path_format is OutputFormat.PROMETHEUS and metrics is not None else report
                write_atomic(path, renderer_for(path_format)(shown, options))
        _check_thresholds(rules, report)


def _needs_store(
    state: list[Path] | None, compare: str | None, keep: str | None, where: list[str] | None, rules: list[Rule]
) -> None:
    """Refuse the options that need a store without one, and --where with one."""
    for rule in rules:
        if rule.is_ratio and compare is None:
            msg = f"--fail-if {rule.text!r} compares with the previous period: add --compare PERIOD (and --state)"
            raise UsageError(msg)
    if state and where:
        msg = "--where cannot be used with --state: the store keeps every request"
        raise UsageError(msg)
    if state:
        return
    for name, value in (("--compare", compare), ("--keep", keep)):
        if value is not None:
            msg = f"{name} needs a store: add --state PATH"
            raise UsageError(msg)


def _check_thresholds(rules: list[Rule], report: Report) -> None:
    """Print every --fail-if rule that holds, with the measured values, and exit with code 3."""
    from logstat.report.thresholds import breached, evaluate

    verdicts = evaluate(rules, report)
    err = stderr_console()
    for verdict in verdicts:
        if verdict.unchecked is not None:
            err.print(f"logstat: warning: --fail-if {verdict.describe()}")
    failed = breached(verdicts)
    if not failed:
        return
    for verdict in failed:
        err.print(f"logstat: threshold: {verdict.describe()}")
    raise typer.Exit(int(ExitCode.THRESHOLD))
