"""Deriving the shown drill-down dimensions from the raw ones the pass counted.

The pass counts a request line as one ``request`` value and a 404's referer together with its
request line (see :mod:`logstat.tally.rows`); the report shows paths, query strings, odd request
lines, referers and broken links. The derivation runs on the small counted table, once per
distinct value, and is idempotent: a derived row passes through unchanged, so a tally may hold
both raw and derived rows (:mod:`logstat.tally.summary` derives them early for the values it
has to summarize) and they add up.
"""

from __future__ import annotations

import polars as pl

from logstat.parse import REQUEST_LINE
from logstat.tally.dimensions import LINK, REQUEST_LIMIT, VALUE_LIMIT

RAW_DIMENSIONS = ("request", "referer")
"""Dimensions whose values :func:`expand_evidence` turns into the shown ones."""


def capped(text: pl.Expr) -> pl.Expr:
    """``text`` cut to :data:`VALUE_LIMIT` characters, with ``…`` where it was cut (idempotent)."""
    return pl.when(text.str.len_chars() > VALUE_LIMIT).then(text.str.slice(0, VALUE_LIMIT) + "…").otherwise(text)


def _target(request: pl.Expr) -> pl.Expr:
    """The target of a ``METHOD TARGET PROTOCOL`` request line, capped; null for anything else.

    A line the pass cut at :data:`REQUEST_LIMIT` has lost its protocol, so only its start is
    checked.
    """
    whole = request.str.extract(REQUEST_LINE, 1)
    cut = request.str.extract(r"^[A-Z][A-Z_-]* (\S+)", 1)
    return capped(pl.when(request.str.len_chars() > REQUEST_LIMIT).then(cut).otherwise(whole))


def expand_evidence(evidence: pl.DataFrame) -> pl.DataFrame:
    """Derive the shown dimensions from an evidence table, and cap its values.

    ``request`` becomes ``path`` (query removed, counts added up), ``uri`` (targets with a
    query, one row each) and ``odd_request``; a 404's ``referer`` loses the request line it
    carries, which becomes ``link`` ("referer -> path") when there is a referring page. Every
    column but ``count`` is a key (``status``, ``dim``, ``value``, and ``split`` and ``bucket``
    when present); the result has one row per key, sorted. A row whose value is null (the
    error bound of a summarized list, see :mod:`logstat.tally.summary`) stays under its dim
    (a ``request`` one under ``path``, ``uri`` and ``odd_request``).
    """
    keys = [name for name in evidence.columns if name != "count"]
    value = pl.col("value")
    bound = value.is_null()
    requests = evidence.filter(pl.col("dim") == "request").with_columns(_target=_target(value))
    proper = pl.col("_target").is_not_null()
    referers = (
        evidence.filter(pl.col("dim") == "referer")
        .with_columns(_parts=value.str.split(LINK))
        .with_columns(
            _referer=pl.col("_parts").list.first(),
            _target=_target(pl.col("_parts").list.get(1, null_on_oob=True)),
        )
    )
    linked = pl.col("_target").is_not_null() & ~pl.col("_referer").is_in(["-", ""])
    path = pl.col("_target").str.replace(r"\?.*$", "")
    parts = [
        evidence.filter(~pl.col("dim").is_in(RAW_DIMENSIONS)).with_columns(value=capped(value)),
        requests.filter(proper).with_columns(dim=pl.lit("path"), value=path),
        requests.filter(proper & pl.col("_target").str.contains("?", literal=True)).with_columns(
            dim=pl.lit("uri"), value=pl.col("_target")
        ),
        requests.filter(~proper & ~bound).with_columns(dim=pl.lit("odd_request"), value=value.str.slice(0, 120)),
        *(requests.filter(bound).with_columns(dim=pl.lit(dim)) for dim in ("path", "uri", "odd_request")),
        referers.with_columns(value=capped(pl.col("_referer"))),
        referers.filter(linked).with_columns(dim=pl.lit("link"), value=capped(pl.col("_referer")) + " -> " + path),
    ]
    combined = pl.concat(part.select(evidence.columns) for part in parts)
    return combined.group_by(keys).agg(pl.col("count").sum()).select(evidence.columns).sort(keys, nulls_last=True)
