"""When reminders are due: APScheduler 3 with its job store in the bot's own database.

One job per (ballot, stage), a date trigger at the planned moment (UTC, computed on the
union's clock). Jobs survive restarts in the job store; a job missed while the bot was down
runs late within ``grace_seconds`` or is skipped and logged. A job only queues outbox rows
(:meth:`ReminderService.fire`, idempotent), so running one twice sends nothing twice.

The job store never touches the event loop. APScheduler 3's ``SQLAlchemyJobStore`` is
synchronous: on the loop (``AsyncIOScheduler``), each of its writes blocked every member's
request, and on SQLite it could wait on the very write lock an async transaction held while
that transaction waited for the blocked loop: a freeze until the driver's timeout. So the
scheduler is a ``BackgroundScheduler`` (its own thread, which reads and writes the job store
on its own synchronous engine), the bot's calls into it (adding, moving, removing, listing
jobs) run on one worker thread of their own, and a due job only hands its coroutine back to
the loop with ``asyncio.run_coroutine_threadsafe`` and waits for it in APScheduler's pool.
The job store's table, pickled job references and misfire rules are APScheduler's, unchanged.

APScheduler 3 must not share a job store between processes: exactly one process runs it, the
holder of the "reminder scheduler" lock (:mod:`storage.leader_lock`).

Job functions are module-level and take only ids (the job store pickles a reference to the
function and its arguments); they reach the running service through :data:`RUNNING`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.privacy.retention import PURGE_AT
from bot.reminders.service import ReminderService
from storage.database import create_sync_engine

log = logging.getLogger(__name__)

JOB_PREFIX = "remind:"
SYNC_JOB = "reminders:sync"
PURGE_JOB = "reminders:purge"
RUNNING: dict[str, ReminderScheduler] = {}

JOB_TIMEOUT = 600.0
"""Seconds a job's thread waits for its work on the loop (a purge of a big union's rows)."""
RETRY_SECONDS = 10.0
"""After the job store failed (database unreachable, a job another process just removed)."""
PLAN_BATCH = 100
"""Ballots planned between two returns to the loop while syncing thousands of them."""

_T = TypeVar("_T")


def fire_reminder(ballot_id: str, stage: str) -> None:
    """A reminder is due (the job store keeps a reference to this function, and ids)."""
    scheduler = RUNNING["scheduler"]
    queued = scheduler.on_loop(scheduler.service.fire(ballot_id, stage))
    if queued is not None:
        channels, dms = queued
        log.info("reminder %s for %s: %d channel(s), %d member(s)", stage, ballot_id, channels, dms)


def sync_plans() -> None:
    scheduler = RUNNING["scheduler"]
    scheduler.on_loop(scheduler.sync())


def purge_members() -> None:
    scheduler = RUNNING["scheduler"]
    gone = scheduler.on_loop(scheduler.service.purge())
    if gone is not None and gone.total:
        log.info("retention: erased %s", gone)


def job_id(ballot_id: str, stage: str) -> str:
    return f"{JOB_PREFIX}{ballot_id}:{stage}"


class _Scheduler(BackgroundScheduler):
    """APScheduler's background thread, kept alive when the job store fails mid-round.

    ``BackgroundScheduler`` lets an error from the job store's update or removal of a due job
    end its thread, and with it every reminder, silently. Here the round is logged and tried
    again a little later: the job store is the database, which comes back.
    """

    def _process_jobs(self) -> float | None:
        try:
            wait: float | None = super()._process_jobs()  # seconds to the next job (untyped)
            return wait
        except Exception:
            log.exception("the reminder job store failed; trying again in %gs", RETRY_SECONDS)
            return RETRY_SECONDS


class ReminderScheduler:
    """The scheduler of one process: plans every running ballot, fires, purges."""

    def __init__(self, service: ReminderService, database_url: str) -> None:
        self.service = service
        settings = service.settings.reminders
        self.engine = create_sync_engine(database_url)
        self.scheduler = _Scheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            # Each running job only waits for its coroutine on the loop.
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={
                "misfire_grace_time": max(1, int(settings.grace_seconds)),
                "coalesce": True,
                "max_instances": 1,
            },
            timezone=service.zone,
            daemon=True,
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        # The bot's own calls into the job store, one at a time, never on the loop.
        self._store = concurrent.futures.ThreadPoolExecutor(1, "reminder-job-store")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handed: set[concurrent.futures.Future[Any]] = set()
        self._stopping = False
        self._handing = threading.Lock()  # stopping vs a job thread handing work over

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        RUNNING["scheduler"] = self
        await self._off_loop(self._start)
        await self._purge_at_start()
        await self.sync()

    def _start(self) -> None:
        self.scheduler.start()
        seconds = self.service.settings.reminders.sync_seconds
        self.scheduler.add_job(
            sync_plans, "interval", seconds=seconds, id=SYNC_JOB, replace_existing=True
        )
        purge_at = {"hour": PURGE_AT.hour, "minute": PURGE_AT.minute}
        self.scheduler.add_job(
            purge_members, "cron", **purge_at, id=PURGE_JOB, replace_existing=True
        )

    async def _purge_at_start(self) -> None:
        try:  # retention also at start: a purge missed while the bot was down is not lost
            gone = await self.service.purge()
            if gone.total:
                log.info("retention: erased %s", gone)
        except Exception:  # never a reason not to send reminders; the daily purge retries
            log.exception("the retention purge at start failed")

    async def stop(self, grace: float = 5.0) -> None:
        """Let a job in progress finish (for ``grace`` seconds), then stop the thread."""
        with self._handing:
            self._stopping = True  # from now on, no job hands new work to the loop
        if self._handed:
            running = [asyncio.wrap_future(handed) for handed in list(self._handed)]
            done, _ = await asyncio.wait(running, timeout=grace)
            for finished in done:  # its thread logs how it ended
                finished.cancelled() or finished.exception()
        for handed in list(self._handed):  # what is left is cancelled: its thread lets go
            handed.cancel()
        if self.scheduler.running:
            await self._off_loop(self.scheduler.shutdown, False)
        if RUNNING.get("scheduler") is self:
            del RUNNING["scheduler"]
        await self._off_loop(self.engine.dispose)
        self._store.shutdown(wait=False)

    async def sync(self) -> int:
        """Give every running ballot a job per planned reminder; drop jobs no longer planned.

        A reminder due within the grace period is (re)scheduled too: if it already went,
        firing it again queues nothing, and if it was never scheduled (the ballot was added
        late, or the plan changed) it still goes. Returns how many jobs were added or moved.
        The plans are worked out on the loop (async reads); the job store is written on the
        job-store thread.
        """
        now = self.service.clock()
        grace = timedelta(seconds=self.service.settings.reminders.grace_seconds)
        today = now.astimezone(self.service.zone).date()
        wanted: dict[str, tuple[datetime, str, str]] = {}
        ballots = await self.service.ballots.upcoming_ballots(today)
        for n, ballot in enumerate(ballots, 1):
            plan, _ = await self.service.plan(ballot)
            for planned in plan.reminders:
                if planned.due > now - grace:
                    wanted[job_id(ballot.id, planned.stage)] = (
                        planned.due,
                        ballot.id,
                        planned.stage,
                    )
            if n % PLAN_BATCH == 0:
                await asyncio.sleep(0)  # thousands of ballots: let members in between
        return await self._off_loop(self._apply, wanted, now)

    def _apply(self, wanted: dict[str, tuple[datetime, str, str]], now: datetime) -> int:
        """On the job-store thread: add or move the wanted jobs, drop the others."""
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

    async def jobs(self) -> list[tuple[str, datetime | None]]:
        """The reminder jobs waiting, and when (UTC): what ``admin reminders`` could show."""

        def listed() -> list[tuple[str, datetime | None]]:
            return [
                (job.id, job.next_run_time.astimezone(UTC) if job.next_run_time else None)
                for job in self.scheduler.get_jobs()
                if job.id.startswith(JOB_PREFIX)
            ]

        return await self._off_loop(listed)

    def on_loop(self, work: Coroutine[Any, Any, _T]) -> _T | None:
        """From one of APScheduler's threads: run ``work`` on the bot's loop, wait for it.
        None when the scheduler stopped first (the work was cancelled, nothing half-done:
        each piece of work is one transaction, and idempotent)."""
        with self._handing:
            if self._stopping or self._loop is None or self._loop.is_closed():
                work.close()
                log.info("reminder work not started: the scheduler is stopping")
                return None
            handed = asyncio.run_coroutine_threadsafe(work, self._loop)
            self._handed.add(handed)
        try:
            return handed.result(JOB_TIMEOUT)
        except concurrent.futures.CancelledError:
            log.info("reminder work stopped with the scheduler; it runs again at the next start")
            return None
        finally:
            self._handed.discard(handed)

    async def _off_loop(self, call: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._store, call, *args)

    def _missed(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "reminder job %s was due at %s, more than the grace period ago: skipped",
                event.job_id,
                event.scheduled_run_time,
            )
        else:
            log.error("reminder job %s failed", event.job_id, exc_info=event.exception)
