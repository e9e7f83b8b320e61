"""A branch whose members use every part of the bot, and ways to look for them afterwards:
in every column of every table (found by reflection, so a table added later is searched
too) and in the bytes of SQLite's files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform

AMINA, BEN, CARA = "U0AMINA", "U0BEN", "U0CARA"


async def everyone_uses_the_bot(branch: Conversation) -> FakePlatform:
    """Three members ask for reminders about the open Leeds ballot. Amina gets her DM and says
    she posted her paper; Ben's DM waits for the morning; Cara's cannot be delivered."""
    await branch.organiser("/ballot admin reminders leeds-2026 days=7,6,3")
    for member in (AMINA, BEN, CARA):
        reply = await branch.say("/ballot remind me leeds", user=member)
        assert reply.ok, reply.plain_text()
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    slack = FakePlatform("slack", gone={f"dm-{CARA}"})
    await branch.deliver(slack)
    assert f"dm-{AMINA}" in slack.channels
    assert (await branch.say("/ballot voted leeds", user=AMINA)).ok
    branch.at("2026-12-04 23:00")  # quiet hours: Ben's DM of the day waits
    assert await branch.app.reminders.fire("leeds-2026", "close-6d") == (1, 1)  # Ben's
    assert await branch.deliver(slack) == 0  # not before 08:00
    return slack


def _rows_mentioning(connection: Connection, needle: str) -> list[str]:
    metadata = MetaData()
    metadata.reflect(connection)
    found = []
    for table in metadata.sorted_tables:
        for row in connection.execute(select(table)):
            for column, value in zip(table.columns, row, strict=True):
                raw = value if isinstance(value, bytes) else str(value).encode()
                if needle.encode() in raw:
                    found.append(f"{table.name}.{column.name}")
    return found


async def rows_mentioning(engine: AsyncEngine, needle: str) -> list[str]:
    """``table.column`` of every value, in every table, that holds ``needle``."""
    async with engine.connect() as connection:
        return await connection.run_sync(_rows_mentioning, needle)


def files_mentioning(database: Path, needle: str) -> list[str]:
    """Which of the SQLite files (database, ``-wal``, ``-shm``) hold ``needle``'s bytes."""
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return [f.name for f in files if f.exists() and needle.encode() in f.read_bytes()]
