"""Log formats: built-in specs, the nginx/Apache format-string compiler, and detection.

A format is a sequence of literals and fields. Fields carry nginx variable names; Apache
``%`` directives are mapped onto the same names, so the rest of logstat sees one vocabulary.
A format compiles to one anchored regular expression that both Python's ``re`` and polars
(Rust ``regex``) accept. Patterns are written to stay *one-pass* (at every byte the next
step is unambiguous) and use ASCII classes only: the Rust engine then runs them several
times faster than an equivalent pattern with Unicode ``\\s`` or ambiguous repetitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import polars as pl

from logstat.errors import FormatError, UnknownFormatError

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

APACHE_DIRECTIVES: dict[str, str] = {
    "a": "remote_addr",
    "A": "server_addr",
    "b": "body_bytes_sent",
    "B": "body_bytes_sent",
    "D": "request_time_us",
    "f": "request_filename",
    "h": "remote_addr",
    "H": "server_protocol",
    "I": "request_length",
    "k": "keepalive_requests",
    "l": "remote_ident",
    "L": "request_log_id",
    "m": "request_method",
    "O": "bytes_sent",
    "p": "server_port",
    "P": "pid",
    "q": "query_string",
    "r": "request",
    "R": "handler",
    "s": "status",
    "S": "bytes_transferred",
    "T": "request_time",
    "u": "remote_user",
    "U": "uri",
    "v": "server_name",
    "V": "host",
    "X": "connection_status",
}
"""Apache ``LogFormat`` directives and the nginx variable name each one maps onto."""

_APACHE_HEADER_PREFIX = {"i": "http_", "o": "sent_http_", "C": "cookie_", "e": "env_", "n": "note_"}
_APACHE_TOKEN = re.compile(r"%(?:%|[<>]?!?[0-9,]*(?:\{(?P<arg>[^}]*)\})?(?P<letter>[a-zA-Z]))")
_NGINX_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z0-9_]+)\}|(?P<plain>[A-Za-z0-9_]+))")
_NGINX_DIRECTIVE = re.compile(r"^\s*log_format\s+[A-Za-z0-9_]+\s+(?:escape=[a-z]+\s+)?(?P<body>.*?);?\s*$", re.S)
_NGINX_SEGMENT = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_APACHE_DIRECTIVE = re.compile(r'^\s*(?:Custom)?Log(?:Format)?\s+(?:\S+\s+)?"(?P<body>(?:[^"\\]|\\.)*)"', re.S)


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
    syntax: Literal["nginx", "apache"]
    tokens: tuple[Token, ...]
    description: str = ""
    example: str = ""
    prefix: str = ""
    """A regex for what a log collector writes before each line (see :data:`LINE_PREFIXES`)."""

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
        last = len(self.tokens) - 1 if capture is None else max(field_positions, default=-1)
        return self._regex_through(last, wanted)

    def _regex_through(self, last: int, wanted: Collection[str]) -> str:
        """The regex for tokens ``0..last``, capturing the first occurrence of ``wanted``."""
        parts = ["^" + self.prefix]
        captured: set[str] = set()
        for i, token in enumerate(self.tokens[: last + 1]):
            if not token.is_field:
                parts.append(_escape(token.text))
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
            return _escape(self.tokens[index + 1].text[0])
        return r"(?:[ \t]|$)"


def _escape(text: str) -> str:
    """Escape a literal for both Python ``re`` and the Rust ``regex`` crate."""
    return "".join("\\" + ch if ch in r"\.^$*+?{}[]|()#&-~" else ch for ch in text)


def compile_nginx(definition: str, *, name: str = "custom") -> LogFormat:
    """Compile an nginx ``log_format`` string (or a whole ``log_format`` directive)."""
    text = _unwrap_nginx(definition)
    tokens: list[Token] = []
    pos = 0
    for match in _NGINX_VARIABLE.finditer(text):
        if match.start() > pos:
            tokens.append(Token(text[pos : match.start()], is_field=False))
        tokens.append(Token((match["braced"] or match["plain"]).lower(), is_field=True))
        pos = match.end()
    if pos < len(text):
        tokens.append(Token(text[pos:], is_field=False))
    return _checked(LogFormat(name, text, "nginx", _merge_literals(tokens)))


def compile_apache(definition: str, *, name: str = "custom") -> LogFormat:
    """Compile an Apache ``LogFormat`` string (or a whole ``LogFormat`` directive)."""
    text = _unwrap_apache(definition)
    tokens: list[Token] = []
    pos = 0
    for match in _APACHE_TOKEN.finditer(text):
        if match.start() > pos:
            tokens.append(Token(text[pos : match.start()], is_field=False))
        pos = match.end()
        if match.group(0) == "%%":
            tokens.append(Token("%", is_field=False))
            continue
        tokens.extend(_apache_directive(match["letter"], match["arg"], match.group(0)))
    if pos < len(text):
        tokens.append(Token(text[pos:], is_field=False))
    return _checked(LogFormat(name, text, "apache", _merge_literals(_join_offset(tokens))))


def _apache_directive(letter: str, arg: str | None, spelled: str) -> list[Token]:
    if letter == "t":
        if arg in (None, ""):
            return [Token("[", False), Token("time_local", True), Token("]", False)]
        return [_apache_time(arg)]
    if letter == "T" and arg in ("ms", "us"):
        return [Token(f"request_time_{arg}", True)]
    if letter in _APACHE_HEADER_PREFIX and arg:
        field = _APACHE_HEADER_PREFIX[letter] + re.sub(r"[^a-z0-9]+", "_", arg.lower())
        return [Token(field, True)]
    if letter not in APACHE_DIRECTIVES:
        msg = f"unsupported Apache directive {spelled} in the log format"
        raise FormatError(msg)
    return [Token(APACHE_DIRECTIVES[letter], True)]


_EPOCH_PARTS = {"msec": "[0-9]+", "usec": "[0-9]+", "msec_frac": "[0-9]{3}", "usec_frac": "[0-9]{6}"}
"""Apache ``%{...}t`` forms that logstat matches but does not read as the request time."""

STRFTIME_PATTERNS: dict[str, str] = {
    "Y": "[0-9]{4}",
    "y": "[0-9]{2}",
    "m": "[0-9]{2}",
    "d": "[0-9]{2}",
    "e": "[ 0-9][0-9]",
    "j": "[0-9]{3}",
    "H": "[0-9]{2}",
    "I": "[0-9]{2}",
    "M": "[0-9]{2}",
    "S": "[0-9]{2}",
    "p": "(?:AM|PM|am|pm)",
    "s": "[0-9]+",
    "z": "[+-][0-9]{4}",
    "Z": "[A-Za-z]+",
    "b": "[A-Za-z]{3}",
    "h": "[A-Za-z]{3}",
    "B": "[A-Za-z]+",
    "a": "[A-Za-z]{3}",
    "A": "[A-Za-z]+",
    "F": "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "D": "[0-9]{2}/[0-9]{2}/[0-9]{2}",
    "T": "[0-9]{2}:[0-9]{2}:[0-9]{2}",
    "R": "[0-9]{2}:[0-9]{2}",
    "%": "%",
}
"""strftime directives an Apache ``%{...}t`` may use, and the regex of what each writes."""

_STRFTIME_PART = re.compile(r"%(.?)|[^%]+", re.S)


def strftime_pattern(spec: str) -> str:
    """The regex of what strftime writes for ``spec``.

    Raises
    ------
    FormatError
        When ``spec`` uses a directive that is not in :data:`STRFTIME_PATTERNS`.
    """
    parts = []
    for match in _STRFTIME_PART.finditer(spec):
        if match.group(1) is None:
            parts.append(_escape(match.group(0)))
        elif match.group(1) in STRFTIME_PATTERNS:
            parts.append(STRFTIME_PATTERNS[match.group(1)])
        else:
            known = " ".join(f"%{c}" for c in STRFTIME_PATTERNS)
            msg = f"unsupported time directive %{match.group(1)} in %{{{spec}}}t; logstat reads {known}"
            raise FormatError(msg)
    return "".join(parts)


def _is_full_time(spec: str) -> bool:
    """Whether strftime ``spec`` names a moment: a date with year, month and day, or epoch seconds.

    A zone name (``%Z``) is not a UTC offset, so a time with one is matched but not read.
    """
    used = set(re.findall(r"%(.)", spec.replace("%%", "")))
    if "Z" in used:
        return False
    if "s" in used:
        return True
    has_year = bool(used & {"Y", "y", "F", "D"})
    has_month_and_day = bool(used & {"m", "b", "h", "B", "F", "D"}) and bool(used & {"d", "e", "F", "D"})
    return has_year and (has_month_and_day or "j" in used)


_COMPOSITES = {"F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M", "D": "%m/%d/%y"}
"""strftime shorthands, spelled out: polars' parser checks a format by its basic directives."""


