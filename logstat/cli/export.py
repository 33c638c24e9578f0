"""``logstat export``: the parsed requests of logs as a Parquet dataset."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from logstat.cli.errors import reporting_errors, stderr_console
from logstat.cli.options import ClusterOpt, DebugOpt, FilesArg, LogFormatOpt, QuietOpt, StorageOpt
from logstat.errors import UsageError
from logstat.text import display_name

ToOpt = Annotated[
    str,
    typer.Option(
        "--to",
        metavar="DIR",
        help="Where the dataset goes: a directory, or an s3:// gs:// az:// prefix.",
        show_default=False,
    ),
]


def export(
    files: FilesArg = None,
    to: ToOpt = "",
    log_format: LogFormatOpt = None,
    cluster: ClusterOpt = None,
    storage_option: StorageOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Write every parsed request as a row of a Parquet dataset (hive-partitioned).

    \b
    Examples:
      logstat export /var/log/nginx/access.log* --to requests/
      logstat export 's3://logs/2026/11/*.gz' --to s3://lake/access/
      duckdb -c "SELECT status, count(*) FROM
        read_parquet('requests/requests/**/*.parquet', hive_partitioning=true)
        GROUP BY status"

    \b
    Layout: DIR/requests/date=YYYY-MM-DD/vhost=HOST/*.parquet and DIR/unparsed/
    (file, line, reason, text). Exporting the same input again replaces its files.
    """
    from logstat.export import Exported, clear_input, export_locally, export_piece
    from logstat.formats import resolve_log_format
    from logstat.sources import open_inputs
    from logstat.sources.remote import is_url, parse_storage_options
    from logstat.tally.pieces import plan, with_line_numbers

    with reporting_errors(debug=debug), tempfile.TemporaryDirectory(prefix="logstat-") as spool:
        if not files:
            msg = "no log file given; name one (logstat export access.log --to requests/)"
            raise UsageError(msg)
        if not to:
            msg = "--to is needed: the directory (or s3:// prefix) the dataset goes to"
            raise UsageError(msg)
        target = to.rstrip("/") if is_url(to) else str(Path(to).absolute())
        storage_options = parse_storage_options(storage_option or [])
        fmt = resolve_log_format(log_format) if log_format else None
        if cluster:
            from logstat.cluster import require_dask

            require_dask()
        inputs = open_inputs(files, spool_dir=Path(spool), storage_options=storage_options)
        pieces = with_line_numbers(plan(inputs, fmt))
        for source in inputs:
            clear_input(target, source)
        if cluster:
            from logstat.cluster import run_pieces

            def here(piece: object) -> Exported:
                return export_piece(piece, target, storage_options)  # type: ignore[arg-type]

            results = run_pieces(
                cluster, pieces, export_piece, here, spool_dir=Path(spool), to=target, storage_options=storage_options
            )
        else:
            results = export_locally(pieces, target, storage_options)
        total = sum(results, Exported())
        if not quiet:
            inputs_text = "1 input" if len(inputs) == 1 else f"{len(inputs):,} inputs"
            sys.stdout.write(
                f"exported {total.requests:,} requests and {total.unparsed:,} unparsed lines from {inputs_text} "
                f"to {display_name(target)} ({total.files:,} files)\n"
            )
        for source in inputs:
            if source.note:
                stderr_console().print(f"logstat: warning: {display_name(source.name)}: {source.note}")
