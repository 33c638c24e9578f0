"""``summarize --state``: update a store with the new lines, then report on them or on a window
of the store, with ``--compare`` against the same window one period earlier."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from logstat.errors import UsageError
from logstat.formats import LogFormat
from logstat.registry import Lang
from logstat.report import Report
from logstat.report.build import build
from logstat.report.compare import Comparison
from logstat.sources import Input
from logstat.store.ingest import RunResult, update_store
from logstat.store.read import Rounded
from logstat.store.stores import READ_SPLITS, OpenStore, history, opened, read_lifetime, read_window, with_split
from logstat.tally.model import Tally
from logstat.timewindow import TimeWindow, parse_age


@dataclass(frozen=True)
class StoreReports:
    """What a ``--state`` run reports: the report, and the counters for ``-o FILE.prom``."""

    report: Report
    metrics: Report | None
    """The stores' counters over their whole life (so that Prometheus's ``rate()`` works), when asked."""


@dataclass(frozen=True)
class StateOptions:
    """The ``--state`` options of one run."""

    states: Sequence[Path]
    split: str | None = None
    compare: str | None = None
    keep: str | None = None
    wait: float = 600


def check(options: StateOptions, files: Sequence[str] | None) -> None:
    """Refuse what cannot be done with these stores and files.

    Raises
    ------
    UsageError
        For several stores with FILE, an unknown split key, or a bad --compare/--keep length.
    """
    if len(options.states) > 1 and files:
        msg = "--state can be given more than once only to read stores (without FILE); a run reads logs into one store"
        raise UsageError(msg)
    if len(options.states) > 1 and options.keep:
        msg = "--keep prunes one store at a time; give one --state with it"
        raise UsageError(msg)
    if options.split is not None and options.split not in READ_SPLITS:
        msg = f"--split must be one of {', '.join(READ_SPLITS)}, not {options.split!r}"
        raise UsageError(msg)
    if options.compare is not None:
        parse_age(options.compare, "--compare")
    if options.keep is not None:
        parse_age(options.keep, "--keep")


def stateful_report(
    options: StateOptions,
    files: Sequence[str] | None,
    log_format: LogFormat | None,
    window: TimeWindow,
    *,
    top: int,
    spool_dir: Path,
    on_input: Callable[[Input], None] | None = None,
    now: datetime | None = None,
    metrics: bool = False,
) -> StoreReports:
    """Update the store with FILE's new lines (if any), then build the report (and with ``metrics``
    the counters over the stores' life)."""
    check(options, files)
    moment = now or datetime.now(UTC)
    result = None
    if files or options.keep:
        keep = parse_age(options.keep, "--keep") if options.keep else None
        result = update_store(
            options.states[0], list(files or []), log_format, split_by=options.split, wait=options.wait,
            keep=keep, spool_dir=spool_dir, on_input=on_input,
        )
    with opened(options.states, wait=options.wait) as stores:
        notes: tuple[dict[Lang, str], ...] = ()
        if result is not None and files and window.is_open:
            tally = _new_lines(result, options.split)
            current = _span_of(tally)
        else:
            rounded = Rounded.of(window)
            tally = read_window(stores, rounded, split_by=options.split)
            notes = rounding_notes(rounded)
            current = rounded.counts
        comparison = None
        if options.compare is not None:
            comparison = _compare(stores, options.compare, current, moment)
        report = build(tally, top=top, now=moment, window=window, notes=notes, comparison=comparison,
                       require_parsed=False)
        counters = None
        if metrics:
            counters = build(read_lifetime(stores, split_by=options.split), top=0, now=moment, require_parsed=False)
    return StoreReports(report, counters)


def _new_lines(result: RunResult, split: str | None) -> Tally:
    """The run's tally of its new lines, split as asked."""
    tally = result.tally
    if split is None:
        return tally.unsplit()
    if split == "host":
        return with_split(tally.unsplit(), "host", result.host)
    if split != tally.split_by:
        kept = f"per {result.split_by}" if result.split_by else "without a split key"
        msg = f"this store keeps requests {kept}: the new lines cannot be reported per {split}"
        raise UsageError(msg)
    return tally


def _span_of(tally: Tally) -> TimeWindow | None:
    """The whole minutes the tally's requests fall in (None without any)."""
    first, last = tally.time_range()
    if first is None or last is None:
        return None
    start = first.replace(second=0, microsecond=0)
    return TimeWindow(start, last.replace(second=0, microsecond=0) + timedelta(minutes=1))


def _when(moment: datetime | None, lang: Lang) -> str:
    if moment is None:
        return {"en": "the start", "zh": "开始"}[lang]
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _span(window: TimeWindow, lang: Lang) -> str:
    until = _when(window.until, lang) if window.until else {"en": "now", "zh": "现在"}[lang]
    return f"{_when(window.since, lang)} → {until}"


def rounding_notes(rounded: Rounded) -> tuple[dict[Lang, str], ...]:
    """What the report says when its window cuts a minute or an evidence bucket."""
    if rounded.counts_cut:
        return ({
            "en": "The store keeps counts per minute and evidence and latency per hour: the counts cover "
            f"{_span(rounded.counts, 'en')}, the evidence and latency {_span(rounded.evidence, 'en')}.",
            "zh": f"存储按分钟保存计数、按小时保存证据与耗时：计数覆盖 {_span(rounded.counts, 'zh')}，"
            f"证据与耗时覆盖 {_span(rounded.evidence, 'zh')}。",
        },)
    if rounded.evidence_cut:
        return ({
            "en": f"The store keeps evidence and latency per hour: they cover {_span(rounded.evidence, 'en')}.",
            "zh": f"存储按小时保存证据与耗时：它们覆盖 {_span(rounded.evidence, 'zh')}。",
        },)
    return ()


def _compare(stores: Sequence[OpenStore], period: str, current: TimeWindow | None, now: datetime) -> Comparison:
    """The previous period's counts from the stores, or why there are none."""
    shift = parse_age(period, "--compare")
    if current is None:
        nothing: dict[Lang, str] = {"en": "No request in this run to compare.", "zh": "本次运行没有可比较的请求。"}
        return Comparison(period, shift, TimeWindow(), history=False, note=nothing)
    if current.since is None:
        msg = "--compare needs a window to move back: --since (or FILE, to compare the new lines)"
        raise UsageError(msg)
    until = current.until or now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    since = current.since - shift
    previous = TimeWindow(since, until - shift)
    start, end = history(stores)
    if start is None or end is None or start > since or end + timedelta(minutes=1) < until - shift:
        held: dict[Lang, str] = (
            {"en": "the store holds no request yet", "zh": "存储中还没有请求"}
            if start is None
            else {
                "en": f"the store holds requests from {_when(start, 'en')} to {_when(end, 'en')}",
                "zh": f"存储中的请求从 {_when(start, 'zh')} 到 {_when(end, 'zh')}",
            }
        )
        note: dict[Lang, str] = {
            "en": f"No history for the previous period ({_span(previous, 'en')}): {held['en']}; nothing is compared.",
            "zh": f"没有上一时段（{_span(previous, 'zh')}）的历史：{held['zh']}；因此不作比较。",
        }
        return Comparison(period, shift, previous, history=False, note=note)
    tally = read_window(stores, Rounded.of(previous), split_by=None)
    then = build(tally, top=0, window=previous, require_parsed=False)
    return Comparison(
        period, shift, previous, history=True, parsed=then.totals.parsed,
        by_class=tuple((row.name, row.count) for row in then.by_class),
        by_code=tuple((row.raw, row.count) for row in then.by_code),
    )
