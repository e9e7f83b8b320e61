"""Derived figures: computed only from what is known, never guessed.

Reported percentages stay as reported (on :class:`bot.domain.Result`); what is computed here is
kept apart so a reply can show both, and say so when they disagree by more than rounding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.domain import Ballot, Question, Result
from bot.percentages import as_reported, percent, rounded

# A percentage reported to one decimal can be off by 0.05 from the exact share; allow a little
# more for unions that round to whole numbers ("around 60 per cent" is marked approximate).
ROUNDING_TOLERANCE_PCT = 0.51
APPROXIMATE_MARGIN_PCT = 5.0
"""A turnout reported only as "around 60 per cent" is taken as anything within this many
points (:mod:`bot.verdicts.reported` reads it so too)."""


@dataclass(frozen=True)
class Figures:
    """What can be worked out from one question's result and the ballot's eligible count.

    ``turnout_pct`` counts spoilt papers as votes (TULRCA s.297A). When the number of spoilt
    papers is not known, the computed turnout counts valid votes only and is a minimum:
    ``turnout_is_minimum`` says so. ``turnout_conflict``: the counts contradict the result's
    reported turnout (beyond its rounding): the reported figure is then not used, and
    ``warnings`` says why.
    """

    papers_returned: int | None
    turnout_pct: float | None
    turnout_is_minimum: bool
    for_pct_of_votes: float | None
    against_pct_of_votes: float | None
    for_pct_of_eligible: float | None
    warnings: tuple[str, ...]
    turnout_conflict: bool = False

    def to_dict(self) -> dict[str, Any]:
        """As JSON carries it: shares to two decimals, rounded half up once."""
        out = asdict(self)
        for name, value in out.items():
            if isinstance(value, float):
                out[name] = float(rounded(value, 2))
        out["warnings"] = list(self.warnings)
        return out


def _pct(part: int, whole: int) -> float | None:
    """The share unrounded: it is rounded once, where it is shown (:mod:`bot.percentages`)."""
    return 100.0 * part / whole if whole > 0 else None


def derive(ballot: Ballot, question: Question) -> Figures:
    """Work out every figure the known counts allow, and flag disagreements with reports."""
    result = question.result
    eligible = ballot.eligible
    yes, no, spoilt = result.votes_for, result.votes_against, result.spoilt
    warnings: list[str] = []

    valid = yes + no if yes is not None and no is not None else None
    papers = valid + spoilt if valid is not None and spoilt is not None else None

    turnout: float | None = None
    turnout_is_minimum = False
    if eligible:
        if papers is not None:
            turnout = _pct(papers, eligible)
        elif valid is not None:
            turnout = _pct(valid, eligible)
            turnout_is_minimum = True

    for_share: float | None = None
    against_share: float | None = None
    if valid and yes is not None and no is not None:  # (valid is only known from both)
        for_share = _pct(yes, valid)
        against_share = _pct(no, valid)
    elif result.for_pct is not None:
        # Only the reported share is known: the rest of the valid votes were against.
        for_share = result.for_pct
        against_share = 100.0 - result.for_pct

    for_of_eligible = _pct(yes, eligible) if yes is not None and eligible else None

    if (
        valid
        and result.for_pct is not None
        and for_share is not None
        and abs(for_share - result.for_pct) > ROUNDING_TOLERANCE_PCT
    ):
        warnings.append(
            f"Reported yes share {as_reported(result.for_pct)} does not match the counts "
            f"({percent(for_share)} of {valid:,} valid votes)."
        )
    conflict = _turnout_conflict(result, turnout, turnout_is_minimum)
    # A conflict needs a turnout from the counts, so entitled members and valid votes.
    if conflict and turnout is not None and not turnout_is_minimum:
        warnings.append(
            f"Reported turnout {_reported_turnout(result)} does not match the counts "
            f"({percent(turnout)} of {eligible:,} entitled)."
        )
    elif conflict and turnout is not None:
        warnings.append(
            f"Reported turnout {_reported_turnout(result)} is below what the counts alone make: "
            f"{valid:,} valid votes are {percent(turnout)} of {eligible:,} entitled "
            "before any spoilt paper. One of the figures is wrong."
        )
    if eligible is not None and papers is not None and papers > eligible:
        warnings.append(f"More papers counted ({papers:,}) than members entitled ({eligible:,}).")

    return Figures(
        papers_returned=papers,
        turnout_pct=turnout,
        turnout_is_minimum=turnout_is_minimum,
        for_pct_of_votes=for_share,
        against_pct_of_votes=against_share,
        for_pct_of_eligible=for_of_eligible,
        warnings=tuple(warnings),
        turnout_conflict=conflict,
    )


def _turnout_conflict(result: Result, turnout: float | None, is_minimum: bool) -> bool:
    """Do the counts contradict the reported turnout, beyond its rounding ("around" allows
    :data:`APPROXIMATE_MARGIN_PCT` points)? With spoilt papers unknown the counts give only a
    minimum: a reported turnout below it is impossible, one above it is not."""
    if turnout is None or result.turnout_pct is None:
        return False
    tolerance = APPROXIMATE_MARGIN_PCT if result.turnout_approximate else ROUNDING_TOLERANCE_PCT
    if is_minimum:
        return result.turnout_pct < turnout - tolerance
    return abs(turnout - result.turnout_pct) > tolerance


def _reported_turnout(result: Result) -> str:
    assert result.turnout_pct is not None, "asked only where a turnout was reported"
    around = "around " if result.turnout_approximate else ""
    return f"{around}{as_reported(result.turnout_pct)}"
