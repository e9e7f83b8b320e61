"""Socket Mode: the quick start behind a firewall. Slack pushes the command down a websocket."""

from __future__ import annotations

import json

from adapters.slack.app import SlackAdapter
from tests.fakes.slack_api import APP_TOKEN, FakeSlack
from tests.support.recording import RecordingCore
from tests.support.slack_requests import FIXTURES, block_text


async def test_ballot_kirklees_over_socket_mode_is_answered_in_the_ack(
    socket_adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    envelope = json.loads((FIXTURES / "socket_slash_commands.json").read_text())
    envelope["payload"]["response_url"] = slack.response_url("socket")

    await slack.socket_send(envelope)
    ack = await slack.socket_reply()

    assert ack["envelope_id"] == envelope["envelope_id"]
    assert ack["payload"]["response_type"] == "ephemeral"
    card = block_text(ack["payload"]["blocks"])
    for figure in ("43.3%", "56.7%", "6,500"):
        assert figure in card
    assert core.requests[0].user_id == "U0MEMBER1"
    # The websocket URL came from apps.connections.open at api_url, asked with the app token.
    assert [c.token for c in slack.calls_to("apps.connections.open")] == [APP_TOKEN]
    assert slack.calls_to("respond") == []


async def test_a_button_click_over_socket_mode_replaces_the_card(
    socket_adapter: SlackAdapter, slack: FakeSlack
) -> None:
    payload = json.loads((FIXTURES / "block_actions.json").read_text())
    payload["response_url"] = slack.response_url("socket-click")
    envelope = {
        "envelope_id": "5f0e9d8c-click",
        "type": "interactive",
        "accepts_response_payload": False,
        "payload": payload,
    }

    await slack.socket_send(envelope)

    assert (await slack.socket_reply())["envelope_id"] == "5f0e9d8c-click"
    [answer] = await slack.wait_for("respond")
    assert answer.args["replace_original"] is True
    assert "Ballots matching" in block_text(answer.args["blocks"])
