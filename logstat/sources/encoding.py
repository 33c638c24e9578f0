"""Text that is not plain UTF-8 with LF line ends: UTF-16 files and files whose lines end in CR alone."""

from __future__ import annotations

import codecs
from pathlib import Path

from logstat.sources.compression import DAMAGE, open_decoded
from logstat.sources.model import CHUNK, Input

_PEEK = 1 << 16
"""Decoded bytes looked at to tell whether lines end in CR alone."""


CR_NOTE = "its lines end in CR alone (classic Mac OS style); each CR was read as a line end"


UTF16_NOTE = "its text is UTF-16 ({order}), not UTF-8; it was converted before reading"


_UTF16_BOMS = {b"\xff\xfe": "little-endian", b"\xfe\xff": "big-endian"}


_UTF16_CODECS = {"little-endian": "utf-16-le", "big-endian": "utf-16-be"}


def head_of(source: Input) -> bytes:
    """The first decoded bytes of ``source`` (none when its archive is damaged right away)."""
    try:
        with open_decoded(source) as handle:
            return handle.read(_PEEK)
    except DAMAGE:
        return b""


def utf16_order(head: bytes) -> str | None:
    """``"little-endian"`` or ``"big-endian"`` when ``head``, a file's start, is UTF-16 text, else ``None``.

    PowerShell's ``>`` and Notepad write logs as UTF-16, with a byte order mark. An access
    log (nearly all ASCII) in UTF-16 has a NUL in every other byte, which UTF-8 text never
    has: that tells the byte order without a mark, and confirms one (binary data may start
    with the same two bytes).
    """
    bom = next((order for mark, order in _UTF16_BOMS.items() if head.startswith(mark)), None)
    if bom is None:
        return _nul_order(head)
    text = head[2:]  # both marks are two bytes
    return bom if not text or _nul_order(text) == bom else None


def _nul_order(data: bytes) -> str | None:
    """The byte order of UTF-16 ``data`` of mostly ASCII characters, from where its NULs are."""
    even, odd = data[0::2], data[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "little-endian"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "big-endian"
    return None


def utf8_copy(source: Input, target: Path, order: str) -> Input:
    """Copy an uncompressed UTF-16 ``source`` to ``target`` as UTF-8, without its byte order mark.

    Bytes that are not UTF-16 (an odd trailing byte, a lone surrogate) become U+FFFD, as bytes
    that are not UTF-8 do in any other input.
    """
    decoder = codecs.getincrementaldecoder(_UTF16_CODECS[order])("replace")
    with source.path.open("rb") as stream, target.open("wb") as out:
        first = True
        while chunk := stream.read(CHUNK):
            text = decoder.decode(chunk)
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    note = UTF16_NOTE.format(order=order)
    return Input(source.name, target, compression=None, note=note if source.note is None else f"{source.note}; {note}")


def has_cr_line_ends(head: bytes) -> bool:
    """Whether the lines of a file starting with ``head`` end in CR alone: many more lone CRs than LFs."""
    head = head[:-1]  # the last byte may be the CR of a CRLF
    lone = head.count(b"\r") - head.count(b"\r\n")
    return lone > 0 and lone > 2 * head.count(b"\n")


def lf_copy(source: Input, target: Path) -> Input:
    """Copy an uncompressed ``source`` to ``target`` with CR and CRLF line ends made LF."""
    with source.path.open("rb") as stream, target.open("wb") as out:
        after_cr = False
        while chunk := stream.read(CHUNK):
            if after_cr and chunk.startswith(b"\n"):
                chunk = chunk[1:]  # the LF of a CRLF split between two chunks
            after_cr = chunk.endswith(b"\r")
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    note = CR_NOTE if source.note is None else f"{source.note}; {CR_NOTE}"
    return Input(source.name, target, compression=None, note=note)
