"""Reading tallies back from a store: a time window, rounded to what the store keeps, and the
counters over the store's whole life."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import polars as pl

from logstat.formats import UNDETECTED
from logstat.parse import LineKind
from logstat.store.schema import EVIDENCE_BUCKET
from logstat.store.write import KIND_NAMES
from logstat.tally.count import with_shared_formats
from logstat.tally.model import SAMPLE_LIMIT, Tally
from logstat.timewindow import TimeWindow

_NEVER = 1 << 62
"""A bound in seconds beyond any time a log holds (an open end of a window)."""

_KINDS = {name: int(kind) for kind, name in KIND_NAMES.items()}


def _floor(moment: datetime, step: timedelta) -> datetime:
    seconds = int(step.total_seconds())
    return datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, UTC)


def _ceil(moment: datetime, step: timedelta) -> datetime:
    floor = _floor(moment, step)
    return floor if floor == moment else floor + step


@dataclass(frozen=True)
class Rounded:
    """What a store can answer for a window: counts for whole minutes, evidence and latency for
    whole buckets, each rounded outwards so that nothing in the window is left out."""

    asked: TimeWindow
    counts: TimeWindow
    evidence: TimeWindow

    @classmethod
    def of(cls, window: TimeWindow, bucket: timedelta = EVIDENCE_BUCKET) -> Rounded:
        """The window as the store answers it."""

        def rounded(step: timedelta) -> TimeWindow:
            since = _floor(window.since, step) if window.since else None
            until = _ceil(window.until, step) if window.until else None
            return TimeWindow(since, until)

        return cls(window, rounded(timedelta(minutes=1)), rounded(bucket))

    @property
    def counts_cut(self) -> bool:
        """Whether the window cuts a minute (its counts then cover the whole minutes)."""
        return self.counts != self.asked

    @property
    def evidence_cut(self) -> bool:
        """Whether the window cuts an evidence bucket."""
        return self.evidence != self.asked


def _bounds(window: TimeWindow) -> tuple[int, int]:
    since = int(window.since.timestamp()) if window.since else -_NEVER
    until = int(window.until.timestamp()) if window.until else _NEVER
    return since, until


def _frame(
    conn: sqlite3.Connection, query: str, params: tuple[Any, ...], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    rows = conn.execute(query, params).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _times(frame: pl.DataFrame, **columns: Literal["s", "us"]) -> pl.DataFrame:
    """Epoch columns as UTC datetimes: ``name="s"`` or ``name="us"``."""
    return frame.with_columns(
        pl.from_epoch(pl.col(name), time_unit=unit).dt.cast_time_unit("us").dt.replace_time_zone("UTC").alias(name)
        for name, unit in columns.items()
    )


def _split_column(split_by: str | None, host: str) -> pl.Expr:
    """The tally's split key from a stored row: the store's own key, the log (``file``), or the host."""
    if split_by is None:
        return pl.lit(None, pl.String)
    if split_by == "file":
        return pl.col("log")
    if split_by == "host":
        return pl.lit(host)
    return pl.when(pl.col("split") != "").then(pl.col("split"))


def window_tally(
    conn: sqlite3.Connection, rounded: Rounded, *, split_by: str | None, host: str, sample_limit: int = SAMPLE_LIMIT
) -> Tally:
    """The tally of everything the store holds, with the requests outside the window filtered.

    Counts come from the whole minutes and evidence and latency from the whole buckets of
    ``rounded``. Each log of the store is an input; its parsed and filtered lines follow from
    the counts, its unparsed and blank ones are those of every run the store still keeps.
    """
    since, until = _bounds(rounded.counts)
    split = _split_column(split_by, host).alias("split")
    # The store keeps no log per evidence or latency row: split by file, they stay with the whole.
    drill = _split_column(None if split_by == "file" else split_by, host).alias("split")
    counts = _frame(
        conn,
        "SELECT minute, log, split, status, first_us, last_us, count FROM counts WHERE minute >= ? AND minute < ?",
        (since, until),
        {"minute": pl.Int64(), "log": pl.String(), "split": pl.String(), "status": pl.String(),
         "first_us": pl.Int64(), "last_us": pl.Int64(), "count": pl.UInt64()},
    )
    per_log = _frame(
        conn, "SELECT log, sum(count) FROM counts GROUP BY log", (), {"log": pl.String(), "all": pl.UInt64()}
    )
    lines = _lines(conn, counts, per_log)
    inputs = _inputs(conn)
    counts = _times(counts, minute="s", first_us="us", last_us="us").select(
        split, "status", "minute", pl.col("first_us").alias("first"), pl.col("last_us").alias("last"), "count"
    )
    low, high = _bounds(rounded.evidence)
    evidence = _frame(
        conn,
        "SELECT bucket, split, status, dim, value, count FROM evidence WHERE bucket >= ? AND bucket < ?",
        (low, high),
        {"bucket": pl.Int64(), "split": pl.String(), "status": pl.String(), "dim": pl.String(),
         "value": pl.String(), "count": pl.UInt64()},
    )
    latency = _frame(
        conn,
        "SELECT bucket, split, status, dim, ms, count FROM latency WHERE bucket >= ? AND bucket < ?",
        (low, high),
        {"bucket": pl.Int64(), "split": pl.String(), "status": pl.String(), "dim": pl.String(),
         "ms": pl.Int64(), "count": pl.UInt64()},
    )
    samples = _frame(
        conn,
        "SELECT i.name, s.lineno, s.reason, s.text FROM samples s JOIN inputs i USING (input) "
        "ORDER BY s.run DESC, s.input, s.lineno LIMIT ?",
        (sample_limit,),
        {"input": pl.String(), "lineno": pl.UInt64(), "reason": pl.String(), "text": pl.String()},
    ).with_columns(ordinal=pl.lit(0, pl.UInt32))
    tally = Tally.of(
        split_by,
        sample_limit=sample_limit,
        inputs=inputs,
        lines=lines,
        counts=counts,
        evidence=_times(evidence, bucket="s").with_columns(drill),
        latency=_times(latency, bucket="s").with_columns(drill),
        samples=samples,
    )
    return with_shared_formats(tally)


def _lines(conn: sqlite3.Connection, counts: pl.DataFrame, per_log: pl.DataFrame) -> pl.DataFrame:
    """Each log's line accounting: parsed in the window, filtered outside it, unparsed and blank."""
    formats = dict(conn.execute(
        "SELECT log, log_format FROM inputs WHERE log_format IS NOT NULL ORDER BY input"
    ).fetchall())
    inside = counts.group_by("log").agg(pl.col("count").sum().alias("in"))
    parsed = per_log.join(inside, on="log", how="left").with_columns(pl.col("in").fill_null(0))
    rows: list[tuple[str, int, str, int]] = []
    for log, everything, within in parsed.iter_rows():
        read_with = formats.get(log, "")
        rows.append((log, int(LineKind.PARSED), read_with, within))
        rows.append((log, int(LineKind.FILTERED), read_with, everything - within))
    others = conn.execute(
        "SELECT i.log, l.kind, l.read_with, sum(l.count) FROM lines l JOIN inputs i USING (input) "
        "WHERE l.kind IN ('unparsed', 'blank') GROUP BY i.log, l.kind, l.read_with"
    ).fetchall()
    rows += [(log, _KINDS[kind], read_with, count) for log, kind, read_with, count in others]
    frame = pl.DataFrame(rows, schema=["input", "kind", "read_with", "count"], orient="row")
    return frame.filter(pl.col("count") > 0) if frame.height else frame


