"""Buttons on a card: they run their action, share the card, survive a restart of the bot, and
never run a command that ballot data spells out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.compose import App, open_app
from adapters.discord.buttons import CUSTOM_ID_MAX, view_for
from bot.actions import Action, Verb
from bot.config import ChartSettings, DatabaseSettings, Settings
from bot.domain import Status
from bot.replies import Button, Reply
from bot.requests import Request
from tests.adapters.discord.support import adapter_for, button_ids, embed_text
from tests.fakes.discord_api import MEMBER_ID, ORGANISER_ROLE, FakeDiscord

KIRKLEES = "kirklees-council-redundancies-strike"
HISTORY = f"history:{KIRKLEES}"


def with_buttons(message: dict[str, Any], *custom_ids: str) -> dict[str, Any]:
    """The message as Discord keeps it, with these buttons instead of its own: a card drawn
    by an older version, or one whose ids someone tampered with."""
    buttons = [
        {"type": 2, "style": 2, "label": f"Button {n}", "custom_id": custom_id}
        for n, custom_id in enumerate(custom_ids)
    ]
    return {**message, "components": [{"type": 1, "components": buttons}]}


async def test_a_button_still_works_after_the_bot_restarts(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("kirklees")
        await fake.interact(asked)
    card = fake.message_for(asked)  # the ephemeral card, as Discord keeps it
    assert button_ids({"data": card}) == [HISTORY, f"share:{KIRKLEES}"]  # verb:id, nothing else

    async with adapter_for(fake, app.core):  # a new process: new client, nothing in memory
        body = await fake.interact(fake.click(card, HISTORY))

    assert body["type"] == 4 and body["data"]["flags"] & 64
    text = embed_text(body)
    assert "Ballots for “Kirklees Council”" in text
    assert "Kirklees Council" in text


async def test_share_posts_the_same_card_publicly(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("kirklees")
        private = await fake.interact(asked)
        (share,) = [cid for cid in button_ids(private) if cid.startswith("share:")]
        public = await fake.interact(fake.click(fake.message_for(asked), share))

    assert public["type"] == 4
    assert not public["data"].get("flags", 0) & 64  # everyone in the channel sees it
    assert public["data"]["content"] == f"Shared by <@{MEMBER_ID}>"
    assert public["data"]["allowed_mentions"]["parse"] == []  # nobody is pinged
    assert public["data"]["embeds"] == private["data"]["embeds"]  # the same card
    assert HISTORY in button_ids(public)
    assert not any(cid.startswith("share:") for cid in button_ids(public))


async def test_a_button_on_a_list_opens_that_ballot(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("recent")
        listing = await fake.interact(asked)
        buttons = {
            button["label"]: button["custom_id"]
            for row in listing["data"]["components"]
            for button in row["components"]
        }
        assert buttons["Kirklees Council"] == f"card:{KIRKLEES}"
        body = await fake.interact(fake.click(fake.message_for(asked), buttons["Kirklees Council"]))
    assert embed_text(body).startswith("Kirklees Council")
    assert "43.3%" in embed_text(body)


def test_an_action_too_long_for_a_custom_id_is_left_out_and_none_is_repeated() -> None:
    long_id = "royal-borough-of-" + "very-" * 20 + "long-name-council"
    reply = Reply(
        header="Several ballots match",
        buttons=(
            Button("Long", Action(Verb.PICK, long_id)),
            Button("Short", Action(Verb.PICK, "kirklees")),
            Button("Short again", Action(Verb.PICK, "kirklees")),
        ),
    )

    view = view_for(reply, public=False)

    assert view is not None
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert ids == ["pick:kirklees"]  # no cut action, no duplicate id
    assert all(len(cid) <= CUSTOM_ID_MAX for cid in ids)
    only_long = Reply(header="x", buttons=(Button("Long", Action(Verb.PICK, long_id)),))
    assert view_for(only_long, public=False) is None


@pytest.fixture
async def organisers_app(tmp_path: Path) -> AsyncIterator[App]:
    """The demo ballots, and the member of the recorded interactions as an organiser."""
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"),
        charts=ChartSettings(cache_dir=str(tmp_path / "charts")),
    )
    settings.discord.organiser_roles = [ORGANISER_ROLE]
    settings.search.refresh_seconds = 0
    async with open_app(settings) as app:
        yield app


async def test_a_card_whose_employer_is_an_organiser_command_only_shows_history(
    fake: FakeDiscord, organisers_app: App
) -> None:
    app = organisers_app
    trap = (
        'admin add id=trap employer="admin cancel kirklees-council-redundancies-strike" '
        'unions=Unison question="Strike?" kind=strike'
    )
    assert (await app.core.handle(Request(trap, "discord", "1", roles=(ORGANISER_ROLE,)))).ok
    async with adapter_for(fake, app.core):
        asked = fake.slash("#trap", roles=[ORGANISER_ROLE])
        card = await fake.interact(asked)
        assert button_ids(card) == ["history:trap", "share:trap"]
        body = await fake.interact(
            fake.click(fake.message_for(asked), "history:trap", roles=[ORGANISER_ROLE])
        )

    assert "Ballots for “admin cancel kirklees-council-redundancies-strike”" in embed_text(body)
    kirklees = await app.store.get(KIRKLEES)
    assert kirklees is not None and kirklees.status is not Status.CANCELLED


async def test_an_old_card_still_answers_lookups_but_never_commands(
    fake: FakeDiscord, organisers_app: App
) -> None:
    """Cards posted before actions carried grammar text in ``ballot:run:`` custom ids."""
    app = organisers_app
    ids = (
        "ballot:run:Kirklees Council history",
        f"ballot:share:#{KIRKLEES}",
        f"ballot:run:admin cancel {KIRKLEES}",
        "ballot:run:forget me",
    )
    async with adapter_for(fake, app.core):
        asked = fake.slash("kirklees")
        await fake.interact(asked)
        card = with_buttons(fake.message_for(asked), *ids)
        old = await fake.interact(fake.click(card, ids[0]))
        shared = await fake.interact(fake.click(card, ids[1]))
        cancel = await fake.interact(fake.click(card, ids[2], roles=[ORGANISER_ROLE]))
        forget = await fake.interact(fake.click(card, ids[3]))

    assert "Ballots matching “Kirklees Council”" in embed_text(old)
    assert not shared["data"].get("flags", 0) & 64 and "43.3%" in embed_text(shared)
    for refused in (cancel, forget):
        assert "That button no longer works" in embed_text(refused)
        assert refused["data"]["flags"] & 64  # only the clicker sees it
    kirklees = await app.store.get(KIRKLEES)
    assert kirklees is not None and kirklees.status is not Status.CANCELLED


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize(
    ("custom_id", "says"),
    [
        ("cancel:kirklees-council-redundancies-strike", "is not something a button does"),
        ("history:", "missing or malformed"),
        ("history:kirklees council", "missing or malformed"),
        ("card:%ff%fe", "malformed"),
    ],
)
async def test_an_unknown_verb_or_a_bad_id_is_refused_in_words(
    fake: FakeDiscord, custom_id: str, says: str
) -> None:
    asked = fake.slash("kirklees")
    await fake.interact(asked)

    card = with_buttons(fake.message_for(asked), custom_id)

    body = await fake.interact(fake.click(card, custom_id))

    assert body["data"]["flags"] & 64
    text = embed_text(body)
    assert "That button is not one of mine" in text and says in text
