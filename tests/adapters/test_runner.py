"""`ballotbot run`: the enabled adapters start on one loop, answer, and stop cleanly."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from rich.console import Console

from adapters.compose import open_app
from adapters.runner import serve
from bot.config import Settings
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    block_text,
    post,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_api import FakeSlack


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    return settings


async def test_run_with_nothing_enabled_says_what_to_do(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    async with open_app(_settings(tmp_path)) as app:
        assert await serve(app, asyncio.Event(), console) == 2
    assert "no adapter is enabled" in console.export_text()


async def test_run_serves_slack_until_told_to_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    console = Console(record=True, width=200)
    stop = asyncio.Event()
    async with FakeSlack() as slack:
        settings = _settings(tmp_path)
        port = _free_port()
        settings.slack = settings.slack.model_copy(
            update={"enabled": True, "mode": "http", "port": port, "api_url": slack.api_url}
        )
        async with open_app(settings) as app:
            running = asyncio.create_task(serve(app, stop, console))
            url = f"http://127.0.0.1:{port}/slack/events"
            for _ in range(100):  # until the adapter listens
                await asyncio.sleep(0.05)
                if "slack started" in console.export_text(clear=False).lower():
                    break
            body = slash_command(slack, "kirklees")
            status, answer = await post(url, body, signed_headers(body))
            assert status == 200
            assert "43.3%" in block_text(answer["blocks"])
            stop.set()
            assert await asyncio.wait_for(running, 10) == 0
    said = console.export_text().lower()
    assert "slack stopped" in said
    assert "event loop monitor started" in said and "longest event loop stall:" in said
