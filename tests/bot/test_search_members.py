"""Members' own words over ~50 real UK ballots and the demo: each query reaches the ballot it
means, offers the list it should, or says plainly that nothing matches — never another
ballot's card.

The catalogue (``tests/fixtures/search/real_ballots.csv``, import format) holds only what
search reads: names, unions, kinds, dates and areas of real public ballots; no figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.demo import DEMO_BALLOTS
from bot.imports.files import read_ballots
from bot.search import Match, SearchIndex

CATALOGUE = Path(__file__).parents[1] / "fixtures" / "search" / "real_ballots.csv"
TODAY = date(2023, 1, 10)
"""The NEU's 2023 ballots (dates only, no status) are open on this day."""


@dataclass(frozen=True)
class Card:
    """A card for this ballot (or for one of these, when they tie on every rule)."""

    first: str | frozenset[str]
    all: frozenset[str] | None = None
    """With it, exactly these ballots are the subject (what ``history`` lists)."""
    campaign: str | None = None


@dataclass(frozen=True)
class Choices:
    """ "Several ballots match": exactly these ballots offered (or at least these, with
    ``more``), each with its id."""

    ids: frozenset[str]
    more: bool = False


@dataclass(frozen=True)
class Nothing:
    """ "No ballot found" with the closest names (which must include ``near``)."""

    near: str | None = None


HINT = "hint"


def card(first: str, *others: str, subject: tuple[str, ...] | None = None) -> Card:
    return Card(
        frozenset((first, *others)) if others else first, frozenset(subject) if subject else None
    )


def choices(*ids: str, more: bool = False) -> Choices:
    return Choices(frozenset(ids), more)


FALKIRK = "unison-falkirk-council-2022-strike"
S_LANARKSHIRE = "unison-south-lanarkshire-2022-schools-strike"
KIRKLEES_COLLEGE = "unison-kirklees-college-strike"
KIRKLEES_COUNCIL = "kirklees-council-redundancies-strike"
YNYS_MON = "unison-ynys-mon-strike"
NEU_STRIKES = ("neu-2023-england-strike", "neu-2023-wales-strike")
RCN = ("rcn-2023-england-strike", "rcn-2023-pay-offer", "rcn-2022-england-strike")
FBU = ("fbu-2023-pay-offer", "fbu-2023-strike", "fbu-2022-consultative")
BMA_JUNIOR = "bma-2023-junior-doctors-strike"

