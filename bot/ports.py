"""Every interface the core depends on, in one place.

The core is written against these Protocols only. Their implementations are named for how
they do it and what they are: ``storage`` keeps data in SQL (``SqlBallotStore``,
``SqlOutbox``, ``SqlSubscriptions``, ``SqlDeclarations``, ``SqlReminderStore``, ``SqlPacer``,
``SqlFeedStates``, ``SqlSeenRequests``), the adapters talk to the platforms
(``SlackSender``, ``DiscordSender``, ``ConsoleSender``) and the web (``HttpFeedSource``), and
the core keeps one of its own (``InProcessPacer``). They are put together in one composition
root, ``adapters.compose``. Within the core, :class:`CommandService` and :class:`FormService`
are what :class:`bot.core.Core` hands commands and forms to (the announcement and reminder
services). The last one, :class:`Answerer`, is the other way round: what the adapters ask of
the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from bot.announce.model import (
    Announce,
    AuditEntry,
    Declared,
    Delivery,
    DmCounts,
    FilterKind,
    OutboxItem,
    OutboxKind,
    Subscription,
    Target,
)
from bot.commands import Handler
from bot.domain import Ballot, CatalogEntry, SaveReport
from bot.privacy.report import Inventory, MemberBallot
from bot.reminders.model import Forgotten, Member, PlanChanges
from bot.replies import Reply
from bot.requests import FormSubmission, Request

if TYPE_CHECKING:  # the search package itself reads the ports: a type only, no import loop
    from bot.search.index import SearchIndex, Suggestion

# -- ballots ------------------------------------------------------------------------------

IndexBuilt = tuple["SearchIndex", int]
"""A search index and the length of the longest name in it."""


Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as a long write goes (ballots stored, then announcements queued):
a terminal draws a bar with it; nothing else depends on it. A new stage of the work starts
its own count (another total, or a count that starts again)."""


class BallotReader(Protocol):
    """Whole ballots read on the calling thread, blocking: an embedded database (a SQLite
    file, microseconds a ballot) that the core reads from its CPU thread, beside the search
    and the card, instead of hopping to the database's own thread."""

    def read_now(self, ballot_ids: Sequence[str]) -> list[Ballot]:
        """The ballots of ``ballot_ids`` that exist, whole, in the order asked."""
        ...


class BallotStore(Protocol):
    """Ballots in and out, as domain objects. SQL stays behind this."""

    async def get(self, ballot_id: str) -> Ballot | None:
        """One ballot with its questions and results, or None."""
        ...

    async def get_many(self, ballot_ids: Sequence[str]) -> list[Ballot]:
        """Several ballots in one round trip, in the order asked (missing ones left out)."""
        ...

    async def all_ballots(self) -> list[Ballot]:
        """Every ballot, newest first (export, search index)."""
        ...

    async def catalog(self) -> list[CatalogEntry]:
        """Every ballot's id, date and names: what the search index is built from."""
        ...

    async def open_ballots(self, today: date) -> list[Ballot]:
        """Ballots open on ``today``: status open, or opened and not yet closed."""
        ...

    async def upcoming_ballots(self, today: date) -> list[Ballot]:
        """Open or scheduled ballots not closed before ``today``: reminders may be due."""
        ...

    async def recent_results(self, limit: int) -> list[Ballot]:
        """The latest ballots that have a result, newest first."""
        ...

    async def save(
        self, ballots: Sequence[Ballot], *, progress: Progress | None = None
    ) -> SaveReport:
        """Create or replace ballots by id, all in one transaction: all or nothing.
        ``progress(done, total)`` is told the ballots written so far, as they are written."""
        ...

    async def count(self) -> int: ...

    async def catalog_version(self) -> int:
        """A number that changes whenever any ballot changes, so caches know to rebuild."""
        ...


# -- announcements ------------------------------------------------------------------------


class Subscriptions(Protocol):
    """Which channels follow which ballots."""

    async def subscribe(self, target: Target, kind: FilterKind, value: str, who: str) -> bool:
        """Follow; False when this channel already followed exactly this."""
        ...

    async def unsubscribe(self, target: Target, kind: FilterKind | None, value: str) -> int:
        """Stop following (``kind`` None: everything this channel follows); how many."""
        ...

    async def subscriptions(self, target: Target | None = None) -> list[Subscription]:
        """Active subscriptions of one channel, or of every channel."""
        ...


