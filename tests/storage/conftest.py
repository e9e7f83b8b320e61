"""A migrated, empty store on each database the suite runs against."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database; disposed in the test's own event loop."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def store(engine: AsyncEngine) -> SqlBallotStore:
    return SqlBallotStore(async_sessionmaker(engine, expire_on_commit=False))