def _inputs(conn: sqlite3.Connection) -> pl.DataFrame:
    """One input per log, in the order they were first read, with the format of its latest file."""
    found: dict[str, tuple[int, str, str, str, bool]] = {}
    for log, key, name, definition, syntax, detected in conn.execute(
        "SELECT log, input, log_format, definition, syntax, detected FROM inputs ORDER BY input"
    ):
        first = found.get(log, (key, UNDETECTED.name, UNDETECTED.definition, UNDETECTED.syntax, True))
        if name is not None:
            first = (first[0], name, definition, syntax, bool(detected))
        found[log] = first
    rows = [
        {"input": log, "ordinal": ordinal, "log_format": fmt, "definition": definition, "syntax": syntax,
         "detected": detected, "note": None}
        for ordinal, (log, (_, fmt, definition, syntax, detected)) in enumerate(
            sorted(found.items(), key=lambda item: item[1][0])
        )
    ]
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def lifetime_tally(conn: sqlite3.Connection, *, split_by: str | None, host: str) -> Tally:
    """The counters over the store's whole life (never pruned): requests per status, lines per
    kind, latencies; as one input named after the host."""
    split = _split_column(split_by if split_by != "file" else None, host).alias("split")
    counts = _frame(conn, "SELECT split, status, count FROM totals", (),
                    {"split": pl.String(), "status": pl.String(), "count": pl.UInt64()})
    kinds = conn.execute("SELECT kind, count FROM line_totals").fetchall()
    lines = pl.DataFrame(
        [(host, _KINDS[kind], "", count) for kind, count in kinds], schema=["input", "kind", "read_with", "count"],
        orient="row",
    )
    latency = _frame(conn, "SELECT split, status, dim, ms, count FROM latency_totals", (),
                     {"split": pl.String(), "status": pl.String(), "dim": pl.String(), "ms": pl.Int64(),
                      "count": pl.UInt64()})
    inputs = _inputs(conn)
    fmt = inputs.filter(pl.col("log_format") != UNDETECTED.name).tail(1) if inputs.height else inputs
    inputs = (fmt if fmt.height else inputs.tail(1)).with_columns(input=pl.lit(host), ordinal=pl.lit(0, pl.UInt32))
    return Tally.of(
        split_by if split_by != "file" else None,
        inputs=inputs, lines=lines, counts=counts.with_columns(split), latency=latency.with_columns(split),
    )


def coverage(conn: sqlite3.Connection, meta: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """From when to when the store holds history: its earliest kept minute (or where ``--keep``
    cut) to its last run; ``(None, None)`` for a store with no request yet."""
    first = conn.execute("SELECT min(minute) FROM counts").fetchone()[0]
    last = conn.execute("SELECT max(finished_at) FROM runs").fetchone()[0]
    if first is None or last is None:
        return None, None
    start = max(int(first), int(meta.get("kept_since", first)))
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(int(last), UTC)
