"""When reminders are due: APScheduler 3 with its job store in the bot's own database.

One job per (ballot, stage), a date trigger at the planned moment (UTC, computed on the
union's clock). Jobs survive restarts in the job store; a job missed while the bot was down
runs late within ``grace_seconds`` or is skipped and logged. A job only queues outbox rows
(:meth:`ReminderService.fire`, idempotent), so running one twice sends nothing twice.

APScheduler 3 must not share a job store between processes: exactly one process runs it, the
holder of the "reminder scheduler" lock (:mod:`storage.leader_lock`).

Job functions are module-level and take only ids (the job store pickles a reference to the
function and its arguments); they reach the running service through :data:`RUNNING`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import make_url

from bot.privacy.retention import PURGE_AT
from bot.reminders.service import ReminderService
from storage.database import create_sync_engine

log = logging.getLogger(__name__)

JOB_PREFIX = "remind:"
SYNC_JOB = "reminders:sync"
PURGE_JOB = "reminders:purge"
RUNNING: dict[str, ReminderScheduler] = {}


async def fire_reminder(ballot_id: str, stage: str) -> None:
    """A reminder is due (the job store keeps a reference to this function, and ids)."""
    channels, dms = await RUNNING["scheduler"].service.fire(ballot_id, stage)
    log.info("reminder %s for %s: %d channel(s), %d member(s)", stage, ballot_id, channels, dms)


async def sync_plans() -> None:
    await RUNNING["scheduler"].sync()


async def purge_members() -> None:
    gone = await RUNNING["scheduler"].service.purge()
    if gone.total:
        log.info("retention: erased %s", gone)


def sync_url(url: str) -> str:
    """The bot's async database URL, with the synchronous driver APScheduler 3 needs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = "sqlite" if backend == "sqlite" else "postgresql+psycopg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def job_id(ballot_id: str, stage: str) -> str:
    return f"{JOB_PREFIX}{ballot_id}:{stage}"


class ReminderScheduler:
    """The scheduler of one process: plans every running ballot, fires, purges."""

    def __init__(self, service: ReminderService, database_url: str) -> None:
        self.service = service
        settings = service.settings.reminders
        options: dict[str, Any] = {}
        if make_url(database_url).get_backend_name() == "sqlite":
            options["connect_args"] = {"timeout": 30}
        self.engine = create_sync_engine(sync_url(database_url), **options)
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            job_defaults={
                "misfire_grace_time": max(1, int(settings.grace_seconds)),
                "coalesce": True,
                "max_instances": 1,
            },
            timezone=service.zone,
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_ERROR)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def start(self) -> None:
        RUNNING["scheduler"] = self
        self.scheduler.start()
        seconds = self.service.settings.reminders.sync_seconds
        self.scheduler.add_job(
            sync_plans, "interval", seconds=seconds, id=SYNC_JOB, replace_existing=True
        )
        purge_at = {"hour": PURGE_AT.hour, "minute": PURGE_AT.minute}
        self.scheduler.add_job(
            purge_members, "cron", **purge_at, id=PURGE_JOB, replace_existing=True
        )
        try:  # retention also at start: a purge missed while the bot was down is not lost
            await purge_members()
        except Exception:  # never a reason not to send reminders; the daily purge retries
            log.exception("the retention purge at start failed")
        await self.sync()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # the shutdown runs on the loop
        if RUNNING.get("scheduler") is self:
            del RUNNING["scheduler"]
        self.engine.dispose()

    async def sync(self) -> int:
        """Give every running ballot a job per planned reminder; drop jobs no longer planned.

        A reminder due within the grace period is (re)scheduled too: if it already went,
        firing it again queues nothing, and if it was never scheduled (the ballot was added
        late, or the plan changed) it still goes. Returns how many jobs were added or moved.
        """
        now = self.service.clock()
        grace = timedelta(seconds=self.service.settings.reminders.grace_seconds)
        today = now.astimezone(self.service.zone).date()
        wanted: dict[str, tuple[datetime, str, str]] = {}
        for ballot in await self.service.ballots.upcoming_ballots(today):
            plan, _ = await self.service.plan(ballot)
            for planned in plan.reminders:
                if planned.due > now - grace:
                    wanted[job_id(ballot.id, planned.stage)] = (
                        planned.due,
                        ballot.id,
                        planned.stage,
                    )
        existing = {
            job.id: job for job in self.scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)
        }
        changed = 0
        for key, (due, ballot_id, stage) in wanted.items():
            job = existing.get(key)
            if job is not None and job.next_run_time == due:
                continue
            self.scheduler.add_job(
                fire_reminder,
                "date",
                run_date=due,
                args=[ballot_id, stage],
                id=key,
                replace_existing=True,
            )
            changed += 1
        for key in existing.keys() - wanted.keys():
            job = existing[key]
            if job.next_run_time is not None and job.next_run_time <= now:
                continue  # already due: APScheduler runs it late or reports it missed
            with contextlib.suppress(Exception):
                self.scheduler.remove_job(key)
        return changed

    def jobs(self) -> list[tuple[str, datetime | None]]:
        """The reminder jobs waiting, and when (UTC): what ``admin reminders`` could show."""
        return [
            (job.id, job.next_run_time.astimezone(UTC) if job.next_run_time else None)
            for job in self.scheduler.get_jobs()
            if job.id.startswith(JOB_PREFIX)
        ]

    def _missed(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "reminder job %s was due at %s, more than the grace period ago: skipped",
                event.job_id,
                event.scheduled_run_time,
            )
        else:
            log.error("reminder job %s failed", event.job_id, exc_info=event.exception)
