"""The Report: everything a renderer needs, and its one serializable shape (:meth:`Report.to_dict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from logstat.formats import LogFormat
from logstat.registry import OTHER_CLASS, Explanation, Lang, Registry, class_name, numeric_status
from logstat.report.compare import Change, Comparison, changes
from logstat.report.evidence import Percentiles, Ranked, Window
from logstat.tally.model import UnparsedSample
from logstat.timewindow import OPEN_WINDOW, TimeWindow

DEFAULT_TOP = 5
"""How many paths, clients, agents ... the drill-down shows per error code."""


NO_LATENCY: dict[Lang, str] = {
    "en": "This log format has no latency field, so how long requests took is not shown. If the server "
    "already logs it after these fields (nginx $request_time, Apache %D), pass the server's format string "
    "with --log-format; otherwise add $request_time (and $upstream_response_time) to the nginx log_format, "
    "or %D to the Apache LogFormat.",
    "zh": "此日志格式不含耗时字段，因此无法显示请求耗时。如果服务器已在这些字段之后记录了耗时（nginx 的 "
    "$request_time、Apache 的 %D），请用 --log-format 传入服务器的格式字符串；否则请在 nginx 的 log_format "
    "中加入 $request_time（以及 $upstream_response_time），或在 Apache 的 LogFormat 中加入 %D。",
}


CLASS_ORDER = ("1xx", "2xx", "3xx", "4xx", "5xx", OTHER_CLASS)


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what it is, the numbers behind it, and what to check."""

    rule: str
    code: str | None
    severity: str
    title: dict[Lang, str]
    detail: dict[Lang, str]
    check: dict[Lang, tuple[str, ...]]
    start: datetime | None = None
    """When what the finding describes began (an outage window, a spike), if it has a time."""
    end: datetime | None = None
    """When it ended (the last minute with such requests)."""
    count: int | None = None
    """How many requests the finding is about (e.g. the 502s in the outage window)."""
    total: int | None = None
    """Out of how many (e.g. all 5xx of the log), so that ``count / total`` is the share stated."""
    values: tuple[str, ...] = ()
    """The log values the finding names: clients, paths, links."""


@dataclass(frozen=True)
class Totals:
    """Line accounting: ``lines == parsed + filtered + unparsed + blank`` always holds."""

    lines: int
    parsed: int
    filtered: int
    unparsed: int
    blank: int


@dataclass(frozen=True)
class InputSummary:
    """One input, the format it was read with, and its own line accounting."""

    name: str
    log_format: LogFormat
    detected: bool
    totals: Totals
    note: str | None = None
    """What the reader should know about this input, e.g. that an archive was damaged."""
    read_with: tuple[tuple[LogFormat, int], ...] = ()
    """How many lines each format read: ``log_format`` first, then those that read what it
    missed (other exact formats, then the tolerant fallback); formats that read none are left out."""

    @property
    def fallback_lines(self) -> int:
        """Lines read by the tolerant fallback rather than an exact format."""
        return sum(n for fmt, n in self.read_with if fmt.tolerant)


@dataclass(frozen=True)
class ClassRow:
    """Parsed requests in one status class."""

    name: str
    count: int
    share: float


@dataclass(frozen=True)
class CodeRow:
    """Parsed requests with one status value, and what the registry says about it."""

    raw: str
    count: int
    share: float
    first: datetime | None
    last: datetime | None

    @property
    def status(self) -> int | None:
        """The status as an integer, or ``None`` when the value is not a number."""
        return numeric_status(self.raw)

    @property
    def class_name(self) -> str:
        """``"4xx"`` and so on, or ``"other"`` for values outside 100-599."""
        return class_name(self.raw)


@dataclass(frozen=True)
class CodeEvidence:
    """What the requests with one error code had in common."""

    top: dict[str, list[Ranked]]
    """Most frequent values per drill-down dimension (see logstat.evidence.SHOWN_DIMENSIONS)."""
    window: Window | None
    """The busiest 5-minute window of this code."""


@dataclass(frozen=True)
class Report:
    """A status report; renderers turn it into text, :meth:`to_dict` into data."""

    generated_at: datetime
    inputs: tuple[InputSummary, ...]
    totals: Totals
    first: datetime | None
    last: datetime | None
    by_class: tuple[ClassRow, ...]
    by_code: tuple[CodeRow, ...]
    unparsed_samples: tuple[UnparsedSample, ...]
    minutes: pl.DataFrame = field(repr=False, compare=False)
    """Parsed requests per (status, minute): columns ``status``, ``minute`` (UTC), ``count``."""
    registry: Registry = field(repr=False, compare=False)
    evidence_table: pl.DataFrame = field(repr=False, compare=False, default_factory=pl.DataFrame)
    """Evidence counts: columns ``status``, ``dim``, ``value``, ``count`` (see logstat.evidence)."""
    evidence: dict[str, CodeEvidence] = field(default_factory=dict)
    """Drill-down for each error code present (4xx and 5xx, including nginx's 444 and 499)."""
    latency_dims: tuple[str, ...] = ()
    """Latency in the log: ``request_time`` and/or ``upstream_response_time``; empty without them."""
    latency_by_code: dict[str, dict[str, Percentiles]] = field(default_factory=dict)
    latency_by_class: dict[str, dict[str, Percentiles]] = field(default_factory=dict)
    latency_overall: dict[str, Percentiles] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    top: int = DEFAULT_TOP
    window: TimeWindow = OPEN_WINDOW
    """The ``--since``/``--until`` window the counts are limited to (open: no limit)."""
    where: tuple[str, ...] = ()
    """The ``--where`` conditions the counts are limited to, as written."""
    split_by: str | None = None
    """With ``--split``: what :attr:`sections` are split by (``vhost``, ``service``, ``file``)."""
    sections: tuple[Report, ...] = ()
    """With ``--split``: one report per split key, most requests first."""
    section: str | None = None
    """In a section: its split key (the virtual host, the service, the file)."""
    notes: tuple[dict[Lang, str], ...] = ()
    """What the reader should know about the report as a whole (e.g. a window rounded to what a store keeps)."""
    comparison: Comparison | None = None
    """With ``--compare``: the previous period's counts, or why there are none."""

    def changes(self) -> list[Change]:
        """With ``--compare`` and history: each class and code in both periods (see :func:`changes`)."""
        if self.comparison is None:
            return []
        return changes(
            self.comparison,
            self.totals.parsed,
            {row.name: row.count for row in self.by_class},
            {row.raw: row.count for row in self.by_code},
        )

    def explain(self, row: CodeRow, lang: Lang) -> tuple[str, Explanation, bool]:
        """Reason phrase, explanation and whether the code is registered, in ``lang``."""
        entry = self.registry.lookup(row.raw)
        if entry is not None:
            return entry.reason_in(lang), entry.text[lang], True
        cls = self.registry.class_of(row.raw)
        if cls.name == OTHER_CLASS:
            return cls.label[lang], Explanation(cls.meaning[lang], (), ()), False
        unregistered = {"en": "Unregistered code", "zh": "未注册的状态码"}[lang]
        meaning = {
            "en": f"Not in the IANA registry; clients treat it like {cls.name[0]}00. {cls.meaning[lang]}",
            "zh": f"未在 IANA 注册；客户端会按 {cls.name[0]}00 处理。{cls.meaning[lang]}",
        }[lang]
        return unregistered, Explanation(meaning, (), ()), False
