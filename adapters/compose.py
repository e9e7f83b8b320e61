"""The composition root: the one place where storage, core and settings are put together.

Nothing registers itself at import time; whoever needs a running bot (the CLI, ``ballotbot
run``, an adapter's tests, a benchmark) opens one here. Every part is built whole, through its
constructor, once what it needs exists: the stores, then the search index and the card maker,
then the services, then the core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.feed_http import HttpFeedSource
from bot.announce.dispatcher import Dispatcher, Pacing
from bot.announce.feeds import FeedWatcher
from bot.announce.model import Target
from bot.announce.pacing import InProcessPacer
from bot.announce.service import AnnouncementService
from bot.card_maker import CardMaker, Confirmed, drawing, serialising
from bot.cards import campaign_card
from bot.config import Settings
from bot.core import CampaignCard, Core
from bot.demo import DEMO_BALLOTS
from bot.domain import Ballot
from bot.ports import (
    BallotStore,
    Declarations,
    FeedSource,
    FeedStates,
    Outbox,
    Pacer,
    SeenRequests,
    Sender,
    Subscriptions,
)
from bot.privacy import logs
from bot.privacy.pseudonyms import Pseudonyms
from bot.reminders.service import ReminderService
from bot.replies import Reply
from bot.search.current import CatalogIndex
from bot.search.unions import union_table
from bot.verdicts import rules_from
from bot.verdicts.judge import legal_judge
from storage.ballots import SqlBallotStore
from storage.database import create_engine, open_connections, session_factory, upgrade
from storage.declarations import SqlDeclarations
from storage.feeds import SqlFeedStates
from storage.index_file import IndexFile, index_path
from storage.leader_lock import Leadership
from storage.outbox import SqlOutbox
from storage.pacing import SqlPacer
from storage.privacy import installation_salt
from storage.reminders import SqlReminderStore
from storage.seen_requests import SqlSeenRequests
from storage.sqlite_reader import SqliteBallotReader, embedded_file
from storage.subscriptions import SqlSubscriptions


@dataclass
class App:
    """A running bot: its settings, its stores and its core."""

    settings: Settings
    engine: AsyncEngine
    store: BallotStore
    core: Core
    outbox: Outbox
    subscriptions: Subscriptions
    declarations: Declarations
    feed_states: FeedStates
    reminders: ReminderService
    pacer: Pacer
    seen: SeenRequests
    pseudonyms: Pseudonyms
    """Members' stable pseudonyms in logs and pacing keys (one salt per deployment)."""

    async def first_time(self, key: str) -> bool:
        """Records a platform request id; False when any process handled it already."""
        return await self.seen.first_time(key)

    async def open_connections(self) -> None:
        """Open the database pool's connections now, before members come (``ballotbot run``):
        on SQLite each is a thread, and starting one during a burst stalls the event loop."""
        await open_connections(self.engine)

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
            self.outbox,
            self.store,
            senders,
            self.announcement_card,
            pacing,
            organisers=self.organiser_channels(),
            reminder_card=self.reminders.card,
            pacer=self.pacer,
            pseudonyms=self.pseudonyms,
        )

    def feed_watcher(self, source: FeedSource | None = None) -> FeedWatcher:
        """Polls the ``[[feeds]]`` of the settings (over HTTP unless another ``source`` is
        given), announcing what is new."""
        return FeedWatcher(
            self.settings.feeds,
            self.feed_states,
            self.declarations,
            self.outbox,
            source if source is not None else HttpFeedSource(),
            self.organiser_channels(),
            ballots=self.store,
        )

    def scheduler_leader(self) -> Leadership:
        """Runs the reminder scheduler here if no other process of this database does."""
        from storage.reminder_scheduler import ReminderScheduler  # APScheduler: when it runs

        scheduler = ReminderScheduler(self.reminders, self.settings.database.url)
        return self.leadership("reminder scheduler", scheduler.start, scheduler.stop)

    def leadership(
        self, name: str, begin: Callable[[], Awaitable[None]], end: Callable[[], Awaitable[None]]
    ) -> Leadership:
        """``name``'s work in one process of the deployment at a time (``storage.leader_lock``)."""
        retry = self.settings.process.leader_retry_seconds
        return Leadership(self.engine, name, begin, end, retry)

    def organiser_channels(self) -> list[Target]:
        channels = self.settings.announcements.organiser_channels
        return [Target(*channel.split(":", 1)) for channel in channels]

    async def announcement_card(self, ballot: Ballot) -> Reply:
        """What an announcement shows: the card, with its picture where pictures are drawn
        (built and drawn off the event loop)."""
        return await self.core.answer_card(ballot, picture=self.settings.announcements.pictures)


