"""Diagnosis rules: findings an operator can act on, stated only when the log supports them.

Each rule reads the report's counts and evidence and returns at most a few findings, each
with the numbers behind it (in English and Chinese) and the registry's "what to check".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import polars as pl

from logstat.registry import Lang
from logstat.report.findings_compare import sharp_changes
from logstat.report.model import Finding, Report

PROBE_PATHS = re.compile(
    r"wp-login|wp-admin|xmlrpc\.php|/\.env|/\.git|phpmyadmin|/cgi-bin/|/\.aws|/\.ssh|/etc/passwd|"
    r"/actuator|/vendor/phpunit|/boaform|/HNAP1|/manager/html|/solr/|\.\./|/config\.json|/server-status",
    re.IGNORECASE,
)
"""Paths that scanners request and real sites rarely have."""

GATEWAY_ERRORS = ("502", "503", "504")




def _count(report: Report, raw: str) -> int:
    return next((row.count for row in report.by_code if row.raw == raw), 0)


def _check(report: Report, raw: str) -> dict[Lang, tuple[str, ...]]:
    entry = report.registry.lookup(raw)
    if entry is None:
        return {"en": (), "zh": ()}
    return {"en": entry.text["en"].check, "zh": entry.text["zh"].check}


def _requests(n: int) -> str:
    return "1 request" if n == 1 else f"{n:,} requests"


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _values(report: Report, raw: str, dim: str) -> pl.DataFrame:
    # Ties by value, as in the drill-down: the values a finding names must not vary between runs.
    return report.evidence_table.filter((pl.col("status") == raw) & (pl.col("dim") == dim)).sort(
        ["count", "value"], descending=[True, False]
    )


def _when(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if isinstance(moment, datetime) else "?"


def tls_and_idle_connections(report: Report) -> list[Finding]:
    """400s with a binary TLS request line; 400/408 with an empty request."""
    found: list[Finding] = []
    total = _count(report, "400")
    odd = _values(report, "400", "odd_request") if total else pl.DataFrame()
    tls = int(odd.filter(pl.col("value").str.starts_with("\\x16\\x03"))["count"].sum()) if total else 0
    if tls >= 3 or (tls and tls / total >= 0.2):
        found.append(
            Finding(
                "tls_on_plain_http", "400", "warning",
                {"en": "TLS handshakes sent to a plain-HTTP port", "zh": "TLS 握手被发送到了明文 HTTP 端口"},
                {
                    "en": f"{tls:,} of {total:,} requests with status 400 ({_pct(tls, total)}) start with "
                    "\\x16\\x03, the first bytes of a TLS ClientHello: clients or scanners speaking HTTPS "
                    "to a port that serves HTTP.",
                    "zh": f"状态 400 的 {total:,} 个请求中有 {tls:,} 个（{_pct(tls, total)}）以 \\x16\\x03 开头，"
                    "这是 TLS ClientHello 的前几个字节：客户端或扫描器用 HTTPS 访问了只提供 HTTP 的端口。",
                },
                {
                    "en": ("which port the clients reach (listen ... ssl in nginx, SSLEngine in Apache)",
                           *_check(report, "400")["en"][:1]),
                    "zh": ("客户端访问的是哪个端口（nginx 的 listen ... ssl，Apache 的 SSLEngine）",
                           *_check(report, "400")["zh"][:1]),
                },
                count=tls,
                total=total,
            )
        )
    for raw in ("400", "408"):
        count = _count(report, raw)
        if not count:
            continue
        empty = int(_values(report, raw, "odd_request").filter(pl.col("value").is_in(["-", ""]))["count"].sum())
        if empty >= 3:
            found.append(
                Finding(
                    "idle_connections", raw, "info",
                    {"en": "Idle or probing connections", "zh": "空闲或试探性的连接"},
                    {
                        "en": f"{empty:,} of {count:,} requests with status {raw} ({_pct(empty, count)}) have "
                        'no request line ("-" or ""): connections opened and left idle (browser '
                        "pre-connects, health checks, port scanners), not failed pages.",
                        "zh": f"状态 {raw} 的 {count:,} 个请求中有 {empty:,} 个（{_pct(empty, count)}）没有请求行"
                        '（"-" 或 ""）：这些是打开后闲置的连接（浏览器预连接、健康检查、端口扫描），不是页面出错。',
                    },
                    _check(report, raw),
                    count=empty,
                    total=count,
                )
            )
    return found


def scanners_or_broken_links(report: Report) -> list[Finding]:
    """404/403/401 from a few clients or on probe paths; otherwise the top missing paths."""
    found: list[Finding] = []
    for raw in ("404", "403", "401"):
        count = _count(report, raw)
        if count < 10:
            continue
        paths = _values(report, raw, "path")
        probes = paths.filter(pl.col("value").str.contains(PROBE_PATHS.pattern, literal=False))
        probe_hits = int(probes["count"].sum())
        clients = _values(report, raw, "client").head(3)
        top_clients = int(clients["count"].sum())
        if probe_hits / count >= 0.3 or (top_clients / count >= 0.5 and top_clients >= 10):
            names = ", ".join(str(v) for v in clients["value"])
            examples = ", ".join(str(v) for v in probes["value"].head(3)) or "-"
            found.append(
                Finding(
                    "scanner", raw, "info",
                    {"en": f"{raw}s come from scanners, not broken links", "zh": f"{raw} 来自扫描器，而非失效链接"},
                    {
                        "en": f"{probe_hits:,} of {count:,} ({_pct(probe_hits, count)}) hit known probe paths "
                        f"({examples}); the top 3 clients ({names}) sent {_pct(top_clients, count)}.",
                        "zh": f"{count:,} 个中有 {probe_hits:,} 个（{_pct(probe_hits, count)}）访问的是已知的探测路径"
                        f"（{examples}）；前 3 个客户端（{names}）发送了其中的 {_pct(top_clients, count)}。",
                    },
                    {
                        "en": ("block or rate-limit these clients (nginx deny / limit_req, fail2ban)",),
                        "zh": ("封禁或限速这些客户端（nginx 的 deny / limit_req，fail2ban）",),
                    },
                    count=probe_hits,
                    total=count,
                    values=tuple(str(v) for v in clients["value"]),
                )
            )
        elif raw == "404":
            links = _values(report, raw, "link").head(3)
            if links.is_empty():
                continue
            listed = "; ".join(str(v) for v in links["value"])
            found.append(
                Finding(
                    "broken_links", raw, "warning",
                    {"en": "Broken links: missing pages that other pages point to", "zh": "失效链接：被其他页面引用的缺失页面"},
                    {
                        "en": f"{_requests(count)} got 404; most often from a referring page: {listed}.",
                        "zh": f"共有 {count:,} 个请求返回 404；最常见的来源页面与缺失路径：{listed}。",
                    },
                    _check(report, raw),
                    count=count,
                    values=tuple(str(v) for v in links["value"]),
                )
            )
    return found


def client_aborts(report: Report) -> list[Finding]:
    """499: clients giving up; with latency, slow upstream or impatient clients."""
    count = _count(report, "499")
    parsed = report.totals.parsed
    if count < 5 and not (count and count / max(parsed, 1) >= 0.01):
        return []
    mine = report.latency_by_code.get("499", {}).get("request_time")
    overall = report.latency_overall.get("request_time")
    if mine is not None and overall is not None:
        slow = mine.p50 >= overall.p95
        verdict_en = (
            f"their median wait was {mine.p50:.3f} s, above the p95 of all requests ({overall.p95:.3f} s): "
            "a slow upstream, not impatient users" if slow else
            f"their median wait was {mine.p50:.3f} s, below the p95 of all requests ({overall.p95:.3f} s): "
            "clients with short timeouts or users leaving early"
        )
        verdict_zh = (
            f"它们的等待时间中位数为 {mine.p50:.3f} 秒，高于全部请求的 p95（{overall.p95:.3f} 秒）：是上游慢，而不是用户没耐心"
            if slow else
            f"它们的等待时间中位数为 {mine.p50:.3f} 秒，低于全部请求的 p95（{overall.p95:.3f} 秒）：客户端超时设置过短或用户提前离开"
        )
    else:
        verdict_en = "add $request_time to log_format to tell a slow upstream from impatient clients"
        verdict_zh = "在 log_format 中加入 $request_time，才能区分上游慢还是客户端没耐心"
    return [
        Finding(
            "client_aborts", "499", "warning",
            {"en": "Clients gave up before the response", "zh": "客户端在响应前放弃了请求"},
            {
                "en": f"{_requests(count)} ({_pct(count, parsed)}) ended with 499; {verdict_en}.",
                "zh": f"有 {count:,} 个请求（{_pct(count, parsed)}）以 499 结束；{verdict_zh}。",
            },
            _check(report, "499"),
            count=count,
            total=parsed,
        )
    ]


def _clusters(minutes: pl.DataFrame, *, gap: int = 3) -> list[tuple[datetime, datetime, int]]:
    """Runs of minutes with events, split where more than ``gap`` minutes pass without any."""
    rows = minutes.group_by("minute").agg(pl.col("count").sum()).sort("minute").rows()
    runs: list[tuple[datetime, datetime, int]] = []
    for minute, count in rows:
        if runs and minute - runs[-1][1] <= timedelta(minutes=gap):
            start, _, total = runs[-1]
            runs[-1] = (start, minute, total + int(count))
        else:
            runs.append((minute, minute, int(count)))
    return runs


def upstream_outages(report: Report) -> list[Finding]:
    """502/503/504 clustered in time (an outage window) or spread out (a chronic problem)."""
    codes = [raw for raw in GATEWAY_ERRORS if _count(report, raw)]
    total = sum(_count(report, raw) for raw in codes)
    if total < 5 or report.minutes.is_empty():
        return []
    runs = _clusters(report.minutes.filter(pl.col("status").is_in(codes)))
    if not runs:
        return []
    start, end, biggest = max(runs, key=lambda r: r[2])
    which = "/".join(codes)
    check = _check(report, codes[0])
    if biggest / total >= 0.5 and biggest >= 5:
        minutes = int((end - start) / timedelta(minutes=1)) + 1
        return [
            Finding(
                "upstream_outage", codes[0], "critical",
                {"en": f"Upstream outage window ({which})", "zh": f"上游故障时段（{which}）"},
                {
                    "en": f"{biggest:,} of {total:,} {which} responses ({_pct(biggest, total)}) fall between "
                    f"{_when(start)} and {_when(end)} ({minutes} min): the upstream was down or overloaded then.",
                    "zh": f"{total:,} 个 {which} 响应中有 {biggest:,} 个（{_pct(biggest, total)}）集中在 {_when(start)} 到 "
                    f"{_when(end)} 之间（{minutes} 分钟）：上游在这段时间宕机或过载。",
                },
                check,
                start=start,
                end=end,
                count=biggest,
                total=total,
            )
        ]
    if total >= 10:
        return [
            Finding(
                "chronic_upstream_errors", codes[0], "warning",
                {"en": f"Chronic upstream errors ({which})", "zh": f"长期存在的上游错误（{which}）"},
                {
                    "en": f"{total:,} {which} responses are spread over {len(runs)} separate periods between "
                    f"{_when(runs[0][0])} and {_when(runs[-1][1])}: a recurring upstream problem, not one outage.",
                    "zh": f"{total:,} 个 {which} 响应分散在 {_when(runs[0][0])} 到 {_when(runs[-1][1])} 之间的 {len(runs)} "
                    "个时段：这是反复出现的上游问题，而不是一次故障。",
                },
                check,
                start=runs[0][0],
                end=runs[-1][1],
                count=total,
            )
        ]
    return []


def rate_limited_clients(report: Report) -> list[Finding]:
    """429 or 503 mostly sent to one client: rate limiting hits that client."""
    found = []
    for raw in ("429", "503"):
        count = _count(report, raw)
        clients = _values(report, raw, "client").head(1)
        if count < 5 or clients.is_empty():
            continue
        client, hits = str(clients["value"][0]), int(clients["count"][0])
        if hits / count > 0.5:
            found.append(
                Finding(
                    "rate_limited_client", raw, "info",
                    {"en": f"Rate limiting hits one client ({raw})", "zh": f"限流主要命中一个客户端（{raw}）"},
                    {
                        "en": f"{hits:,} of {count:,} responses with status {raw} ({_pct(hits, count)}) went to {client}.",
                        "zh": f"状态 {raw} 的 {count:,} 个响应中有 {hits:,} 个（{_pct(hits, count)}）发给了 {client}。",
                    },
                    _check(report, raw),
                    count=hits,
                    total=count,
                    values=(client,),
                )
            )
    return found


def body_too_large(report: Report) -> list[Finding]:
    """413: the request body exceeded the configured limit."""
    count = _count(report, "413")
    if not count:
        return []
    top_paths = tuple(str(v) for v in _values(report, "413", "path").head(3)["value"])
    paths = ", ".join(top_paths) or "-"
    return [
        Finding(
            "body_too_large", "413", "warning",
            {"en": "Uploads rejected by the body size limit", "zh": "上传被请求体大小限制拒绝"},
            {
                "en": f"{_requests(count)} got 413, mostly on {paths}: the body was larger than "
                "client_max_body_size (nginx) or LimitRequestBody (Apache) allows.",
                "zh": f"有 {count:,} 个请求返回 413，主要在 {paths}：请求体超过了 client_max_body_size（nginx）"
                "或 LimitRequestBody（Apache）的限制。",
            },
            _check(report, "413"),
            count=count,
            values=top_paths,
        )
    ]


def error_share_and_spikes(report: Report) -> list[Finding]:
    """5xx share above 1%, and codes whose rate jumps in one 5-minute window."""
    found = []
    parsed = report.totals.parsed
    errors = sum(row.count for row in report.by_class if row.name == "5xx")
    if parsed and errors / parsed > 0.01:
        found.append(
            Finding(
                "high_5xx_share", None, "critical" if errors / parsed > 0.05 else "warning",
                {"en": "Server errors above 1%", "zh": "服务器错误超过 1%"},
                {
                    "en": f"{errors:,} of {parsed:,} requests ({errors / parsed:.1%}) ended with a 5xx status.",
                    "zh": f"{parsed:,} 个请求中有 {errors:,} 个（{errors / parsed:.1%}）以 5xx 状态结束。",
                },
                {"en": ("the codes and evidence below",), "zh": ("下方各状态码及其证据",)},
                count=errors,
                total=parsed,
            )
        )
    for raw, evidence in report.evidence.items():
        window = evidence.window
        if window is None or window.count < 10 or window.times_average < 10 or raw in GATEWAY_ERRORS:
            continue
        found.append(
            Finding(
                "spike", raw, "warning",
                {"en": f"{raw} spiked in one window", "zh": f"{raw} 在某个时段激增"},
                {
                    "en": f"{window.count:,} responses with status {raw} in the {window.minutes} minutes from "
                    f"{_when(window.start)}: {window.times_average:.0f} times its average rate.",
                    "zh": f"从 {_when(window.start)} 起的 {window.minutes} 分钟内出现了 {window.count:,} 个状态 {raw} 的响应，"
                    f"是其平均速率的 {window.times_average:.0f} 倍。",
                },
                _check(report, raw),
                start=window.start,
                end=window.start + timedelta(minutes=window.minutes),
                count=window.count,
            )
        )
    return found


RULES: tuple[Callable[[Report], list[Finding]], ...] = (
    upstream_outages,
    sharp_changes,
    error_share_and_spikes,
    client_aborts,
    tls_and_idle_connections,
    scanners_or_broken_links,
    rate_limited_clients,
    body_too_large,
)
"""Every rule, most urgent first."""


SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def find(report: Report) -> tuple[Finding, ...]:
    """Run every rule on ``report``; the findings come most severe first, then in rule order."""
    found = [finding for rule in RULES for finding in rule(report)]
    return tuple(sorted(found, key=lambda f: SEVERITY_ORDER[f.severity]))
