"""Bounded drill-down lists: exact while they are small, a mergeable heavy-hitters summary past a cap.

A scan of a million missing paths has a million distinct paths, and a tally that kept them all
would grow with the log. So each list of drill-down values (one per split key, bucket, status
and dimension) keeps at most :data:`EVIDENCE_CAP` values. While a list fits, its counts are
exact and merging adds them up exactly. Past the cap the list becomes a Misra–Gries summary
(Agarwal et al., "Mergeable summaries", 2012): the (cap+1)-th largest count is subtracted from
every value, values left at zero are dropped, and what was subtracted is added to the list's
*error bound*, kept in the tally as the list's row whose value is null. Merging adds both the
counts and the bounds, then summarizes again if needed.

For every value ``x`` of a summarized list with bound ``E``: the kept count ``c(x)`` (0 for a
value not kept) satisfies ``c(x) <= true(x) <= c(x) + E``, and ``E <= (N - kept) / (cap + 1)``
where ``N`` is the list's true total (the code's requests, which the counts table keeps exactly)
and ``kept`` the sum of the kept counts. Any value with more than ``E`` requests is listed.

The raw ``request`` and ``referer`` values are first turned into the shown dimensions (path,
query string, referer, broken link: :func:`logstat.tally.expand.expand_evidence`), so that a
bound holds for each value the report shows, not for the raw lines behind it.
"""

from __future__ import annotations

import polars as pl

from logstat.tally.expand import RAW_DIMENSIONS, expand_evidence

EVIDENCE_CAP = 10_000
"""Most values a drill-down list keeps (per split key, bucket, status and dimension)."""

LIST_KEYS = ["split", "bucket", "status", "dim"]
"""The columns that name one drill-down list of the evidence table."""


def bounded(evidence: pl.DataFrame, cap: int = EVIDENCE_CAP) -> pl.DataFrame:
    """``evidence`` (one row per key, as :meth:`Tally.canonical` makes it) with every list within ``cap``.

    Lists within the cap are returned unchanged, so a tally of small lists stays exact.
    """
    sizes = _sizes(evidence)
    if sizes.is_empty() or int(sizes["n"].max()) <= cap:  # type: ignore[arg-type]
        return evidence
    raw = sizes.filter((pl.col("n") > cap) & pl.col("dim").is_in(RAW_DIMENSIONS)).select(LIST_KEYS)
    if raw.height:
        chosen = evidence.join(raw, on=LIST_KEYS, how="semi", nulls_equal=True)
        rest = evidence.join(raw, on=LIST_KEYS, how="anti", nulls_equal=True)
        merged = pl.concat([rest, expand_evidence(chosen)])
        evidence = merged.group_by([*LIST_KEYS, "value"]).agg(pl.col("count").sum()).select(evidence.columns)
    return _summarize(evidence, cap)


def _sizes(evidence: pl.DataFrame) -> pl.DataFrame:
    """The number of (non-null) values of every list."""
    return evidence.filter(pl.col("value").is_not_null()).group_by(LIST_KEYS).agg(pl.len().alias("n"))


def _summarize(evidence: pl.DataFrame, cap: int) -> pl.DataFrame:
    """One Misra–Gries step on every list longer than ``cap``."""
    values = evidence.filter(pl.col("value").is_not_null())
    size = pl.len().over(LIST_KEYS)
    cut = pl.col("count").top_k(cap + 1).min().over(LIST_KEYS)
    values = values.with_columns(_cut=pl.when(size > cap).then(cut).otherwise(pl.lit(0, pl.UInt64)))
    kept = values.filter(pl.col("count") > pl.col("_cut")).with_columns(pl.col("count") - pl.col("_cut"))
    cuts = (
        values.filter(pl.col("_cut") > 0)
        .group_by(LIST_KEYS)
        .agg(pl.col("_cut").first().alias("count"))
        .with_columns(value=pl.lit(None, pl.String))
    )
    bounds = pl.concat([evidence.filter(pl.col("value").is_null()), cuts.select(evidence.columns)])
    bounds = bounds.group_by(LIST_KEYS).agg(pl.col("count").sum(), value=pl.lit(None, pl.String))
    return pl.concat([kept.select(evidence.columns), bounds.select(evidence.columns)])
