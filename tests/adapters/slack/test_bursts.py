"""A burst of members the moment the bot starts costs Slack's API nothing extra."""

from __future__ import annotations

import asyncio
import time

from adapters.slack.app import SlackAdapter
from adapters.slack.handlers import CROWDED
from tests.adapters.slack.conftest import RecordingCore, post, signed_headers, slash_command
from tests.fakes.slack_api import FakeSlack


async def test_a_burst_at_start_checks_the_token_once(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    assert adapter.url is not None
    bodies = [slash_command(slack, "kirklees", hook=f"m{n}") for n in range(30)]

    answers = await asyncio.gather(*(post(adapter.url, b, signed_headers(b)) for b in bodies))

    assert [status for status, _ in answers] == [200] * 30
    assert len(slack.calls_to("auth.test")) == 1  # at start; bolt reuses it for every request


async def test_in_a_crowd_members_hear_working_on_it_as_they_ask_not_all_two_seconds_later(
    slack: FakeSlack, adapter: SlackAdapter, core: RecordingCore
) -> None:
    assert adapter.url is not None
    core.delay = 2.5  # everyone's answer is slow: a burst the core cannot keep up with
    crowd = CROWDED + 16
    bodies = [slash_command(slack, "kirklees", hook=f"m{n}") for n in range(crowd)]

    async def ask(body: str) -> tuple[int, str, float]:
        started = time.monotonic()
        status, answer = await post(adapter.url or "", body, signed_headers(body))
        return status, str(answer), time.monotonic() - started

    answers = await asyncio.gather(*(ask(b) for b in bodies))

    assert all(status == 200 and "Working on it" in said for status, said, _ in answers)
    # Past the crowd, acknowledged at once, not at the 2 s budget (room for a busy machine).
    quick = [took for _, _, took in answers if took < 1.5]
    assert len(quick) >= crowd - CROWDED
    assert max(took for _, _, took in answers) < 3.0
    await slack.wait_for("respond", count=crowd, within=15)
    assert all("Kirklees" in str(call.args) for call in slack.calls_to("respond"))
