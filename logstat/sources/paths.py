"""Command-line arguments to readable paths: globs, directories, pipes, devices and standard input."""

from __future__ import annotations

import glob
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from logstat.errors import InputError
from logstat.sources.model import CHUNK
from logstat.text import display_name


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


def check_readable(name: str) -> Path:
    """``name`` as a path that can be opened for reading.

    Raises
    ------
    InputError
        For a directory, a missing file or one that cannot be read.
    """
    path = Path(name)
    if path.is_dir():
        shown = display_name(name)
        msg = f"{shown}: is a directory; pass the files in it, e.g. '{display_name(str(path / 'access.log*'))}'"
        raise InputError(msg)
    if path.exists() and not path.is_file():
        return path  # a pipe or a device: opened once, by spool_stream
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise _open_error(name, exc) from None
    return path


def spool_stream(name: str, path: Path, target: Path) -> Path:
    """Copy a pipe (``<(zcat ...)``), a terminal or a device into ``target``, reading it once."""
    try:
        with path.open("rb") as stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
    except OSError as exc:
        raise _open_error(name, exc) from None
    return target


def alias(path: Path, target: Path) -> Path:
    """A UTF-8 name for ``path`` (polars takes only UTF-8 paths): a symbolic link, else a copy."""
    try:
        target.symlink_to(path.absolute())
    except OSError:
        shutil.copyfile(path, target)
    return target


def is_utf8(text: str) -> bool:
    """Whether ``text`` (a file name) can be written as UTF-8, i.e. holds no lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def copy_stdin(target: Path) -> Path:
    """Copy standard input into ``target``.

    Raises
    ------
    InputError
        When standard input is closed.
    """
    if sys.stdin is None:
        msg = "-: standard input is closed; pipe a log into logstat or pass a file name"
        raise InputError(msg)
    with target.open("wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, CHUNK)
    return target
