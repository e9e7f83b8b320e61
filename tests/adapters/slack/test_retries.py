"""Slack sends an event again when we seem slow: handled once. Commands, never retried: no write."""

from __future__ import annotations

import asyncio
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
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import http_settings, post, signed_headers, slash_command


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


def event_delivery(event_id: str) -> tuple[str, dict[str, str]]:
    """An Events API delivery as Slack signs and sends it (the kind Slack retries)."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "event_id": event_id,
            "event_time": 1700000000,
            "event": {"type": "app_home_opened", "user": "U0MEMBER", "tab": "home"},
        }
    )
    return body, {**signed_headers(body), "Content-Type": "application/json"}


def handled_events(adapter: SlackAdapter) -> list[str]:
    """Event ids that reached a listener (the bot listens to no event itself)."""
    handled: list[str] = []

    @adapter.bolt.event("app_home_opened")
    async def opened(body: dict[str, str]) -> None:
        handled.append(body["event_id"])

    return handled


async def test_a_retried_event_is_handled_once_across_processes(app: App, slack: FakeSlack) -> None:
    core = RecordingCore(app.core)
    first, second = await adapter_on(app, slack, core), await adapter_on(app, slack, core)
    first_handled, second_handled = handled_events(first), handled_events(second)
    body, headers = event_delivery("Ev0RETRIED")
    try:
        await post(first.url, body, headers)
        retry = {
            **headers,
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        }
        again_status, again = await post(second.url, body, retry)  # reaches the other process
    finally:
        await first.stop()
        await second.stop()

    assert again_status == 200 and again == ""  # acknowledged, so Slack stops, and dropped
    assert first_handled == ["Ev0RETRIED"] and second_handled == []
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


async def test_recording_a_request_on_a_slow_database_does_not_hold_up_its_answer(
    app: App, slack: FakeSlack
) -> None:
    recorded: list[str] = []
    database_free = asyncio.Event()

    async def slow_first_time(key: str) -> bool:
        await database_free.wait()  # the database is busy until the member has the answer
        recorded.append(key)
        return True

    adapter = SlackAdapter(
        RecordingCore(app.core),
        http_settings(slack),
        SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET),
        first_time=slow_first_time,
    )
    await adapter.start()
    handled = handled_events(adapter)
    try:
        body, headers = event_delivery("Ev0SLOW")
        # Waiting for the record would wait for ever: the 30 s only ends such a failure.
        status, _ = await asyncio.wait_for(post(adapter.url or "", body, headers), 30)
        answered_before_recorded = not recorded
    finally:
        database_free.set()
        await adapter.stop()  # lets the record finish

    assert status == 200 and handled == ["Ev0SLOW"]
    assert answered_before_recorded
    assert recorded == ["slack:event_id:Ev0SLOW"]


async def test_a_request_whose_id_cannot_be_recorded_is_still_answered(
    app: App, slack: FakeSlack
) -> None:
    async def broken_first_time(key: str) -> bool:
        raise RuntimeError("database is locked")

    adapter = SlackAdapter(
        RecordingCore(app.core),
        http_settings(slack),
        SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET),
        first_time=broken_first_time,
    )
    await adapter.start()
    handled = handled_events(adapter)
    try:
        body, headers = event_delivery("Ev0BROKEN")
        status, _ = await post(adapter.url or "", body, headers)
    finally:
        await adapter.stop()

    assert status == 200 and handled == ["Ev0BROKEN"]
