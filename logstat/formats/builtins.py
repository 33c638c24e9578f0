"""The formats logstat knows by name, and turning a ``--log-format`` value into a format."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from logstat.errors import FormatError
from logstat.formats.apache import APACHE_TOKEN, compile_apache
from logstat.formats.fallback import FALLBACK
from logstat.formats.jsonlog import json_format
from logstat.formats.model import LogFormat
from logstat.formats.nginx import NGINX_VARIABLE, compile_nginx
from logstat.formats.prefixes import LINE_PREFIXES, with_prefix


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
    if "$" in key and NGINX_VARIABLE.search(key):
        return compile_nginx(spec)
    if APACHE_TOKEN.search(key):
        return compile_apache(spec)
    names = ", ".join(BUILTIN_FORMATS)
    msg = (
        f"unknown log format {spec!r}: use one of {names}, an nginx log_format string "
        "with $variables, or an Apache LogFormat string with %directives"
    )
    raise FormatError(msg)


@cache
def format_named(name: str, definition: str, syntax: str) -> LogFormat:
    """The format a tally names: a built-in, one after a line prefix, or a custom string compiled again.

    A tally keeps each input's format as its name, definition and syntax (see
    :data:`logstat.tally.model.INPUT_SCHEMA`), so that it can be serialized and merged.
    """
    if name == UNDETECTED.name:
        return UNDETECTED
    if name == FALLBACK.name:
        return FALLBACK
    if syntax == "json":
        return json_format(definition)
    if name in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[name]
    prefix_name, plus, base = name.partition(" + ")
    if plus and prefix_name in LINE_PREFIXES:
        return with_prefix(format_named(base, definition, syntax), prefix_name)
    compiler = compile_nginx if syntax == "nginx" else compile_apache
    return replace(compiler(definition), name=name)
