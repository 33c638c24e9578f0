"""Exit codes and the errors that the library raises for the CLI to report."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; cron jobs and scripts rely on these values."""

    OK = 0
    ERROR = 1
    USAGE = 2
    THRESHOLD = 3
    INTERRUPTED = 130


class LogstatError(Exception):
    """Base class of every error that is reported to the user as one line."""

    exit_code: ExitCode = ExitCode.ERROR


class InputError(LogstatError):
    """An input cannot be opened or read."""


class FormatError(LogstatError):
    """A log format name or format string cannot be used."""

    exit_code = ExitCode.USAGE


class UnknownFormatError(LogstatError):
    """No known log format matches the sample lines of an input."""


class NoParsableLinesError(LogstatError):
    """The inputs hold lines, but not one of them could be parsed."""


class UsageError(LogstatError):
    """An option value is invalid."""

    exit_code = ExitCode.USAGE


class OutputError(LogstatError):
    """A report cannot be written where it was asked to go."""


class StoreError(LogstatError):
    """A ``--state`` store cannot be opened, read or updated."""
