"""How a question's figures are written: the same words on the card, in lists, in pictures and
in their alt text, so no two of them can show one figure two ways.

Counted shares are rounded once, half up (:mod:`bot.percentages`); reported ones are written
as the source wrote them and say so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import PartialDate, Question, TurnoutSoFar, written_decimals
from bot.figures import Figures
from bot.percentages import as_reported, percent
from bot.verdicts.reported import yes_span

NOT_KNOWN = "not known"
NOT_REPORTED = "not reported"


def share(value: float | None) -> str:
    """A computed share, or "not known"."""
    return NOT_KNOWN if value is None else percent(value)


def shares(question: Question, figures: Figures) -> tuple[str, str, bool]:
    """Yes and no shares of those voting (``83.5%``, ``16.5%``), and whether they are as
    reported: a reported yes share is written as it was (``80%``), and the no share as the
    rest to the same decimals (``20%``)."""
    result = question.result
    span = yes_span(result)
    if span is not None and not span.exact and result.for_pct is not None:
        decimals = written_decimals(result.for_pct)
        return span.written, percent(100 - span.value, decimals), True
    return share(figures.for_pct_of_votes), share(figures.against_pct_of_votes), False


def result_turnout(question: Question, figures: Figures, eligible: int | None) -> str:
    """The result's turnout: counted (``41.6% of 142,673 entitled``), as reported
    (``around 60% (as reported)``), at least what the valid votes make, or "not known".

    Counts that contradict a reported turnout (:attr:`Figures.turnout_conflict`) win: the
    card then shows what the counts give, and a warning names the reported figure.
    """
    result = question.result
    if figures.turnout_pct is not None and not figures.turnout_is_minimum:
        return f"{percent(figures.turnout_pct)} of {eligible:,} entitled"
    if result.turnout_pct is not None and not figures.turnout_conflict:
        around = "around " if result.turnout_approximate else ""
        return f"{around}{as_reported(result.turnout_pct)} (as reported)"
    if figures.turnout_pct is not None:
        return f"at least {percent(figures.turnout_pct)} (spoilt papers not known)"
    return NOT_KNOWN


def result_turnout_value(question: Question, figures: Figures) -> float | None:
    """The result's turnout to draw as a bar: the counted one, else the reported one (unless
    the counts contradict it), else the least the counts make; None when not known."""
    reported = question.result.turnout_pct
    if figures.turnout_pct is not None and not figures.turnout_is_minimum:
        return figures.turnout_pct
    if reported is not None and not figures.turnout_conflict:
        return reported
    return figures.turnout_pct


def moment(at: datetime) -> str:
    """``on 1 December 2026 at 14:05 UTC``: when organisers reported a figure."""
    utc = at.astimezone(UTC)
    return f"on {PartialDate.of(utc.date()).human()} at {utc:%H:%M} UTC"


def turnout_so_far(running: TurnoutSoFar | None) -> str:
    """``31.5% (reported by organisers on 1 December 2026 at 14:05 UTC)``: turnout so far as
    every surface writes it, never mistaken for a result's turnout; "not reported" without."""
    if running is None:
        return NOT_REPORTED
    when = f" {moment(running.reported_at)}" if running.reported_at else "; when is not recorded"
    return f"{as_reported(running.pct)} (reported by organisers{when})"
