"""The words search knows the meaning of: kinds of ballot, statuses, months, noise, and the
generic words that say what sort of employer a name is rather than which one.

Every entry is a phrase of folded words (see :mod:`bot.search.text`) without stop words.
"""

from __future__ import annotations

from bot.domain import Kind
from bot.search.text import stem


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words("a an the of and for at in on to")
"""Words a name can be typed with or without: ``royal college nursing`` is the RCN too."""

NOISE = _words(
    """
    ballot ballots balloting reballot vote votes voting poll result results outcome outcomes
    latest last newest news show find me my our what whats was were is are did how please about
    with from by union unions branch members staff workers pay dispute
    happened happen happening tell when where which who does do has have had win won lose lost
    can could would will you your there this that get got give see info information update
    updates status close closes closing hi hello hey thanks thank any
    """
)
"""Words members add that name nothing: ``the latest unison ballot`` is ``unison``, ``what
happened at c2c`` is ``c2c``; ``union``, ``branch``, ``pay`` and the like say nothing a facet
or a name does not say better."""

GENERIC = _words(
    """
    council councils city borough county district metropolitan town parish local government
    authority nhs trust trusts foundation hospital hospitals health care social university
    universities college colleges school schools academy academies education service services
    fire rescue housing association group ltd limited plc england wales scotland northern ireland
    national
    """
)
"""Words many names share: alone they list every ballot they appear in (``council``); beside a
distinctive word they only help rank (``kirklees college`` before ``kirklees council``), and a
card never rests on them alone."""
GENERIC_STEMS = frozenset(map(stem, GENERIC))

KINDS: dict[tuple[str, ...], frozenset[Kind]] = {
    ("strike",): frozenset({Kind.STRIKE}),
    ("strikes",): frozenset({Kind.STRIKE}),
    ("strike", "action"): frozenset({Kind.STRIKE}),
    ("industrial", "action"): frozenset({Kind.STRIKE, Kind.ACTION_SHORT_OF_STRIKE}),
    ("asos",): frozenset({Kind.ACTION_SHORT_OF_STRIKE}),
    ("action", "short", "strike"): frozenset({Kind.ACTION_SHORT_OF_STRIKE}),
    ("action", "short", "strike", "action"): frozenset({Kind.ACTION_SHORT_OF_STRIKE}),
    ("short", "strike"): frozenset({Kind.ACTION_SHORT_OF_STRIKE}),
    ("offer",): frozenset({Kind.PAY_OFFER}),
    ("pay", "offer"): frozenset({Kind.PAY_OFFER}),
    ("pay", "deal"): frozenset({Kind.PAY_OFFER}),
    ("pay", "award"): frozenset({Kind.PAY_OFFER}),
    ("consultative",): frozenset({Kind.CONSULTATIVE}),
    ("consultation",): frozenset({Kind.CONSULTATIVE}),
    ("indicative",): frozenset({Kind.CONSULTATIVE}),
}
"""Kinds of ballot as members say them; a query naming several accepts any of them."""

KIND_LABELS = {
    Kind.STRIKE: "strike",
    Kind.ACTION_SHORT_OF_STRIKE: "action short of strike",
    Kind.PAY_OFFER: "pay offer",
    Kind.CONSULTATIVE: "consultative",
    Kind.OTHER: "other",
}
"""How a kind is written back to members (each reads back as the same kind)."""

_TEACHERS = ("neu", "nasuwt", "eis", "naht", "ascl", "ssta", "ucac", "into", "utu")
OCCUPATIONS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("teacher",): _TEACHERS,
    ("teachers",): _TEACHERS,
    ("headteachers",): ("naht", "ascl"),
    ("lecturers",): ("ucu", "eis"),
    ("academics",): ("ucu",),
    ("nurses",): ("rcn",),
    ("midwives",): ("rcm",),
    ("doctors",): ("bma", "hcsa"),
    ("physios",): ("csp",),
    ("radiographers",): ("sor",),
    ("firefighters",): ("fbu",),
    ("train", "drivers"): ("aslef",),
    ("rail", "workers"): ("rmt", "tssa", "aslef"),
    ("posties",): ("cwu",),
    ("postal",): ("cwu",),
    ("postal", "workers"): ("cwu",),
    ("civil", "servants"): ("pcs", "fda", "prospect"),
    ("journalists",): ("nuj",),
    ("pilots",): ("balpa",),
    ("actors",): ("equity",),
    ("musicians",): ("mu",),
    ("prison", "officers"): ("poa",),
    ("probation", "officers"): ("napo",),
    ("bakers",): ("bfawu",),
    ("shop", "workers"): ("usdaw",),
}
"""Who members say is balloting, when they do not name the union: ``teachers strike 2023``
means a strike ballot in 2023 of any teachers' union. Read as words of names instead when it
rules everything out."""

STATUSES: dict[tuple[str, ...], str] = {
    ("open",): "open",
    ("live",): "open",
    ("declared",): "declared",
    ("closed",): "closed",
    ("finished",): "closed",
    ("cancelled",): "cancelled",
    ("canceled",): "cancelled",
    ("withdrawn",): "cancelled",
    ("scheduled",): "scheduled",
    ("upcoming",): "scheduled",
    ("coming", "up"): "scheduled",
}
"""Statuses: ``open`` (voting now), ``declared`` (result out), ``closed`` (voting over,
declared or not), ``cancelled``, ``scheduled`` (not open yet)."""

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name.lower()[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
"""Month names and their usual abbreviations -> 1-12."""

FIRST_YEAR = 1900
LAST_YEAR = 2099
"""A four-digit number in this range is a year."""
