"""The console-script entry point; it sets polars' thread count before polars is imported."""

from __future__ import annotations

import os

DEFAULT_MAX_THREADS = 4
"""polars' streaming engine holds buffers per thread (about 100 MB each on a large log), and
a status count stops getting faster past a few threads, so logstat caps them by default."""


def main() -> None:
    """Run ``logstat``; ``POLARS_MAX_THREADS`` in the environment overrides the cap."""
    os.environ.setdefault("POLARS_MAX_THREADS", str(min(os.cpu_count() or 1, DEFAULT_MAX_THREADS)))
    from logstat.cli import app  # imported late: polars reads the variable on import

    app()
