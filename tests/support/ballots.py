"""The ballots tests add, exactly as an organiser types them, and two stored as they are."""

from __future__ import annotations

from bot.domain import (
    Ballot,
    Jurisdiction,
    Kind,
    Method,
    PartialDate,
    Question,
    Result,
    Status,
    YesNoUnknown,
)

LEEDS = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions="Unison; Unite" '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)
"""An open strike ballot of two unions, with no opening date (announcement tests)."""

LEEDS_POSTAL = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike opens=2026-11-23 closes=2026-12-10 '
    "eligible=400 status=open method=postal"
)
"""An open postal ballot of one union, opened 23 Nov 2026 (reminder tests)."""

LEEDS_TYPED = (
    'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)
"""An open strike ballot as typed after ``/ballot`` on Slack or Discord (adapter tests)."""

EVERY_FIELD = Ballot(
    id="belfast-health-trust-strike-2024",
    # Not alphabetical on purpose: the source's order (lead union first) must survive.
    unions=("Unite", "GMB", "Unison"),
    employer="Belfast Health and Social Care Trust",
    branch="Belfast Hospitals",
    area="Belfast",
    sector="health",
    jurisdiction=Jurisdiction.NI,
    method=Method.ELECTRONIC,
    important_public_service=YesNoUnknown.YES,
    opens=PartialDate(2024, 3),
    closes=PartialDate(2024, 4, 12),
    announced=PartialDate(2024),
    eligible=4210,
    source_url="https://example.org/belfast-ballot",
    aliases=("BHSCT", "Belfast Trust", "Royal Victoria"),
    notes="Two questions on one paper; spoilt papers reported for the strike question only.",
    status=Status.DECLARED,
    campaign="Pay restoration 2024",
    questions=(
        Question(
            text="Are you prepared to take part in strike action?",
            kind=Kind.STRIKE,
            result=Result(
                votes_for=2001,
                votes_against=399,
                spoilt=12,
                turnout_pct=57.3,
                for_pct=83.375,
                turnout_approximate=False,
            ),
        ),
        Question(
            text="Are you prepared to take action short of a strike?",
            kind=Kind.ACTION_SHORT_OF_STRIKE,
            # Only the turnout, "about half", was reported: the vote counts stay unknown.
            result=Result(turnout_pct=50.0, turnout_approximate=True),
        ),
        Question(text="Should the branch affiliate to the campaign?", kind=Kind.OTHER),
    ),
)

NOTHING_KNOWN = Ballot(
    id="unknown-employer-ballot",
    unions=(),
    employer="Somewhere Ltd",
    questions=(),
)
