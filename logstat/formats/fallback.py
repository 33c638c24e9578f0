"""The tolerant fallback: the Common Log Format core, ``[time] "request" status size``, anywhere in a line.

Every format of the CLF family (common, combined, vhost_combined, nginx's ``main``, ingress-nginx,
Caddy, Traefik, lighttpd, and the custom formats people write) carries this core. Whatever comes
before it (a client that is an X-Forwarded-For list, a host name, a virtual host with or without
``:port``, a collector's prefix, no ident/user pair) and whatever follows the size (referer and
agent, extra quoted or bare fields, timings with or without names) is left alone, so a line of a
variant no exact format describes still yields its status, time, request and size.

It only ever reads the lines that the exact formats of an input did not match (see
:mod:`logstat.parse`). The time is range-checked as strictly as the exact formats check it, the
status is three digits, and a size or ``-`` must follow: an error-log line that quotes a request,
or a line cut before its status, stays unparsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logstat.formats.model import LogFormat, Token

if TYPE_CHECKING:
    import polars as pl

_IPV4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]{1,5})?"
# Four groups or more, or "::": a time of day (13:55:36) is neither.
_IPV6 = r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){3,7}|[0-9A-Fa-f:]*::[0-9A-Fa-f:]*)(?:%[0-9A-Za-z]+)?"
_ADDRESS = f"(?:{_IPV4}|{_IPV6})"

CLIENT_IN_LEAD = rf'(?:^|[ "|])({_ADDRESS}(?:, ?{_ADDRESS})*)"?(?:[ ]+[^ ]+){{0,2}}[ ]*$'
"""The client in the text before ``[time]``: the address (or address list) followed by at most
two more words (the ident and user columns) before the time."""

FALLBACK = LogFormat(
    name="fallback",
    definition='… [$time_local] "$request" $status $body_bytes_sent …',
    syntax="nginx",
    tokens=(
        Token("remote_addr", is_field=True, pattern=".*?"),
        Token("[", is_field=False),
        Token("time_local", is_field=True),
        Token('] "', is_field=False),
        Token("request", is_field=True),
        Token('" ', is_field=False),
        Token("status", is_field=True, pattern="[0-9]{3}"),
        Token(" ", is_field=False),
        Token("body_bytes_sent", is_field=True),
    ),
    description="tolerant Common Log Format core: [time] \"request\" status size anywhere in the line",
    tolerant=True,
)
"""The fallback format. Its ``remote_addr`` field captures all the text before the time; the
client is read from it with :func:`client_from_lead`."""


def client_from_lead(lead: pl.Expr) -> pl.Expr:
    """The client address (or X-Forwarded-For list) in the text a fallback line has before its time.

    Null when that text holds no IP address (a host name, a bare ``-``): a guess is not a client.
    """
    return lead.str.extract(CLIENT_IN_LEAD, 1)
