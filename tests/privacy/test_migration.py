"""0006: ballots already over when the bot is upgraded start their retention that day (or at
their closing date, when earlier); pacing slots keyed by members' ids are dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine, upgrade

BALLOTS = [
    ("open-one", "open", False),
    ("closed-one", "closed", False),
    ("declared-one", "declared", True),
    ("cancelled-one", "cancelled", False),
    ("figures-only", None, True),
    ("nothing-known", None, False),
]


@pytest.fixture
async def before_0006(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0005")
        yield engine
    finally:
        await engine.dispose()


async def test_ballots_already_over_are_taken_to_have_ended_on_the_upgrade_day(
    before_0006: AsyncEngine,
) -> None:
    async with before_0006.begin() as connection:
        await connection.execute(
            text("INSERT INTO employers (id, key, name) VALUES (1, 'york', 'York Council')")
        )
        for ballot_id, status, has_result in BALLOTS:
            await connection.execute(
                text(
                    "INSERT INTO ballots (id, employer_id, jurisdiction, important_public_service,"
                    " status, sort_date, has_result) VALUES (:id, 1, 'GB', 'unknown', :status,"
                    " :day, :result)"
                ),
                {"id": ballot_id, "status": status, "day": date(2026, 1, 1), "result": has_result},
            )
        now = datetime.now(UTC)
        for key, at in (
            ("slack:U0AMINA", now - timedelta(minutes=1)),
            ("slack", now + timedelta(1)),
        ):
            await connection.execute(
                text("INSERT INTO rate_slots (key, next_at) VALUES (:key, :at)"),
                {"key": key, "at": at},
            )

    await upgrade(before_0006)

    async with before_0006.connect() as connection:
        ended = dict((await connection.execute(text("SELECT id, ended_on FROM ballots"))).all())
        slots = set((await connection.scalars(text("SELECT key FROM rate_slots"))).all())
    today = datetime.now(UTC).date()
    assert {i: d if d is None else str(d) for i, d in ended.items()} == {
        "open-one": None,
        "closed-one": str(today),
        "declared-one": str(today),
        "cancelled-one": str(today),
        "figures-only": str(today),
        "nothing-known": None,
    }
    assert slots == {"slack"}
