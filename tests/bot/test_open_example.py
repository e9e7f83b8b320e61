"""`ballotbot demo --open-example`: one made-up ballot, open now, that says it is made up."""

from __future__ import annotations

from datetime import date, timedelta

from bot.demo import open_example_ballot
from bot.domain import Status
from tests.support.conversation import Conversation


def test_the_example_is_open_around_today_and_says_it_is_made_up() -> None:
    today = date(2027, 3, 10)
    example = open_example_ballot(today)
    assert example.opens is not None and example.opens.exact == today - timedelta(days=3)
    assert example.closes is not None and example.closes.exact == today + timedelta(days=10)
    assert example.status is Status.OPEN
    assert "made-up example" in example.employer
    assert example.notes is not None and "not a real ballot" in example.notes
    assert "Example" in example.questions[0].text
    assert not example.has_result and example.eligible is None  # no invented figures


async def test_a_new_user_can_try_reminders_on_it(chat: Conversation) -> None:
    await chat.app.store.save([open_example_ballot(date.today())])
    listed = await chat.say("/ballot open")
    assert any("made-up example" in line for line in listed.sections[0].lines)
    reminded = await chat.say("/ballot remind me example")
    assert reminded.ok and reminded.header == "I'll remind you by direct message"
    plan = await chat.say("/ballot admin reminders example")
    assert plan.ok and any("days left" in line for line in plan.sections[0].lines)
