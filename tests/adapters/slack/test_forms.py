"""An organiser on Slack declares a result through a modal instead of typing the figures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.compose import open_app
from adapters.slack.app import SlackAdapter
from bot import columns
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
    form = core.requests[-1].form
    assert form is not None and (form.verb, form.ballot_id) == ("result", "leeds-2026")
    assert [form.get(k) for k in ("for", "against", "spoilt", "eligible")] == [
        "2000",
        "500",
        "",
        "4210",
    ]
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


async def submit(adapter: SlackAdapter, view: dict[str, Any], values: dict[str, str]) -> Any:
    body = submission(view, values)
    status, answer = await post(adapter.url, body, signed_headers(body))
    assert status == 200
    return answer


ADD = {
    "id": "york-1",
    "employer": "York Council",
    "unions": "GMB; Unison",
    "question": "Strike over pay?",
    "kind": "strike",
}


async def test_every_box_takes_at_most_its_columns_characters(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    view = await open_form(adapter, slack, "admin add")

    limits = {b["block_id"]: b["element"]["max_length"] for b in view["blocks"]}

    assert limits["f:id"] == columns.max_length("id") == 200
    assert limits["f:employer"] == limits["f:question"] == columns.MAX_TEXT
    assert limits["f:kind"] == len("action_short_of_strike")
    assert limits["f:closes"] == len("YYYY-MM-DD")
    assert limits["f:unions"] <= 3000 and limits["f:eligible"] == 20
    assert json.loads(view["private_metadata"]) == {
        "verb": "add",
        "ballot": None,
        "channel": "C0BRANCH1",
    }


async def test_a_form_long_in_total_but_within_each_box_is_accepted(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin add")
    values = {
        **ADD,
        "employer": "The " + "Very " * 55 + "Long Council",  # 291 characters
        "question": "Are you prepared to " + "really " * 60 + "strike?",  # 448
    }

    answer = await submit(adapter, view, values)

    assert answer == ""  # accepted: the modal closes
    york = await core.core.store.get("york-1")
    assert york is not None and york.employer == values["employer"]
    assert len(" ".join(f"{k}={v}" for k, v in values.items())) > 700


async def test_required_boxes_left_blank_or_spaces_are_refused_on_those_boxes(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin add")

    answer = await submit(adapter, view, {**ADD, "employer": "   ", "question": " \t "})

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"f:employer", "f:question"}
    assert "Employer is required" in answer["errors"]["f:employer"]
    assert await core.core.store.get("york-1") is None


async def test_a_box_over_its_limit_is_refused_on_that_box(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    """Slack enforces max_length itself; the core checks again, whatever sent the form."""
    view = await open_form(adapter, slack, "admin add")

    answer = await submit(adapter, view, {**ADD, "employer": "E" * 501})

    assert list(answer["errors"]) == ["f:employer"]
    assert "at most 500 characters" in answer["errors"]["f:employer"]
    assert await core.core.store.get("york-1") is None


async def test_a_refusal_about_no_box_is_a_general_error_not_under_the_ballot_id(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin add")

    answer = await submit(adapter, view, {**ADD, "id": "leeds-2026"})  # exists already

    assert answer["response_action"] == "update"
    shown = answer["view"]
    assert shown["blocks"][0]["block_id"] == "ballot:error"
    assert "exists already" in shown["blocks"][0]["text"]["text"]
    assert [b["block_id"] for b in shown["blocks"][1:]] == [b["block_id"] for b in view["blocks"]]
    assert shown["private_metadata"] == view["private_metadata"]
    leeds = await core.core.store.get("leeds-2026")
    assert leeds is not None and leeds.employer == "Leeds City Council"


async def test_a_modal_from_before_forms_were_submitted_box_by_box_is_refused(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore
) -> None:
    view = await open_form(adapter, slack, "admin result leeds-2026")
    old = {**view, "private_metadata": json.dumps({"command": "admin cancel leeds-2026"})}

    answer = await submit(adapter, old, {"for": "2000", "against": "500"})

    assert answer["response_action"] == "update"
    assert "older version" in answer["view"]["blocks"][0]["text"]["text"]
    leeds = await core.core.store.get("leeds-2026")
    assert leeds is not None and not leeds.has_result and leeds.status.value == "open"


@pytest.mark.parametrize(
    "ballot_id",
    [
        "york 1",
        "york\t1",
        "york\n1",
        "york/1",
        "yórk-1",
        "york;1",
        'york"1',
        "york\\",
        "york=1",
        "york-1 employer=Evil",
        "york\u00a01",
        "<@U0MEMBER1>",
    ],
)
async def test_an_id_outside_the_rule_is_refused_under_the_id_box_naming_it(
    adapter: SlackAdapter, slack: FakeSlack, core: RecordingCore, ballot_id: str
) -> None:
    view = await open_form(adapter, slack, "admin add")

    answer = await submit(adapter, view, {**ADD, "id": ballot_id})

    assert answer["response_action"] == "errors", answer
    assert list(answer["errors"]) == ["f:id"]
    said = answer["errors"]["f:id"]
    assert "letters, digits and - _ ." in said
    named = repr(ballot_id)[1:-1].replace("<", "&lt;").replace(">", "&gt;")
    assert f"id '{named}'" in said or f'id "{named}"' in said  # the id as typed, escaped
    assert await core.core.store.get("york-1") is None
    assert await core.core.store.get(ballot_id) is None
