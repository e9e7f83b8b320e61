"""Reminders carry the organisers' turnout so far as what it is: a running figure, with when
it was reported, against the threshold of the ballot's rules; never as a result."""

from __future__ import annotations

from tests.bot.announce.conftest import FakePlatform
from tests.bot.reminders.conftest import Branch


async def test_a_reminder_shows_turnout_so_far_with_when_it_was_reported(branch: Branch) -> None:
    await branch.say("/ballot remind me leeds")
    branch.at("2026-11-30 10:00")  # London is on UTC in winter
    await branch.organiser("/ballot admin turnout leeds-2026 31.5")

    branch.at("2026-12-03 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (1, 1)
    slack = FakePlatform("slack")
    await branch.deliver(slack)

    [(_, to_member)] = slack.channels["dm-U0AMINA"]
    [(_, to_channel)] = slack.channels["C0LEEDS"]
    so_far = "31.5% (reported by organisers on 30 November 2026 at 10:00 UTC)"
    assert f"Turnout so far (reported): {so_far} against the 50% threshold" in (
        to_member.plain_text()
    )
    assert to_channel.image is not None
    assert f"turnout so far {so_far}; " in to_channel.image.alt_text


async def test_no_reminder_about_a_ballot_once_its_result_is_declared(branch: Branch) -> None:
    await branch.say("/ballot remind me leeds")
    await branch.organiser("/ballot admin turnout leeds-2026 31.5")
    await branch.organiser("/ballot admin result leeds-2026 for=150 against=60")

    branch.at("2026-12-03 09:00")
    assert await branch.app.reminders.fire("leeds-2026", "close-7d") == (0, 0)
