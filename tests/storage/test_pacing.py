"""Several dispatcher processes keep one platform's pace between them, through PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.announce.pacing import InProcessPacer
from storage.pacing import SqlPacer


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_three_processes_share_one_platform_pace(engine: AsyncEngine) -> None:
    pacers = [SqlPacer(async_sessionmaker(engine)) for _ in range(3)]  # one per process
    sent: list[float] = []

    async def dispatcher(pacer: SqlPacer, channels: range) -> None:
        for n in channels:
            await pacer.wait("discord", 0.05, f"discord:{n}", 1.0)
            sent.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(dispatcher(p, range(k * 10, k * 10 + 10)) for k, p in enumerate(pacers)))

    assert len(sent) == 30
    assert time.monotonic() - started >= 29 * 0.05 * 0.9  # one pace for all three, not three
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:], strict=False)]
    assert sum(gaps) / len(gaps) >= 0.045


async def test_one_channel_waits_its_own_interval_in_one_process() -> None:
    pacer = InProcessPacer()
    started = time.monotonic()

    await pacer.wait("slack", 0.0, "slack:C1", 0.2)
    await pacer.wait("slack", 0.0, "slack:C2", 0.2)  # another channel: no wait
    middle = time.monotonic() - started
    await pacer.wait("slack", 0.0, "slack:C1", 0.2)  # the same channel again: waits

    assert middle < 0.1
    assert time.monotonic() - started >= 0.19
