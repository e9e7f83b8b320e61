"""A member's Slack, on loopback: the fake Slack API, the real core, the adapter between them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.compose import open_app
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.config import Settings, SlackSettings
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import http_settings


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[RecordingCore]:
    """The real bot on a fresh SQLite database holding the demo ballots."""
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'ballots.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    async with open_app(settings) as app:
        yield RecordingCore(app.core)


@pytest.fixture
async def adapter(slack: FakeSlack, core: RecordingCore) -> AsyncIterator[SlackAdapter]:
    """The Slack adapter in HTTP mode, on a free loopback port, against the fake Slack."""
    secrets = SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET)
    running = SlackAdapter(core, http_settings(slack), secrets)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def socket_adapter(slack: FakeSlack, core: RecordingCore) -> AsyncIterator[SlackAdapter]:
    settings = SlackSettings(enabled=True, mode="socket", api_url=slack.api_url)
    running = SlackAdapter(core, settings, SlackSecrets(BOT_TOKEN, app_token=APP_TOKEN))
    await running.start()
    yield running
    await running.stop()
