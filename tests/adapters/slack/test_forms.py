"""An organiser on Slack declares a result through a modal instead of typing the figures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.app import SlackAdapter
from bot.app import open_app
from bot.config import Settings
from bot.requests import Request
from tests.adapters.slack.conftest import (
    FIXTURES,
    RecordingCore,
    block_text,
    post,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_api import FakeSlack

LEEDS = (
    'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[RecordingCore]:
    """The real bot, with the member of the recorded payloads as an organiser."""
    settings = Settings()
    settings.database.url = f"sqlite+aiosqlite:///{tmp_path / 'ballots.db'}"
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.search.refresh_seconds = 0
    settings.slack.organisers = ["U0MEMBER1"]
    async with open_app(settings) as app:
        reply = await app.core.handle(Request(LEEDS, "slack", "U0MEMBER1"))
        assert reply.ok, reply.plain_text()
        yield RecordingCore(app.core)


def submission(view: dict[str, Any], values: dict[str, str]) -> str:
    """The member filled in the boxes and pressed the button: Slack posts this."""
    payload = json.loads((FIXTURES / "view_submission.json").read_text())
    payload["view"]["private_metadata"] = view["private_metadata"]
    payload["view"]["blocks"] = view["blocks"]
    payload["view"]["state"]["values"] = {
        block["block_id"]: {
            "value": {
                "type": "plain_text_input",
                "value": values.get(block["block_id"].removeprefix("f:")),
            }
        }
        for block in view["blocks"]
    }
    return urlencode({"payload": json.dumps(payload)})


async def open_form(adapter: SlackAdapter, slack: FakeSlack, text: str) -> dict[str, Any]:
    body = slash_command(slack, text)
    status, answer = await post(adapter.url, body, signed_headers(body))
    assert status == 200 and answer == ""  # no message: a modal instead
    [opened] = slack.calls_to("views.open")
    assert opened.args["trigger_id"]
    return opened.args["view"]


async def test_admin_result_without_figures_opens_a_modal_and_submitting_declares(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin result leeds-2026")

    assert [b["block_id"] for b in view["blocks"]] == [
        "f:for",
        "f:against",
        "f:spoilt",
        "f:eligible",
    ]
    assert view["blocks"][3]["element"]["initial_value"] == "4210"
    assert view["blocks"][2]["optional"] is True

    body = submission(view, {"for": "2000", "against": "500", "eligible": "4210"})
    status, answer = await post(adapter.url, body, signed_headers(body))

    assert status == 200 and answer == ""  # the modal closes
    assert core.requests[-1].text == "admin result leeds-2026 for=2000 against=500 eligible=4210"
    assert core.requests[-1].channel_id == "C0BRANCH1"
    [shown] = slack.calls_to("chat.postEphemeral")
    assert shown.args["user"] == "U0MEMBER1" and shown.args["channel"] == "C0BRANCH1"
    assert "Declared: Leeds City Council" in block_text(shown.args["blocks"])


async def test_a_bad_figure_in_the_modal_is_shown_under_its_box_and_nothing_changes(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin result leeds-2026")

    body = submission(view, {"for": "-5", "against": "500"})
    status, answer = await post(adapter.url, body, signed_headers(body))

    assert status == 200
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["f:for"]
    assert "negative" in answer["errors"]["f:for"]
    assert slack.calls_to("chat.postEphemeral") == []
    leeds = await core.core.store.get("leeds-2026")
    assert leeds is not None and not leeds.has_result
