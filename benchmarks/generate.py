#!/usr/bin/env python3
"""Deterministic generator of realistic HTTP access logs in logstat's built-in formats.

The same arguments always give byte-identical output, and the exact number of lines per
status value is known (the *tally*), so a benchmark or a test can check a report against it.

Speed comes from precomputing: a few thousand (up to 65,536) complete request "tails"
(everything after the timestamp) and client "heads" are rendered once; each output line is
then one head, one cached timestamp and one tail glued together. Random indices come in bulk
from :meth:`random.Random.randbytes`.

What the traffic looks like:

* a daily cycle (busiest mid-afternoon UTC), timestamps in ``[dd/Mon/yyyy:HH:MM:SS +0000]``
  form, non-decreasing apart from a small backward jitter on about 1.5% of the lines;
* mostly 200, with 304/301/302/206/204/201/101, 404s (most of them scanner probes such as
  ``/wp-login.php`` or ``/.env`` from a few fixed addresses), 401, 403, 400 (garbage and
  TLS-handshake requests), 405, 408 with a ``"-"`` request, 413 on ``POST /api/upload``,
  429 from one hot client (in bursts), a low background of 500/502/503/504, and on nginx
  499 (clients giving up on slow endpoints) and 444;
* bursts: one 10-20 minute upstream outage where 502/504 dominate the dynamic requests, one
  2-4 minute deploy window of 503s, and a few windows where the hot client gets 429s;
* thousands of clients (about 5% IPv6), query strings, HTTP/1.0, 1.1, 2.0 (and 3.0 on nginx),
  browsers, bots, command-line clients and scanners, and a handful of user agents with a
  double quote inside, escaped the way each server does it (Apache ``\\"``, nginx ``\\x22``).

Run ``python benchmarks/generate.py --help`` for the command line.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import itertools
import json
import math
import random
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

FORMATS = ("combined", "common", "vhost_combined", "nginx_main", "nginx_timed", "ingress_nginx", "apache_timed")
"""The built-in logstat formats this generator writes."""

NGINX_FORMATS = frozenset({"nginx_main", "nginx_timed", "ingress_nginx"})
"""Formats written by nginx (the others are Apache's); escaping and status codes differ."""

DEFAULT_START = datetime(2026, 10, 1, tzinfo=UTC)
"""Default time of the first line."""

POOL_BITS = 16
POOL_SIZE = 1 << POOL_BITS
"""Heads and tails are drawn from lists of this many entries, indexed by 16 random bits."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SECOND_OF_BYTE = bytes(b * 60 // 256 for b in range(256))
"""Maps a random byte onto a second of the minute, for :meth:`bytes.translate`."""

TLS_HELLO = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"
"""The first bytes of a TLS ClientHello, as sent to a plain-HTTP port (logged escaped)."""


# --------------------------------------------------------------------------- requests


@dataclass(slots=True)
class Request:
    """One request as the server saw it, before it is rendered in a log format.

    ``request`` is the raw request line (it may hold a quote or control bytes; rendering
    escapes them). ``body`` is the response body size, ``seconds`` the time taken, and
    ``upstream`` the upstream response times (``None`` when no upstream was involved).
    """

    request: str
    status: str
    body: int
    referer: str = "-"
    agent: str = "-"
    seconds: float = 0.0
    upstream: tuple[float, ...] | None = None
    client: str | None = None
    user: str = "-"
    port: int = 443
    xff: str = "-"


class _Traffic:
    """Draws :class:`Request` values for one server family (nginx or Apache)."""

    def __init__(self, rnd: random.Random, *, nginx: bool) -> None:
        self.rnd = rnd
        self.nginx = nginx
        self.scanners = [_ipv4(rnd) for _ in range(4)]
        self.hot_address = "198.51.100.77"
        self.monitors = [f"10.0.{rnd.randrange(0, 4)}.{rnd.randrange(2, 250)}" for _ in range(3)]

    # --- helpers -------------------------------------------------------------------
    def protocol(self, *, browser: bool = True) -> str:
        """Browsers mostly speak HTTP/2 (HTTP/3 on nginx with QUIC); other clients 1.1 or 1.0."""
        r = self.rnd.random()
        if not browser:
            return "HTTP/1.0" if r < 0.1 else "HTTP/1.1"
        if self.nginx and r < 0.08:
            return "HTTP/3.0"
        if r < 0.6:
            return "HTTP/2.0"
        return "HTTP/1.1"

    def agent(self) -> tuple[str, bool]:
        """A user agent and whether it is a browser."""
        agent = _AGENTS.pick(self.rnd)
        return agent, agent.startswith("Mozilla/5.0 (") and "compatible" not in agent

    def referer(self, *, internal: float = 0.4) -> str:
        r = self.rnd.random()
        if r < internal:
            return "https://www.example.com" + self.rnd.choice(_PAGES_FOR_REFERER)
        if r < internal + 0.12:
            return self.rnd.choice(_SEARCH_REFERERS)
        return "-"

    def app_time(self, median: float, spread: float = 0.8) -> float:
        return self.rnd.lognormvariate(math.log(median), spread)

    def error_body(self, status: str) -> int:
        table = _NGINX_ERROR_BODY if self.nginx else _APACHE_ERROR_BODY
        return table.get(status, 0)

    # --- categories ----------------------------------------------------------------
    def static(self) -> Request:
        rnd = self.rnd
        kind = rnd.random()
        if kind < 0.35:
            path, size = (
                f"/static/js/{rnd.choice(_JS)}.{rnd.getrandbits(32):08x}.js",
                rnd.randint(20_000, 420_000),
            )
        elif kind < 0.55:
            path, size = (
                f"/static/css/{rnd.choice(_CSS)}.{rnd.getrandbits(32):08x}.css",
                rnd.randint(4_000, 90_000),
            )
        elif kind < 0.85:
            path = f"/images/products/{rnd.randint(1000, 99999)}-{rnd.choice(('s', 'm', 'l'))}.webp"
            size = rnd.randint(3_000, 260_000)
        elif kind < 0.93:
            path, size = rnd.choice(_ROOT_FILES)
        else:
            path, size = f"/fonts/{rnd.choice(_FONTS)}.woff2", rnd.randint(18_000, 110_000)
        if rnd.random() < 0.1:
            path += f"?v={rnd.randint(1, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 9)}"
        agent, browser = self.agent()
        r = rnd.random()
        status, body = ("304", 0) if r < 0.22 else ("200", size)
        return Request(
            f"GET {path} {self.protocol(browser=browser)}",
            status,
            body,
            referer=self.referer(internal=0.85),
            agent=agent,
            seconds=rnd.uniform(0.0, 0.004),
        )

    def page(self) -> Request:
        rnd = self.rnd
        path = _page_path(rnd)
        agent, browser = self.agent()
        method = "HEAD" if rnd.random() < 0.02 else "GET"
        seconds, upstream = self.proxied(0.06)
        r = rnd.random()
        if r < 0.025:
            status, body = "304", 0
        elif r < 0.06:
            status, body = "404", rnd.randint(3_000, 9_000)
            path = rnd.choice(_MISSING_PAGES)
        else:
            status, body = "200", rnd.randint(6_000, 70_000)
        if method == "HEAD":
            body = 0
        return Request(
            f"{method} {path} {self.protocol(browser=browser)}",
            status,
            body,
            referer=self.referer(),
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def proxied(self, median: float, spread: float = 0.8) -> tuple[float, tuple[float, ...]]:
        """Request time and upstream response times of a request passed to the application."""
        app = self.app_time(median, spread)
        upstream: tuple[float, ...] = (app,)
        if self.rnd.random() < 0.004:  # the first upstream did not connect in time: retried
            upstream = (self.rnd.choice((0.5, 1.0)), app)
        return sum(upstream) + self.rnd.uniform(0.0, 0.002), upstream

    def api(self) -> Request:
        rnd = self.rnd
        agent, _ = self.agent()
        r = rnd.random()
        item = rnd.randint(1, 250_000)
        if r < 0.45:
            req = f"GET /api/v1/items?limit={rnd.choice((20, 50, 100))}&offset={rnd.randrange(0, 2000, 20)}"
            status, body = "200", rnd.randint(2_000, 40_000)
        elif r < 0.62:
            req = f"GET /api/v1/items/{item}"
            status, body = ("404", 61) if rnd.random() < 0.03 else ("200", rnd.randint(400, 6_000))
        elif r < 0.70:
            req, status, body = "POST /api/v1/cart", "200", rnd.randint(200, 1_500)
        elif r < 0.75:
            req, status, body = "POST /api/v1/orders", "201", rnd.randint(300, 900)
        elif r < 0.78:
            req, status, body = f"DELETE /api/v1/cart/items/{item}", "204", 0
        elif r < 0.81:
            req = "PUT /api/v1/profile"
            status, body = (
                ("422", rnd.randint(80, 300)) if rnd.random() < 0.1 else ("200", rnd.randint(300, 900))
            )
        elif r < 0.88:
            req, status, body = "OPTIONS /api/v1/items", "204", 0
        elif r < 0.94:
            req = "POST /api/v1/login"
            status, body = ("401", 61) if rnd.random() < 0.25 else ("200", rnd.randint(500, 900))
        elif r < 0.97:
            req, status, body = f"GET /api/v1/orders/{item}", "401", 61
        else:
            req, status, body = "PATCH /api/v1/cart", "200", rnd.randint(200, 1_500)
        seconds, upstream = self.proxied(0.025)
        return Request(
            f"{req} {self.protocol(browser=False)}",
            status,
            body,
            referer=self.referer(internal=0.6),
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def redirect(self) -> Request:
        rnd = self.rnd
        agent, browser = self.agent()
        r = rnd.random()
        port = 443
        if r < 0.35:
            path, status, port = _page_path(rnd), "301", 80  # http -> https
        elif r < 0.55:
            path, status = rnd.choice(("/blog", "/shop", "/docs", "/index.html", "/old-catalog.html")), "301"
        elif r < 0.85:
            path, status = rnd.choice(("/login?next=/account", "/account", "/checkout", "/cart/merge")), "302"
        else:
            path, status = f"/r/{rnd.getrandbits(24):06x}?utm_source=newsletter&utm_medium=email", "302"
        body = self.error_body("301") if status == "301" else 0
        return Request(
            f"GET {path} {self.protocol(browser=browser)}",
            status,
            body,
            referer=self.referer(internal=0.2),
            agent=agent,
            seconds=rnd.uniform(0.0, 0.003),
            port=port,
        )

    def media(self) -> Request:
        rnd = self.rnd
        agent, browser = self.agent()
        path = rnd.choice(
            ("/media/video/intro.mp4", "/media/video/tour-2026.mp4", "/downloads/catalog-2026.pdf")
        )
        status = "206" if rnd.random() < 0.8 else "200"
        body = rnd.randint(65_536, 2_097_152) if status == "206" else rnd.randint(2_000_000, 48_000_000)
        return Request(
            f"GET {path} {self.protocol(browser=browser)}",
            status,
            body,
            referer=self.referer(internal=0.9),
            agent=agent,
            seconds=rnd.uniform(0.01, 4.0),
        )

    def websocket(self) -> Request:
        rnd = self.rnd
        agent, _ = self.agent()
        seconds = rnd.uniform(5.0, 900.0)
        return Request(
            "GET /ws/notifications HTTP/1.1",
            "101",
            rnd.randint(200, 90_000),
            referer="https://www.example.com/account",
            agent=agent,
            seconds=seconds,
            upstream=(seconds,),
        )

    def health(self) -> Request:
        rnd = self.rnd
        agent = rnd.choice(("kube-probe/1.30", "ELB-HealthChecker/2.0", "Uptime-Kuma/1.23.11"))
        method = "HEAD" if agent.startswith("Uptime") else "GET"
        seconds = rnd.uniform(0.001, 0.006)
        return Request(
            f"{method} /healthz HTTP/1.1",
            "200",
            0 if method == "HEAD" else 2,
            agent=agent,
            seconds=seconds,
            upstream=(seconds,),
            client=rnd.choice(self.monitors),
        )

    def auth(self) -> Request:
        rnd = self.rnd
        agent, browser = self.agent()
        r = rnd.random()
        if r < 0.4:
            req, status, user = "GET /admin/ ", "401", "-"
            body = self.error_body("401")
        elif r < 0.7:
            req, status, user = (
                "GET /admin/reports?month=2026-09 ",
                "200",
                rnd.choice(("alice", "bob", "ops")),
            )
            body = rnd.randint(9_000, 30_000)
        else:
            req, status, user = (
                rnd.choice(("GET /server-status ", "GET /internal/metrics ", "GET /.htaccess ")),
                "403",
                "-",
            )
            body = self.error_body("403")
        seconds, upstream = self.proxied(0.04)
        return Request(
            req + self.protocol(browser=browser),
            status,
            body,
            referer=self.referer(internal=0.3),
            agent=agent,
            seconds=seconds,
            upstream=upstream if status != "403" else None,
            user=user,
        )

    def upload(self) -> Request:
        rnd = self.rnd
        agent, _ = self.agent()
        if rnd.random() < 0.3:
            seconds = rnd.uniform(0.05, 2.0)
            return Request(
                "POST /api/upload HTTP/1.1",
                "413",
                self.error_body("413"),
                referer="https://www.example.com/account/photos",
                agent=agent,
                seconds=seconds,
            )
        seconds, upstream = self.proxied(0.9, 0.5)
        return Request(
            "POST /api/upload HTTP/1.1",
            "201",
            rnd.randint(90, 300),
            referer="https://www.example.com/account/photos",
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def slow(self) -> Request:
        """Slow endpoints: reports and search. Clients give up (499) or the upstream times out."""
        rnd = self.rnd
        agent, browser = self.agent()
        path = rnd.choice(
            (
                f"/api/v1/reports/export?format=csv&from=2026-0{rnd.randint(1, 9)}-01",
                f"/search?q={rnd.choice(_QUERIES)}&sort=relevance",
                "/api/v1/reports/sales?group=day&range=90d",
            )
        )
        r = rnd.random()
        if self.nginx and r < 0.18:
            seconds = rnd.uniform(4.0, 59.0)  # the client gave up first
            return Request(
                f"GET {path} {self.protocol(browser=browser)}",
                "499",
                0,
                referer=self.referer(internal=0.7),
                agent=agent,
                seconds=seconds,
                upstream=(seconds,),
            )
        if r < 0.22:
            seconds = 60.0 + rnd.uniform(0.0, 0.01)
            return Request(
                f"GET {path} {self.protocol(browser=browser)}",
                "504",
                self.error_body("504"),
                referer=self.referer(internal=0.7),
                agent=agent,
                seconds=seconds,
                upstream=(seconds - 0.001,),
            )
        seconds, upstream = self.proxied(2.5, 0.6)
        return Request(
            f"GET {path} {self.protocol(browser=browser)}",
            "200",
            rnd.randint(4_000, 900_000),
            referer=self.referer(internal=0.7),
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def server_error(self) -> Request:
        rnd = self.rnd
        agent, browser = self.agent()
        status = rnd.choices(("500", "502", "503", "504"), (45, 25, 15, 15))[0]
        path = rnd.choice(
            ("/api/v1/checkout", "/api/v1/cart", "/account/orders", "/api/v1/items?limit=100&offset=0")
        )
        method = "POST" if path == "/api/v1/checkout" else "GET"
        if status == "500":
            seconds = self.app_time(0.3)
            upstream: tuple[float, ...] = (seconds,)
        elif status == "504":
            seconds = 60.0 + rnd.uniform(0.0, 0.01)
            upstream = (seconds,)
        else:
            seconds = rnd.uniform(0.0, 0.004)
            upstream = (seconds,)
        return Request(
            f"{method} {path} {self.protocol(browser=browser)}",
            status,
            rnd.randint(40, 400) if status == "500" else self.error_body(status),
            referer=self.referer(internal=0.8),
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def outage(self) -> Request:
        """A request for a dynamic page while the application upstream is down."""
        rnd = self.rnd
        agent, browser = self.agent()
        path = (
            _page_path(rnd)
            if rnd.random() < 0.6
            else f"/api/v1/items?limit=20&offset={rnd.randrange(0, 400, 20)}"
        )
        method = "GET" if rnd.random() < 0.9 else "POST"
        if rnd.random() < 0.55:
            seconds = rnd.uniform(0.0, 0.003)  # connection refused, maybe on both upstreams
            upstream = (seconds,) if rnd.random() < 0.7 else (0.001, seconds)
            status = "502"
        else:
            seconds = 60.0 + rnd.uniform(0.0, 0.01)
            upstream = (seconds,) if rnd.random() < 0.8 else (30.001, 30.0 + rnd.uniform(0.0, 0.01))
            status = "504"
        return Request(
            f"{method} {path} {self.protocol(browser=browser)}",
            status,
            self.error_body(status),
            referer=self.referer(),
            agent=agent,
            seconds=seconds,
            upstream=upstream,
        )

    def maintenance(self) -> Request:
        rnd = self.rnd
        agent, browser = self.agent()
        return Request(
            f"GET {_page_path(rnd)} {self.protocol(browser=browser)}",
            "503",
            self.error_body("503"),
            referer=self.referer(),
            agent=agent,
            seconds=rnd.uniform(0.0, 0.002),
        )

    def hot_client(self) -> Request:
        """One API client that ignores rate limits: mostly 429 once it goes over."""
        rnd = self.rnd
        status = "429" if rnd.random() < 0.75 else "200"
        req = f"GET /api/v1/items?limit=100&offset={rnd.randrange(0, 100_000, 100)}&sort=-updated_at HTTP/1.1"
        seconds = rnd.uniform(0.0, 0.002) if status == "429" else self.app_time(0.03)
        return Request(
            req,
            status,
            self.error_body("429") if status == "429" else rnd.randint(20_000, 60_000),
            agent="python-requests/2.32.3",
            seconds=seconds,
            upstream=None if status == "429" else (seconds,),
            client=self.hot_address,
        )

    def scanner(self) -> Request:
        """Vulnerability scanners probing for well-known files, from a few addresses."""
        rnd = self.rnd
        path, status = rnd.choice(_PROBES)
        if self.nginx and rnd.random() < 0.1:
            status = "444"  # closed without a response by the default server
        agent = rnd.choice(_SCANNER_AGENTS)
        method = "POST" if path.startswith(("/xmlrpc.php", "/boaform")) else "GET"
        body = 0 if status == "444" else self.error_body(status)
        return Request(
            f"{method} {path} HTTP/1.1",
            status,
            body,
            agent=agent,
            seconds=rnd.uniform(0.0, 0.002),
            client=rnd.choice(self.scanners),
        )

    def garbage(self) -> Request:
        """Requests that are not HTTP: TLS on the plain port, timeouts, protocol probes."""
        rnd = self.rnd
        r = rnd.random()
        client = rnd.choice(self.scanners) if rnd.random() < 0.5 else None
        if r < 0.3:
            return Request(TLS_HELLO, "400", self.error_body("400"), seconds=0.0, client=client)
        if r < 0.55:
            return Request("-", "408", 0, seconds=60.0 if self.nginx else 20.0, client=client)
        if r < 0.65 and self.nginx:
            return Request("", "400", 0, seconds=0.0, client=client)
        if r < 0.75:
            return Request("SSH-2.0-Go", "400", self.error_body("400"), seconds=0.0, client=client)
        if r < 0.85:
            return Request(
                "CONNECT www.example.org:443 HTTP/1.1",
                "405" if self.nginx else "400",
                self.error_body("405" if self.nginx else "400"),
                agent="Go-http-client/1.1",
                client=client,
            )
        if self.nginx:
            return Request(
                "GET / HTTP/1.1",
                "444",
                0,
                agent=rnd.choice(_SCANNER_AGENTS),
                client=client,
            )
        # Apache waking up its own idle children (logged as a request from the loopback).
        return Request(
            "OPTIONS * HTTP/1.0", "200", 0, agent="Apache (internal dummy connection)", client="::1"
        )


_CATEGORIES: dict[str, Callable[[_Traffic], Request]] = {
    "static": _Traffic.static,
    "page": _Traffic.page,
    "api": _Traffic.api,
    "redirect": _Traffic.redirect,
    "media": _Traffic.media,
    "websocket": _Traffic.websocket,
    "health": _Traffic.health,
    "auth": _Traffic.auth,
    "upload": _Traffic.upload,
    "slow": _Traffic.slow,
    "server_error": _Traffic.server_error,
    "outage": _Traffic.outage,
    "maintenance": _Traffic.maintenance,
    "hot_client": _Traffic.hot_client,
    "scanner": _Traffic.scanner,
    "garbage": _Traffic.garbage,
}

# Share of each category (per mille) in each kind of minute.
_MIXES: dict[str, dict[str, float]] = {
    "normal": {
        "static": 420,
        "page": 250,
        "api": 190,
        "redirect": 30,
        "media": 8,
        "websocket": 3,
        "health": 20,
        "auth": 12,
        "upload": 3,
        "slow": 12,
        "server_error": 2.5,
        "hot_client": 3,
        "scanner": 30,
        "garbage": 3,
    },
    "outage": {"static": 330, "outage": 600, "redirect": 20, "health": 20, "scanner": 25, "garbage": 5},
    "maintenance": {
        "static": 350,
        "maintenance": 560,
        "redirect": 20,
        "health": 40,
        "scanner": 25,
        "garbage": 5,
    },
    "ratelimit": {
        "static": 250,
        "page": 150,
        "api": 110,
        "hot_client": 420,
        "redirect": 20,
        "health": 15,
        "scanner": 35,
    },
}
_RATE_FACTOR = {"normal": 1.0, "outage": 1.25, "maintenance": 1.0, "ratelimit": 1.6}
"""How much busier a minute of each kind is (retries during an outage, a flood of 429s)."""


# --------------------------------------------------------------------------- rendering


def _escape(text: str, *, nginx: bool) -> str:
    """Escape a field value the way the server writes it inside double quotes."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append("\\x22" if nginx else '\\"')
        elif ch == "\\":
            out.append("\\x5C" if nginx else "\\\\")
        elif code < 0x20 or code >= 0x7F:
            # nginx writes upper-case hex digits, Apache lower-case.
            out.append(f"\\x{code:02X}" if nginx else f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def _render_tail(req: Request, log_format: str) -> str:
    """Everything after the timestamp, starting with ``"] "``."""
    nginx = log_format in NGINX_FORMATS
    request = _escape(req.request, nginx=nginx)
    if log_format == "vhost_combined":
        # %O counts the response headers too, and is never "-".
        size = str(req.body + 150 + len(req.status) * 20 + (len(request) % 90) if req.status != "408" else 0)
    elif nginx:
        size = str(req.body)
    else:
        size = str(req.body) if req.body else "-"
    head = f'] "{request}" {req.status} {size}'
    if log_format == "common":
        return head
    tail = f'{head} "{_escape(req.referer, nginx=nginx)}" "{_escape(req.agent, nginx=nginx)}"'
    if log_format == "nginx_main":
        return f'{tail} "{req.xff}"'
    if log_format == "nginx_timed":
        upstream = "-" if req.upstream is None else ", ".join(f"{t:.3f}" for t in req.upstream)
        return f"{tail} {req.seconds:.3f} {upstream}"
    if log_format == "ingress_nginx":
        return f"{tail} {_ingress_upstream(req, request)}"
    if log_format == "apache_timed":
        return f"{tail} {round(req.seconds * 1_000_000) + 35}"
    return tail


def _ingress_upstream(req: Request, request: str) -> str:
    """The fields ingress-nginx writes after the user agent: request length, times, upstream."""
    target = request.split(" ")[1] if request.count(" ") == 2 else "/"
    service = "shop-api-80" if target.startswith("/api/") else "shop-web-80"
    if req.upstream is None:
        upstream = f"[{service if req.status != '404' else 'upstream-default-backend'}] [] - - - -"
    else:
        n = len(request)
        addrs = ", ".join(f"10.244.{(n + i) % 3 + 1}.{(n * 7 + i) % 50 + 10}:8080" for i in range(len(req.upstream)))
        lengths = ", ".join(["0"] * (len(req.upstream) - 1) + [str(req.body)])
        times = ", ".join(f"{t:.3f}" for t in req.upstream)
        statuses = ", ".join(["502"] * (len(req.upstream) - 1) + [req.status])
        upstream = f"[{service}] [] {addrs} {lengths} {times} {statuses}"
    request_id = hashlib.md5(f"{request}{req.status}{req.seconds}".encode(), usedforsecurity=False).hexdigest()
    return f"{len(request) + 420} {req.seconds:.3f} {upstream} {request_id}"


def _render_head(client: str, log_format: str, *, user: str = "-", vhost: str = "", port: int = 443) -> str:
    """Everything before the timestamp, ending with ``"["``."""
    if log_format == "vhost_combined":
        return f"{vhost}:{port} {client} - {user} ["
    return f"{client} - {user} ["


# --------------------------------------------------------------------------- the generator


def _ipv4(rnd: random.Random) -> str:
    first = rnd.choice(_FIRST_OCTETS)
    return f"{first}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"


def _ipv6(rnd: random.Random) -> str:
    return f"2001:db8:{rnd.getrandbits(16):x}:{rnd.getrandbits(12):x}::{rnd.getrandbits(16):x}"


def _clients(rnd: random.Random, count: int, *, hostnames: bool) -> list[str]:
    clients: list[str] = []
    seen: set[str] = set()
    while len(clients) < count:
        r = rnd.random()
        if r < 0.05:
            client = _ipv6(rnd)
        elif hostnames and r < 0.2:
            a, b = rnd.randrange(256), rnd.randrange(1, 255)
            client = f"host-{a}-{b}.{rnd.choice(('dsl', 'cable', 'mobile'))}.example.net"
        else:
            client = _ipv4(rnd)
        if client not in seen:
            seen.add(client)
            clients.append(client)
    return clients


def _parse_offset(offset: str) -> timedelta:
    if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
        msg = f"UTC offset must look like +0000 or -0530, not {offset!r}"
        raise ValueError(msg)
    minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    return timedelta(minutes=minutes if offset[0] == "+" else -minutes)


class LogGenerator:
    """Generates one log; :attr:`tally` counts the lines per status value as they come out.

    Iterate over the instance for lines (without a newline), or over :meth:`batches` for
    lists of lines (faster). The tally is complete once the iteration has finished.
    """

    def __init__(
        self,
        log_format: str,
        lines: int,
        *,
        seed: int = 1,
        start: datetime = DEFAULT_START,
        days: float = 3,
        utc_offset: str = "+0000",
    ) -> None:
        if log_format not in FORMATS:
            msg = f"unknown format {log_format!r}; use one of {', '.join(FORMATS)}"
            raise ValueError(msg)
        if lines < 0 or days <= 0:
            msg = "lines must be >= 0 and days > 0"
            raise ValueError(msg)
        self.log_format = log_format
        self.lines = lines
        self.seed = seed
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.days = days
        self.offset = utc_offset
        self._shift = _parse_offset(utc_offset)
        self.tally: Counter[str] = Counter()

    def __iter__(self) -> Iterator[str]:
        for batch in self.batches():
            yield from batch

    # --- set-up ----------------------------------------------------------------------
    def _minute_kinds(self, rnd: random.Random, minutes: int) -> list[str]:
        """The kind of every minute: normal, or inside an outage, deploy or rate-limit burst."""
        kinds = ["normal"] * minutes

        def window(frac_lo: float, frac_hi: float, length: int, kind: str) -> None:
            length = max(1, min(length, minutes // 6 or 1))
            first = int(minutes * rnd.uniform(frac_lo, frac_hi))
            for m in range(first, min(minutes, first + length)):
                kinds[m] = kind

        for _ in range(3):
            window(0.05, 0.95, rnd.randint(4, 12), "ratelimit")
        window(0.2, 0.35, rnd.randint(2, 4), "maintenance")
        window(0.55, 0.7, rnd.randint(10, 20), "outage")
        return kinds

    def _lines_per_minute(self, rnd: random.Random, kinds: list[str]) -> list[int]:
        """Split the lines over the minutes by a daily cycle, keeping the exact total."""
        start = self.start.astimezone(UTC)
        base = start.hour * 60 + start.minute
        weights: list[float] = []
        for m, kind in enumerate(kinds):
            hour = ((base + m) % 1440) / 60
            daily = 1.0 + 0.6 * math.cos(2 * math.pi * (hour - 15) / 24)
            weights.append(daily * _RATE_FACTOR[kind] * rnd.uniform(0.85, 1.15))
        total = sum(weights)
        counts: list[int] = []
        done, acc = 0, 0.0
        for w in weights:
            acc += w
            upto = round(acc / total * self.lines)
            counts.append(upto - done)
            done = upto
        counts[-1] += self.lines - done
        return counts

    def _pool(
        self,
        rnd: random.Random,
        traffic: _Traffic,
        mix: dict[str, float],
        unique: int,
        heads_for: Callable[[Request], str],
    ) -> tuple[list[str], list[str], list[str]]:
        """Heads ("" = any client), tails and statuses, each POOL_SIZE long."""
        names = list(mix)
        cum = list(itertools.accumulate(mix[n] for n in names))
        heads: list[str] = []
        tails: list[str] = []
        statuses: list[str] = []
        for name in rnd.choices(names, cum_weights=cum, k=unique):
            req = _CATEGORIES[name](traffic)
            if self.log_format == "nginx_main":
                req.xff = _xff(rnd)
            heads.append(heads_for(req))
            tails.append(_render_tail(req, self.log_format))
            statuses.append(req.status)
        order = [i % unique for i in range(POOL_SIZE)]
        return [heads[i] for i in order], [tails[i] for i in order], [statuses[i] for i in order]

    # --- generation ------------------------------------------------------------------
    def batches(self) -> Iterator[list[str]]:
        """Yield the log as lists of lines, one list per minute of traffic."""
        self.tally = Counter()
        if self.lines == 0:
            return
        fmt = self.log_format
        nginx = fmt in NGINX_FORMATS
        rnd = random.Random(f"{self.seed}:{fmt}")
        traffic = _Traffic(rnd, nginx=nginx)
        minutes = max(1, round(self.days * 1440))
        kinds = self._minute_kinds(rnd, minutes)
        per_minute = self._lines_per_minute(rnd, kinds)

        distinct = max(40, min(8_000, self.lines // 50))
        clients = _clients(rnd, distinct, hostnames=fmt == "common")
        zipf = list(itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(distinct)))

        def any_client() -> str:
            return clients[bisect.bisect(zipf, rnd.random() * zipf[-1])]

        def head_for(req: Request) -> str:
            if fmt == "vhost_combined":  # the virtual host follows from the request
                target = req.request.split(" ")[1] if req.request.count(" ") == 2 else "/"
                if target.startswith("/api/"):
                    vhost = "api.example.com"
                elif target.startswith(("/static/", "/images/", "/fonts/")):
                    vhost = "static.example.com"
                else:
                    vhost = rnd.choice(
                        ("www.example.com", "www.example.com", "www.example.com", "blog.example.org")
                    )
                return _render_head(
                    req.client or any_client(), fmt, user=req.user, vhost=vhost, port=req.port
                )
            if req.client is not None or req.user != "-":
                return _render_head(req.client or any_client(), fmt, user=req.user)
            return ""

        prefixes = [_render_head(any_client(), fmt) for _ in range(POOL_SIZE)]
        unique = max(64, min(POOL_SIZE, self.lines))
        pools = {
            kind: self._pool(
                rnd, traffic, _MIXES[kind], unique if kind == "normal" else max(64, unique // 16), head_for
            )
            for kind in sorted(set(kinds))
        }
        hits: dict[str, Counter[int]] = {kind: Counter() for kind in pools}

        offset_text = " " + self.offset
        local0 = self.start.astimezone(UTC).replace(second=0, microsecond=0) + self._shift
        little = sys.byteorder == "little"
        for m, n in enumerate(per_minute):
            if n == 0:
                continue
            local = local0 + timedelta(minutes=m)
            month = _MONTHS[local.month - 1]
            prefix = f"{local.day:02d}/{month}/{local.year}:{local.hour:02d}:{local.minute:02d}:"
            stamps = [f"{prefix}{s:02d}{offset_text}" for s in range(60)]
            seconds = sorted(rnd.randbytes(n).translate(_SECOND_OF_BYTE))
            for _ in range(n // 64 + (rnd.random() < (n % 64) / 64)):
                pos = rnd.randrange(n)  # logged a little after it started: out of order
                seconds[pos] = max(0, seconds[pos] - rnd.randint(1, 3))
            tails_idx = _uint16s(rnd.randbytes(2 * n), little=little)
            client_idx = _uint16s(rnd.randbytes(2 * n), little=little)
            heads, tails, _ = pools[kinds[m]]
            hits[kinds[m]].update(tails_idx)
            yield [
                (heads[t] or prefixes[c]) + stamps[s] + tails[t]
                for t, c, s in zip(tails_idx, client_idx, seconds, strict=True)
            ]
        for kind, counter in hits.items():
            statuses = pools[kind][2]
            for index, count in counter.items():
                self.tally[statuses[index]] += count


def _uint16s(data: bytes, *, little: bool) -> array[int]:
    """Read ``data`` as little-endian 16-bit numbers, so the output is the same on every machine."""
    numbers = array("H", data)
    if not little:
        numbers.byteswap()
    return numbers


def _xff(rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.8:
        return "-"
    if r < 0.95:
        return _ipv4(rnd)
    return f"{_ipv4(rnd)}, 10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"


def _page_path(rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.12:
        return "/"
    if r < 0.42:
        path = f"/products/{rnd.choice(_PRODUCTS)}-{rnd.randint(100, 9999)}"
        return path + (
            f"?utm_source={rnd.choice(('google', 'newsletter', 'facebook'))}" if rnd.random() < 0.15 else ""
        )
    if r < 0.62:
        sort = rnd.choice(("price", "-price", "new"))
        return f"/category/{rnd.choice(_CATEGORY_NAMES)}?sort={sort}&page={rnd.randint(1, 12)}"
    if r < 0.77:
        return f"/blog/2026/{rnd.choice(_SLUGS)}"
    if r < 0.9:
        return f"/search?q={rnd.choice(_QUERIES)}&page={rnd.randint(1, 4)}"
    return rnd.choice(("/cart", "/account", "/account/orders", "/checkout", "/about", "/contact", "/login"))


class _Weighted:
    """Values with weights, picked with one random number and a binary search."""

    def __init__(self, pairs: tuple[tuple[str, float], ...]) -> None:
        self.values = [value for value, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rnd: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rnd.random() * self.cum[-1])]


# --------------------------------------------------------------------------- public API


def generate(
    log_format: str,
    lines: int,
    *,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    days: float = 3,
    utc_offset: str = "+0000",
) -> Iterator[str]:
    """Yield ``lines`` access-log lines (without newline) in the built-in format ``log_format``.

    The output depends only on the arguments: the same seed gives the same lines. ``start``
    is the time of the first minute (naive means UTC), ``days`` the span the lines cover,
    and ``utc_offset`` (``+0000``, ``-0500``...) the local time zone the server logs in.
    """
    return iter(LogGenerator(log_format, lines, seed=seed, start=start, days=days, utc_offset=utc_offset))


def generate_with_tally(
    log_format: str,
    lines: int,
    *,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    days: float = 3,
    utc_offset: str = "+0000",
) -> tuple[list[str], Counter[str]]:
    """Return the lines of :func:`generate` and the number of lines per status value."""
    gen = LogGenerator(log_format, lines, seed=seed, start=start, days=days, utc_offset=utc_offset)
    out = [line for batch in gen.batches() for line in batch]
    return out, gen.tally


def tally(
    log_format: str,
    lines: int,
    *,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    days: float = 3,
    utc_offset: str = "+0000",
) -> Counter[str]:
    """Return the number of lines per status value that :func:`generate` would yield."""
    gen = LogGenerator(log_format, lines, seed=seed, start=start, days=days, utc_offset=utc_offset)
    for _ in gen.batches():
        pass
    return gen.tally


class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def write_log(gen: LogGenerator, out: _Writable) -> int:
    """Write every line of ``gen`` to ``out``, each ended by a newline; return the bytes written."""
    written = 0
    for batch in gen.batches():
        data = ("\n".join(batch) + "\n").encode("ascii")
        out.write(data)
        written += len(data)
    return written


def scan_log(lines: int, *, start: datetime = DEFAULT_START) -> Iterator[str]:
    """Yield a directory-enumeration scan in combined format: every line a 404 for a new path.

    The worst case for the drill-down, whose memory grows with the number of distinct values
    of error requests: four scanner addresses, 1,000 requests a second.
    """
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    for i in range(lines):
        moment = start + timedelta(seconds=i // 1000)
        stamp = f"{moment.day:02d}/{_MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S} +0000"
        yield f'198.51.100.{10 + i % 4} - - [{stamp}] "GET /{i:x}/admin.php HTTP/1.1" 404 153 "-" "gobuster/3.6"'


def tally_document(gen: LogGenerator) -> dict[str, object]:
    """The tally as JSON-ready data: ``{"lines": N, "status": {"200": n, ...}}``."""
    return {"lines": gen.lines, "status": dict(sorted(gen.tally.items()))}


def main(argv: list[str] | None = None) -> int:
    """Command line: write a generated log to a file (or stdout) and optionally its tally."""
    parser = argparse.ArgumentParser(
        description="Write a deterministic, realistic access log in one of logstat's built-in formats.",
    )
    parser.add_argument(
        "--format", "-f", choices=FORMATS, default="combined", help="log format (default combined)"
    )
    parser.add_argument("--lines", "-n", type=int, required=True, help="number of lines")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", "-o", default="-", help="output file; '-' is standard output (default)")
    parser.add_argument("--tally", help="also write the per-status line counts as JSON to this file")
    parser.add_argument("--gzip", action="store_true", help="gzip the output (reproducibly: no name or time)")
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=DEFAULT_START,
        help="time of the first line, ISO 8601 (default 2026-10-01T00:00:00Z)",
    )
    parser.add_argument("--days", type=float, default=3.0, help="time span of the log in days (default 3)")
    parser.add_argument(
        "--utc-offset", default="+0000", help="time zone the times are written in (default +0000)"
    )
    args = parser.parse_args(argv)
    try:
        gen = LogGenerator(
            args.format,
            args.lines,
            seed=args.seed,
            start=args.start,
            days=args.days,
            utc_offset=args.utc_offset,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.out == "-":
        raw: BinaryIO = sys.stdout.buffer
    else:
        raw = Path(args.out).open("wb", buffering=1 << 20)  # noqa: SIM115
    try:
        if args.gzip:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as packed:
                write_log(gen, packed)
        else:
            write_log(gen, raw)
    finally:
        if raw is not sys.stdout.buffer:
            raw.close()
        else:
            raw.flush()
    if args.tally:
        Path(args.tally).write_text(json.dumps(tally_document(gen), indent=2) + "\n", encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- data

_FIRST_OCTETS = tuple(
    octet for octet in range(5, 224) if octet not in (10, 100, 127, 169, 172, 192, 198, 203)
)
"""First bytes of public-looking IPv4 addresses (private and special ranges left out)."""

_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36"
)
_AGENTS = _Weighted(
    (
        (_CHROME.format(v=129), 14.0),
        (_CHROME.format(v=128), 8.0),
        (_CHROME.format(v=127), 3.0),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/129.0.0.0 Safari/537.36",
            7.0,
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 "
            "Mobile Safari/537.36",
            10.0,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.0 Mobile/15E148 Safari/604.1",
            12.0,
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.0 Safari/605.1.15",
            5.0,
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0", 3.0),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0", 4.0),
        (
            _CHROME.format(v=129) + " Edg/129.0.0.0",
            5.0,
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            2.0,
        ),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 3.0),
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
            "+http://www.google.com/bot.html) Chrome/129.0.6668.70 Safari/537.36",
            2.0,
        ),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 2.0),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 1.0),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 0.6),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 0.6),
        ("curl/8.5.0", 1.2),
        ("python-requests/2.32.3", 1.0),
        ("Go-http-client/2.0", 0.6),
        ("okhttp/4.12.0", 1.5),
        ("Wget/1.21.4", 0.2),
        ("-", 0.8),
        # A double quote inside: Apache writes \" and nginx \x22.
        ('Mozilla/5.0 (compatible; "SiteAuditBot"/1.4; +https://audit.example.net/bot)', 0.05),
        ('Mozilla/5.0 (Windows NT 10.0) "><script>alert(1)</script>', 0.02),
        ('() { :; }; /bin/bash -c "id"', 0.02),
    )
)

_SCANNER_AGENTS = (
    "Mozilla/5.0 zgrab/0.x",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
    "sqlmap/1.8.9#stable (https://sqlmap.org)",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "python-requests/2.31.0",
    _CHROME.replace("{v}.0.0.0", "81.0.4044.129"),
    "Mozilla/5.0 (X11; Linux x86_64; rv:83.0) Gecko/20100101 Firefox/83.0",
    "-",
)

_PROBES = (
    ("/wp-login.php", "404"),
    ("/wp-admin/setup-config.php", "404"),
    ("/xmlrpc.php", "404"),
    ("/.env", "404"),
    ("/.env.production", "404"),
    ("/.git/config", "404"),
    ("/.git/HEAD", "404"),
    ("/phpmyadmin/", "404"),
    ("/pma/index.php", "404"),
    ("/.aws/credentials", "404"),
    ("/config.json", "404"),
    ("/actuator/env", "404"),
    ("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "404"),
    ("/cgi-bin/luci/;stok=/locale", "404"),
    ("/boaform/admin/formLogin", "404"),
    ("/HNAP1/", "404"),
    ("/owa/auth/logon.aspx", "404"),
    ("/solr/admin/info/system?wt=json", "404"),
    ("/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array", "404"),
    ("/item?id=1%27%20OR%201=1--", "404"),
    ("/.DS_Store", "404"),
    ("/backup.zip", "404"),
    ("/.htaccess", "403"),
    ("/server-status", "403"),
    ("/..%2f..%2f..%2fetc/passwd", "400"),
    ("/admin", "301"),
    ("/robots.txt", "200"),
)

_NGINX_ERROR_BODY = {
    "301": 169,
    "400": 157,
    "401": 179,
    "403": 153,
    "404": 153,
    "405": 157,
    "413": 183,
    "429": 169,
    "500": 177,
    "502": 157,
    "503": 197,
    "504": 167,
}
_APACHE_ERROR_BODY = {
    "301": 239,
    "400": 226,
    "401": 381,
    "403": 199,
    "404": 196,
    "405": 225,
    "413": 346,
    "429": 199,
    "500": 527,
    "502": 401,
    "503": 299,
    "504": 247,
}

_JS = ("app", "vendor", "runtime", "checkout", "product-gallery", "analytics")
_CSS = ("main", "vendor", "print", "checkout")
_FONTS = ("inter-var", "inter-var-italic", "jetbrains-mono")
_ROOT_FILES = (
    ("/favicon.ico", 15_086),
    ("/robots.txt", 312),
    ("/sitemap.xml", 48_213),
    ("/manifest.webmanifest", 612),
    ("/apple-touch-icon.png", 9_854),
    ("/service-worker.js", 3_407),
)
_PRODUCTS = (
    "wool-sweater",
    "trail-runner-shoes",
    "ceramic-mug",
    "espresso-grinder",
    "linen-shirt",
    "desk-lamp",
    "backpack-28l",
    "rain-jacket",
    "cast-iron-pan",
    "yoga-mat",
    "wireless-earbuds",
    "standing-desk",
)
_CATEGORY_NAMES = ("men", "women", "kitchen", "outdoor", "electronics", "home-office", "sale")
_SLUGS = (
    "how-we-ship-faster",
    "autumn-collection",
    "care-guide-wool",
    "behind-the-scenes-roastery",
    "choosing-running-shoes",
    "gift-ideas-2026",
)
_QUERIES = (
    "sweater",
    "running+shoes",
    "mug",
    "caf%C3%A9+grinder",
    "desk+lamp+led",
    "rain%20jacket",
    "%E6%97%A5%E6%9C%AC",
    "size+42",
    "gift+card",
)
_MISSING_PAGES = (
    "/products/discontinued-item-1234",
    "/apple-touch-icon-precomposed.png",
    "/blog/2019/old-post",
    "/category/clearance?page=99",
    "/undefined",
    "/null",
    "/products/%7B%7Bslug%7D%7D",
)
_PAGES_FOR_REFERER = (
    "/",
    "/",
    "/category/men?sort=price&page=1",
    "/products/wool-sweater-1201",
    "/cart",
    "/blog/2026/autumn-collection",
    "/search?q=mug&page=1",
    "/account",
)
_SEARCH_REFERERS = (
    "https://www.google.com/",
    "https://www.google.com/",
    "https://www.google.de/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://t.co/x1Yz9AbQ",
    "https://www.facebook.com/",
)


if __name__ == "__main__":
    sys.exit(main())
