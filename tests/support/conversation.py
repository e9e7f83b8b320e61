"""A conversation with the bot, the way a test reads it (like errbot's ``testbot``)::

    reply = await chat.say("/ballot kirklees")
    await branch.as_organiser().say("/ballot admin result leeds-2026 for=2000 against=500")
    sent = await branch.deliver(slack)          # the outbox, through recording senders
    branch.later(minutes=2)                     # the fake clock moves on

One class, :class:`Conversation`, talks to the real core built from settings
(:func:`adapters.compose.open_app`), on a fresh database. Given a :class:`Front` (the fake
Slack and Discord APIs and the real adapters in front of the same core) it also talks through
the platforms: ``on_slack()``, ``on_discord()``. The ``chat``, ``branch`` and ``union``
fixtures are built by :func:`chat`, :func:`announcing_branch`, :func:`reminding_branch` and
:func:`union` here; they differ only in who speaks, where, and when.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from adapters.compose import App, open_app
from adapters.discord import DiscordAdapter
from adapters.discord.client import DISCORD_API_URL, point_at
from adapters.slack.app import SlackAdapter, SlackSecrets
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.config import Settings
from bot.ports import Sender
from bot.replies import Reply
from bot.requests import Request
from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.ballots import LEEDS_POSTAL
from tests.support.discord_requests import adapter_for
from tests.support.slack_requests import http_settings, post, signed_headers, slash_command

LONDON = ZoneInfo("Europe/London")
ORGANISER = "U0ORGANISER"
"""The organiser of the ``branch`` fixtures, on Slack."""
DISCORD_ORGANISER_ROLE = "role-organisers"
SLACK_ORGANISER = "U0MEMBER1"  # the member in the recorded slash command
DISCORD_ORGANISERS = "920000000000000001"  # the role of the member in the recorded interaction
SLACK_CHANNELS = ("C0BRANCH1", "C0REGION1", "C0REGION2")
"""The ``union``'s channels on Slack (the first is the recorded slash command's)."""
DISCORD_CHANNELS = (CHANNEL_ID, "910000000000000002", "910000000000000003")
"""The ``union``'s channels on Discord (the first is the recorded interaction's)."""


class NamedSender(Sender, Protocol):
    """A recording sender that knows which platform it stands for (``FakePlatform``)."""

    name: str


@dataclass(frozen=True)
class Speaker:
    """Who says things, and where: a user on a platform, in a channel, with platform roles."""

    user: str = "local"
    platform: str = "console"
    channel: str = "console"
    roles: tuple[str, ...] = ()


@dataclass
class Clock:
    """The bot's time: real time (or a set wall-clock time) plus how far the test moved on."""

    fixed: datetime | None = None
    ahead: timedelta = timedelta()

    def now(self) -> datetime:
        return (self.fixed or datetime.now(UTC)) + self.ahead


@dataclass
class Front:
    """The platforms in front of the core: fake Slack and Discord APIs and the real adapters."""

    slack: FakeSlack
    discord: FakeDiscord
    slack_bot: SlackAdapter
    discord_bot: DiscordAdapter

    def senders(self) -> dict[str, Sender]:
        return {"slack": self.slack_bot.sender, "discord": self.discord_bot.sender}


