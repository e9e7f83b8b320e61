"""`ballotbot run`: what this process does, on one event loop, stopped cleanly.

``[process] roles`` says which parts run here, so one config can run N identical processes
on PostgreSQL: the Slack endpoint (any number, behind a load balancer), the dispatcher (any
number: rows are claimed with SKIP LOCKED and the platforms' pace is shared in the database),
and, one process at a time (an advisory lock each, :mod:`storage.leader_lock`), the Discord
gateway, the reminder scheduler and the feed watcher. A platform library is imported only
when that platform is enabled, so a console-only install stays light.

On SIGINT or SIGTERM: the Slack endpoint stops taking requests and finishes what it promised,
the dispatcher finishes the message in hand and hands back the rest, and the locks are let go.

The event loop is watched all the while (:mod:`adapters.loop_monitor`): a stall longer than
``[process] stall_seconds`` is logged with what was running, and the longest is said at stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console

from adapters.compose import App, open_app
from adapters.console.messages import fail, say
from adapters.loop_monitor import LoopMonitor
from adapters.startup import Started, summary
from bot.config import Settings
from bot.ports import Sender
from storage.process_lock import only_process


class Running:
    """What this process started, to be stopped in reverse order."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stops: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.where = Started()

    def started(self, name: str, stop: Callable[[], Awaitable[Any]]) -> None:
        self.stops.append((name, stop))
        say(self.console, f"ballotbot: {name} started")

    async def stop_all(self) -> None:
        for task in self.tasks:
            with contextlib.suppress(Exception):
                await task
        for name, stop in reversed(self.stops):
            await stop()
            say(self.console, f"ballotbot: {name} stopped")


async def serve(app: App, stop: asyncio.Event, console: Console) -> int:
    """Start what the roles ask for, wait for ``stop``, then stop it all in reverse order."""
    settings = app.settings
    roles = set(settings.process.roles)
    if not settings.slack.enabled and not settings.discord.enabled:
        fail(
            console,
            "run: no adapter is enabled. Set enabled = true under [slack] or [discord] in the "
            "config (see config.example.toml) and give it with --config, or run `ballotbot` "
            "alone for the console.",
        )
        return 2
    _secrets_first(settings, roles)
    running = Running(console)
    try:
        await _prepare(app, roles)
        await _monitor(settings, running)
        senders: dict[str, Sender] = {}
        if settings.slack.enabled:
            await _slack(app, roles, running, senders)
        if settings.discord.enabled:
            await _discord(app, roles, running, senders, stop)
        if "dispatcher" in roles and senders:
            dispatcher = app.dispatcher(senders)
            poll = settings.announcements.poll_seconds
            running.tasks.append(
                asyncio.create_task(dispatcher.run_forever(stop, poll), name="dispatcher")
            )
            say(console, f"ballotbot: dispatcher started ({', '.join(senders)})")
        if "scheduler" in roles:
            leader = app.scheduler_leader()
            running.tasks.append(asyncio.create_task(leader.run(stop), name="reminder scheduler"))
        if "feeds" in roles and settings.feeds:
            running.tasks.append(asyncio.create_task(_feeds(app).run(stop), name="feed watcher"))
        if settings.process.health_port:
            await _health(app, running)
        for line in summary(settings, running.where):
            say(console, f"ballotbot: {line}")
        await stop.wait()
    finally:
        stop.set()  # also when a start failed: nothing may outlive what it depends on
        await running.stop_all()
    return 0


def _secrets_first(settings: Settings, roles: set[str]) -> None:
    """A missing token or secret is said before anything starts: the one line that says what
    to set, not after "started" and "stopped" lines of what it had to stop again. Raises the
    adapters' own :class:`bot.config.ConfigError`."""
    if settings.slack.enabled and roles & {"slack", "dispatcher"}:
        from adapters.slack import SlackSecrets

        SlackSecrets.from_env(settings.slack.mode)
    if settings.discord.enabled and roles & {"discord", "dispatcher"}:
        from adapters.discord.adapter import token_from_env

        token_from_env()


