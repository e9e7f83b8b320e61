"""Organisers name ballots the way members do: an id, or a search that leads to one ballot.

A search that leads to several ballots shows them with their ids and changes nothing.
"""

from __future__ import annotations

import pytest

from bot.commands import split_target
from bot.domain import Ballot, Kind, PartialDate, Question, Result, Status
from tests.bot.conftest import Chat

BARCHESTER = Ballot(
    "barchester-2026",
    ("Unison",),
    "Barchester Hospital",
    (Question("Strike over staffing?", Kind.STRIKE),),
    opens=PartialDate(2026, 11, 23),
    closes=PartialDate(2026, 12, 10),
    eligible=900,
    status=Status.OPEN,
)
WAKEFIELD_OLD = Ballot(
    "wakefield-2024",
    ("GMB",),
    "Wakefield College",
    (Question("Strike over pay?", Kind.STRIKE, Result(300, 100, 0)),),
    closes=PartialDate(2024, 3, 1),
    eligible=800,
    status=Status.DECLARED,
)
WAKEFIELD_NEW = Ballot(
    "wakefield-2026",
    ("GMB",),
    "Wakefield College",
    (Question("Strike over pay again?", Kind.STRIKE),),
    closes=PartialDate(2026, 12, 1),
    status=Status.OPEN,
)


@pytest.fixture
async def organiser(chat: Chat) -> Chat:
    """The local console user, an organiser, beside the demo ballots and three more."""
    await chat.app.store.save([BARCHESTER, WAKEFIELD_OLD, WAKEFIELD_NEW])
    return chat


async def test_a_search_that_leads_to_one_ballot_is_used(organiser: Chat) -> None:
    plan = await organiser.say("/ballot admin reminders barchester")
    assert plan.ok, plan.plain_text()
    assert plan.header == "Reminder plan: Barchester Hospital — Unison"


async def test_every_admin_verb_takes_a_search(organiser: Chat) -> None:
    said = organiser.say
    assert (await said("/ballot admin turnout barchester 12.5")).ok
    assert (await said("/ballot admin set barchester hospital method=postal")).ok
    assert (await said("/ballot admin reminders barchester days=1,0")).ok
    preview = await said('/ballot admin preview "barchester hospital"')
    assert preview.header.startswith("Preview (not sent)")
    result = await said("/ballot admin result barchster for=500 against=100")
    assert result.ok and result.header == "Declared: Barchester Hospital — Unison"
    corrected = await said("/ballot admin correct barchester for=510 against=90")
    assert corrected.ok
    assert (await said("/ballot admin announce barchester")).ok
    audit = await said("/ballot admin audit barchester")
    assert audit.header == "Audit log: Barchester Hospital — Unison"
    assert "votes_for: 500 → 510; votes_against: 100 → 90" in audit.plain_text()
    assert (await said("/ballot admin deliveries barchester")).ok
    assert (await said("/ballot admin cancel barchester")).ok
    ballot = await organiser.app.store.get("barchester-2026")
    assert ballot is not None and ballot.status is Status.CANCELLED
    assert ballot.method is not None and ballot.method.value == "postal"


@pytest.mark.parametrize(
    "command",
    [
        "admin reminders wakefield days=1",
        "admin cancel wakefield",
        "admin result wakefield for=1 against=2",
        "admin set wakefield status=closed",
        "admin turnout wakefield 40",
    ],
)
async def test_a_search_with_several_ballots_shows_them_and_changes_nothing(
    organiser: Chat, command: str
) -> None:
    ids = ["wakefield-2024", "wakefield-2026"]
    before = await organiser.app.store.get_many(ids)
    changes = await organiser.app.reminders.store.plan_changes("wakefield-2026")
    reply = await organiser.say(f"/ballot {command}")
    assert reply.kind == "choices"
    assert reply.header == "2 ballots match “wakefield”: which one?"
    assert "Nothing was changed" in reply.text
    lines = reply.sections[0].lines
    assert lines[0].startswith("wakefield-2026 — Wakefield College — GMB")
    assert lines[1].startswith("wakefield-2024 — Wakefield College — GMB")
    assert await organiser.app.store.get_many(ids) == before
    assert await organiser.app.reminders.store.plan_changes("wakefield-2026") == changes


async def test_names_of_different_ballots_are_offered_with_their_ids(organiser: Chat) -> None:
    college = Ballot(
        "leeds-college-2026",
        ("UCU",),
        "Leeds College",
        (Question("Strike?", Kind.STRIKE),),
        closes=PartialDate(2026, 12, 3),
    )
    council = Ballot(
        "leeds-council-2026",
        ("Unison",),
        "Leeds Council",
        (Question("Strike?", Kind.STRIKE),),
        closes=PartialDate(2026, 12, 4),
    )
    await organiser.app.store.save([college, council])
    assert (await organiser.say("/ballot leeds")).kind == "choices"  # as a member sees it
    reply = await organiser.say("/ballot admin cancel leeds")
    assert reply.kind == "choices"
    assert "Nothing was changed" in reply.text
    assert sorted(reply.data["choices"]) == ["leeds-college-2026", "leeds-council-2026"]
    for ballot_id in ("leeds-college-2026", "leeds-council-2026"):
        stored = await organiser.app.store.get(ballot_id)
        assert stored is not None and stored.status is not Status.CANCELLED


async def test_ids_keep_working_with_or_without_a_hash(organiser: Chat) -> None:
    for named in ("wakefield-2024", "#wakefield-2024"):
        audit = await organiser.say(f"/ballot admin audit {named}")
        assert audit.ok and audit.header == "Audit log: Wakefield College — GMB"


async def test_a_search_that_finds_nothing_says_so_and_changes_nothing(organiser: Chat) -> None:
    reply = await organiser.say("/ballot admin cancel zzqqxx")
    assert not reply.ok
    assert reply.header == "No ballot found for “zzqqxx”"
    assert "Nothing was changed" in reply.text
    missing = await organiser.say("/ballot admin cancel #zzqqxx")
    assert not missing.ok and "no ballot with id 'zzqqxx'" in missing.text


async def test_members_are_still_refused_before_any_search(organiser: Chat) -> None:
    reply = await organiser.say("/ballot admin cancel barchester", user="member")
    assert not reply.ok and reply.header == "Only organisers can do that"


@pytest.mark.parametrize(
    ("verb", "words", "named", "options"),
    [
        ("audit", ["kirklees", "council"], "kirklees council", []),
        ("result", ["kirklees", "for=1", "against=2"], "kirklees", ["for=1", "against=2"]),
        ("turnout", ["kirklees", "council", "34.5"], "kirklees council", ["34.5"]),
        ("turnout", ["kirklees"], "kirklees", []),
        ("reminders", ["#leeds", "days=1,0"], "#leeds", ["days=1,0"]),
        ("cancel", [], "", []),
    ],
)
def test_the_ballot_is_the_words_before_the_options(
    verb: str, words: list[str], named: str, options: list[str]
) -> None:
    assert split_target(verb, words) == (named, options)
