"""The one place where errors become a line on stderr and an exit code."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from logstat.errors import ExitCode, LogstatError
from logstat.text import display_name, visible


def stderr_console() -> Console:
    """A console on stderr that prints text as it is: no markup, highlighting or emoji codes."""
    return Console(stderr=True, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextlib.contextmanager
def reporting_errors(*, debug: bool) -> Iterator[None]:
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
        fail(str(exc), exc.exit_code, debug=debug)
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
        fail(msg, ExitCode.ERROR, debug=debug)
    except MemoryError:
        fail("out of memory; read fewer or smaller files at a time", ExitCode.ERROR, debug=debug)
    except OSError as exc:
        where = f"{display_name(os.fsdecode(exc.filename))}: " if exc.filename else ""
        msg = f"{where}{exc.strerror or exc}; check the file, the disk and the permissions"
        fail(msg, ExitCode.ERROR, debug=debug)
    except BaseException as exc:
        # A polars panic is a BaseException (pyo3's PanicException); polars is not imported here,
        # so that commands which read no log start fast.
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        first = next(iter(str(exc).splitlines()), "")  # polars appends the whole query plan
        msg = f"unexpected {type(exc).__name__}: {first}; this is a bug, please report it with the output of --debug"
        fail(msg, ExitCode.ERROR, debug=debug)


def fail(message: str, code: ExitCode, *, debug: bool) -> NoReturn:
    """Print ``message`` as one ``logstat: error:`` line (the traceback first with ``debug``) and exit."""
    if debug:
        traceback.print_exc()
    stderr_console().print(visible(f"logstat: error: {message}"))
    raise typer.Exit(int(code)) from None
