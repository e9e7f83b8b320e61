"""Polled feeds' state in SQL: one row per feed URL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import FeedState
from storage.database import WRITE
from storage.models import FeedStateRow


class SqlFeedStates:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, url: str) -> FeedState:
        async with self._sessions() as session:
            row = await session.get(FeedStateRow, url)
        if row is None:
            return FeedState(url)
        return FeedState(url, row.etag, row.last_modified, row.primed, row.failures, row.last_error)

    async def put(self, state: FeedState) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.merge(
                FeedStateRow(
                    url=state.url,
                    etag=state.etag,
                    last_modified=state.last_modified,
                    primed=state.primed,
                    failures=state.failures,
                    last_error=state.last_error,
                    checked_at=state.checked_at,
                )
            )
