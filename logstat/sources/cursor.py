"""Where reading stopped in each input, and reading only what came after, across log rotation.

An input is known by its content, not by its name or inode: the SHA-256 of its first
:data:`FINGERPRINT_BYTES` *decoded* bytes (after decompression), so that ``access.log.1``
compressed into ``access.log.2.gz`` is still the same input. While an input is shorter than
that, its fingerprint covers the bytes read so far, and it is recognised by that prefix as
it grows. A :class:`Cursor` keeps the fingerprint, the decoded byte offset and line count
reached, and where the input was last seen (name, device, inode, size, modification time).

:func:`plan` matches the files of a run to the cursors of earlier runs and copies each
file's new complete lines into a spool file:

- a file whose device, inode, size and modification time are a cursor's has nothing new, and
  is not opened again (a compressed file is not decoded again);
- a file whose start is a cursor's resumes at its offset (a renamed or compressed rotated
  file, or the copy that ``copytruncate`` made); ties go to the cursor's own inode, then to
  the longer fingerprint;
- another file whose start is a cursor's already taken is a copy of the same lines (a
  rotated file while it is being compressed): it is skipped, so no line is counted twice;
- any other file is read from its start; when it has the name and inode of a cursor that
  nothing else continues (it shrank, or its start changed without a rotation), with a note.

A last line without its line end is not consumed until it is complete, except in a compressed
file, which nobody appends to: there it is counted, as a direct read counts it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from logstat.errors import InputError
from logstat.sources.compression import DAMAGE, MAGIC, OPENERS, copy_decoded
from logstat.sources.encoding import has_cr_line_ends, lf_copy, utf8_copy, utf16_order
from logstat.sources.model import CHUNK, Input

FINGERPRINT_BYTES = 1024
"""Decoded bytes at the start of an input that identify it (fewer while it is shorter)."""


REWRITTEN = "its start changed since the last run (truncated or rewritten in place): read from its first line"

SHRANK = "it is shorter than where the last run stopped: read from its first line"

HEAD_BYTES = 1 << 16
"""Decoded bytes looked at to tell an input's text encoding and line ends."""


@dataclass(frozen=True)
class Cursor:
    """How far one input (known by its fingerprint) has been read, and where it was last seen."""

    fingerprint: str
    """SHA-256 (hex) of the input's first :attr:`fingerprint_bytes` decoded bytes."""
    fingerprint_bytes: int
    """``min(FINGERPRINT_BYTES, offset)``."""
    offset: int
    """Decoded bytes read and counted: whole lines."""
    lines: int
    """Lines counted, up to :attr:`offset`."""
    name: str
    device: int
    inode: int
    size: int
    """The file's size on disk (compressed, for a compressed file) when it was last read."""
    mtime_ns: int
    key: int | None = None
    """The store's number for the input (None for one not stored yet)."""

    def same_file(self, stat: os.stat_result) -> bool:
        """Whether ``stat`` describes the file this cursor last read, unchanged since."""
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns) == (
            self.device, self.inode, self.size, self.mtime_ns
        )


@dataclass(frozen=True)
class Piece:
    """What one run reads of one file: its new complete lines, and the cursor after them."""

    name: str
    source: Input | None
    """The new lines, decoded and converted to UTF-8 with LF line ends; None when there are none."""
    previous: Cursor | None
    """The cursor this piece continues, or None when the file is read from its start."""
    start_line: int
    """Lines of the input before this piece (its first line is line ``start_line + 1``)."""
    offset: int
    """Decoded bytes of the input read once this piece is counted."""
    fingerprint: str
    fingerprint_bytes: int
    stat: os.stat_result | None = field(repr=False)
    """The file as it was read (None for a file skipped as a copy)."""
    note: str | None = None
    copy_of: str | None = None
    """The file whose lines this one repeats (it is then not read)."""

    def cursor(self, lines: int) -> Cursor | None:
        """The cursor once this piece's ``lines`` are counted (None while nothing is read)."""
        if self.stat is None or self.offset == 0:
            return None
        key = self.previous.key if self.previous is not None else None
        return Cursor(
            self.fingerprint, self.fingerprint_bytes, self.offset, self.start_line + lines, self.name,
            self.stat.st_dev, self.stat.st_ino, self.stat.st_size, self.stat.st_mtime_ns, key,
        )


