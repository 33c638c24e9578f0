"""The live view's loop: every interval, read what was appended, count it, advance the windows,
and draw the screen (or print one ``--plain`` line); keys act at once."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.live import Live

from logstat.errors import ExitCode, NoParsableLinesError
from logstat.live.intervals import IntervalCounter, class_counts
from logstat.live.keys import Keyboard
from logstat.live.view import SORTS, Screen, label, plain_line, render, top_error
from logstat.live.window import (
    NO_REQUESTS,
    ClassCounts,
    Ring,
    WindowCache,
    advance,
    merge_all,
    new_ring,
)
from logstat.registry import Lang
from logstat.report import Report, build
from logstat.sources.follow import Event, Follower
from logstat.tally.model import Tally
from logstat.text import visible

WINDOWS: tuple[tuple[str, float | None], ...] = (
    ("1m", 60.0), ("5m", 300.0), ("15m", 900.0), ("1h", 3600.0), ("since start", None),
)
"""The windows the keys switch between: name and seconds (None: since the start)."""

MAX_INPUT_LINES = 3
"""Inputs listed by name at the top of the screen; more are summed up."""


def window_choices(name: str, seconds: float | None) -> tuple[tuple[str, float | None], ...]:
    """The preset windows, with ``--window`` among them in its place when it is not one."""
    if any(n == name or (s == seconds and s is not None) for n, s in WINDOWS):
        return WINDOWS
    timed = sorted([*(w for w in WINDOWS if w[1] is not None), (name, seconds)], key=lambda w: w[1] or 0.0)
    return (*timed, WINDOWS[-1])


@dataclass
class Session:
    """What the live view has counted, and what it shows."""

    follower: Follower
    counter: IntervalCounter
    interval: float
    lang: Lang
    windows: tuple[tuple[str, float | None], ...]
    current: int
    sort: str = "count"
    paused: bool = False
    show_keys: bool = False
    ring: Ring = field(init=False)
    last: ClassCounts = NO_REQUESTS
    last_seconds: float = 1.0
    """The time the last count covered (more than an interval when drawing fell behind)."""
    events: deque[tuple[Event, datetime]] = field(default_factory=lambda: deque(maxlen=3))
    frozen: Screen | None = None
    wall: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    windows_read: WindowCache = field(default_factory=WindowCache)
    _built: tuple[Tally | None, Report | None] = (None, None)
    _problem: str = ""

    def __post_init__(self) -> None:
        self.ring = self._empty_ring()

    def _empty_ring(self) -> Ring:
        lengths = [round(seconds / self.interval) for _, seconds in self.windows if seconds is not None]
        return new_ring(lengths)

    def _length(self) -> int | None:
        seconds = self.windows[self.current][1]
        return None if seconds is None else max(1, round(seconds / self.interval))

    def tick(self, deadline: float, intervals: int = 1) -> Tally:
        """Read and count what arrived in the last ``intervals`` intervals (more than one when
        drawing fell behind: the lines count in the first, and the windows still span the
        time that passed); a backlog is read on until ``deadline`` (monotonic)."""
        tallies: list[Tally] = []
        while True:
            chunks, events = self.follower.poll()
            tallies.append(self.counter.count(chunks))
            now = self.wall()
            self.events.extend((event, now) for event in events if event.what != "ended")
            if not self.follower.behind or time.monotonic() >= deadline:
                break
        tally = merge_all(tallies, self.ring.split_by)
        self.last, self.last_seconds = class_counts(tally), intervals * self.interval
        self.ring = advance(self.ring, tally, self.last)
        for _ in range(intervals - 1):
            self.ring = advance(self.ring, Tally.empty(self.ring.split_by), NO_REQUESTS)
        return tally

    def press(self, key: str) -> bool:
        """Act on one key; False when it asks to quit."""
        if key == "q":
            return False
        if key == "p":
            self.paused = not self.paused
            self.frozen = None
        elif key == "s":
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        elif key in ("w", "W"):
            self.current = (self.current + (1 if key == "w" else -1)) % len(self.windows)
        elif key.isdigit() and 1 <= int(key) <= len(self.windows):
            self.current = int(key) - 1
        elif key == "z":
            self.ring = self._empty_ring()
            self.last = NO_REQUESTS
        elif key == "?":
            self.show_keys = not self.show_keys
        else:
            return True
        if self.frozen is not None:
            self.frozen = None  # a key while paused redraws with the counts of now, then holds again
        return True

    def screen(self, width: int, height: int) -> Screen:
        """The frame to draw now (the held one while paused)."""
        if self.paused and self.frozen is not None:
            return dataclasses.replace(self.frozen, width=width, height=height, show_keys=self.show_keys)
        length = self._length()
        view = self.windows_read.window(self.ring, length)
        notes = self._notes()
        report = None
        if view.tally is self._built[0]:
            report = self._built[1]  # nothing new in the window: the same report (an idle log costs nothing)
        elif view.tally.totals()["lines"]:
            try:
                report = build(view.tally, now=self.wall())
            except NoParsableLinesError as exc:
                self._problem = visible(str(exc))
            self._built = (view.tally, report)
        if report is None and self._problem and view.tally.totals()["lines"]:
            notes.append(self._problem)
        rates = None
        if length is not None:
            before, intervals = self.windows_read.previous(self.ring, length)
            if intervals:
                seconds = intervals * self.interval
                counts = before.by_status().select("status", "count").iter_rows()
                rates = {str(raw): int(n) / seconds for raw, n in counts}
        frame = Screen(
            now=self.wall(), lang=self.lang, window_name=self.windows[self.current][0] if length else None,
            interval=self.interval, view=view, report=report, last=self.last, last_seconds=self.last_seconds,
            previous=rates,
            inputs=self._inputs(), notes=tuple(notes), windows=tuple(name for name, _ in self.windows),
            sort=self.sort, paused=self.paused,
            show_keys=self.show_keys, width=width, height=height,
        )
        if self.paused:
            self.frozen = frame
        return frame

    def _inputs(self) -> tuple[str, ...]:
        names = list(dict.fromkeys([*(p.name for p in self.follower.paths), *(s.name for s in self.follower.streams)]))
        lines = []
        for name in names[:MAX_INPUT_LINES]:
            reading = self.counter.readings.get(name)
            fmt = reading.log_format if reading else self.counter.given
            how = "" if fmt is None else f" ({fmt.name}, {'detected' if reading and reading.detected else 'given'})"
            lines.append(visible(name) + how)
        if len(names) > MAX_INPUT_LINES:
            lines.append(f"… +{len(names) - MAX_INPUT_LINES}")
        return tuple(lines)

    def _notes(self) -> list[str]:
        lang = self.lang
        notes = [label("waiting", lang, name=visible(name)) for name in self.follower.waiting()]
        notes += [visible(f"{name}: {why}") for name, why in self.follower.problems.items()]
        notes += [label("ended", lang, name=visible(s.name)) for s in self.follower.streams if s.ended]
        for name, reading in self.counter.readings.items():
            if reading.log_format is None and reading.problem:
                notes.append(label("undetected", lang, name=visible(name), why=visible(reading.problem)))
        notes += [
            label(event.what, lang, name=visible(event.name), when=f"{when:%H:%M:%S}") for event, when in self.events
        ]
        return notes


@contextlib.contextmanager
def _wake_on_resize() -> Iterator[int]:
    """A descriptor that becomes readable when the terminal is resized."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    os.set_blocking(read_end, False)

    def wake(_signum: int, _frame: object) -> None:
        with contextlib.suppress(BlockingIOError):
            os.write(write_end, b"!")

    old = signal.signal(signal.SIGWINCH, wake)
    try:
        yield read_end
    finally:
        signal.signal(signal.SIGWINCH, old)
        os.close(read_end)
        os.close(write_end)


