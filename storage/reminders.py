"""Reminder plans, opt-ins and "posted my paper" in SQL. Member rows hold a platform user id
and a time, nothing else; ``forget`` and ``purge`` delete them, DMs in the outbox included,
and then empty SQLite's write-ahead log so the rows are gone from the files as well
(:mod:`storage.privacy`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Result, delete, func, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import OutboxKind, OutboxState
from bot.privacy.pseudonyms import Pseudonyms, dm_pacing_key
from bot.privacy.report import Inventory, MemberBallot
from bot.reminders.model import Forgotten, Member, PlanChanges
from storage.database import WRITE, dialect_of, rows_changed, upsert_insert
from storage.models import (
    AuditRow,
    BallotRow,
    OutboxRow,
    PaperPostedRow,
    RateSlotRow,
    ReminderOptInRow,
    ReminderPlanRow,
    SubscriptionRow,
)
from storage.privacy import empty_the_log, inventory


class SqlReminderStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], pseudonyms: Pseudonyms | None = None
    ) -> None:
        self._sessions = sessions
        self.pseudonyms = pseudonyms or Pseudonyms.random()
        """The deployment's pseudonyms: DM pacing slots are keyed by them, and an erased
        organiser's id in the audit log becomes one."""

    async def plan_changes(self, ballot_id: str) -> PlanChanges:
        async with self._sessions() as session:
            row = await session.get(ReminderPlanRow, ballot_id)
        if row is None:
            return PlanChanges()
        days = None
        if row.days_before_close is not None:
            days = tuple(int(d) for d in row.days_before_close.split(",") if d)
        return PlanChanges(
            days, row.on_open, row.posting_days, row.replacement_deadline, row.contact
        )

    async def change_plan(self, ballot_id: str, changes: PlanChanges) -> None:
        days = changes.days_before_close
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.merge(
                ReminderPlanRow(
                    ballot_id=ballot_id,
                    days_before_close=None if days is None else ",".join(map(str, days)),
                    on_open=changes.on_open,
                    posting_days=changes.posting_days,
                    replacement_deadline=changes.replacement_deadline,
                    contact=changes.contact,
                )
            )

    async def opt_in(self, member: Member, ballot_ids: Sequence[str]) -> int:
        if not ballot_ids:
            return 0
        now = datetime.now(UTC)
        rows = [
            {
                "platform": member.platform,
                "user_id": member.user_id,
                "ballot_id": ballot_id,
                "created_at": now,
            }
            for ballot_id in ballot_ids
        ]
        statement = upsert_insert(dialect_of(self._sessions))(
            ReminderOptInRow
        ).on_conflict_do_nothing()
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement.returning(ReminderOptInRow.id), rows)
            return len(result.all())

    async def opt_out(self, member: Member, ballot_ids: Sequence[str] | None) -> int:
        where = [
            ReminderOptInRow.platform == member.platform,
            ReminderOptInRow.user_id == member.user_id,
        ]
        # A reminder queued for the member and not yet sent goes with the opt-in: "stop"
        # means no more DMs, including the one waiting its turn in the outbox.
        pending = [
            OutboxRow.kind == OutboxKind.DM.value,
            OutboxRow.platform == member.platform,
            OutboxRow.channel_id == member.user_id,
            OutboxRow.state == OutboxState.PENDING.value,
        ]
        if ballot_ids is not None:
            where.append(ReminderOptInRow.ballot_id.in_(list(ballot_ids)))
            pending.append(OutboxRow.ballot_id.in_(list(ballot_ids)))
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(delete(ReminderOptInRow).where(*where))
            await session.execute(delete(OutboxRow).where(*pending))
        return rows_changed(result)

    async def posted(self, member: Member, ballot_id: str) -> bool:
        statement = (
            upsert_insert(dialect_of(self._sessions))(PaperPostedRow)
            .values(
                platform=member.platform,
                user_id=member.user_id,
                ballot_id=ballot_id,
                posted_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement)
            await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.kind == OutboxKind.DM.value,
                    OutboxRow.ballot_id == ballot_id,
                    OutboxRow.platform == member.platform,
                    OutboxRow.channel_id == member.user_id,
                    OutboxRow.state == OutboxState.PENDING.value,
                )
            )
        return bool(rows_changed(result))

    async def to_remind(self, ballot_id: str) -> list[Member]:
        said_posted = select(PaperPostedRow.id).where(
            PaperPostedRow.ballot_id == ballot_id,
            PaperPostedRow.platform == ReminderOptInRow.platform,
            PaperPostedRow.user_id == ReminderOptInRow.user_id,
        )
        query = (
            select(ReminderOptInRow.platform, ReminderOptInRow.user_id)
            .where(ReminderOptInRow.ballot_id == ballot_id, ~said_posted.exists())
            .order_by(ReminderOptInRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [Member(platform, user_id) for platform, user_id in rows]

    async def confirmed(self, ballot_id: str) -> int:
        query = select(func.count()).where(PaperPostedRow.ballot_id == ballot_id)
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def forget(self, member: Member) -> Forgotten:
        who = f"{member.platform}:{member.user_id}"
        pseudonymous = f"{member.platform}:{self.pseudonyms.of(member.platform, member.user_id)}"
        addressed = (OutboxRow.platform == member.platform) & or_(
            OutboxRow.channel_id == member.user_id,
            # A notice to organisers that quotes the id (a channel addressed by user id).
            (OutboxRow.kind == OutboxKind.NOTICE.value)
            & OutboxRow.body.contains(member.user_id, autoescape=True),
        )
        pacing_keys = [
            dm_pacing_key(self.pseudonyms, member.platform, member.user_id),
            who,  # DM slots from before 0006 were keyed by the id itself
        ]
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            opt_ins = await session.execute(
                delete(ReminderOptInRow).where(
                    ReminderOptInRow.platform == member.platform,
                    ReminderOptInRow.user_id == member.user_id,
                )
            )
            confirmations = await session.execute(
                delete(PaperPostedRow).where(
                    PaperPostedRow.platform == member.platform,
                    PaperPostedRow.user_id == member.user_id,
                )
            )
            messages = await session.execute(delete(OutboxRow).where(addressed))
            pacing = await session.execute(
                delete(RateSlotRow).where(RateSlotRow.key.in_(pacing_keys))
            )
            followed = await session.execute(
                delete(SubscriptionRow).where(
                    SubscriptionRow.platform == member.platform,
                    SubscriptionRow.channel_id == member.user_id,
                )
            )
            audited = await session.execute(
                update(AuditRow).where(AuditRow.who == who).values(who=pseudonymous)
            )
            made = await session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.created_by == who)
                .values(created_by=pseudonymous)
            )
        await empty_the_log(self._sessions)
        return Forgotten(
            _count(opt_ins),
            _count(confirmations),
            _count(messages),
            other=_count(pacing) + _count(followed),
            pseudonymised=_count(audited) + _count(made),
        )

    async def purge(self, ballot_ids: Sequence[str]) -> Forgotten:
        ids = list(ballot_ids)
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            # A pacing slot in the past paces nothing: the DM slots of members go with them.
            stale = await session.execute(
                delete(RateSlotRow).where(RateSlotRow.next_at < datetime.now(UTC))
            )
            if not ids:
                return Forgotten(other=_count(stale))
            opt_ins = await session.execute(
                delete(ReminderOptInRow).where(ReminderOptInRow.ballot_id.in_(ids))
            )
            confirmations = await session.execute(
                delete(PaperPostedRow).where(PaperPostedRow.ballot_id.in_(ids))
            )
            messages = await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.kind == OutboxKind.DM.value, OutboxRow.ballot_id.in_(ids)
                )
            )
        await empty_the_log(self._sessions)
        return Forgotten(
            _count(opt_ins), _count(confirmations), _count(messages), other=_count(stale)
        )

    async def ballots_with_members(self) -> list[str]:
        query = union(  # UNION drops the repeats
            select(ReminderOptInRow.ballot_id),
            select(PaperPostedRow.ballot_id),
            select(OutboxRow.ballot_id).where(OutboxRow.kind == OutboxKind.DM.value),
        )
        async with self._sessions() as session:
            return sorted(str(b) for b in (await session.scalars(query)).all())

    async def member_ballots(self) -> list[MemberBallot]:
        ids = await self.ballots_with_members()
        if not ids:
            return []
        query = select(BallotRow.id, BallotRow.ended_on).where(BallotRow.id.in_(ids))
        async with self._sessions() as session:
            recorded = {str(i): day for i, day in (await session.execute(query)).all()}
        return [MemberBallot(i, recorded.get(i)) for i in ids]

    async def inventory(self) -> Inventory:
        return await inventory(self._sessions)


def _count(result: Result[Any]) -> int:
    return rows_changed(result)
