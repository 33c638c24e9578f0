"""The status-code registry: a bilingual data file shipped in the package, and lookups."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

OTHER_CLASS = "other"
"""Class of a status value that is not a number from 100 to 599."""


@dataclass(frozen=True)
class Explanation:
    """What a code means, what usually causes it (most likely first), and what to check."""

    meaning: str
    causes: tuple[str, ...]
    check: tuple[str, ...]


@dataclass(frozen=True)
class StatusCode:
    """One registry entry."""

    code: str
    reason: str
    reason_zh: str
    kind: str
    registration: str
    vendor: str
    spec: str
    in_seed: bool
    seed_http11_new: bool
    text: dict[Lang, Explanation]

    def reason_in(self, lang: Lang) -> str:
        """The reason phrase in ``lang``."""
        return self.reason_zh if lang == "zh" else self.reason


@dataclass(frozen=True)
class StatusClass:
    """A status class (``"4xx"``) or the pseudo class for values that are not HTTP statuses."""

    name: str
    label: dict[Lang, str]
    meaning: dict[Lang, str]


_OTHER = StatusClass(
    OTHER_CLASS,
    {"en": "Not an HTTP status", "zh": "非 HTTP 状态码"},
    {
        "en": "The status field holds a value outside 100-599: a log artefact or a non-HTTP "
        "code written by a proxy or library, not a response the client saw.",
        "zh": "状态字段的值不在 100-599 之间：这是日志中的人为产物，或代理、程序库写入的非 HTTP "
        "代码，并不是客户端收到的响应。",
    },
)


@dataclass(frozen=True)
class Registry:
    """All codes and classes, loaded from ``logstat/data/status_codes.toml``."""

    codes: dict[str, StatusCode]
    classes: dict[str, StatusClass]

    def lookup(self, raw: str) -> StatusCode | None:
        """The entry for a raw status value exactly as logged (``"404"``, ``"000"``), if any."""
        return self.codes.get(raw)

    def class_of(self, raw: str) -> StatusClass:
        """The class of a raw status value; values outside 100-599 get the ``other`` class."""
        return self.classes[class_name(raw)]


def class_name(raw: str) -> str:
    """``"4xx"`` for ``"404"``; ``"other"`` for anything that is not three digits from 100 to 599."""
    if len(raw) == 3 and raw.isascii() and raw.isdigit() and "1" <= raw[0] <= "5":
        return f"{raw[0]}xx"
    return OTHER_CLASS


def numeric_status(raw: str) -> int | None:
    """The status as an integer when it is written in ASCII digits, else ``None``."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _explanation(data: dict[str, Any]) -> Explanation:
    return Explanation(data["meaning"], tuple(data["causes"]), tuple(data["check"]))


@cache
def load_registry() -> Registry:
    """Load the registry shipped inside the package (cached)."""
    raw = resources.files("logstat").joinpath("data/status_codes.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    codes = {
        code: StatusCode(
            code=code,
            reason=entry["reason"],
            reason_zh=entry["reason_zh"],
            kind=entry["kind"],
            registration=entry["registration"],
            vendor=entry["vendor"],
            spec=entry["spec"],
            in_seed=entry["in_seed"],
            seed_http11_new=entry["seed_http11_new"],
            text={lang: _explanation(entry[lang]) for lang in LANGS},
        )
        for code, entry in data["codes"].items()
    }
    classes = {
        f"{digit}xx": StatusClass(
            f"{digit}xx",
            {"en": entry["label_en"], "zh": entry["label_zh"]},
            {"en": entry["meaning_en"], "zh": entry["meaning_zh"]},
        )
        for digit, entry in data["classes"].items()
    }
    classes[OTHER_CLASS] = _OTHER
    return Registry(codes, classes)
