"""``--compare``: the same window one period earlier, and the change of each class's and code's share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from logstat.registry import Lang
from logstat.timewindow import TimeWindow


@dataclass(frozen=True)
class Comparison:
    """The counts of the previous period, or why there are none."""

    period: str
    """The shift as given (``1d``, ``7d``)."""
    shift: timedelta
    window: TimeWindow
    """The previous period (the current window moved back by :attr:`shift`)."""
    history: bool
    """Whether the store holds that whole period; without it there is no baseline, and no change."""
    note: dict[Lang, str] | None = None
    """Why there is no baseline."""
    parsed: int = 0
    by_class: tuple[tuple[str, int], ...] = ()
    by_code: tuple[tuple[str, int], ...] = ()

    def describe(self, lang: Lang) -> str:
        """``the same 10 minutes yesterday``: what the previous period is, in ``lang``."""
        span = self.window.until - self.window.since if self.window.since and self.window.until else None
        return describe_period(self.shift, self.period, span, lang)


@dataclass(frozen=True)
class Change:
    """One class or code in both periods."""

    kind: str
    """``class`` or ``code``."""
    key: str
    count: int
    share: float
    previous_count: int
    previous_share: float

    @property
    def share_change(self) -> float:
        """Current share minus previous share (``0.031`` is 3.1 percentage points more)."""
        return self.share - self.previous_share

    @property
    def ratio(self) -> float | None:
        """Current share over previous share (None when there was none then)."""
        return self.share / self.previous_share if self.previous_share else None


def changes(
    comparison: Comparison, parsed: int, by_class: dict[str, int], by_code: dict[str, int]
) -> list[Change]:
    """Every class, then every code, seen in either period, with both counts and shares.

    Classes in their usual order; codes by current count, then previous count, then code.
    """
    if not comparison.history:
        return []
    then = comparison.parsed
    rows = []
    order = ("1xx", "2xx", "3xx", "4xx", "5xx", "other")
    classes = dict(comparison.by_class)
    for name in order:
        if name in by_class or name in classes:
            now_count, then_count = by_class.get(name, 0), classes.get(name, 0)
            now_share, then_share = _share(now_count, parsed), _share(then_count, then)
            rows.append(Change("class", name, now_count, now_share, then_count, then_share))
    codes = dict(comparison.by_code)
    keys = sorted(set(by_code) | set(codes), key=lambda k: (-by_code.get(k, 0), -codes.get(k, 0), k))
    for key in keys:
        now_count, then_count = by_code.get(key, 0), codes.get(key, 0)
        rows.append(Change("code", key, now_count, _share(now_count, parsed), then_count, _share(then_count, then)))
    return rows


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def describe_period(shift: timedelta, period: str, span: timedelta | None, lang: Lang) -> str:
    """``the same hour yesterday`` / ``同一时段（昨天）``: the previous period in words."""
    when = {
        timedelta(days=1): {"en": "yesterday", "zh": "昨天"},
        timedelta(days=7): {"en": "a week earlier", "zh": "一周前"},
        timedelta(weeks=1): {"en": "a week earlier", "zh": "一周前"},
    }.get(shift, {"en": f"{period} earlier", "zh": f"{period} 之前"})[lang]
    if lang == "zh":
        return f"{when}的同一时段"
    length = _span_text(span) if span else "period"
    return f"the same {length} {when}"


def _span_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes == 60:
        return "hour"
    if minutes == 1440:
        return "day"
    if minutes % 1440 == 0:
        return f"{minutes // 1440} days"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes" if minutes != 1 else "minute"

