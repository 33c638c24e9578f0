"""Format detection: which format, line prefix or wrong kind of log a sample of lines shows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logstat.errors import UnknownFormatError
from logstat.formats.builtins import BUILTIN_FORMATS
from logstat.formats.fallback import FALLBACK
from logstat.formats.jsonlog import detect_json
from logstat.formats.model import LogFormat
from logstat.formats.prefixes import LINE_PREFIXES, with_prefix

if TYPE_CHECKING:
    import polars


_ERROR_LEVEL = r"(?:emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])"


ERROR_LOG_SHAPES: dict[str, re.Pattern[str]] = {
    "an nginx error log": re.compile(rf"^[0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}} [0-9:]{{8}} \[{_ERROR_LEVEL}\] "),
    "an Apache error log": re.compile(
        r"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}(?:\.[0-9]+)? [0-9]{4}\] "
        rf"\[(?:[a-z_]+:)?{_ERROR_LEVEL}\] "
    ),
}
"""How the first line of an error log looks, so that one passed by mistake is named as such."""


NOT_REQUESTS: dict[str, re.Pattern[str]] = {
    # Searched anywhere: a container runtime or `docker compose logs` may write a prefix.
    "an nginx error.log line": re.compile(
        rf"[0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}} [0-9:]{{8}} \[{_ERROR_LEVEL}\] [0-9]+#[0-9]+: "
    ),
    "an Apache error log line": ERROR_LOG_SHAPES["an Apache error log"],
    "a Kubernetes (klog) message": re.compile(
        r"^[IWEF][0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+ +[0-9]+ [^ ]+:[0-9]+\] "
    ),
    "a php-fpm message": re.compile(
        r"^\[[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} [0-9:]{8}(?: [A-Z]+)?\] (?:WARNING|NOTICE|ERROR|ALERT): "
    ),
    "a PHP message": re.compile(r"PHP (?:Warning|Notice|Fatal error|Parse error|Deprecated|Error): "),
}
"""Lines that other programs write into the same stream as the access log, by what they are."""


def not_a_request(line: str) -> str | None:
    """``"an nginx error.log line, not a request"`` and the like, when ``line`` is a known non-request."""
    kind = next((kind for kind, shape in NOT_REQUESTS.items() if shape.search(line)), None)
    return None if kind is None else f"{kind}, not a request"


def error_log_kind(lines: Sequence[str]) -> str | None:
    """``"an nginx error log"`` or ``"an Apache error log"`` when most sample lines look like one."""
    return next((kind for kind, shape in ERROR_LOG_SHAPES.items() if mostly(lines, shape.match)), None)


DETECTION_THRESHOLD = 0.5
"""Share of sample lines a format must match to be chosen."""


def mostly(lines: Sequence[str], test: Callable[[str], object]) -> bool:
    """Whether at least :data:`DETECTION_THRESHOLD` of ``lines`` pass ``test``."""
    return sum(bool(test(line)) for line in lines) >= DETECTION_THRESHOLD * max(len(lines), 1)


def fit_prefix(fmt: LogFormat, lines: Sequence[str]) -> LogFormat:
    """``fmt``, or ``fmt`` after a line prefix when only that matches most of ``lines``.

    For a ``--log-format`` given for lines that a collector (syslog, Kubernetes) prefixed.
    """
    if not lines or fmt.prefix or mostly(lines, re.compile(fmt.pattern()).match):
        return fmt
    for prefix_name in LINE_PREFIXES:
        prefixed = with_prefix(fmt, prefix_name)
        if mostly(lines, re.compile(prefixed.pattern()).match):
            return prefixed
    return fmt


@dataclass(frozen=True)
class Detection:
    """The outcome of format detection: the chosen format and how well each one matched."""

    log_format: LogFormat
    shares: dict[str, float]
    others: tuple[LogFormat, ...] = ()
    """Other exact formats that some sample lines match best, most lines first: they read the
    lines the chosen format misses (a log whose format changed, vhost and plain lines)."""


def match_table(lines: Sequence[str], candidates: Sequence[LogFormat]) -> polars.DataFrame:
    """One boolean column per candidate: does its full pattern match each non-blank line."""
    import polars as pl  # here, not at the top: `logstat formats` reads no log

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
    provided its pattern matches at least half of the lines; the other formats that won
    votes are kept as :attr:`Detection.others`. When none does, the candidates are tried
    again after each of the :data:`LINE_PREFIXES` that collectors write; then the lines are
    read as JSON objects; then, when at least half of them hold the Common Log Format core
    (:data:`~logstat.formats.fallback.FALLBACK`), the best exact format (or, when no line
    matches one, the fallback itself) is chosen and the fallback reads what it misses.

    Raises
    ------
    UnknownFormatError
        When none of these reads at least half of the non-blank sample lines.
    """
    given = list(BUILTIN_FORMATS.values() if candidates is None else candidates)
    best, shares, others = _vote(lines, given)
    if shares[best.name] >= DETECTION_THRESHOLD:
        return Detection(best, shares, others)
    for prefix_name in LINE_PREFIXES:
        prefixed, prefixed_shares, prefixed_others = _vote(lines, [with_prefix(f, prefix_name) for f in given])
        if prefixed_shares[prefixed.name] >= DETECTION_THRESHOLD:
            return Detection(prefixed, prefixed_shares, prefixed_others)
    kind = error_log_kind(lines)
    if kind is not None:
        msg = f"this is {kind}, not an access log; logstat reads access logs (nginx access_log, Apache CustomLog)"
        raise UnknownFormatError(msg)
    if mostly(lines, lambda line: line.startswith("{") and line.rstrip().endswith("}")):
        found = detect_json(lines, DETECTION_THRESHOLD)
        if found is not None:
            return Detection(found, {found.name: 1.0})
        msg = (
            "the lines are JSON objects, but no key holds a status (status, status_code, ...); pass the "
            "log_format that wrote them with --log-format (a whole nginx 'log_format name escape=json ...;' "
            "directive works)"
        )
        raise UnknownFormatError(msg)
    if mostly(lines, re.compile(FALLBACK.pattern()).match):
        if shares[best.name] > 0:
            return Detection(best, shares, others)
        return Detection(FALLBACK, shares)
    tried = ", ".join(f"{f.name} {shares[f.name]:.0%}" for f in given)
    msg = (
        f"no known log format matches (tried {tried}); pass the server's own format "
        "with --log-format, e.g. --log-format '$remote_addr [$time_local] \"$request\" $status'"
    )
    raise UnknownFormatError(msg)


def _vote(
    lines: Sequence[str], candidates: Sequence[LogFormat]
) -> tuple[LogFormat, dict[str, float], tuple[LogFormat, ...]]:
    """The candidate most lines vote for (see :func:`detect_format`), each one's share of matches,
    and the other candidates that won votes, most votes first."""
    pool = sorted(candidates, key=lambda f: f.specificity, reverse=True)
    table = match_table(lines, pool)
    total = max(table.height, 1)
    shares = {fmt.name: float(table[fmt.name].sum()) / total for fmt in pool}
    votes = dict.fromkeys(shares, 0)
    for row in table.iter_rows():
        winner = next((fmt.name for fmt, hit in zip(pool, row, strict=True) if hit), None)
        if winner is not None:
            votes[winner] += 1
    best = max(pool, key=lambda f: (votes[f.name], shares[f.name], f.specificity))
    others = sorted((f for f in pool if votes[f.name] and f is not best), key=lambda f: -votes[f.name])
    return best, shares, tuple(others)
