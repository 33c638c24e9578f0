"""Where reports go: ``-o`` targets and their formats, and writing files atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from logstat.errors import OutputError, UsageError
from logstat.render import OutputFormat, format_for_path
from logstat.sources import expand_arguments
from logstat.text import display_name

STDOUT = Path("-")
"""The ``-o`` target that stands for standard output."""


def output_targets(paths: list[Path], forced: OutputFormat | None) -> list[tuple[Path, OutputFormat]]:
    """Each -o path with its format: from -f when there is exactly one path, else from the suffix.

    ``-`` (stdout) has no suffix: it takes -f, which may then be given next to other -o files,
    or is a table.
    """
    if paths.count(STDOUT) > 1:
        msg = "-o - (stdout) can be given only once"
        raise UsageError(msg)
    if forced is not None and len(paths) == 1:
        return [(paths[0], forced)]
    if forced is not None and paths and STDOUT not in paths:
        msg = "-f/--format sets the format of a single output; with several -o each suffix picks the format"
        raise UsageError(msg)
    return [(path, forced or OutputFormat.TABLE) if path == STDOUT else (path, format_for_path(path)) for path in paths]


def refuse_inputs_as_outputs(files: list[str], targets: list[tuple[Path, OutputFormat]]) -> None:
    """logstat never writes to its inputs: an ``-o`` path that is one of them is a usage error."""
    names = [name for name in expand_arguments(files) if name != "-"]
    for path, _ in targets:
        if path != STDOUT and path.exists() and any(Path(name).exists() and path.samefile(name) for name in names):
            shown = display_name(str(path))
            msg = f"{shown}: is also an input; logstat never writes to its inputs, so pick another -o file"
            raise UsageError(msg)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    The file gets the mode an existing report had, or else the usual one for new files
    (0666 less the umask), not the private mode of a temporary file. A symbolic link is
    followed (the file it points to is replaced, the link stays), and a pipe or device
    (``-o /dev/stdout``) is written to directly: there is no file to replace. Whatever
    goes wrong, even Ctrl-C, the temporary file does not stay behind.
    """
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise _write_error(path, exc) from None
        return
    directory = path.parent if str(path.parent) else Path()
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> OutputError:
    shown = display_name(str(path))
    return OutputError(f"{shown}: cannot write the report ({exc.strerror}); check the directory and its permissions")
