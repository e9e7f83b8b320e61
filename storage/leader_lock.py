"""Work that exactly one process of a deployment may do at a time.

The reminder scheduler (APScheduler 3 must not share its job store), the Discord gateway
(one connection per bot) and the feed watcher each run in one process only. On PostgreSQL
that process is the holder of a session-level advisory lock, kept on a connection of its
own: when the process dies, the server drops the connection and the lock with it, and a
waiting process takes over at its next try (``retry_seconds``). On SQLite there is only one
process (see :mod:`storage.process_lock`), which simply does the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

KEY_BASE = 0x62616C6C << 32  # "ball": ballotbot's part of the 64-bit advisory lock space


def lock_key(name: str) -> int:
    """The advisory lock key of one kind of work: stable across processes and releases."""
    return KEY_BASE | zlib.crc32(name.encode())


class Leadership:
    """Runs ``begin`` when this process wins ``name``, ``end`` when it stops or loses it."""

    def __init__(
        self,
        engine: AsyncEngine,
        name: str,
        begin: Callable[[], Awaitable[None]],
        end: Callable[[], Awaitable[None]],
        retry_seconds: float = 5.0,
    ) -> None:
        self.engine = engine
        self.name = name
        self.begin = begin
        self.end = end
        self.retry_seconds = retry_seconds
        self.leading = asyncio.Event()

    @property
    def key(self) -> int:
        return lock_key(self.name)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            lock = await self._acquire()
            if lock is None:
                await _wait(stop, self.retry_seconds)
                continue
            try:
                try:
                    await self.begin()
                except Exception:
                    log.exception("could not start the %s; trying again", self.name)
                    await _wait(stop, self.retry_seconds)
                    continue
                self.leading.set()
                log.info("this process runs the %s", self.name)
                while not stop.is_set() and await _alive(lock):
                    await _wait(stop, self.retry_seconds)
            finally:
                self.leading.clear()
                with contextlib.suppress(Exception):
                    await self.end()
                await _release(lock)

    async def _acquire(self) -> AsyncConnection | _Alone | None:
        if self.engine.dialect.name != "postgresql":
            return _Alone()
        try:
            connection = await self.engine.connect()
        except Exception:
            log.warning("cannot reach the database to contend for the %s", self.name)
            return None
        try:
            query = text("SELECT pg_try_advisory_lock(:key)")
            got = await connection.scalar(query, {"key": self.key})
            await connection.commit()
        except Exception:
            await connection.close()
            return None
        if not got:
            await connection.close()
            return None
        return connection


class _Alone:
    """SQLite: one process, nothing to lock."""


async def _alive(connection: AsyncConnection | _Alone) -> bool:
    if isinstance(connection, _Alone):
        return True
    try:
        await connection.scalar(text("SELECT 1"))
        await connection.commit()
    except Exception:
        log.warning("lost the lock connection: handing over")
        return False
    return True


async def _release(connection: AsyncConnection | _Alone) -> None:
    if isinstance(connection, _Alone):
        return
    with contextlib.suppress(Exception):
        # Session-level: it would outlive close() on a pooled connection, so let go first.
        await connection.execute(text("SELECT pg_advisory_unlock_all()"))
        await connection.commit()
    with contextlib.suppress(Exception):
        await connection.close()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
