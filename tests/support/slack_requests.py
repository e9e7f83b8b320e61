"""What Slack sends the adapter, and readers of what the adapter sends back.

The recorded bodies live in ``tests/fixtures/slack``; every request is signed as Slack signs
it (HMAC-SHA256 with the fake's signing secret).
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.config import SlackSettings
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlack

FIXTURES = Path(__file__).parents[1] / "fixtures" / "slack"


def http_settings(slack: FakeSlack) -> SlackSettings:
    """The adapter in HTTP mode on a free loopback port, talking to the fake Slack."""
    return SlackSettings(enabled=True, mode="http", host="127.0.0.1", port=0, api_url=slack.api_url)


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
