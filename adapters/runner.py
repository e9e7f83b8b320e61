"""`ballotbot run`: every adapter enabled in the config, on one event loop, stopped cleanly.

Beside the adapters run the announcement dispatcher, sending through their senders, the
watcher of the configured results feeds, and (in one process of a deployment) the reminder
scheduler.

Adapters share one core and one database; each only has a lifecycle (start, stop). A platform
library is imported only when its adapter is enabled, so a console-only install stays light.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Protocol

from rich.console import Console

from bot.app import App, open_app
from bot.config import Settings
from bot.ports import Sender
from bot.single_process import only_process


class Adapter(Protocol):
    """What the runner needs of a platform adapter."""

    name: str
    platform: str

    @property
    def sender(self) -> Sender: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def enabled_adapters(app: App) -> list[Adapter]:
    """The adapters the settings switch on, built around the one shared core."""
    adapters: list[Adapter] = []
    if app.settings.slack.enabled:
        from adapters.slack import build_slack_adapter

        adapters.append(build_slack_adapter(app))
    if app.settings.discord.enabled:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(app.core, app.settings.discord))
    return adapters


async def serve(app: App, stop: asyncio.Event, console: Console) -> int:
    """Start every enabled adapter, wait for ``stop``, then stop them in reverse order."""
    adapters = enabled_adapters(app)
    if not adapters:
        console.print(
            "[bold red]ballotbot run:[/] no adapter is enabled. Set `enabled = true` under "
            "[slack] or [discord] in the config (see config.example.toml), or run `ballotbot` "
            "for the console.",
            highlight=False,
            markup=True,
        )
        return 2
    started: list[Adapter] = []
    delivering: asyncio.Task[None] | None = None
    watching: asyncio.Task[None] | None = None
    scheduling: asyncio.Task[None] | None = None
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            console.print(f"ballotbot: {adapter.name} started", highlight=False)
        dispatcher = app.dispatcher({a.platform: a.sender for a in started})
        poll = app.settings.announcements.poll_seconds
        delivering = asyncio.create_task(dispatcher.run_forever(stop, poll))
        if app.settings.feeds:
            watching = asyncio.create_task(app.feed_watcher().run_forever(stop))
        scheduling = asyncio.create_task(app.scheduler_leader().run(stop))
        await stop.wait()
    finally:
        if scheduling is not None:
            stop.set()
            await scheduling
        if watching is not None:
            stop.set()
            await watching
        if delivering is not None:
            stop.set()  # also when an adapter failed: the dispatcher must not outlive them
            await delivering  # it finishes the message in hand and hands back the rest
        for adapter in reversed(started):
            await adapter.stop()
            console.print(f"ballotbot: {adapter.name} stopped", highlight=False)
    return 0


async def run_adapters(settings: Settings, console: Console) -> int:
    """The `ballotbot run` command: serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with only_process(settings.database.url):
            async with open_app(settings) as app:
                return await serve(app, stop, console)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