def _readable_format(spec: str) -> str | None:
    """``spec`` as a format polars can read times with, or None when polars refuses it."""
    spelled = re.sub(r"%(.)", lambda m: _COMPOSITES.get(m[1], m[0]), spec)
    try:
        pl.Series([""]).str.strptime(pl.Datetime("us", "UTC"), spelled, strict=False)
    except pl.exceptions.PolarsError:
        return None
    return spelled


def _apache_time(arg: str) -> Token:
    """The field of Apache's ``%{ARG}t``: a time logstat reads, or one it only matches."""
    spec = arg.removeprefix("begin:").removeprefix("end:")
    if spec == "%d/%b/%Y:%H:%M:%S %z":
        return Token("time_local", True)
    if spec == "sec":
        return Token("msec", True)
    if spec in _EPOCH_PARTS:
        return Token("time_part", True, _EPOCH_PARTS[spec], spec)
    pattern = strftime_pattern(spec)
    readable = _readable_format(spec) if _is_full_time(spec) else None
    if readable is None:
        return Token("time_part", True, pattern, spec)
    return Token("time_strftime", True, pattern, readable)


_FRACTIONS = {"msec_frac": "%3f", "usec_frac": "%6f"}
"""strftime spellings of Apache's fractions of a second, for polars' parser."""


