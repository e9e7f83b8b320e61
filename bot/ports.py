"""Every interface the core needs from the outside world, in one place.

The core depends on these Protocols only; ``storage`` implements them with SQLAlchemy and the
adapters implement the senders. Wiring happens in one composition root (:mod:`bot.app`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.domain import Ballot, CatalogEntry
from bot.replies import Reply
from bot.search import SearchIndex


@dataclass(frozen=True)
class SaveReport:
    """What a save changed: importing the same file twice reports only ``unchanged``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as a long write goes (ballots stored, messages sent): a terminal
draws a bar with it; nothing else depends on it."""


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


class SavedIndex(Protocol):
    """The search index kept between starts (a file beside the database), so a one-shot
    answer or a restart does not read the whole catalogue and rebuild it."""

    async def load(self, version: int, key: str) -> SearchIndex | None:
        """The index saved for catalogue ``version`` and build ``key``; None if there is
        none, or it was built from another version, other settings or other code."""
        ...

    async def save(self, version: int, key: str, index: SearchIndex) -> None:
        """Keep ``index`` for the next start; never raises (it is only a cache)."""
        ...
