"""The ``logstat`` typer application and its commands."""

from __future__ import annotations

from typing import Annotated

import typer

from logstat import __version__
from logstat.cli.export import export
from logstat.cli.reference import codes, formats
from logstat.cli.summarize import summarize
from logstat.cli.top import top

app = typer.Typer(
    name="logstat",
    help="What your HTTP status codes say, from nginx and Apache access logs.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


app.command()(summarize)
app.command()(export)
app.command()(top)
app.command()(codes)
app.command()(formats)
