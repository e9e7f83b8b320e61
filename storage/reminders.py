"""Reminder plans, opt-ins and "posted my paper" in SQL. Member rows hold a platform user id
and a time, nothing else; ``forget`` and ``purge`` delete them, DMs in the outbox included."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import Kind
from bot.reminders.model import Forgotten, Member, PlanChanges
from storage.database import WRITE, dialect_of, upsert_insert
from storage.models import OutboxRow, PaperPostedRow, ReminderOptInRow, ReminderPlanRow


class SqlReminderStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

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
        if ballot_ids is not None:
            where.append(ReminderOptInRow.ballot_id.in_(list(ballot_ids)))
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(delete(ReminderOptInRow).where(*where))
        return int(result.rowcount)  # type: ignore[attr-defined]

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
                    OutboxRow.kind == Kind.DM.value,
                    OutboxRow.ballot_id == ballot_id,
                    OutboxRow.platform == member.platform,
                    OutboxRow.channel_id == member.user_id,
                    OutboxRow.state == "pending",
                )
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

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
            messages = await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.kind == Kind.DM.value,
                    OutboxRow.platform == member.platform,
                    OutboxRow.channel_id == member.user_id,
                )
            )
        return Forgotten(
            int(opt_ins.rowcount),  # type: ignore[attr-defined]
            int(confirmations.rowcount),  # type: ignore[attr-defined]
            int(messages.rowcount),  # type: ignore[attr-defined]
        )

    async def purge(self, ballot_ids: Sequence[str]) -> Forgotten:
        ids = list(ballot_ids)
        if not ids:
            return Forgotten()
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            opt_ins = await session.execute(
                delete(ReminderOptInRow).where(ReminderOptInRow.ballot_id.in_(ids))
            )
            confirmations = await session.execute(
                delete(PaperPostedRow).where(PaperPostedRow.ballot_id.in_(ids))
            )
            messages = await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.kind == Kind.DM.value, OutboxRow.ballot_id.in_(ids)
                )
            )
        return Forgotten(
            int(opt_ins.rowcount),  # type: ignore[attr-defined]
            int(confirmations.rowcount),  # type: ignore[attr-defined]
            int(messages.rowcount),  # type: ignore[attr-defined]
        )

    async def ballots_with_members(self) -> list[str]:
        query = union(  # UNION drops the repeats
            select(ReminderOptInRow.ballot_id),
            select(PaperPostedRow.ballot_id),
            select(OutboxRow.ballot_id).where(OutboxRow.kind == Kind.DM.value),
        )
        async with self._sessions() as session:
            return sorted(str(b) for b in (await session.scalars(query)).all())
