"""Which rule sets could apply to a ballot, given the dates its source actually gives.

The law looks at the day voting opened. Reports often give only the day a result was
announced, the closing day, or just a year; then every rule set in force around that date is a
candidate, and the verdict is only certain if they all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain import Ballot, PartialDate
from bot.verdicts.rules import RuleSet, RuleTable

# How far from a known date the opening may lie: ballots run for weeks, and results are
# announced days to weeks after the close. RULES.md: "within ~8 weeks".
INFERENCE_MARGIN = timedelta(weeks=8)


@dataclass(frozen=True)
class RuleChoice:
    """The candidate rule sets, the one the best date points to, and how it was picked."""

    candidates: tuple[RuleSet, ...]
    primary: RuleSet | None
    inferred: bool
    basis: str | None
    """Why the choice is inferred, as a member-facing line (``None`` when it is not)."""


def _middle(known: PartialDate) -> date:
    if known.exact is not None:
        return known.exact
    span = (known.latest - known.earliest).days
    return known.earliest + timedelta(days=span // 2)


def _clamp(low: date, delta: timedelta, up: bool) -> date:
    try:
        return low + delta if up else low - delta
    except OverflowError:
        return date.max if up else date.min


def choose_rules(ballot: Ballot, table: RuleTable) -> RuleChoice:
    """Pick by opening date; failing that by close, then announcement; failing all, any date.

    The close is preferred to the announcement because voting must have opened before it; an
    announcement may be of the ballot (before it opens) or of its result (after it closes), so
    the margin goes both ways.
    """
    where = ballot.jurisdiction
    if ballot.opens is not None:
        opens = ballot.opens
        candidates = table.between(where, opens.earliest, opens.latest)
        primary = table.for_date(where, _middle(opens))
        if len(candidates) <= 1:
            return RuleChoice(candidates, primary or _first(candidates), False, None)
        basis = (
            f"Opened in {opens.human()}, a period in which the law changed: which rules "
            "applied depends on the exact opening date"
        )
        return RuleChoice(candidates, primary, True, basis)
    if ballot.closes is not None:
        known, low, high, what = (
            ballot.closes,
            _clamp(ballot.closes.earliest, INFERENCE_MARGIN, up=False),
            ballot.closes.latest,
            "closed",
        )
    elif ballot.announced is not None:
        known, low, high, what = (
            ballot.announced,
            _clamp(ballot.announced.earliest, INFERENCE_MARGIN, up=False),
            _clamp(ballot.announced.latest, INFERENCE_MARGIN, up=True),
            "was announced",
        )
    else:
        candidates = table.between(where, None, None)
        basis = "No date known for this ballot: the rules cannot be picked by date"
        if len(candidates) == 1:
            # Only one rule set ever applied here (Northern Ireland): the date does not matter.
            return RuleChoice(candidates, candidates[0], False, None)
        return RuleChoice(candidates, None, True, basis)
    candidates = table.between(where, low, high)
    primary = table.for_date(where, _middle(known)) or _first(candidates)
    if len(candidates) == 1 and candidates[0].starts is None and candidates[0].ends is None:
        return RuleChoice(candidates, primary, False, None)
    basis = f"Opening date not known: rules picked from the date it {what} ({known.human()})"
    return RuleChoice(candidates, primary, True, basis)


def _first(candidates: tuple[RuleSet, ...]) -> RuleSet | None:
    return candidates[0] if candidates else None
