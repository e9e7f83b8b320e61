"""A busy database makes a member wait, never fail: "working on it" within Slack's three
seconds, then the answer at the ``response_url`` once the write went through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.compose import App, open_app
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.config import Settings
from tests.adapters.slack.conftest import http_settings, signed_headers, slash_command
from tests.busy import YORK, another_writer
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    async with open_app(settings) as app:
        await app.store.save([YORK])
        yield app


@pytest.fixture
async def adapter(app: App, slack: FakeSlack) -> AsyncIterator[SlackAdapter]:
    """As ``ballotbot run`` builds it: request ids recorded in the same database."""
    running = SlackAdapter(
        app.core,
        http_settings(slack),
        SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET),
        first_time=app.first_time,
    )
    await running.start()
    yield running
    await running.stop()


async def send(url: str, body: str) -> tuple[int, str, float]:
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=signed_headers(body)) as response,
    ):
        return response.status, await response.text(), time.monotonic() - started


async def test_remind_me_while_an_import_holds_the_database_says_working_on_it_then_answers(
    app: App, slack: FakeSlack, adapter: SlackAdapter
) -> None:
    assert adapter.url is not None
    with another_writer(app.settings.database.url):  # e.g. `ballotbot import` in another process
        status, answer, took = await send(adapter.url, slash_command(slack, "remind me york"))
        assert status == 200 and "Working on it" in answer
        assert took < 3.0  # Slack's limit
        await asyncio.sleep(0.5)
        assert slack.calls_to("respond") == []  # the opt-in is still waiting to be written

    followed = await slack.wait_for("respond", within=10)
    assert "I'll remind you by direct message" in str(followed[0].args)
    assert followed[0].args["replace_original"] in (True, "true")


async def test_a_burst_of_members_during_a_long_write_is_answered_in_time_with_no_error(
    app: App, slack: FakeSlack, adapter: SlackAdapter
) -> None:
    assert adapter.url is not None
    texts = ["remind me york", "kirklees", "york", "kirklese", "remind me york"] * 6
    bodies = [slash_command(slack, text, hook=f"m{n}") for n, text in enumerate(texts)]
    with another_writer(app.settings.database.url):
        answers = await asyncio.gather(*(send(adapter.url, body) for body in bodies))
        await asyncio.sleep(0.5)

    assert [status for status, _, _ in answers] == [200] * len(texts)
    assert max(took for _, _, took in answers) < 3.0
    waiting = [n for n, (_, answer, _) in enumerate(answers) if "Working on it" in answer]
    assert waiting, "the writes waited for the lock"
    await slack.wait_for("respond", count=len(waiting), within=15)
    followed = {call.path.rsplit("/", 1)[-1] for call in slack.calls_to("respond")}
    assert {f"m{n}" for n in waiting} <= followed
    said = [str(c.args) for c in slack.calls_to("respond")]
    assert sum("I'll remind you" in s for s in said) == 1  # one member, one opt-in
    assert sum("You already get reminders" in s for s in said) == texts.count("remind me york") - 1
    assert "Something went wrong" not in str(slack.calls_to("respond"))