class Declarations(Protocol):
    """Ballots declared by organisers, imports and feeds, with their audit log."""

    async def declare(
        self,
        ballots: Sequence[Ballot],
        who: str,
        action: str,
        announce: Announce,
        progress: Progress | None = None,
    ) -> Declared:
        """``progress`` as for :meth:`BallotStore.save`.

        Save the ballots; in the same transaction audit each change and enqueue, as
        ``announce`` says, a result (or, where one was sent, a correction) per following
        channel (:func:`bot.announce.corrections.announcements_due`). All or nothing."""
        ...

    async def audit(self, ballot_id: str) -> list[AuditEntry]:
        """Every change to one ballot, oldest first: who, what, and the figures before and
        after."""
        ...


class Outbox(Protocol):
    """Messages waiting to go to channels and members, claimed and sent by dispatchers."""

    async def claim(
        self, platforms: Sequence[str], limit: int, now: datetime, lease_seconds: float
    ) -> list[OutboxItem]:
        """Take due rows for these platforms: pending ones, and claims whose lease ran out.
        Rows for a platform this process has no sender for are left to a process that has."""
        ...

    async def enqueue(
        self,
        kind: OutboxKind,
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

    async def failed(self, item_id: int, error: str, deactivate: bool) -> None:
        """The row will never go. With ``deactivate`` the target is gone: a channel stops
        following (its subscription), a member stops getting reminders about the ballot."""
        ...

    async def deliveries(
        self, ballot_id: str | None, limit: int = 50, members: bool = True
    ) -> list[Delivery]:
        """The latest rows, newest first; ``members=False`` leaves out DMs to members."""
        ...

    async def dm_counts(self, ballot_id: str | None) -> list[DmCounts]:
        """Reminder DMs per ballot and stage: sent, pending (claimed included), failed."""
        ...


class Pacer(Protocol):
    async def wait(
        self, platform: str, platform_interval: float, channel: str, channel_interval: float
    ) -> None:
        """Return when a message may go to ``channel`` on ``platform``; take that slot."""
        ...


# -- reminders ----------------------------------------------------------------------------


class ReminderStore(Protocol):
    """Plans, opt-ins and confirmations. SQL stays behind this."""

    async def plan_changes(self, ballot_id: str) -> PlanChanges: ...

    async def change_plan(self, ballot_id: str, changes: PlanChanges) -> None: ...

    async def opt_in(self, member: Member, ballot_ids: Sequence[str]) -> int:
        """Ask for DMs about these ballots; how many were new."""
        ...

    async def opt_out(self, member: Member, ballot_ids: Sequence[str] | None) -> int:
        """Stop DMs (``None``: about every ballot); how many opt-ins went."""
        ...

    async def posted(self, member: Member, ballot_id: str) -> bool:
        """ "I've posted my paper": no more DMs about it; False if said before. Messages to
        the member about that ballot still waiting to go are dropped."""
        ...

    async def to_remind(self, ballot_id: str) -> list[Member]:
        """Members who opted in for this ballot and have not said they posted their paper."""
        ...

    async def confirmed(self, ballot_id: str) -> int:
        """How many members said they posted their paper: a count, never names."""
        ...

    async def forget(self, member: Member) -> Forgotten:
        """Erase every row about this member: opt-ins, confirmations, every message addressed
        to them, their pacing slots; their id in the audit log becomes their pseudonym. On
        SQLite the write-ahead log is then checkpointed and emptied, so the erased rows are
        gone from the files too (secure delete zeroes them in the database file)."""
        ...

    async def purge(self, ballot_ids: Sequence[str]) -> Forgotten:
        """Retention: erase opt-ins, confirmations and DMs of these (ended) ballots, and pacing
        slots long past; then, on SQLite, empty the write-ahead log as :meth:`forget` does."""
        ...

    async def ballots_with_members(self) -> list[str]:
        """Ballot ids that still have opt-ins or confirmations (for retention)."""
        ...

    async def member_ballots(self) -> list[MemberBallot]:
        """Every ballot member rows are about, with the day the store recorded it ended."""
        ...

    async def inventory(self) -> Inventory:
        """Counts of what is stored about members (never who)."""
        ...


# -- requests -----------------------------------------------------------------------------


class SeenRequests(Protocol):
    """Platform request ids already handled by some process (Slack retries a slow one)."""

    async def first_time(self, key: str) -> bool:
        """Record ``key``; False when any process of the deployment recorded it already."""
        ...


class CommandService(Protocol):
    """A service the core hands some commands to: subscriptions and organiser commands
    (:class:`bot.announce.service.AnnouncementService`), reminders
    (:class:`bot.reminders.service.ReminderService`)."""

    def handlers(self) -> Mapping[type, Handler]:
        """Its handler for each command type it answers (the core's one dispatch table)."""
        ...


class FormService(CommandService, Protocol):
    """A service whose replies can be forms (organiser commands): it takes them back."""

    async def submit(self, form: FormSubmission, request: Request) -> Reply:
        """The reply to a form this service sent, filled in and submitted."""
        ...


class Answerer(Protocol):
    """What an adapter asks of the core (:class:`bot.core.Core` is one)."""

    async def handle(self, request: Request) -> Reply:
        """The reply to one request: typed text, a button pressed or a form submitted."""
        ...

    async def suggest(self, text: str, limit: int = 25) -> list[Suggestion]:
        """Names to offer while a member types (Discord autocomplete), each with the ``#id``
        a pick submits."""
        ...


# -- sending ------------------------------------------------------------------------------


class SendError(Exception):
    """A platform refused or failed a send."""


class RetryableSendError(SendError):
    """Try again later (rate limited past the bound, 5xx, connection lost).

    ``retry_after`` is the platform's own advice in seconds, when it gave one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """The target is gone: never retry, and stop sending there (channel not found, archived,
    bot removed or not in it, member cannot be messaged, app uninstalled)."""


class RefusedSendError(SendError):
    """The platform refused this message, not the target (Slack ``invalid_blocks``,
    ``msg_too_long``; Discord 400 "Invalid Form Body", an edit of a message that is gone):
    sending it again would be refused again, so the message fails and the organisers are
    told why, but the channel keeps following results."""


class Sender(Protocol):
    """One platform's outgoing side, used by announcements and reminders.

    Implemented by each adapter; the core never knows which platform it talks to.
    """

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        """Post a card to a channel; return the platform's message id."""
        ...

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Edit a message already posted (corrections)."""
        ...

    async def dm(self, user_id: str, reply: Reply) -> str:
        """Send a direct message to a member who asked for it; return the message id."""
        ...


# -- feeds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    """What the bot remembers of one results feed between polls."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    primed: bool = False
    """Read once already: from then on, what is new in it is announced."""
    failures: int = 0
    last_error: str | None = None
    checked_at: datetime | None = None


class FeedStates(Protocol):
    """Each feed's state, kept across restarts."""

    async def get(self, url: str) -> FeedState:
        """The feed's state; a fresh :class:`FeedState` for a feed never polled."""
        ...

    async def put(self, state: FeedState) -> None: ...


class FeedError(Exception):
    """The feed could not be read or its contents were refused; the message says why."""


class Fetched(NamedTuple):
    """A feed's whole body as text, with the validators for the next conditional request."""

    text: str
    etag: str | None
    last_modified: str | None


class FeedSource(Protocol):
    """Where feeds are read from (HTTP, ``adapters.feed_http``)."""

    async def fetch(self, url: str, format: str, state: FeedState) -> Fetched | None:
        """The feed's body, or None when unchanged since ``state`` (HTTP 304).

        ``format`` is ``"csv"`` or ``"json"``. Raises :class:`FeedError` for whatever stops
        the whole feed from being read (network, status, size, encoding)."""
        ...


# -- the search index between starts -------------------------------------------------------


class SavedIndex(Protocol):
    """The search index kept between starts (a file beside the database), so a one-shot
    answer or a restart does not read the whole catalogue and rebuild it."""

    async def load(self, version: int, key: str) -> IndexBuilt | None:
        """The index saved for catalogue ``version`` and build ``key``, with the length of
        the longest name in it; None if there is none, or it was built from another version,
        other settings or other code."""
        ...

    async def save(self, version: int, key: str, index: SearchIndex, longest: int) -> None:
        """Keep ``index`` (and its longest name's length) for the next start; never raises
        (it is only a cache)."""
        ...

    async def build(
        self, version: int, key: str, make: Callable[[Sequence[CatalogEntry]], IndexBuilt]
    ) -> IndexBuilt | None:
        """Build the index of catalogue ``version`` in another process, where ``make``
        (picklable: a module-level function or a partial of one) is given the catalogue,
        keep it as :meth:`save` does, and give it back as :meth:`load` would; None (after
        logging why) when it could not, and the caller builds it itself."""
        ...
