"""Words and marks for the working: how a verdict reads to a member.

Kept apart from the arithmetic so that the wording can change without touching the law, and
so that every line uses the same marks: ✔ met, ✘ not met, ? cannot tell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from bot.domain import Kind, PartialDate
from bot.percentages import as_reported, percent, rounded


class Outcome(StrEnum):
    """The outcome of one legal test."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_KNOWN = "not_known"
    NOT_APPLICABLE = "not_applicable"


class Mandate(StrEnum):
    """Whether a question gave a mandate for industrial action.

    ``partial`` only ever comes from the union's own report of a disaggregated ballot given as
    one line: a mandate at some of the employers it adds up, not at others.
    """

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"
    NOT_APPLICABLE = "not_applicable"
    PARTIAL = "partial"


class Basis(StrEnum):
    """What a verdict's mandate rests on: ballotbot's own working, or the union's report."""

    FIGURES = "figures"
    REPORTED = "reported"


MARKS = {
    Outcome.MET: "✔",
    Outcome.NOT_MET: "✘",
    Outcome.NOT_KNOWN: "?",
    Mandate.YES: "✔",
    Mandate.NO: "✘",
    Mandate.NOT_KNOWN: "?",
}


def mark(outcome: Outcome | Mandate) -> str:
    """The mark for an outcome; not-applicable outcomes carry none."""
    return MARKS.get(outcome, "")


def pct(value: float, threshold: float | None = None) -> str:
    """``61.2%`` (:func:`bot.percentages.percent`); one more decimal when rounding would make
    it look equal to the threshold, up to three.

    49.96% shown as "50.0% — threshold 50% ✘" would read as a mistake; "49.96%" does not.
    """
    if threshold is None or value == threshold:
        return percent(value)
    line = Decimal(repr(float(threshold)))
    decimals = 1
    while decimals < 3 and rounded(value, decimals) == line:
        decimals += 1
    return percent(value, decimals)


def threshold(value: float) -> str:
    """A rule set's line as written: ``50%``, ``40%``."""
    return as_reported(value)


def count(value: int) -> str:
    return f"{value:,}"


def day(value: date) -> str:
    """``12 March 2027``: how a member writes a date."""
    return PartialDate.of(value).human()


def action(kind: Kind) -> str:
    """What a mandate is for: ``strike action`` or ``action short of a strike``."""
    return "action short of a strike" if kind is Kind.ACTION_SHORT_OF_STRIKE else "strike action"


def no_threshold(kind: Kind) -> str:
    """The one line a non-statutory question gets: never "passed" or "failed"."""
    return f"No legal threshold applies to a {kind.label}"
