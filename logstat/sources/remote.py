"""Inputs in object storage: ``s3://``, ``gs://``, ``az://`` and ``https://`` URLs, read by polars.

polars reads these itself (its cloud readers, with ``storage_options``), gzip and zstd objects
included; credentials come from the usual environment (``AWS_*``, ``GOOGLE_*``, ``AZURE_*``)
or from ``--storage-option KEY=VALUE``. A glob on an object store (``s3://logs/2026/11/*.gz``)
is listed by the same engine, so one object is one input. Nothing is downloaded to disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from logstat.errors import InputError, UsageError
from logstat.sources.model import Input
from logstat.text import display_name

SCHEMES = ("s3://", "s3a://", "gs://", "gcs://", "az://", "abfs://", "abfss://", "https://", "http://")
"""URL prefixes that name an object in storage (or on a web server) rather than a local path."""

GLOB_CHARS = "*?["


def is_url(name: str) -> bool:
    """Whether ``name`` is an object-storage or web URL."""
    return name.lower().startswith(SCHEMES)


def parse_storage_options(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` texts (``--storage-option``) as a dict.

    Raises
    ------
    UsageError
        For a text without ``=`` or with an empty key.
    """
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            msg = f"--storage-option {display_name(pair)!r}: write it as KEY=VALUE, e.g. aws_region=eu-west-1"
            raise UsageError(msg)
        options[key.strip()] = value
    return options


def _options(storage_options: Mapping[str, str]) -> dict[str, str] | None:
    return dict(storage_options) or None


def _storage_error(name: str, exc: Exception) -> InputError:
    """A one-line error for an object that cannot be listed or read."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, FileNotFoundError) or "not found" in first.lower():
        return InputError(f"{display_name(name)}: no such object; check the URL")
    return InputError(
        f"{display_name(name)}: cannot be read from storage ({display_name(first[:300])}); "
        "check the URL, the credentials (environment or --storage-option) and the endpoint"
    )


def expand_remote(pattern: str, storage_options: Mapping[str, str]) -> list[str]:
    """The objects a URL names: itself, or, for a glob on an object store, every object it matches.

    Raises
    ------
    InputError
        When a glob matches nothing, or the store cannot be listed.
    """
    if not any(char in pattern for char in GLOB_CHARS) or pattern.lower().startswith(("http://", "https://")):
        return [pattern]
    import polars as pl
    from polars.io._expand_paths import _expand_paths  # the engine polars lists globs with

    try:
        found = _expand_paths(pattern, storage_options=_options(storage_options)).collect()
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise _storage_error(pattern, exc) from None
    names = sorted(str(name) for name in found["path"] if not str(name).endswith("/"))
    if not names:
        msg = f"{display_name(pattern)}: the pattern matches no object; check the bucket, the prefix and the quoting"
        raise InputError(msg)
    return names


def remote_input(url: str, storage_options: Mapping[str, str]) -> Input:
    """The input for one object (its bytes stay in storage; polars reads them when counting)."""
    pairs = tuple(sorted(storage_options.items()))
    return Input(display_name(url), Path(), url=url, storage_options=pairs)


def scan_target(source: Input) -> tuple[str | Path, dict[str, str] | None]:
    """What polars scans for ``source`` (its URL or path) and the storage options to pass."""
    if source.url is None:
        return source.path, None
    return source.url, _options(dict(source.storage_options))


def storage_error(source: Input, exc: Exception) -> InputError:
    """The one-line error for a remote ``source`` that failed while it was counted."""
    return _storage_error(source.name, exc)
