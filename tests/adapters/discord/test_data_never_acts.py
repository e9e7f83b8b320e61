"""Ballot data reaches Discord as text only: an autocomplete pick submits the ballot's id,
never its name, and a Share that is refused is told to the clicker alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.compose import App, open_app
from adapters.discord.buttons import RUN_PREFIX, SHARE_PREFIX
from bot import commands
from bot.config import ChartSettings, DatabaseSettings, Settings
from bot.domain import Ballot, Kind, Question, Result, Status
from tests.adapters.discord.support import RecordingCore, adapter_for, embed_text
from tests.adapters.discord.test_buttons import with_buttons
from tests.fakes.discord_api import ORGANISER_ROLE, FakeDiscord

VICTIM = "leeds-2026"
TRAPS = (
    Ballot(VICTIM, ("Unison",), "Leeds City Council", (Question("Strike?", Kind.STRIKE),)),
    Ballot(
        "trap-alias",
        ("Unison",),
        "Admiral Taverns",
        (Question("Strike?", Kind.STRIKE, Result(10, 5)),),
        aliases=(f"admin cancel {VICTIM}", "admin announce leeds"),
    ),
    Ballot("trap-forget", ("Unison",), "forget me", (Question("Strike?", Kind.STRIKE),)),
    Ballot("trap-open", ("Unison",), "open", (Question("Strike?", Kind.STRIKE),)),
    Ballot(
        "trap-history",
        ("Unite",),
        "Forge history",
        (Question("Strike?", Kind.STRIKE),),
        aliases=("unsubscribe all", "remind stop"),
    ),
)


@pytest.fixture
async def organisers_app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"),
        charts=ChartSettings(cache_dir=str(tmp_path / "charts")),
    )
    settings.discord.organiser_roles = [ORGANISER_ROLE]
    settings.search.refresh_seconds = 0
    async with open_app(settings) as app:
        await app.store.save(list(TRAPS))
        yield app


@pytest.mark.parametrize("typed", ["admin", "admin cancel", "forget", "forge", "unsub", "remind"])
async def test_a_picked_name_runs_only_the_lookup_of_its_ballot(
    fake: FakeDiscord, organisers_app: App, typed: str
) -> None:
    app = organisers_app
    core = RecordingCore(app.core)
    async with adapter_for(fake, core):
        offered = (await fake.interact(fake.autocomplete(typed)))["data"]["choices"]
        assert offered, f"nothing offered for {typed!r}"
        answers = []
        for choice in offered:
            # The shown name is the data; what a pick submits is the ballot's reference.
            assert choice["value"].startswith("#"), choice
            assert isinstance(commands.parse(choice["value"]), commands.Lookup)
            asked = fake.slash(choice["value"], roles=[ORGANISER_ROLE])
            answers.append(await fake.interact(asked))

    for body in answers:
        assert body["data"]["flags"] & 64
        assert "No ballot found" not in embed_text(body)
    assert all(r.text.startswith("#") for r in core.requests)
    victim = await app.store.get(VICTIM)
    assert victim is not None and victim.status is not Status.CANCELLED


async def test_an_alias_spelling_a_command_is_shown_and_picks_its_ballot(
    fake: FakeDiscord, organisers_app: App
) -> None:
    async with adapter_for(fake, organisers_app.core):
        offered = (await fake.interact(fake.autocomplete("admin cancel")))["data"]["choices"]
        (choice,) = [c for c in offered if c["name"] == f"admin cancel {VICTIM}"]
        assert choice["value"] == "#trap-alias"
        body = await fake.interact(fake.slash(choice["value"], roles=[ORGANISER_ROLE]))

    assert "Admiral Taverns" in embed_text(body)


@pytest.mark.parametrize(
    "custom_id",
    [
        f"{SHARE_PREFIX}#no-such-ballot",
        f"{SHARE_PREFIX}admin cancel {VICTIM}",
        f"{SHARE_PREFIX}forget me",
        "share:no-such-ballot",
        "share:%ff",
    ],
)
async def test_a_refused_share_is_seen_by_the_clicker_alone(
    fake: FakeDiscord, organisers_app: App, custom_id: str
) -> None:
    async with adapter_for(fake, organisers_app.core):
        asked = fake.slash("#trap-alias")
        await fake.interact(asked)
        card = with_buttons(fake.message_for(asked), custom_id, f"{RUN_PREFIX}open")
        body = await fake.interact(fake.click(card, custom_id, roles=[ORGANISER_ROLE]))

    assert body["data"]["flags"] & 64, embed_text(body)
    assert not body["data"].get("content")  # no "Shared by" for a card that was not shared
    victim = await organisers_app.store.get(VICTIM)
    assert victim is not None and victim.status is not Status.CANCELLED


async def test_a_slow_share_is_refused_privately_and_posted_publicly(
    fake: FakeDiscord, organisers_app: App
) -> None:
    core = RecordingCore(organisers_app.core, delay=0.2)
    async with adapter_for(fake, core, defer_after=0.05):
        asked = fake.slash("#trap-alias")
        await fake.interact(asked)
        card = with_buttons(fake.message_for(asked), "share:no-such-ballot", "share:trap-alias")
        refused = fake.click(card, "share:no-such-ballot")
        deferred = await fake.interact(refused)
        told = await fake.followup(refused)
        fake.calls.clear()
        shared = fake.click(card, "share:trap-alias")
        await fake.interact(shared)
        posted = await fake.followup(shared)
        (edited,) = fake.calls_to("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")

    assert deferred["type"] == 5 and deferred["data"]["flags"] & 64  # thinking, privately
    assert told["flags"] & 64 and "No ballot found" in embed_text({"data": told})
    assert not posted.get("flags", 0) & 64 and "Admiral Taverns" in embed_text({"data": posted})
    assert posted["content"].startswith("Shared by")
    assert edited.body["content"] == "Shared in this channel."
