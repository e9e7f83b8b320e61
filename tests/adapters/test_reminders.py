"""A member's turnout reminder by DM on Slack and Discord, and the button that stops them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.fakes.discord_api import MEMBER_ID
from tests.support.ballots import LEEDS_TYPED
from tests.support.conversation import Conversation
from tests.support.discord_requests import button_ids
from tests.support.slack_requests import block_actions, post, signed_headers

LONDON = ZoneInfo("Europe/London")


def set_clock(union: Conversation, text: str) -> None:
    """The union's clock, and the dispatcher's with it."""
    moment = datetime.fromisoformat(text).replace(tzinfo=LONDON)
    union.app.reminders.clock = lambda: moment
    union.ahead = moment - datetime.now(UTC)


async def test_members_get_a_dm_on_each_platform_and_the_button_stops_them(
    union: Conversation,
) -> None:
    await union.on_slack(LEEDS_TYPED)
    assert "remind you" in await union.on_slack("remind me leeds", user="U0MEMBER2")
    assert "remind you" in await union.on_discord("remind me leeds")
    set_clock(union, "2026-12-03 09:00")

    assert await union.app.reminders.fire("leeds-2026", "close-7d") == (0, 2)
    assert await union.deliver() == 2

    [opened] = union.front.slack.calls_to("conversations.open")
    assert opened.args["users"] == "U0MEMBER2"
    [dm] = union.front.slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == "D0MEMBER2"
    posted_button = next(
        element
        for block in dm.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == "I've posted my paper"
    )
    [created] = union.front.discord.calls_to("POST", r"/users/@me/channels")
    assert str(created.body["recipient_id"]) == MEMBER_ID
    [sent] = union.front.discord.calls_to("POST", r"/channels/\d+/messages")
    dm_channel = sent.path.split("/")[2]
    [message] = [m for m in union.front.discord.messages.values() if m["channel_id"] == dm_channel]
    voted = next(cid for cid in button_ids({"data": message}) if cid.startswith("posted:"))

    answer = await union.front.discord.interact(union.front.discord.click(message, voted))
    assert "Thank you for voting" in str(answer)
    body = block_actions(union.front.slack, posted_button["action_id"], posted_button["value"])
    body = body.replace("U0MEMBER1", "U0MEMBER2")  # the member who got the DM clicks
    status, _ = await post(union.front.slack_bot.url, body, signed_headers(body))
    assert status == 200
    await union.front.slack.wait_for("respond")
    assert "Thank you for voting" in str(union.front.slack.calls_to("respond")[-1].args)

    set_clock(union, "2026-12-07 09:00")
    assert await union.app.reminders.fire("leeds-2026", "close-3d") == (0, 0)
    assert await union.app.reminders.store.confirmed("leeds-2026") == 2
