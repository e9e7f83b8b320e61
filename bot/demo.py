"""The demo data: the three ballots of the two seed articles, and nothing they do not say.

Every figure below is printed in the articles (see ``shared/seeds``). What they leave out stays
``None``: no source URL, no opening or closing dates, no Southampton electorate (6,627 is the
council's workforce, not the number balloted), no Kirklees turnout. The Kirklees article
places itself in 2013 (the museum's deal is backdated to 1 April 2013), so "2013" is kept at
year precision.
"""

from __future__ import annotations

from datetime import date, timedelta

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

SOUTHAMPTON = Ballot(
    id="southampton-city-council-pay-cuts",
    unions=("Unison", "Unite"),
    employer="Southampton City Council",
    area="Southampton",
    sector="local government",
    jurisdiction=Jurisdiction.GB,
    method=Method.POSTAL,
    important_public_service=YesNoUnknown.UNKNOWN,
    aliases=("Southampton", "SCC", "Southampton council"),
    status=Status.DECLARED,
    questions=(
        Question(
            text="Reject the council's pay cuts of up to 5.5%?",
            kind=Kind.CONSULTATIVE,
            result=Result(
                votes_for=1552, votes_against=307, turnout_pct=60.0, turnout_approximate=True
            ),
        ),
    ),
    notes=(
        "Joint Unison and Unite postal ballot; turnout reported as “around 60 per cent”. "
        "The council's workforce is 6,627 excluding teachers; the number balloted is not given."
    ),
)

KIRKLEES = Ballot(
    id="kirklees-council-redundancies-strike",
    unions=("Unison",),
    employer="Kirklees Council",
    branch="Kirklees Unison",
    area="Kirklees",
    sector="local government",
    jurisdiction=Jurisdiction.GB,
    important_public_service=YesNoUnknown.UNKNOWN,
    announced=PartialDate(2013),
    eligible=6500,
    aliases=("Kirklees",),
    status=Status.DECLARED,
    questions=(
        Question(
            text="Strike over two compulsory redundancies at Ashbrow Junior School?",
            kind=Kind.STRIKE,
            result=Result(for_pct=43.3),
        ),
    ),
    notes=(
        "Members voted 56.7% to 43.3% not to strike; turnout not yet known when reported. "
        "6,500 members balloted."
    ),
)

COAL_MINING_MUSEUM = Ballot(
    id="national-coal-mining-museum-pay-2013",
    unions=("Unison",),
    employer="National Coal Mining Museum",
    sector="museums",
    jurisdiction=Jurisdiction.GB,
    announced=PartialDate(2013),
    aliases=("Coal Mining Museum", "NCMM"),
    status=Status.DECLARED,
    questions=(
        Question(
            text=(
                "Accept the two-year pay deal: 1% for 2012/13 backdated to 1 April 2012 and "
                "1% for 2013/14 backdated to 1 April 2013?"
            ),
            kind=Kind.PAY_OFFER,
            result=Result(for_pct=100.0),
        ),
    ),
    notes="Members voted unanimously to accept; the number voting is not given.",
)

DEMO_BALLOTS: tuple[Ballot, ...] = (SOUTHAMPTON, KIRKLEES, COAL_MINING_MUSEUM)


EXAMPLE_ID = "example-open-ballot"


def open_example_ballot(today: date) -> Ballot:
    """A made-up ballot, open now, for a new user to try reminders on (``ballotbot demo
    --open-example``). Its name and notes say it is an example; it carries no figures, and its
    dates are relative to ``today``: it opened three days ago and closes in ten days."""
    return Ballot(
        id=EXAMPLE_ID,
        unions=("Example Union",),
        employer="Example Council (made-up example)",
        area="Exampleton",
        jurisdiction=Jurisdiction.GB,
        method=Method.POSTAL,
        opens=PartialDate.of(today - timedelta(days=3)),
        closes=PartialDate.of(today + timedelta(days=10)),
        aliases=("example",),
        status=Status.OPEN,
        questions=(
            Question(
                text="Example question: are you prepared to take strike action?",
                kind=Kind.STRIKE,
            ),
        ),
        notes=(
            "A made-up example, not a real ballot: added by `ballotbot demo --open-example` so "
            "you can try reminders (`remind me example`, `admin reminders example`)."
        ),
    )
