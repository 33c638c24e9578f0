"""Text from logs and file names made safe to show: one rule for every output."""

from __future__ import annotations

import os
import re

# C0 and C1 controls, DEL, and the Unicode bidi controls that can reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Return ``text`` with every control or bidi character written as a ``\\xNN`` escape."""
    return _UNSAFE.sub(_escape, text)


def display_name(name: str) -> str:
    """``name`` as text that any output can hold: bytes that are not UTF-8 become ``\\xNN``.

    A file name in Latin-1, GBK or Big5 reaches Python as lone surrogates (PEP 383), which
    cannot be written as UTF-8 (JSON, HTML, the terminal); its bytes are shown escaped.
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")
