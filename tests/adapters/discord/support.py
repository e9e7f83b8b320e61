"""Helpers shared by the Discord tests: settings for the fake, a recording core, readers."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.discord import DiscordAdapter
from bot.config import DiscordSettings
from bot.ports import Answerer
from bot.replies import Reply
from bot.requests import Request
from bot.search import Suggestion
from tests.fakes.discord_api import GUILD_ID, FakeDiscord


def settings_for(
    fake: FakeDiscord, guild_ids: tuple[int, ...] = (int(GUILD_ID),), *, gateway: bool = True
) -> DiscordSettings:
    return DiscordSettings(
        enabled=True,
        api_url=fake.api_url,
        gateway_url=fake.gateway_url if gateway else "",
        guild_ids=list(guild_ids),
    )


def adapter_for(fake: FakeDiscord, core: Answerer, defer_after: float = 2.0) -> DiscordAdapter:
    return DiscordAdapter(core, settings_for(fake), token="test-token", defer_after=defer_after)


class RecordingCore:
    """The real core, remembering every request it was handed (and slow when asked to be)."""

    def __init__(self, core: Answerer, delay: float = 0.0) -> None:
        self.core = core
        self.delay = delay
        self.requests: list[Request] = []

    async def handle(self, request: Request) -> Reply:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        return await self.core.handle(request)

    async def suggest(self, text: str, limit: int = 25) -> list[Suggestion]:
        return await self.core.suggest(text, limit)


def embed_text(body: dict[str, Any]) -> str:
    """Every word of the first embed of a callback body (or of ``{"data": message}``)."""
    embed = body["data"]["embeds"][0]
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def button_ids(body: dict[str, Any]) -> list[str]:
    rows = body["data"].get("components", [])
    return [button["custom_id"] for row in rows for button in row["components"]]
