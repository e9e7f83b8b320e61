"""HTTP mode: a member types ``/ballot kirklees`` in Slack and Slack posts it to us, signed."""

from __future__ import annotations

import time

import pytest

from adapters.slack.app import SlackAdapter, SlackSecrets
from adapters.slack.blocks import SHARE_ACTION
from bot.domain import Ballot, Kind, Question
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import (
    block_actions,
    block_text,
    http_settings,
    post,
    signed_headers,
    slash_command,
)

KIRKLEES = "kirklees-council-redundancies-strike"


async def test_ballot_kirklees_answers_in_the_acknowledgement_with_the_figures(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    body = slash_command(slack, "kirklees")
    status, answer = await post(adapter.url, body, signed_headers(body))

    assert status == 200
    assert answer["response_type"] == "ephemeral"
    card = block_text(answer["blocks"])
    assert "Kirklees Council" in card
    for figure in ("43.3%", "56.7%", "6,500"):
        assert figure in card
    assert core.requests[0].text == "kirklees"
    assert core.requests[0].user_id == "U0MEMBER1"
    assert core.requests[0].channel_id == "C0BRANCH1"
    assert core.requests[0].workspace == "T0BALLOT1"
    # bolt checked who it is with the Web API at api_url, and nothing went to response_url.
    assert {c.token for c in slack.calls_to("auth.test")} == {BOT_TOKEN}
    assert slack.calls_to("respond") == []


async def test_the_card_has_a_history_button_and_a_share_button(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    body = slash_command(slack, "kirklees")
    _, answer = await post(adapter.url, body, signed_headers(body))

    actions = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"]
    assert [(a["action_id"], a["value"]) for a in actions] == [
        ("ballot:press:0", f"history:{KIRKLEES}"),
        ("ballot:press:1", f"share:{KIRKLEES}"),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="unsigned"),
        pytest.param("wrong-secret", id="bad signature"),
        pytest.param("stale", id="timestamp six minutes old"),
    ],
)
async def test_a_request_slack_did_not_sign_now_gets_401_and_changes_nothing(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore, headers: object
) -> None:
    body = slash_command(slack, "kirklees")
    if headers == "wrong-secret":
        headers = signed_headers(body, secret="not-" + SIGNING_SECRET)
    elif headers == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    assert isinstance(headers, dict)

    status, _ = await post(adapter.url, body, headers)

    assert status == 401
    assert core.requests == []
    assert slack.calls_to("respond") == []
    assert slack.calls_to("chat.postMessage") == []


