"""A ballot's reminder plan: which reminders, due when, in the union's own clock.

Pure: dates in, times out. Times are computed in the union's time zone (daylight saving
included) and then kept in UTC; a reminder due inside quiet hours moves to their end. A date
the ballot does not give to the day gives no reminder: nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Ballot, Method

OPEN = "open"
POSTING = "posting"
REPLACEMENT = "replacement"


def close_stage(days: int) -> str:
    return f"close-{days}d"


@dataclass(frozen=True)
class PlanSettings:
    """The plan's knobs: the config's defaults with a ballot's own changes applied."""

    zone: ZoneInfo
    send_at: time
    quiet_start: time
    quiet_end: time
    on_open: bool = True
    days_before_close: tuple[int, ...] = (7, 3, 1)
    posting_days: int = 2
    replacement_deadline: date | None = None
    contact: str = ""


@dataclass(frozen=True)
class Planned:
    """One reminder of the plan."""

    stage: str
    due: datetime  # UTC
    local: datetime  # the same moment on the union's clock
    what: str

    @property
    def job_id(self) -> str:
        return self.stage


@dataclass(frozen=True)
class Plan:
    reminders: tuple[Planned, ...]
    unknown: tuple[str, ...]
    """What could not be planned, and why (a date the ballot does not give to the day)."""


def quiet(moment: time, start: time, end: time) -> bool:
    """Is this local time inside quiet hours (which may run past midnight)?"""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def out_of_quiet_hours(local: datetime, settings: PlanSettings) -> datetime:
    """The first moment at or after ``local`` outside quiet hours, on the union's clock."""
    if not quiet(local.time(), settings.quiet_start, settings.quiet_end):
        return local
    day = local.date()
    if settings.quiet_start > settings.quiet_end and local.time() >= settings.quiet_start:
        day += timedelta(days=1)  # quiet hours run past midnight: they end tomorrow
    return at(day, settings.quiet_end, settings.zone)


def before_quiet_hours(local: datetime, settings: PlanSettings) -> datetime:
    """The last minute before the quiet hours that ``local`` falls in began, on the union's
    clock (quiet hours running past midnight began the evening before, if ``local`` is in
    their morning part)."""
    began = at(local.date(), settings.quiet_start, settings.zone)
    if began > local:
        began = at(local.date() - timedelta(days=1), settings.quiet_start, settings.zone)
    return (began.astimezone(UTC) - timedelta(minutes=1)).astimezone(settings.zone)


def at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``clock`` on ``day`` in ``zone``. A time the clocks skip (spring forward) is read
    with the offset before the change, so it lands just after the gap, never before."""
    local = datetime.combine(day, clock, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone)


def working_days_before(day: date, count: int) -> date:
    """``count`` working days (Monday to Friday) before ``day``."""
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def plan_for(ballot: Ballot, settings: PlanSettings) -> Plan:
    """Every reminder the settings ask for that the ballot's known dates allow."""
    opens = ballot.opens.exact if ballot.opens else None
    closes = ballot.closes.exact if ballot.closes else None
    wanted: list[tuple[str, date, str]] = []
    unknown: list[str] = []
    if settings.on_open:
        if opens is None:
            unknown.append("the opening day is not known, so there is no reminder when it opens")
        else:
            wanted.append((OPEN, opens, "the ballot opens"))
    if closes is None:
        if settings.days_before_close:
            unknown.append("the closing day is not known, so there are no countdown reminders")
    else:
        for days in settings.days_before_close:
            left = "the last day" if days == 0 else f"{days} day{'s' * (days != 1)} left"
            wanted.append((close_stage(days), closes - timedelta(days=days), left))
        if ballot.method is Method.POSTAL and settings.posting_days:
            posting = working_days_before(closes, settings.posting_days)
            wanted.append((POSTING, posting, "the last safe day to post your paper"))
    if settings.replacement_deadline is not None:
        wanted.append(
            (REPLACEMENT, settings.replacement_deadline, "the last day to ask for a new paper")
        )
    by_day: dict[date, Planned] = {}
    for stage, day, what in wanted:
        if (opens and day < opens) or (closes and day > closes):
            continue  # before the ballot opens or after it closes: no use to anyone
        due = at(day, settings.send_at, settings.zone)
        local = out_of_quiet_hours(due, settings)
        if closes and local.date() > closes:
            # Waiting for the morning would be after the close: go before the quiet hours.
            local = before_quiet_hours(due, settings)
        if (closes and local.date() > closes) or (opens and local.date() < opens):
            unknown.append(
                f"{what} ({day:%a %d %B %Y}): dropped, because quiet hours "
                f"({settings.quiet_start:%H:%M}–{settings.quiet_end:%H:%M}) leave no time "
                "for it while the ballot is open"
            )
            continue  # never a reminder for a ballot that is over
        planned = Planned(stage, local.astimezone(UTC), local, what)
        other = by_day.get(local.date())
        if other is not None:
            # One reminder a day: the most pressing one, at the earlier of the two times (a
            # countdown pushed into the last day by quiet hours is still the last day's).
            if _priority(other.stage) >= _priority(stage):
                planned, other = other, planned
            if other.due < planned.due:
                planned = replace(planned, due=other.due, local=other.local)
        by_day[local.date()] = planned
    reminders = sorted(by_day.values(), key=lambda p: p.due)
    return Plan(tuple(reminders), tuple(unknown))


def _priority(stage: str) -> tuple[int, int]:
    """Which reminder wins a day it shares with another: deadlines over the countdown, and
    in the countdown the fewer days left the more pressing."""
    if stage.startswith("close-"):
        return 1, -int(stage.removeprefix("close-").removesuffix("d"))
    return {POSTING: 3, REPLACEMENT: 2, OPEN: 0}[stage], 0