@dataclass
class Conversation:
    """A conversation with the bot: one speaker, the organisers, the clock, the platforms.

    Views made by :meth:`as_organiser`, :meth:`as_member` and :meth:`in_channel` share the
    bot, the clock and the platforms with the conversation they came from.
    """

    app: App
    speaker: Speaker = Speaker()
    organisers: Mapping[str, Speaker] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    pacing: Pacing = field(
        default_factory=lambda: Pacing(per_channel_seconds=0, per_platform_per_second=1e6)
    )
    front: Front | None = None

    # -- speaking ---------------------------------------------------------------------------

    async def say(self, text: str, user: str | None = None, platform: str | None = None) -> Reply:
        """The bot's reply to ``text``, said by the speaker (or ``user`` on ``platform``)."""
        who = self.speaker
        request = Request(text, platform or who.platform, user or who.user, who.channel, who.roles)
        return await self.app.core.handle(request)

    def as_organiser(self, platform: str | None = None) -> Conversation:
        """The same conversation, spoken by the organiser on ``platform`` (default: this one)."""
        platform = platform or self.speaker.platform
        organiser = self.organisers.get(platform)
        if organiser is None:  # the console's own user is an organiser by default
            organiser = replace(self.speaker, platform=platform)
        return replace(self, speaker=organiser)

    def as_member(self, user: str) -> Conversation:
        """The same conversation, spoken by ``user`` where the speaker is."""
        return replace(self, speaker=replace(self.speaker, user=user, roles=()))

    def in_channel(self, channel: str) -> Conversation:
        return replace(self, speaker=replace(self.speaker, channel=channel))

    async def organiser(self, text: str) -> Reply:
        """An organiser says ``text``, which must succeed (the test's setting up)."""
        reply = await self.as_organiser().say(text)
        assert reply.ok, reply.plain_text()
        return reply

    async def subscribe(self, platform: str, channel: str, what: str = "") -> None:
        """An organiser on ``platform`` has ``channel`` follow ``what`` (every result)."""
        here = self.as_organiser(platform).in_channel(channel)
        reply = await here.say(f"/ballot subscribe {what}")
        assert reply.ok, reply.plain_text()

    # -- the platforms ----------------------------------------------------------------------

    async def on_slack(self, text: str, user: str = SLACK_ORGANISER, channel: str = "") -> str:
        """``/ballot text`` typed on the fake Slack, signed, through the real Slack adapter."""
        front = self._front()
        fields = dict(parse_qsl(slash_command(front.slack, text), keep_blank_values=True))
        fields["user_id"] = user
        fields["channel_id"] = channel or fields["channel_id"]
        body = urlencode(fields)
        status, answer = await post(f"{front.slack_bot.url}", body, signed_headers(body))
        assert status == 200
        return str(answer)

    async def on_discord(self, text: str, roles: list[str] | None = None) -> str:
        """``/ballot text`` typed on the fake Discord, through the real Discord adapter."""
        callback = await self._front().discord.interact(
            self._front().discord.slash(text, roles=roles)
        )
        return str(callback)

    def posts(self, channel: str) -> int:
        """How many messages the bot posted in ``channel`` on either fake platform."""
        front = self._front()
        on_slack = [
            c for c in front.slack.calls_to("chat.postMessage") if c.args["channel"] == channel
        ]
        on_discord = front.discord.calls_to("POST", rf"/channels/{channel}/messages")
        return len(on_slack) + len({c.body.get("nonce") or id(c) for c in on_discord})

    def _front(self) -> Front:
        assert self.front is not None, "this conversation has no platforms in front of it"
        return self.front

    # -- delivering -------------------------------------------------------------------------

    def dispatcher(self, *platforms: NamedSender, batch: int | None = None) -> Dispatcher:
        """The outbox's dispatcher, sending through ``platforms`` on the conversation's clock."""
        senders: Mapping[str, Sender] = {p.name: p for p in platforms}
        return self._dispatcher(senders, batch)

    def _dispatcher(self, senders: Mapping[str, Sender], batch: int | None = None) -> Dispatcher:
        pacing = self.pacing if batch is None else replace(self.pacing, batch=batch)
        dispatcher = self.app.dispatcher(senders, pacing)
        dispatcher.clock = self.clock.now
        return dispatcher

    async def deliver(
        self, *platforms: NamedSender, senders: Mapping[str, Sender] | None = None
    ) -> int:
        """Send everything due in the outbox now; how many messages went out.

        Through ``platforms`` (recording senders), else ``senders``, else the real adapters'
        senders of the :class:`Front`. Runs the dispatcher until a pass sends nothing.
        """
        if platforms:
            senders = {p.name: p for p in platforms}
        elif senders is None:
            senders = self._front().senders()
        dispatcher, sent = self._dispatcher(senders), 0
        while (more := await dispatcher.run_once()) > 0:
            sent += more
        return sent

    # -- time -------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def ahead(self) -> timedelta:
        """How far the clock has been moved on from real (or set) time."""
        return self.clock.ahead

    @ahead.setter
    def ahead(self, by: timedelta) -> None:
        self.clock.ahead = by

    def later(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> None:
        """Move the clock on: reminders and retries fall due, leases run out."""
        self.clock.ahead += timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)

    def at(self, text: str) -> None:
        """Set the clock to a London wall-clock time: ``2026-12-03 09:00``."""
        self.clock.fixed = datetime.fromisoformat(text).replace(tzinfo=LONDON)
        self.clock.ahead = timedelta()


