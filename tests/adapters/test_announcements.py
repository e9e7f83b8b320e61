"""Announcements end to end: organisers type on Slack and Discord, the real senders deliver
through the fake Slack and Discord APIs, and every following channel hears once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.announce.model import FilterKind, Target
from bot.ports import Sender
from bot.replies import Reply
from tests.adapters.conftest import DISCORD_CHANNELS, LEEDS, SLACK_CHANNELS, Union
from tests.fakes.discord_api import CHANNEL_ID


async def follow_everywhere(union: Union) -> None:
    for channel in SLACK_CHANNELS:
        assert "now follows" in await union.on_slack("subscribe", channel=channel)
    assert "now follows" in await union.on_discord("subscribe")
    for channel in DISCORD_CHANNELS[1:]:  # the other Discord channels, straight in the store
        target = Target("discord", channel)
        await union.app.subscriptions.subscribe(target, FilterKind.ALL, "", who="discord:test")


async def test_a_result_declared_on_discord_reaches_every_channel_on_both_platforms_once(
    union: Union,
) -> None:
    await follow_everywhere(union)
    assert "Added" in await union.on_discord(LEEDS)

    answer = await union.on_discord("admin result leeds-2026 for=2000 against=500 spoilt=10")
    assert "6 channel(s) will hear the result" in answer
    assert await union.deliver() == 6

    for channel in (*SLACK_CHANNELS, *DISCORD_CHANNELS):
        assert union.posts(channel) == 1, channel
    card = union.slack.calls_to("chat.postMessage")[0].args
    assert "New result: Leeds City Council" in str(card["blocks"]) and "2,000" in str(card)
    assert len(union.slack.calls_to("files.completeUploadExternal")) == 3  # the picture too
    [discord_post] = union.discord.calls_to("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert discord_post.files and discord_post.body["enforce_nonce"] is True
    assert await union.deliver() == 0


async def test_a_correction_on_slack_edits_the_messages_on_both_platforms(union: Union) -> None:
    await follow_everywhere(union)
    await union.on_slack(LEEDS)
    await union.on_slack("admin result leeds-2026 for=2000 against=500")
    await union.deliver()
    posts = union.slack.calls_to("chat.postMessage")  # the fake numbers each post's ts
    first_ts = {c.args["channel"]: f"1700000000.{n:06d}" for n, c in enumerate(posts, 1)}

    answer = await union.on_slack("admin correct leeds-2026 for=2100 against=400")
    assert "6 message(s) will be corrected in place" in answer
    await union.deliver()

    updates = union.slack.calls_to("chat.update")
    assert {(u.args["channel"], u.args["ts"]) for u in updates} == set(first_ts.items())
    assert all("Correction: " in str(u.args["blocks"]) for u in updates)
    edits = union.discord.calls_to("PATCH", r"/channels/\d+/messages/\d+")
    assert len(edits) == 3 and all("2,100" in str(e.body) for e in edits)
    assert all(union.posts(c) == 1 for c in (*SLACK_CHANNELS, *DISCORD_CHANNELS))


async def test_a_member_who_is_not_an_organiser_is_refused_on_both_platforms(
    union: Union,
) -> None:
    await union.on_slack(LEEDS)

    on_slack = await union.on_slack("admin result leeds-2026 for=1 against=2", user="U0MEMBER9")
    on_discord = await union.on_discord("admin result leeds-2026 for=1 against=2", roles=[])

    assert "Only organisers can do that" in on_slack and "Only organisers" in on_discord
    leeds = await union.app.store.get("leeds-2026")
    assert leeds is not None and not leeds.has_result
    assert await union.app.outbox.deliveries(None) == []


async def test_stopped_after_some_sends_and_restarted_the_rest_go_once(union: Union) -> None:
    await follow_everywhere(union)
    await union.on_slack(LEEDS)
    await union.on_slack("admin result leeds-2026 for=2000 against=500")

    class Dies(BaseException):
        pass

    class DyingSender:
        def __init__(self, sender: Sender, budget: list[int]) -> None:
            self.sender, self.budget = sender, budget

        async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
            if self.budget[0] == 0:
                raise Dies
            self.budget[0] -= 1
            return await self.sender.post(channel_id, reply, nonce)

        async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
            await self.sender.update(channel_id, message_id, reply)

        async def dm(self, user_id: str, reply: Reply) -> str:
            return await self.sender.dm(user_id, reply)

    budget = [4]
    dying = {
        "slack": DyingSender(union.slack_bot.sender, budget),
        "discord": DyingSender(union.discord_bot.sender, budget),
    }
    with pytest.raises((Dies, BaseExceptionGroup)):  # one task per platform: both die
        await union.deliver(dying)  # type: ignore[arg-type]
    assert sum(union.posts(c) for c in (*SLACK_CHANNELS, *DISCORD_CHANNELS)) == 4

    union.ahead = timedelta(minutes=2)  # the dead process's lease has run out
    await union.deliver()

    assert all(union.posts(c) == 1 for c in (*SLACK_CHANNELS, *DISCORD_CHANNELS))


async def test_slack_says_slow_down_and_the_dispatcher_comes_back_when_told(
    union: Union,
) -> None:
    await union.on_slack("subscribe")
    await union.on_slack(LEEDS)
    await union.on_slack("admin result leeds-2026 for=2000 against=500")
    union.slack.rate_limit("chat.postMessage", retry_after=1, times=3)  # past the client's own 2

    assert await union.deliver() == 0
    [waiting] = await union.app.outbox.deliveries("leeds-2026")
    assert waiting.state == "pending" and "rate" in (waiting.error or "").lower()
    union.ahead = timedelta(seconds=3)
    assert await union.deliver() == 1
    assert union.posts("C0BRANCH1") == 3 + 1  # three attempts refused with 429, one posted


async def test_a_channel_gone_on_either_platform_stops_following(union: Union) -> None:
    await follow_everywhere(union)
    await union.on_slack(LEEDS)
    union.slack.fail("chat.postMessage", "is_archived")
    union.discord.fail(
        "POST",
        rf"/channels/{DISCORD_CHANNELS[2]}/messages",
        404,
        code=10003,
        message="Unknown Channel",
    )

    await union.on_slack("admin result leeds-2026 for=2000 against=500")
    await union.deliver()

    following = {s.target.channel_id for s in await union.app.subscriptions.subscriptions()}
    assert len(following) == 4
    assert DISCORD_CHANNELS[2] not in following
    log = await union.on_slack("admin deliveries leeds-2026")
    assert "2 failed delivery(ies)" in log


@pytest.mark.parametrize("refusal", ["invalid_blocks", "msg_too_long", "invalid_attachments"])
async def test_a_message_slack_refuses_fails_but_the_channel_keeps_following(
    union: Union, refusal: str
) -> None:
    union.app.settings.announcements.organiser_channels = ["slack:C0ORGANISERS"]
    await follow_everywhere(union)
    await union.on_slack(LEEDS)
    union.slack.fail("chat.postMessage", refusal)  # the first channel's card is refused

    await union.on_slack("admin result leeds-2026 for=2000 against=500")
    await union.deliver()

    following = {s.target.channel_id for s in await union.app.subscriptions.subscriptions()}
    assert following == {*SLACK_CHANNELS, *DISCORD_CHANNELS}  # nobody unsubscribed
    [failed] = [d for d in await union.app.outbox.deliveries("leeds-2026") if d.state == "failed"]
    assert refusal in (failed.error or "") and "refused" in (failed.error or "")
    log = await union.on_slack("admin deliveries leeds-2026")
    assert "1 failed delivery(ies)" in log and refusal in log
    told = [
        c for c in union.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ORGANISERS"
    ]
    assert len(told) == 1 and refusal in told[0].args["text"]
    assert "still follows results" in told[0].args["text"]


async def test_a_message_discord_refuses_as_invalid_form_body_fails_but_the_channel_stays(
    union: Union,
) -> None:
    union.app.settings.announcements.organiser_channels = ["slack:C0ORGANISERS"]
    await follow_everywhere(union)
    await union.on_slack(LEEDS)
    union.discord.fail(
        "POST",
        rf"/channels/{DISCORD_CHANNELS[1]}/messages",
        400,
        code=50035,
        message="Invalid Form Body",
    )

    await union.on_discord("admin result leeds-2026 for=2000 against=500")
    await union.deliver()

    following = {s.target.channel_id for s in await union.app.subscriptions.subscriptions()}
    assert DISCORD_CHANNELS[1] in following and len(following) == 6
    [failed] = [d for d in await union.app.outbox.deliveries("leeds-2026") if d.state == "failed"]
    assert failed.target.channel_id == DISCORD_CHANNELS[1] and "50035" in (failed.error or "")
    told = [
        c for c in union.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ORGANISERS"
    ]
    assert len(told) == 1 and "Invalid Form Body" in told[0].args["text"]

    # The next figures still reach that channel: it was never switched off.
    await union.on_discord("admin correct leeds-2026 for=2100 against=400")
    await union.deliver()
    delivered = [
        m for m in union.discord.messages.values() if m["channel_id"] == DISCORD_CHANNELS[1]
    ]
    assert len(delivered) == 1


async def test_a_correction_of_a_message_that_is_gone_fails_alone(union: Union) -> None:
    await union.on_slack("subscribe", channel="C0BRANCH1")
    await union.on_slack(LEEDS)
    await union.on_slack("admin result leeds-2026 for=2000 against=500")
    await union.deliver()
    union.slack.fail("chat.update", "message_not_found")  # someone deleted the post

    await union.on_slack("admin correct leeds-2026 for=2100 against=400")
    await union.deliver()

    following = {s.target.channel_id for s in await union.app.subscriptions.subscriptions()}
    assert following == {"C0BRANCH1"}
    log = await union.on_slack("admin deliveries leeds-2026")
    assert "message_not_found" in log