def _join_offset(tokens: list[Token]) -> list[Token]:
    """Read a time and the ``%{%z}t`` written after it as one time.

    Apache's own example of a time in milliseconds, ``[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]``,
    writes the UTC offset as a field of its own; read without it, the time would be off by
    the offset. A time without ``%z``, then only fractions of its second and separators, then
    ``%{%z}t`` become one ``time_strftime`` field.
    """
    joined: list[Token] = []
    i = 0
    while i < len(tokens):
        end = _offset_after(tokens, i)
        span = tokens[i : end + 1] if end is not None else []
        spelled = "".join(_strftime_of(t) for t in span)
        readable = _readable_format(spelled) if span else None
        if end is None or readable is None:
            joined.append(tokens[i])
            i += 1
            continue
        pattern = "".join(t.pattern if t.is_field else _escape(t.text) for t in span)
        joined.append(Token("time_strftime", True, pattern, readable))
        i = end + 1
    return joined


def _offset_after(tokens: list[Token], start: int) -> int | None:
    """The index of the ``%{%z}t`` that completes the offset-less time at ``start``, if any."""
    first = tokens[start]
    if first.text != "time_strftime" or "%z" in first.time_format:
        return None
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if not token.is_field:
            if not re.fullmatch(r"[ .,:]*", token.text):
                return None
        elif token.text == "time_part" and token.time_format == "%z":
            return index
        elif token.text != "time_part" or token.time_format not in _FRACTIONS:
            return None
    return None


