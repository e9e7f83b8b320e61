"""Whatever the database holds and whatever a member types, a request's work is bounded:
a card shows at most 20 questions (and says how many more), a long query is cut to what a
name can be before it is matched."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.card_maker import CARD_QUESTIONS
from bot.demo import DEMO_BALLOTS
from bot.domain import Kind, Question, Result
from bot.search import SearchIndex
from bot.search.current import QUERY_MAX, QUERY_MIN
from tests.busy import YORK
from tests.support.conversation import Conversation

MANY = replace(
    DEMO_BALLOTS[1],
    id="many-questions",
    employer="Manyquestion Borough Council",
    branch=None,
    area=None,
    aliases=(),
    questions=tuple(
        Question(f"Do you accept part {n} of the offer?", Kind.PAY_OFFER, Result(300 + n % 99, 200))
        for n in range(1, 10_001)
    ),
)


@pytest.fixture
def searched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every query the search index was handed."""
    queries: list[str] = []
    find = SearchIndex.find

    def spy(self: SearchIndex, query: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        queries.append(query)
        return find(self, query, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "find", spy)
    return queries


async def test_a_ballot_with_ten_thousand_questions_shows_the_first_twenty_and_says_so(
    chat: Conversation,
) -> None:
    await chat.app.store.save([MANY])

    card = await chat.say("/ballot manyquestion")

    titles = [section.title for section in card.sections]
    assert titles[:CARD_QUESTIONS] == [q.text for q in MANY.questions[:CARD_QUESTIONS]]
    assert titles[CARD_QUESTIONS:] == ["9,980 more questions not shown"]
    assert "asks 10,000 questions" in card.plain_text()
    assert card.data["questions_total"] == 10_000 and card.data["questions_shown"] == 20
    assert len(card.data["ballot"]["questions"]) == CARD_QUESTIONS


async def test_the_same_ballot_worded_differently_and_in_a_list_stays_bounded(
    chat: Conversation,
) -> None:
    await chat.app.store.save([MANY])

    for wording in ("manyquestion borough", "manyquestoin council", "Manyquestion"):
        card = await chat.say(f"/ballot {wording}")
        assert len(card.sections) == CARD_QUESTIONS + 1, wording
    listed = await chat.say("/ballot manyquestion history")
    assert [len(b["questions"]) for b in listed.data["ballots"]] == [CARD_QUESTIONS]


async def test_a_ballot_with_few_questions_is_shown_whole(chat: Conversation) -> None:
    card = await chat.say("/ballot kirklees")

    assert "questions_total" not in card.data
    assert not any("more questions" in section.title for section in card.sections)


async def test_a_long_junk_query_is_cut_to_what_a_name_can_be_before_matching(
    chat: Conversation, searched: list[str]
) -> None:
    junk = ("qzxv wplk " * 49)[:490]

    reply = await chat.say(f"/ballot {junk}")
    await chat.app.store.save([YORK])
    reminder = await chat.say(f"/ballot remind me {junk}")

    assert reply.header.startswith("No ballot found") and not reminder.ok
    assert searched and all(len(query) <= QUERY_MIN for query in searched)


async def test_a_long_name_typed_in_full_is_still_found(
    chat: Conversation, searched: list[str]
) -> None:
    long_name = "The Very Long Named Metropolitan Borough Council " + "of Somewhere " * 8
    assert QUERY_MIN < len(long_name.strip()) < QUERY_MAX
    await chat.app.store.save([replace(DEMO_BALLOTS[0], id="long-name", employer=long_name)])

    card = await chat.say(f"/ballot {long_name} please, the strike ballot from last year")

    assert card.header == replace(DEMO_BALLOTS[0], employer=long_name).title
    assert max(len(query) for query in searched) <= len(long_name)


async def test_a_pasted_headline_is_read_whole(chat: Conversation, searched: list[str]) -> None:
    """Cut at 64 characters, it ended "... action short of a" and found nothing."""
    await chat.app.store.save(
        [
            replace(
                DEMO_BALLOTS[1],
                id="rmt-c2c",
                employer="c2c",
                unions=("RMT",),
                branch=None,
                area=None,
            )
        ]
    )
    headline = "RMT members at c2c vote for strike action and action short of a strike"

    card = await chat.say(f"/ballot {headline}")

    assert card.header.startswith("c2c"), card.header
    assert headline in searched


async def test_an_organisers_long_name_is_cut_before_it_is_searched(
    chat: Conversation, searched: list[str]
) -> None:
    """Organisers name ballots and channel filters with the members' search: the same bound."""
    junk = ("qzxv wplk " * 50)[:440]  # the longest a command can be, less its words

    organiser = chat.as_organiser()
    answers = [
        await organiser.say(f"/ballot admin reminders {junk}"),
        await organiser.say(f"/ballot admin result {junk} for=1 against=2"),
        await organiser.say(f"/ballot subscribe {junk}"),
        await organiser.say(f"/ballot remind me {junk}"),
    ]

    assert [answer.ok for answer in answers] == [False] * 4, [a.header for a in answers]
    assert len(searched) >= 3 and all(len(query) <= QUERY_MAX for query in searched)