def _settings(database_url: str, tmp_path: Path) -> Settings:
    settings = Settings()
    settings.database.url = database_url
    settings.search.refresh_seconds = 0  # see every save at once
    settings.charts.cache_dir = str(tmp_path / "charts")
    return settings


@asynccontextmanager
async def chat(tmp_path: Path) -> AsyncIterator[Conversation]:
    """A member on the console, an organiser by default, with the demo ballots."""
    settings = _settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", tmp_path)
    async with open_app(settings) as app:
        yield Conversation(app)


@asynccontextmanager
async def announcing_branch(database_url: str, tmp_path: Path) -> AsyncIterator[Conversation]:
    """An organiser on Slack (and one on Discord), channels to subscribe, the demo ballots;
    the clock is real time, moved on by ``later()``."""
    settings = _settings(database_url, tmp_path)
    settings.slack.organisers = [ORGANISER]
    settings.discord.organiser_roles = [DISCORD_ORGANISER_ROLE]
    settings.announcements.organiser_channels = ["slack:C0ORGANISERS"]
    organisers = {
        "slack": Speaker(ORGANISER, "slack", "C0ORGANISERS"),
        "discord": Speaker("42", "discord", "", (DISCORD_ORGANISER_ROLE,)),
    }
    async with open_app(settings, load_demo=True) as app:
        yield Conversation(
            app,
            speaker=organisers["slack"],
            organisers=organisers,
            pacing=Pacing(per_channel_seconds=0, per_platform_per_second=1e6, batch=50),
        )


@asynccontextmanager
async def reminding_branch(database_url: str, tmp_path: Path) -> AsyncIterator[Conversation]:
    """Amina in the Leeds channel on Slack, an open postal ballot there (subscribed), and a
    clock set to 24 Nov 2026 10:00 London time that the test sets with ``at()``."""
    settings = _settings(database_url, tmp_path)
    settings.slack.organisers = [ORGANISER]
    settings.reminders.contact = "Call the branch office on 0113 000 0000"
    async with open_app(settings, load_demo=False) as app:
        branch = Conversation(
            app,
            speaker=Speaker("U0AMINA", "slack", "C0LEEDS"),
            organisers={"slack": Speaker(ORGANISER, "slack", "C0LEEDS")},
            clock=Clock(fixed=datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)),
        )
        app.reminders.clock = branch.clock.now
        app.core.today = lambda: branch.now.date()
        await branch.organiser(LEEDS_POSTAL)
        await branch.organiser("/ballot subscribe")
        yield branch


@asynccontextmanager
async def union(tmp_path: Path) -> AsyncIterator[Conversation]:
    """One union on both platforms: the fake Slack and Discord, the real adapters, one bot."""
    settings = _settings(f"sqlite+aiosqlite:///{tmp_path / 'union.db'}", tmp_path)
    settings.slack.organisers = [SLACK_ORGANISER]
    settings.discord.organiser_roles = [DISCORD_ORGANISERS]
    async with (
        FakeSlack() as slack,
        FakeDiscord(heartbeat_interval_ms=500) as discord,
        open_app(settings) as app,
    ):
        slack_bot = SlackAdapter(
            app.core, http_settings(slack), SlackSecrets(BOT_TOKEN, signing_secret=SIGNING_SECRET)
        )
        await slack_bot.start()
        try:
            async with adapter_for(discord, app.core) as discord_bot:
                front = Front(slack, discord, slack_bot, discord_bot)
                organisers = {
                    "slack": Speaker(SLACK_ORGANISER, "slack", SLACK_CHANNELS[0]),
                    "discord": Speaker("", "discord", DISCORD_CHANNELS[0], (DISCORD_ORGANISERS,)),
                }
                yield Conversation(
                    app,
                    speaker=organisers["slack"],
                    organisers=organisers,
                    pacing=Pacing(per_channel_seconds=0),
                    front=front,
                )
        finally:
            await slack_bot.stop()
    point_at(DISCORD_API_URL, "")  # never leave discord.py pointed at a closed port
