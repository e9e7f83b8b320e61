"""A member talking to the bot: ``reply = await chat.say("/ballot kirklees")``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.compose import App, open_app
from bot.config import Settings
from bot.replies import Reply
from bot.requests import Request


@dataclass
class Chat:
    app: App

    async def say(self, text: str, user: str = "local", platform: str = "console") -> Reply:
        return await self.app.core.handle(Request(text=text, platform=platform, user_id=user))


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    settings.search.refresh_seconds = 0  # see every save at once
    settings.charts.cache_dir = str(tmp_path / "charts")
    async with open_app(settings) as app:
        yield Chat(app)
