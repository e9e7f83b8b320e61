"""A member's Slack, on loopback: the fake Slack API, the real core, the adapter between them."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from adapters.compose import open_app
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.config import Settings, SlackSettings
from bot.core import Core
from bot.replies import Reply
from bot.requests import Request
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"


class RecordingCore:
    """The real core, with a note of every request it was asked and an optional delay."""

    def __init__(self, core: Core, delay: float = 0.0) -> None:
        self.core = core
        self.delay = delay
        self.requests: list[Request] = []

    async def handle(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        return await self.core.handle(request)


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


def http_settings(slack: FakeSlack) -> SlackSettings:
    return SlackSettings(enabled=True, mode="http", host="127.0.0.1", port=0, api_url=slack.api_url)


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


def slash_command(slack: FakeSlack, text: str, hook: str = "command") -> str:
    """The recorded ``/ballot`` form body with the member's text and a response_url on the fake."""
    fields = dict(parse_qsl((FIXTURES / "slash_command.form").read_text(), keep_blank_values=True))
    # Every invocation has its own trigger id (a retry by Slack repeats it).
    fields.update(text=text, response_url=slack.response_url(hook), trigger_id=_trigger_id())
    return urlencode(fields)


_triggers = itertools.count(1)


def _trigger_id() -> str:
    return f"6543210987.1234567890.{next(_triggers):032x}"


def block_actions(
    slack: FakeSlack, action_id: str, value: str, *, ephemeral: bool = True, hook: str = "click"
) -> str:
    """The recorded button click as Slack posts it: form field ``payload`` holding the JSON."""
    payload: dict[str, Any] = json.loads((FIXTURES / "block_actions.json").read_text())
    payload["response_url"] = slack.response_url(hook)
    payload["container"]["is_ephemeral"] = ephemeral
    payload["actions"][0].update(action_id=action_id, value=value)
    return urlencode({"payload": json.dumps(payload)})


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers as Slack signs them: HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(
            timestamp=stamp, body=body
        ),
    }


async def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, Any]:
    """POST to the adapter; the answer as JSON when it is JSON."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except json.JSONDecodeError:
            return response.status, text


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every word in a list of blocks, to read a card the way a member sees it."""
    return json.dumps(blocks, ensure_ascii=False)
