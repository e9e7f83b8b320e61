"""Buttons on a card: they run a command, share the card, and survive a restart of the bot."""

from __future__ import annotations

from adapters.discord.buttons import view_for
from bot.app import App
from bot.replies import Button, Reply
from tests.adapters.discord.support import adapter_for, button_ids, embed_text
from tests.fakes.discord_api import MEMBER_ID, FakeDiscord

HISTORY = "ballot:run:Kirklees Council history"


async def test_a_button_still_works_after_the_bot_restarts(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("kirklees")
        await fake.interact(asked)
    card = fake.message_for(asked)  # the ephemeral card, as Discord keeps it
    assert HISTORY in button_ids({"data": card})

    async with adapter_for(fake, app.core):  # a new process: new client, nothing in memory
        body = await fake.interact(fake.click(card, HISTORY))

    assert body["type"] == 4 and body["data"]["flags"] & 64
    text = embed_text(body)
    assert "Ballots matching “Kirklees Council”" in text
    assert "Kirklees Council" in text


async def test_share_posts_the_same_card_publicly(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("kirklees")
        private = await fake.interact(asked)
        (share,) = [cid for cid in button_ids(private) if cid.startswith("ballot:share:")]
        public = await fake.interact(fake.click(fake.message_for(asked), share))

    assert public["type"] == 4
    assert not public["data"].get("flags", 0) & 64  # everyone in the channel sees it
    assert public["data"]["content"] == f"Shared by <@{MEMBER_ID}>"
    assert public["data"]["allowed_mentions"]["parse"] == []  # nobody is pinged
    assert public["data"]["embeds"] == private["data"]["embeds"]  # the same card
    assert HISTORY in button_ids(public)
    assert not any(cid.startswith("ballot:share:") for cid in button_ids(public))


async def test_a_button_on_a_list_opens_that_ballot(fake: FakeDiscord, app: App) -> None:
    async with adapter_for(fake, app.core):
        asked = fake.slash("recent")
        listing = await fake.interact(asked)
        buttons = {
            button["label"]: button["custom_id"]
            for row in listing["data"]["components"]
            for button in row["components"]
        }
        body = await fake.interact(fake.click(fake.message_for(asked), buttons["Kirklees Council"]))
    assert embed_text(body).startswith("Kirklees Council")
    assert "43.3%" in embed_text(body)


def test_a_command_too_long_for_a_custom_id_is_left_out() -> None:
    long_name = "Royal Borough of " + "Very " * 20 + "Long Name Council"
    reply = Reply(
        header="Several ballots match",
        buttons=(
            Button("Long", f"/ballot {long_name}"),
            Button("Short", "/ballot kirklees"),
            Button("Short again", "/ballot kirklees"),
        ),
    )

    view = view_for(reply, public=False)

    assert view is not None
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert ids == ["ballot:run:kirklees"]  # no cut command, no duplicate id
    assert all(len(cid) <= 100 for cid in ids)
    assert view_for(Reply(header="x", buttons=(Button("Long", long_name),)), public=False) is None
