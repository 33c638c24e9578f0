"""Rolling windows over per-interval tallies: pure functions, flat memory.

The live view counts each interval (a second by default) into a tally and needs, at every
interval, the tally of the last minute, 5 minutes, 15 minutes, hour, or everything since it
started, and the tally of the window before (for "change against the previous window").

A tally merges but does not subtract, and keeping every interval's tally for an hour (and the
hour before) would hold thousands of them. So the ring keeps *panes* in levels: level 0 holds
one pane per interval, and each higher level a pane per ``size`` intervals, merged from the
level below when it fills. A window of length ``L`` is served by the level whose panes are
about ``L / PANES`` intervals long: its newest whole panes plus, for the intervals since that
level's last pane boundary, the panes of the lower levels. Each interval costs a fraction of
a merge to advance, and a window one merge of about ``PANES`` tallies to read; the ring holds
about ``2 * PANES`` panes per level however long it runs.

A window therefore covers its length to within one of its panes (``L / PANES`` intervals:
5 s of a 5-minute window), and says exactly how many intervals it covers, so rates divide by
the time actually counted. ``tests/test_live_window.py`` checks every window against a direct
count of the lines of the intervals it says it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from logstat.report.model import CLASS_ORDER
from logstat.tally.model import Tally

PANES = 60
"""Panes per window: the resolution of its edge and of its sparkline."""

HISTORY = 120
"""Most points of the since-start sparkline; pairs of points merge when there are more."""

ClassCounts = tuple[int, ...]
"""Parsed requests per class, in :data:`CLASS_ORDER`."""

NO_REQUESTS: ClassCounts = (0,) * len(CLASS_ORDER)

Point = tuple[ClassCounts, int]
"""A sparkline point: requests per class, and the intervals they were counted in."""


def add_counts(a: ClassCounts, b: ClassCounts) -> ClassCounts:
    """The sum of two class counts."""
    return tuple(x + y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Pane:
    """The tally of some consecutive intervals, and its requests per class."""

    tally: Tally
    classes: ClassCounts
    intervals: int


@dataclass(frozen=True)
class Level:
    """Panes of ``size`` intervals each, oldest first; at most ``keep`` of them."""

    size: int
    keep: int
    panes: tuple[Pane, ...] = ()


@dataclass(frozen=True)
class View:
    """What one window holds: its tally, the intervals it covers, and its requests per class
    per point (pane) in time order, with the intervals each point covers."""

    tally: Tally
    intervals: int
    points: tuple[ClassCounts, ...]
    point_intervals: tuple[int, ...]


@dataclass(frozen=True)
class Ring:
    """Everything counted since the start (or the last reset), as panes in levels."""

    levels: tuple[Level, ...]
    windows: tuple[int, ...]
    """The window lengths (in intervals) this ring serves."""
    panes: int = PANES
    """Panes per window."""
    split_by: str | None = None
    intervals: int = 0
    settled: Pane | None = None
    """Every pane of the top level so far, merged (the old part of "since start")."""
    history: tuple[Point, ...] = ()
    """Class counts since the start, for the since-start sparkline (tallies not kept)."""


def pane_sizes(windows: Sequence[int], panes: int = PANES) -> tuple[int, ...]:
    """Pane sizes of the levels for these window lengths: 1, then each a multiple of the one before."""
    sizes = [1]
    for length in sorted(windows):
        target = max(1, length // panes)
        size = max(sizes[-1], target // sizes[-1] * sizes[-1])
        if size != sizes[-1]:
            sizes.append(size)
    return tuple(sizes)


def level_of(ring: Ring, length: int) -> int:
    """The level whose panes serve a window of ``length`` intervals."""
    return _serving([level.size for level in ring.levels], length, ring.panes)


def _serving(sizes: Sequence[int], length: int, panes: int) -> int:
    target = max(1, length // panes)
    return max(i for i, size in enumerate(sizes) if size <= target)


def new_ring(windows: Sequence[int], *, panes: int = PANES, split_by: str | None = None) -> Ring:
    """An empty ring for windows of these lengths, in intervals (each at least 1).

    Each level keeps two windows of panes for the windows it serves (the window and the one
    before it), and enough to fill one pane of the level above.
    """
    lengths = tuple(sorted({max(1, w) for w in windows}))
    sizes = pane_sizes(lengths, panes)
    levels = []
    for index, size in enumerate(sizes):
        served = [2 * -(-w // size) for w in lengths if _serving(sizes, w, panes) == index]
        above = sizes[index + 1] // size if index + 1 < len(sizes) else 1
        levels.append(Level(size, max([above, *served])))
    return Ring(tuple(levels), lengths, panes, split_by)


def merge_all(tallies: Sequence[Tally], split_by: str | None, tables: Sequence[str] = tuple(Tally.TABLES)) -> Tally:
    """The merge of many tallies in one reduction per table (empty ones cost nothing)."""
    full = [t for t in tallies if not is_empty(t)]
    if not full:
        return Tally.empty(split_by)
    if len(full) == 1 and len(tables) == len(Tally.TABLES):
        return full[0]
    limit = max(t.sample_limit for t in full)
    concatenated = {name: pl.concat([getattr(t, name) for t in full]) for name in tables}
    return Tally.of(split_by, sample_limit=limit, **concatenated)


def is_empty(tally: Tally) -> bool:
    """Whether ``tally`` counts no line at all."""
    return tally.lines.height == 0 and tally.counts.height == 0


def _merged(panes: Sequence[Pane], split_by: str | None) -> Pane:
    classes = NO_REQUESTS
    for pane in panes:
        classes = add_counts(classes, pane.classes)
    return Pane(merge_all([p.tally for p in panes], split_by), classes, sum(p.intervals for p in panes))


def advance(ring: Ring, tally: Tally, classes: ClassCounts) -> Ring:
    """The ring after one more interval, whose tally is ``tally`` (``classes`` its requests per class)."""
    t = ring.intervals + 1
    levels = list(ring.levels)
    newest = Pane(tally, classes, 1)
    settled, history = ring.settled, ring.history
    for index, level in enumerate(levels):
        if index and t % level.size:
            break
        if index:
            below = levels[index - 1].panes[-(level.size // levels[index - 1].size) :]
            newest = _merged(below, ring.split_by)
        levels[index] = replace(level, panes=(*level.panes, newest)[-level.keep :])
        if index == len(levels) - 1:
            settled = newest if settled is None else _merged([settled, newest], ring.split_by)
            history = _with_history(history, newest)
    return replace(ring, levels=tuple(levels), intervals=t, settled=settled, history=history)


def _with_history(history: tuple[Point, ...], pane: Pane) -> tuple[Point, ...]:
    """The since-start points with one more top-level pane: at most :data:`HISTORY`, evenly sized."""
    if history and history[-1][1] < history[0][1]:
        classes, intervals = history[-1]
        history = (*history[:-1], (add_counts(classes, pane.classes), intervals + pane.intervals))
    else:
        history = (*history, (pane.classes, pane.intervals))
    if len(history) > HISTORY:
        history = tuple(_sum_points(history[i : i + 2]) for i in range(0, len(history), 2))
    return history


def _sum_points(points: Sequence[Point]) -> Point:
    classes = NO_REQUESTS
    for counts, _ in points:
        classes = add_counts(classes, counts)
    return classes, sum(intervals for _, intervals in points)


def _recent(ring: Ring, below: int) -> list[Pane]:
    """The panes of the levels under ``below`` that cover the intervals since its last pane boundary, oldest first."""
    pieces: list[Pane] = []
    for index in range(below - 1, -1, -1):
        level, above = ring.levels[index], ring.levels[index + 1]
        count = (ring.intervals % above.size) // level.size
        if count:
            pieces += level.panes[-count:]
    return pieces


def window(ring: Ring, length: int | None) -> View:
    """The window of the last ``length`` intervals (to within one pane), or since the start (``None``)."""
    return WindowCache().window(ring, length)


def _same(a: Sequence[Pane], b: Sequence[Pane]) -> bool:
    """Whether two runs of panes are the very same panes (panes never change once made)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _points(panes: Sequence[Pane]) -> tuple[tuple[ClassCounts, ...], tuple[int, ...]]:
    return tuple(p.classes for p in panes), tuple(p.intervals for p in panes)


