"""Benchmark: one result announced to many channels, through fake APIs that enforce limits.

Run by hand: ``python -m bench.fanout [--channels 10000] [--slack-share 0.5]
[--workspace-per-second 50] [--discord-per-second 50]``.

The fake Slack (``tests/fakes/slack_api.py``) refuses a ``chat.postMessage`` with 429 and
Retry-After when a channel had a message less than a second ago or the workspace is over its
ceiling; the fake Discord refuses any request over 50 a second (a sliding one-second window,
as Discord's global limit). The real SlackSender (slack_sdk) and DiscordSender (discord.py)
post through them; the real dispatcher and outbox run on SQLite. The dispatcher is configured
with the same limits an operator would give it (``[announcements] per_platform_per_second``).

Reported: elapsed time from the first claim to the last message against the theoretical
minimum under those limits (each channel once, both platforms in parallel), duplicates and
losses (messages per channel as the fakes accepted them), and 429s received.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from adapters.compose import open_app
from adapters.discord import DiscordSending
from adapters.discord.client import DISCORD_API_URL, point_at
from adapters.slack.sender import SlackSender, web_client
from bot.announce.dispatcher import Pacing
from bot.announce.model import Announce
from bot.config import DiscordSettings, Settings
from bot.demo import DEMO_BALLOTS
from bot.ports import Sender
from storage.models import SubscriptionRow
from tests.fakes.discord_api import Call as DiscordCall
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_api import Call as SlackCall


class Window:
    """At most ``limit`` events in any one second: seconds to wait, or None to accept."""

    def __init__(self, limit: float) -> None:
        self.limit = int(limit)
        self.times: collections.deque[float] = collections.deque()

    def check(self, now: float) -> float | None:
        while self.times and self.times[0] <= now - 1.0:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return self.times[0] + 1.0 - now
        self.times.append(now)
        return None


def slack_limits(per_workspace: float, refused: list[int]) -> Callable[[SlackCall], float | None]:
    workspace = Window(per_workspace)
    last_in_channel: dict[str, float] = {}

    def limiter(call: SlackCall) -> float | None:
        if call.method != "chat.postMessage":
            return None
        now = time.monotonic()
        channel = str(call.args.get("channel"))
        since = now - last_in_channel.get(channel, -1e9)
        wait = 1.0 - since if since < 1.0 else workspace.check(now)
        if wait is not None:
            refused[0] += 1
            return wait
        last_in_channel[channel] = now
        return None

    return limiter


def discord_limits(per_second: float, refused: list[int]) -> Callable[[DiscordCall], float | None]:
    bot = Window(per_second)

    def limiter(call: DiscordCall) -> float | None:
        wait = bot.check(time.monotonic())
        if wait is not None:
            refused[0] += 1
        return wait

    return limiter


def subscription_rows(n_slack: int, n_discord: int) -> list[dict[str, object]]:
    """Channels following every result: ``n_slack`` on Slack, then ``n_discord`` on Discord."""
    now = datetime.now(UTC)
    return [
        {
            "platform": "slack" if n < n_slack else "discord",
            "workspace": None,
            "channel_id": f"C{n:07d}" if n < n_slack else str(910_000_000_000_000_000 + n),
            "filter_kind": "all",
            "filter_value": "",
            "active": True,
            "created_by": "bench",
            "created_at": now,
        }
        for n in range(n_slack + n_discord)
    ]


@asynccontextmanager
async def real_senders(slack: FakeSlack, discord: FakeDiscord) -> AsyncIterator[dict[str, Sender]]:
    """The real senders against the fakes: slack_sdk with no retries of its own (the
    dispatcher handles 429s), and Discord's REST side as a dispatcher process has it."""
    sending = DiscordSending(DiscordSettings(api_url=discord.api_url), token="bench-token")
    try:
        yield {
            "slack": SlackSender(web_client(BOT_TOKEN, slack.api_url, 0)),
            "discord": await sending.start(),
        }
    finally:
        await sending.stop()
        point_at(DISCORD_API_URL, "")


async def run(channels: int, slack_share: float, workspace: float, discord_rate: float) -> str:
    n_slack = round(channels * slack_share)
    n_discord = channels - n_slack
    minimum = max(n_slack / workspace, n_discord / discord_rate)
    refused_slack, refused_discord = [0], [0]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
        settings.charts.cache_dir = str(Path(folder) / "charts")
        settings.announcements.pictures = False  # see the README: one upload per Slack channel
        async with (
            open_app(settings, load_demo=True) as app,
            FakeSlack() as slack,
            FakeDiscord() as fake_discord,
        ):
            slack.limiter = slack_limits(workspace, refused_slack)
            fake_discord.limiter = discord_limits(discord_rate, refused_discord)
            rows = subscription_rows(n_slack, n_discord)
            async with app.engine.begin() as connection:
                await connection.execute(insert(SubscriptionRow), rows)
            started = time.perf_counter()
            declared = await app.declarations.declare(
                [DEMO_BALLOTS[1]], "bench", "announce", Announce.ALL
            )
            enqueue_s = time.perf_counter() - started

            pacing = Pacing(
                per_channel_seconds=1.0,
                per_platform_per_second=0.98 * min(workspace, discord_rate),  # a safety margin
                batch=100,
            )
            async with real_senders(slack, fake_discord) as senders:
                dispatcher = app.dispatcher(senders, pacing)
                started = time.perf_counter()
                sent = 0
                while sent < declared.results:
                    sent += await dispatcher.run_once()
                elapsed = time.perf_counter() - started

            per_channel: collections.Counter[str] = collections.Counter()
            for call in slack.calls_to("chat.postMessage"):
                per_channel[str(call.args["channel"])] += 1
            slack_accepted = sum(per_channel.values()) - refused_slack[0]
            discord_posts = [
                c for c in fake_discord.calls if c.method == "POST" and c.path.endswith("/messages")
            ]
            discord_accepted = len(discord_posts) - refused_discord[0]
            accepted = slack_accepted + discord_accepted
            deliveries = await app.outbox.deliveries(None, limit=channels + 10)
            states = collections.Counter(d.state for d in deliveries)
    duplicates = accepted - channels if accepted > channels else 0
    lost = channels - states["sent"]
    over = (elapsed / minimum - 1) * 100
    return "\n".join(
        [
            f"Channels: {channels:,} ({n_slack:,} Slack, {n_discord:,} Discord); limits: Slack 1 "
            f"message/s per channel and {workspace:g}/s per workspace, Discord {discord_rate:g} "
            "requests/s. Pictures off (a Slack upload per channel is under stricter limits).",
            "",
            "| enqueue (one transaction) | elapsed | theoretical minimum | over minimum "
            "| messages accepted | duplicates | lost | 429s (Slack / Discord) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {enqueue_s:.1f} s | {elapsed:.1f} s | {minimum:.1f} s | {over:+.1f}% "
            f"| {accepted:,} | {duplicates} | {lost} "
            f"| {refused_slack[0]} / {refused_discord[0]} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--slack-share", type=float, default=0.5)
    parser.add_argument("--workspace-per-second", type=float, default=50.0)
    parser.add_argument("--discord-per-second", type=float, default=50.0)
    args = parser.parse_args()
    print(
        asyncio.run(
            run(
                args.channels,
                args.slack_share,
                args.workspace_per_second,
                args.discord_per_second,
            )
        )
    )


if __name__ == "__main__":
    main()
