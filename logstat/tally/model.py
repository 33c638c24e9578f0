"""The tally: everything a report is computed from, for some set of lines, in small tables that add up.

A tally holds, for the lines it was counted from:

- ``inputs``: each input, the format it was read with, whether that was detected, a note;
- ``lines``: the line accounting per input, kind and format (``read_with``);
- ``counts``: parsed requests per (split key, status, UTC minute), with first and last times;
- ``evidence``: error requests per (split key, bucket, status, dimension, value);
- ``latency``: requests per (split key, bucket, status, latency field, whole milliseconds);
- ``samples``: the first unparsed lines, with where they are and why.

Its size follows the number of distinct values, never the number of lines. :meth:`Tally.merge`
is exact, associative and commutative: the tallies of the pieces of a log, cut anywhere at line
boundaries, merge into the tally of the whole log (``tests/test_tally.py`` proves it over random
logs and cuts). Every table is kept sorted by its keys, so equal tallies are equal frames and
serialize to equal bytes (:mod:`logstat.tally.serialize`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

import polars as pl

from logstat.parse import UTC, LineKind

SAMPLE_LIMIT = 20
"""How many unparsed lines a tally keeps, over all its inputs."""

SAMPLE_TEXT_LIMIT = 2000
"""Characters of an unparsed line that a tally keeps (lines can be megabytes long)."""

INPUT_SCHEMA: dict[str, pl.DataType] = {
    "input": pl.String(),
    "ordinal": pl.UInt32(),
    "log_format": pl.String(),
    "definition": pl.String(),
    "syntax": pl.String(),
    "detected": pl.Boolean(),
    "note": pl.String(),
}
"""One row per input: its name, its position among the inputs of a run, and its format."""

LINE_SCHEMA: dict[str, pl.DataType] = {
    "input": pl.String(),
    "kind": pl.UInt8(),
    "read_with": pl.String(),
    "count": pl.UInt64(),
}
"""Lines per input and :class:`~logstat.parse.LineKind`; ``read_with`` names the format of parsed
(and filtered) lines, and is empty for blank and unparsed ones."""

COUNT_SCHEMA: dict[str, pl.DataType] = {
    "split": pl.String(),
    "status": pl.String(),
    "minute": UTC,
    "first": UTC,
    "last": UTC,
    "count": pl.UInt64(),
}
"""Parsed requests per split key, status as logged and UTC minute (null without a time)."""

EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "split": pl.String(),
    "bucket": UTC,
    "status": pl.String(),
    "dim": pl.String(),
    "value": pl.String(),
    "count": pl.UInt64(),
}
"""Error requests per drill-down value; ``bucket`` is the start of the time bucket (null: all time)."""

LATENCY_SCHEMA: dict[str, pl.DataType] = {
    "split": pl.String(),
    "bucket": UTC,
    "status": pl.String(),
    "dim": pl.String(),
    "ms": pl.Int64(),
    "count": pl.UInt64(),
}
"""Requests per latency field (``request_time``, ``upstream_response_time``) and whole milliseconds."""

SAMPLE_SCHEMA: dict[str, pl.DataType] = {
    "ordinal": pl.UInt32(),
    "input": pl.String(),
    "lineno": pl.UInt64(),
    "reason": pl.String(),
    "text": pl.String(),
}
"""Unparsed lines: the input's ordinal and name, the 1-based line number, why, and the line (cut)."""


@dataclass(frozen=True)
class UnparsedSample:
    """A line that could not be parsed, where it is, and why."""

    file: str
    lineno: int
    reason: str
    text: str