def _strftime_of(token: Token) -> str:
    if not token.is_field:
        return token.text.replace("%", "%%")
    if token.text == "time_strftime":
        return token.time_format
    return _FRACTIONS.get(token.time_format, token.time_format)


def _unwrap_nginx(definition: str) -> str:
    match = _NGINX_DIRECTIVE.match(definition)
    if match:
        segments = _NGINX_SEGMENT.findall(match["body"])
        return "".join(single or double for single, double in segments)
    stripped = definition.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == "'":
        return stripped[1:-1]
    return definition


def _unwrap_apache(definition: str) -> str:
    match = _APACHE_DIRECTIVE.match(definition)
    text = match["body"] if match else definition
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), text)


def _merge_literals(tokens: list[Token]) -> tuple[Token, ...]:
    merged: list[Token] = []
    for token in tokens:
        if merged and not token.is_field and not merged[-1].is_field:
            merged[-1] = Token(merged[-1].text + token.text, is_field=False)
        else:
            merged.append(token)
    return tuple(merged)


def _checked(fmt: LogFormat) -> LogFormat:
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


def _builtin(name: str, definition: str, description: str, example: str) -> LogFormat:
    compiler = compile_nginx if "$" in definition else compile_apache
    fmt = compiler(definition, name=name)
    return LogFormat(name, fmt.definition, fmt.syntax, fmt.tokens, description, example)


_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

BUILTIN_FORMATS: dict[str, LogFormat] = {
    f.name: f
    for f in (
        _builtin(
            "combined",
            '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
            "Apache combined; identical to nginx's predefined `combined`",
            f'203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 '
            f'"https://example.com/" "{_AGENT}"',
        ),
        _builtin(
            "common",
            '%h %l %u %t "%r" %>s %b',
            "NCSA Common Log Format (CLF); the client may be a host name",
            'host-7.example.net - alice [10/Oct/2026:13:55:36 +0000] "GET /a.png HTTP/1.0" 304 -',
        ),
        _builtin(
            "vhost_combined",
            '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
            "Apache vhost_combined: combined with a `server:port` prefix",
            f'www.example.com:443 2001:db8::1 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/2.0" '
            f'200 5120 "-" "{_AGENT}"',
        ),
        _builtin(
            "nginx_main",
            '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
            '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
            "the `main` format of nginx's default nginx.conf: combined plus X-Forwarded-For",
            f'10.0.0.5 - - [10/Oct/2026:13:55:36 +0000] "POST /api/login HTTP/1.1" 401 61 '
            f'"-" "{_AGENT}" "198.51.100.23"',
        ),
        _builtin(
            "nginx_timed",
            '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
            '"$http_referer" "$http_user_agent" $request_time $upstream_response_time',
            "nginx combined plus $request_time and $upstream_response_time (seconds)",
            f'198.51.100.23 - - [10/Oct/2026:13:55:36 +0000] "GET /api/items HTTP/1.1" 502 157 '
            f'"-" "{_AGENT}" 3.002 3.001',
        ),
        _builtin(
            "ingress_nginx",
            '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
            '"$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] '
            "[$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length "
            "$upstream_response_time $upstream_status $req_id",
            "the default `upstreaminfo` format of the Kubernetes ingress-nginx controller",
            f'10.244.0.1 - - [10/Oct/2026:13:55:36 +0000] "GET /api/orders HTTP/1.1" 504 160 "-" "{_AGENT}" '
            "512 60.001 [shop-orders-80] [] 10.244.1.7:8080 0 60.000 504 3f2b9c1d4e5a6b7c8d9e0f1a2b3c4d5e",
        ),
        _builtin(
            "apache_timed",
            '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D',
            "Apache combined plus %D (time taken, microseconds)",
            f'198.51.100.23 - - [10/Oct/2026:13:55:36 +0000] "GET /report HTTP/1.1" 200 8812 '
            f'"-" "{_AGENT}" 412345',
        ),
    )
}
"""The formats logstat knows by name."""


