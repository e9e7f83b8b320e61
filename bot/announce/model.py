"""Announcements as the core sees them: who follows what, and what is waiting to be sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain import Ballot, Status
from bot.ports import Progress, SaveReport
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


class Kind(StrEnum):
    RESULT = "result"
    CORRECTION = "correction"
    NOTICE = "notice"
    """A word to the organisers' channels (a channel that can no longer be reached)."""
    REMINDER = "reminder"
    """A turnout reminder to a channel; the row's revision is the plan's stage."""
    DM = "dm"
    """A turnout reminder to a member who asked for it; ``channel_id`` is their user id."""


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
    kind: Kind
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
    kind: str
    target: Target
    state: str
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


class AnnouncementStore(Protocol):
    """Subscriptions, the outbox and the audit log. SQL stays behind this."""

    async def subscribe(self, target: Target, kind: FilterKind, value: str, who: str) -> bool:
        """Follow; False when this channel already followed exactly this."""
        ...

    async def unsubscribe(self, target: Target, kind: FilterKind | None, value: str) -> int:
        """Stop following (``kind`` None: everything this channel follows); how many."""
        ...

    async def subscriptions(self, target: Target | None = None) -> list[Subscription]:
        """Active subscriptions of one channel, or of every channel."""
        ...

    async def declare(
        self,
        ballots: Sequence[Ballot],
        who: str,
        action: str,
        announce: Announce,
        progress: Progress | None = None,
    ) -> Declared:
        """Save the ballots; in the same transaction audit each change and enqueue, as
        ``announce`` says, a result (or, where one was sent, a correction) per following
        channel. All or nothing. ``progress`` as for :meth:`bot.ports.BallotStore.save`."""
        ...

    async def claim(
        self, platforms: Sequence[str], limit: int, now: datetime, lease_seconds: float
    ) -> list[OutboxItem]:
        """Take due rows for these platforms: pending ones, and claims whose lease ran out.
        Rows for a platform this process has no sender for are left to a process that has."""
        ...

    async def enqueue(
        self,
        kind: Kind,
        ballot_id: str,
        revision: str,
        targets: Sequence[Target],
        not_before: datetime,
        once_since: datetime | None = None,
        now: datetime | None = None,
    ) -> int:
        """Queue a reminder to each target, once per (kind, ballot, revision, target)."""
        ...

    async def notify(self, targets: Sequence[Target], ballot_id: str, text: str) -> int:
        """Queue a notice to each of these channels (once per text and channel)."""
        ...

    async def release(self, item_ids: Sequence[int]) -> None:
        """Hand claimed rows back untried (a dispatcher stopping)."""
        ...

    async def confirm(self, item: OutboxItem, now: datetime, lease_seconds: float) -> bool:
        """Just before sending: is the row still ours? If so, renew its lease. False when the
        lease ran out and another dispatcher took the row (it sends it, not us)."""
        ...

    async def sent(self, item_id: int, message_id: str, now: datetime) -> None: ...

    async def retry(self, item_id: int, at: datetime, error: str) -> None: ...

    async def failed(self, item_id: int, error: str, deactivate: bool) -> None: ...

    async def deliveries(
        self, ballot_id: str | None, limit: int = 50, members: bool = True
    ) -> list[Delivery]:
        """The latest rows, newest first; ``members=False`` leaves out DMs to members."""
        ...

    async def dm_counts(self, ballot_id: str | None) -> list[DmCounts]:
        """Reminder DMs per ballot and stage: sent, pending (claimed included), failed."""
        ...

    async def audit(self, ballot_id: str) -> list[AuditEntry]: ...


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
