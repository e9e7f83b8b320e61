"""Platform requests already handled, shared by every process (see adapters.slack.retries).

Every Slack request records its id, so a burst of members is a burst of small writes. They
are written together: ids arriving while a write is in progress wait for the next one, which
records them all in one statement (one transaction, one turn for SQLite's write lock instead
of one each).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import WRITE, dialect_of, upsert_insert
from storage.models import SeenRequestRow

KEEP = timedelta(days=1)
"""Slack retries within minutes; a day of ids is plenty, and older ones are deleted."""
CLEAN_EVERY = 500
BATCH = 500
"""Ids recorded in one statement at most (well under the databases' parameter limits)."""


class SqlSeenRequests:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._since_cleaning = 0
        self._waiting: list[tuple[str, asyncio.Future[bool]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def first_time(self, key: str) -> bool:
        """Records ``key``; False when it was recorded before (by any process)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, answer))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.ensure_future(self._write_all())
        return await answer

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                new = await self._record({key for key, _ in batch})
            except Exception as exc:
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for key, answer in batch:
                if not answer.done():
                    answer.set_result(key in new)
                new.discard(key)  # the same id twice in one batch: the second is a repeat

    async def _record(self, keys: set[str]) -> set[str]:
        """Inserts ``keys``; the ones that were not there before."""
        insert = upsert_insert(dialect_of(self._sessions))
        now = datetime.now(UTC)
        statement = (
            insert(SeenRequestRow)
            .values([{"key": key, "seen_at": now} for key in sorted(keys)])
            .on_conflict_do_nothing()
            .returning(SeenRequestRow.key)
        )
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            new = set((await session.execute(statement)).scalars())
            self._since_cleaning += len(keys)
            if self._since_cleaning >= CLEAN_EVERY:
                self._since_cleaning = 0
                await session.execute(
                    delete(SeenRequestRow).where(SeenRequestRow.seen_at < now - KEEP)
                )
        return new