_ERROR_LEVEL = r"(?:emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])"

ERROR_LOG_SHAPES: dict[str, re.Pattern[str]] = {
    "an nginx error log": re.compile(rf"^[0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}} [0-9:]{{8}} \[{_ERROR_LEVEL}\] "),
    "an Apache error log": re.compile(
        r"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}(?:\.[0-9]+)? [0-9]{4}\] "
        rf"\[(?:[a-z_]+:)?{_ERROR_LEVEL}\] "
    ),
}
"""How the first line of an error log looks, so that one passed by mistake is named as such."""


def error_log_kind(lines: Sequence[str]) -> str | None:
    """``"an nginx error log"`` or ``"an Apache error log"`` when most sample lines look like one."""
    return next((kind for kind, shape in ERROR_LOG_SHAPES.items() if _mostly(lines, shape.match)), None)


def _mostly(lines: Sequence[str], test: Callable[[str], object]) -> bool:
    """Whether at least :data:`DETECTION_THRESHOLD` of ``lines`` pass ``test``."""
    return sum(bool(test(line)) for line in lines) >= DETECTION_THRESHOLD * max(len(lines), 1)


_RFC3339 = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})"

LINE_PREFIXES: dict[str, str] = {
    # rsyslog/syslog-ng files and journalctl: "Nov 26 09:00:00 web1 nginx[123]: " (or an
    # RFC 3339 time), after an optional "<190>" priority. nginx's own "access_log syslog:".
    "syslog": (
        r"(?:<[0-9]{1,3}>)?(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|"
        + _RFC3339
        + r") [^ ]+ [^ :\[\]]+(?:\[[0-9]+\])?: "
    ),
    # Kubernetes node logs (/var/log/pods, /var/log/containers): "<time> stdout F ".
    "kubernetes": _RFC3339 + r" (?:stdout|stderr) [FP] ",
    # kubectl logs --timestamps, docker logs -t: "<time> ".
    "timestamp": _RFC3339 + " ",
}
"""What log collectors write before each access-log line, by name. The request time is still
read from the access-log line itself."""


def with_prefix(fmt: LogFormat, prefix_name: str) -> LogFormat:
    """``fmt`` for lines that start with the :data:`LINE_PREFIXES` entry ``prefix_name``."""
    return replace(fmt, name=f"{prefix_name} + {fmt.name}", prefix=LINE_PREFIXES[prefix_name])


def fit_prefix(fmt: LogFormat, lines: Sequence[str]) -> LogFormat:
    """``fmt``, or ``fmt`` after a line prefix when only that matches most of ``lines``.

    For a ``--log-format`` given for lines that a collector (syslog, Kubernetes) prefixed.
    """
    if not lines or fmt.prefix or _mostly(lines, re.compile(fmt.pattern()).match):
        return fmt
    for prefix_name in LINE_PREFIXES:
        prefixed = with_prefix(fmt, prefix_name)
        if _mostly(lines, re.compile(prefixed.pattern()).match):
            return prefixed
    return fmt


UNDETECTED = LogFormat(
    "undetected", "", "nginx", (), description="no known format matched; every line is counted as unparsed"
)
"""Stands for an input whose format could not be detected, in a run over several inputs."""


def resolve_log_format(spec: str) -> LogFormat:
    """Turn a ``--log-format`` value into a format: a built-in name or a format string."""
    # An argument that is not UTF-8 arrives with lone surrogates (PEP 383), which no output
    # can hold; as U+FFFD it also matches the U+FFFD that lossy decoding makes of such bytes.
    spec = spec.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    key = spec.strip()
    if key in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[key]
    prefix_name, plus, base = key.partition(" + ")
    if plus and prefix_name in LINE_PREFIXES and base in BUILTIN_FORMATS:
        return with_prefix(BUILTIN_FORMATS[base], prefix_name)  # as the report names it
    if "$" in key and _NGINX_VARIABLE.search(key):
        return compile_nginx(spec)
    if _APACHE_TOKEN.search(key):
        return compile_apache(spec)
    names = ", ".join(BUILTIN_FORMATS)
    msg = (
        f"unknown log format {spec!r}: use one of {names}, an nginx log_format string "
        "with $variables, or an Apache LogFormat string with %directives"
    )
    raise FormatError(msg)


