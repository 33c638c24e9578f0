"""Measure ``logstat top`` against a writer process appending to a log at a steady rate.

Usage::

    python benchmarks/live.py                         # 1,000 and 20,000 lines/s, 30 s each, screen and --plain
    python benchmarks/live.py --rates 5000 --seconds 60 --modes screen

For each rate and mode, a log is started, ``logstat top`` follows it (the screen in a
pseudo-terminal, 120x50, or ``--plain`` into a pipe), and a second process appends
generated ``nginx_timed`` lines (with latencies, so the drill-down and percentiles have work)
in batches every 20 ms. logstat's CPU time is read from ``/proc/PID/stat`` (all its threads)
over the writing, after a warm-up; its peak memory from ``/proc/PID/status`` (VmHWM).
logstat runs with its defaults (a 5-minute window, a refresh every second). After the writer
stops, the lines logstat counted are compared with the lines written, and the time it took to
count the last of them is the lag: from the ``--plain`` lines, or from the screen (drawn by the
``pyte`` terminal emulator, from the test extra) after the key ``5`` (since the start).

No timing is asserted anywhere; the machine is shared and noisy, so read the figures as
"of this run".
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 5.0
CATCH_UP = 60.0


@dataclass(frozen=True)
class Result:
    """One run: what was written, what logstat counted, and what that cost."""

    mode: str
    rate: int
    written: int
    write_seconds: float
    counted: int
    lag: float
    """Seconds after the writer stopped until every line was counted (or it gave up)."""
    seconds: float
    cpu_share: float
    peak_mb: float
    refreshes: float
    """Screens drawn (or ``--plain`` lines printed) per second while the writer wrote."""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_mb(pid: int) -> float:
    """Peak resident memory of process ``pid`` (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write(path: Path, rate: int, seconds: float) -> None:
    """The writer process: append ``rate`` lines per second to ``path`` for ``seconds``; print the count."""
    from generate import generate

    lines = generate("nginx_timed", 20_000, seed=7, start=datetime.now(UTC), days=0.01)
    pool = [f"{line}\n".encode() for line in lines]
    written = 0
    start = time.monotonic()
    with path.open("ab", buffering=0) as out:
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(elapsed * rate) - written
            if due > 0:
                out.write(b"".join(pool[(written + i) % len(pool)] for i in range(due)))
                written += due
            time.sleep(0.02)
    print(written, time.monotonic() - start)


class Screen:
    """logstat top in a pseudo-terminal; its output drawn by pyte in a thread."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        import pyte

        self.screen = pyte.Screen(120, 50)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.frames = 0
        master, slave = pty.openpty()
        os.set_inheritable(slave, True)
        self.proc = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            preexec_fn=lambda: _take_terminal(slave),  # the pty must be its controlling terminal, for the keys
        )
        os.close(slave)
        self.master = master
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.frames += data.count("logstat top ·".encode())
                self.stream.feed(data)

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.screen.display)


def _take_terminal(fd: int) -> None:
    import fcntl
    import termios

    fcntl.ioctl(fd, termios.TIOCSCTTY, 0)


class Plain:
    """logstat top --plain into a pipe; a thread adds up the requests of its lines."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([*command, "--plain"], stdout=subprocess.PIPE, text=True, env=env)
        self.lines = 0
        self.requests = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = re.search(r" requests=(\d+) ", line)
            self.lines += 1
            self.requests += int(match.group(1)) if match else 0


def run(mode: str, rate: int, seconds: float) -> Result:
    """Follow a log that a writer process appends to at ``rate`` lines/s; measure logstat."""
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "access.log"
        from generate import generate

        log.write_text("".join(f"{line}\n" for line in generate("nginx_timed", 1000, seed=3, start=datetime.now(UTC))))
        command = [sys.executable, "-m", "logstat", "top", str(log)]
        follower: Screen | Plain = Screen(command, env) if mode == "screen" else Plain(command, env)
        while not _started(follower):
            time.sleep(0.1)
        writer = subprocess.Popen(
            [sys.executable, __file__, "--write", str(log), str(rate), str(seconds + WARM_UP)],
            stdout=subprocess.PIPE, text=True,
        )
        time.sleep(WARM_UP)
        pid = follower.proc.pid
        cpu0, wall0, frames0 = cpu_seconds(pid), time.monotonic(), _frames(follower)
        out, _ = writer.communicate()
        cpu1, wall1, frames = cpu_seconds(pid), time.monotonic(), _frames(follower) - frames0
        written, write_seconds = int(out.split()[0]), float(out.split()[1])
        if isinstance(follower, Screen):
            os.write(follower.master, b"5")  # the since-start window: every line counted so far
        counted, lag = _caught_up(follower, written, wall1)
        peak = peak_mb(pid)
        follower.proc.terminate()
        follower.proc.wait()
    elapsed = wall1 - wall0
    return Result(
        mode, rate, written, write_seconds, counted, lag, elapsed, (cpu1 - cpu0) / elapsed, peak, frames / elapsed
    )


def _started(follower: Screen | Plain) -> bool:
    return "logstat top ·" in follower.text() if isinstance(follower, Screen) else follower.lines > 0


def _frames(follower: Screen | Plain) -> int:
    return follower.frames if isinstance(follower, Screen) else follower.lines


def _counted(follower: Screen | Plain) -> int:
    if isinstance(follower, Plain):
        return follower.requests
    text = follower.text()
    match = re.search(r"Lines in the window: ([0-9,]+) parsed", text)
    return int(match.group(1).replace(",", "")) if match and "window since start" in text else -1


def _caught_up(follower: Screen | Plain, written: int, stopped: float) -> tuple[int, float]:
    """Lines counted once logstat has caught up (or after :data:`CATCH_UP` seconds), and how long
    after the writer stopped that was."""
    while (counted := _counted(follower)) < written and time.monotonic() - stopped < CATCH_UP:
        time.sleep(0.1)
    return counted, time.monotonic() - stopped


def main() -> None:
    """Run the measurements and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="1000,20000", help="lines per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the writer writes (after the warm-up)")
    parser.add_argument("--modes", default="screen,plain")
    parser.add_argument("--write", nargs=3, metavar=("PATH", "RATE", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write(Path(args.write[0]), int(args.write[1]), float(args.write[2]))
        return
    results = []
    for rate in (int(r) for r in args.rates.split(",")):
        for mode in args.modes.split(","):
            result = run(mode, rate, args.seconds)
            load = os.getloadavg()[0]
            print(f"  {mode} at {rate:,}/s (load average {load:.1f}): {result.cpu_share:.1%} of a core, "
                  f"{result.counted:,} of {result.written:,} lines", file=sys.stderr, flush=True)
            results.append(result)
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| mode | lines/s written | lines written | lines counted | counted within | CPU (of one core) "
          "| refreshes/s | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.mode} | {r.written / r.write_seconds:,.0f} | {r.written:,} | {r.counted:,} | {r.lag:.1f} s | "
              f"{r.cpu_share:.1%} | {r.refreshes:.2f} | {r.peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
