"""A ballot's card with everything it carries: its text, its JSON, its picture.

Each question is judged once per card (:class:`CardMaker`), and that judgement is used for
the text, for the JSON (:func:`serialising`, each question with its ``"verdict"``) and for
the picture (:func:`drawing`, its lines from that verdict's rule set).

The work is bounded whatever the data holds: a card shows at most :data:`CARD_QUESTIONS`
questions and says how many more there are; requests build cards on the CPU thread and draw
pictures in the drawing process (:meth:`CardMaker.answer_card`, :mod:`bot.offloop`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from bot import offloop
from bot.cards import Judge, Judged, ballot_card, judge_ballot, simple_judge
from bot.columns import QuestionExtra, ballot_to_dict
from bot.config import Settings
from bot.domain import Ballot, Question
from bot.replies import Image, Reply, Section
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

CARD_QUESTIONS = 20
"""Questions a card shows (statutory ballots ask one or two); a card says how many more."""


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
        are judged once (or ``judged`` is used) for the text, the JSON and the picture.

        At most :data:`CARD_QUESTIONS` questions are shown (and judged, and in ``data``); a
        ballot with more gets a section saying how many are not shown. This runs where it is
        called: requests use :meth:`answer_card`, which keeps it off the event loop.
        """
        reply, shown, judged = self.card_parts(ballot, judged)
        if not picture:
            return reply
        if self.draw is None:
            return replace(reply, footer="Pictures are not available in this installation.")
        return replace(reply, image=self.draw(shown, confirmed_voters, judged))

    async def answer_card(
        self,
        ballot: Ballot,
        picture: bool = False,
        confirmed_voters: int | None = None,
        judged: Judged | None = None,
    ) -> Reply:
        """:meth:`card` off the event loop: built on the CPU thread, drawn on the pictures one."""
        reply, shown, judged = await offloop.compute(self.card_parts, ballot, judged)
        if not picture:
            return reply
        if self.draw is None:
            return replace(reply, footer="Pictures are not available in this installation.")
        image = await offloop.draw(self.draw, shown, confirmed_voters, judged)
        return replace(reply, image=image)

    def card_parts(self, ballot: Ballot, judged: Judged | None) -> tuple[Reply, Ballot, Judged]:
        """The card, and the ballot and judgements it shows (its first questions)."""
        shown, more = first_questions(ballot)
        judged = self.judged(shown) if judged is None else judged[: len(shown.questions)]
        data: dict[str, object] = (
            {"ballot": self.serialise(shown, judged)} if self.serialise else {}
        )
        if more:
            data["questions_shown"] = len(shown.questions)
            data["questions_total"] = len(ballot.questions)
        reply = ballot_card(shown, self.judge, data, judged=judged)
        if more:
            reply = replace(reply, sections=(*reply.sections, _more_questions(ballot, more)))
        return reply, shown, judged

    async def pictured(self, ballot: Ballot, judged: Judged | None = None) -> Reply:
        """The card with its picture; an open ballot's thermometer counts confirmed voters."""
        confirmed = None
        if not ballot.has_result and self.confirmed is not None:
            confirmed = await self.confirmed(ballot.id)
        return await self.answer_card(
            ballot, picture=True, confirmed_voters=confirmed, judged=judged
        )


def first_questions(ballot: Ballot) -> tuple[Ballot, int]:
    """The ballot as a card shows it (its first :data:`CARD_QUESTIONS` questions) and how
    many questions that leaves out."""
    more = len(ballot.questions) - CARD_QUESTIONS
    if more <= 0:
        return ballot, 0
    return replace(ballot, questions=ballot.questions[:CARD_QUESTIONS]), more


def _more_questions(ballot: Ballot, more: int) -> Section:
    total = len(ballot.questions)
    return Section(
        title=f"{more:,} more questions not shown",
        lines=(
            f"This ballot asks {total:,} questions; this card shows the first "
            f"{CARD_QUESTIONS}. The figures of the others are in the export "
            "(`ballotbot export`) and at the source.",
        ),
    )


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
    question pictured (its lines from that verdict's rule set), in the drawing process
    (:mod:`bot.charts.drawer`)."""
    from bot.charts import PictureCache, picture_for, pictured_question
    from bot.charts.drawer import DRAWER

    cache = PictureCache(Path(settings.charts.cache_dir), settings.charts.max_files)

    def draw(
        ballot: Ballot, confirmed_voters: int | None = None, judged: Judged | None = None
    ) -> Image:
        found = _by_question(ballot, judged if judged is not None else judge_ballot(ballot, judge))
        verdict = found[id(pictured_question(ballot))].verdict
        picture = picture_for(
            ballot, date.today(), verdict, cache, confirmed_voters, render=DRAWER.render
        )
        return Image(picture.png, picture.alt_text, f"{ballot.id}.png", picture.path)

    return draw
