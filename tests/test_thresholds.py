"""``--fail-if`` rules: parsing (valid, invalid, every operator) and evaluation at the boundaries."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from logstat.errors import ExitCode, UsageError
from logstat.report import Report, build_report
from logstat.report.thresholds import Rule, Verdict, breached, evaluate, parse_rule
from logstat.sources import open_inputs

LINE = '203.0.113.7 - - [10/Oct/2026:13:55:00 +0000] "GET / HTTP/1.1" {status} 512 "-" "curl/8.0"'


def report_of(tmp_path: Path, statuses: list[int]) -> Report:
    """A report over one combined-format line per status."""
    path = tmp_path / "access.log"
    path.write_text("".join(LINE.format(status=s) + "\n" for s in statuses), encoding="utf-8")
    return build_report(open_inputs([str(path)], spool_dir=tmp_path))


@pytest.fixture
def hundred(tmp_path: Path) -> Report:
    """100 requests: 96 x 200, 2 x 404, 1 x 499, 1 x 500."""
    return report_of(tmp_path, [200] * 96 + [404, 404, 499, 500])


# --- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "targets", "op", "value", "is_share"),
    [
        ("5xx>1%", ("5xx",), ">", Fraction(1), True),
        ("499>=200", ("499",), ">=", Fraction(200), False),
        ("404>5%", ("404",), ">", Fraction(5), True),
        ("4xx+5xx>10%", ("4xx", "5xx"), ">", Fraction(10), True),
        ("5xx<0.5%", ("5xx",), "<", Fraction(1, 2), True),
        ("2xx<=99.9%", ("2xx",), "<=", Fraction(999, 10), True),
        ("500=0", ("500",), "==", Fraction(0), False),
        ("500==3", ("500",), "==", Fraction(3), False),
        (" 4XX + 503 >= 2 % ", ("4xx", "503"), ">=", Fraction(2), True),
        ("1xx>0", ("1xx",), ">", Fraction(0), False),
        ("000>0", ("000",), ">", Fraction(0), False),
        ("5xx>100%", ("5xx",), ">", Fraction(100), True),
    ],
)
def test_parse_valid(text: str, targets: tuple[str, ...], op: str, value: Fraction, is_share: bool) -> None:
    rule = parse_rule(text)
    assert rule.targets == targets
    assert rule.op == op
    assert rule.value == value
    assert rule.is_share is is_share
    assert rule.text == "".join(text.split())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "expected a target"),
        ("5xx", "expected a target"),
        ("5xx>", "expected a target"),
        (">1%", "expected a target"),
        ("5xx=>1%", "expected a target"),
        ("5xx>>1", "expected a target"),
        ("5xx!=1", "not a status class"),
        ("6xx>1%", "not a status class"),
        ("x5xx>1%", "not a status class"),
        ("40>1", "not a status class"),
        ("4040>1", "not a status class"),
        ("5xx+>1", "not a status class"),
        ("errors>1%", "not a status class"),
        ("5xx>1.5", "whole number"),
        ("5xx>101%", "at most 100%"),
        ("5xx>-1", "not a count"),
        ("5xx>1%%", "not a count"),
        ("5xx>1e3", "not a count"),
        ("5xx>one", "not a count"),
        ("5xx+5xx>1", "appears twice"),
        ("5xx+503>1", "already counted in 5xx"),
    ],
)
def test_parse_invalid_is_a_usage_error_with_an_example(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_rule(text)
    message = str(caught.value)
    assert problem in message
    assert "--fail-if '5xx>1%'" in message
    assert repr(text) in message
    assert caught.value.exit_code == ExitCode.USAGE


def test_rule_matches_codes_and_classes() -> None:
    rule = parse_rule("4xx+503>1")
    assert rule.matches("404")
    assert rule.matches("499")
    assert rule.matches("503")
    assert not rule.matches("500")
    assert not rule.matches("4040")
    assert not rule.matches("-")


# --- evaluation ----------------------------------------------------------------------


def _holds(report: Report, text: str) -> bool:
    (verdict,) = evaluate([parse_rule(text)], report)
    return verdict.holds


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        # 1 of 100 requests is a 5xx: exactly 1%.
        ("5xx>1%", False),
        ("5xx>=1%", True),
        ("5xx<1%", False),
        ("5xx<=1%", True),
        ("5xx=1%", True),
        ("5xx==1%", True),
        ("5xx>0.99%", True),
        ("5xx<1.01%", True),
        # counts at the boundary: 2 requests with 404
        ("404>2", False),
        ("404>=2", True),
        ("404<2", False),
        ("404<=2", True),
        ("404=2", True),
        ("404=3", False),
        # sums: 4xx is 3 (404, 404, 499), 4xx+5xx is 4
        ("4xx>=3", True),
        ("4xx+5xx>3%", True),
        ("4xx+5xx>4%", False),
        ("499+500>=2", True),
        # codes that never occur
        ("503>0", False),
        ("503<1", True),
        ("1xx>=0%", True),
        ("2xx<96%", False),
        ("2xx<=96%", True),
    ],
)
def test_evaluate_boundaries(hundred: Report, text: str, holds: bool) -> None:
    assert _holds(hundred, text) is holds


def test_verdict_measures_count_and_share(hundred: Report) -> None:
    (verdict,) = evaluate([parse_rule("4xx+5xx>1%")], hundred)
    assert verdict.count == 4
    assert verdict.parsed == 100
    assert verdict.share == pytest.approx(0.04)
    assert verdict.holds


def test_evaluate_keeps_order_and_breached_filters(hundred: Report) -> None:
    rules = [parse_rule(t) for t in ("5xx>1%", "404>=2", "499>=200", "4xx>2%")]
    verdicts = evaluate(rules, hundred)
    assert [v.rule.text for v in verdicts] == ["5xx>1%", "404>=2", "499>=200", "4xx>2%"]
    assert [v.rule.text for v in breached(verdicts)] == ["404>=2", "4xx>2%"]


def test_describe_share_and_count(hundred: Report) -> None:
    share, count = evaluate([parse_rule("5xx >= 1%"), parse_rule("404>=2")], hundred)
    assert share.describe() == "5xx>=1%: 1.0% (1 of 100 requests)"
    assert count.describe() == "404>=2: 2 requests (2.0% of 100)"


def test_describe_shows_enough_digits_to_see_why() -> None:
    rule = parse_rule("5xx>1%")
    assert Verdict(rule, 101, 10_000, holds=True).describe() == "5xx>1%: 1.01% (101 of 10,000 requests)"
    assert Verdict(rule, 23, 1_000, holds=True).describe() == "5xx>1%: 2.3% (23 of 1,000 requests)"
    assert Verdict(parse_rule("499>=200"), 1, 3, holds=False).describe() == "499>=200: 1 request (33.3% of 3)"
    assert Verdict(parse_rule("5xx<1%"), 99, 10_000, holds=True).describe() == "5xx<1%: 0.99% (99 of 10,000 requests)"


def test_describe_never_shows_a_nonzero_share_as_zero() -> None:
    tiny = parse_rule("5xx>0.01%")
    assert Verdict(tiny, 3, 10_000, holds=True).describe() == "5xx>0.01%: 0.03% (3 of 10,000 requests)"
    assert Verdict(parse_rule("5xx>0%"), 1, 10**9, holds=True).describe().startswith("5xx>0%: <0.000001% (")
    assert Verdict(parse_rule("404>=2"), 0, 5, holds=False).describe() == "404>=2: 0 requests (0.0% of 5)"


def test_no_parsed_requests_share_rules_never_hold(tmp_path: Path) -> None:
    empty = report_of(tmp_path, [])
    assert empty.totals.parsed == 0
    verdicts = evaluate([parse_rule(t) for t in ("5xx<1%", "5xx>=0%", "5xx<1", "5xx>0")], empty)
    assert [v.holds for v in verdicts] == [False, False, True, False]
    assert verdicts[0].share is None
    assert "no parsed requests" in verdicts[0].describe()


def test_rule_is_a_value() -> None:
    assert parse_rule("5XX > 1 %") == Rule("5XX>1%", ("5xx",), ">", Fraction(1), is_share=True)
