"""`ballotbot run` says what it started: adapters, roles, where it listens, which database."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from rich.console import Console

from adapters.compose import open_app
from adapters.runner import serve
from adapters.startup import Started, summary
from bot.config import FeedSettings, Settings
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_in_http_mode_names_its_urls_roles_and_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    console = Console(record=True, width=300)
    stop = asyncio.Event()
    health_port = _free_port()
    async with FakeSlack() as slack:
        settings = Settings()
        settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
        port = _free_port()
        settings.slack = settings.slack.model_copy(
            update={"enabled": True, "mode": "http", "port": port, "api_url": slack.api_url}
        )
        settings.process.health_port = health_port
        async with open_app(settings) as app:
            running = asyncio.create_task(serve(app, stop, console))
            for _ in range(200):
                await asyncio.sleep(0.05)
                if "stop with Ctrl-C" in console.export_text(clear=False):
                    break
            said = console.export_text(clear=False)
            async with aiohttp.ClientSession() as http:
                for base in (f"http://127.0.0.1:{port}", f"http://127.0.0.1:{health_port}"):
                    for path in ("/healthz", "/readyz"):
                        assert f"{base}{path}" in said
                        async with http.get(base + path) as answer:
                            assert answer.status == 200
            stop.set()
            assert await asyncio.wait_for(running, 10) == 0
    assert f"POST http://127.0.0.1:{port}/slack/events" in said
    assert "started Slack; roles here: slack, discord, dispatcher, scheduler, feeds" in said
    assert f"database: sqlite+aiosqlite:///{tmp_path / 'run.db'}" in said
    start_lines = said[: said.index("stop with Ctrl-C")].splitlines()
    assert len(start_lines) <= 10


def test_the_summary_hides_the_database_password() -> None:
    settings = Settings()
    settings.database.url = "postgresql+psycopg://ballotbot:hunter2@db.example:5432/ballots"
    lines = summary(settings, Started())
    assert "database: postgresql+psycopg://ballotbot:***@db.example:5432/ballots" in lines
    assert "hunter2" not in "\n".join(lines)


def test_the_summary_of_socket_mode_discord_and_feeds() -> None:
    settings = Settings()
    settings.slack.enabled = True
    settings.discord.enabled = True
    settings.process.roles = ["slack", "dispatcher", "feeds"]
    settings.feeds = [FeedSettings(url="https://union.example/results.csv")]
    said = "\n".join(summary(settings, Started()))
    assert "started Slack, Discord; roles here: slack, dispatcher, feeds" in said
    assert "Slack (Socket Mode): connected to Slack by websocket, no port to open" in said
    assert "the gateway runs in another process" in said
    assert "health: none here (set [process] health_port" in said
    assert "results feeds: 1" in said
