"""The outgoing side announcements and reminders use: post, update, DM, and what failures mean."""

from __future__ import annotations

import time

import pytest

from adapters.slack.sender import SlackSender, web_client
from bot.ports import PermanentSendError, RefusedSendError, RetryableSendError
from bot.replies import Field, Reply
from tests.adapters.slack.test_blocks import long_reply
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.support.slack_requests import block_text

RESULT = Reply(header="Kirklees Council — Unison", fields=(Field("Yes share", "43.3%"),))


def sender_for(slack: FakeSlack, retries: int = 2) -> SlackSender:
    return SlackSender(web_client(BOT_TOKEN, slack.api_url, max_rate_limit_retries=retries))


async def test_post_puts_the_card_in_the_channel_and_returns_its_ts(slack: FakeSlack) -> None:
    ts = await sender_for(slack).post("C0BRANCH1", RESULT)

    [call] = slack.calls_to("chat.postMessage")
    assert call.args["channel"] == "C0BRANCH1"
    assert "43.3%" in block_text(call.args["blocks"])
    assert ts == "1700000000.000001"


async def test_update_edits_the_message_in_place(slack: FakeSlack) -> None:
    await sender_for(slack).update("C0BRANCH1", "1700000000.000042", RESULT)

    [call] = slack.calls_to("chat.update")
    assert (call.args["channel"], call.args["ts"]) == ("C0BRANCH1", "1700000000.000042")


async def test_dm_opens_the_conversation_then_posts_in_it(slack: FakeSlack) -> None:
    ts = await sender_for(slack).dm("U0MEMBER1", RESULT)

    assert [c.method for c in slack.calls] == ["conversations.open", "chat.postMessage"]
    assert slack.calls_to("conversations.open")[0].args["users"] == "U0MEMBER1"
    assert slack.calls_to("chat.postMessage")[0].args["channel"] == "D0MEMBER1"
    assert ts


async def test_a_429_is_waited_out_for_as_long_as_retry_after_says(slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", retry_after=1)

    started = time.monotonic()
    await sender_for(slack).post("C0BRANCH1", RESULT)
    waited = time.monotonic() - started

    assert len(slack.calls_to("chat.postMessage")) == 2
    assert waited >= 1.0


async def test_rate_limited_past_the_retries_is_retryable_with_slacks_advice(
    slack: FakeSlack,
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=30)

    with pytest.raises(RetryableSendError) as raised:
        await sender_for(slack, retries=0).post("C0BRANCH1", RESULT)
    assert raised.value.retry_after == 30.0


@pytest.mark.parametrize(
    "error",
    ["channel_not_found", "not_in_channel", "is_archived", "account_inactive", "token_revoked"],
)
async def test_a_channel_or_token_that_cannot_work_is_a_permanent_failure(
    slack: FakeSlack, error: str
) -> None:
    slack.fail("chat.postMessage", error)

    with pytest.raises(PermanentSendError, match=error):
        await sender_for(slack).post("C0GONE", RESULT)
    assert len(slack.calls_to("chat.postMessage")) == 1  # never retried


async def test_slack_being_down_is_retryable(slack: FakeSlack) -> None:
    slack.server_error("chat.postMessage", status=503)

    with pytest.raises(RetryableSendError, match="503"):
        await sender_for(slack).post("C0BRANCH1", RESULT)


async def test_slack_unreachable_is_retryable() -> None:
    async with FakeSlack() as gone:
        api_url = gone.api_url  # a loopback port nobody listens on once the fake stops
    with pytest.raises(RetryableSendError, match="unreachable"):
        await SlackSender(web_client(BOT_TOKEN, api_url)).post("C0BRANCH1", RESULT)


async def test_a_long_announcement_goes_out_as_several_messages(slack: FakeSlack) -> None:
    first = await sender_for(slack).post("C0BRANCH1", long_reply(sections=40))

    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 4
    assert all(len(c.args["blocks"]) <= 50 for c in calls)
    assert first == "1700000000.000001"


async def test_a_dm_to_someone_who_cannot_be_messaged_is_permanent(slack: FakeSlack) -> None:
    slack.fail("conversations.open", "user_not_found")

    with pytest.raises(PermanentSendError):
        await sender_for(slack).dm("U0NOBODY", RESULT)
    assert slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "error",
    [
        "invalid_blocks",
        "msg_too_long",
        "invalid_attachments",
        "no_text",
        "invalid_arguments",
        "message_not_found",
        "a_refusal_slack_adds_next_year",
    ],
)
async def test_a_message_slack_refuses_is_refused_not_a_gone_channel(
    slack: FakeSlack, error: str
) -> None:
    slack.fail("chat.postMessage", error)

    with pytest.raises(RefusedSendError, match=error) as raised:
        await sender_for(slack).post("C0BRANCH1", RESULT)
    assert not isinstance(raised.value, PermanentSendError)  # the channel is not unsubscribed
    assert len(slack.calls_to("chat.postMessage")) == 1  # never retried


async def test_an_edit_of_a_deleted_message_is_refused_not_a_gone_channel(
    slack: FakeSlack,
) -> None:
    slack.fail("chat.update", "message_not_found")

    with pytest.raises(RefusedSendError, match="message_not_found"):
        await sender_for(slack).update("C0BRANCH1", "1700000000.000042", RESULT)


async def test_messages_are_posted_with_no_name_linking_or_unfurling(slack: FakeSlack) -> None:
    await sender_for(slack).post("C0BRANCH1", RESULT)

    [call] = slack.calls_to("chat.postMessage")
    assert call.args["link_names"] in (False, "0", "false")
    assert call.args["parse"] == "none"
    assert call.args["unfurl_links"] in (False, "0", "false")
