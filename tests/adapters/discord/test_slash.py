"""A member types /ballot in Discord; the real discord.py answers through a fake Discord."""

from __future__ import annotations

from adapters.compose import App
from adapters.discord import DiscordAdapter
from bot.replies import Reply
from bot.requests import Request
from bot.search import Suggestion
from tests.adapters.discord.support import (
    RecordingCore,
    adapter_for,
    button_ids,
    embed_text,
    settings_for,
)
from tests.fakes.discord_api import (
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    ORGANISER_ROLE,
    FakeDiscord,
)


async def test_ballot_kirklees_answers_with_the_kirklees_figures(
    fake: FakeDiscord, bot: DiscordAdapter
) -> None:
    body = await fake.interact(fake.slash("kirklees"))

    assert body["type"] == 4  # answered at once, no defer
    assert body["data"]["flags"] & 64  # ephemeral: only the member sees it
    text = embed_text(body)
    assert "Kirklees Council" in text
    assert "43.3%" in text and "56.7%" in text and "6,500" in text
    assert "`█████████░┃░░░░░░░░░ 43.3% yes`" in text  # the bar, in a code span
    assert "history:kirklees-council-redundancies-strike" in button_ids(body)
    assert "share:kirklees-council-redundancies-strike" in button_ids(body)


async def test_typing_kirk_offers_kirklees(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    body = await fake.interact(fake.autocomplete("kirk"))

    assert body["type"] == 8  # autocomplete result
    names = [choice["name"] for choice in body["data"]["choices"]]
    assert "Kirklees Council" in names
    assert all(len(name) <= 100 for name in names) and len(names) <= 25


async def test_ballot_alone_shows_the_help(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    body = await fake.interact(fake.slash(None))

    assert "/ballot open" in embed_text(body)


async def test_an_unknown_ballot_says_so_with_the_closest_names(
    fake: FakeDiscord, bot: DiscordAdapter
) -> None:
    body = await fake.interact(fake.slash("kirklese"))  # a typo still finds it
    assert "Kirklees Council" in embed_text(body)

    body = await fake.interact(fake.slash("zzzz qqqq"))
    assert "No ballot found" in embed_text(body)


async def test_ballot_is_registered_in_the_configured_guild_at_start(
    fake: FakeDiscord, bot: DiscordAdapter
) -> None:
    (sync,) = fake.calls_to("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    (command,) = sync.body
    assert command["name"] == "ballot"
    (option,) = command["options"]
    assert option["name"] == "query" and option["type"] == 3 and option["autocomplete"] is True
    assert option.get("required", False) is False
    assert not fake.calls_to("PUT", rf"/applications/{APP_ID}/commands")


async def test_without_guilds_the_command_is_registered_globally(
    fake: FakeDiscord, app: App
) -> None:
    adapter = DiscordAdapter(app.core, settings_for(fake, guild_ids=()), token="test-token")
    async with adapter:
        body = await fake.interact(fake.slash("kirklees"))
    assert fake.calls_to("PUT", rf"/applications/{APP_ID}/commands")
    assert "43.3%" in embed_text(body)


async def test_the_core_hears_who_asked_where_and_with_which_roles(
    fake: FakeDiscord, app: App
) -> None:
    core = RecordingCore(app.core)
    async with adapter_for(fake, core):
        await fake.interact(fake.slash("kirklees", roles=[ORGANISER_ROLE, "920000000000000002"]))
        await fake.interact(fake.slash("open", guild=False))

    in_guild, in_dm = core.requests
    assert in_guild.text == "kirklees" and in_guild.platform == "discord"
    assert in_guild.user_id == MEMBER_ID and in_guild.channel_id == CHANNEL_ID
    assert in_guild.roles == (ORGANISER_ROLE, "920000000000000002")
    assert in_guild.workspace == GUILD_ID
    assert in_dm.text == "open" and in_dm.user_id == MEMBER_ID
    assert in_dm.roles == () and in_dm.workspace is None and in_dm.channel_id != CHANNEL_ID


async def test_slow_work_is_deferred_then_followed_up(fake: FakeDiscord, app: App) -> None:
    core = RecordingCore(app.core, delay=0.3)
    async with adapter_for(fake, core, defer_after=0.05):
        payload = fake.slash("kirklees")
        body = await fake.interact(payload)
        followup = await fake.followup(payload)

    assert body["type"] == 5 and body["data"]["flags"] & 64  # "thinking", only for the member
    assert "43.3%" in embed_text({"data": followup})
    assert followup["flags"] & 64
    assert len(core.requests) == 1  # the work was not started twice


class BrokenCore:
    """A core that fails on every question, and offers one name too long for Discord."""

    async def handle(self, request: Request) -> Reply:
        raise RuntimeError("database is locked")

    async def suggest(self, text: str, limit: int = 25) -> list[Suggestion]:
        return [Suggestion("Kirklees Council", "kirklees-2026"), Suggestion("K" * 101, "k")]


async def test_a_failing_core_gets_a_polite_answer_not_silence(fake: FakeDiscord) -> None:
    async with adapter_for(fake, BrokenCore()):
        body = await fake.interact(fake.slash("kirklees"))
        offered = await fake.interact(fake.autocomplete("k"))

    assert body["type"] == 4 and "Something went wrong" in embed_text(body)
    assert body["data"]["embeds"][0]["color"] == 0x8B0000
    assert [c["name"] for c in offered["data"]["choices"]] == ["Kirklees Council"]


async def test_a_chart_arrives_as_the_embed_picture(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    payload = fake.slash("southampton chart")
    body = await fake.interact(payload)
    answered = f"/interactions/{payload['id']}/{payload['token']}/callback"
    if body.get("type") == 5:  # "thinking…": the first picture starts the drawing process,
        body = {"data": await fake.followup(payload, 30)}  # a busy machine may make slow
        answered = f"/webhooks/{APP_ID}/{payload['token']}"
    callback = next(c for c in reversed(fake.calls) if c.path == answered and c.method == "POST")
    (name, png) = next(iter(callback.files.values()))
    assert png.startswith(b"\x89PNG")
    embed = body["data"]["embeds"][0]
    assert embed["image"]["url"] == f"attachment://{name}"
    assert "1,552" in embed_text(body)
