"""Benchmark: 20,000 opted-in members reminded by DM through the fake platform APIs.

Run by hand: ``python -m bench.reminders [--members 20000] [--rate 100]``.

Half the members are on Slack, half on Discord. One reminder stage fires (the real
``ReminderService.fire``: one bulk insert of outbox rows), then the real dispatcher sends the
DMs through the real SlackSender (``conversations.open`` + ``chat.postMessage``) and
DiscordSender (``POST /users/@me/channels`` + a message) at the configured rate, ``--rate`` DMs
a second per platform. The fakes enforce that rate (two requests per DM) and refuse the
excess with 429. Reported: time to queue, time to send against members / rate (both
platforms in parallel), peak memory added, duplicates and losses counted from what the fakes
accepted per member.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from adapters.compose import open_app
from bench.fanout import Window, real_senders
from bot.announce.dispatcher import Pacing
from bot.config import Settings
from bot.requests import Request
from storage.models import ReminderOptInRow
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack


def limiter(rate: float, refused: list[int], accepted: collections.Counter[str]):
    """At most two requests per DM at ``rate`` DMs a second; counts accepted messages by
    where they went (a Slack DM channel, a Discord DM channel)."""
    window = Window(2 * rate)

    def check(call: object) -> float | None:
        wait = window.check(time.monotonic())
        if wait is not None:
            refused[0] += 1
            return wait
        method = getattr(call, "method", "")
        if method == "chat.postMessage":
            accepted[str(call.args["channel"])] += 1  # type: ignore[attr-defined]  # Slack fake call
        elif method == "POST" and str(getattr(call, "path", "")).startswith("/channels/"):
            accepted[str(call.path)] += 1  # type: ignore[attr-defined]  # a Discord fake call
        return None

    return check


async def run(members: int, rate: float) -> str:
    n_slack = members // 2
    n_discord = members - n_slack
    minimum = max(n_slack, n_discord) / rate
    refused_slack, refused_discord = [0], [0]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'reminders.db'}"
        settings.charts.cache_dir = str(Path(folder) / "charts")
        settings.reminders.quiet_start = settings.reminders.quiet_end = "00:00"
        async with (
            open_app(settings, load_demo=False) as app,
            FakeSlack() as slack,
            FakeDiscord() as fake_discord,
        ):
            now = datetime.now(UTC)
            closes = (now + timedelta(days=3)).date()
            added = await app.core.handle(
                Request(
                    f'/ballot admin add id=bench-1 employer="Bench Council" unions=Unison '
                    f'question="Strike?" kind=strike closes={closes} status=open'
                )
            )
            assert added.ok, added.plain_text()
            rows = [
                {
                    "platform": "slack" if n < n_slack else "discord",
                    "user_id": f"U{n:08d}" if n < n_slack else str(930_000_000_000_000_000 + n),
                    "ballot_id": "bench-1",
                    "created_at": now,
                }
                for n in range(members)
            ]
            async with app.engine.begin() as connection:
                await connection.execute(insert(ReminderOptInRow), rows)

            accepted: collections.Counter[str] = collections.Counter()
            slack.limiter = limiter(rate, refused_slack, accepted)
            fake_discord.limiter = limiter(rate, refused_discord, accepted)
            started = time.perf_counter()
            _, queued = await app.reminders.fire("bench-1", "close-3d")
            queue_s = time.perf_counter() - started

            pacing = Pacing(per_channel_seconds=0, per_platform_per_second=0.98 * rate, batch=200)
            async with real_senders(slack, fake_discord) as senders:
                dispatcher = app.dispatcher(senders, pacing)
                started = time.perf_counter()
                sent = 0
                while sent < queued:
                    sent += await dispatcher.run_once()
                elapsed = time.perf_counter() - started

            deliveries = await app.outbox.deliveries(None, limit=members + 10)
            states = collections.Counter(d.state for d in deliveries)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    duplicates = sum(count - 1 for count in accepted.values() if count > 1)
    total = sum(accepted.values())
    lost = members - states["sent"]
    return "\n".join(
        [
            f"Members: {members:,} opted in ({n_slack:,} Slack, {n_discord:,} Discord); rate "
            f"{rate:g} DMs/s per platform (two API calls each), enforced by the fakes.",
            "",
            "| queue (fire) | send | members / rate | over | DMs accepted | duplicates | lost "
            "| 429s (Slack / Discord) | peak RSS added |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {queue_s:.2f} s | {elapsed:.1f} s | {minimum:.1f} s "
            f"| {(elapsed / minimum - 1) * 100:+.1f}% | {total:,} | {duplicates} | {lost} "
            f"| {refused_slack[0]} / {refused_discord[0]} "
            f"| {(rss_after - rss_before) / 1024:.0f} MiB |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    print(asyncio.run(run(args.members, args.rate)))


if __name__ == "__main__":
    main()
