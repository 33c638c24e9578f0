"""One log source, as the rest of logstat sees it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
"""Bytes read or written at a time when copying or decoding an input."""


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