@dataclass(frozen=True)
class Detection:
    """The outcome of format detection: the chosen format and how well each one matched."""

    log_format: LogFormat
    shares: dict[str, float]


DETECTION_THRESHOLD = 0.5
"""Share of sample lines a format must match to be chosen."""


def match_table(lines: Sequence[str], candidates: Sequence[LogFormat]) -> pl.DataFrame:
    """One boolean column per candidate: does its full pattern match each non-blank line."""
    sample = pl.Series("line", [ln for ln in lines if ln.strip()], dtype=pl.String)
    return sample.to_frame().select(
        pl.col("line").str.contains(fmt.pattern()).alias(fmt.name) for fmt in candidates
    )


def detect_format(
    lines: Sequence[str], candidates: Sequence[LogFormat] | None = None
) -> Detection:
    """Pick the format that best describes the sample lines.

    Each line votes for the most specific candidate that matches it (see
    :attr:`LogFormat.specificity`): a combined line also matches ``common``, whose pattern
    is a prefix of it, but votes for ``combined``. The format with the most votes wins,
    provided its pattern matches at least half of the lines. When none does, the candidates
    are tried again after each of the :data:`LINE_PREFIXES` that collectors write.

    Raises
    ------
    UnknownFormatError
        When no candidate matches at least half of the non-blank sample lines.
    """
    given = list(BUILTIN_FORMATS.values() if candidates is None else candidates)
    best, shares = _vote(lines, given)
    if shares[best.name] < DETECTION_THRESHOLD:
        for prefix_name in LINE_PREFIXES:
            prefixed, prefixed_shares = _vote(lines, [with_prefix(f, prefix_name) for f in given])
            if prefixed_shares[prefixed.name] >= DETECTION_THRESHOLD:
                return Detection(prefixed, prefixed_shares)
        kind = error_log_kind(lines)
        if kind is not None:
            msg = f"this is {kind}, not an access log; logstat reads access logs (nginx access_log, Apache CustomLog)"
            raise UnknownFormatError(msg)
        if _mostly(lines, lambda line: line.startswith("{") and line.rstrip().endswith("}")):
            msg = (
                "the lines are JSON objects; pass the log_format that wrote them with --log-format "
                "(a whole nginx 'log_format name escape=json ...;' directive works)"
            )
            raise UnknownFormatError(msg)
        tried = ", ".join(f"{f.name} {shares[f.name]:.0%}" for f in given)
        msg = (
            f"no known log format matches (tried {tried}); pass the server's own format "
            "with --log-format, e.g. --log-format '$remote_addr [$time_local] \"$request\" $status'"
        )
        raise UnknownFormatError(msg)
    return Detection(best, shares)


def _vote(lines: Sequence[str], candidates: Sequence[LogFormat]) -> tuple[LogFormat, dict[str, float]]:
    """The candidate most lines vote for (see :func:`detect_format`), and each one's share of matches."""
    pool = sorted(candidates, key=lambda f: f.specificity, reverse=True)
    table = match_table(lines, pool)
    total = max(table.height, 1)
    shares = {fmt.name: float(table[fmt.name].sum()) / total for fmt in pool}
    votes = dict.fromkeys(shares, 0)
    for row in table.iter_rows():
        winner = next((fmt.name for fmt, hit in zip(pool, row, strict=True) if hit), None)
        if winner is not None:
            votes[winner] += 1
    return max(pool, key=lambda f: (votes[f.name], shares[f.name], f.specificity)), shares
