"""SQLite writers of one process take turns (storage.database.WriteQueue): a burst of
members' writes all go through, none with "database is locked", and members' reads are not
held up behind them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo import DEMO_BALLOTS
from bot.reminders.model import Member
from storage.ballots import SqlBallotStore
from storage.database import SQLITE_CONNECTIONS, WRITE, session_factory
from storage.reminders import SqlReminderStore
from storage.seen_requests import SqlSeenRequests

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_a_burst_of_two_hundred_members_writes_all_go_through(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    await SqlBallotStore(sessions).save(DEMO_BALLOTS)
    reminders, seen = SqlReminderStore(sessions), SqlSeenRequests(sessions)
    ballot = DEMO_BALLOTS[0].id

    opted, first = await asyncio.gather(
        asyncio.gather(*(reminders.opt_in(Member("slack", f"U{n}"), [ballot]) for n in range(200))),
        asyncio.gather(*(seen.first_time(f"slack:trigger_id:{n % 150}") for n in range(200))),
    )

    assert opted == [1] * 200
    assert sum(first) == 150  # 50 ids came twice: each recorded once
    assert len(await reminders.to_remind(ballot)) == 200


async def test_writers_waiting_their_turn_do_not_keep_members_reads_waiting(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    store = SqlBallotStore(sessions)
    await store.save(DEMO_BALLOTS)
    seen = SqlSeenRequests(sessions)
    release = asyncio.Event()

    async def long_write() -> None:
        async with sessions.begin() as session:
            await session.connection(execution_options=WRITE)
            await session.execute(text("UPDATE catalog_version SET version = version"))
            await release.wait()

    holding = asyncio.create_task(long_write())
    await asyncio.sleep(0.1)
    waiting = [
        asyncio.create_task(SqlReminderStore(sessions).opt_out(Member("slack", f"U{n}"), None))
        for n in range(3 * SQLITE_CONNECTIONS)
    ] + [asyncio.create_task(seen.first_time("slack:trigger_id:x"))]
    await asyncio.sleep(0.1)

    read = await asyncio.wait_for(store.get(DEMO_BALLOTS[1].id), 5)  # not behind the writers

    assert read == DEMO_BALLOTS[1]
    assert not any(task.done() for task in waiting)
    release.set()
    await asyncio.wait_for(asyncio.gather(holding, *waiting), 30)
