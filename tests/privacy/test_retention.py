"""Retention: every way a ballot can end starts the same clock, and its members' rows go
``retention_days`` (30) after the day it ended, whoever ends it and however."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.announce.model import Announce
from bot.domain import Ballot, Kind, PartialDate, Question, Status
from bot.imports.files import import_announcing
from bot.privacy.retention import ended_on, erased_on, expired, next_purge
from storage.reminder_scheduler import ReminderScheduler
from tests.bot.reminders.conftest import LONDON, Branch
from tests.privacy.conftest import AMINA, BEN

YORK = (
    '/ballot admin add id=york-2026 employer="York Council" unions=GMB '
    'question="Strike over pay?" kind=strike status=open'
)  # no closing date: only its status can say it is over


async def members_of_york(branch: Branch) -> None:
    await branch.organiser(YORK)
    assert (await branch.say("/ballot remind me #york-2026", user=AMINA)).ok
    assert (await branch.say("/ballot voted #york-2026", user=BEN)).ok


async def york_rows(branch: Branch) -> int:
    inventory = await branch.app.reminders.store.inventory()
    return inventory.opt_ins + inventory.confirmations


async def end_by_import(branch: Branch, tmp_path: Path) -> None:
    csv = tmp_path / "york.csv"
    csv.write_text(
        "id,employer,unions,question,kind,status\n"
        'york-2026,York Council,GMB,"Strike over pay?",strike,closed\n'
    )
    await import_announcing(branch.app.declarations, csv, "console:secretary")


async def end_by_feed(branch: Branch, _tmp_path: Path) -> None:
    """What a results feed does with a declared result (FeedWatcher, ``declare``)."""
    york = await branch.app.store.get("york-2026")
    assert york is not None
    await branch.app.declarations.declare(
        [replace(york, status=Status.DECLARED)],
        "feed:https://x.example/r.csv",
        "feed",
        Announce.NEW_RESULTS,
    )


ENDINGS = {
    "admin set status=closed": "/ballot admin set york-2026 status=closed",
    "admin cancel": "/ballot admin cancel york-2026",
    "admin result": "/ballot admin result york-2026 for=120 against=30",
    "admin set status=declared": "/ballot admin set york-2026 status=declared",
}


@pytest.mark.parametrize("ending", [*ENDINGS, "import", "feed"])
async def test_however_a_ballot_without_a_closing_date_ends_its_rows_go_thirty_days_later(
    branch: Branch, tmp_path: Path, ending: str
) -> None:
    await members_of_york(branch)
    branch.at("2026-11-25 14:00")  # the day it ends
    if ending == "import":
        await end_by_import(branch, tmp_path)
    elif ending == "feed":
        await end_by_feed(branch, tmp_path)
    else:
        await branch.organiser(ENDINGS[ending])

    branch.at("2026-12-25 12:00")  # 30 days after: kept
    assert (await branch.app.reminders.purge()).total == 0
    assert await york_rows(branch) == 2
    branch.at("2026-12-26 03:30")  # the first purge after the 30 days
    gone = await branch.app.reminders.purge()

    assert (gone.opt_ins, gone.confirmations) == (1, 1)
    assert await york_rows(branch) == 0


async def test_a_ballot_that_reopens_keeps_its_members_and_restarts_the_clock(
    branch: Branch,
) -> None:
    await members_of_york(branch)
    await branch.organiser("/ballot admin set york-2026 status=closed")  # by mistake
    branch.at("2026-11-26 09:00")
    await branch.organiser("/ballot admin set york-2026 status=open")

    branch.at("2027-06-01 12:00")  # still open, however long
    assert (await branch.app.reminders.purge()).total == 0

    await branch.organiser("/ballot admin set york-2026 status=closed")
    branch.at("2027-07-01 12:00")
    assert (await branch.app.reminders.purge()).total == 0
    branch.at("2027-07-02 12:00")
    assert (await branch.app.reminders.purge()).total == 2


async def test_the_day_a_ballot_ended_is_kept_when_it_is_declared_later(branch: Branch) -> None:
    await members_of_york(branch)
    await branch.organiser("/ballot admin set york-2026 status=closed")  # 24 November
    branch.at("2026-12-10 10:00")
    await branch.organiser("/ballot admin result york-2026 for=120 against=30")

    branch.at("2026-12-25 12:00")  # 31 days after it closed, 15 after the declaration
    assert (await branch.app.reminders.purge()).opt_ins == 1


async def test_a_closing_date_that_passes_ends_the_ballot_with_no_one_touching_it(
    branch: Branch,
) -> None:
    """Leeds closes on 10 December and nobody changes its status."""
    await branch.say("/ballot remind me leeds", user=AMINA)

    branch.at("2027-01-09 12:00")
    assert (await branch.app.reminders.purge()).total == 0
    branch.at("2027-01-10 03:30")
    assert (await branch.app.reminders.purge()).opt_ins == 1


async def test_the_scheduler_purges_when_it_starts(branch: Branch) -> None:
    """A purge missed while the bot was down (it only ran at 03:30) is not lost."""
    await members_of_york(branch)
    await branch.organiser("/ballot admin cancel york-2026")
    branch.at("2027-02-01 12:00")

    scheduler = ReminderScheduler(branch.app.reminders, branch.app.settings.database.url)
    await scheduler.start()
    try:
        assert await york_rows(branch) == 0
        assert {job.id for job in scheduler.scheduler.get_jobs()} >= {"reminders:purge"}
    finally:
        await scheduler.stop()


def test_the_rule_counts_from_the_earlier_of_the_close_and_the_recorded_end() -> None:
    question = (Question("Strike?", Kind.STRIKE),)
    today = date(2027, 1, 20)
    closed_early = Ballot(
        "a", ("GMB",), "A", question, status=Status.CLOSED, closes=PartialDate.parse("2027-01")
    )
    assert ended_on(closed_early, date(2026, 12, 1), today) == date(2026, 12, 1)
    declared_late = Ballot(
        "b", ("GMB",), "B", question, status=Status.DECLARED, closes=PartialDate.parse("2026-12-10")
    )
    assert ended_on(declared_late, date(2026, 12, 20), today) == date(2026, 12, 10)
    running = Ballot("c", ("GMB",), "C", question, status=Status.OPEN)
    assert ended_on(running, None, today) is None
    assert not expired(running, None, today, 0)
    assert erased_on(date(2026, 12, 10), 30) == date(2027, 1, 10)
    assert expired(None, None, today, 30)  # a ballot that no longer exists keeps nothing
    # Over by its status, day never recorded (an older release saved it): nothing is kept.
    assert expired(Ballot("d", ("GMB",), "D", question, status=Status.CANCELLED), None, today, 30)


def test_the_next_purge_is_the_next_half_past_three_on_the_unions_clock() -> None:
    before = datetime(2026, 3, 29, 1, 0, tzinfo=LONDON)  # the night the clocks go forward
    assert next_purge(before, LONDON) == datetime(2026, 3, 29, 3, 30, tzinfo=LONDON)
    after = datetime(2026, 3, 29, 3, 30, tzinfo=LONDON)
    assert next_purge(after, LONDON) == datetime(2026, 3, 30, 3, 30, tzinfo=LONDON)
