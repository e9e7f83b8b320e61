"""A ballot's card with everything it carries: its text, its JSON, its picture.

Each question is judged once per card (:class:`CardMaker`), and that judgement is used for
the text, for the JSON (:func:`serialising`, each question with its ``"verdict"``) and for
the picture (:func:`drawing`, its lines from that verdict's rule set).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from bot.cards import Judge, Judged, ballot_card, judge_ballot, simple_judge
from bot.columns import QuestionExtra, ballot_to_dict
from bot.config import Settings
from bot.domain import Ballot, Question
from bot.replies import Image, Reply
from bot.verdicts import RuleTable, verdict_for


class Serialise(Protocol):
    """A ballot as JSON, with the verdicts of ``judged`` (judging it itself when not given)."""

    def __call__(self, ballot: Ballot, judged: Judged | None = None) -> dict[str, Any]: ...


class Draw(Protocol):
    """A ballot's picture, from the verdicts of ``judged``; for an open ballot, given how
    many members said they posted."""

    def __call__(
        self, ballot: Ballot, confirmed_voters: int | None = None, judged: Judged | None = None
    ) -> Image: ...


Confirmed = Callable[[str], Awaitable[int]]
"""How many members said they posted their vote in a ballot, by its id."""


class CardMaker:
    """Cards for the core, the announcements and the reminders alike.

    ``serialise`` adds the ballot's JSON to a card, ``draw`` its picture (None: pictures are
    not available), ``confirmed`` counts the members who posted for an open ballot's
    thermometer.
    """

    def __init__(
        self,
        judge: Judge = simple_judge,
        serialise: Serialise | None = None,
        draw: Draw | None = None,
        confirmed: Confirmed | None = None,
    ) -> None:
        self.judge = judge
        self.serialise = serialise
        self.draw = draw
        self.confirmed = confirmed

    def judged(self, ballot: Ballot) -> Judged:
        """Every question of ``ballot`` judged once, for everything one reply shows of it."""
        return judge_ballot(ballot, self.judge)

    def card(
        self,
        ballot: Ballot,
        picture: bool = False,
        confirmed_voters: int | None = None,
        judged: Judged | None = None,
    ) -> Reply:
        """A ballot's card; with ``picture``, the same figures drawn as well. The questions
        are judged once (or ``judged`` is used) for the text, the JSON and the picture."""
        judged = judged if judged is not None else self.judged(ballot)
        data = {"ballot": self.serialise(ballot, judged)} if self.serialise else {}
        reply = ballot_card(ballot, self.judge, data, judged=judged)
        if not picture:
            return reply
        if self.draw is None:
            return replace(reply, footer="Pictures are not available in this installation.")
        return replace(reply, image=self.draw(ballot, confirmed_voters, judged))

    async def pictured(self, ballot: Ballot, judged: Judged | None = None) -> Reply:
        """The card with its picture; an open ballot's thermometer counts confirmed voters."""
        confirmed = None
        if not ballot.has_result and self.confirmed is not None:
            confirmed = await self.confirmed(ballot.id)
        return self.card(ballot, picture=True, confirmed_voters=confirmed, judged=judged)


def verdict_fields(table: RuleTable) -> QuestionExtra:
    """Adds ``"verdict"`` to every question of an export or a JSON reply."""

    def extra(ballot: Ballot, question: Question) -> dict[str, Any]:
        return {"verdict": verdict_for(ballot, question, table).to_dict()}

    return extra


def _by_question(ballot: Ballot, judged: Judged) -> dict[int, Any]:
    """Each question's judgement, found by the question object itself."""
    return {id(q): j for q, j in zip(ballot.questions, judged, strict=True)}


def serialising(judge: Judge) -> Serialise:
    """Ballots as JSON with each question's verdict, from judgements made once per reply."""

    def serialise(ballot: Ballot, judged: Judged | None = None) -> dict[str, Any]:
        found = _by_question(ballot, judged if judged is not None else judge_ballot(ballot, judge))

        def extra(_: Ballot, question: Question) -> dict[str, Any]:
            verdict = found[id(question)].verdict
            return {"verdict": verdict.to_dict()} if verdict is not None else {}

        return ballot_to_dict(ballot, extra)

    return serialise


def drawing(settings: Settings, judge: Judge) -> Draw:
    """Pictures of cards, cached in ``[charts] cache_dir``, drawn from the typed verdict of the
    question pictured (its lines from that verdict's rule set)."""
    from bot.charts import PictureCache, picture_for, pictured_question

    cache = PictureCache(Path(settings.charts.cache_dir), settings.charts.max_files)

    def draw(
        ballot: Ballot, confirmed_voters: int | None = None, judged: Judged | None = None
    ) -> Image:
        found = _by_question(ballot, judged if judged is not None else judge_ballot(ballot, judge))
        verdict = found[id(pictured_question(ballot))].verdict
        picture = picture_for(ballot, date.today(), verdict, cache, confirmed_voters)
        return Image(picture.png, picture.alt_text, f"{ballot.id}.png", picture.path)

    return draw
