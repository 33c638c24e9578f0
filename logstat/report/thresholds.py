"""``--fail-if`` rules: parse ``'5xx>1%'`` or ``'499>=200'`` and check them against a report.

A rule is ``TARGET OP VALUE``:

- ``TARGET``: a status class (``1xx`` … ``5xx``), a three-digit code (``404``, also
  unregistered ones such as ``499``), or several of them joined with ``+`` (``4xx+5xx``).
- ``OP``: ``>``, ``>=``, ``<``, ``<=``, ``=`` (or ``==``).
- ``VALUE``: a count of requests (``200``), a share of parsed requests (``1%``, ``0.5%``), or,
  with ``--compare``, a multiple of the share in the previous period (``3x``: more than three
  times its share then; ``0.5x``: less than half of it, with ``<``).

Whitespace between the parts is ignored. Comparisons are exact (rational arithmetic), so
``5xx>1%`` does not hold at exactly 1 request in 100 and ``5xx>=1%`` does. A multiple needs
history: without the previous period in the store the rule is not checked (and does not hold);
a share that was 0 then and is not now is infinitely many times it, and ``0`` against ``0``
compares nothing.
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
    "(TARGET: 1xx-5xx or a 3-digit code, joined with +; OP: > >= < <= =; VALUE: a count, a share with %, "
    "or with --compare a multiple of the previous share with x, e.g. '5xx>3x')"
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
_VALUE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>[%x]?)$", re.ASCII)


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
    is_ratio: bool = False
    """Whether the threshold is a multiple of the targets' share in the previous period (``3x``)."""

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


def _parse_value(text: str, value: str) -> tuple[Fraction, str]:
    match = _VALUE.match(value)
    if match is None:
        raise _bad(text, f"{value.strip()!r} is not a count like 200, a share like 1% or a multiple like 3x")
    number, unit = Fraction(match["number"]), match["unit"]
    if not unit and number.denominator != 1:
        raise _bad(text, f"a count is a whole number of requests, not {match['number']}; add % for a share")
    if unit == "%" and number > 100:
        raise _bad(text, f"a share is at most 100%, not {match['number']}%")
    return number, unit


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
    value, unit = _parse_value(text, match["value"])
    op = "==" if match["op"] == "=" else match["op"]
    return Rule(compact, targets, op, value, unit == "%", unit == "x")


@dataclass(frozen=True)
class Verdict:
    """A rule checked against a report: what was measured and whether the rule holds."""

    rule: Rule
    count: int
    """Parsed requests matching the rule's targets."""
    parsed: int
    """All parsed requests (the base of the share)."""
    holds: bool
    previous: tuple[int, int] | None = None
    """For a multiple of the previous share: the targets' requests then, and all parsed then."""
    unchecked: str | None = None
    """Why a rule against the previous period could not be checked (no history)."""

    @property
    def share(self) -> float | None:
        """``count / parsed``, or ``None`` when nothing was parsed."""
        return self.count / self.parsed if self.parsed else None

    def describe(self) -> str:
        """One line for stderr, e.g. ``5xx>1%: 2.3% (23 of 1,000 requests)``."""
        of = f"{self.count:,} of {self.parsed:,} requests"
        if self.rule.is_ratio:
            return self._describe_ratio(of)
        if self.parsed == 0:
            return f"{self.rule.text}: no parsed requests, so no share ({of})"
        share = _share_text(Fraction(self.count * 100, self.parsed), self.rule)
        if self.rule.is_share:
            return f"{self.rule.text}: {share} ({of})"
        noun = "request" if self.count == 1 else "requests"
        return f"{self.rule.text}: {self.count:,} {noun} ({share} of {self.parsed:,})"


    def _describe_ratio(self, of: str) -> str:
        if self.unchecked is not None or self.previous is None:
            return f"{self.rule.text}: not checked: {self.unchecked}"
        count, parsed = self.previous
        then = f"{count:,} of {parsed:,}"
        now = _share_text(Fraction(self.count * 100, self.parsed), self.rule) if self.parsed else "no share"
        before = _share_text(Fraction(count * 100, parsed), self.rule) if parsed else "no share"
        ratio = _ratio(self.count, self.parsed, count, parsed)
        times = "no change (none then or now)" if ratio is None else (
            "none then" if ratio == _INFINITE else f"{float(ratio):.1f}x"
        )
        return f"{self.rule.text}: {now} against {before} in the previous period ({times}; {of}, then {then})"


_INFINITE = Fraction(10**18)
"""Stands for the ratio of a share to a share of 0."""


def _ratio(count: int, parsed: int, then: int, then_parsed: int) -> Fraction | None:
    """The share now over the share then, exactly; :data:`_INFINITE` when it was 0; None for 0 against 0."""
    now = Fraction(count, parsed) if parsed else Fraction(0)
    before = Fraction(then, then_parsed) if then_parsed else Fraction(0)
    if before == 0:
        return _INFINITE if now > 0 else None
    return now / before


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
        if rule.is_ratio:
            verdicts.append(_against_previous(rule, report, count))
            continue
        if rule.is_share:
            holds = parsed > 0 and rule.compare(Fraction(count * 100, parsed))
        else:
            holds = rule.compare(Fraction(count))
        verdicts.append(Verdict(rule, count, parsed, holds))
    return verdicts


def _against_previous(rule: Rule, report: Report, count: int) -> Verdict:
    """A rule against the previous period's share (``5xx>3x``)."""
    parsed = report.totals.parsed
    found = report.comparison
    if found is None or not found.history:
        why = (found.note or {}).get("en") if found is not None else None
        return Verdict(rule, count, parsed, holds=False, unchecked=why or "no history for the previous period")
    then = sum(n for raw, n in found.by_code if rule.matches(raw))
    ratio = _ratio(count, parsed, then, found.parsed)
    holds = ratio is not None and rule.compare(ratio)
    return Verdict(rule, count, parsed, holds, previous=(then, found.parsed))


def breached(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The verdicts whose rule holds (the ones that make ``logstat`` exit with code 3)."""
    return [v for v in verdicts if v.holds]
