"""The pace of DMs is shared through PostgreSQL (``rate_slots``): by pseudonym, never by a
member's id; slots already past are cleaned regularly, and a forgotten member's go at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.announce.dispatcher import Pacing
from storage.pacing import SqlPacer
from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform
from tests.support.privacy import AMINA, BEN

pytestmark = [pytest.mark.postgres]
on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def slot_keys(branch: Conversation) -> set[str]:
    async with branch.app.engine.connect() as connection:
        return set((await connection.scalars(text("SELECT key FROM rate_slots"))).all())


@on_postgres
async def test_dm_slots_are_keyed_by_pseudonym_and_go_with_the_member(branch: Conversation) -> None:
    for member in (AMINA, BEN):
        await branch.say("/ballot remind me leeds", user=member)
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    pacing = Pacing(per_channel_seconds=30, per_platform_per_second=1e6)
    dispatcher = branch.app.dispatcher({"slack": FakePlatform("slack")}, pacing)
    dispatcher.clock = lambda: branch.now
    assert await dispatcher.run_once() == 3

    keys = await slot_keys(branch)
    amina = f"dm:slack:{branch.app.pseudonyms.of('slack', AMINA)}"
    assert amina in keys and "slack:C0LEEDS" in keys
    assert not any(AMINA in key or BEN in key for key in keys)

    await branch.say("/ballot forget me", user=AMINA)

    assert amina not in await slot_keys(branch)
    assert f"dm:slack:{branch.app.pseudonyms.of('slack', BEN)}" in await slot_keys(branch)


@on_postgres
async def test_slots_already_past_are_cleaned_by_time_not_by_a_count_of_sends(
    branch: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def a_past_slot(key: str) -> None:
        async with branch.app.engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO rate_slots (key, next_at) VALUES (:k, :at)"),
                {"k": key, "at": datetime.now(UTC) - timedelta(seconds=5)},
            )

    clock = [1000.0]
    monkeypatch.setattr("storage.pacing.time.monotonic", lambda: clock[0])
    pacer = SqlPacer(async_sessionmaker(branch.app.engine))
    await a_past_slot("dm:slack:m-000000000001")

    await pacer.wait("slack", 0.001, "slack:C1", 0.0)  # a process's first send cleans
    assert await slot_keys(branch) == {"slack"}

    await a_past_slot("dm:slack:m-000000000002")
    await pacer.wait("slack", 0.001, "slack:C1", 0.0)
    assert "dm:slack:m-000000000002" in await slot_keys(branch)  # not yet: a second later
    clock[0] += 61
    await pacer.wait("slack", 0.001, "slack:C1", 0.0)
    assert "dm:slack:m-000000000002" not in await slot_keys(branch)


@on_postgres
async def test_the_daily_purge_cleans_past_slots_too(branch: Conversation) -> None:
    async with branch.app.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO rate_slots (key, next_at) VALUES ('slack:U0OLDKEY', :at)"),
            {"at": datetime.now(UTC) - timedelta(hours=2)},
        )

    gone = await branch.app.reminders.purge()

    assert gone.other == 1
    assert await slot_keys(branch) == set()
