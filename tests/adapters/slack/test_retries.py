"""Slack sends an event again when we seem slow: handled once. Commands, never retried: no write."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from adapters.compose import App, open_app
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.config import Settings
from storage.models import SeenRequestRow
from tests.adapters.slack.conftest import (
    RecordingCore,
    http_settings,
    post,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings()
    settings.database.url = database_url
    settings.charts.cache_dir = str(tmp_path / "charts")
    async with open_app(settings, load_demo=True) as app:
        yield app


async def adapter_on(app: App, slack: FakeSlack, core: RecordingCore) -> SlackAdapter:
    adapter = SlackAdapter(
        core,
        http_settings(slack),
        SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET),
        first_time=app.first_time,
        ready=app.ready,
    )
    await adapter.start()
    return adapter


async def _seen(app: App) -> int:
    async with app.engine.connect() as connection:
        count = select(func.count()).select_from(SeenRequestRow)
        return int((await connection.execute(count)).scalar_one())


async def test_a_retried_event_is_handled_once_across_processes(app: App, slack: FakeSlack) -> None:
    core = RecordingCore(app.core)
    first, second = await adapter_on(app, slack, core), await adapter_on(app, slack, core)
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "event_id": "Ev0RETRIED",
            "event_time": 1700000000,
            "event": {"type": "app_home_opened", "user": "U0MEMBER", "tab": "home"},
        }
    )
    as_json = {"Content-Type": "application/json"}
    try:
        await post(first.url, body, {**signed_headers(body), **as_json})
        retry = {
            **signed_headers(body),
            **as_json,
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        }
        again_status, again = await post(second.url, body, retry)  # reaches the other process
    finally:
        await first.stop()
        await second.stop()

    assert again_status == 200 and again == ""  # acknowledged, so Slack stops, and dropped
    assert await _seen(app) == 1


async def test_a_slash_command_writes_nothing_to_recognise_retries(
    app: App, slack: FakeSlack
) -> None:
    """Slack never retries a slash command: a member's question costs no database write."""
    core = RecordingCore(app.core)
    adapter = await adapter_on(app, slack, core)
    try:
        for text in ("kirklees", "southampton"):
            body = slash_command(slack, text)
            status, answer = await post(adapter.url, body, signed_headers(body))
            assert status == 200 and answer
    finally:
        await adapter.stop()

    assert [r.text for r in core.requests] == ["kirklees", "southampton"]
    assert await _seen(app) == 0


async def test_health_and_readiness_for_the_load_balancer(app: App, slack: FakeSlack) -> None:
    adapter = await adapter_on(app, slack, RecordingCore(app.core))
    base = (adapter.url or "").removesuffix("/slack/events")
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as health:
                assert health.status == 200
            async with session.get(f"{base}/readyz") as ready:
                assert ready.status == 200 and (await ready.json()) == {"ready": True}
    finally:
        await adapter.stop()


async def test_a_process_that_cannot_reach_its_database_is_not_ready(slack: FakeSlack) -> None:
    async def unreachable() -> bool:
        return False

    adapter = SlackAdapter(
        RecordingCore(None),  # type: ignore[arg-type] - never asked anything here
        http_settings(slack),
        SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET),
        ready=unreachable,
    )
    await adapter.start()
    base = (adapter.url or "").removesuffix("/slack/events")
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/readyz") as ready:
            assert ready.status == 503
    finally:
        await adapter.stop()
