"""The ``logstat`` command line: option parsing, I/O, and the one place errors become exit codes."""

from logstat.cli.app import app

__all__ = ["app"]
