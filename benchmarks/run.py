"""Time logstat against baselines on generated logs, in one run, and print a table of ratios.

Usage::

    python benchmarks/run.py                      # 5M lines (about 1.2 GB), 3 repetitions
    python benchmarks/run.py --lines 1000000 --repeat 5
    python benchmarks/run.py --scaling 20000000   # also peak memory at 20M lines
    python benchmarks/run.py --scan 2000000       # also a scan: 2M 404s, each for a new path
    python benchmarks/run.py --incremental 0      # without the --state runs (first, +10,000 lines, none new)

Every command runs as its own process; wall time is the median of the repetitions and peak
memory is the child's maximum resident set size as the kernel reports it (``wait4``). The
baselines are ``awk '{print $9}' | sort | uniq -c``, an awk hash count, and GoAccess when it
is installed (``apt-get install goaccess``), which runs on a smaller file because it is slow.
Two floors put logstat's time in proportion: ``read_floor.py`` (start Python and polars, read
every line as logstat does, parse nothing) and logstat on a 1,000-line log (start-up, imports,
detection, building and printing a report).
No timing is asserted anywhere: the machines are noisy, so read the ratios.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import LogGenerator, scan_log, write_log  # noqa: E402


@dataclass(frozen=True)
class Measurement:
    """Median wall time and peak memory of one command."""

    name: str
    lines: int
    seconds: float
    peak_mb: float


def run_once(command: str) -> tuple[float, float]:
    """Run a shell command with output discarded; return wall seconds and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/bin/sh", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        msg = f"command failed ({proc.returncode}): {command}\n{err}"
        raise RuntimeError(msg)
    return elapsed, usage.ru_maxrss / 1024


def measure(name: str, command: str, lines: int, repeat: int) -> Measurement:
    """Run ``command`` ``repeat`` times after one warm-up and keep the medians."""
    run_once(command)
    runs = [run_once(command) for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    print(f"  {name}: {seconds:.2f} s, {peak:.0f} MB", file=sys.stderr, flush=True)
    return Measurement(name, lines, seconds, peak)


def ensure_log(workdir: Path, lines: int, *, seed: int = 1) -> Path:
    """Generate (once) a combined log of ``lines`` lines in ``workdir``."""
    path = workdir / f"combined-{lines}-s{seed}.log"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            write_log(LogGenerator("combined", lines, seed=seed, days=7), out)
        partial.replace(path)
    return path


def ensure_scan_log(workdir: Path, lines: int) -> Path:
    """Generate (once) a scan log of ``lines`` 404s for distinct paths (see ``generate.scan_log``)."""
    path = workdir / f"scan-{lines}.log"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="ascii") as out:
            out.writelines(f"{line}\n" for line in scan_log(lines))
        partial.replace(path)
    return path


