"""Small text helpers shared by the renderers."""

from __future__ import annotations

import re


def percent(share: float) -> str:
    """A share as a percentage with one decimal (``"12.5%"``), ``"<0.1%"`` for tiny ones."""
    if 0 < share < 0.0005:
        return "<0.1%"
    return f"{share * 100:.1f}%"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])|(?<=[。！？])")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (English or Chinese), for compact table cells."""
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip()
