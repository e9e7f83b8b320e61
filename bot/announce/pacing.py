"""Pacing (:class:`bot.ports.Pacer`): how long to wait before the next message to a platform
and to a channel.

One process keeps the pace in memory (:class:`InProcessPacer`). Several processes on one
PostgreSQL share it through the database (``storage.pacing.SqlPacer``): each send reserves
the next free slot of its platform and of its channel atomically, so the platform's limits
hold for the whole deployment, not for each process.
"""

from __future__ import annotations

import asyncio
import time


class InProcessPacer:
    """The pace of one process: the last slot taken per platform and per channel."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}

    async def wait(
        self, platform: str, platform_interval: float, channel: str, channel_interval: float
    ) -> None:
        now = time.monotonic()
        ready = max(self._next.get(platform, now), self._next.get(channel, now), now)
        # The slot is taken before sleeping, so a second task of this process queues behind.
        self._next[platform] = ready + platform_interval
        self._next[channel] = ready + channel_interval
        if ready > now:
            await asyncio.sleep(ready - now)
