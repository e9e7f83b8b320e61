"""Announcements and reminders go out through the sender: posts, edits, DMs, and their errors."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from adapters.compose import App
from adapters.discord import DiscordAdapter
from adapters.discord.sender import classify
from bot.ports import PermanentSendError, RefusedSendError, RetryableSendError
from bot.replies import Reply
from bot.requests import Request
from tests.adapters.discord.support import button_ids, embed_text
from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord

MESSAGES = r"/channels/\d+/messages"


async def kirklees(app: App) -> Reply:
    return await app.core.handle(Request(text="kirklees", platform="discord"))


async def test_an_announcement_is_posted_once_even_when_sent_twice(
    fake: FakeDiscord, bot: DiscordAdapter, app: App
) -> None:
    reply = await kirklees(app)

    first = await bot.sender.post(CHANNEL_ID, reply, nonce="announce-42")
    again = await bot.sender.post(CHANNEL_ID, reply, nonce="announce-42")

    assert first == again  # Discord dropped the repeat: same message
    call = fake.calls_to("POST", MESSAGES)[0]
    assert call.body["nonce"] == "announce-42" and call.body["enforce_nonce"] is True
    assert "43.3%" in embed_text({"data": call.body})
    assert "history:kirklees-council-redundancies-strike" in button_ids({"data": call.body})
    assert call.body["allowed_mentions"] == {"parse": []}  # an announcement pings nobody
    assert fake.messages[first]["channel_id"] == CHANNEL_ID


async def test_a_correction_edits_the_posted_card(
    fake: FakeDiscord, bot: DiscordAdapter, app: App
) -> None:
    message_id = await bot.sender.post(CHANNEL_ID, await kirklees(app))

    await bot.sender.update(CHANNEL_ID, message_id, Reply(header="Corrected: Kirklees Council"))

    (edit,) = fake.calls_to("PATCH", rf"/channels/{CHANNEL_ID}/messages/{message_id}")
    assert edit.body["embeds"][0]["title"] == "Corrected: Kirklees Council"
    assert edit.body["components"] == []  # the new card has no buttons: the old ones go
    assert fake.messages[message_id]["embeds"][0]["title"] == "Corrected: Kirklees Council"


async def test_a_reminder_is_sent_as_a_dm(fake: FakeDiscord, bot: DiscordAdapter, app: App) -> None:
    message_id = await bot.sender.dm("930000000000000077", await kirklees(app))

    (opened,) = fake.calls_to("POST", r"/users/@me/channels")
    assert str(opened.body["recipient_id"]) == "930000000000000077"
    (sent,) = fake.calls_to("POST", MESSAGES)
    assert fake.messages[message_id]["channel_id"] == sent.path.split("/")[2]
    assert not any(cid.startswith("share:") for cid in button_ids({"data": sent.body}))
    assert sent.body["allowed_mentions"] == {"parse": []}


async def test_a_short_rate_limit_is_waited_out(
    fake: FakeDiscord, bot: DiscordAdapter, app: App
) -> None:
    fake.fail("POST", MESSAGES, 429, retry_after=0.05)

    message_id = await bot.sender.post(CHANNEL_ID, await kirklees(app))

    assert len(fake.calls_to("POST", MESSAGES)) == 2  # refused once, then sent
    assert message_id in fake.messages


async def test_a_long_rate_limit_is_handed_back_to_the_dispatcher(
    fake: FakeDiscord, bot: DiscordAdapter, app: App
) -> None:
    fake.fail("POST", MESSAGES, 429, retry_after=120.0)  # past the 30 s bound

    with pytest.raises(RetryableSendError) as caught:
        await bot.sender.post(CHANNEL_ID, await kirklees(app))

    assert caught.value.retry_after == 120.0
    assert len(fake.calls_to("POST", MESSAGES)) == 1  # no waiting, no second try


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message", "send"),
    [
        ("POST", MESSAGES, 404, 10003, "Unknown Channel", "post"),
        ("POST", MESSAGES, 403, 50001, "Missing Access", "post"),
        ("POST", MESSAGES, 403, 50013, "Missing Permissions", "post"),
        ("PATCH", MESSAGES + r"/\d+", 404, 10003, "Unknown Channel", "update"),
        ("POST", MESSAGES, 403, 50007, "Cannot send messages to this user", "dm"),
        ("POST", r"/users/@me/channels", 404, 10013, "Unknown User", "dm"),
    ],
)
async def test_a_channel_or_member_that_is_gone_is_permanent(
    fake: FakeDiscord,
    bot: DiscordAdapter,
    method: str,
    path: str,
    status: int,
    code: int,
    message: str,
    send: str,
) -> None:
    fake.fail(method, path, status, code=code, message=message)
    reply = Reply(header="Kirklees Council: result")

    with pytest.raises(PermanentSendError, match=str(code)):
        if send == "post":
            await bot.sender.post(CHANNEL_ID, reply)
        elif send == "update":
            await bot.sender.update(CHANNEL_ID, "1400000000000000999", reply)
        else:
            await bot.sender.dm("930000000000000077", reply)


async def test_a_discord_outage_is_retryable(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    fake.fail("POST", MESSAGES, 503, message="Service Unavailable")

    with pytest.raises(RetryableSendError, match="503"):
        await bot.sender.post(CHANNEL_ID, Reply(header="Kirklees Council: result"))


def test_a_lost_connection_is_retryable() -> None:
    error = classify(aiohttp.ServerDisconnectedError(), "post to channel 1")

    assert isinstance(error, RetryableSendError)
    assert "ServerDisconnectedError" in str(error)


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message", "send"),
    [
        ("POST", MESSAGES, 400, 50035, "Invalid Form Body", "post"),
        ("POST", MESSAGES, 400, 50006, "Cannot send an empty message", "post"),
        ("PATCH", MESSAGES + r"/\d+", 400, 50035, "Invalid Form Body", "update"),
        ("PATCH", MESSAGES + r"/\d+", 404, 10008, "Unknown Message", "update"),
        ("POST", MESSAGES, 400, 50035, "Invalid Form Body", "dm"),
        ("POST", MESSAGES, 413, 40005, "Request entity too large", "post"),
    ],
)
async def test_a_message_discord_refuses_is_refused_not_a_gone_channel(
    fake: FakeDiscord,
    bot: DiscordAdapter,
    method: str,
    path: str,
    status: int,
    code: int,
    message: str,
    send: str,
) -> None:
    fake.fail(method, path, status, code=code, message=message)
    reply = Reply(header="Kirklees Council: result")

    with pytest.raises(RefusedSendError, match=str(code)) as raised:
        if send == "post":
            await bot.sender.post(CHANNEL_ID, reply)
        elif send == "update":
            await bot.sender.update(CHANNEL_ID, "1400000000000000999", reply)
        else:
            await bot.sender.dm("930000000000000077", reply)
    assert not isinstance(raised.value, PermanentSendError)


# -- the platform's own log lines name no member ----------------------------------------------


@pytest.mark.parametrize("retry_after", [0.05, 120.0])  # waited out; handed back
async def test_discord_pys_rate_limit_warning_does_not_name_the_dm_channel(
    fake: FakeDiscord,
    bot: DiscordAdapter,
    app: App,
    caplog: pytest.LogCaptureFixture,
    retry_after: float,
) -> None:
    member = "930000000000000077"
    caplog.set_level(logging.INFO)
    fake.fail("POST", MESSAGES, 429, retry_after=retry_after)

    try:
        await bot.sender.dm(member, await kirklees(app))
    except RetryableSendError:
        assert retry_after > 30

    assert len(fake.calls_to("POST", r"/users/@me/channels")) == 1
    dm_channel = fake.calls_to("POST", MESSAGES)[0].path.split("/")[2]
    warnings = [r for r in caplog.records if r.name == "discord.http" and r.levelno >= 30]
    assert warnings, "discord.py did not warn about the 429"
    ours = [r for r in caplog.records if r.levelno >= 20 and r.name != "aiohttp.access"]
    text = "\n".join(logging.Formatter().format(r) for r in ours)  # not the fake's access log
    assert "responded with 429" in text  # the trouble is still there for the operator
    assert dm_channel not in text and member not in text
    assert app.pseudonyms.of("discord", dm_channel) in text  # one name to follow it by
