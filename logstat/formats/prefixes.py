"""What log collectors (syslog, Kubernetes, ``kubectl logs --timestamps``) write before each access-log line."""

from __future__ import annotations

from dataclasses import replace

from logstat.formats.model import LogFormat

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
