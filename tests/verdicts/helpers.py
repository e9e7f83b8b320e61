"""Ballots for verdict tests, built the way an organiser would enter them."""

from __future__ import annotations

from bot.domain import (
    Ballot,
    Jurisdiction,
    Kind,
    PartialDate,
    Question,
    Result,
    YesNoUnknown,
)


def ballot(
    *,
    kind: Kind = Kind.STRIKE,
    opens: str | None = None,
    closes: str | None = None,
    announced: str | None = None,
    eligible: int | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    spoilt: int | None = None,
    turnout_pct: float | None = None,
    for_pct: float | None = None,
    approximate: bool = False,
    ips: YesNoUnknown = YesNoUnknown.NO,
    jurisdiction: Jurisdiction = Jurisdiction.GB,
    sector: str | None = None,
) -> Ballot:
    """One ballot with one question; every figure left out stays unknown."""
    result = Result(
        votes_for=votes_for,
        votes_against=votes_against,
        spoilt=spoilt,
        turnout_pct=turnout_pct,
        for_pct=for_pct,
        turnout_approximate=approximate,
    )
    return Ballot(
        id="test",
        unions=("Unison",),
        employer="Outcome Council",
        questions=(Question("Are you prepared to take part in strike action?", kind, result),),
        jurisdiction=jurisdiction,
        important_public_service=ips,
        sector=sector,
        opens=PartialDate.parse(opens) if opens else None,
        closes=PartialDate.parse(closes) if closes else None,
        announced=PartialDate.parse(announced) if announced else None,
        eligible=eligible,
    )
