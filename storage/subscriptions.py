"""Which channels follow which ballots, in SQL (:class:`bot.ports.Subscriptions`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announce.model import FilterKind, Subscription, Target
from storage.database import WRITE, dialect_of, rows_changed, upsert_insert
from storage.models import SubscriptionRow


def subscription_of(row: SubscriptionRow) -> Subscription:
    """A subscription row as the core sees it."""
    target = Target(row.platform, row.channel_id, row.workspace)
    return Subscription(row.id, target, FilterKind(row.filter_kind), row.filter_value, row.active)


class SqlSubscriptions:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def subscribe(self, target: Target, kind: FilterKind, value: str, who: str) -> bool:
        insert = upsert_insert(dialect_of(self._sessions))
        statement = (
            insert(SubscriptionRow)
            .values(
                platform=target.platform,
                workspace=target.workspace,
                channel_id=target.channel_id,
                filter_kind=kind.value,
                filter_value=value,
                active=True,
                created_by=who,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_update(
                index_elements=["platform", "channel_id", "filter_kind", "filter_value"],
                set_={"active": True},
                where=SubscriptionRow.active.is_(False),
            )
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(statement)
        return bool(rows_changed(result))

    async def unsubscribe(self, target: Target, kind: FilterKind | None, value: str) -> int:
        where = [
            SubscriptionRow.platform == target.platform,
            SubscriptionRow.channel_id == target.channel_id,
        ]
        if kind is not None:
            where += [
                SubscriptionRow.filter_kind == kind.value,
                SubscriptionRow.filter_value == value,
            ]
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            result = await session.execute(delete(SubscriptionRow).where(*where))
        return rows_changed(result)

    async def subscriptions(self, target: Target | None = None) -> list[Subscription]:
        query = select(SubscriptionRow).where(SubscriptionRow.active.is_(True))
        if target is not None:
            query = query.where(
                SubscriptionRow.platform == target.platform,
                SubscriptionRow.channel_id == target.channel_id,
            )
        async with self._sessions() as session:
            rows = (await session.scalars(query.order_by(SubscriptionRow.id))).all()
        return [subscription_of(row) for row in rows]
