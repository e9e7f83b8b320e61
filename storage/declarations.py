"""Declared ballots in SQL (:class:`bot.ports.Declarations`): saved, audited and announced
in one transaction.

A declaration saves the ballot, its audit entry and one outbox row per following channel in
one transaction (the ballot store's ``also`` hook), so a result is never stored without its
announcements nor announced without being stored. Which channel gets a result and which a
correction is the core's decision (:func:`bot.announce.corrections.announcements_due`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.corrections import SentAnnouncement, announcements_due
from bot.announce.model import (
    Announce,
    AuditEntry,
    Declared,
    OutboxKind,
    OutboxState,
    Subscription,
    matching,
    result_is_news,
)
from bot.columns import ballot_fields, ballot_to_dict
from bot.domain import Ballot
from bot.ports import Progress
from bot.search import BUILTIN_TABLE, UnionTable
from storage.ballots import SqlBallotStore
from storage.database import as_utc, dialect_of, upsert_insert
from storage.models import AuditRow, OutboxRow, SubscriptionRow
from storage.subscriptions import subscription_of

ANNOUNCEMENTS = [OutboxKind.RESULT.value, OutboxKind.CORRECTION.value]
_AUDIT_INSERT = insert(cast(Table, AuditRow.__table__))
"""Core, not the ORM's bulk insert: nothing is read back, and the ORM's per-row work was a
tenth of an import."""
_OUTBOX = cast(Table, OutboxRow.__table__)
_SUPERSEDE = (
    # The table, not the ORM class: a list of parameters is then a plain executemany, not
    # the ORM's bulk update by primary key.
    update(_OUTBOX)
    .where(
        _OUTBOX.c.ballot_id == bindparam("stale_ballot"),
        or_(*(_OUTBOX.c.kind == kind for kind in ANNOUNCEMENTS)),  # no IN in an executemany
        _OUTBOX.c.state == OutboxState.PENDING.value,
        _OUTBOX.c.revision != bindparam("stale_revision"),
    )
    .values(state=OutboxState.SUPERSEDED.value)
)
"""Unsent announcements of a ballot's older figures, superseded (executed for many ballots)."""
_AUDIT_CHUNK = 500
"""Audit rows inserted per statement, and ballot ids per ``IN`` list."""


def revision(ballot: Ballot) -> str:
    """A name for this version of the ballot's figures: the same declaration twice is one."""
    figures = json.dumps(ballot_to_dict(ballot), sort_keys=True, default=str)
    return hashlib.sha256(figures.encode()).hexdigest()[:32]