CASES: list[tuple[str, Card | Choices | Nothing | str]] = [
    # The issue's own examples.
    ("unison falkirk", card(FALKIRK)),
    ("kirklees college unison", card(KIRKLEES_COLLEGE)),
    ("nhs pay offer unison", card("unison-2023-nhs-pay-offer")),
    ("NEU state-funded schools England", card("neu-2023-england-pay-offer")),
    ("royal college of nursing", card(RCN[0], subject=RCN)),
    ("fire brigades union", card(FBU[0], subject=FBU)),
    ("neu strike", card(*NEU_STRIKES)),
    ("ynys mon", card(YNYS_MON)),
    ("ynys môn", card(YNYS_MON)),
    ("ynys mo\u0302n", card(YNYS_MON)),  # the circumflex as a combining mark
    ("council", choices(FALKIRK, S_LANARKSHIRE, KIRKLEES_COUNCIL, more=True)),
    ("!!!", HINT),
    ("🗳️", HINT),
    # A union and a place, either way round, any case.
    ("falkirk", card(FALKIRK)),
    ("UNISON Falkirk Council", card(FALKIRK)),
    ("falkirk unison", card(FALKIRK)),
    ("unison south lanarkshire", card(S_LANARKSHIRE)),
    ("south lanarkshire schools", card(S_LANARKSHIRE)),
    ("kirklees council", card(KIRKLEES_COUNCIL)),
    ("kirklees", choices(KIRKLEES_COUNCIL, KIRKLEES_COLLEGE)),
    ("unison kirklees", choices(KIRKLEES_COUNCIL, KIRKLEES_COLLEGE)),
    ("kirklees unison strike", choices(KIRKLEES_COUNCIL, KIRKLEES_COLLEGE)),
    ("hackney unison", card("hackney-unison-2023-pay-strike")),
    ("hackney council", card("hackney-unison-2023-pay-strike")),
    ("ucu bradford", card("ucu-bradford-college-2013-indicative")),
    ("unite exeter", card("unite-exeter-pay-consultation")),
    ("university of exeter", card("unite-exeter-pay-consultation")),
    ("unison brighton uni", card("unison-brighton-2023-24-reballot-strike")),
    ("unison norfolk", card("unison-norfolk-2018-pay-consultation")),
    ("Cyngor Sir Ynys Môn unison", card(YNYS_MON)),
    ("anglesey", card(YNYS_MON)),
    ("junior doctors", card(BMA_JUNIOR)),
    ("bma consultants", card("bma-2023-consultants-strike")),
    ("felixstowe", card("unite-felixstowe-2022-strike")),
    ("openreach", card("cwu-bt-2022-strike")),
    ("c2c", card("rmt-c2c-2022")),
    ("northern ireland health unison", card("unison-ni-2019-health-strike")),
    ("the latest unison ballot at hackney", card("hackney-unison-2023-pay-strike")),
    # Questions as members ask them, and a headline pasted whole.
    ("what happened at c2c", card("rmt-c2c-2022")),
    ("did the rmt win at c2c?", card("rmt-c2c-2022")),
    ("tell me about the c2c ballot please", card("rmt-c2c-2022")),
    ("when does the hackney unison vote close", card("hackney-unison-2023-pay-strike")),
    ("hi, any update on felixstowe?", card("unite-felixstowe-2022-strike")),
    (
        "RMT members at c2c vote for strike action and action short of a strike",
        card("rmt-c2c-2022"),
    ),
    # Unions by their full, former or merged names.
    (
        "national education union",
        card(
            "neu-2023-england-pay-offer",
            subject=(*NEU_STRIKES, "neu-2023-england-pay-offer", "nut-2016-strike"),
        ),
    ),
    ("British Medical Association", card("bma-2023-consultants-strike")),
    ("communication workers union royal mail", card("cwu-royal-mail-2023-strike")),
    ("public and commercial services union", card("pcs-2019-pay-strike")),
    ("university and college union", card("ucu-2025-national-strike")),
    ("educational institute of scotland", card("eis-2026-workload")),
    ("Bakers Food and Allied Workers Union", card("bfawu-mcdonalds-2017-strike")),
    ("National Union of Journalists BBC", card("nuj-bbc-local-radio-2022-strike")),
    (
        "National Union of Rail, Maritime and Transport Workers network rail",
        card("rmt-network-rail-2022-offer"),
    ),
    ("nut 2016", card("nut-2016-strike")),
    ("neu 2016", card("nut-2016-strike")),
    # Kinds of ballot.
    ("neu pay offer", card("neu-2023-england-pay-offer")),
    ("rcn pay offer", card("rcn-2023-pay-offer")),
    ("unison nhs pay deal 2018", card("unison-2018-nhs-pay-deal")),
    ("nasuwt asos", card("nasuwt-2023-england")),
    ("action short of strike pcs", card("pcs-2013-national")),
    ("c2c asos", card("rmt-c2c-2022")),
    ("ucu indicative ballot", card("ucu-bradford-college-2013-indicative")),
    ("eis consultative", card("eis-2022-consultative")),
    ("fbu consultative", card("fbu-2022-consultative")),
    ("rmt offer", card("rmt-network-rail-2022-offer")),
    ("bt strike", card("cwu-bt-2022-strike")),
    ("neu open", card(*NEU_STRIKES)),
    # Who balloted, when members name them rather than their union.
    ("nurses strike", card("rcn-2023-england-strike")),
    ("junior doctors strike", card(BMA_JUNIOR)),
    ("firefighters pay offer", card("fbu-2023-pay-offer")),
    ("teachers pay offer", card("neu-2023-england-pay-offer")),
    (
        "teachers strike 2023",
        choices(*NEU_STRIKES, "nasuwt-2023-england"),
    ),
    ("scottish teachers strike", card("eis-2026-workload")),
    ("civil servants strike 2019", card("pcs-2019-pay-strike")),
    ("rail strike", card("rmt-network-rail-2022-strike")),
    # Years and months.
    ("cwu strike 2019", card("cwu-royal-mail-2019-strike")),
    ("pcs 2018", card("pcs-2018-pay-strike")),
    ("royal mail 2022", card("cwu-royal-mail-2022-strike")),
    ("royal mail july 2022", card("cwu-royal-mail-2022-strike")),
    ("unison march 2018", card("unison-norfolk-2018-pay-consultation")),
    ("rcn november 2022", card("rcn-2022-england-strike")),
    ("fbu 2022/23", card(FBU[0], subject=FBU)),
    ("strike 2013 civil service", card("pcs-2013-national")),
    ("civil service pensions strike 2011", card("prospect-2011-pensions-strike")),
    ("doctors strike 2023", choices(BMA_JUNIOR, "bma-2023-consultants-strike")),
    ("unison hackney pay 2023", card("hackney-unison-2023-pay-strike")),
    # A day beside its month says the month, however it is written.
    ("pcs 23 july 2018", card("pcs-2018-pay-strike")),
    ("23/07/2018", card("pcs-2018-pay-strike")),
    ("2018-07-23", card("pcs-2018-pay-strike")),
    ("july 23rd, 2018", card("pcs-2018-pay-strike")),
    ("c2c 24 may 2022", card("rmt-c2c-2022")),
    ("rmt 2022-05", card("rmt-network-rail-2022-strike", "rmt-c2c-2022")),
    # Typos.
    ("unsion falkirk", card(FALKIRK)),
    ("falkrik", card(FALKIRK)),
    ("royal colege of nursing", card(RCN[0])),
    ("kirklese college", card(KIRKLEES_COLLEGE)),
    ("south lanarkshre unison", card(S_LANARKSHIRE)),
    ("netwrok rail strike", card("rmt-network-rail-2022-strike")),
    ("mcdonalds strike", card("bfawu-mcdonalds-2017-strike")),
    ("braford college", card("ucu-bradford-college-2013-indicative")),
    # Unicode: case, full-width letters, accents either way.
    ("YNYS MÔN", card(YNYS_MON)),
    ("ｆａｌｋｉｒｋ", card(FALKIRK)),
    ("ＵＮＩＳＯＮ ｆａｌｋｉｒｋ", card(FALKIRK)),
    # Generic words alone list what they appear in.
    (
        "university",
        choices("unite-exeter-pay-consultation", "unison-brighton-2023-24-reballot-strike"),
    ),
    ("college", choices("ucu-bradford-college-2013-indicative", KIRKLEES_COLLEGE)),
    ("nhs", choices("bma-2023-junior-doctors-strike", "gmb-2022-ambulance-strike", more=True)),
    ("unison council", choices(FALKIRK, S_LANARKSHIRE, KIRKLEES_COUNCIL, more=True)),
    ("???", HINT),
    # Nothing there: never another ballot's card.
    ("leeds council", Nothing()),
    ("unison glasgow", Nothing()),
    ("rcn 1999", Nothing(near="NHS employers in England")),
    ("kirklees college unite", Nothing(near="Kirklees College")),
    ("open unison", Nothing()),
    # A union's name inside branch names ("Hackney UNISON", "Kirklees Unison") is no reason
    # to show a branch that lacks the other words typed.
    ("unison fire", Nothing(near="Fire and rescue services")),
    ("unison hospital", Nothing()),
    ("nurses falkirk", Nothing(near="Falkirk Council")),
    ("teachers kirklees", Nothing(near="Kirklees Council")),
    # The demo's ballots.
    ("southampton", card("southampton-city-council-pay-cuts")),
    ("scc", card("southampton-city-council-pay-cuts")),
    ("unite southampton", card("southampton-city-council-pay-cuts")),
    ("coal mining museum", card("national-coal-mining-museum-pay-2013")),
    ("unison pay offer 2013", card("national-coal-mining-museum-pay-2013")),
    # A campaign named: its whole tally.
    ("fair pay for nursing", Card(RCN[0], frozenset(RCN), campaign="Fair Pay for Nursing")),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex([*read_ballots(CATALOGUE), *DEMO_BALLOTS])


def test_the_table_has_at_least_sixty_queries() -> None:
    assert len(CASES) >= 60
    assert len({typed for typed, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("typed", "meant"), CASES, ids=[typed for typed, _ in CASES])
def test_a_member_gets_what_they_meant(
    index: SearchIndex, typed: str, meant: Card | Choices | Nothing | str
) -> None:
    match = index.find(typed, today=TODAY)
    match meant:
        case Card(first, everything, campaign):
            assert match.found, _why(match)
            wanted = {first} if isinstance(first, str) else first
            assert match.ballot_ids[0] in wanted, _why(match)
            if everything is not None:
                assert set(match.ballot_ids) == everything
            assert match.campaign == campaign
        case Choices(ids, more):
            assert not match.found and match.choices, _why(match)
            assert len(match.choices) == len(match.choice_ids) <= 5
            assert ids <= set(match.choice_ids) if more else ids == set(match.choice_ids)
            assert (match.total > len(match.choices)) == more
        case Nothing(near):
            assert not match.found and not match.choices, _why(match)
            assert match.closest
            if near is not None:
                assert near in match.closest
        case "hint":
            assert match.typed_nothing and not match.found and not match.choices


def _why(match: Match) -> str:
    return f"got {match}"
