"""A branch with an open postal ballot, members, a channel, and a clock the test sets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.compose import App, open_app
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.config import Settings
from bot.replies import Reply
from bot.requests import Request
from tests.bot.announce.conftest import ORGANISER, FakePlatform

LONDON = ZoneInfo("Europe/London")
LEEDS = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions=Unison '
    'question="Strike over pay?" kind=strike opens=2026-11-23 closes=2026-12-10 '
    "eligible=400 status=open method=postal"
)


@dataclass
class Branch:
    app: App
    now: datetime

    def at(self, text: str) -> None:
        """Set the clock to a London wall-clock time: ``2026-12-03 09:00``."""
        self.now = datetime.fromisoformat(text).replace(tzinfo=LONDON)

    async def say(self, text: str, user: str = "U0AMINA", platform: str = "slack") -> Reply:
        return await self.app.core.handle(Request(text, platform, user, "C0LEEDS"))

    async def organiser(self, text: str) -> Reply:
        reply = await self.say(text, user=ORGANISER)
        assert reply.ok, reply.plain_text()
        return reply

    def dispatcher(self, *platforms: FakePlatform) -> Dispatcher:
        pacing = Pacing(per_channel_seconds=0, per_platform_per_second=1e6)
        dispatcher = self.app.dispatcher({p.name: p for p in platforms}, pacing)
        dispatcher.clock = lambda: self.now
        return dispatcher

    async def deliver(self, *platforms: FakePlatform) -> int:
        return await self.dispatcher(*platforms).run_once()


@pytest.fixture
async def branch(database_url: str, tmp_path: Path) -> AsyncIterator[Branch]:
    settings = Settings()
    settings.database.url = database_url
    settings.search.refresh_seconds = 0
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.slack.organisers = [ORGANISER]
    settings.reminders.contact = "Call the branch office on 0113 000 0000"
    async with open_app(settings, load_demo=False) as app:
        branch = Branch(app, datetime(2026, 11, 24, 10, 0, tzinfo=LONDON))
        app.reminders.clock = lambda: branch.now
        app.core.today = lambda: branch.now.date()
        await branch.organiser(LEEDS)
        await branch.organiser("/ballot subscribe")
        yield branch
