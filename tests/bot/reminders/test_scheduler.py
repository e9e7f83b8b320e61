"""The scheduler on the real clock: jobs in the database, restarts, one leader at a time."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adapters.compose import App, open_app
from bot.config import Settings
from bot.requests import Request
from storage import reminder_scheduler as scheduler_module
from storage.database import WRITE
from storage.reminder_scheduler import ReminderScheduler, fire_reminder, job_id
from tests.bot.announce.conftest import ORGANISER

LONDON = ZoneInfo("Europe/London")


def settings_for(database_url: str, tmp_path: Path, send_at: str, grace: float) -> Settings:
    settings = Settings()
    settings.database.url = database_url
    settings.search.refresh_seconds = 0
    settings.charts.cache_dir = str(tmp_path / "charts")
    settings.slack.organisers = [ORGANISER]
    settings.reminders.send_at = send_at
    settings.reminders.days_before_close = [7]
    settings.reminders.on_open = False
    settings.reminders.quiet_start = settings.reminders.quiet_end = "00:00"  # none
    settings.reminders.grace_seconds = grace
    settings.reminders.sync_seconds = 3600
    return settings


async def a_ballot_due(app: App, due: datetime) -> None:
    """An open ballot whose "7 days left" reminder was due at ``due`` (London time)."""
    closes = due.date() + timedelta(days=7)
    opens = due.date() - timedelta(days=3)
    for text_ in (
        f'/ballot admin add id=york-1 employer="York Council" unions=GMB question="Strike?" '
        f"kind=strike opens={opens} closes={closes} status=open",
        "/ballot subscribe",
    ):
        reply = await app.core.handle(Request(text_, "slack", ORGANISER, "C0YORK"))
        assert reply.ok, reply.plain_text()
    await app.core.handle(Request("/ballot remind me york", "slack", "U0AMINA", "C0YORK"))


async def queued(app: App) -> list[tuple[str, str, str]]:
    rows = await app.outbox.deliveries("york-1")
    return sorted((d.kind, d.target.channel_id, d.state) for d in rows)


async def eventually(check, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
def due() -> datetime:
    """Five minutes ago on the union's clock, to the minute."""
    return (datetime.now(LONDON) - timedelta(minutes=5)).replace(second=0, microsecond=0)


@pytest.fixture
async def app(database_url: str, tmp_path: Path, due: datetime) -> AsyncIterator[App]:
    settings = settings_for(database_url, tmp_path, f"{due:%H:%M}", grace=3600)
    async with open_app(settings, load_demo=False) as app:
        await a_ballot_due(app, due)
        yield app


@pytest.mark.parametrize(
    "due", [(datetime.now(LONDON) + timedelta(days=1)).replace(second=0, microsecond=0)]
)
async def test_sync_plans_a_job_per_reminder_at_its_moment(app: App, due: datetime) -> None:
    scheduler = ReminderScheduler(app.reminders, app.settings.database.url)
    await scheduler.start()
    try:
        assert await scheduler.jobs() == [(job_id("york-1", "close-7d"), due.astimezone(UTC))]
    finally:
        await scheduler.stop()


async def test_a_reminder_missed_while_down_goes_late_and_a_restart_repeats_none(
    app: App,
) -> None:
    async def two_queued() -> bool:
        return len(await queued(app)) == 2

    first = ReminderScheduler(app.reminders, app.settings.database.url)
    await first.start()  # it was due five minutes ago: within the grace period
    await eventually(two_queued)
    await first.stop()

    again = ReminderScheduler(app.reminders, app.settings.database.url)  # a restart
    await again.start()
    await asyncio.sleep(0.5)
    await again.stop()

    assert await queued(app) == [("dm", "U0AMINA", "pending"), ("reminder", "C0YORK", "pending")]


