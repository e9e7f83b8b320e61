"""One reply judges each question once, and the text, the JSON and the picture show that
one typed verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import bot.verdicts.verdict
from bot.demo import KIRKLEES
from tests.support.conversation import Conversation


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the legal rules were worked out for, by every path that can do it."""
    asked: list[str] = []
    work: Callable[..., Any] = bot.verdicts.verdict._from_figures

    def counted(ballot: Any, question: Any, *args: Any) -> Any:
        asked.append(f"{ballot.id}: {question.text}")
        return work(ballot, question, *args)

    monkeypatch.setattr(bot.verdicts.verdict, "_from_figures", counted)
    return asked


async def test_a_card_its_json_and_its_picture_come_from_one_judgement(
    chat: Conversation, judged: list[str]
) -> None:
    reply = await chat.say("/ballot kirklees chart")

    assert judged == [f"{KIRKLEES.id}: {q.text}" for q in KIRKLEES.questions]
    headline = reply.sections[0].lines[0]
    assert reply.data["ballot"]["questions"][0]["verdict"]["explanation"][0] == headline
    assert reply.image is not None and reply.image.alt_text.endswith(headline)


async def test_a_list_judges_each_ballot_once(chat: Conversation, judged: list[str]) -> None:
    reply = await chat.say("/ballot unison history")

    ballots = reply.data["ballots"]
    assert len(judged) == sum(len(b["questions"]) for b in ballots)
    assert len(set(judged)) == len(judged)
    assert all("verdict" in q for b in ballots for q in b["questions"])
