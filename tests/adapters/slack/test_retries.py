"""Slack sends a command again when it thinks we were slow: it is answered once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.compose import App, open_app
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.config import Settings
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


async def test_a_retried_slash_command_is_answered_once_across_processes(
    app: App, slack: FakeSlack
) -> None:
    core = RecordingCore(app.core)
    first, second = await adapter_on(app, slack, core), await adapter_on(app, slack, core)
    try:
        body = slash_command(slack, "kirklees")
        status, answer = await post(first.url, body, signed_headers(body))
        assert status == 200 and "Kirklees" in str(answer)

        retry = {
            **signed_headers(body),
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        }
        again_status, again = await post(second.url, body, retry)  # reaches the other process
    finally:
        await first.stop()
        await second.stop()

    assert again_status == 200 and again == ""
    assert [r.text for r in core.requests] == ["kirklees"]


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
    try:
        body = slash_command(slack, "kirklees")
        # Waiting for the record would wait for ever: the 30 s only ends such a failure.
        asking = post(adapter.url or "", body, signed_headers(body))
        status, answer = await asyncio.wait_for(asking, 30)
        answered_before_recorded = not recorded
    finally:
        database_free.set()
        await adapter.stop()  # lets the record finish

    assert status == 200 and "Kirklees" in str(answer)
    assert answered_before_recorded
    assert len(recorded) == 1


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
    try:
        body = slash_command(slack, "kirklees")
        status, answer = await post(adapter.url or "", body, signed_headers(body))
    finally:
        await adapter.stop()

    assert status == 200 and "Kirklees" in str(answer)
