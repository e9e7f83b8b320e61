"""A large, deterministic, synthetic ballot set for benchmarks (never shipped as data).

Names are made from syllables so that 5,000 employers are distinct yet alike, as real names
are ("Ashbury Borough Council", "Ashbury Hospitals NHS Trust"): hard cases for typo search.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.domain import Ballot, Jurisdiction, Kind, Method, PartialDate, Question, Result, Status

_START = (
    "ash",
    "bar",
    "brad",
    "car",
    "dun",
    "el",
    "fen",
    "glen",
    "hal",
    "kirk",
    "lan",
    "mar",
    "nor",
    "ox",
    "pen",
    "ro",
    "sal",
    "stan",
    "thorn",
    "wake",
    "wel",
    "york",
    "tam",
    "bel",
)
_END = (
    "ford",
    "ley",
    "ton",
    "bury",
    "field",
    "wick",
    "by",
    "mouth",
    "ham",
    "stead",
    "well",
    "dale",
    "worth",
    "combe",
    "minster",
    "borough",
)
_QUARTERS = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Great ")
_TYPES = (
    "Borough Council",
    "City Council",
    "Hospitals NHS Trust",
    "College",
    "University",
    "Fire and Rescue Service",
    "Academy Trust",
    "Buses",
    "Housing Association",
)
_UNIONS = (
    "Unison",
    "Unite",
    "GMB",
    "RCN",
    "BMA",
    "UCU",
    "NEU",
    "PCS",
    "RMT",
    "CWU",
    "EIS",
    "FBU",
    "ASLEF",
    "Prospect",
    "NASUWT",
)


def employer_names(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct employer names (up to about 27,000)."""
    if n > len(_QUARTERS) * len(_START) * len(_END) * len(_TYPES):
        raise ValueError(f"cannot make {n:,} distinct names")
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        place = rng.choice(_QUARTERS) + (rng.choice(_START) + rng.choice(_END)).capitalize()
        name = f"{place} {rng.choice(_TYPES)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _place(employer: str) -> str:
    for kind in _TYPES:
        if employer.endswith(kind):
            return employer.removesuffix(kind).strip()
    return employer


def make_ballots(n_ballots: int = 50_000, n_employers: int = 5_000, seed: int = 7) -> list[Ballot]:
    """``n_ballots`` ballots spread over ``n_employers`` employers, with plausible figures
    that satisfy :mod:`bot.invariants` (the store refuses any that does not)."""
    rng = random.Random(seed)
    employers = employer_names(n_employers, seed)
    ballots = []
    for i in range(n_ballots):
        employer = employers[i % n_employers]
        opens = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 16 * 365))
        closes = opens + timedelta(days=rng.randrange(14, 42))
        eligible = rng.randrange(50, 20_000)
        votes = rng.randrange(0, eligible)
        yes = rng.randrange(0, votes + 1)
        # Papers returned (votes and spoilt) never outnumber those entitled to vote.
        spoilt = min(rng.randrange(0, max(1, votes // 50)), eligible - votes)
        kind = rng.choice((Kind.STRIKE, Kind.STRIKE, Kind.CONSULTATIVE, Kind.PAY_OFFER))
        ballots.append(
            Ballot(
                id=f"bench-{i}",
                unions=(rng.choice(_UNIONS),),
                employer=employer,
                branch=f"{_place(employer)} branch",
                area=_place(employer),
                sector="public sector",
                jurisdiction=Jurisdiction.NI if rng.random() < 0.03 else Jurisdiction.GB,
                method=Method.POSTAL,
                opens=PartialDate.of(opens),
                closes=PartialDate.of(closes),
                announced=PartialDate.of(closes + timedelta(days=1)),
                eligible=eligible,
                status=Status.DECLARED,
                questions=(
                    Question(
                        text="Are you prepared to take part in strike action?",
                        kind=kind,
                        result=Result(votes_for=yes, votes_against=votes - yes, spoilt=spoilt),
                    ),
                ),
            )
        )
    return ballots


def typo(name: str, rng: random.Random) -> str:
    """The name as a hurried member types it: one letter swapped, dropped or doubled."""
    word = max(name.split(), key=len).lower()
    i = rng.randrange(1, len(word) - 1)
    match rng.randrange(3):
        case 0:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        case 1:
            word = word[:i] + word[i + 1 :]
        case _:
            word = word[:i] + word[i] + word[i:]
    words = name.lower().split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = word
    return " ".join(words)
