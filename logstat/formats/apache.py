"""Apache ``LogFormat`` strings (or whole directives) compiled to a :class:`LogFormat`, strftime times included."""

from __future__ import annotations

import re

from logstat.errors import FormatError
from logstat.formats.model import LogFormat, Token, checked_format, escape_literal, merge_literals

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


APACHE_TOKEN = re.compile(r"%(?:%|[<>]?!?[0-9,]*(?:\{(?P<arg>[^}]*)\})?(?P<letter>[a-zA-Z]))")


_APACHE_DIRECTIVE = re.compile(r'^\s*(?:Custom)?Log(?:Format)?\s+(?:\S+\s+)?"(?P<body>(?:[^"\\]|\\.)*)"', re.S)


def compile_apache(definition: str, *, name: str = "custom") -> LogFormat:
    """Compile an Apache ``LogFormat`` string (or a whole ``LogFormat`` directive)."""
    text = _unwrap_apache(definition)
    tokens: list[Token] = []
    pos = 0
    for match in APACHE_TOKEN.finditer(text):
        if match.start() > pos:
            tokens.append(Token(text[pos : match.start()], is_field=False))
        pos = match.end()
        if match.group(0) == "%%":
            tokens.append(Token("%", is_field=False))
            continue
        tokens.extend(_apache_directive(match["letter"], match["arg"], match.group(0)))
    if pos < len(text):
        tokens.append(Token(text[pos:], is_field=False))
    return checked_format(LogFormat(name, text, "apache", merge_literals(_join_offset(tokens))))


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
            parts.append(escape_literal(match.group(0)))
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
    import polars as pl  # only a format with a strftime time needs it

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
        pattern = "".join(t.pattern if t.is_field else escape_literal(t.text) for t in span)
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


def _unwrap_apache(definition: str) -> str:
    match = _APACHE_DIRECTIVE.match(definition)
    text = match["body"] if match else definition
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), text)