def core_parts(
    store: BallotStore, settings: Settings, confirmed: Confirmed | None = None
) -> tuple[CardMaker, CatalogIndex, CampaignCard]:
    """What the core and its services share, chosen from the settings: the card maker (the
    legal judge of the config's rule table, JSON with verdicts, pictures), the search index
    over ``store`` and the campaign card."""
    table = rules_from(settings)
    judge = legal_judge(table)
    cards = CardMaker(judge, serialising(judge), drawing(settings, judge), confirmed)
    search = settings.search
    catalog = CatalogIndex(
        store,
        search.score_cutoff,
        search.ambiguity_margin,
        search.refresh_seconds,
        union_table(settings.unions),
        saved=_saved_index(settings),
    )

    def campaign(name: str, ballots: Sequence[Ballot]) -> Reply:
        return campaign_card(name, ballots, table)

    return cards, catalog, campaign


def _saved_index(settings: Settings) -> IndexFile | None:
    """The search index kept beside a SQLite file between starts (quick one-shot answers)."""
    kept = index_path(settings.database.url)
    return IndexFile(kept, settings.database.url) if kept is not None else None


def build_core(store: BallotStore, settings: Settings) -> Core:
    """The core alone, with its parts chosen from the settings (no services)."""
    cards, catalog, campaign = core_parts(store, settings)
    return Core(store, cards=cards, catalog=catalog, campaign_card=campaign)


@asynccontextmanager
async def open_app(settings: Settings, *, load_demo: bool | None = None) -> AsyncIterator[App]:
    """Open the database (migrating it to the latest schema), load demo data when empty."""
    logs.hide_secrets(settings.database.url)  # a driver's error may quote the URL's password
    engine = create_engine(settings.database.url)
    # On a SQLite file the core reads ballots on its CPU thread (storage.sqlite_reader).
    reader = (
        SqliteBallotReader(settings.database.url) if embedded_file(settings.database.url) else None
    )
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        # Ballots record the day they ended on the union's calendar, by the reminders' clock
        # (asked when a ballot is saved, once the reminders below exist).
        store = SqlBallotStore(sessions, today=lambda: reminders.local_now().date())
        configured = settings.privacy.log_salt
        salt = configured.get_secret_value() if configured is not None else ""
        pseudonyms = Pseudonyms(salt or await installation_salt(sessions))
        logs.install(pseudonyms)  # from here on, work for a member is logged by pseudonym
        reminder_store = SqlReminderStore(sessions, pseudonyms)
        cards, catalog, campaign = core_parts(store, settings, reminder_store.confirmed)
        outbox = SqlOutbox(sessions)
        subscriptions = SqlSubscriptions(sessions)
        declarations = SqlDeclarations(sessions, store, catalog.unions)
        reminders = ReminderService(
            reminder_store,
            store,
            outbox,
            subscriptions,
            settings,
            catalog.current,
            judge=cards.judge,
            pictured=cards.pictured,
            find=catalog.find,
        )
        core = Core(
            store,
            reader=reader,
            cards=cards,
            catalog=catalog,
            campaign_card=campaign,
            announcements=AnnouncementService(
                subscriptions,
                declarations,
                outbox,
                store,
                settings,
                catalog.current,
                cards.card,
                clock=lambda: reminders.clock(),  # one clock for what organisers report
            ),
            reminders=reminders,
        )
        wants_demo = settings.demo_data if load_demo is None else load_demo
        if wants_demo and await store.count() == 0:
            await store.save(DEMO_BALLOTS)
        # Several processes share PostgreSQL, and so the platforms' pace; SQLite has one.
        shared = engine.dialect.name == "postgresql"
        pacer = SqlPacer(sessions) if shared else InProcessPacer()
        feeds = SqlFeedStates(sessions)
        seen = SqlSeenRequests(sessions)
        yield App(
            settings,
            engine,
            store,
            core,
            outbox,
            subscriptions,
            declarations,
            feeds,
            reminders,
            pacer,
            seen,
            pseudonyms,
        )
    finally:
        if reader is not None:
            reader.close()
        await engine.dispose()
