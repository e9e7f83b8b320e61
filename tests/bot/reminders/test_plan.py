"""A ballot's reminders land at the right local times, whatever the clocks do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain import Ballot, Kind, Method, PartialDate, Question
from bot.reminders.plan import PlanSettings, plan_for, working_days_before

LONDON = ZoneInfo("Europe/London")
DEFAULT = PlanSettings(zone=LONDON, send_at=time(9), quiet_start=time(21), quiet_end=time(8))


def ballot(opens: str | None, closes: str | None, method: Method | None = None) -> Ballot:
    return Ballot(
        id="leeds-1",
        unions=("Unison",),
        employer="Leeds City Council",
        questions=(Question("Strike?", Kind.STRIKE),),
        opens=PartialDate.parse(opens) if opens else None,
        closes=PartialDate.parse(closes) if closes else None,
        method=method,
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_reminders_across_the_october_clock_change_stay_at_nine_local() -> None:
    # Clocks go back on Sunday 25 October 2026: 09:00 is 08:00 UTC before, 09:00 UTC after.
    plan = plan_for(ballot("2026-10-12", "2026-10-27"), DEFAULT)

    assert [(p.stage, p.due) for p in plan.reminders] == [
        ("open", utc("2026-10-12 08:00")),
        ("close-7d", utc("2026-10-20 08:00")),
        ("close-3d", utc("2026-10-24 08:00")),
        ("close-1d", utc("2026-10-26 09:00")),
    ]
    assert all(p.local.hour == 9 for p in plan.reminders)


def test_reminders_across_the_march_clock_change_stay_at_nine_local() -> None:
    # Clocks go forward on Sunday 28 March 2027.
    plan = plan_for(ballot("2027-03-15", "2027-03-30"), DEFAULT)

    assert [p.due for p in plan.reminders][1:] == [
        utc("2027-03-23 09:00"),
        utc("2027-03-27 09:00"),
        utc("2027-03-29 08:00"),
    ]
    assert [p.local.tzname() for p in plan.reminders] == ["GMT", "GMT", "GMT", "BST"]


def test_a_time_the_clocks_skip_lands_just_after_the_gap() -> None:
    at_half_one = replace(DEFAULT, send_at=time(1, 30), quiet_start=time(23), quiet_end=time(1))
    plan = plan_for(ballot(None, "2027-03-29"), replace(at_half_one, days_before_close=(1,)))

    [reminder] = plan.reminders
    assert reminder.due == utc("2027-03-28 01:30")  # 01:30 GMT does not exist: 02:30 BST
    assert reminder.local.strftime("%H:%M %Z") == "02:30 BST"


def test_a_reminder_due_in_quiet_hours_waits_for_them_to_end() -> None:
    late = replace(DEFAULT, send_at=time(22, 30), days_before_close=(3,), on_open=False)

    [reminder] = plan_for(ballot(None, "2026-12-10"), late).reminders

    assert reminder.local == datetime(2026, 12, 8, 8, 0, tzinfo=LONDON)  # next morning


def test_postal_ballots_get_the_last_safe_posting_day_in_working_days() -> None:
    # Closes Monday 7 December 2026: two working days before is Thursday 3 December.
    plan = plan_for(ballot("2026-11-16", "2026-12-07", Method.POSTAL), DEFAULT)

    posting = next(p for p in plan.reminders if p.stage == "posting")
    assert posting.local.date() == date(2026, 12, 3)
    assert working_days_before(date(2026, 12, 7), 2) == date(2026, 12, 3)


def test_the_replacement_deadline_is_a_reminder_when_one_is_set() -> None:
    plan = plan_for(
        ballot("2026-11-16", "2026-12-07"),
        replace(DEFAULT, replacement_deadline=date(2026, 12, 1), days_before_close=()),
    )

    assert [p.stage for p in plan.reminders] == ["open", "replacement"]


def test_a_closing_date_known_only_to_the_month_plans_no_countdown() -> None:
    plan = plan_for(ballot(None, "2026-12"), DEFAULT)

    assert plan.reminders == ()
    assert any("closing day is not known" in line for line in plan.unknown)
    assert any("opening day is not known" in line for line in plan.unknown)


def test_no_reminder_before_the_ballot_opens_and_one_a_day_at_most() -> None:
    short = ballot("2026-12-05", "2026-12-08")

    stages = [p.stage for p in plan_for(short, DEFAULT).reminders]

    # 7 days before is before it opened; opening day is also 3 days before: the countdown wins.
    assert stages == ["close-3d", "close-1d"]
