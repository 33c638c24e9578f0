"""A tally as bytes and back, losslessly: each table as an Arrow IPC stream, behind a small header.

The bytes depend only on the counts: every table is in its canonical order (see
:meth:`logstat.tally.model.Tally.canonical`) and in one record batch, and the header is JSON with
sorted keys, so equal tallies serialize to equal bytes on any machine.
"""

from __future__ import annotations

import io
import json

import polars as pl

from logstat.tally.model import Tally

MAGIC = b"logstat tally\n"
"""The first bytes of a serialized tally."""

VERSION = 1
"""The layout of the bytes; bumped when a table or column changes."""


class TallyFormatError(ValueError):
    """The bytes are not a tally this version of logstat can read."""


def to_bytes(tally: Tally) -> bytes:
    """``tally`` as bytes that :func:`from_bytes` reads back into an equal tally."""
    canonical = tally.canonical()
    blobs = []
    for name in Tally.TABLES:
        buffer = io.BytesIO()
        # The oldest compatibility level writes strings with offsets, not views: views keep
        # whatever buffers the strings came from, so equal tables could give different bytes.
        table = getattr(canonical, name).rechunk()
        table.write_ipc_stream(buffer, compression="uncompressed", compat_level=pl.CompatLevel.oldest())
        blobs.append((name, buffer.getvalue()))
    header = {
        "version": VERSION,
        "split_by": canonical.split_by,
        "sample_limit": canonical.sample_limit,
        "tables": [[name, len(blob)] for name, blob in blobs],
    }
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")
    return MAGIC + len(head).to_bytes(4, "big") + head + b"".join(blob for _, blob in blobs)


def from_bytes(data: bytes) -> Tally:
    """The tally that :func:`to_bytes` wrote.

    Raises
    ------
    TallyFormatError
        When ``data`` is not a serialized tally, or one of another version.
    """
    if not data.startswith(MAGIC):
        msg = "not a logstat tally"
        raise TallyFormatError(msg)
    offset = len(MAGIC)
    size = int.from_bytes(data[offset : offset + 4], "big")
    offset += 4
    try:
        header = json.loads(data[offset : offset + size])
    except ValueError:
        msg = "the tally's header is damaged"
        raise TallyFormatError(msg) from None
    if header.get("version") != VERSION:
        msg = f"a tally of version {header.get('version')}; this logstat reads version {VERSION}"
        raise TallyFormatError(msg)
    offset += size
    lengths = dict(header["tables"])
    if set(lengths) != set(Tally.TABLES) or offset + sum(lengths.values()) != len(data):
        msg = "the tally is truncated or has extra bytes"
        raise TallyFormatError(msg)
    tables: dict[str, pl.DataFrame] = {}
    for name, length in header["tables"]:
        try:
            tables[name] = pl.read_ipc_stream(io.BytesIO(data[offset : offset + length]))
        except pl.exceptions.PolarsError:
            msg = f"the tally's {name} table is damaged"
            raise TallyFormatError(msg) from None
        offset += length
    return Tally.of(header["split_by"], sample_limit=header["sample_limit"], **tables)
