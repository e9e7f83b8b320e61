"""Retention: one rule for when a ballot ended, and when its members' rows are erased.

A ballot has ended on the earlier of
- its closing date, once that day is over (the latest day it can mean: "2026-12" is over on
  1 January), and
- the day its status became closed, declared or cancelled, however that happened (an
  organiser's ``admin set``, ``result`` or ``cancel``, an import, a feed): the store records
  that day whenever it saves a ballot into one of those statuses, and forgets it when a
  ballot is reopened.

The opt-ins, "posted my paper" records and DMs of a ballot are erased by the first purge
``retention_days`` full days after the day it ended (``[reminders] retention_days``), and at
once when the ballot no longer exists. A ballot whose status says it is over but whose day
was never recorded (saved by an older release) is treated as long over: nothing is kept for
it. The purge runs daily at :data:`PURGE_AT` on the union's clock in the process that runs
the reminder scheduler, and whenever that process starts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Ballot, Status

ENDED = frozenset({Status.CLOSED, Status.DECLARED, Status.CANCELLED})
PURGE_AT = time(3, 30)
"""The daily purge, union time: a quiet hour, after the day's reminders."""


def has_ended_status(ballot: Ballot) -> bool:
    """The ballot's status (or its figures, without one) says it is over."""
    return ballot.effective_status in ENDED


def ended_on(ballot: Ballot, recorded: date | None, today: date) -> date | None:
    """The day ``ballot`` ended (see the module), or None while it may still run.

    ``recorded`` is the day the store saw its status become closed, declared or cancelled.
    """
    days = []
    if has_ended_status(ballot):
        days.append(recorded if recorded is not None else date.min)
    if ballot.closes is not None and ballot.closes.latest < today:
        days.append(ballot.closes.latest)
    return min(days) if days else None


def erased_on(ended: date, retention_days: int) -> date:
    """The first day whose purge erases the rows of a ballot that ended on ``ended``."""
    if ended == date.min:
        return ended
    return ended + timedelta(days=retention_days + 1)


def expired(ballot: Ballot | None, recorded: date | None, today: date, retention_days: int) -> bool:
    """Are this ballot's member rows due for erasure today?"""
    if ballot is None:
        return True
    ended = ended_on(ballot, recorded, today)
    return ended is not None and erased_on(ended, retention_days) <= today


def next_purge(now: datetime, zone: ZoneInfo) -> datetime:
    """The next daily purge after ``now``, in ``zone``."""
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), PURGE_AT, tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), PURGE_AT, tzinfo=zone)
    return moment
