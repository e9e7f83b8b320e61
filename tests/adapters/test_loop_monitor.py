"""The loop-lag monitor of ``ballotbot run``: a stall is measured, and one over the threshold
is logged with what was running when it happened."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from adapters.loop_monitor import LoopMonitor
from bot.requests import Request, in_hand


async def test_a_request_that_holds_the_loop_is_named_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.loop_monitor")
    monitor = LoopMonitor(threshold=0.1)
    await monitor.start()

    async def answer() -> None:
        with in_hand(Request("kirklees chart", "slack", "U0AMINA", "C0BRANCH")):
            time.sleep(0.4)  # noqa: ASYNC251 - the fault under test: work that blocks the loop

    try:
        await asyncio.sleep(0.05)
        await asyncio.create_task(answer(), name="a member's request")
        await asyncio.sleep(0.05)
    finally:
        await monitor.stop()

    assert monitor.longest >= 0.35 and monitor.stalls >= 1
    logged = [r.getMessage() for r in caplog.records if "event loop stalled" in r.getMessage()]
    # A busy machine may add a stall of its own: the request's is the one that names it.
    named = [message for message in logged if "a member's request" in message]
    assert len(named) == 1
    assert "answering slack U0AMINA: 'kirklees chart'" in named[0]
    assert "test_loop_monitor.py" in named[0] and "answer" in named[0]  # where it stood


async def test_a_short_pause_is_measured_but_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.loop_monitor")
    monitor = LoopMonitor(threshold=5.0)
    await monitor.start()
    try:
        await asyncio.sleep(0.05)
        time.sleep(0.2)  # noqa: ASYNC251 - a pause under the threshold
        await asyncio.sleep(0.05)
    finally:
        await monitor.stop()

    assert monitor.longest >= 0.15
    assert monitor.stalls == 0
    assert not [r for r in caplog.records if "event loop stalled" in r.getMessage()]
