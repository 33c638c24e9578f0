"""Resolving command-line arguments to log sources: paths, globs, stdin, compressed files.

Compression is recognised by its magic bytes, not the file name, so a gzip stream piped
into ``-`` works as well as ``access.log.2.gz``. polars decodes gzip and zstd while it
scans; bzip2 and xz are decoded in chunks into a temporary file first. When an archive is
damaged, the part before the damage is still read and the input carries a note saying so.
"""

from __future__ import annotations

import bz2
import codecs
import glob
import gzip
import io
import lzma
import os
import re
import shutil
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, cast

import zstandard

from logstat.errors import InputError

MAGIC: dict[bytes, str] = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
"""Leading bytes of each compressed format logstat reads."""

NATIVE = frozenset({"gzip", "zstd"})
"""Compressions polars decodes itself while scanning (no temporary copy)."""

_CHUNK = 1 << 20
_ZSTD_STEP = 1 << 12
"""Compressed bytes fed to the zstd decoder at a time when recovering a damaged file: the
output of the step that hits the damage is lost, so small steps keep more of the text."""

_PEEK = 1 << 16
"""Decoded bytes looked at to tell whether lines end in CR alone."""

CR_NOTE = "its lines end in CR alone (classic Mac OS style); each CR was read as a line end"

UTF16_NOTE = "its text is UTF-16 ({order}), not UTF-8; it was converted before reading"

_UTF16_BOMS = {b"\xff\xfe": "little-endian", b"\xfe\xff": "big-endian"}
_UTF16_CODECS = {"little-endian": "utf-16-le", "big-endian": "utf-16-be"}


@dataclass(frozen=True)
class Input:
    """One log source.

    ``path`` is what gets scanned: the file itself, or a decoded or spooled copy. ``note``
    says what a reader of the report should know about it (a damaged archive, say).
    """

    name: str
    path: Path
    compression: str | None = None
    note: str | None = None


def display_name(name: str) -> str:
    """``name`` as text that any output can hold: bytes that are not UTF-8 become ``\\xNN``.

    A file name in Latin-1, GBK or Big5 reaches Python as lone surrogates (PEP 383), which
    cannot be written as UTF-8 (JSON, HTML, the terminal); its bytes are shown escaped.
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def compression_of(path: Path) -> str | None:
    """The compression of the file at ``path`` from its first bytes, or ``None``."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)


def _natural_key(name: str) -> list[object]:
    # access.log.2.gz sorts before access.log.10.gz
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def expand_arguments(arguments: Sequence[str]) -> list[str]:
    """Expand glob patterns (for cron lines that quote them); keep other names as given.

    Raises
    ------
    InputError
        When a pattern matches no file.
    """
    names: list[str] = []
    for argument in arguments:
        if argument != "-" and glob.has_magic(argument) and not Path(argument).exists():
            # glob.glob, not Path.glob: the pattern may be absolute or contain "..".
            matches = sorted(
                (m for m in glob.glob(argument) if not Path(m).is_dir()),  # noqa: PTH207
                key=_natural_key,
            )
            if not matches:
                msg = f"{display_name(argument)}: the pattern matches no file; check the directory and the quoting"
                raise InputError(msg)
            names.extend(matches)
        else:
            names.append(argument)
    return names


def _open_error(name: str, exc: OSError) -> InputError:
    shown = display_name(name)
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{shown}: no such file; check the path")
    if isinstance(exc, PermissionError):
        return InputError(f"{shown}: permission denied; run as a user that can read it")
    return InputError(f"{shown}: cannot be read ({exc.strerror}); check the path")


def _check_readable(name: str) -> Path:
    path = Path(name)
    if path.is_dir():
        shown = display_name(name)
        msg = f"{shown}: is a directory; pass the files in it, e.g. '{display_name(str(path / 'access.log*'))}'"
        raise InputError(msg)
    if path.exists() and not path.is_file():
        return path  # a pipe or a device: opened once, by _spool_stream
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise _open_error(name, exc) from None
    return path


def _spool_stream(name: str, path: Path, target: Path) -> Path:
    """Copy a pipe (``<(zcat ...)``), a terminal or a device into ``target``, reading it once."""
    try:
        with path.open("rb") as stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK)
    except OSError as exc:
        raise _open_error(name, exc) from None
    return target


