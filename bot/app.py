"""The composition root: the one place where storage, core and settings are wired together.

Nothing registers itself at import time; whoever needs a running bot (the CLI, an adapter's
tests, a benchmark) opens one here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.core import Core
from bot.demo import DEMO_BALLOTS
from bot.ports import BallotStore
from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade


@dataclass
class App:
    """A running bot: its settings, its store and its core."""

    settings: Settings
    engine: AsyncEngine
    store: BallotStore
    core: Core


def build_core(store: BallotStore, settings: Settings) -> Core:
    """The core with its collaborators chosen from the settings."""
    from bot.wiring import core_options

    return Core(store, **core_options(settings))


@asynccontextmanager
async def open_app(settings: Settings, *, load_demo: bool | None = None) -> AsyncIterator[App]:
    """Open the database (migrating it to the latest schema), load demo data when empty."""
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        store = SqlBallotStore(async_sessionmaker(engine, expire_on_commit=False))
        wants_demo = settings.demo_data if load_demo is None else load_demo
        if wants_demo and await store.count() == 0:
            await store.save(DEMO_BALLOTS)
        yield App(settings=settings, engine=engine, store=store, core=build_core(store, settings))
    finally:
        await engine.dispose()
