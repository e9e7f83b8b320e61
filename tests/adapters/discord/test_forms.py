"""An organiser on Discord declares a result through a modal instead of typing the figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.compose import App, open_app
from bot import columns
from bot.config import ChartSettings, DatabaseSettings, Settings
from bot.requests import Request
from tests.adapters.discord.support import embed_text
from tests.fakes.discord_api import ORGANISER_ROLE, FakeDiscord

LEEDS = (
    'admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"),
        charts=ChartSettings(cache_dir=str(tmp_path / "charts")),
    )
    settings.discord.organiser_roles = [ORGANISER_ROLE]
    settings.search.refresh_seconds = 0
    async with open_app(settings) as app:
        added = await app.core.handle(Request(LEEDS, "discord", "1", roles=(ORGANISER_ROLE,)))
        assert added.ok, added.plain_text()
        yield app


@pytest.mark.usefixtures("bot")
async def test_admin_result_without_figures_opens_a_modal_and_submitting_declares(
    fake: FakeDiscord, app: App
) -> None:
    opened = await fake.interact(fake.slash("admin result leeds-2026", roles=[ORGANISER_ROLE]))

    assert opened["type"] == 9  # a modal
    modal = opened["data"]
    boxes = [row["components"][0] for row in modal["components"]]
    assert [b["custom_id"] for b in boxes] == [
        "ballot:box:for",
        "ballot:box:against",
        "ballot:box:spoilt",
        "ballot:box:eligible",
    ]
    assert boxes[3]["value"] == "4210"

    values = {"ballot:box:for": "2000", "ballot:box:against": "500", "ballot:box:spoilt": ""}
    answer = await fake.interact(fake.modal_submit(modal, values, roles=[ORGANISER_ROLE]))

    assert answer["type"] == 4 and answer["data"]["flags"] & 64
    assert "Declared: Leeds City Council" in embed_text(answer)
    leeds = await app.store.get("leeds-2026")
    assert leeds is not None and leeds.questions[0].result.votes_for == 2000


@pytest.mark.usefixtures("bot")
async def test_a_member_without_the_role_submitting_the_form_is_refused(
    fake: FakeDiscord, app: App
) -> None:
    opened = await fake.interact(fake.slash("admin result leeds-2026", roles=[ORGANISER_ROLE]))
    values = {"ballot:box:for": "2000", "ballot:box:against": "500"}

    answer = await fake.interact(fake.modal_submit(opened["data"], values, roles=[]))

    assert "Only organisers can do that" in embed_text(answer)
    leeds = await app.store.get("leeds-2026")
    assert leeds is not None and not leeds.has_result


@pytest.mark.usefixtures("bot")
async def test_each_box_takes_at_most_its_columns_characters(fake: FakeDiscord) -> None:
    opened = await fake.interact(fake.slash("admin add", roles=[ORGANISER_ROLE]))

    boxes = {
        row["components"][0]["custom_id"]: row["components"][0]
        for row in opened["data"]["components"]
    }
    assert boxes["ballot:box:id"]["max_length"] == columns.max_length("id") == 200
    assert boxes["ballot:box:employer"]["max_length"] == columns.MAX_TEXT
    assert boxes["ballot:box:question"]["max_length"] == columns.MAX_TEXT
    assert boxes["ballot:box:kind"]["max_length"] == len("action_short_of_strike")
    assert boxes["ballot:box:unions"]["max_length"] <= 4000
    assert all(b["max_length"] <= 4000 for b in boxes.values())


@pytest.mark.usefixtures("bot")
async def test_required_boxes_of_spaces_are_named_back_and_nothing_changes(
    fake: FakeDiscord, app: App
) -> None:
    opened = await fake.interact(fake.slash("admin add", roles=[ORGANISER_ROLE]))
    values = {
        "ballot:box:id": "york-1",
        "ballot:box:employer": "   ",
        "ballot:box:unions": "GMB",
        "ballot:box:question": "  ",
        "ballot:box:kind": "strike",
    }

    answer = await fake.interact(fake.modal_submit(opened["data"], values, roles=[ORGANISER_ROLE]))

    assert answer["data"]["flags"] & 64  # only the organiser sees it
    text = embed_text(answer)
    assert "Some boxes need another look" in text
    assert "Employer is required" in text and "Question is required" in text
    assert "Ballot id" not in text
    assert await app.store.get("york-1") is None


@pytest.mark.usefixtures("bot")
async def test_a_long_form_within_each_box_is_accepted(fake: FakeDiscord, app: App) -> None:
    opened = await fake.interact(fake.slash("admin add", roles=[ORGANISER_ROLE]))
    employer = "The " + "Very " * 55 + "Long Council"
    question = "Are you prepared to " + "really " * 60 + "strike?"
    values = {
        "ballot:box:id": "york-1",
        "ballot:box:employer": employer,
        "ballot:box:unions": "GMB; Unison",
        "ballot:box:question": question,
        "ballot:box:kind": "strike",
    }

    answer = await fake.interact(fake.modal_submit(opened["data"], values, roles=[ORGANISER_ROLE]))

    assert "Added:" in embed_text(answer), embed_text(answer)
    york = await app.store.get("york-1")
    assert york is not None and york.employer == employer and york.questions[0].text == question
