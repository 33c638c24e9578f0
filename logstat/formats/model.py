"""The format model: a sequence of literals and fields, compiled to one anchored regex.

Fields carry nginx variable names; Apache ``%`` directives are mapped onto the same names, so
the rest of logstat sees one vocabulary. A format compiles to one anchored regular expression
that both Python's ``re`` and polars (Rust ``regex``) accept. Patterns are written to stay
*one-pass* (at every byte the next step is unambiguous) and use ASCII classes only: the Rust
engine then runs them several times faster than an equivalent pattern with Unicode ``\\s`` or
ambiguous repetitions."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from logstat.errors import FormatError

QUOTED_CONTENT = r'(?:[^"\\]|\\.)*'
"""Inside double quotes: anything but a quote, with backslash escapes (Apache writes ``\\"``)."""


_FLOAT_OR_DASH = r"(?:[0-9]+(?:\.[0-9]+)?|-)"


_LIST_SEPARATOR = r"(?:, | : )"


FIELD_PATTERNS: dict[str, str] = {
    # The client may be an X-Forwarded-For list ("1.2.3.4, 10.0.0.1") when real_ip is used;
    # an unquoted X-Forwarded-For header (Apache's %{X-Forwarded-For}i) is such a list too.
    "remote_addr": r"[^ ,]+(?:, ?[^ ,]+)*",
    "http_x_forwarded_for": r"[^ ,]+(?:, ?[^ ,]+)*",
    # Every part is range-checked here: aggregation converts one timestamp per minute, not per
    # line, so what the regex accepts is what counts as parsed. The year is 1000-9899: year
    # 0000, or 9999 with a negative offset, would fall outside Python's datetime once converted
    # to UTC, and no server's clock is out there.
    "time_local": (
        r"(?:0[1-9]|[12][0-9]|3[01])/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/"
        r"(?:[1-8][0-9]{3}|9[0-8][0-9]{2}):(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60) [+-][01][0-9][0-5][0-9]"
    ),
    "time_iso8601": (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
        r"(?:Z|[+-][0-9]{2}:?[0-9]{2})"
    ),
    "msec": r"[0-9]+(?:\.[0-9]+)?",
    "body_bytes_sent": r"[0-9]+|-",
    "bytes_sent": r"[0-9]+|-",
    "request_length": r"[0-9]+|-",
    "request_time": _FLOAT_OR_DASH,
    "request_time_us": r"[0-9]+|-",
    "request_time_ms": r"[0-9]+|-",
    "server_port": r"[0-9]+|-",
    "upstream_response_time": f"{_FLOAT_OR_DASH}(?:{_LIST_SEPARATOR}{_FLOAT_OR_DASH})*",
    "upstream_connect_time": f"{_FLOAT_OR_DASH}(?:{_LIST_SEPARATOR}{_FLOAT_OR_DASH})*",
    "upstream_header_time": f"{_FLOAT_OR_DASH}(?:{_LIST_SEPARATOR}{_FLOAT_OR_DASH})*",
    "upstream_status": r"(?:[0-9]+|-)(?:(?:, | : )(?:[0-9]+|-))*",
    "upstream_addr": r"[^ ,]+(?:(?:, | : )[^ ,]+)*",
    "upstream_response_length": r"(?:[0-9]+|-)(?:(?:, | : )(?:[0-9]+|-))*",
    # ingress-nginx writes these in brackets, and the alternative one is often empty: "[]".
    "proxy_upstream_name": r"[^ \t\]]*",
    "proxy_alternative_upstream_name": r"[^ \t\]]*",
}
"""Fields whose unquoted value has a known shape; any other field is a run of non-blanks."""


_NOT_LEAP_END = "(?:[02468][1235679]|[13579][013-57-9])"
"""The last two digits of a year that is not a multiple of 4, i.e. neither 00 nor a multiple of 4."""


_NOT_LEAP_YEAR = (
    # Centuries that are multiples of 400 (first two digits a multiple of 4): only the
    # last two digits can make the year common.
    f"(?:(?:[13579][26]|[2468][048]){_NOT_LEAP_END}"
    # Any other century, years 1000-9899: 00 is common too.
    f"|(?:[1357][013-57-9]|9[013-578]|[2468][1235679])(?:00|{_NOT_LEAP_END}))"
)


IMPOSSIBLE_DAY = f"^(?:3[01]/Feb|31/(?:Apr|Jun|Sep|Nov)|29/Feb/{_NOT_LEAP_YEAR})"
"""Matches a ``$time_local`` (already range-checked) on a day the calendar lacks: 30 or 31
February, 31 of a 30-day month, 29 February of a common year. The calendar lives in its own
small regex because inside :data:`FIELD_PATTERNS` it doubles the cost of every line's match."""


TIME_FIELDS = ("time_local", "time_iso8601", "time_strftime", "msec")
"""Fields that carry the request time, in order of preference."""


@dataclass(frozen=True)
class Token:
    """One piece of a format: a literal text, or a field named after an nginx variable."""

    text: str
    is_field: bool
    pattern: str = ""
    """The regex of this field's value, when the format itself spells it (Apache ``%{...}t``)."""
    time_format: str = ""
    """The strftime format of a ``time_strftime`` field; for a ``time_part``, its ``%{...}t`` spec."""


@dataclass(frozen=True)
class LogFormat:
    """A compiled access-log format.

    ``name`` is a built-in name or ``"custom"``; ``definition`` is the format string as the
    server spells it (nginx ``log_format`` or Apache ``LogFormat``).
    """

    name: str
    definition: str
    syntax: Literal["nginx", "apache", "json"]
    tokens: tuple[Token, ...]
    description: str = ""
    example: str = ""
    prefix: str = ""
    """A regex for what a log collector writes before each line (see :data:`LINE_PREFIXES`)."""
    tolerant: bool = False
    """A fallback that reads only what the exact formats miss (see :mod:`logstat.formats.fallback`);
    its pattern always runs through its last token, whatever fields are asked for."""
    json_paths: tuple[tuple[str, str], ...] = ()
    """For a JSON access log: each field and the JSONPath it is read from (no regex then)."""

    @property
    def is_json(self) -> bool:
        """Whether lines of this format are JSON objects, read by key instead of by regex."""
        return bool(self.json_paths)

    @property
    def fields(self) -> tuple[str, ...]:
        """Field names in order of appearance, without repeats."""
        return tuple(dict.fromkeys(t.text for t in self.tokens if t.is_field))

    @property
    def time_field(self) -> str | None:
        """The field that holds the request time, if the format has one."""
        return next((f for f in TIME_FIELDS if f in self.fields), None)

    @property
    def time_format(self) -> str:
        """The strftime format of the ``time_strftime`` field (Apache ``%{...}t``), else empty."""
        return next((t.time_format for t in self.tokens if t.text == "time_strftime"), "")

    @property
    def specificity(self) -> tuple[int, int]:
        """How much a format pins down: its number of fields, then of literal characters."""
        literal = sum(len(t.text) for t in self.tokens if not t.is_field)
        return len(self.fields), literal

    def pattern(self, capture: Collection[str] | None = None) -> str:
        """Return an anchored regex for this format.

        With ``capture=None`` every field is captured and the whole format must match.
        Otherwise only the named fields are captured and the pattern ends right after the
        last of them: a line then parses when every field the caller needs is present and
        well formed, and the engine never scans the fields it would throw away.
        """
        wanted = set(self.fields if capture is None else capture)
        missing = wanted - set(self.fields)
        if missing:
            msg = f"format {self.name!r} has no field {sorted(missing)[0]!r}"
            raise FormatError(msg)
        field_positions = [i for i, t in enumerate(self.tokens) if t.is_field and t.text in wanted]
        whole = capture is None or self.tolerant
        last = len(self.tokens) - 1 if whole else max(field_positions, default=-1)
        return self._regex_through(last, wanted)

    def _regex_through(self, last: int, wanted: Collection[str]) -> str:
        """The regex for tokens ``0..last``, capturing the first occurrence of ``wanted``."""
        parts = ["^" + self.prefix]
        captured: set[str] = set()
        for i, token in enumerate(self.tokens[: last + 1]):
            if not token.is_field:
                parts.append(escape_literal(token.text))
                continue
            body = self._field_body(i)
            if token.text in wanted and token.text not in captured:
                captured.add(token.text)
                parts.append(f"(?P<{token.text}>{body})")
            else:
                parts.append(f"(?:{body})")
        parts.append(self._guard_after(last))
        return "".join(parts)

    def explain_mismatch(self, line: str, fields: Collection[str] | None = None) -> str:
        """Say in a few words why ``line`` does not match this format.

        With ``fields`` only the tokens through the last of them are checked, as
        :meth:`pattern` does with ``capture``: pass the fields the report reads, so that a
        line which is unparsed only because its time does not convert is not blamed on a
        later field the report never looks at.
        """
        if not line.strip():
            return "blank line"
        if line.lstrip().startswith("#"):
            return "comment line"
        tokens = self.tokens
        if fields is not None:
            wanted = set(fields)
            last = max((i for i, t in enumerate(tokens) if t.is_field and t.text in wanted), default=-1)
            tokens = tokens[: last + 1]
        matched_to = 0
        for i, token in enumerate(tokens):
            found = re.match(self._regex_through(i, ()), line)
            if found is None:
                what = f"field ${token.text}" if token.is_field else f"text {token.text!r}"
                return f"{what} missing or malformed at column {matched_to + 1}"
            matched_to = found.end()
        if self.time_field is not None:
            return f"${self.time_field} is not a valid date and time"
        return f"does not match format {self.name}"

    def _field_body(self, index: int) -> str:
        if self.tokens[index].pattern:
            return self.tokens[index].pattern
        name = self.tokens[index].text
        before = self.tokens[index - 1].text if index > 0 else ""
        after = self.tokens[index + 1].text if index + 1 < len(self.tokens) else ""
        if before.endswith('"') and after.startswith('"'):
            return QUOTED_CONTENT
        if name in FIELD_PATTERNS:
            return FIELD_PATTERNS[name]
        stop = re.escape(after[0]) if after and after[0] not in " \t" else ""
        return rf"[^ \t{stop}]+"

    def _guard_after(self, index: int) -> str:
        """After a field, require the next character, so that the field cannot end early."""
        if index < 0 or not self.tokens[index].is_field:
            return ""
        if index + 1 < len(self.tokens):
            return escape_literal(self.tokens[index + 1].text[0])
        return r"(?:[ \t]|$)"


def escape_literal(text: str) -> str:
    """Escape a literal for both Python ``re`` and the Rust ``regex`` crate."""
    return "".join("\\" + ch if ch in r"\.^$*+?{}[]|()#&-~" else ch for ch in text)


def merge_literals(tokens: list[Token]) -> tuple[Token, ...]:
    """``tokens`` with neighbouring literals joined into one."""
    merged: list[Token] = []
    for token in tokens:
        if merged and not token.is_field and not merged[-1].is_field:
            merged[-1] = Token(merged[-1].text + token.text, is_field=False)
        else:
            merged.append(token)
    return tuple(merged)


def checked_format(fmt: LogFormat) -> LogFormat:
    """``fmt``, once it is known to be usable: it has a status field and no two fields touch.

    Raises
    ------
    FormatError
        When it is not.
    """
    if "status" not in fmt.fields:
        msg = (
            f"the log format {fmt.definition!r} has no status field "
            "($status in nginx, %s or %>s in Apache); logstat needs it"
        )
        raise FormatError(msg)
    for a, b in zip(fmt.tokens, fmt.tokens[1:], strict=False):
        if a.is_field and b.is_field:
            msg = f"fields ${a.text} and ${b.text} touch with nothing between them; add a separator"
            raise FormatError(msg)
    return fmt
