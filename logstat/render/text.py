"""Making text from a log safe to show: control characters become visible escapes."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidi controls that can reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Return ``text`` with every control or bidi character written as a ``\\xNN`` escape."""
    return _UNSAFE.sub(_escape, text)


def percent(share: float) -> str:
    """A share as a percentage with one decimal (``"12.5%"``), ``"<0.1%"`` for tiny ones."""
    if 0 < share < 0.0005:
        return "<0.1%"
    return f"{share * 100:.1f}%"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])|(?<=[。！？])")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (English or Chinese), for compact table cells."""
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip()