async def test_several_matches_come_back_as_buttons_to_pick_from(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    strike = Question("Strike?", Kind.STRIKE)
    await core.core.store.save(
        [
            Ballot("ashford-college", ("UCU",), "Ashford College", (strike,)),
            Ballot("ashford-council", ("GMB",), "Ashford Council", (strike,)),
        ]
    )
    body = slash_command(slack, "ashford")
    _, answer = await post(adapter.url, body, signed_headers(body))

    actions = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"]
    assert {(a["text"]["text"], a["value"]) for a in actions} == {
        ("Ashford College", "pick:ashford-college"),
        ("Ashford Council", "pick:ashford-council"),
    }
    assert {a["action_id"] for a in actions} == {"ballot:press:0", "ballot:press:1"}


async def test_clicking_history_replaces_the_private_card(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    body = block_actions(slack, "ballot:press:0", f"history:{KIRKLEES}")
    status, _ = await post(adapter.url, body, signed_headers(body))

    assert status == 200
    [answer] = await slack.wait_for("respond")
    assert answer.path == "/respond/click"
    assert answer.args["replace_original"] is True
    assert "Ballots for “Kirklees Council”" in block_text(answer.args["blocks"])
    assert core.requests[0].action == f"history:{KIRKLEES}"
    assert core.requests[0].user_id == "U0MEMBER1"


async def test_an_old_history_button_still_answers_its_lookup(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    """A card posted before actions carries grammar text in its value."""
    body = block_actions(slack, "ballot:run:0", "/ballot Kirklees Council history")
    await post(adapter.url, body, signed_headers(body))

    [answer] = await slack.wait_for("respond")
    assert "Ballots matching “Kirklees Council”" in block_text(answer.args["blocks"])
    assert core.requests[0].action == "/ballot Kirklees Council history"


async def test_a_click_on_a_public_card_answers_only_the_member_who_clicked(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    body = block_actions(slack, "ballot:press:0", f"card:{KIRKLEES}", ephemeral=False)
    await post(adapter.url, body, signed_headers(body))

    [answer] = await slack.wait_for("respond")
    assert answer.args["replace_original"] is False
    assert answer.args["response_type"] == "ephemeral"


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        pytest.param("ballot:press:1", f"share:{KIRKLEES}", id="share"),
        pytest.param(SHARE_ACTION, f"/ballot #{KIRKLEES}", id="a Share button from before"),
    ],
)
async def test_share_posts_the_card_publicly_with_chat_post_message(
    adapter: SlackAdapter, slack: FakeSlack, action_id: str, value: str
) -> None:
    body = block_actions(slack, action_id, value)
    status, _ = await post(adapter.url, body, signed_headers(body))

    assert status == 200
    [posted] = await slack.wait_for("chat.postMessage")
    assert posted.token == BOT_TOKEN
    assert posted.args["channel"] == "C0BRANCH1"
    card = block_text(posted.args["blocks"])
    assert "43.3%" in card and "56.7%" in card
    assert "share:" not in card  # already public: no second Share button
    assert slack.calls_to("respond") == []


async def test_share_where_the_bot_is_not_invited_tells_only_the_member(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", "not_in_channel")
    body = block_actions(slack, "ballot:press:1", f"share:{KIRKLEES}")
    await post(adapter.url, body, signed_headers(body))

    [told] = await slack.wait_for("respond")
    assert told.args["response_type"] == "ephemeral"
    assert "not_in_channel" in told.args["text"] and "/invite" in told.args["text"]


async def test_slow_work_is_acknowledged_first_then_answered_through_response_url(
    slack: FakeSlack, core: RecordingCore
) -> None:
    core.delay = 0.5
    secrets = SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET)
    slow = SlackAdapter(core, http_settings(slack), secrets, budget=0.1)
    await slow.start()
    try:
        body = slash_command(slack, "kirklees", hook="slow")
        started = time.monotonic()
        status, answer = await post(slow.url, body, signed_headers(body))
        acked_after = time.monotonic() - started

        assert status == 200
        assert "Working on it" in answer["text"]
        assert acked_after < 0.5
        # Stopping now still delivers the answer already promised to the member.
        await slow.stop()
        [follow_up] = slack.calls_to("respond")
        assert follow_up.path == "/respond/slow"
        assert follow_up.args["replace_original"] is True
        assert "43.3%" in block_text(follow_up.args["blocks"])
    finally:
        await slow.stop()


async def test_a_reply_too_long_for_one_message_continues_through_response_url(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    from tests.adapters.slack.test_blocks import long_reply

    class LongCore:
        async def handle(self, request: object) -> object:
            return long_reply(sections=40)

    adapter.listeners.core = LongCore()  # type: ignore[assignment]
    body = slash_command(slack, "everything")
    _, answer = await post(adapter.url, body, signed_headers(body))

    assert len(answer["blocks"]) == 50
    follow_ups = await slack.wait_for("respond", count=3)
    assert all(len(f.args["blocks"]) <= 50 for f in follow_ups)
    assert "Question 40" in block_text(follow_ups[-1].args["blocks"])


async def test_a_chart_is_uploaded_to_the_channel_beside_the_private_card(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    body = slash_command(slack, "southampton chart")
    status, answer = await post(adapter.url, body, signed_headers(body))

    assert status == 200
    assert "1,552" in block_text(answer["blocks"])
    (completed,) = await slack.wait_for("files.completeUploadExternal")
    assert completed.args["channel_id"] == "C0BRANCH1"
    (png,) = slack.uploads.values()
    assert png.startswith(b"\x89PNG")