def _alias(path: Path, target: Path) -> Path:
    """A UTF-8 name for ``path`` (polars takes only UTF-8 paths): a symbolic link, else a copy."""
    try:
        target.symlink_to(path.absolute())
    except OSError:
        shutil.copyfile(path, target)
    return target


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _copy_stdin(target: Path) -> Path:
    if sys.stdin is None:
        msg = "-: standard input is closed; pipe a log into logstat or pass a file name"
        raise InputError(msg)
    with target.open("wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, _CHUNK)
    return target


def _head(source: Input) -> bytes:
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
        while chunk := stream.read(_CHUNK):
            text = decoder.decode(chunk)
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    note = UTF16_NOTE.format(order=order)
    return Input(source.name, target, compression=None, note=note if source.note is None else f"{source.note}; {note}")


def _has_cr_line_ends(head: bytes) -> bool:
    """Whether the lines of a file starting with ``head`` end in CR alone: many more lone CRs than LFs."""
    head = head[:-1]  # the last byte may be the CR of a CRLF
    lone = head.count(b"\r") - head.count(b"\r\n")
    return lone > 0 and lone > 2 * head.count(b"\n")


def lf_copy(source: Input, target: Path) -> Input:
    """Copy an uncompressed ``source`` to ``target`` with CR and CRLF line ends made LF."""
    with source.path.open("rb") as stream, target.open("wb") as out:
        after_cr = False
        while chunk := stream.read(_CHUNK):
            if after_cr and chunk.startswith(b"\n"):
                chunk = chunk[1:]  # the LF of a CRLF split between two chunks
            after_cr = chunk.endswith(b"\r")
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    note = CR_NOTE if source.note is None else f"{source.note}; {CR_NOTE}"
    return Input(source.name, target, compression=None, note=note)


def open_inputs(arguments: Sequence[str], *, spool_dir: Path) -> list[Input]:
    """Resolve arguments to inputs that polars can scan.

    ``-`` copies standard input into ``spool_dir`` (polars scans files, not pipes, and a
    copy lets a later query read it again); so does a named pipe or process substitution
    (``<(zcat access.log.*.gz)``). bzip2 and xz files are decoded there too, a file whose
    lines end in CR alone is copied there with LF line ends, a UTF-16 file is copied there as
    UTF-8, and a file whose name is not UTF-8 gets a link there with a name polars can open.
    Input names are made displayable by :func:`display_name`. Nothing is ever written next
    to or into an input.

    Raises
    ------
    InputError
        For a missing file, a directory, an unreadable file, or a glob matching nothing.
    """
    inputs: list[Input] = []
    for number, name in enumerate(expand_arguments(arguments)):
        if name == "-":
            source = Input("<stdin>", _copy_stdin(spool_dir / f"stdin-{number}"))
        else:
            path = _check_readable(name)
            if not path.is_file():
                path = _spool_stream(name, path, spool_dir / f"stream-{number}")
            elif not _is_utf8(str(path)):
                path = _alias(path, spool_dir / f"input-{number}")
            source = Input(display_name(name), path)
        compression = compression_of(source.path)
        source = replace(source, compression=compression)
        if compression is not None and compression not in NATIVE:
            source = decode_to_file(source, spool_dir / f"decoded-{number}")
        head = _head(source)
        order = utf16_order(head)
        if order is not None:
            if source.compression is not None:
                source = decode_to_file(source, spool_dir / f"decoded-{number}")
            source = utf8_copy(source, spool_dir / f"utf8-{number}", order)
            head = _head(source)
        if _has_cr_line_ends(head):
            if source.compression is not None:
                source = decode_to_file(source, spool_dir / f"decoded-{number}")
            source = lf_copy(source, spool_dir / f"lf-{number}")
        inputs.append(source)
    return inputs


OPENERS: dict[str, Callable[[Path], io.BufferedIOBase]] = {
    "gzip": lambda path: gzip.open(path, "rb"),
    "bzip2": lambda path: bz2.open(path, "rb"),
    "xz": lambda path: lzma.open(path, "rb"),
    # zstandard's reader cannot iterate lines on its own; buffering adds that.
    "zstd": lambda path: io.BufferedReader(cast(io.RawIOBase, zstandard.open(path, "rb"))),
}
"""How to open each compression for reading decoded bytes."""


def open_decoded(source: Input) -> io.BufferedIOBase:
    """Open ``source`` for reading its decoded bytes, whatever its compression.

    A damaged archive raises one of :data:`DAMAGE` while it is read.
    """
    compression = compression_of(source.path)
    if compression is None:
        return cast(io.BufferedIOBase, source.path.open("rb"))
    return OPENERS[compression](source.path)


DAMAGE: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


def _copy_zstd(path: Path, out: IO[bytes]) -> None:
    # python-zstandard's readers end quietly at a truncated frame; its decompressobj tells.
    with path.open("rb") as raw:
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


def _copy_decoded(source: Input, out: IO[bytes]) -> None:
    if source.compression == "zstd":
        _copy_zstd(source.path, out)
        return
    with open_decoded(source) as stream:
        # read1 returns what one block decodes to, so little is lost at the damage.
        while chunk := stream.read1(_CHUNK):
            out.write(chunk)


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
