"""Discord on loopback: settings for the fake, the real adapter, readers of what it sent."""

from __future__ import annotations

from typing import Any

from adapters.discord import DiscordAdapter
from bot.config import DiscordSettings
from bot.ports import Answerer
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


def embed_text(body: dict[str, Any]) -> str:
    """Every word of the first embed of a callback body (or of ``{"data": message}``)."""
    embed = body["data"]["embeds"][0]
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def button_ids(body: dict[str, Any]) -> list[str]:
    rows = body["data"].get("components", [])
    return [button["custom_id"] for row in rows for button in row["components"]]
