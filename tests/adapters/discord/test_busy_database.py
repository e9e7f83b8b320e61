"""A busy database makes a Discord member wait, never fail: the interaction is deferred
("thinking...") within Discord's three seconds and the answer follows once written."""

from __future__ import annotations

import asyncio
import time

from adapters.compose import App
from tests.adapters.discord.support import adapter_for, embed_text
from tests.busy import YORK, another_writer
from tests.fakes.discord_api import FakeDiscord


async def test_remind_me_while_another_process_writes_is_deferred_then_answered(
    fake: FakeDiscord, app: App
) -> None:
    await app.store.save([YORK])
    async with adapter_for(fake, app.core):
        with another_writer(app.settings.database.url):
            payload = fake.slash("remind me york")
            started = time.monotonic()
            body = await fake.interact(payload)
            assert time.monotonic() - started < 3.0  # Discord's limit
            assert body["type"] == 5  # deferred: "ballotbot is thinking..."
            await asyncio.sleep(0.5)
        followup = await fake.followup(payload, seconds=10)

    assert "I'll remind you by direct message" in embed_text({"data": followup})
    assert followup["flags"] & 64  # for the member alone
