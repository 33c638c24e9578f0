"""JSON access logs: nginx ``log_format ... escape=json`` (or ``escape=default``) objects, one per line.

Detection reads a sample of lines with Python's ``json`` and finds, for each field logstat
reads, the key that holds it: an nginx variable name (``status``, ``time_local``, ``request``,
``remote_addr`` ...) or one of the aliases published configs use (``@timestamp``, ``uri``,
``method``, ``ua`` ...), at any depth (``{"response": {"status": 200}}``). The lines themselves
are read by polars' JSON path matching, so a status written as a number or as a string is the
same, and a line that is not JSON, or has no status, is unparsed with a reason.

nginx's ``escape=default`` writes a quote or a byte outside printable ASCII as ``\\xHH``, which
JSON does not allow; such escapes are read as the code point ``U+00HH`` first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from logstat.formats.model import FIELD_PATTERNS, TIME_FIELDS, LogFormat, Token

if TYPE_CHECKING:
    import polars as pl

ALIASES: dict[str, str] = {
    **{name: name for name in (
        "status", "request", "request_uri", "request_method", "server_protocol", "time_local",
        "time_iso8601", "msec", "remote_addr", "http_x_forwarded_for", "request_time",
        "upstream_response_time", "upstream_status", "upstream_addr", "host", "http_host",
        "server_name", "body_bytes_sent", "bytes_sent", "http_referer", "http_user_agent",
        "proxy_upstream_name",
    )},
    "status_code": "status",
    "response_status": "status",
    "uri": "request_uri",
    "url": "request_uri",
    "method": "request_method",
    "protocol": "server_protocol",
    "remote_ip": "remote_addr",
    "client_ip": "remote_addr",
    "client_addr": "remote_addr",
    "x_forwarded_for": "http_x_forwarded_for",
    "client_xff": "http_x_forwarded_for",
    "xff": "http_x_forwarded_for",
    "body_bytes": "body_bytes_sent",
    "bytes": "body_bytes_sent",
    "http_referrer": "http_referer",  # the spelling of a widely copied escape=json config
    "referer": "http_referer",
    "referrer": "http_referer",
    "user_agent": "http_user_agent",
    "ua": "http_user_agent",
    "upstream_time": "upstream_response_time",
    "vhost": "server_name",
    "@timestamp": "time",
    "timestamp": "time",
    "time": "time",
    "ts": "time",
}
"""JSON key (or ``parent_key`` path) -> the field it holds; ``time`` is a time of a kind read off its value."""


_CLF_TIME = re.compile(FIELD_PATTERNS["time_local"] + "$")
_ISO_TIME = re.compile(FIELD_PATTERNS["time_iso8601"] + "$")
_EPOCH = re.compile(r"[0-9]{9,10}(?:\.[0-9]+)?$")
_HEX_ESCAPE = r"\\x([0-9A-Fa-f]{2})"
_BUILT_REQUEST = ""
"""The JSONPath recorded for ``request`` when the log has no request line: it is built from
the method, the URI and the protocol."""


def unescape_hex(text: pl.Expr) -> pl.Expr:
    """nginx's ``\\xHH`` escapes (``escape=default``) as JSON ``\\u00HH`` escapes."""
    return text.str.replace_all(_HEX_ESCAPE, r"\u00${1}")


def _loads(line: str) -> Any:
    try:
        return json.loads(re.sub(_HEX_ESCAPE, r"\\u00\1", line))
    except ValueError:
        return None


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            # polars' JSON paths cannot name a key that holds a backslash.
            if "\\" not in str(key):
                yield from _leaves(item, (*path, str(key)))
    elif path:
        yield path, value


def _field_of(path: tuple[str, ...], value: Any) -> str | None:
    """The field a leaf holds: its joined path if that names one (``upstream_status``), else its key."""
    joined = "_".join(path).lower()
    field = ALIASES.get(joined) or ALIASES.get(path[-1].lower())
    if field != "time":
        return field
    text = str(value)
    if isinstance(value, str) and _CLF_TIME.match(text):
        return "time_local"
    if isinstance(value, str) and _ISO_TIME.match(text):
        return "time_iso8601"
    if _EPOCH.match(text):
        return "msec"
    return None


