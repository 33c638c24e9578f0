"""What logstat knows about its terminal: whether there is one, its width, and a progress display."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from logstat.sources import Input
from logstat.text import visible


def is_terminal() -> bool:
    """Whether stdout is a terminal that wants colour (``NO_COLOR`` unset)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


PIPE_WIDTH = 120
"""Width of the table report when stdout is not a terminal and ``COLUMNS`` is not set."""


MIN_WIDTH = 40


def stdin_is_terminal() -> bool:
    """Whether standard input is a terminal (``False`` when it is closed)."""
    return sys.stdin is not None and sys.stdin.isatty()  # None: started with standard input closed


def terminal_width() -> int:
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


class StdoutConsole(Console):
    """A stdout console that lets a closed pipe reach reporting_errors (rich itself exits 1)."""

    def on_broken_pipe(self) -> None:
        """Stop writing, and let the closed pipe end the command quietly."""
        self.quiet = True
        raise BrokenPipeError
