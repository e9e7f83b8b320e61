"""The composition root: the one place where storage, core and settings are wired together.

Nothing registers itself at import time; whoever needs a running bot (the CLI, an adapter's
tests, a benchmark) opens one here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.announce.dispatcher import Dispatcher, Pacing
from bot.announce.feeds import FeedStates, FeedWatcher
from bot.announce.model import AnnouncementStore, Target
from bot.announce.pacing import InProcessPacer, Pacer
from bot.announce.service import AnnouncementService
from bot.config import Settings
from bot.core import Core
from bot.demo import DEMO_BALLOTS
from bot.domain import Ballot
from bot.leadership import Leadership
from bot.ports import BallotStore, Sender
from bot.privacy import logs
from bot.privacy.pseudonyms import Pseudonyms
from bot.reminders.service import ReminderService
from bot.replies import Reply
from storage.announcements import SqlAnnouncementStore
from storage.ballots import SqlBallotStore
from storage.database import create_engine, upgrade
from storage.feeds import SqlFeedStates
from storage.index_file import IndexFile, index_path
from storage.pacing import SqlPacer
from storage.privacy import installation_salt
from storage.reminders import SqlReminderStore
from storage.requests import SqlSeenRequests


@dataclass
class App:
    """A running bot: its settings, its stores and its core."""

    settings: Settings
    engine: AsyncEngine
    store: BallotStore
    core: Core
    announcements: AnnouncementStore
    feed_states: FeedStates
    reminders: ReminderService
    pacer: Pacer
    seen: SqlSeenRequests
    pseudonyms: Pseudonyms
    """Members' stable pseudonyms in logs and pacing keys (one salt per deployment)."""

    async def first_time(self, key: str) -> bool:
        """Records a platform request id; False when any process handled it already."""
        return await self.seen.first_time(key)

    async def ready(self) -> bool:
        """Can this process reach its database? (``/readyz``)"""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispatcher(self, senders: Mapping[str, Sender], pacing: Pacing | None = None) -> Dispatcher:
        """Delivers announcements through these platforms' senders, paced as configured."""
        paced = self.settings.announcements
        pacing = pacing or Pacing(
            per_channel_seconds=paced.per_channel_seconds,
            per_platform_per_second=paced.per_platform_per_second,
            max_attempts=paced.max_attempts,
            lease_seconds=paced.lease_seconds,
        )
        return Dispatcher(
            self.announcements,
            self.store,
            senders,
            self.announcement_card,
            pacing,
            organisers=self.organiser_channels(),
            reminder_card=self.reminders.card,
            pacer=self.pacer,
            pseudonyms=self.pseudonyms,
        )

    def feed_watcher(self) -> FeedWatcher:
        """Polls the ``[[feeds]]`` of the settings, announcing what is new."""
        return FeedWatcher(
            self.settings.feeds,
            self.feed_states,
            self.announcements,
            self.organiser_channels(),
            ballots=self.store,
        )

    def scheduler_leader(self) -> Leadership:
        """Runs the reminder scheduler here if no other process of this database does."""
        from bot.reminders.scheduler import ReminderScheduler  # APScheduler: only when it runs

        scheduler = ReminderScheduler(self.reminders, self.settings.database.url)
        return self.leadership("reminder scheduler", scheduler.start, scheduler.stop)

    def leadership(
        self, name: str, begin: Callable[[], Awaitable[None]], end: Callable[[], Awaitable[None]]
    ) -> Leadership:
        """``name``'s work in one process of the deployment at a time (:mod:`bot.leadership`)."""
        retry = self.settings.process.leader_retry_seconds
        return Leadership(self.engine, name, begin, end, retry)

    def organiser_channels(self) -> list[Target]:
        channels = self.settings.announcements.organiser_channels
        return [Target(*channel.split(":", 1)) for channel in channels]

    def announcement_card(self, ballot: Ballot) -> Reply:
        """What an announcement shows: the card, with its picture where pictures are drawn."""
        return self.core.card(ballot, picture=self.settings.announcements.pictures)


def build_core(store: BallotStore, settings: Settings) -> Core:
    """The core with its collaborators chosen from the settings."""
    from bot.wiring import core_options

    return Core(store, **core_options(settings))


@asynccontextmanager
async def open_app(settings: Settings, *, load_demo: bool | None = None) -> AsyncIterator[App]:
    """Open the database (migrating it to the latest schema), load demo data when empty."""
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        store = SqlBallotStore(sessions)
        wants_demo = settings.demo_data if load_demo is None else load_demo
        if wants_demo and await store.count() == 0:
            await store.save(DEMO_BALLOTS)
        core = build_core(store, settings)
        kept = index_path(settings.database.url)
        core.saved_index = IndexFile(kept) if kept is not None else None  # quick starts
        announcements = SqlAnnouncementStore(sessions, store, core.unions)
        core.announcements = AnnouncementService(
            announcements, store, settings, core.index, core.card
        )
        configured = settings.privacy.log_salt
        salt = configured.get_secret_value() if configured is not None else ""
        pseudonyms = Pseudonyms(salt or await installation_salt(sessions))
        logs.install(pseudonyms)  # from here on, work for a member is logged by pseudonym
        reminders = ReminderService(
            SqlReminderStore(sessions, pseudonyms),
            store,
            announcements,
            settings,
            core.index,
            judge=core.judge,
        )
        # Ballots record the day they ended on the union's calendar, by the reminders' clock.
        store.today = lambda: reminders.local_now().date()
        core.reminders = reminders
        core.confirmed = reminders.store.confirmed
        reminders.pictured = core.pictured
        # Several processes share PostgreSQL, and so the platforms' pace; SQLite has one.
        shared = engine.dialect.name == "postgresql"
        pacer = SqlPacer(sessions) if shared else InProcessPacer()
        feeds = SqlFeedStates(sessions)
        seen = SqlSeenRequests(sessions)
        yield App(
            settings, engine, store, core, announcements, feeds, reminders, pacer, seen, pseudonyms
        )
    finally:
        await engine.dispose()