async def _prepare(app: App, roles: set[str]) -> None:
    """What would otherwise pause the loop once members are served, done first: importing
    what the roles need (an import is synchronous; APScheduler's alone is over 100 ms) and
    opening the database connections; then the objects of start-up are moved out of the
    garbage collector's way (see :func:`bot.offloop.keep`)."""
    settings = app.settings
    await app.open_connections()
    wanted = ["aiohttp.web"]
    if settings.slack.enabled:
        wanted += ["adapters.slack", "adapters.slack.sender"]
    if settings.discord.enabled:
        wanted += ["adapters.discord"]
    if "scheduler" in roles:
        wanted += ["storage.reminder_scheduler"]
    for module in wanted:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()


async def _monitor(settings: Settings, running: Running) -> None:
    """Watch the loop from the start; at stop, say the longest stall it saw."""
    monitor = LoopMonitor(settings.process.stall_seconds)
    await monitor.start()

    async def stop() -> None:
        await monitor.stop()
        say(
            running.console,
            f"ballotbot: longest event loop stall: {monitor.longest * 1000:.0f} ms, "
            f"{monitor.longest_own * 1000:.0f} ms of the bot's own (less waiting for a CPU); "
            f"{monitor.stalls} over {settings.process.stall_seconds * 1000:.0f} ms",
        )

    running.started("event loop monitor", stop)


async def _slack(app: App, roles: set[str], running: Running, senders: dict[str, Sender]) -> None:
    from adapters.slack import SlackSecrets, SlackSender, build_slack_adapter
    from adapters.slack.sender import web_client

    if "slack" in roles:
        adapter = build_slack_adapter(app)
        await adapter.start()
        running.started(adapter.name, adapter.stop)
        running.where.slack_events = adapter.url
        senders["slack"] = adapter.sender
    elif "dispatcher" in roles:
        secrets = SlackSecrets.from_env(app.settings.slack.mode)
        senders["slack"] = SlackSender(web_client(secrets.bot_token, app.settings.slack.api_url))


async def _discord(
    app: App,
    roles: set[str],
    running: Running,
    senders: dict[str, Sender],
    stop: asyncio.Event,
) -> None:
    from adapters.discord import DiscordAdapter, DiscordSending

    if "dispatcher" in roles:
        sending = DiscordSending(app.settings.discord)
        senders["discord"] = await sending.start()
        running.started("Discord sender", sending.stop)
    if "discord" in roles:
        gateway = DiscordAdapter(app.core, app.settings.discord)
        leader = app.leadership("Discord gateway", gateway.start, gateway.stop)
        running.tasks.append(asyncio.create_task(leader.run(stop)))


def _feeds(app: App) -> Any:
    """The feed watcher, in one process at a time."""
    watching: dict[str, tuple[asyncio.Event, asyncio.Task[None]]] = {}

    async def begin() -> None:
        halt = asyncio.Event()
        watching["task"] = (halt, asyncio.create_task(app.feed_watcher().run_forever(halt)))

    async def end() -> None:
        if "task" in watching:
            halt, task = watching.pop("task")
            halt.set()
            await task

    return app.leadership("feed watcher", begin, end)


async def _health(app: App, running: Running) -> None:
    from aiohttp import web

    from adapters.slack.http import add_health_routes
    from adapters.startup import cannot_listen

    web_app = web.Application()
    add_health_routes(web_app, app.ready)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    process = app.settings.process
    try:
        await web.TCPSite(runner, process.health_host, process.health_port).start()
    except OSError as exc:
        await runner.cleanup()
        raise cannot_listen(
            exc, "[process] health_port", process.health_host, process.health_port
        ) from None
    host, port = runner.addresses[0][:2]
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # IPv6 in brackets
    running.started(f"health on {shown}", runner.cleanup)
    running.where.health = f"http://{shown}"


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
