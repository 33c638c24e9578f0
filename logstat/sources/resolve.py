"""Resolving command-line arguments to inputs that polars can scan.

Compression is recognised by its magic bytes, not the file name, so a gzip stream piped
into ``-`` works as well as ``access.log.2.gz``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from logstat.sources.compression import NATIVE, compression_of, decode_to_file
from logstat.sources.encoding import has_cr_line_ends, head_of, lf_copy, utf8_copy, utf16_order
from logstat.sources.model import Input
from logstat.sources.paths import alias, check_readable, copy_stdin, expand_arguments, is_utf8, spool_stream
from logstat.text import display_name


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
            source = Input("<stdin>", copy_stdin(spool_dir / f"stdin-{number}"))
        else:
            path = check_readable(name)
            if not path.is_file():
                path = spool_stream(name, path, spool_dir / f"stream-{number}")
            elif not is_utf8(str(path)):
                path = alias(path, spool_dir / f"input-{number}")
            source = Input(display_name(name), path)
        compression = compression_of(source.path)
        source = replace(source, compression=compression)
        if compression is not None and compression not in NATIVE:
            source = decode_to_file(source, spool_dir / f"decoded-{number}")
        head = head_of(source)
        order = utf16_order(head)
        if order is not None:
            if source.compression is not None:
                source = decode_to_file(source, spool_dir / f"decoded-{number}")
            source = utf8_copy(source, spool_dir / f"utf8-{number}", order)
            head = head_of(source)
        if has_cr_line_ends(head):
            if source.compression is not None:
                source = decode_to_file(source, spool_dir / f"decoded-{number}")
            source = lf_copy(source, spool_dir / f"lf-{number}")
        inputs.append(source)
    return inputs
