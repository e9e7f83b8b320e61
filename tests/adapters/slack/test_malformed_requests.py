"""Anyone can reach the HTTP endpoint: what Slack did not sign is refused with 401 and one
short log line, however malformed it is. Never a 500, never a traceback to flood the log."""

from __future__ import annotations

import logging
import time

import aiohttp
import pytest

from adapters.slack.app import SlackAdapter
from tests.fakes.slack_api import FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import signed_headers, slash_command

FORM = "application/x-www-form-urlencoded"


async def post_bytes(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


def stamped(timestamp: str, signature: str = "v0=" + "0" * 64, kind: str = FORM) -> dict[str, str]:
    return {
        "Content-Type": kind,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


MALFORMED = [
    pytest.param(None, stamped("not-a-number"), id="timestamp not a number"),
    pytest.param(None, stamped(""), id="timestamp empty"),
    pytest.param(None, stamped("1700000000.5"), id="timestamp with a fraction"),
    pytest.param(None, stamped("9" * 5000), id="timestamp of 5,000 digits"),
    pytest.param(None, stamped("now", signature="v0=ünïcode"), id="both bad"),
    pytest.param(None, {"X-Slack-Request-Timestamp": "x", "Content-Type": FORM}, id="unsigned"),
    pytest.param(b"payload=%7Bnot+json", "now", id="payload that is not JSON"),
    pytest.param(b"\xff\xfe\x00garbage", "now", id="body that is not UTF-8"),
    pytest.param(b"{not json", "json", id="JSON body that is not JSON"),
    pytest.param(b"[1, 2, 3]", "json", id="JSON body that is a list"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "json", id="JSON body nested 100,000 deep"),
    pytest.param(b"payload=" + b"%5B" * 50_000, "now", id="payload nested 50,000 deep"),
    pytest.param(b"payload=null", "now", id="payload that is null"),
    pytest.param(b'{"a": 1e999999}', "json", id="JSON body with a huge number"),
]


@pytest.mark.parametrize(("body", "headers"), MALFORMED)
async def test_a_malformed_unsigned_request_gets_401_and_one_short_log_line(
    adapter: SlackAdapter,
    slack: FakeSlack,
    core: RecordingCore,
    caplog: pytest.LogCaptureFixture,
    body: bytes | None,
    headers: dict[str, str] | str,
) -> None:
    if body is None:
        body = slash_command(slack, "kirklees").encode()
    if headers == "now":
        headers = stamped(str(int(time.time())))
    elif headers == "json":
        headers = stamped(str(int(time.time())), kind="application/json")
    assert isinstance(headers, dict)
    caplog.set_level(logging.INFO)

    status, _ = await post_bytes(adapter.url or "", body, headers)

    assert status == 401
    assert core.requests == []
    assert slack.calls_to("respond") == []
    said = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(said) == 1, [r.getMessage() for r in said]
    [line] = said
    assert line.exc_info is None and line.exc_text is None and line.stack_info is None
    message = line.getMessage()
    assert "\n" not in message and len(message) < 160
    assert "U0MEMBER1" not in message  # nor the body it came with


async def test_a_badly_signed_request_logs_one_line_without_its_body(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt's own refusal names the body at INFO, and a slash command's body names the
    member: the line is kept, the body is not."""
    body = slash_command(slack, "kirklees")
    caplog.set_level(logging.INFO)

    status, _ = await post_bytes(
        adapter.url or "", body.encode(), signed_headers(body, secret="not-the-secret")
    )

    assert status == 401
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert len(said) == 1, said
    assert "U0MEMBER1" not in said[0] and "kirklees" not in said[0]
    assert core.requests == []