def _count_due(session: Session, deadline: float) -> tuple[float, Tally]:
    """Count the interval that ended at ``deadline`` (with any others that passed meanwhile);
    the next deadline, and the tally counted."""
    passed = 1 + int(max(0.0, time.monotonic() - deadline) // session.interval)
    tally = session.tick(deadline + session.interval, passed)
    return deadline + passed * session.interval, tally


def run_screen(session: Session, console: Console) -> ExitCode:
    """Run the full-screen view until ``q`` (Ctrl-C raises KeyboardInterrupt, after the
    terminal is restored)."""

    def draw() -> None:
        width, height = console.size
        live.update(render(session.screen(width, height)), refresh=True)

    with Keyboard() as keys, _wake_on_resize() as resized, Live(
        console=console, screen=True, auto_refresh=False, redirect_stdout=False, redirect_stderr=False
    ) as live:
        deadline = time.monotonic() + session.interval
        draw()
        while True:
            ready, _, _ = select.select([keys.fileno(), resized], [], [], max(0.0, deadline - time.monotonic()))
            redraw = False
            if resized in ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(resized, 64)
                redraw = True
            if keys.fileno() in ready:
                for key in keys.read():
                    if not session.press(key):
                        return ExitCode.OK
                    redraw = True
            if time.monotonic() >= deadline:
                deadline, _ = _count_due(session, deadline)
                redraw = redraw or not session.paused
            if redraw:
                draw()


def run_plain(session: Session, out: TextIO = sys.stdout) -> ExitCode:
    """Print one line per interval until every input has ended (standard input closed), or Ctrl-C."""
    deadline = time.monotonic() + session.interval
    while True:
        time.sleep(max(0.0, deadline - time.monotonic()))
        deadline, tally = _count_due(session, deadline)
        statuses = [(str(s), int(n)) for s, n in tally.by_status().select("status", "count").iter_rows()]
        out.write(plain_line(session.wall(), session.last, tally.totals()["unparsed"], top_error(statuses)) + "\n")
        out.flush()
        if session.follower.ended:
            return ExitCode.OK
