"""What a picture shows, taken from the same figures as the text so the two never disagree.

Pure: no matplotlib here. Every value is ``None`` when not known, and the renderer draws it as
not known rather than as a bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import Ballot, Question
from bot.figures import derive
from bot.percentages import as_reported, percent
from bot.shown import NOT_KNOWN, result_turnout_value, shares, turnout_so_far
from bot.verdicts import Outcome, Verdict

NO_TURNOUT_THRESHOLD = "No turnout threshold."


@dataclass(frozen=True)
class ResultChart:
    """A declared result: yes against no (and spoilt), turnout against its thresholds.

    ``turnout_threshold`` and ``support_threshold`` come from the verdict's rule set: ``None``
    where none applies, and then no line is drawn.
    """

    title: str
    question: str
    votes_for: int | None
    votes_against: int | None
    spoilt: int | None
    yes_pct: float | None
    no_pct: float | None
    yes_text: str
    """The yes share as the card writes it (``85.6%``; a reported ``80%`` as written)."""
    no_text: str
    turnout_pct: float | None
    turnout_label: str
    turnout_threshold: float | None
    support_pct_of_eligible: float | None
    support_threshold: float | None
    support_text: str
    """Yes votes of all entitled as the card writes it (``35.6%``; ``not known``)."""
    verdict: str
    source: str | None

    @property
    def alt_text(self) -> str:
        """The picture in words, from the same values it draws."""
        if self.yes_pct is None:
            votes = "Yes and no shares not known."
        else:
            votes = f"{self.yes_text} yes, {self.no_text} no of those voting."
        if self.votes_for is not None and self.votes_against is not None:
            votes += f" {self.votes_for:,} for, {self.votes_against:,} against."
        turnout = f"Turnout {self.turnout_label}."
        if self.turnout_threshold is not None:
            turnout += f" Threshold {as_reported(self.turnout_threshold)}."
        else:
            turnout += f" {NO_TURNOUT_THRESHOLD}"
        if self.support_threshold is not None:
            needed = as_reported(self.support_threshold)
            if self.support_pct_of_eligible is None:
                turnout += f" Yes votes of all entitled not known; {needed} needed."
            else:
                turnout += f" Yes votes {self.support_text} of all entitled; {needed} needed."
        return f"{self.title}. {self.question} {votes} {turnout} {self.verdict}".strip()


@dataclass(frozen=True)
class ThermometerChart:
    """An open ballot: days left and turnout so far against the turnout threshold of its rule
    set (``threshold``; ``None`` where none applies, as in Northern Ireland).

    ``reported_turnout_pct`` is the turnout so far organisers reported
    (:attr:`bot.domain.Ballot.running_turnout`), never a result's; ``reported`` says it in
    words, with when it was reported.
    """

    title: str
    question: str
    days_left: int | None
    reported_turnout_pct: float | None
    confirmed_voters: int | None
    eligible: int | None
    threshold: float | None
    reported: str = "not reported"

    @property
    def alt_text(self) -> str:
        days = "closing date not known" if self.days_left is None else f"{self.days_left} days left"
        reported = (
            "turnout not reported yet"
            if self.reported_turnout_pct is None
            else f"turnout so far {self.reported}"
        )
        confirmed = (
            ""
            if self.confirmed_voters is None
            else f"; {self.confirmed_voters:,} members confirmed posting (an estimate)"
        )
        line = (
            f"; threshold {as_reported(self.threshold)}"
            if self.threshold is not None
            else "; no turnout threshold"
        )
        return f"{self.title}. {self.question} {days}; {reported}{confirmed}{line}."


def _turnout_label(ballot: Ballot, question: Question) -> tuple[float | None, str]:
    """The result's turnout as the card reads it (:func:`bot.shown.result_turnout_value`)."""
    figures = derive(ballot, question)
    reported = question.result.turnout_pct
    value = result_turnout_value(question, figures)
    if value is None:
        return None, NOT_KNOWN
    if figures.turnout_pct is not None and not figures.turnout_is_minimum:
        return value, percent(value)
    if reported is not None and not figures.turnout_conflict:
        around = "around " if question.result.turnout_approximate else ""
        return value, f"{around}{as_reported(reported)} as reported"
    return value, f"at least {percent(value)}"


def result_chart(ballot: Ballot, question: Question, verdict: Verdict | None = None) -> ResultChart:
    """The result card's values; its lines are those of ``verdict``'s rule set (none
    without a verdict), the support line only where the 40% test applies to this ballot."""
    figures = derive(ballot, question)
    turnout, label = _turnout_label(ballot, question)
    yes_text, no_text, _ = shares(question, figures)
    turnout_threshold = support_threshold = None
    explanation: tuple[str, ...] = ()
    if verdict is not None:
        turnout_threshold = verdict.thresholds.turnout_pct
        if verdict.support_test is not Outcome.NOT_APPLICABLE:
            support_threshold = verdict.thresholds.support_pct_of_eligible
        explanation = verdict.explanation
    return ResultChart(
        title=ballot.title,
        question=question.text,
        votes_for=question.result.votes_for,
        votes_against=question.result.votes_against,
        spoilt=question.result.spoilt,
        yes_pct=figures.for_pct_of_votes,
        no_pct=figures.against_pct_of_votes,
        yes_text=yes_text,
        no_text=no_text,
        turnout_pct=turnout,
        turnout_label=label,
        turnout_threshold=turnout_threshold,
        support_pct_of_eligible=figures.for_pct_of_eligible,
        support_threshold=support_threshold,
        support_text=(
            NOT_KNOWN
            if figures.for_pct_of_eligible is None
            else percent(figures.for_pct_of_eligible)
        ),
        verdict=explanation[0] if explanation else "",
        source=ballot.source_url,
    )


def thermometer_chart(
    ballot: Ballot,
    question: Question,
    today: date,
    confirmed_voters: int | None = None,
    verdict: Verdict | None = None,
) -> ThermometerChart:
    """An open ballot's values: days left only when the closing day is known; the threshold
    line from ``verdict``'s rule set (none without a verdict)."""
    closes = ballot.closes.exact if ballot.closes else None
    running = ballot.running_turnout
    return ThermometerChart(
        title=ballot.title,
        question=question.text,
        days_left=(closes - today).days if closes else None,
        reported_turnout_pct=running.pct if running is not None else None,
        reported=turnout_so_far(running),
        confirmed_voters=confirmed_voters,
        eligible=ballot.eligible,
        threshold=verdict.thresholds.turnout_pct if verdict is not None else None,
    )
