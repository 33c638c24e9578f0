"""What the tally counts besides the status: drill-down dimensions and latency fields, and the
limits on the values it keeps."""

from __future__ import annotations

from logstat.formats import LogFormat

COUNT_DIM = "_count"
"""The dimension name of the row that counts the line itself."""


ERROR_STATUS = r"^[45][0-9][0-9]$"


DIMENSIONS: dict[str, tuple[str, ...]] = {
    # Apache's "proxy" LogFormat behind a load balancer logs only X-Forwarded-For.
    "client": ("remote_addr", "http_x_forwarded_for", "http_x_real_ip"),
    "agent": ("http_user_agent",),
    "referer": ("http_referer",),
    "vhost": ("server_name", "host", "http_host"),
    "service": ("proxy_upstream_name",),
    "upstream": ("upstream_addr",),
    "upstream_status": ("upstream_status",),
}
"""Drill-down dimensions read straight from a field (the first field the format has)."""


REQUEST_DIMENSIONS = ("path", "uri", "odd_request")
"""Dimensions derived from ``$request``: the path without its query, the path with it (to count
distinct query strings), and the request line itself when it is not ``METHOD TARGET PROTOCOL``.
With a referer too, 404s also get ``link``: the referring page and the missing path.

The single pass only cuts the raw fields to size and counts them: the request line travels as
one ``request`` column, and a 404's referer carries the request line too (after
:data:`LINK`). :func:`expand_evidence` derives the dimensions above from the small counted
table. Every expression in the pass runs over every line, error or not, so work moved out
of it is work done once per distinct value instead of once per line."""


SHOWN_DIMENSIONS = ("path", "client", "agent", "vhost", "service", "referer", "upstream", "upstream_status")
"""Drill-down dimensions reports show, in this order (when the format has them)."""


LATENCY_FIELDS: dict[str, tuple[str, float]] = {
    "request_time": ("request_time", 1000.0),
    "request_time_ms": ("request_time", 1.0),
    "request_time_us": ("request_time", 0.001),
    "upstream_response_time": ("upstream_response_time", 1000.0),
}
"""Latency fields, the dimension each feeds (values counted in whole milliseconds), and the
factor from the field's unit to milliseconds."""


def latency_fields(log_format: LogFormat) -> list[str]:
    """The latency fields this format carries (at most one per latency dimension)."""
    chosen: dict[str, str] = {}
    for field_name, (dim, _) in LATENCY_FIELDS.items():
        if field_name in log_format.fields and dim not in chosen:
            chosen[dim] = field_name
    return list(chosen.values())


def drill_fields(log_format: LogFormat) -> dict[str, str]:
    """Each drill-down dimension this format supports, and the field it comes from."""
    found = {dim: next((f for f in fields if f in log_format.fields), "") for dim, fields in DIMENSIONS.items()}
    mapping = {dim: field_name for dim, field_name in found.items() if field_name}
    if "request" in log_format.fields:
        mapping.update(dict.fromkeys(REQUEST_DIMENSIONS, "request"))
    return mapping


LINK = "\n"
"""Joins a 404's referer and its request line in one evidence value. A line break cannot
occur in a value, because lines are split at line breaks."""


VALUE_LIMIT = 300
"""Characters of a drill-down value that are kept (a user agent can be megabytes long)."""


REQUEST_LIMIT = 2 * VALUE_LIMIT
"""Characters of a request line the pass keeps: enough for the method and a target cut to
:data:`VALUE_LIMIT`. A longer line is judged by this much of it."""
