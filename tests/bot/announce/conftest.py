"""An organiser, some channels that follow results, and platforms that record what they got."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.compose import App, open_app
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.config import Settings
from bot.ports import PermanentSendError, RetryableSendError
from bot.replies import Reply
from bot.requests import Request

ORGANISER = "U0ORGANISER"
LEEDS = (
    '/ballot admin add id=leeds-2026 employer="Leeds City Council" unions="Unison; Unite" '
    'question="Strike over pay?" kind=strike closes=2026-12-10 eligible=4210 status=open'
)


class Crash(BaseException):
    """The process dies here: nothing after this line of the dispatcher runs."""


@dataclass
class FakePlatform:
    """A platform's channels as a member would see them, with scripted trouble.

    Like Discord, a post repeated with the same nonce is dropped (``dedupe_nonces``).
    """

    name: str
    dedupe_nonces: bool = True
    channels: dict[str, list[tuple[str, Reply]]] = field(default_factory=dict)
    edits: list[tuple[str, str, Reply]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    rate_limited: list[float] = field(default_factory=list)
    crash_before_post: int | None = None
    crash_after_post: int | None = None
    _nonces: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    attempts: int = 0

    async def post(self, channel_id: str, reply: Reply, nonce: str | None = None) -> str:
        self.attempts += 1
        if self.crash_before_post is not None and self.attempts > self.crash_before_post:
            raise Crash
        if channel_id in self.gone:
            raise PermanentSendError("channel_not_found")
        if self.rate_limited:
            raise RetryableSendError("ratelimited", retry_after=self.rate_limited.pop(0))
        if self.dedupe_nonces and nonce in self._nonces:
            return self._nonces[nonce]
        message_id = f"{self.name}-{next(self._ids)}"
        self.channels.setdefault(channel_id, []).append((message_id, reply))
        if nonce:
            self._nonces[nonce] = message_id
        if self.crash_after_post is not None and self.attempts >= self.crash_after_post:
            self.crash_after_post = None
            raise Crash
        return message_id

    async def update(self, channel_id: str, message_id: str, reply: Reply) -> None:
        if channel_id in self.gone:
            raise PermanentSendError("channel_not_found")
        self.edits.append((channel_id, message_id, reply))

    async def dm(self, user_id: str, reply: Reply) -> str:
        return await self.post(f"dm-{user_id}", reply)

    def headers(self, channel_id: str) -> list[str]:
        return [reply.header for _, reply in self.channels.get(channel_id, [])]


@dataclass
class Branch:
    """The bot, an organiser on Slack, and a clock the test can move forward."""

    app: App
    ahead: timedelta = timedelta()

    @property
    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    async def organiser(self, text: str) -> Reply:
        reply = await self.app.core.handle(Request(text, "slack", ORGANISER, "C0ORGANISERS"))
        assert reply.ok, reply.plain_text()
        return reply

    async def subscribe(self, platform: str, channel: str, what: str = "") -> None:
        user, roles = (ORGANISER, ()) if platform == "slack" else ("42", ("role-organisers",))
        request = Request(f"/ballot subscribe {what}", platform, user, channel, roles)
        reply = await self.app.core.handle(request)
        assert reply.ok, reply.plain_text()

    def dispatcher(self, *platforms: FakePlatform, batch: int = 50) -> Dispatcher:
        pacing = Pacing(per_channel_seconds=0, per_platform_per_second=1e6, batch=batch)
        dispatcher = self.app.dispatcher({p.name: p for p in platforms}, pacing)
        dispatcher.clock = lambda: self.now
        return dispatcher

    def later(self, seconds: float) -> None:
        self.ahead += timedelta(seconds=seconds)


@pytest.fixture
async def branch(database_url: str, tmp_path: Path) -> AsyncIterator[Branch]:
    settings = Settings()
    settings.database.url = database_url
    settings.search.refresh_seconds = 0
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.slack.organisers = [ORGANISER]
    settings.discord.organiser_roles = ["role-organisers"]
    settings.announcements.organiser_channels = ["slack:C0ORGANISERS"]
    async with open_app(settings, load_demo=True) as app:
        yield Branch(app)
