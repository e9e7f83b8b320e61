"""One union on both platforms: the fake Slack and Discord APIs, the real adapters, one bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from adapters.compose import App, open_app
from adapters.discord import DiscordAdapter
from adapters.discord.client import DISCORD_API_URL, point_at
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.config import Settings, SlackSettings
from bot.ports import Sender
from tests.adapters.discord.support import adapter_for
from tests.adapters.slack.conftest import post, signed_headers, slash_command
from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack

SLACK_ORGANISER = "U0MEMBER1"  # the member in the recorded slash command
DISCORD_ORGANISERS = "920000000000000001"  # the role of the member in the recorded interaction
LEEDS = (
    'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)
SLACK_CHANNELS = ("C0BRANCH1", "C0REGION1", "C0REGION2")
DISCORD_CHANNELS = (CHANNEL_ID, "910000000000000002", "910000000000000003")


@dataclass
class Union:
    """One union on both platforms, its bot in between."""

    app: App
    slack: FakeSlack
    discord: FakeDiscord
    slack_bot: SlackAdapter
    discord_bot: DiscordAdapter
    ahead: timedelta = timedelta()

    async def on_slack(self, text: str, user: str = SLACK_ORGANISER, channel: str = "") -> str:
        fields = dict(parse_qsl(slash_command(self.slack, text), keep_blank_values=True))
        fields["user_id"] = user
        fields["channel_id"] = channel or fields["channel_id"]
        body = urlencode(fields)
        status, answer = await post(f"{self.slack_bot.url}", body, signed_headers(body))
        assert status == 200
        return str(answer)

    async def on_discord(self, text: str, roles: list[str] | None = None) -> str:
        callback = await self.discord.interact(self.discord.slash(text, roles=roles))
        return str(callback)

    def dispatcher(self, senders: dict[str, Sender] | None = None) -> Dispatcher:
        senders = senders or {"slack": self.slack_bot.sender, "discord": self.discord_bot.sender}
        dispatcher = self.app.dispatcher(senders, Pacing(per_channel_seconds=0))
        dispatcher.clock = lambda: datetime.now(UTC) + self.ahead
        return dispatcher

    async def deliver(self, senders: dict[str, Sender] | None = None) -> int:
        dispatcher, sent = self.dispatcher(senders), 0
        while (more := await dispatcher.run_once()) > 0:
            sent += more
        return sent

    def posts(self, channel: str) -> int:
        on_slack = [
            c for c in self.slack.calls_to("chat.postMessage") if c.args["channel"] == channel
        ]
        on_discord = self.discord.calls_to("POST", rf"/channels/{channel}/messages")
        return len(on_slack) + len({c.body.get("nonce") or id(c) for c in on_discord})


@pytest.fixture
async def union(tmp_path: Path) -> AsyncIterator[Union]:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'union.db'}"
    settings.search.refresh_seconds = 0
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.slack.organisers = [SLACK_ORGANISER]
    settings.discord.organiser_roles = [DISCORD_ORGANISERS]
    async with (
        FakeSlack() as slack,
        FakeDiscord(heartbeat_interval_ms=500) as discord,
        open_app(settings) as app,
    ):
        slack_settings = SlackSettings(
            enabled=True, mode="http", host="127.0.0.1", port=0, api_url=slack.api_url
        )
        slack_bot = SlackAdapter(
            app.core, slack_settings, SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET)
        )
        await slack_bot.start()
        try:
            async with adapter_for(discord, app.core) as discord_bot:
                yield Union(app, slack, discord, slack_bot, discord_bot)
        finally:
            await slack_bot.stop()
    point_at(DISCORD_API_URL, "")