@dataclass(frozen=True)
class LineEnd:
    """How lines end in an input: one code unit (``\\n``; ``\\r`` for CR-only files; two bytes in UTF-16)."""

    unit: bytes
    lf: bytes | None = None
    """For CR line ends: the LF that may follow a CR and belongs to the same line end."""

    @classmethod
    def of(cls, head: bytes) -> tuple[LineEnd, str | None, bool]:
        """The line end of an input starting with ``head``, its UTF-16 byte order, and whether lines end in CR."""
        order = utf16_order(head)
        text = head
        if order is not None:
            codec = {"little-endian": "utf-16-le", "big-endian": "utf-16-be"}[order]
            text = codecs.decode(head[: len(head) // 2 * 2], codec, "replace").encode("utf-8")
        cr = has_cr_line_ends(text)
        char = "\r" if cr else "\n"
        if order is None:
            return cls(char.encode(), b"\n" if cr else None), None, cr
        codec = "utf-16-le" if order == "little-endian" else "utf-16-be"
        return cls(char.encode(codec), "\n".encode(codec) if cr else None), order, cr


class _Spool:
    """Receives an input's decoded bytes from position ``start``, writes those after ``skip``, and
    keeps where the last complete line ends and the input's first bytes."""

    def __init__(self, out: BinaryIO | None, ending: LineEnd, *, start: int, skip: int, known: bytes) -> None:
        self.out = out
        self.ending = ending
        self.position = start
        self.skip = skip
        self.first = bytearray(known[:FINGERPRINT_BYTES])
        self.written = 0
        self.complete = 0
        """Bytes written up to the end of the last complete line."""
        self._tail = b""

    def write(self, data: bytes) -> int:
        """Take the next decoded bytes (a file-like ``write``)."""
        size = len(data)
        if len(self.first) < FINGERPRINT_BYTES and self.position < FINGERPRINT_BYTES:
            self.first += data[: FINGERPRINT_BYTES - self.position]
        if self.position + size > self.skip and self.out is not None:
            kept = data[max(0, self.skip - self.position) :]
            self.out.write(kept)
            self._find_line_end(kept)
            self.written += len(kept)
        self.position += size
        return size

    def _find_line_end(self, kept: bytes) -> None:
        unit = self.ending.unit
        width = len(unit)
        window = self._tail + kept
        base = self.written - len(self._tail)
        # A CR ends a line only once the next unit is known: it may be the LF of a CRLF.
        limit = len(window) - (width if self.ending.lf else 0)
        found = window.rfind(unit, 0, limit)
        while found >= 0 and (base + found) % width:
            found = window.rfind(unit, 0, found + width - 1)
        if found >= 0:
            stop = found + width
            if self.ending.lf and window[stop : stop + width] == self.ending.lf:
                stop += width
            self.complete = max(self.complete, base + stop)
        self._tail = window[-2 * width :]


def _head(raw: BinaryIO, compression: str | None) -> bytes:
    """The first :data:`HEAD_BYTES` decoded bytes of the open file ``raw`` (fewer at damage)."""
    raw.seek(0)
    if compression is None:
        return raw.read(HEAD_BYTES)
    try:
        with OPENERS[compression](raw) as stream:
            return stream.read(HEAD_BYTES)
    except DAMAGE:
        return b""


def _compression(raw: BinaryIO) -> str | None:
    raw.seek(0)
    start = raw.read(8)
    return next((kind for magic, kind in MAGIC.items() if start.startswith(magic)), None)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class _File:
    name: str
    raw: BinaryIO
    stat: os.stat_result
    compression: str | None
    _head: bytes | None = None
    _digests: dict[int, str] = field(default_factory=dict)

    @property
    def head(self) -> bytes:
        """The first decoded bytes, read once."""
        if self._head is None:
            self._head = _head(self.raw, self.compression)
        return self._head

    def digest(self, size: int) -> str | None:
        """The fingerprint of the first ``size`` decoded bytes (None when the file is shorter)."""
        if len(self.head) < size:
            return None
        if size not in self._digests:
            self._digests[size] = _digest(self.head[:size])
        return self._digests[size]

    def starts_with(self, cursor: Cursor) -> bool:
        return self.digest(cursor.fingerprint_bytes) == cursor.fingerprint

    def identity(self) -> tuple[int, int]:
        return self.stat.st_dev, self.stat.st_ino


def _pair_rank(file: _File, cursor: Cursor) -> tuple[int, int, int]:
    same_inode = (file.stat.st_dev, file.stat.st_ino) == (cursor.device, cursor.inode)
    return int(same_inode), cursor.fingerprint_bytes, int(file.name == cursor.name)


def _match(files: list[_File], cursors: Sequence[Cursor]) -> tuple[dict[int, Cursor], dict[int, str]]:
    """Each file's cursor (by file index), and the files that repeat another's lines (index → that name)."""
    claimed: dict[int, Cursor] = {}
    copies: dict[int, str] = {}
    taken: dict[int, int] = {}  # cursor index → file index
    seen: dict[tuple[int, int], int] = {}
    for i, file in enumerate(files):
        if file.identity() in seen:  # the same file named twice
            copies[i] = files[seen[file.identity()]].name
            continue
        seen[file.identity()] = i
        for c, cursor in enumerate(cursors):
            if c not in taken and cursor.same_file(file.stat):
                claimed[i], taken[c] = cursor, i
                break
    pairs = [
        (_pair_rank(file, cursor), -i, -c)
        for i, file in enumerate(files)
        if i not in claimed and i not in copies
        for c, cursor in enumerate(cursors)
        if file.starts_with(cursor)
    ]
    for _, i, c in sorted(pairs, reverse=True):
        i, c = -i, -c
        if i in claimed or i in copies:
            continue
        if c in taken:
            copies[i] = files[taken[c]].name
        else:
            claimed[i], taken[c] = cursors[c], i
    _new_copies(files, claimed, copies)
    return claimed, copies


def _new_copies(files: list[_File], claimed: dict[int, Cursor], copies: dict[int, str]) -> None:
    """Among files no cursor knows, mark those with the same start as an earlier one as its copies.

    That is a rotated file and the archive being made of it: the uncompressed one is read.
    """
    first: dict[str, int] = {}
    new = [i for i in range(len(files)) if i not in claimed and i not in copies]
    for i in sorted(new, key=lambda i: (files[i].compression is not None, i)):
        head = files[i].head
        if not head:
            continue
        key = files[i].digest(FINGERPRINT_BYTES) or f"whole:{_digest(head)}"
        if key in first:
            copies[i] = files[first[key]].name
        else:
            first[key] = i


def _open(name: str, path: Path) -> _File:
    try:
        raw = path.open("rb")
    except OSError as exc:
        msg = f"{name}: cannot be read ({exc.strerror}); check the path and its permissions"
        raise InputError(msg) from None
    return _File(name, raw, os.fstat(raw.fileno()), _compression(raw))


def plan(files: Sequence[tuple[str, Path]], cursors: Sequence[Cursor], spool_dir: Path) -> list[Piece]:
    """Match ``files`` (display name, path) to ``cursors`` and spool each one's new complete lines.

    Raises
    ------
    InputError
        When a file cannot be opened, or is a damaged archive of which nothing decodes.
    """
    opened = [_open(name, path) for name, path in files]
    try:
        claimed, copies = _match(opened, cursors)
        unclaimed = [c for c in cursors if c not in claimed.values()]
        pieces = []
        for number, file in enumerate(opened):
            if number in copies:
                copy = f"the same lines as {copies[number]}, which is read instead"
                pieces.append(Piece(file.name, None, None, 0, 0, "", 0, None, copy, copies[number]))
                continue
            cursor = claimed.get(number)
            known = (file.name, *file.identity())
            same = None if cursor else next((c for c in unclaimed if (c.name, c.device, c.inode) == known), None)
            note = None if same is None else SHRANK if file.stat.st_size < same.offset else REWRITTEN
            pieces.append(_read(file, cursor, spool_dir / f"new-{number}", note))
        return pieces
    finally:
        for file in opened:
            file.raw.close()


def _read(file: _File, cursor: Cursor | None, target: Path, note: str | None) -> Piece:
    """The piece of ``file`` after ``cursor`` (from its start without one)."""
    if cursor is not None and cursor.same_file(file.stat):
        return _piece(file, cursor, None, cursor.offset, cursor.fingerprint, cursor.fingerprint_bytes, None)
    head = file.head
    ending, order, cr = LineEnd.of(head)
    offset = cursor.offset if cursor is not None else 0
    if file.compression is None and file.stat.st_size < offset:
        cursor, offset, note = None, 0, SHRANK
    spool, damage = _spool(file, ending, offset, head, target)
    if spool.position < offset and damage is None:
        cursor, offset, note = None, 0, SHRANK
        spool, damage = _spool(file, ending, 0, head, target)
    if spool.position < offset:
        # Damaged before the point already read: nothing new can be read, the cursor stays.
        note = f"{damage}; nothing after where the last run stopped could be read"
        assert cursor is not None
        return _piece(file, cursor, None, cursor.offset, cursor.fingerprint, cursor.fingerprint_bytes, note)
    final = file.compression is not None
    end = spool.written if final else spool.complete
    os.truncate(target, end)
    if offset == 0 and spool.written == 0 and damage is not None:
        msg = f"{file.name}: {damage}; check the file or re-copy it"
        raise InputError(msg)
    if damage is not None:
        note = f"{damage}; read {spool.position:,} decoded bytes before the damage, the rest is missing"
    reached = offset + end
    size = min(FINGERPRINT_BYTES, reached)
    fingerprint = _digest(bytes(spool.first[:size]))
    source = _converted(Input(file.name, target), order, cr) if end else None
    return _piece(file, cursor, source, reached, fingerprint, size, note)


def _piece(
    file: _File, cursor: Cursor | None, source: Input | None, offset: int, fingerprint: str, size: int, note: str | None
) -> Piece:
    if source is not None and note is not None:
        source = replace(source, note=note if source.note is None else f"{note}; {source.note}")
    start = cursor.lines if cursor is not None else 0
    return Piece(file.name, source, cursor, start, offset, fingerprint, size, file.stat, note)


def _spool(file: _File, ending: LineEnd, offset: int, head: bytes, target: Path) -> tuple[_Spool, str | None]:
    """Decode ``file`` into ``target`` from ``offset``; the damage met on the way, if any."""
    raw = file.raw
    with target.open("wb") as out:
        if file.compression is None:
            # The bytes before the offset are not read again; the head holds the first ones.
            spool = _Spool(out, ending, start=offset, skip=offset, known=head[:offset])
            raw.seek(offset)
            remaining = file.stat.st_size - offset
            try:
                while remaining > 0 and (chunk := raw.read(min(CHUNK, remaining))):
                    spool.write(chunk)
                    remaining -= len(chunk)
            except OSError as exc:
                msg = f"{file.name}: reading failed ({exc.strerror or exc}); check the disk, then run logstat again"
                raise InputError(msg) from None
            return spool, None
        spool = _Spool(out, ending, start=0, skip=offset, known=b"")
        raw.seek(0)
        try:
            copy_decoded(raw, file.compression, spool)  # type: ignore[arg-type]
        except DAMAGE as exc:
            return spool, f"{file.compression} data is truncated or corrupt ({exc or type(exc).__name__})"
        return spool, None


def _converted(source: Input, order: str | None, cr: bool) -> Input:
    """The spooled lines as UTF-8 with LF line ends, as :func:`open_inputs` converts whole files."""
    if order is not None:
        source = utf8_copy(source, source.path.with_name(source.path.name + ".utf8"), order)
    if cr:
        source = lf_copy(source, source.path.with_name(source.path.name + ".lf"))
    return source
