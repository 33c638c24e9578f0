"""Compressed inputs, recognised by their magic bytes: opening them, decoding them to a file, and
keeping what precedes damage.

polars decodes gzip and zstd while it scans; bzip2 and xz are decoded in chunks into a temporary
file first. When an archive is damaged, the part before the damage is still read and the input
carries a note saying so."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO, cast

import zstandard

from logstat.errors import InputError
from logstat.sources.model import CHUNK, Input

MAGIC: dict[bytes, str] = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
"""Leading bytes of each compressed format logstat reads."""


NATIVE = frozenset({"gzip", "zstd"})
"""Compressions polars decodes itself while scanning (no temporary copy)."""




_ZSTD_STEP = 1 << 12
"""Compressed bytes fed to the zstd decoder at a time when recovering a damaged file: the
output of the step that hits the damage is lost, so small steps keep more of the text."""


def compression_of(path: Path) -> str | None:
    """The compression of the file at ``path`` from its first bytes, or ``None``."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)


OPENERS: dict[str, Callable[[Path | BinaryIO], io.BufferedIOBase]] = {
    "gzip": lambda path: gzip.open(path, "rb"),
    "bzip2": lambda path: bz2.open(path, "rb"),
    "xz": lambda path: lzma.open(path, "rb"),
    # zstandard's reader cannot iterate lines on its own; buffering adds that.
    "zstd": lambda path: io.BufferedReader(cast(io.RawIOBase, zstandard.open(path, "rb", closefd=False))),
}
"""How to open each compression for reading decoded bytes, from a path or an open binary file
(which stays open when the decoder is closed)."""


def open_decoded(source: Input) -> io.BufferedIOBase:
    """Open ``source`` for reading its decoded bytes, whatever its compression.

    A damaged archive raises one of :data:`DAMAGE` while it is read.
    """
    compression = compression_of(source.path)
    if compression is None:
        return cast(io.BufferedIOBase, source.path.open("rb"))
    return OPENERS[compression](source.path)


DAMAGE: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


def _copy_zstd(raw: BinaryIO, out: IO[bytes]) -> None:
    # python-zstandard's readers end quietly at a truncated frame; its decompressobj tells.
    data = raw.read(_ZSTD_STEP)
    while data:
        decoder = zstandard.ZstdDecompressor().decompressobj()
        while True:
            out.write(decoder.decompress(data))
            if decoder.eof:
                data = decoder.unused_data or raw.read(_ZSTD_STEP)
                break
            data = raw.read(_ZSTD_STEP)
            if not data:
                msg = "the zstd frame ends early"
                raise EOFError(msg)


def copy_decoded(raw: BinaryIO, compression: str | None, out: IO[bytes]) -> None:
    """Write the decoded bytes of the open file ``raw`` (read from where it stands) to ``out``.

    A damaged archive raises one of :data:`DAMAGE` after what precedes the damage is written.
    """
    if compression is None:
        while chunk := raw.read(CHUNK):
            out.write(chunk)
    elif compression == "zstd":
        _copy_zstd(raw, out)
    else:
        with OPENERS[compression](raw) as stream:
            # read1 returns what one block decodes to, so little is lost at the damage.
            while chunk := stream.read1(CHUNK):
                out.write(chunk)


def _copy_decoded(source: Input, out: IO[bytes]) -> None:
    with source.path.open("rb") as raw:
        copy_decoded(raw, source.compression, out)


def decode_to_file(source: Input, target: Path) -> Input:
    """Decode ``source`` into ``target`` in chunks and return an input that scans it.

    A damaged archive keeps what decoded before the damage; the returned input then has a
    note, and the report says that the rest of the file could not be read.
    """
    note = None
    with target.open("wb") as out:
        try:
            _copy_decoded(source, out)
        except DAMAGE as exc:
            note = (
                f"{source.compression} data is truncated or corrupt ({exc or type(exc).__name__}); "
                f"read {out.tell():,} bytes before the damage, the rest is missing"
            )
        written = out.tell()
    if note is not None and written == 0:
        msg = f"{source.name}: {note}; check the file or re-copy it"
        raise InputError(msg)
    return Input(source.name, target, compression=None, note=note)