class SqlDeclarations:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ballots: SqlBallotStore,
        unions: UnionTable = BUILTIN_TABLE,
    ) -> None:
        self._sessions = sessions
        self._ballots = ballots
        self._unions = unions

    async def declare(
        self,
        ballots: Sequence[Ballot],
        who: str,
        action: str,
        announce: Announce,
        progress: Progress | None = None,
    ) -> Declared:
        counts = [0, 0]

        async def also(session: AsyncSession, changed: list[tuple[Ballot | None, Ballot]]) -> None:
            now = datetime.now(UTC)
            audit: list[dict[str, object]] = []
            news = [
                after
                for before, after in changed
                if announce is Announce.ALL
                or (announce is Announce.NEW_RESULTS and result_is_news(before, after))
            ]
            changed_ids = {after.id for _, after in changed}
            unchanged = [b for b in ballots if b.id not in changed_ids]
            if announce is Announce.ALL:
                news += unchanged  # announcing again what did not change: still sent
            # Read once per declaration, not once per ballot: an import of 50,000 ballots
            # asks two questions here, not 150,000.
            followed = await self._active(session) if news else []
            queued = await self._with_outbox(session, [b.id for b in news])
            await self._enqueue(session, news, now, counts, followed, queued, progress)
            for before, after in changed:
                audit.append(
                    {
                        "at": now,
                        "who": who,
                        "action": action,
                        "ballot_id": after.id,
                        # What was set, not what the bot works out from it: `admin audit`
                        # compares only that, and deriving figures was a third of an import.
                        "before": json.dumps(ballot_fields(before)) if before else None,
                        "after": json.dumps(ballot_fields(after)),
                    }
                )
                if len(audit) == _AUDIT_CHUNK:  # flat memory: a chunk of JSON at a time
                    await session.execute(_AUDIT_INSERT, audit)
                    audit.clear()
            if announce is Announce.ALL:
                audit += [
                    {
                        "at": now,
                        "who": who,
                        "action": action,
                        "ballot_id": b.id,
                        "before": None,
                        "after": None,
                    }
                    for b in unchanged
                ]
            if audit:
                await session.execute(_AUDIT_INSERT, audit)

        report = await self._ballots.save(ballots, also=also, progress=progress)
        return Declared(report, results=counts[0], corrections=counts[1])

    async def _active(self, session: AsyncSession) -> list[Subscription]:
        rows = await session.scalars(select(SubscriptionRow).where(SubscriptionRow.active))
        return [subscription_of(r) for r in rows]

    async def _with_outbox(self, session: AsyncSession, ballot_ids: list[str]) -> set[str]:
        """Which of these ballots have any outbox row (sent, pending or superseded)."""
        found: set[str] = set()
        for start in range(0, len(ballot_ids), _AUDIT_CHUNK):
            chunk = ballot_ids[start : start + _AUDIT_CHUNK]
            query = select(OutboxRow.ballot_id).where(OutboxRow.ballot_id.in_(chunk)).distinct()
            found.update(await session.scalars(query))
        return found

    async def _enqueue(
        self,
        session: AsyncSession,
        news: list[Ballot],
        now: datetime,
        counts: list[int],
        subscriptions: list[Subscription],
        queued: set[str],
        progress: Progress | None = None,
    ) -> None:
        """A result row per following channel for each ballot in ``news``; where a result
        was already sent there, a correction of that message instead
        (:func:`announcements_due`). Existing keys are left alone (no duplicates). A ballot
        no channel follows and with no outbox row (``queued``) needs nothing.

        In bulk, :data:`_AUDIT_CHUNK` ballots at a time: their sent announcements read in one
        statement, their older unsent figures superseded in one, their rows inserted in one
        (an import of 5,000 results to 20 channels made 15,000 statements, over a minute).
        ``progress(done, total)`` hears of each chunk of ballots queued.
        """
        due = [
            (ballot, followers)
            for ballot in news
            if (followers := matching(subscriptions, ballot, self._unions)) or ballot.id in queued
        ]
        for start in range(0, len(due), _AUDIT_CHUNK):
            chunk = due[start : start + _AUDIT_CHUNK]
            sent = await self._sent(session, [b.id for b, _ in chunk if b.id in queued])
            versions = {ballot.id: revision(ballot) for ballot, _ in chunk}
            stale = [
                {"stale_ballot": ballot.id, "stale_revision": versions[ballot.id]}
                for ballot, _ in chunk
                if ballot.id in queued
            ]
            if stale:
                # Older figures not yet sent are replaced by these: a channel hears the newest
                # once.
                await session.execute(_SUPERSEDE, stale)
            values: list[dict[str, object]] = [
                {
                    "kind": due.kind.value,
                    "ballot_id": ballot.id,
                    "revision": versions[ballot.id],
                    "platform": due.subscription.target.platform,
                    "workspace": due.subscription.target.workspace,
                    "channel_id": due.subscription.target.channel_id,
                    "subscription_id": due.subscription.id,
                    "corrects_id": due.corrects_id,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for ballot, followers in chunk
                for due in announcements_due(
                    followers, sent.get(ballot.id, []), versions[ballot.id]
                )
            ]
            if values:
                await self._insert_announcements(session, values, now, counts)
            if progress is not None:
                progress(min(start + _AUDIT_CHUNK, len(due)), len(due))

    async def _sent(
        self, session: AsyncSession, ballot_ids: list[str]
    ) -> dict[str, list[SentAnnouncement]]:
        """The announcements sent about each of these ballots, oldest first."""
        if not ballot_ids:
            return {}
        announced = await session.execute(
            select(
                OutboxRow.ballot_id,
                OutboxRow.id,
                OutboxRow.kind,
                OutboxRow.platform,
                OutboxRow.channel_id,
                OutboxRow.revision,
            )
            .where(
                OutboxRow.ballot_id.in_(ballot_ids),
                OutboxRow.kind.in_(ANNOUNCEMENTS),
                OutboxRow.message_id.is_not(None),
            )
            .order_by(OutboxRow.id)
        )
        sent: dict[str, list[SentAnnouncement]] = {}
        for ballot_id, row_id, kind, platform, channel, sent_revision in announced:
            sent.setdefault(ballot_id, []).append(
                SentAnnouncement(row_id, OutboxKind(kind), platform, channel, sent_revision)
            )
        return sent

    async def _insert_announcements(
        self,
        session: AsyncSession,
        values: list[dict[str, object]],
        now: datetime,
        counts: list[int],
    ) -> None:
        insert = upsert_insert(dialect_of(self._sessions))
        statement = insert(OutboxRow)
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "ballot_id", "revision", "platform", "channel_id"],
            set_={
                "state": OutboxState.PENDING.value,
                "next_attempt_at": now,
                "corrects_id": statement.excluded.corrects_id,
            },
            # figures back to a version never sent
            where=OutboxRow.state == OutboxState.SUPERSEDED.value,
        ).returning(OutboxRow.kind)
        # One statement for every channel (insertmanyvalues): 10,000 rows in well under a second.
        kinds = (await session.execute(statement, values)).scalars().all()
        counts[0] += sum(kind == OutboxKind.RESULT.value for kind in kinds)
        counts[1] += sum(kind == OutboxKind.CORRECTION.value for kind in kinds)

    async def audit(self, ballot_id: str) -> list[AuditEntry]:
        query = select(AuditRow).where(AuditRow.ballot_id == ballot_id).order_by(AuditRow.id)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            AuditEntry(as_utc(r.at), r.who, r.action, r.ballot_id, r.before, r.after) for r in rows
        ]
