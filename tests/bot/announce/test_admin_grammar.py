"""An organiser mistyping figures: every refusal names the argument and nothing changes."""

from __future__ import annotations

import pytest

from bot.columns import MAX_QUESTIONS
from bot.domain import Ballot, Kind, Question
from tests.bot.announce.test_service import LEEDS, export
from tests.bot.conftest import Chat


@pytest.fixture
async def leeds(chat: Chat) -> Chat:
    assert (await chat.say(LEEDS)).ok
    await chat.say("/ballot subscribe")
    return chat


async def assert_refused_naming(chat: Chat, command: str, *named: str) -> None:
    before = await export(chat)
    audited = len(await chat.app.declarations.audit("leeds-2026"))

    reply = await chat.say(command)

    said = f"{reply.header} {reply.text}"
    assert not reply.ok, said
    for name in named:
        assert name in said, said
    assert "nothing was changed" in said.lower()
    assert "Traceback" not in said and "ValueError" not in said
    assert await export(chat) == before
    assert await chat.app.outbox.deliveries(None) == []
    assert len(await chat.app.declarations.audit("leeds-2026")) == audited


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ("for= against=5", ("for has no value",)),  # declared votes for unknown
        ("for=10 against=", ("against has no value",)),
        ("q=0 for=1 against=1", ("question 0", "q=")),  # was silently question 1
        ("q=2 for=1 against=1", ("question 2", "q=")),
        ("q=-1 for=1 against=1", ("q",)),
        ("q=one for=1 against=1", ("q",)),
        ("for=--5 against=1", ("for", "--5")),  # went to the generic handler
        ("for=1 against=1 eligible=²", ("eligible", "²")),
        ("for=1 against=1 eligible=99999999999999999999999", ("eligible", "electorate")),
        ("for=12,5 against=1", ("for", "12,5")),
        ("for=1,552¹ against=1", ("for", "1,552¹")),
        ("for=1e400 against=1", ("for",)),
        ("for=١٠ against=1", ("for",)),
        ("for=1 against=1 turnout=0.6", ("turnout", "did you mean 60%?")),
        ("for=1 against=1 turnout=nan", ("turnout",)),
        ("for=5000 against=1", ("for", "4,210 entitled")),  # above the electorate
        ("for=1 for=2 against=1", ("for", "twice")),
        ("for=1 against=1 colour=red", ("colour=red",)),
    ],
)
async def test_a_bad_figure_is_refused_naming_the_argument(
    leeds: Chat, arguments: str, named: tuple[str, ...]
) -> None:
    await assert_refused_naming(leeds, f"/ballot admin result leeds-2026 {arguments}", *named)


@pytest.mark.parametrize(
    ("command", "named"),
    [
        ("/ballot admin turnout leeds-2026 0.6", ("did you mean 60%?", "0.6%")),
        ("/ballot admin turnout leeds-2026 ²", ("²",)),
        ("/ballot admin set leeds-2026 closes=2024-00", ("closes", "month 00")),
        ("/ballot admin set leeds-2026 closes=2099-12-00", ("closes", "day 0")),
        ("/ballot admin set leeds-2026 eligible=²", ("eligible",)),
        ("/ballot admin set leeds-2026 eligible=12,000,000", ("eligible", "electorate")),
        ('/ballot admin set leeds-2026 source_url="https://host/strike vote"', ("source_url",)),
        ("/ballot admin set leeds-2026 source_url=https://", ("source_url",)),
        ("/ballot admin set leeds-2026 notes=a notes=b", ("notes", "twice")),
    ],
)
async def test_bad_ballot_details_are_refused_naming_the_column(
    leeds: Chat, command: str, named: tuple[str, ...]
) -> None:
    await assert_refused_naming(leeds, command, *named)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ('id="leeds pay"', ("id", "leeds pay")),
        ("id=x eligible=²", ("eligible",)),
        ("id=x closes=2024-13", ("closes", "month 13")),
        ("id=x source_url=https://", ("source_url",)),
        ("id=x id=y", ("id", "twice")),
    ],
)
async def test_admin_add_refuses_like_an_import(
    leeds: Chat, arguments: str, named: tuple[str, ...]
) -> None:
    base = 'employer=E unions=GMB question="Strike?" kind=strike'
    await assert_refused_naming(leeds, f"/ballot admin add {arguments} {base}", *named)


async def test_good_figures_with_thousands_separators_are_declared(leeds: Chat) -> None:
    reply = await leeds.say("/ballot admin result leeds-2026 for=2,000 against=500 turnout=0.9%")
    assert reply.ok, reply.plain_text()
    ballot = await leeds.app.store.get("leeds-2026")
    assert ballot is not None
    assert ballot.questions[0].result.votes_for == 2000
    assert ballot.questions[0].result.turnout_pct == 0.9


async def test_ids_stored_before_the_id_rule_keep_working(chat: Chat) -> None:
    old = Ballot("old id", ("GMB",), "Old Employer", (Question("Strike?", Kind.STRIKE),))
    await chat.app.store.save([old])

    assert (await chat.say("/ballot #old id")).header == "Old Employer — GMB"
    assert (await chat.say('/ballot admin set "old id" notes="still here"')).ok
    declared = await chat.say('/ballot admin result "old id" for=10 against=2')
    assert declared.ok, declared.plain_text()
    assert (await chat.say('/ballot admin correct "old id" for=11 against=2')).ok
    assert (await chat.say('/ballot admin audit "old id"')).ok
    stored = await chat.app.store.get("old id")
    assert stored is not None and stored.notes == "still here"
    assert stored.questions[0].result.votes_for == 11


async def test_more_questions_than_a_ballot_may_have_are_refused_by_admin_too(
    chat: Chat,
) -> None:
    question = Question("Strike?", Kind.STRIKE)
    crowded = Ballot("crowded", ("GMB",), "E", (question,) * (MAX_QUESTIONS + 1))
    await chat.app.store.save([crowded])

    reply = await chat.say('/ballot admin set crowded notes="x"')

    assert not reply.ok and "21 questions" in reply.text


@pytest.mark.parametrize("q", ["²", "0", "3", "", "1 q=1"])
async def test_a_bad_question_number_in_admin_set_is_refused(leeds: Chat, q: str) -> None:
    command = f"/ballot admin set leeds-2026 q={q} reported_mandate=yes"
    await assert_refused_naming(leeds, command, "q")
