"""The seam to the cards: a :data:`bot.cards.Judge` that answers with the legal verdict.

The core takes a ``judge`` (``Core(judge=...)``); wiring this one in is all it takes for every
card, list and export to show the verdict and its working.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.cards import Judge, Judgement
from bot.domain import Ballot, Question
from bot.replies import Tone
from bot.verdicts.explain import Mandate
from bot.verdicts.rules import RuleTable
from bot.verdicts.verdict import verdict_for

TONES = {
    Mandate.YES: Tone.PASSED,
    Mandate.NO: Tone.FAILED,
    Mandate.NOT_KNOWN: Tone.UNKNOWN,
    Mandate.NOT_APPLICABLE: Tone.NEUTRAL,
    Mandate.PARTIAL: Tone.NEUTRAL,
}


def legal_judge(table: RuleTable, today: Callable[[], date] | None = None) -> Judge:
    """A judge using ``table``; ``today`` (a clock) only changes the tense of expiry lines."""

    def judge(ballot: Ballot, question: Question) -> Judgement:
        verdict = verdict_for(ballot, question, table, today() if today else None)
        return Judgement(TONES[verdict.mandate], verdict.explanation, verdict)

    return judge
