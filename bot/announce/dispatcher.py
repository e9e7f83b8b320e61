"""The dispatcher: delivers outbox rows through each platform's Sender, once.

It claims rows (a lease, so a crashed dispatcher's rows go out after it expires), sends, and
records the platform's message id; a row with a message id is never sent again. Discord gets
the row id as its nonce, so even a send repeated after a crash is dropped by Discord. Slack
has no such key: a crash between Slack accepting a message and the id being recorded can
repeat that one message, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.announce.model import OutboxItem, OutboxKind, Target
from bot.announce.pacing import InProcessPacer
from bot.domain import Ballot
from bot.ports import (
    BallotStore,
    Outbox,
    Pacer,
    PermanentSendError,
    RefusedSendError,
    RetryableSendError,
    Sender,
)
from bot.privacy.logs import acting_for
from bot.privacy.pseudonyms import Pseudonyms, dm_pacing_key
from bot.replies import Reply, ReplyKind, Tone

log = logging.getLogger(__name__)

ReminderCard = Callable[[Ballot, OutboxItem], Awaitable[Reply]]
"""The reminder a channel or a member gets, drawn at send time (turnout so far is live)."""


class DmFailed(Exception):
    """A DM's delivery failed unexpectedly; the details, by pseudonym, are in the log."""