def ensure_gzip(path: Path) -> Path:
    """A gzip copy of ``path`` (level 6, as logrotate's default)."""
    target = path.with_name(path.name + ".gz")
    if not target.exists():
        with path.open("rb") as src, gzip.open(target, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    return target


def logstat_command(path: Path, options: str = "") -> str:
    """The default report, written to a pipe (plain text), as cron would run it."""
    return f"{sys.executable} -m logstat summarize '{path}' {options} > /dev/null"


def measure_incremental(big: Path, lines: int, repeat: int) -> list[Measurement]:
    """The cost of ``--state`` runs on a copy of ``big``: the first run, which reads it all; then
    runs after ``NEW`` new lines each (the cron case); then a run with nothing new."""
    results = []
    with tempfile.TemporaryDirectory(dir=big.parent) as tmp:
        log, store, chunk = Path(tmp) / "access.log", Path(tmp) / "state.db", Path(tmp) / "new.log"
        shutil.copyfile(big, log)
        with chunk.open("wb") as out:
            write_log(LogGenerator("combined", INCREMENT, seed=7, days=1), out)
        first = f"{sys.executable} -m logstat summarize '{log}' --state '{store}' > /dev/null"
        seconds, peak = run_once(first)
        print(f"  logstat --state, first run: {seconds:.2f} s, {peak:.0f} MB", file=sys.stderr, flush=True)
        results.append(Measurement("logstat --state, first run (reads it all)", lines, seconds, peak))
        # Each run of the command appends the new lines, then reads them: the cron case.
        command = f"cat '{chunk}' >> '{log}' && {first}"
        results.append(measure(f"logstat --state after {INCREMENT:,} new lines", command, INCREMENT, repeat))
        results.append(measure("logstat --state, nothing new", first, 0, repeat))
        results.append(
            Measurement("store size", 0, 0.0, store.stat().st_size / 1e6)
        )
    return results


INCREMENT = 10_000
"""New lines per incremental run."""


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--goaccess-lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scaling", type=int, default=0, help="also measure logstat at this many lines")
    parser.add_argument("--scan", type=int, default=0, help="also measure a scan log of this many distinct 404s")
    parser.add_argument("--workdir", type=Path, default=HERE / "data")
    parser.add_argument(
        "--incremental", type=int, default=10_000, metavar="N",
        help="also time --state runs: the first (reads everything), then runs after N new lines (0: skip)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    big = ensure_log(args.workdir, args.lines)
    results: list[Measurement] = []
    print(f"{args.lines:,} lines, {big.stat().st_size / 1e9:.2f} GB", file=sys.stderr)
    results.append(measure("logstat", logstat_command(big), args.lines, args.repeat))
    results.append(measure("logstat (.gz)", logstat_command(ensure_gzip(big)), args.lines, args.repeat))
    results.append(
        measure("awk | sort | uniq -c", f"awk '{{print $9}}' '{big}' | sort | uniq -c", args.lines, args.repeat)
    )
    results.append(
        measure(
            "awk hash count",
            f"awk '{{c[$9]++}} END {{for (k in c) print k, c[k]}}' '{big}'",
            args.lines,
            args.repeat,
        )
    )
    results.append(measure("logstat --top 0 (no drill-down)", logstat_command(big, "--top 0"), args.lines, args.repeat))
    floor = f"{sys.executable} '{HERE / 'read_floor.py'}' '{big}'"
    results.append(measure("read floor: polars reads the lines, no parsing", floor, args.lines, args.repeat))
    tiny = ensure_log(args.workdir, 1000)
    results.append(measure("logstat on 1,000 lines (fixed cost)", logstat_command(tiny), 1000, args.repeat))
    if args.scaling:
        scaled = ensure_log(args.workdir, args.scaling)
        results.append(measure(f"logstat ({args.scaling:,} lines)", logstat_command(scaled), args.scaling, 1))
    if args.scan:
        scan = ensure_scan_log(args.workdir, args.scan)
        results.append(measure("logstat on a scan (every line a new 404 path)", logstat_command(scan), args.scan, 1))
        results.append(measure("logstat --top 0 on the scan", logstat_command(scan, "--top 0"), args.scan, 1))

    if args.incremental:
        results += measure_incremental(big, args.lines, args.repeat)

    small_results: list[Measurement] = []
    if shutil.which("goaccess"):
        small = ensure_log(args.workdir, args.goaccess_lines)
        small_results.append(measure("logstat", logstat_command(small), args.goaccess_lines, args.repeat))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.json"
            command = f"goaccess '{small}' --log-format=COMBINED -o '{out}'"
            small_results.append(measure("goaccess", command, args.goaccess_lines, max(1, args.repeat // 2)))

    print(report_table(results, small_results, big))


def report_table(results: list[Measurement], small: list[Measurement], big: Path) -> str:
    """Format the measurements as Markdown, with ratios against logstat."""
    cpu = platform.processor() or platform.machine()
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"file {big.stat().st_size / 1e9:.2f} GB",
        "",
        "| command | lines | wall (median) | lines/s | peak RSS | time vs logstat |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for group in (results, small):
        if not group:
            continue
        base = group[0].seconds
        for m in group:
            name = m.name.replace("|", "\\|")
            if m.name == "store size":
                lines.append(f"| store size on disk | | | | {m.peak_mb:.0f} MB | |")
                continue
            rate = f"{m.lines / m.seconds:,.0f}" if m.lines else "–"
            lines.append(
                f"| {name} | {m.lines:,} | {m.seconds:.2f} s | {rate} | "
                f"{m.peak_mb:.0f} MB | {m.seconds / base:.2f}x |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
