"""Reported percentages as the ranges they stand for, so a test is never decided by rounding.

A union that writes "53% turnout" may have counted 52.5%; one that writes "52.9%" no less
than 52.85%. A test is only met when the low end of every reported figure meets it, and only
failed when the high end fails it; in between the answer is "not known" and the line says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import figures
from bot.domain import Result, written_decimals
from bot.percentages import as_reported, percent, trimmed

# A turnout reported only as "around 60 per cent" is taken as anything within this many points:
# trusted where that is clear of a threshold, "too close to tell" where it is not.
APPROXIMATE_MARGIN_PCT = figures.APPROXIMATE_MARGIN_PCT


@dataclass(frozen=True)
class Span:
    """A share of 0-100 known to lie from ``low`` to ``high``: ``written`` is how it was given.

    ``exact`` when it comes from counts rather than a rounded report.
    """

    value: float
    low: float
    high: float
    written: str
    exact: bool = False
    approximate: bool = False

    @property
    def rounded(self) -> bool:
        """Reported, so rounding (or "around") leaves room either side of the value."""
        return not self.exact

    def range_text(self) -> str:
        """``between 49.5% and 50.5%``: what a rounded report could stand for."""
        return f"between {trimmed(self.low)} and {trimmed(self.high)}"


def half_unit(value: float) -> float:
    """Half of the last decimal the figure was given to: 0.5 for ``53``, 0.05 for ``52.9``."""
    return 0.5 * 10.0 ** -written_decimals(value)


def reported(value: float, approximate: bool = False) -> Span:
    """A reported percentage and the range it may have been rounded from."""
    margin = APPROXIMATE_MARGIN_PCT if approximate else half_unit(value)
    written = as_reported(value)
    return Span(
        value=float(value),
        low=max(0.0, value - margin),
        high=min(100.0, value + margin),
        written=f"around {written}" if approximate else written,
        approximate=approximate,
    )


def counted(part: int, whole: int) -> Span:
    """A share worked out from counts: exact, whatever the rounding of its display."""
    share = 100.0 * part / whole
    return Span(share, share, share, percent(share), exact=True)


def turnout_span(result: Result) -> Span | None:
    """The reported turnout (spoilt papers included, s.297A), or ``None`` if none was."""
    if result.turnout_pct is None:
        return None
    return reported(result.turnout_pct, result.turnout_approximate)


def yes_span(result: Result) -> Span | None:
    """The yes share of valid votes: from the counts when both are known, else as reported."""
    yes, no = result.votes_for, result.votes_against
    if yes is not None and no is not None and yes + no > 0:
        return counted(yes, yes + no)
    if result.for_pct is not None:
        return reported(result.for_pct)
    return None


def trim(value: float) -> str:
    """``52.85``, ``49.5``, ``50``: a share with no trailing zeros (the ends of a range)."""
    return trimmed(value).removesuffix("%")
