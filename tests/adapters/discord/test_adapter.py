"""Starting the bot: the token, a refused token, and finding the gateway."""

from __future__ import annotations

import pytest

from adapters.compose import App
from adapters.discord import DiscordAdapter, token_from_env
from bot.config import ConfigError, DiscordSettings
from tests.adapters.discord.support import embed_text, settings_for
from tests.fakes.discord_api import FakeDiscord


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "  abc.def.ghi \n")
    assert token_from_env() == "abc.def.ghi"


def test_a_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, app: App) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    with pytest.raises(ConfigError, match=r"DISCORD_TOKEN is not set.*README, section Discord"):
        DiscordAdapter(app.core, DiscordSettings(enabled=True))


async def test_a_refused_token_is_a_clear_error(fake: FakeDiscord, app: App) -> None:
    fake.fail("GET", r"/users/@me", 401, code=0, message="401: Unauthorized")
    adapter = DiscordAdapter(app.core, settings_for(fake), token="revoked")

    with pytest.raises(ConfigError, match="Discord refused DISCORD_TOKEN"):
        await adapter.start(ready_timeout=5)
    assert adapter.client is not None and adapter.client.is_closed()


async def test_an_api_that_is_not_discord_says_where_its_gateway_is(
    fake: FakeDiscord, app: App
) -> None:
    adapter = DiscordAdapter(app.core, settings_for(fake, gateway=False), token="test-token")

    async with adapter:
        body = await fake.interact(fake.slash("kirklees"))

    assert fake.calls_to("GET", r"/gateway/bot")
    assert "43.3%" in embed_text(body)


async def test_the_bot_identifies_without_privileged_intents(fake: FakeDiscord, app: App) -> None:
    async with DiscordAdapter(app.core, settings_for(fake), token="test-token"):
        pass

    (identify,) = [frame for frame in fake.frames if frame["op"] == 2]
    privileged = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
    assert identify["d"]["intents"] & privileged == 0
    assert identify["d"]["token"] == "test-token"
