"""Announcements as the core sees them: who follows what, and what is waiting to be sent.

The stores that keep them are interfaces of :mod:`bot.ports` (``Subscriptions``,
``Declarations``, ``Outbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import Ballot, SaveReport, Status
from bot.search import BUILTIN_TABLE, UnionTable, normalise


class FilterKind(StrEnum):
    ALL = "all"
    UNION = "union"
    EMPLOYER = "employer"
    AREA = "area"
    SECTOR = "sector"
    CAMPAIGN = "campaign"


@dataclass(frozen=True)
class Target:
    """A channel on one platform."""

    platform: str
    channel_id: str
    workspace: str | None = None


@dataclass(frozen=True)
class Subscription:
    id: int
    target: Target
    kind: FilterKind
    value: str  # normalised (a union's key for unions); "" for everything
    active: bool

    def matches(self, ballot: Ballot, unions: UnionTable = BUILTIN_TABLE) -> bool:
        """Does this channel follow this ballot? A union is followed under any of its names
        (``rcn`` follows ballots stored as "Royal College of Nursing"); other names compare
        normalised on both sides, so a value stored before accents were folded still matches."""
        match self.kind:
            case FilterKind.ALL:
                return True
            case FilterKind.UNION:
                return unions.key_of(self.value) in {unions.key_of(u) for u in ballot.unions}
            case FilterKind.EMPLOYER:
                names = (ballot.employer, ballot.branch or "", *ballot.aliases)
            case FilterKind.AREA:
                names = (ballot.area or "",)
            case FilterKind.SECTOR:
                names = (ballot.sector or "",)
            case FilterKind.CAMPAIGN:
                names = (ballot.campaign or "",)
        return normalise(self.value) in {normalise(n) for n in names}

    def describe(self) -> str:
        return "every result" if self.kind is FilterKind.ALL else f"{self.kind}: {self.value}"


class OutboxKind(StrEnum):
    """What an outbox row carries (stored as these strings)."""

    RESULT = "result"
    CORRECTION = "correction"
    NOTICE = "notice"
    """A word to the organisers' channels (a channel that can no longer be reached)."""
    REMINDER = "reminder"
    """A turnout reminder to a channel; the row's revision is the plan's stage."""
    DM = "dm"
    """A turnout reminder to a member who asked for it; ``channel_id`` is their user id."""


class OutboxState(StrEnum):
    """Where an outbox row is on its way (stored as these strings).

    ``pending`` -> ``claimed`` (a dispatcher holds it for a lease) -> ``sent`` or ``failed``,
    or back to ``pending`` to be tried again; a result or correction not yet sent whose
    figures were declared again is ``superseded`` by the newer row.
    """

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class Announce(StrEnum):
    """Which saved ballots go to the channels that follow them."""

    NONE = "none"
    """Back-filling history, reported turnout, a cancellation: nothing is sent."""
    NEW_RESULTS = "new_results"
    """Imports and feeds: a ballot whose result is new or whose figures changed."""
    ALL = "all"
    """An organiser's "announce now": every ballot given, changed or not."""


def result_is_news(before: Ballot | None, after: Ballot) -> bool:
    """A declared result members have not heard yet: new, or with different figures."""
    if not after.has_result or after.effective_status is Status.CANCELLED:
        return False
    if before is None or not before.has_result:
        return True
    return [q.result for q in before.questions] != [q.result for q in after.questions]


@dataclass(frozen=True)
class Declared:
    """What a declaration saved and queued."""

    report: SaveReport
    results: int = 0
    corrections: int = 0


@dataclass(frozen=True)
class OutboxItem:
    """One message to one channel, claimed by a dispatcher for a while (its lease)."""

    id: int
    kind: OutboxKind
    ballot_id: str
    target: Target
    subscription_id: int | None
    corrects_message_id: str | None
    attempts: int
    body: str | None = None
    revision: str = ""
    """The figures' version for results; the plan's stage for reminders."""
    claim: str = ""
    """This dispatcher's claim: a row whose lease ran out and was taken by another is not
    this dispatcher's to send any more."""
    lease_until: datetime | None = None
    """Until when no other dispatcher may take the row (as claimed)."""


@dataclass(frozen=True)
class Delivery:
    """A row of the delivery log, as organisers read it."""

    ballot_id: str
    kind: OutboxKind
    target: Target
    state: OutboxState
    attempts: int
    error: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class DmCounts:
    """Reminder DMs of one ballot and stage, counted: organisers never see which member."""

    ballot_id: str
    stage: str
    sent: int = 0
    pending: int = 0
    failed: int = 0


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str
    action: str
    ballot_id: str | None
    before: str | None
    after: str | None


def matching(
    subscriptions: Sequence[Subscription], ballot: Ballot, unions: UnionTable = BUILTIN_TABLE
) -> list[Subscription]:
    """The active subscriptions that follow ``ballot``, one per channel."""
    seen: set[Target] = set()
    out = []
    for subscription in subscriptions:
        if (
            subscription.active
            and subscription.target not in seen
            and subscription.matches(ballot, unions)
        ):
            seen.add(subscription.target)
            out.append(subscription)
    return out