def json_path(path: tuple[str, ...]) -> str:
    """The JSONPath of a key path: ``$["response"]["status"]``."""
    return "$" + "".join(f"[{json.dumps(key)}]" for key in path)


def detect_json(lines: Sequence[str], threshold: float) -> LogFormat | None:
    """A JSON format for ``lines``, when at least ``threshold`` of them are JSON objects with a status.

    Each field is read from the key path that holds it on most lines.
    """
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    with_status = 0
    for line in lines:
        value = _loads(line) if line.lstrip().startswith("{") else None
        if not isinstance(value, dict):
            continue
        fields = {
            (field, path)
            for path, item in _leaves(value)
            if item not in (None, "") and (field := _field_of(path, item))
        }
        seen.update(fields)
        with_status += any(field == "status" for field, _ in fields)
    if not lines or with_status < threshold * len(lines):
        return None
    best: dict[str, tuple[str, ...]] = {}
    for (field, path), _ in seen.most_common():
        best.setdefault(field, path)
    paths = {field: json_path(path) for field, path in best.items()}
    time_fields = [f for f in TIME_FIELDS if f in paths]
    for extra in time_fields[1:]:
        del paths[extra]
    if "request" not in paths and "request_uri" in paths:
        paths["request"] = _BUILT_REQUEST
    return json_format(json.dumps(dict(sorted(paths.items(), key=lambda item: (item[0] != "status", item[0])))))


def json_format(definition: str) -> LogFormat:
    """The JSON format whose definition is ``definition``: a JSON object of field -> JSONPath.

    ``""`` as the path of ``request`` means it is built from the method, URI and protocol.
    """
    paths: dict[str, str] = json.loads(definition)
    return LogFormat(
        name="json",
        definition=definition,
        syntax="json",
        tokens=tuple(Token(field, is_field=True) for field in paths),
        description="JSON access log (nginx escape=json or escape=default), read by key",
        json_paths=tuple(paths.items()),
    )


def json_fields(log_format: LogFormat, text: pl.Expr, fields: Sequence[str]) -> pl.Expr:
    """One struct column with ``fields`` read from the JSON objects in ``text`` (null where absent).

    An empty string counts as absent, as nginx writes an unset variable under ``escape=json``.
    """
    import polars as pl  # here, not at the top: commands that read no log do not import polars

    paths = dict(log_format.json_paths)
    fixed = unescape_hex(text)

    def read(field: str) -> pl.Expr:
        value = fixed.str.json_path_match(paths[field])
        return pl.when(value.str.len_bytes() > 0).then(value)

    columns: list[pl.Expr] = []
    for field in fields:
        if field == "request" and paths.get("request") == _BUILT_REQUEST:
            method = read("request_method").fill_null("-") if "request_method" in paths else pl.lit("-")
            protocol = pl.lit("HTTP/1.1")
            if "server_protocol" in paths:
                protocol = read("server_protocol").fill_null("HTTP/1.1")
            columns.append(pl.concat_str([method, read("request_uri"), protocol], separator=" ").alias(field))
        else:
            columns.append(read(field).alias(field))
    return pl.struct(columns)


def explain_json(log_format: LogFormat, line: str) -> str:
    """Say in a few words why a line of a JSON log was not read."""
    if not line.lstrip().startswith("{"):
        return "not a JSON object"
    value = _loads(line)
    if not isinstance(value, dict):
        return "not valid JSON (cut short, or not one object per line)"
    paths = dict(log_format.json_paths)
    for field in ("status", log_format.time_field):
        if field is None:
            continue
        found = _at(value, paths[field])
        if found in (None, ""):
            return f"JSON line has no {'status' if field == 'status' else 'time'} ({paths[field]})"
    return f"{paths[log_format.time_field or 'status']} is not a valid date and time"


def _at(value: Any, path: str) -> Any:
    for key in re.findall(r'\["((?:[^"\\]|\\.)*)"\]', path):
        if not isinstance(value, dict):
            return None
        value = value.get(json.loads(f'"{key}"'))
    return value
