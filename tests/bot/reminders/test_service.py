"""Members ask for reminders, get them once, stop them, and can be forgotten completely."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.conversation import Conversation
from tests.support.platforms import FakePlatform

PERSONAL = {
    "reminder_optins": "user_id",
    "papers_posted": "user_id",
    "outbox": "channel_id",
}


async def rows_about(branch: Conversation, user: str) -> dict[str, int]:
    found = {}
    async with branch.app.engine.connect() as connection:
        for table, column in PERSONAL.items():
            query = text(f"SELECT count(*) FROM {table} WHERE {column} = :user")
            found[table] = int(await connection.scalar(query, {"user": user}) or 0)
    return found


async def test_a_due_reminder_reaches_the_channel_and_the_member_who_asked_once(
    branch: Conversation,
) -> None:
    assert (await branch.say("/ballot remind me leeds")).header == (
        "I'll remind you by direct message"
    )
    branch.at("2026-12-03 09:00")

    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (1, 1)
    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (0, 0)  # never twice
    slack = FakePlatform("slack")
    assert await branch.deliver(slack) == 2

    [(_, to_channel)] = slack.channels["C0LEEDS"]
    [(_, to_member)] = slack.channels["dm-U0AMINA"]
    assert to_channel.header == "Ballot reminder — 7 days left: Leeds City Council — Unison"
    card = to_member.plain_text()
    assert "10 December 2026 (7 days left)" in card
    assert "Post your paper by: Tuesday 08 December 2026" in card
    assert "Call the branch office" in card
    assert "not known: the organisers have not reported one yet" in card
    assert [b.command for b in to_member.buttons] == [
        "/ballot voted #leeds-2026",
        "/ballot replacement #leeds-2026",
    ]
    assert [b.command for b in to_channel.buttons] == ["/ballot remind me #leeds-2026"]


async def test_posted_my_paper_stops_the_dms_and_counts_in_the_estimate(
    branch: Conversation,
) -> None:
    await branch.say("/ballot remind me leeds")
    await branch.say("/ballot remind me leeds", user="U0BEN")
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")

    thanks = await branch.say("/ballot voted #leeds-2026")  # the DM's button
    assert thanks.header == "Thank you for voting" and "never how you voted" in thanks.text

    slack = FakePlatform("slack")
    await branch.deliver(slack)
    assert "dm-U0AMINA" not in slack.channels  # the waiting DM was dropped
    [(_, to_ben)] = slack.channels["dm-U0BEN"]
    assert "1 of 400 members (0.3%)" in to_ben.plain_text()  # 0.25%, half up

    branch.at("2026-12-07 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-3d") == (1, 1)  # Ben only


async def test_remind_stop_stops_them(branch: Conversation) -> None:
    await branch.say("/ballot remind me")
    assert (await branch.say("/ballot remind stop")).header.startswith("Stopped")

    branch.at("2026-12-03 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (1, 0)


async def test_remind_stop_also_drops_the_dm_already_waiting_to_go(branch: Conversation) -> None:
    await branch.say("/ballot remind me leeds")
    await branch.say("/ballot remind me leeds", user="U0BEN")
    branch.at("2026-12-03 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (1, 2)  # queued

    assert (await branch.say("/ballot remind stop leeds")).header.startswith("Stopped")

    slack = FakePlatform("slack")
    await branch.deliver(slack)
    assert "dm-U0AMINA" not in slack.channels  # stopped before the queued DM went out
    assert "dm-U0BEN" in slack.channels  # another member's reminder is untouched


async def test_at_most_one_dm_per_member_per_ballot_per_day(branch: Conversation) -> None:
    await branch.say("/ballot remind me leeds")
    await branch.organiser("/ballot admin reminders leeds-2026 days=7,6,5")
    branch.at("2026-12-04 08:30")  # the bot was down: yesterday's reminder goes out late

    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (1, 1)
    branch.at("2026-12-04 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-6d") == (1, 0)  # same day
    branch.at("2026-12-05 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-5d") == (1, 1)


async def test_a_reminder_due_in_quiet_hours_goes_out_when_they_end(branch: Conversation) -> None:
    await branch.say("/ballot remind me leeds")
    branch.at("2026-12-03 23:30")  # the bot was down all day and came back late at night
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    slack = FakePlatform("slack")

    assert await branch.deliver(slack) == 0
    branch.at("2026-12-04 07:59")
    assert await branch.deliver(slack) == 0
    branch.at("2026-12-04 08:00")
    assert await branch.deliver(slack) == 2


async def test_forget_me_leaves_no_row_about_the_member(branch: Conversation) -> None:
    await branch.say("/ballot remind me leeds")
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    await branch.deliver(FakePlatform("slack"))
    await branch.say("/ballot voted leeds")
    assert sum((await rows_about(branch, "U0AMINA")).values()) == 3

    reply = await branch.say("/ballot forget me")

    assert reply.header == "Everything about you is erased"
    assert "1 reminder opt-in(s), 1 “posted my paper” record(s) and 1 message(s)" in reply.text
    assert await rows_about(branch, "U0AMINA") == dict.fromkeys(PERSONAL, 0)


async def test_members_rows_are_deleted_thirty_days_after_the_close(branch: Conversation) -> None:
    await branch.say("/ballot remind me leeds")
    await branch.say("/ballot voted leeds", user="U0BEN")

    branch.at("2027-01-08 12:00")  # 29 days after the close
    assert (await branch.app.reminders.purge()).total == 0
    branch.at("2027-01-10 12:00")  # 31 days after
    gone = await branch.app.reminders.purge()

    assert (gone.opt_ins, gone.confirmations) == (1, 1)
    assert await rows_about(branch, "U0AMINA") == dict.fromkeys(PERSONAL, 0)
    assert await rows_about(branch, "U0BEN") == dict.fromkeys(PERSONAL, 0)


async def test_organisers_see_and_change_the_plan_in_local_time(branch: Conversation) -> None:
    shown = await branch.organiser("/ballot admin reminders leeds-2026")
    lines = shown.sections[0].lines
    assert lines[0] == "Mon 23 November 2026 09:00 GMT — the ballot opens (past)"
    assert lines[-1] == "Wed 09 December 2026 09:00 GMT — 1 day left"

    changed = await branch.organiser(
        "/ballot admin reminders leeds-2026 days=5 open=no replacement=2026-12-01 "
        'contact="Email ballots@leeds-unison.example"'
    )

    assert [line.split(" — ")[1] for line in changed.sections[0].lines] == [
        "the last day to ask for a new paper",
        "5 days left",
        "the last safe day to post your paper",
    ]
    help_ = await branch.say("/ballot replacement leeds")
    assert "Email ballots@leeds-unison.example" in help_.plain_text()
    assert "Tuesday 01 December 2026" in help_.plain_text()


async def test_members_cannot_change_the_plan_and_bad_values_change_nothing(
    branch: Conversation,
) -> None:
    refused = await branch.say("/ballot admin reminders leeds-2026 days=1")
    bad = await branch.say("/ballot admin reminders leeds-2026 days=-4", user="U0ORGANISER")

    assert refused.header == "Only organisers can do that"
    assert not bad.ok and "nothing was changed" in bad.text
    plan = await branch.organiser("/ballot admin reminders leeds-2026")
    assert len(plan.sections[0].lines) == 5  # open, 7, 3, posting, 1: the defaults


async def test_nothing_to_remind_about_is_said_plainly(branch: Conversation) -> None:
    branch.at("2026-12-20 10:00")  # after the close

    reply = await branch.say("/ballot remind me leeds")

    assert not reply.ok and "No ballot is open or coming up" in reply.header
    assert await rows_about(branch, "U0AMINA") == dict.fromkeys(PERSONAL, 0)


async def test_the_thermometer_counts_members_who_said_they_posted(branch: Conversation) -> None:
    await branch.say("/ballot voted leeds")
    await branch.say("/ballot voted leeds", user="U0BEN")

    reply = await branch.say("/ballot leeds chart")

    assert reply.image is not None
    assert "2 members confirmed posting (an estimate)" in reply.image.alt_text


async def test_a_channel_reminder_carries_the_thermometer(branch: Conversation) -> None:
    branch.at("2026-12-03 09:00")
    await branch.app.reminders.fire("leeds-2026", "close-7d")
    slack = FakePlatform("slack")

    await branch.deliver(slack)

    [(_, reminder)] = slack.channels["C0LEEDS"]
    assert reminder.image is not None and "days left" in reminder.image.alt_text


async def test_voted_means_the_running_ballot_when_older_ones_share_its_words(
    branch: Conversation,
) -> None:
    await branch.organiser(
        '/ballot admin add id=leeds-college-2019 employer="Leeds College of Building" '
        'unions=Unison question="Strike?" kind=strike closes=2019-03-01 status=declared'
    )

    reply = await branch.say("/ballot voted leeds")

    assert reply.header == "Thank you for voting"
    assert "Leeds City Council" in reply.text
