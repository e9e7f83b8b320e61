"""Benchmark: `/ballot <new question>` interactions per second through a Discord gateway.

Run by hand: ``python -m bench.discord_gateway [--ballots N] [--interactions N]``.

Both bots are the real discord.py, connected to the fake Discord of the tests
(``tests/fakes/discord_api.py``) on 127.0.0.1, fed the same INTERACTION_CREATE dispatches with
at most ``--window`` unanswered at a time, and timed from the first dispatch to the last
interaction callback:

- the ballotbot adapter answering from the core on the 50,000-ballot database (search, card,
  embed, persistent buttons);
- a bare discord.py client whose ``/ballot`` answers a constant string: the floor set by
  discord.py, the gateway and the HTTP round trip.

Every question of the main rounds is new to the run (a name with a typo, union + employer +
kind + year, union + place, in turn, as ``bench/query.py`` draws them), so the core's reply
cache never answers; a round repeating one question (``/ballot kirklees``) is timed apart.
The core alone (no Discord) is timed on other new queries too: the ceiling the adapter can reach.
The fake runs in the same process and event loop as the bot, for both runs alike, so its own
work is part of both rates. Each bot runs ``--rounds`` times, alternating, and the best round of
each is compared. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # discord.py imports audioop (voice); 3.11-3.12 warn about it
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
from discord import app_commands

from adapters.compose import open_app
from adapters.discord import DiscordAdapter
from adapters.discord.client import DISCORD_API_URL, intents, point_at
from bench.dataset import make_ballots
from bench.slack_http import new_questions
from bot.config import DiscordSettings, Settings
from bot.ports import Answerer
from bot.requests import Request
from tests.fakes.discord_api import GUILD_ID, Call, FakeDiscord


class BareClient(discord.Client):
    """discord.py with one ``/ballot`` command that answers a constant: the floor."""

    def __init__(self) -> None:
        super().__init__(intents=intents())
        self.tree: app_commands.CommandTree[BareClient] = app_commands.CommandTree(self)
        self.connected = asyncio.Event()

        @self.tree.command(name="ballot", description="constant answer")
        async def ballot(interaction: discord.Interaction[Any], query: str = "") -> None:
            await interaction.response.send_message("ok", ephemeral=True)

    async def setup_hook(self) -> None:
        guild = discord.Object(id=int(GUILD_ID))
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_connect(self) -> None:
        self.connected.set()


async def _drive(fake: FakeDiscord, queries: Sequence[str], window: int) -> float:
    """Dispatch every query, ``window`` in flight at most; return interactions per second."""
    slots = asyncio.Semaphore(window)
    done = asyncio.Event()
    answered = 0

    def on_call(call: Call) -> None:
        nonlocal answered
        if call.method == "POST" and call.path.endswith("/callback"):
            answered += 1
            slots.release()
            if answered == len(queries):
                done.set()

    fake.listeners.append(on_call)
    try:
        started = time.perf_counter()
        for query in queries:
            await slots.acquire()
            await fake.dispatch("INTERACTION_CREATE", fake.slash(query))
        await asyncio.wait_for(done.wait(), 120)
        elapsed = time.perf_counter() - started
    finally:
        fake.listeners.remove(on_call)
        fake.calls.clear()  # keep the fake's memory flat between rounds
    return len(queries) / elapsed


async def _bare_round(fake: FakeDiscord, queries: Sequence[str], window: int) -> float:
    point_at(fake.api_url, fake.gateway_url)
    client = BareClient()
    await client.login("bench-token")
    task = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.connected.wait(), 10)
        return await _drive(fake, queries, window)
    finally:
        await client.close()
        await task


async def _bot_round(
    fake: FakeDiscord, core: Answerer, queries: Sequence[str], window: int
) -> float:
    settings = DiscordSettings(
        enabled=True,
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guild_ids=[int(GUILD_ID)],
    )
    async with DiscordAdapter(core, settings, token="bench-token"):
        return await _drive(fake, queries, window)


async def _core_round(core: Answerer, queries: Sequence[str]) -> float:
    """The core alone, no Discord at all: the ceiling for the adapter."""
    started = time.perf_counter()
    for query in queries:
        await core.handle(Request(text=query, platform="discord"))
    return len(queries) / (time.perf_counter() - started)


async def run(
    n_ballots: int, n_employers: int, n_interactions: int, window: int, rounds: int
) -> str:
    ballots = make_ballots(n_ballots, n_employers)
    asked = new_questions(n_interactions * (1 + 2 * rounds), n_ballots, n_employers)
    batches = [asked[i * n_interactions : (i + 1) * n_interactions] for i in range(1 + 2 * rounds)]
    # The bare bot answers a constant: any questions will do. Ours never sees one twice.
    queries, bot_queries, core_queries = batches[0], batches[1::2], batches[2::2]
    repeated = ["kirklees"] * n_interactions
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with open_app(settings, load_demo=False) as app, FakeDiscord() as fake:
            for i in range(0, len(ballots), 5_000):
                await app.store.save(ballots[i : i + 5_000])
            await app.core.index()  # built once at start-up in production too

            bare: list[float] = []
            bot: list[float] = []
            core: list[float] = []
            for n in range(rounds):
                bare.append(await _bare_round(fake, queries, window))
                bot.append(await _bot_round(fake, app.core, bot_queries[n], window))
                core.append(await _core_round(app.core, core_queries[n]))
            bare_repeated = await _bare_round(fake, repeated, window)
            bot_repeated = await _bot_round(fake, app.core, repeated, window)
            point_at(DISCORD_API_URL, "")
    ratio = max(bot) / max(bare)
    verdict = "meets" if ratio >= 0.50 else "MISSES"
    return "\n".join(
        [
            f"Data: {n_ballots:,} ballots, {n_employers:,} employers; {n_interactions:,} "
            f"`/ballot <query>` interactions per round, {window} in flight, {rounds} rounds "
            "(best round shown); every question is new to the run (names with a typo, union + "
            "employer + kind + year, union + place, in turn), so none is answered from the "
            "core's reply cache.",
            "",
            "| bot | interactions/s (best) | every round |",
            "| --- | --- | --- |",
            f"| bare discord.py, constant answer | {max(bare):.0f} | "
            f"{', '.join(f'{r:.0f}' for r in bare)} |",
            f"| ballotbot adapter + core | {max(bot):.0f} | {', '.join(f'{r:.0f}' for r in bot)} |",
            f"| core.handle alone, no Discord (the ceiling) | {max(core):.0f} | "
            f"{', '.join(f'{r:.0f}' for r in core)} |",
            "",
            f"On new questions ballotbot runs at {100 * ratio:.0f}% of the bare handler's rate: "
            f"it {verdict} the 50% target. Through Discord it keeps "
            f"{100 * max(bot) / max(core):.0f}% of what the core alone does.",
            "",
            f"Repeated question, kept apart ({n_interactions:,} x `/ballot kirklees`, answered "
            f"from the reply cache after the first): bare {bare_repeated:.0f}/s, ballotbot "
            f"{bot_repeated:.0f}/s ({100 * bot_repeated / bare_repeated:.0f}%).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--interactions", type=int, default=1_000)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    report = asyncio.run(
        run(args.ballots, args.employers, args.interactions, args.window, args.rounds)
    )
    print(report)


if __name__ == "__main__":
    main()
