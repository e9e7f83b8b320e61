"""Pacing shared by every process of a deployment, through PostgreSQL.

Each send reserves its slot with one atomic upsert per key: the slot is the later of the
stored next free moment and the server's now; the stored moment moves on by the interval.
The server's clock is the only clock involved, so processes on different machines agree.

A slot whose moment is past paces nothing (the upsert takes the server's now over it), so
such rows are deleted freely: at most every :data:`CLEAN_SECONDS` by each process, and daily
by the retention purge. DM slots are keyed by the member's pseudonym, never by the id.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, literal_column
from sqlalchemy.dialects.postgresql import INTERVAL, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from storage.database import WRITE
from storage.models import RateSlotRow

CLEAN_SECONDS = 60.0
"""How often a process deletes the slots already past (one per channel or member messaged)."""


def _reserve(key: str, interval: float) -> ReturningInsert[Any]:
    """The statement taking the next slot of ``key``; returns the seconds to wait for it."""
    step = bindparam("step", timedelta(seconds=interval), type_=INTERVAL)
    statement = insert(RateSlotRow).values(key=key, next_at=func.now() + step)
    slot_start = func.greatest(RateSlotRow.next_at, func.now())
    return statement.on_conflict_do_update(
        index_elements=[RateSlotRow.key], set_={"next_at": slot_start + step}
    ).returning(func.extract("epoch", RateSlotRow.next_at - step - literal_column("now()")))


class SqlPacer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._cleaned = -CLEAN_SECONDS  # the first send of a process cleans up

    async def wait(
        self, platform: str, platform_interval: float, channel: str, channel_interval: float
    ) -> None:
        delays = [0.0]
        async with self._sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            for key, interval in ((platform, platform_interval), (channel, channel_interval)):
                if interval > 0:
                    delays.append(float(await session.scalar(_reserve(key, interval)) or 0))
            if time.monotonic() - self._cleaned >= CLEAN_SECONDS:
                self._cleaned = time.monotonic()
                await session.execute(delete(RateSlotRow).where(RateSlotRow.next_at < func.now()))
        if max(delays) > 0:
            await asyncio.sleep(max(delays))