@dataclass(frozen=True)
class Pacing:
    """Platform limits: Slack about 1 message per second per channel; Discord 50 requests a
    second per bot. ``backoff`` doubles from ``first_retry`` up to ``max_retry``."""

    per_channel_seconds: float = 1.0
    per_platform_per_second: float = 48.0
    first_retry: float = 2.0
    max_retry: float = 300.0
    max_attempts: int = 8
    lease_seconds: float = 60.0
    batch: int = 50


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        ballots: BallotStore,
        senders: Mapping[str, Sender],
        card: Callable[[Ballot], Reply | Awaitable[Reply]],
        pacing: Pacing = Pacing(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        organisers: Sequence[Target] = (),
        reminder_card: ReminderCard | None = None,
        pacer: Pacer | None = None,
        pseudonyms: Pseudonyms | None = None,
    ) -> None:
        self.outbox = outbox
        self.ballots = ballots
        self.senders = dict(senders)
        self.card = card
        self.pacing = pacing
        self.clock = clock
        self.organisers = tuple(organisers)
        self.reminder_card = reminder_card
        self.pacer = pacer or InProcessPacer()
        self.pseudonyms = pseudonyms or Pseudonyms.random()
        """A DM's member is logged and paced by pseudonym, never by id."""
        self._ballots: dict[str, Ballot | None] = {}  # per round: one read per ballot
        self._cards: dict[str, Reply] = {}  # and one card (and picture) per ballot

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Deliver what is due now; how many were sent.

        Each platform is served by its own task, so one platform's rate limit never holds
        back another's messages. When ``stop`` is set midway, the rows not yet tried are
        handed back at once rather than waiting for their lease to end.
        """
        self._ballots, self._cards = {}, {}
        platforms = list(self.senders)
        if len(platforms) <= 1:
            return sum([await self._run_platform(p, stop) for p in platforms])
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._run_platform(p, stop)) for p in platforms]
        return sum(task.result() for task in tasks)

    async def _run_platform(self, platform: str, stop: asyncio.Event | None) -> int:
        items = await self.outbox.claim(
            [platform], self.pacing.batch, self.clock(), self.pacing.lease_seconds
        )
        sent = 0
        for done, item in enumerate(items):
            if stop is not None and stop.is_set():
                await self.outbox.release([i.id for i in items[done:]])
                break
            sent += await self._deliver(item)
        return sent

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set; a failing round is logged, never fatal."""
        while not stop.is_set():
            try:
                busy = await self.run_once(stop)
            except Exception:
                log.exception("dispatcher round failed; trying again")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_seconds)

    async def _deliver(self, item: OutboxItem) -> int:
        if item.kind is not OutboxKind.DM:
            return await self._deliver_item(item)
        # Whatever is logged while this member's DM goes names them by pseudonym only; a
        # failure is logged here, in full, and leaves as a summary that cannot name them.
        with acting_for(item.target.platform, item.target.channel_id):
            try:
                return await self._deliver_item(item)
            except Exception:
                log.exception("the DM of outbox row %s failed", item.id)
                raise DmFailed(f"the DM of outbox row {item.id} failed (logged above)") from None

    async def _deliver_item(self, item: OutboxItem) -> int:
        sender = self.senders[item.target.platform]  # claimed only for these platforms
        if item.kind is OutboxKind.NOTICE:
            reply, ballot = _notice(item), None
        else:
            if item.ballot_id not in self._ballots:
                self._ballots[item.ballot_id] = await self.ballots.get(item.ballot_id)
            ballot = self._ballots[item.ballot_id]
            if ballot is None:
                await self.outbox.failed(item.id, "the ballot no longer exists", deactivate=False)
                return 0
            if item.kind in (OutboxKind.REMINDER, OutboxKind.DM):
                if self.reminder_card is None:
                    await self.outbox.failed(item.id, "reminders are not set up", deactivate=False)
                    return 0
                key = f"{ballot.id}\x00{item.kind}\x00{item.revision}"
                if key not in self._cards:  # the same for every member: drawn once a round
                    self._cards[key] = await self.reminder_card(ballot, item)
                reply = self._cards[key]
            else:
                reply = await self._message(item, ballot)
        await self._pace(item)
        if not await self._still_ours(item):
            log.info("outbox row %s was taken over by another dispatcher: not sending", item.id)
            return 0
        sending = asyncio.ensure_future(self._send(sender, item, ballot, reply))
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            # Stopped (or a sibling task failed) mid-send: the platform may have the message
            # already, so it is finished and recorded before stopping; otherwise the next
            # round would send it again.
            with contextlib.suppress(Exception):
                await sending
            raise

    async def _send(
        self, sender: Sender, item: OutboxItem, ballot: Ballot | None, reply: Reply
    ) -> int:
        try:
            if item.kind is OutboxKind.CORRECTION and item.corrects_message_id:
                await sender.update(item.target.channel_id, item.corrects_message_id, reply)
                message_id = item.corrects_message_id
            elif item.kind is OutboxKind.DM:
                message_id = await sender.dm(item.target.channel_id, reply)
            else:
                message_id = await sender.post(item.target.channel_id, reply, nonce=f"bb{item.id}")
        except RetryableSendError as exc:
            await self._retry(item, exc)
            return 0
        except PermanentSendError as exc:
            await self._gone(item, ballot, exc)
            return 0
        except RefusedSendError as exc:
            await self._refused(item, ballot, exc)
            return 0
        await self.outbox.sent(item.id, message_id, self.clock())
        return 1

    async def _still_ours(self, item: OutboxItem) -> bool:
        """May this dispatcher send the row? Within the first half of its lease nobody else
        can have taken it, so no question is asked; past that (a long batch, a slow platform)
        the claim is confirmed and renewed in the database before the send."""
        now = self.clock()
        if item.lease_until is not None:
            half = timedelta(seconds=self.pacing.lease_seconds / 2)
            if now < item.lease_until - half:
                return True
        return await self.outbox.confirm(item, now, self.pacing.lease_seconds)

    async def _gone(self, item: OutboxItem, ballot: Ballot | None, exc: PermanentSendError) -> None:
        """Never retried: the channel stops following, and the organisers are told."""
        if ballot is None:  # an organisers' channel gone: no notice about a notice
            await self.outbox.failed(item.id, f"permanent: {exc}", deactivate=False)
            return
        if item.kind is OutboxKind.DM:  # the member cannot be messaged: their opt-in goes
            member = self.pseudonyms.label(item.target.platform, item.target.channel_id)
            why = self._said(item, exc)
            log.warning("cannot DM %s (%s): reminders for them stopped", member, why)
            await self.outbox.failed(item.id, f"permanent: {why}", deactivate=True)
            return
        log.warning("channel %s gone (%s): subscription deactivated", item.target, exc)
        await self.outbox.failed(item.id, f"permanent: {exc}", deactivate=True)
        where = f"{item.target.platform} channel {item.target.channel_id}"
        await self.outbox.notify(
            self.organisers,
            ballot.id,
            f"The {item.kind} for {ballot.title} could not be delivered to {where}: {exc}. "
            "That channel no longer follows results; subscribe it again once the bot is back in.",
        )

    async def _refused(
        self, item: OutboxItem, ballot: Ballot | None, exc: RefusedSendError
    ) -> None:
        """The platform refused this message, not the channel: the row fails with the reason
        (``admin deliveries`` shows it), the channel keeps following, organisers are told."""
        why = self._said(item, exc)
        if item.kind is OutboxKind.DM:
            member = self.pseudonyms.label(item.target.platform, item.target.channel_id)
            log.warning("DM for %s refused for %s: %s", item.ballot_id, member, why)
        else:
            log.warning("%s for %s refused in %s: %s", item.kind, item.ballot_id, item.target, why)
        await self.outbox.failed(item.id, f"refused: {why}", deactivate=False)
        if ballot is None:  # a notice to organisers refused: no notice about a notice
            return
        where = f"{item.target.platform} channel {item.target.channel_id}"
        if item.kind is OutboxKind.DM:
            where = f"a direct message on {item.target.platform}"
        await self.outbox.notify(
            self.organisers,
            ballot.id,
            f"The {item.kind} for {ballot.title} was refused in {where}: {why}. Nothing else "
            "changed: the channel still follows results. `/ballot admin deliveries "
            f"{ballot.id}` lists it.",
        )

    async def _message(self, item: OutboxItem, ballot: Ballot) -> Reply:
        reply = self._cards.get(ballot.id)
        if reply is None:
            made = self.card(ballot)  # drawn off the event loop when the card is awaitable
            reply = await made if inspect.isawaitable(made) else made
            self._cards[ballot.id] = reply
        if item.kind is OutboxKind.CORRECTION:
            note = (
                f"Corrected on {self.clock():%d %B %Y}: the figures above replace the earlier ones."
            )
            footer = f"{note} {reply.footer}" if reply.footer else note
            return replace(reply, header=f"Correction: {reply.header}", footer=footer)
        return replace(reply, header=f"New result: {reply.header}")

    async def _retry(self, item: OutboxItem, exc: RetryableSendError) -> None:
        why = self._said(item, exc)
        if item.attempts + 1 >= self.pacing.max_attempts:
            await self.outbox.failed(item.id, f"gave up: {why}", deactivate=False)
            return
        # A platform's own Retry-After is exact advice; without one, back off exponentially.
        backoff = min(self.pacing.max_retry, self.pacing.first_retry * 2**item.attempts)
        wait = exc.retry_after if exc.retry_after is not None else backoff
        await self.outbox.retry(item.id, self.clock() + timedelta(seconds=wait), why)

    def _said(self, item: OutboxItem, exc: Exception) -> str:
        """What the platform said, as the delivery log and the bot's log keep it: for a DM,
        with the member's id (a platform may quote it) replaced by their pseudonym."""
        if item.kind is not OutboxKind.DM:
            return str(exc)
        return self.pseudonyms.scrub(str(exc), item.target.platform, item.target.channel_id)

    async def _pace(self, item: OutboxItem) -> None:
        """Wait for the platform's and the channel's next free slot (shared by every
        process of the deployment when the pacer is the database's)."""
        target = item.target
        platform = target.platform
        if platform == "slack" and target.workspace:
            platform = f"slack:{target.workspace}"  # Slack's ceilings are per workspace
        channel = f"{target.platform}:{target.channel_id}"
        if item.kind is OutboxKind.DM:  # shared pacing rows never hold a member's id
            channel = dm_pacing_key(self.pseudonyms, target.platform, target.channel_id)
        await self.pacer.wait(
            platform,
            1.0 / self.pacing.per_platform_per_second,
            channel,
            self.pacing.per_channel_seconds,
        )


def _notice(item: OutboxItem) -> Reply:
    """A word to the organisers, in the words it was queued with."""
    header = (
        "A results feed is failing"
        if item.ballot_id.startswith("feed:")
        else ("An announcement could not be delivered")
    )
    return Reply(header=header, text=item.body or "", tone=Tone.FAILED, kind=ReplyKind.NOTICE)
