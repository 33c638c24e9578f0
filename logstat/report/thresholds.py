"""``--fail-if`` rules: parse ``'5xx>1%'`` or ``'499>=200'`` and check them against a report.

A rule is ``TARGET OP VALUE``:

- ``TARGET``: a status class (``1xx`` … ``5xx``), a three-digit code (``404``, also
  unregistered ones such as ``499``), or several of them joined with ``+`` (``4xx+5xx``).
- ``OP``: ``>``, ``>=``, ``<``, ``<=``, ``=`` (or ``==``).
- ``VALUE``: a count of requests (``200``) or a share of parsed requests (``1%``, ``0.5%``).

Whitespace between the parts is ignored. Comparisons are exact (rational arithmetic), so
``5xx>1%`` does not hold at exactly 1 request in 100 and ``5xx>=1%`` does.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from logstat.errors import UsageError
from logstat.registry import class_name
from logstat.report.model import Report

SYNTAX_HINT = (
    "write TARGET OP VALUE, e.g. --fail-if '5xx>1%', --fail-if '499>=200' or --fail-if '4xx+5xx>10%' "
    "(TARGET: 1xx-5xx or a 3-digit code, joined with +; OP: > >= < <= =; VALUE: a count or a share with %)"
)
"""Appended to every parse error, so a bad rule always comes with an example."""

_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
_RULE = re.compile(r"^(?P<target>[^<>=]+?)(?P<op>>=|<=|==|>|<|=)(?P<value>[^<>=]+)$")
_TERM = re.compile(r"^(?:[1-5]xx|\d{3})$", re.ASCII)
_VALUE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<percent>%?)$", re.ASCII)


@dataclass(frozen=True)
class Rule:
    """One parsed ``--fail-if`` rule."""

    text: str
    """The rule as given, without whitespace (``"5xx>1%"``)."""
    targets: tuple[str, ...]
    """Classes (``"5xx"``) and codes (``"499"``) whose requests are added up."""
    op: str
    """``">"``, ``">="``, ``"<"``, ``"<="`` or ``"=="`` (``"="`` is stored as ``"=="``)."""
    value: Fraction
    """The threshold: a count, or a percentage when :attr:`is_share` (``1`` for ``1%``)."""
    is_share: bool
    """Whether the threshold is a share of parsed requests rather than a count."""

    def matches(self, raw_status: str) -> bool:
        """Whether requests with this logged status value count towards the rule."""
        cls = class_name(raw_status)
        return any(raw_status == t or cls == t for t in self.targets)

    def compare(self, measured: Fraction) -> bool:
        """Whether ``measured`` (a count, or a percentage for a share rule) satisfies the rule."""
        return _OPS[self.op](measured, self.value)


def _bad(text: str, problem: str) -> UsageError:
    return UsageError(f"invalid --fail-if rule {text!r}: {problem}; {SYNTAX_HINT}")


def _parse_targets(text: str, target: str) -> tuple[str, ...]:
    terms = tuple(term.strip().lower() for term in target.split("+"))
    for term in terms:
        if not _TERM.match(term):
            shown = term or "an empty term"
            raise _bad(text, f"{shown!s} is not a status class like 5xx or a 3-digit code like 499")
    for term in terms:
        if terms.count(term) > 1:
            raise _bad(text, f"{term} appears twice")
        if not term.endswith("xx") and f"{term[0]}xx" in terms:
            raise _bad(text, f"{term} is already counted in {term[0]}xx")
    return terms


def _parse_value(text: str, value: str) -> tuple[Fraction, bool]:
    match = _VALUE.match(value)
    if match is None:
        raise _bad(text, f"{value.strip()!r} is not a count like 200 or a share like 1%")
    number, is_share = Fraction(match["number"]), bool(match["percent"])
    if not is_share and number.denominator != 1:
        raise _bad(text, f"a count is a whole number of requests, not {match['number']}; add % for a share")
    if is_share and number > 100:
        raise _bad(text, f"a share is at most 100%, not {match['number']}%")
    return number, is_share


def parse_rule(text: str) -> Rule:
    """Parse one ``--fail-if`` rule such as ``'5xx>1%'``, ``'499 >= 200'`` or ``'4xx+5xx>10%'``.

    Raises
    ------
    UsageError
        When the rule does not follow the syntax; the message shows an example.
    """
    compact = "".join(text.split())
    match = _RULE.match(compact)
    if match is None:
        raise _bad(text, "expected a target, a comparison and a value")
    targets = _parse_targets(text, match["target"])
    value, is_share = _parse_value(text, match["value"])
    op = "==" if match["op"] == "=" else match["op"]
    return Rule(compact, targets, op, value, is_share)


@dataclass(frozen=True)
class Verdict:
    """A rule checked against a report: what was measured and whether the rule holds."""

    rule: Rule
    count: int
    """Parsed requests matching the rule's targets."""
    parsed: int
    """All parsed requests (the base of the share)."""
    holds: bool

    @property
    def share(self) -> float | None:
        """``count / parsed``, or ``None`` when nothing was parsed."""
        return self.count / self.parsed if self.parsed else None

    def describe(self) -> str:
        """One line for stderr, e.g. ``5xx>1%: 2.3% (23 of 1,000 requests)``."""
        of = f"{self.count:,} of {self.parsed:,} requests"
        if self.parsed == 0:
            return f"{self.rule.text}: no parsed requests, so no share ({of})"
        share = _share_text(Fraction(self.count * 100, self.parsed), self.rule)
        if self.rule.is_share:
            return f"{self.rule.text}: {share} ({of})"
        noun = "request" if self.count == 1 else "requests"
        return f"{self.rule.text}: {self.count:,} {noun} ({share} of {self.parsed:,})"


def _share_text(percent: Fraction, rule: Rule) -> str:
    """A percentage with one decimal, or as many more as it takes to look right.

    More digits are used while the rounded value would hide a non-zero share (``0.0%``) or
    would compare with a share rule's threshold differently from the exact value.
    """
    def misleading(shown: Fraction) -> bool:
        hides = shown == 0 < percent
        flips = rule.is_share and _sign(shown - rule.value) != _sign(percent - rule.value)
        return hides or flips

    digits = 1
    while digits < _MAX_DIGITS and misleading(round(percent, digits)):
        digits += 1
    if round(percent, digits) == 0 < percent:
        return f"<{10**-digits:.{digits}f}%"
    return f"{float(round(percent, digits)):.{digits}f}%"


_MAX_DIGITS = 6


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def evaluate(rules: Sequence[Rule], report: Report) -> list[Verdict]:
    """Check every rule against ``report``, in order.

    A share is taken of the parsed requests. With no parsed requests there is no share,
    and a share rule does not hold (whatever its operator); a count rule compares 0.
    """
    parsed = report.totals.parsed
    verdicts = []
    for rule in rules:
        count = sum(row.count for row in report.by_code if rule.matches(row.raw))
        if rule.is_share:
            holds = parsed > 0 and rule.compare(Fraction(count * 100, parsed))
        else:
            holds = rule.compare(Fraction(count))
        verdicts.append(Verdict(rule, count, parsed, holds))
    return verdicts


def breached(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The verdicts whose rule holds (the ones that make ``logstat`` exit with code 3)."""
    return [v for v in verdicts if v.holds]
