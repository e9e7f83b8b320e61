"""What the union declared, beside ballotbot's own working.

A union's "we have a mandate" is a reported fact. It is shown next to the working ("UNISON
reported: mandate ✔"); where the figures cannot decide, the verdict's mandate is the
reported one (``basis: reported``); where they decide the other way, the card says so plainly
and the verdict carries ``disagrees_with_report``. A ``partial`` report is a disaggregated
ballot given as one line: its added-up figures cannot say which employers' ballots passed.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Ballot, Question, ReportedMandate
from bot.verdicts.explain import Basis, Mandate, action
from bot.verdicts.verdict_types import Verdict

_SAID = {
    ReportedMandate.YES: "mandate ✔",
    ReportedMandate.NO: "no mandate ✘",
    ReportedMandate.PARTIAL: "a mandate at some of the employers balloted, not at others",
}
_SAID_PLAINLY = {
    ReportedMandate.YES: "a mandate",
    ReportedMandate.NO: "no mandate",
    ReportedMandate.PARTIAL: "a mandate at some of the employers balloted",
}
_FIGURES_SAY = {Mandate.YES: "a mandate ✔", Mandate.NO: "no mandate ✘"}


def who_reported(ballot: Ballot) -> str:
    """``UNISON``, ``RMT and Unite``: whose declaration it is."""
    return " and ".join(ballot.unions) or "The union"


def report_line(ballot: Ballot, question: Question) -> str | None:
    """``UNISON reported: mandate ✔ (UNISON press release)``, or ``None`` if nothing was."""
    reported = question.reported_mandate
    if reported is None:
        return None
    said = _SAID[reported]
    if not question.kind.statutory:
        # Nothing is "passed" where no legal threshold applies: the words without the mark.
        said = _SAID_PLAINLY[reported]
    where = f" ({question.reported_by})" if question.reported_by else ""
    return f"{who_reported(ballot)} reported: {said}{where}"


def with_report(verdict: Verdict, ballot: Ballot, question: Question) -> Verdict:
    """The verdict with what the union declared: shown, used where the figures cannot decide,
    and flagged where they disagree."""
    reported = question.reported_mandate
    line = report_line(ballot, question)
    if reported is None or line is None:
        return verdict
    headline, *working = verdict.explanation
    who = who_reported(ballot)
    if verdict.mandate is Mandate.NOT_APPLICABLE:
        return replace(verdict, reported_mandate=reported, explanation=(headline, line, *working))
    what = action(question.kind)
    if reported is ReportedMandate.PARTIAL:
        return replace(
            verdict,
            mandate=Mandate.PARTIAL,
            basis=Basis.REPORTED,
            reported_mandate=reported,
            mandate_expires=None,
            explanation=(
                f"Mandate for {what} at some of the employers balloted, as {who} reported",
                line,
                "Each employer's ballot stands alone (s.228): these figures add them up, so "
                "they cannot say which ones gave a mandate",
                f"The figures taken as one ballot: {_lower_first(headline)}",
                *working,
            ),
        )
    if verdict.mandate is Mandate.NOT_KNOWN:
        mandate = Mandate(reported.value)
        mark = "✔" if mandate is Mandate.YES else "✘"
        said = "Mandate" if mandate is Mandate.YES else "No mandate"
        return replace(
            verdict,
            mandate=mandate,
            basis=Basis.REPORTED,
            reported_mandate=reported,
            explanation=(
                f"{said} for {what} {mark} — as {who} reported; the figures alone cannot settle it",
                line,
                f"From the figures alone: {_lower_first(headline)}",
                *working,
            ),
        )
    if verdict.mandate.value == reported.value:
        return replace(verdict, reported_mandate=reported, explanation=(headline, line, *working))
    disagreement = (
        f"ballotbot's working disagrees with {who}'s report: the figures below show "
        f"{_FIGURES_SAY[verdict.mandate]}, {who} reported {_SAID_PLAINLY[reported]}. Check the "
        "figures against the source"
    )
    return replace(
        verdict,
        reported_mandate=reported,
        disagrees_with_report=True,
        explanation=(headline, line, disagreement, *working),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