async def test_a_reminder_missed_by_more_than_the_grace_is_skipped_and_logged(
    app: App, due: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    app.settings.reminders.grace_seconds = 60
    scheduler = ReminderScheduler(app.reminders, app.settings.database.url)
    scheduler.scheduler.add_job(  # in the job store since before the bot went down
        fire_reminder,
        "date",
        run_date=due,
        args=["york-1", "close-7d"],
        id=job_id("york-1", "close-7d"),
    )
    caplog.set_level(logging.WARNING, logger="storage.reminder_scheduler")

    await scheduler.start()
    try:
        await eventually(lambda: _logged(caplog, "more than the grace period ago: skipped"))
    finally:
        await scheduler.stop()

    assert await queued(app) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_job_store_waits_for_sqlites_write_lock_without_freezing_the_loop(
    app: App,
) -> None:
    """The freeze of issue 19: a member's transaction holds SQLite's write lock and needs
    the event loop to finish, while the scheduler writes its jobs. With the job store on the
    loop, the loop waited for the lock and the lock for the loop, for pysqlite's 30 s."""
    beats: list[float] = []

    async def beat() -> None:
        while True:
            beats.append(time.monotonic())
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(beat())
    scheduler = ReminderScheduler(app.reminders, app.settings.database.url)
    try:
        async with app.engine.connect() as connection:
            writing = await connection.execution_options(**WRITE)
            async with writing.begin():  # BEGIN IMMEDIATE: this process holds the lock
                await writing.execute(text("UPDATE catalog_version SET version = version"))
                starting = asyncio.create_task(scheduler.start())
                await asyncio.sleep(1.0)  # ...and waits on the loop meanwhile
        await asyncio.wait_for(starting, 10)
        await eventually(lambda: _queued_count(app, 2))
    finally:
        beating.cancel()
        await scheduler.stop()

    # Frozen, the loop would wait for the lock and the lock for the loop: a gap of the
    # 30 s busy timeout. A busy machine's pauses are far shorter.
    assert max(b - a for a, b in itertools.pairwise(beats)) < 5.0


async def _queued_count(app: App, count: int) -> bool:
    return len(await queued(app)) == count


async def _logged(caplog: pytest.LogCaptureFixture, words: str) -> bool:
    return any(words in record.getMessage() for record in caplog.records)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_one_process_runs_the_scheduler_and_another_takes_over_when_it_dies(
    app: App, database_url: str, tmp_path: Path, due: datetime
) -> None:
    other_settings = settings_for(database_url, tmp_path / "other", f"{due:%H:%M}", 3600)
    async with open_app(other_settings, load_demo=False) as other:
        first, second = app.scheduler_leader(), other.scheduler_leader()
        first.retry_seconds = second.retry_seconds = 0.2
        stop = asyncio.Event()
        tasks = [asyncio.create_task(first.run(stop))]
        await asyncio.wait_for(first.leading.wait(), 5)
        tasks.append(asyncio.create_task(second.run(stop)))
        await asyncio.sleep(0.6)
        assert not second.leading.is_set()  # the lock is held: it waits

        async with app.engine.connect() as admin:  # the leader's process dies
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND classid = :high AND objid = :low"
                ),
                {"high": first.key >> 32, "low": first.key & 0xFFFFFFFF},
            )
        await asyncio.wait_for(second.leading.wait(), 5)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_job_store_failure_is_logged_and_the_scheduler_keeps_going(
    app: App, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler_module, "RETRY_SECONDS", 0.2)
    scheduler = ReminderScheduler(app.reminders, app.settings.database.url)
    store = scheduler.scheduler._lookup_jobstore("default")
    remove = store.remove_job
    failures = [OperationalError("DELETE FROM apscheduler_jobs", {}, Exception("disk I/O"))]

    def flaky_remove(job_id: str) -> None:
        if failures:
            raise failures.pop()
        remove(job_id)

    monkeypatch.setattr(store, "remove_job", flaky_remove)
    caplog.set_level(logging.ERROR, logger="storage.reminder_scheduler")

    await scheduler.start()  # the reminder due five minutes ago runs, then its removal fails
    try:
        await eventually(lambda: _logged(caplog, "the reminder job store failed"))
        await eventually(lambda: _no_reminder_jobs(scheduler))  # the next round tidied up
        assert scheduler.scheduler._thread.is_alive()
    finally:
        await scheduler.stop()

    assert await queued(app) == [("dm", "U0AMINA", "pending"), ("reminder", "C0YORK", "pending")]


async def _no_reminder_jobs(scheduler: ReminderScheduler) -> bool:
    return await scheduler.jobs() == []
