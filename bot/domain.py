"""The ballot domain: what a ballot is, with every figure allowed to be unknown.

Pure data, no I/O. ``None`` always means "the source does not say": nothing here ever fills a
figure or a date that was not reported. Derived figures live in :mod:`bot.figures` so that what
was reported and what was computed can never be confused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache


class Kind(StrEnum):
    """What a question asks. Only strike and action short of a strike are statutory."""

    STRIKE = "strike"
    ACTION_SHORT_OF_STRIKE = "action_short_of_strike"
    PAY_OFFER = "pay_offer"
    CONSULTATIVE = "consultative"
    OTHER = "other"

    @property
    def statutory(self) -> bool:
        """Statutory industrial-action questions are the only ones with legal thresholds."""
        return self in (Kind.STRIKE, Kind.ACTION_SHORT_OF_STRIKE)

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    Kind.STRIKE: "strike ballot",
    Kind.ACTION_SHORT_OF_STRIKE: "ballot on action short of a strike",
    Kind.PAY_OFFER: "vote on a pay offer",
    Kind.CONSULTATIVE: "consultative ballot",
    Kind.OTHER: "ballot",
}


class Jurisdiction(StrEnum):
    GB = "GB"
    NI = "NI"


class Method(StrEnum):
    POSTAL = "postal"
    ELECTRONIC = "electronic"
    WORKPLACE = "workplace"


class YesNoUnknown(StrEnum):
    """A flag the source may not settle (important public services)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ReportedMandate(StrEnum):
    """What the union itself declared came of a question: a reported fact, not a verdict.

    ``partial`` is for a disaggregated ballot reported as one line: "a mandate at Network
    Rail and 14 of 15 operators" (each employer's ballot stands alone, s.228).
    """

    YES = "yes"
    NO = "no"
    PARTIAL = "partial"