def frame(rows: pl.DataFrame | None, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``rows`` with exactly the columns of ``schema``, in its order and types; a missing column is null."""
    if rows is None:
        return pl.DataFrame(schema=schema)
    return rows.select(
        pl.col(name).cast(dtype) if name in rows.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )


@dataclass(frozen=True)
class Tally:
    """Counts of a set of lines; build one with :func:`logstat.tally.count.count_inputs` or :meth:`empty`."""

    split_by: str | None
    """What the ``split`` column of counts, evidence and latency holds (``vhost``, ``file`` ...), or None."""
    inputs: pl.DataFrame
    lines: pl.DataFrame
    counts: pl.DataFrame
    evidence: pl.DataFrame
    latency: pl.DataFrame
    samples: pl.DataFrame
    sample_limit: int = SAMPLE_LIMIT

    TABLES: ClassVar[dict[str, tuple[dict[str, pl.DataType], tuple[str, ...]]]] = {
        "inputs": (INPUT_SCHEMA, ("input",)),
        "lines": (LINE_SCHEMA, ("input", "kind", "read_with")),
        "counts": (COUNT_SCHEMA, ("split", "status", "minute")),
        "evidence": (EVIDENCE_SCHEMA, ("split", "bucket", "status", "dim", "value")),
        "latency": (LATENCY_SCHEMA, ("split", "bucket", "status", "dim", "ms")),
        "samples": (SAMPLE_SCHEMA, ("ordinal", "input", "lineno")),
    }
    """Each table's schema and key columns (the rest are summed, or min/max for first/last times)."""

    @classmethod
    def empty(cls, split_by: str | None = None, *, sample_limit: int = SAMPLE_LIMIT) -> Tally:
        """A tally of no lines."""
        tables = {name: pl.DataFrame(schema=schema) for name, (schema, _) in cls.TABLES.items()}
        return cls(split_by=split_by, sample_limit=sample_limit, **tables)

    @classmethod
    def of(cls, split_by: str | None = None, *, sample_limit: int = SAMPLE_LIMIT, **tables: pl.DataFrame) -> Tally:
        """A tally from (some of) its tables, brought to their schemas and canonical order."""
        unknown = set(tables) - set(cls.TABLES)
        if unknown:
            msg = f"a tally has no table {sorted(unknown)[0]!r}"
            raise TypeError(msg)
        return cls.empty(split_by, sample_limit=sample_limit)._with(
            {name: frame(rows, cls.TABLES[name][0]) for name, rows in tables.items()}
        ).canonical()

    def _with(self, tables: dict[str, pl.DataFrame]) -> Tally:
        return replace(self, **tables)  # type: ignore[arg-type]

    def canonical(self) -> Tally:
        """The same tally with every table reduced to one row per key and sorted by its keys."""
        return self._with({name: _reduce(name, getattr(self, name), self.sample_limit) for name in self.TABLES})

    def merge(self, other: Tally) -> Tally:
        """The tally of the lines of both ``self`` and ``other`` (which hold different lines).

        Raises
        ------
        ValueError
            When the two are split by different keys.
        """
        if self.split_by != other.split_by:
            msg = f"cannot merge a tally split by {self.split_by} with one split by {other.split_by}"
            raise ValueError(msg)
        limit = max(self.sample_limit, other.sample_limit)
        tables = {name: pl.concat([getattr(self, name), getattr(other, name)]) for name in self.TABLES}
        return replace(self, sample_limit=limit)._with(tables).canonical()

    def only(self, split: str) -> Tally:
        """The part of this tally whose split key is ``split``; its line accounting is its requests.

        Split by ``file``, the input's own accounting and samples are kept.
        """
        keep = pl.col("split") == split
        tables = {name: getattr(self, name).filter(keep) for name in ("counts", "evidence", "latency")}
        if self.split_by == "file":
            mine = pl.col("input") == split
            tables |= {name: getattr(self, name).filter(mine) for name in ("inputs", "lines", "samples")}
        else:
            parsed = int(tables["counts"]["count"].sum())
            rows = [{"input": split, "kind": int(LineKind.PARSED), "read_with": "", "count": parsed}] if parsed else []
            tables["lines"] = pl.DataFrame(rows, schema=LINE_SCHEMA)
            tables["samples"] = self.samples.clear()
        return self._with(tables).canonical()

    def splits(self) -> list[str]:
        """The split keys present, most requests first (ties by key)."""
        if self.split_by is None:
            return []
        per = (
            self.counts.filter(pl.col("split").is_not_null())
            .group_by("split")
            .agg(pl.col("count").sum())
            .sort(["count", "split"], descending=[True, False])
        )
        return [str(key) for key in per["split"]]

    def unsplit(self) -> Tally:
        """The same counts without the split key."""
        if self.split_by is None:
            return self
        unsplit = pl.lit(None, pl.String).alias("split")
        tables = {name: getattr(self, name).with_columns(unsplit) for name in ("counts", "evidence", "latency")}
        return replace(self, split_by=None)._with(tables).canonical()

    def shifted(self, lines: int) -> Tally:
        """The same tally with every sample's line number ``lines`` later (a piece read from mid-file)."""
        if not lines:
            return self
        return self._with({"samples": self.samples.with_columns(pl.col("lineno") + lines)})

    def by_status(self) -> pl.DataFrame:
        """Parsed requests per raw status with first and last times, most frequent first (ties by status)."""
        return (
            self.counts.group_by("status")
            .agg(pl.col("count").sum(), pl.col("first").min(), pl.col("last").max())
            .sort(["count", "status"], descending=[True, False])
        )

    def by_minute(self) -> pl.DataFrame:
        """Parsed requests per status and UTC minute (requests without a time are left out)."""
        return (
            self.counts.filter(pl.col("minute").is_not_null())
            .group_by("status", "minute")
            .agg(pl.col("count").sum())
            .sort("minute", "status")
        )

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest request time (``None`` when no request has one)."""
        return self.counts["first"].min(), self.counts["last"].max()  # type: ignore[return-value]

    def totals(self, input_name: str | None = None) -> dict[str, int]:
        """Lines, parsed, filtered, unparsed and blank, of one input or of all of them."""
        rows = self.lines if input_name is None else self.lines.filter(pl.col("input") == input_name)
        by_kind = dict(rows.group_by("kind").agg(pl.col("count").sum()).iter_rows())
        numbers = {kind.name.lower(): int(by_kind.get(kind, 0)) for kind in LineKind}
        return {"lines": sum(numbers.values()), **numbers}

    def unparsed_samples(self) -> tuple[UnparsedSample, ...]:
        """The kept unparsed lines, in input order and then line order."""
        return tuple(
            UnparsedSample(str(name), int(lineno), str(reason), str(text))
            for name, lineno, reason, text in self.samples.select("input", "lineno", "reason", "text").iter_rows()
        )

    def equals(self, other: Tally) -> bool:
        """Whether both tallies hold the same counts (after :meth:`canonical`)."""
        mine, theirs = self.canonical(), other.canonical()
        return mine.split_by == theirs.split_by and all(
            getattr(mine, name).equals(getattr(theirs, name)) for name in self.TABLES
        )


def _reduce(name: str, table: pl.DataFrame, sample_limit: int) -> pl.DataFrame:
    """One row per key of a tally table, sorted by its keys."""
    schema, keys = Tally.TABLES[name]
    if name == "samples":
        return table.unique(subset=list(keys), keep="first").sort(keys).head(sample_limit).select(schema.keys())
    if name == "inputs":
        return _reduce_inputs(table)
    sums = [pl.col("count").sum()]
    if name == "counts":
        sums += [pl.col("first").min(), pl.col("last").max()]
    return (
        table.group_by(list(keys))
        .agg(sums)
        .select(pl.col(column).cast(dtype) for column, dtype in schema.items())
        .sort(list(keys), nulls_last=True)
    )


def _reduce_inputs(table: pl.DataFrame) -> pl.DataFrame:
    """One row per input: the format of its earliest ordinal, and all its distinct notes."""
    first = pl.all().exclude("input", "note").sort_by("ordinal", "log_format", "definition").first()
    notes = pl.col("note").drop_nulls().unique().sort().str.join("; ")
    return (
        table.group_by("input")
        .agg(first, notes.alias("note"))
        .with_columns(note=pl.when(pl.col("note") != "").then(pl.col("note")))
        .select(INPUT_SCHEMA.keys())
        .sort("ordinal", "input")
    )
