"""A fake Discord on 127.0.0.1, the real core on a fresh SQLite database, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.compose import App, open_app
from adapters.discord import DiscordAdapter
from adapters.discord.client import DISCORD_API_URL, point_at
from bot.config import ChartSettings, DatabaseSettings, Settings
from tests.adapters.discord.support import adapter_for
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        yield fake
    point_at(DISCORD_API_URL, "")  # never leave discord.py pointed at a closed port


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"),
        charts=ChartSettings(cache_dir=str(tmp_path / "charts")),
    )
    async with open_app(settings) as app:
        yield app


@pytest.fixture
async def bot(fake: FakeDiscord, app: App) -> AsyncIterator[DiscordAdapter]:
    async with adapter_for(fake, app.core) as adapter:
        yield adapter
