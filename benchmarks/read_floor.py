"""The least a polars reader pays for a log: read every line as logstat does, parse nothing.

Usage::

    python benchmarks/read_floor.py FILE

Starts Python, imports polars, scans FILE with logstat's own line reader and touches every
line (the sum of their lengths), on the same streaming engine and thread cap as logstat.
``benchmarks/run.py`` times it next to logstat, so the table shows how much of logstat's
time any design built on this reader would pay before parsing a single field.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from logstat.launch import DEFAULT_MAX_THREADS


def main() -> None:
    """Read the file named on the command line and print its number of bytes in lines."""
    os.environ.setdefault("POLARS_MAX_THREADS", str(min(os.cpu_count() or 1, DEFAULT_MAX_THREADS)))
    import polars as pl  # imported late, as in logstat.launch: polars reads the cap on import

    from logstat.parse import scan_lines
    from logstat.sources import open_inputs

    with tempfile.TemporaryDirectory() as spool:
        (source,) = open_inputs([sys.argv[1]], spool_dir=Path(spool))
        total = scan_lines(source).select(pl.col("line").str.len_bytes().sum()).collect(engine="streaming")
    print(total.item())


if __name__ == "__main__":
    main()
