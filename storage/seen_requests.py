"""Platform requests already handled, shared by every process (see adapters.slack.retries)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import WRITE, dialect_of, upsert_insert
from storage.models import SeenRequestRow

KEEP = timedelta(days=1)
"""Slack retries within minutes; a day of ids is plenty, and older ones are deleted."""
CLEAN_EVERY = 500


class SqlSeenRequests:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._calls = itertools.count(1)

    async def first_time(self, key: str) -> bool:
        insert = upsert_insert(dialect_of(self._sessions))
        now = datetime.now(UTC)
        statement = (
            insert(SeenRequestRow)
            .values(key=key, seen_at=now)
            .on_conflict_do_nothing()
            .returning(SeenRequestRow.key)
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            new = (await session.execute(statement)).first() is not None
            if next(self._calls) % CLEAN_EVERY == 0:
                await session.execute(
                    delete(SeenRequestRow).where(SeenRequestRow.seen_at < now - KEEP)
                )
        return new
