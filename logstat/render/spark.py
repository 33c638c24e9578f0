"""Sparklines: a series of counts as one line of block characters."""

from __future__ import annotations

from collections.abc import Sequence


def bucket_size(length: int, width: int) -> int:
    """How many neighbouring values :func:`sparkline` sums per character to fit ``width``."""
    return max(1, -(-length // width)) if width > 0 else 1


_BLOCKS = "▁▂▃▄▅▆▇█"


_ZERO = "·"


def sparkline(counts: Sequence[int], width: int = 60) -> str:
    """A one-line chart of ``counts``: ``·`` for zero, ``▁`` to ``█`` scaled to the largest.

    More than ``width`` values are summed in equal runs of neighbours first, so the line is
    at most ``width`` characters and still sums the same requests.
    """
    values = list(counts)
    size = bucket_size(len(values), width)
    if size > 1:
        values = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    top = max(values, default=0)
    if top <= 0:
        return _ZERO * len(values)
    return "".join(
        _ZERO if v <= 0 else _BLOCKS[min(len(_BLOCKS) - 1, (v * len(_BLOCKS) - 1) // top)] for v in values
    )
