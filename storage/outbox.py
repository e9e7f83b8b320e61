"""The outbox in SQL (:class:`bot.ports.Outbox`): messages waiting for channels and members.

Claiming takes rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatchers
never take the same row; a claim is a lease, renewed just before sending.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import Delivery, DmCounts, OutboxItem, OutboxKind, OutboxState, Target
from storage.database import WRITE, as_utc, dialect_of, rows_changed, upsert_insert
from storage.models import OutboxRow, ReminderOptInRow, SubscriptionRow


class SqlOutbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(
        self, platforms: Sequence[str], limit: int, now: datetime, lease_seconds: float
    ) -> list[OutboxItem]:
        token = uuid.uuid4().hex
        due = OutboxRow.platform.in_(list(platforms)) & or_(
            and_(OutboxRow.state == OutboxState.PENDING.value, OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.state == OutboxState.CLAIMED.value, OutboxRow.claimed_until < now),
        )
        pick = (
            select(OutboxRow.id)
            .where(due)
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            ids = list((await session.scalars(pick)).all())
            if not ids:
                return []
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids))
                .values(
                    state=OutboxState.CLAIMED.value,
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=lease_seconds),
                )
            )
            rows = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.claim_token == token).order_by(OutboxRow.id)
                )
            ).all()
            originals = {
                r.id: r.message_id
                for r in (
                    await session.scalars(
                        select(OutboxRow).where(
                            OutboxRow.id.in_([r.corrects_id for r in rows if r.corrects_id])
                        )
                    )
                ).all()
            }
        return [
            OutboxItem(
                id=row.id,
                kind=OutboxKind(row.kind),
                ballot_id=row.ballot_id,
                target=Target(row.platform, row.channel_id, row.workspace),
                subscription_id=row.subscription_id,
                corrects_message_id=originals.get(row.corrects_id) if row.corrects_id else None,
                attempts=row.attempts,
                body=row.body,
                revision=row.revision,
                claim=token,
                lease_until=as_utc(row.claimed_until),
            )
            for row in rows
        ]

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
        """Queue ``kind`` to each target, keyed by (kind, ballot, revision, target) so the same
        reminder stage never goes twice; with ``once_since``, a target that got this kind about
        this ballot since then is left out (one DM per member per ballot per day)."""
        now = now or datetime.now(UTC)
        chosen = list(dict.fromkeys(targets))
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            if once_since is not None and chosen:
                recent = select(OutboxRow.platform, OutboxRow.channel_id).where(
                    OutboxRow.kind == kind.value,
                    OutboxRow.ballot_id == ballot_id,
                    OutboxRow.created_at >= once_since,
                )
                already = {(p, c) for p, c in (await session.execute(recent)).all()}
                chosen = [t for t in chosen if (t.platform, t.channel_id) not in already]
            if not chosen:
                return 0
            rows = [
                {
                    "kind": kind.value,
                    "ballot_id": ballot_id,
                    "revision": revision,
                    "platform": t.platform,
                    "workspace": t.workspace,
                    "channel_id": t.channel_id,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": max(now, not_before),
                    "created_at": now,
                }
                for t in chosen
            ]
            insert = upsert_insert(dialect_of(self._sessions))
            statement = insert(OutboxRow).on_conflict_do_nothing().returning(OutboxRow.id)
            return len((await session.execute(statement, rows)).all())

    async def notify(self, targets: Sequence[Target], ballot_id: str, text: str) -> int:
        insert = upsert_insert(dialect_of(self._sessions))
        now = datetime.now(UTC)
        queued = 0
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            for target in targets:
                statement = (
                    insert(OutboxRow)
                    .values(
                        kind=OutboxKind.NOTICE.value,
                        ballot_id=ballot_id,
                        revision=hashlib.sha256(text.encode()).hexdigest()[:32],
                        platform=target.platform,
                        workspace=target.workspace,
                        channel_id=target.channel_id,
                        state=OutboxState.PENDING.value,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                        body=text,
                    )
                    .on_conflict_do_nothing()
                )
                result = await session.execute(statement)
                queued += rows_changed(result)
        return queued

    async def release(self, item_ids: Sequence[int]) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id.in_(list(item_ids)), OutboxRow.state == OutboxState.CLAIMED.value
                )
                .values(state=OutboxState.PENDING.value, claimed_until=None, claim_token=None)
            )

    async def confirm(self, item: OutboxItem, now: datetime, lease_seconds: float) -> bool:
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.id == item.id,
                OutboxRow.state == OutboxState.CLAIMED.value,
                OutboxRow.claim_token == item.claim,
            )
            .values(claimed_until=now + timedelta(seconds=lease_seconds))
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement)
        return bool(rows_changed(result))

    async def sent(self, item_id: int, message_id: str, now: datetime) -> None:
        await self._update(
            item_id,
            state=OutboxState.SENT.value,
            message_id=message_id,
            sent_at=now,
            claimed_until=None,
        )

    async def retry(self, item_id: int, at: datetime, error: str) -> None:
        await self._update(
            item_id,
            state=OutboxState.PENDING.value,
            next_attempt_at=at,
            error=error,
            attempts=OutboxRow.attempts + 1,
            claimed_until=None,
        )

    async def failed(self, item_id: int, error: str, deactivate: bool) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            row = await session.get(OutboxRow, item_id)
            if row is None:
                return
            row.state, row.error, row.attempts = OutboxState.FAILED.value, error, row.attempts + 1
            if deactivate and row.kind == OutboxKind.DM.value:  # the member cannot be messaged
                await session.execute(
                    delete(ReminderOptInRow).where(
                        ReminderOptInRow.platform == row.platform,
                        ReminderOptInRow.user_id == row.channel_id,
                        ReminderOptInRow.ballot_id == row.ballot_id,
                    )
                )
            elif deactivate and row.subscription_id is not None:
                await session.execute(
                    update(SubscriptionRow)
                    .where(SubscriptionRow.id == row.subscription_id)
                    .values(active=False)
                )

    async def deliveries(
        self, ballot_id: str | None, limit: int = 50, members: bool = True
    ) -> list[Delivery]:
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if ballot_id is not None:
            query = query.where(OutboxRow.ballot_id == ballot_id)
        if not members:
            query = query.where(OutboxRow.kind != OutboxKind.DM.value)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            Delivery(
                r.ballot_id,
                OutboxKind(r.kind),
                Target(r.platform, r.channel_id, r.workspace),
                OutboxState(r.state),
                r.attempts,
                r.error,
                as_utc(r.sent_at),
            )
            for r in rows
        ]

    async def dm_counts(self, ballot_id: str | None) -> list[DmCounts]:
        query = (
            select(OutboxRow.ballot_id, OutboxRow.revision, OutboxRow.state, func.count())
            .where(OutboxRow.kind == OutboxKind.DM.value)
            .group_by(OutboxRow.ballot_id, OutboxRow.revision, OutboxRow.state)
        )
        if ballot_id is not None:
            query = query.where(OutboxRow.ballot_id == ballot_id)
        counts: dict[tuple[str, str], dict[OutboxState, int]] = {}
        async with self._sessions() as session:
            for ballot, stage, state, n in (await session.execute(query)).all():
                by_state = counts.setdefault((ballot, stage), {})
                key = OutboxState.PENDING if state == OutboxState.CLAIMED else OutboxState(state)
                by_state[key] = by_state.get(key, 0) + int(n)
        return [
            DmCounts(
                ballot,
                stage,
                sent=found.get(OutboxState.SENT, 0),
                pending=found.get(OutboxState.PENDING, 0),
                failed=found.get(OutboxState.FAILED, 0),
            )
            for (ballot, stage), found in sorted(counts.items())
        ]

    async def _update(self, item_id: int, **values: object) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))
