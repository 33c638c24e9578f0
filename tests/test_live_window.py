"""The rolling windows of the live view hold exactly the lines of the intervals they say they cover."""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from helpers import LINE, T0
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logstat.formats import BUILTIN_FORMATS
from logstat.live.window import (
    NO_REQUESTS,
    WindowCache,
    advance,
    level_of,
    merge_all,
    new_ring,
    pane_sizes,
    previous,
    window,
)
from logstat.registry import class_name
from logstat.report.model import CLASS_ORDER
from logstat.sources import Input
from logstat.tally.count import CountOptions, count_input
from logstat.tally.model import Tally

STATUSES = ["200", "200", "301", "404", "499", "502", "000"]
OPTIONS = CountOptions(sample_limit=5)


def _interval_lines(seed: int, size: int, start: int) -> list[tuple[str, str | None]]:
    """``size`` lines, each with the status it carries (None: not a request line)."""
    lines: list[tuple[str, str | None]] = []
    for i in range(size):
        k = (seed * 31 + i * 7) % 11
        if k == 10:
            lines.append(("not a log line", None))
        elif k == 9:
            lines.append(("", None))
        else:
            status = STATUSES[k % len(STATUSES)]
            when = T0 + timedelta(seconds=start + i)
            lines.append((LINE.format(when=when.strftime("%d/%b/%Y:%H:%M:%S +0000"), status=status), status))
    return lines


def _count(directory: Path, lines: list[tuple[str, str | None]], before: int) -> Tally:
    path = directory / f"piece-{before}"
    path.write_text("".join(f"{text}\n" for text, _ in lines), encoding="utf-8")
    return count_input(Input("access.log", path), BUILTIN_FORMATS["combined"], OPTIONS).shifted(before)


def _classes(statuses: list[str]) -> tuple[int, ...]:
    found = Counter(class_name(s) for s in statuses)
    return tuple(found.get(name, 0) for name in CLASS_ORDER)


def _statuses(tally: Tally) -> dict[str, int]:
    return {str(status): int(count) for status, count in tally.by_status().select("status", "count").iter_rows()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(0, 4), min_size=1, max_size=20),
    windows=st.lists(st.integers(1, 14), min_size=1, max_size=3),
    panes=st.integers(1, 4),
)
def test_every_window_holds_exactly_the_intervals_it_covers(sizes: list[int], windows: list[int], panes: int) -> None:
    ring = new_ring(windows, panes=panes)
    cache = WindowCache()
    intervals: list[list[tuple[str, str | None]]] = []
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        before = 0
        for step, size in enumerate(sizes):
            lines = _interval_lines(step, size, before)
            statuses = [s for _, s in lines if s is not None]
            tally = _count(directory, lines, before) if lines else Tally.empty()
            ring = advance(ring, tally, _classes(statuses))
            intervals.append(lines)
            before += len(lines)
            t = len(intervals)
            for length in [*ring.windows, None]:
                view = window(ring, length)
                if length == ring.windows[0]:
                    kept = cache.window(ring, length)  # reused from interval to interval
                    assert kept.tally.equals(view.tally) and kept.points == view.points
                    kept_before, kept_intervals = cache.previous(ring, length)
                    before_now, intervals_now = previous(ring, length)
                    assert kept_intervals == intervals_now and kept_before.equals(before_now)
                if length is None:
                    assert view.intervals == t
                else:
                    size_of_pane = ring.levels[level_of(ring, length)].size
                    assert min(t, length - size_of_pane + 1) <= view.intervals <= min(t, length)
                covered = [s for lines_ in intervals[t - view.intervals :] for _, s in lines_ if s is not None]
                assert _statuses(view.tally) == dict(Counter(covered))
                assert sum(view.point_intervals) == view.intervals
                summed = NO_REQUESTS
                for point in view.points:
                    summed = tuple(a + b for a, b in zip(summed, point, strict=True))
                assert summed == _classes(covered)
                if length is not None:
                    prev, prev_intervals = previous(ring, length)
                    end = t - view.intervals
                    assert prev_intervals <= length and prev_intervals <= end
                    if end >= length:
                        assert prev_intervals >= length - size_of_pane + 1
                    earlier = [s for part in intervals[end - prev_intervals : end] for _, s in part if s is not None]
                    assert _statuses(prev) == dict(Counter(earlier))
            kept = sum(len(level.panes) for level in ring.levels)
            assert kept <= sum(level.keep for level in ring.levels)
        # The whole tally of each window, samples and line accounting included, is the direct count.
        for length in [*ring.windows, None]:
            view = window(ring, length)
            first = len(intervals) - view.intervals
            lines = [x for lines_ in intervals[first:] for x in lines_]
            offset = sum(len(lines_) for lines_ in intervals[:first])
            direct = _count(directory, lines, offset) if lines else Tally.empty()
            assert view.tally.equals(direct) or (not lines and view.tally.equals(Tally.empty()))


def test_memory_stays_flat_over_a_long_run() -> None:
    ring = new_ring([60, 300, 900, 3600])
    empty = Tally.empty()
    for _ in range(3 * 3600):
        ring = advance(ring, empty, NO_REQUESTS)
    kept = [len(level.panes) for level in ring.levels]
    assert kept == [level.keep for level in ring.levels]
    assert sum(kept) < 600
    assert len(ring.history) <= 120
    assert window(ring, 3600).intervals == 3600
    assert window(ring, None).intervals == 3 * 3600


def test_pane_sizes_divide_each_other() -> None:
    assert pane_sizes([60, 300, 900, 3600]) == (1, 5, 15, 60)
    sizes = pane_sizes([60, 300, 600, 900, 3600])
    assert all(b % a == 0 for a, b in itertools.pairwise(sizes))


def test_merge_all_of_empty_tallies_is_empty() -> None:
    assert merge_all([Tally.empty(), Tally.empty()], None).equals(Tally.empty())