class Status(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    DECLARED = "declared"
    CANCELLED = "cancelled"


_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day: news reports often print no more.

    The precision is kept, so "2013" is never shown as "1 January 2013".
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # 0 is not "unknown": that is None. A month or day 0 would be shown as if not given.
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1 to 12")
        if self.day is not None and self.day < 1:
            raise ValueError(f"day {self.day} is not a day of the month")
        if not 1 <= self.year <= 9998:  # the latest day of the year must exist too
            raise ValueError(f"year {self.year} is out of range")
        # Let datetime validate the calendar (30 February, 31 April...).
        date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; anything else is refused with a reason."""
        match = _PARTIAL_DATE.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = match.groups()
        try:
            return cls(int(year), int(month) if month else None, int(day) if day else None)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date ({exc})") from None

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def exact(self) -> date | None:
        """The calendar date, only when the day is known."""
        if self.day is None or self.month is None:
            return None
        return date(self.year, self.month, self.day)

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        if self.day is not None and self.month is not None:
            return date(self.year, self.month, self.day)
        if self.month is not None:
            nxt = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(self.year, 12, 31)

    def iso(self) -> str:
        """The form it was given in: ``2013``, ``2013-05`` or ``2013-05-14``."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def human(self) -> str:
        """``14 May 2013``, ``May 2013`` or ``2013``."""
        if self.day and self.month:
            return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{_MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return self.iso()


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Percentage(float):
    """A percentage as the source wrote it: the value, and how many decimals it was given to.

    It is a float everywhere a float is expected; ``decimals`` says how far it may have been
    rounded (``53`` is 52.5 to 53.5, ``52.9`` is 52.85 to 52.95), and ``str()`` writes it back
    as it was written (``53``, ``53.0``, ``52.90``), so an export keeps the precision.
    """

    decimals: int

    def __new__(cls, value: float, decimals: int) -> Percentage:
        made = super().__new__(cls, value)
        made.decimals = decimals
        return made

    def __str__(self) -> str:
        return f"{float(self):.{self.decimals}f}"

    def __reduce__(self) -> tuple[type[Percentage], tuple[float, int]]:
        return (Percentage, (float(self), self.decimals))


MAX_DECIMALS = 6
"""Finer than this a reported percentage says nothing more (and a float only pretends to)."""


def written_decimals(value: float) -> int:
    """How many decimals a reported percentage was given to.

    A :class:`Percentage` knows; a plain float is read in its shortest form with trailing
    zeros dropped (``53.0`` -> 0, ``52.9`` -> 1, ``90.44`` -> 2). Dropping zeros can only
    make the rounding look coarser than it was, never finer: a verdict built on it may say
    "not known" where a more precise report would have decided, but never the reverse.
    """
    if isinstance(value, Percentage):
        return value.decimals
    return _shortest_decimals(float(value))


@lru_cache(maxsize=4096)
def _shortest_decimals(value: float) -> int:
    # Cached: a card reads the same few reported figures several times over.
    text = format(value, f".{MAX_DECIMALS}f").rstrip("0")
    return len(text.partition(".")[2])


@dataclass(frozen=True)
class Result:
    """The figures of one question, each ``None`` when not reported.

    ``turnout_pct`` and ``for_pct`` are kept exactly as reported (``for_pct`` is the share of
    valid votes, the way unions usually report it), as a :class:`Percentage` when the decimals
    the source gave are known. ``turnout_approximate`` records a report such as "turnout was
    around 60 per cent".
    """

    votes_for: int | None = None
    votes_against: int | None = None
    spoilt: int | None = None
    turnout_pct: float | None = None
    for_pct: float | None = None
    turnout_approximate: bool = False

    @property
    def is_empty(self) -> bool:
        figures = (self.votes_for, self.votes_against, self.spoilt, self.turnout_pct, self.for_pct)
        return all(v is None for v in figures)


@dataclass(frozen=True)
class Question:
    """One question on the paper. Strike and action short of a strike are separate questions.

    ``reported_mandate`` is what the union declared came of it, and ``reported_by`` where that
    was said ("UNISON press release"): kept beside the figures, never mixed into them.
    """

    text: str
    kind: Kind
    result: Result = field(default_factory=Result)
    reported_mandate: ReportedMandate | None = None
    reported_by: str | None = None


@dataclass(frozen=True)
class TurnoutSoFar:
    """Turnout so far: the share of members entitled who have voted, as organisers report it
    while the ballot runs (``admin turnout``). Never a result: it decides no verdict, does not
    make a ballot count as having a result, and is shown only as "turnout so far".

    ``pct`` as reported (a :class:`Percentage` when its decimals are known); ``reported_at``
    when it was reported (UTC), ``None`` when that was not recorded.
    """

    pct: float
    reported_at: datetime | None = None


@dataclass(frozen=True)
class Ballot:
    """A ballot of one or more unions' members at one employer or branch.

    ``turnout_so_far`` is kept apart from every question's result: see :class:`TurnoutSoFar`.
    """

    id: str
    unions: tuple[str, ...]
    employer: str
    questions: tuple[Question, ...]
    branch: str | None = None
    area: str | None = None
    sector: str | None = None
    jurisdiction: Jurisdiction = Jurisdiction.GB
    method: Method | None = None
    important_public_service: YesNoUnknown = YesNoUnknown.UNKNOWN
    opens: PartialDate | None = None
    closes: PartialDate | None = None
    announced: PartialDate | None = None
    eligible: int | None = None
    source_url: str | None = None
    aliases: tuple[str, ...] = ()
    notes: str | None = None
    status: Status | None = None
    campaign: str | None = None
    turnout_so_far: TurnoutSoFar | None = None

    @property
    def statutory(self) -> bool:
        return any(q.kind.statutory for q in self.questions)

    @property
    def has_result(self) -> bool:
        return any(not q.result.is_empty for q in self.questions)

    @property
    def effective_status(self) -> Status:
        """The stored status, or the one the figures imply when none was given."""
        if self.status is not None:
            return self.status
        return Status.DECLARED if self.has_result else Status.SCHEDULED

    @property
    def running_turnout(self) -> TurnoutSoFar | None:
        """The turnout so far to show: only while no result is known and the ballot is not
        declared or cancelled. Once a result is declared, its own figures speak."""
        if self.has_result or self.effective_status in (Status.DECLARED, Status.CANCELLED):
            return None
        return self.turnout_so_far

    @property
    def title(self) -> str:
        """``Kirklees Council — Unison`` : what a member recognises first."""
        return f"{self.employer} — {' and '.join(self.unions) or 'union not known'}"

    @property
    def sort_date(self) -> date:
        """The date used to pick the latest ballot: the most precise one the source gives."""
        for known in (self.announced, self.closes, self.opens):
            if known is not None:
                return known.latest
        return date.min

    def catalog_entry(self) -> CatalogEntry:
        """What the search index needs of this ballot, and no more."""
        return CatalogEntry(
            self.id,
            self.sort_date,
            tuple(self.search_names()),
            kinds=tuple(dict.fromkeys(q.kind for q in self.questions)),
            status=self.status,
            has_result=self.has_result,
            opens=self.opens,
            closes=self.closes,
            announced=self.announced,
        )

    def search_names(self) -> list[tuple[str, str]]:
        """Every name a member might type to find this ballot, with what kind of name it is."""
        names = [("employer", self.employer)]
        names += [("union", u) for u in self.unions] + [("alias", a) for a in self.aliases]
        optional = (
            ("branch", self.branch),
            ("area", self.area),
            ("campaign", self.campaign),
            ("sector", self.sector),
        )
        names += [(kind, name) for kind, name in optional if name]
        return names


@dataclass(frozen=True)
class CatalogEntry:
    """A ballot as the search index sees it: its id, its date, every name it goes by, and
    what a query can name about it besides (kinds of question, status, dates).

    Reading these is far cheaper than reading whole ballots, so the index of a national
    union's catalog builds in a fraction of a second.
    """

    ballot_id: str
    sort_date: date
    names: tuple[tuple[str, str], ...]
    kinds: tuple[Kind, ...] = ()
    status: Status | None = None
    has_result: bool = False
    opens: PartialDate | None = None
    closes: PartialDate | None = None
    announced: PartialDate | None = None

    @property
    def effective_status(self) -> Status:
        """As :attr:`Ballot.effective_status`."""
        if self.status is not None:
            return self.status
        return Status.DECLARED if self.has_result else Status.SCHEDULED


@dataclass(frozen=True)
class SaveReport:
    """What a save changed: importing the same file twice reports only ``unchanged``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