@dataclass
class WindowCache:
    """Reads windows like :func:`window`, keeping the merge of a window's older panes, which
    changes only when a pane of its level completes; each interval then merges that and the
    few newest panes."""

    _key: tuple[Pane, ...] = ()
    _merged: Pane | None = None
    _previous_key: tuple[Pane, ...] = ()
    _previous: tuple[Tally, int] = (Tally.empty(), 0)

    def window(self, ring: Ring, length: int | None) -> View:
        """The same view as :func:`window` ``(ring, length)``."""
        if length is None:
            older = [] if ring.settled is None else [ring.settled]
            recent = _recent(ring, len(ring.levels) - 1)
            merged = self._merge(older, recent, ring.split_by)
            points = [*ring.history, *([_sum_points([(p.classes, p.intervals) for p in recent])] if recent else [])]
            return View(merged.tally, merged.intervals, tuple(c for c, _ in points), tuple(n for _, n in points))
        index = level_of(ring, length)
        recent = _recent(ring, index)
        low = sum(p.intervals for p in recent)
        level = ring.levels[index]
        count = min(max(0, length - low) // level.size, len(level.panes))
        older = list(level.panes[-count:]) if count else []
        merged = self._merge(older, recent, ring.split_by)
        chosen = (*older, *recent)
        return View(merged.tally, merged.intervals, *_points(chosen))

    def previous(self, ring: Ring, length: int) -> tuple[Tally, int]:
        """The same as :func:`previous` ``(ring, length)``; it changes only when a pane completes."""
        chosen = _previous_panes(ring, length)
        if not _same(chosen, self._previous_key):
            self._previous_key, self._previous = chosen, previous(ring, length)
        return self._previous

    def _merge(self, older: list[Pane], recent: list[Pane], split_by: str | None) -> Pane:
        key = tuple(older)
        if self._merged is None or not _same(key, self._key):
            self._key, self._merged = key, _merged(older, split_by)
        return _merged([self._merged, *recent], split_by)


def previous(ring: Ring, length: int) -> tuple[Tally, int]:
    """The counts (``counts`` table only) of the window before :func:`window` ``(ring, length)``,
    and the intervals it covers (0 before the ring holds that much)."""
    chosen = _previous_panes(ring, length)
    tally = merge_all([p.tally for p in chosen], ring.split_by, tables=("counts",))
    return tally, sum(p.intervals for p in chosen)


def _previous_panes(ring: Ring, length: int) -> tuple[Pane, ...]:
    index = level_of(ring, length)
    low = sum(p.intervals for p in _recent(ring, index))
    level = ring.levels[index]
    current = min(max(0, length - low) // level.size, len(level.panes))
    wanted = max(1, length // level.size)
    end = len(level.panes) - current
    return level.panes[max(0, end - wanted) : end]
