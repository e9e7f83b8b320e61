"""The three legal tests of one question under one rule set, each with the line that shows it.

Comparisons use the counts themselves (``papers * 100 >= 50 * eligible``), not rounded
percentages, so 4,999 papers of 10,000 never passes as "50.0%". An unknown input never
gives ``met``: where a figure is missing the test is ``not_known`` and the line says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import Ballot, Question, YesNoUnknown
from bot.figures import Figures
from bot.verdicts.explain import Mandate, Outcome, count, mark, pct, threshold
from bot.verdicts.mandate import mandate_end
from bot.verdicts.rules import RuleSet

# A turnout reported only as "around 60 per cent" is trusted when it is this far from the
# threshold; nearer than that, rounding in the report could hide the answer.
APPROXIMATE_MARGIN_PCT = 5.0


@dataclass(frozen=True)
class Check:
    """One test's outcome and the line of working behind it (``None``: nothing to say)."""

    outcome: Outcome
    line: str | None
    reason: str = ""
    """Why it was not met or not known, as the end of "No mandate: …"."""


def majority_check(question: Question) -> Check:
    """More yes than no among those voting; a tie is not a majority."""
    result = question.result
    yes, no = result.votes_for, result.votes_against
    if yes is not None and no is not None:
        valid = yes + no
        if valid == 0:
            return Check(Outcome.NOT_KNOWN, "No valid votes counted ?", "no votes were counted")
        share = pct(100.0 * yes / valid, 50.0)
        if yes > no:
            return Check(
                Outcome.MET, f"Yes {share} of those voting ({count(yes)} to {count(no)}) ✔"
            )
        if yes == no:
            return Check(
                Outcome.NOT_MET,
                f"Yes and no tied at {count(yes)} votes each — a tie is not a majority ✘",
                "the vote was tied",
            )
        return Check(
            Outcome.NOT_MET,
            f"Yes {share} of those voting ({count(yes)} to {count(no)}) — not a majority ✘",
            "a majority voted against",
        )
    reported = result.for_pct
    if reported is None:
        return Check(
            Outcome.NOT_KNOWN,
            "Yes share not known — cannot tell whether a majority voted yes ?",
            "the yes share is not known",
        )
    if reported > 50:
        return Check(Outcome.MET, f"Yes {reported:g}% of those voting (as reported) ✔")
    if reported < 50:
        return Check(
            Outcome.NOT_MET,
            f"Yes {reported:g}% of those voting (as reported) — not a majority ✘",
            "a majority voted against",
        )
    return Check(
        Outcome.NOT_KNOWN,
        "Yes 50% of those voting (as reported) — too close to tell whether it is a majority ?",
        "the vote was too close to call from the reported share",
    )


def turnout_check(rule: RuleSet, ballot: Ballot, question: Question, figures: Figures) -> Check:
    """At least the threshold of those entitled returned a paper, spoilt papers included."""
    minimum = rule.turnout_min_pct
    if minimum is None:
        return Check(Outcome.NOT_APPLICABLE, None)
    need = threshold(minimum)
    result = question.result
    eligible = ballot.eligible
    valid = (
        result.votes_for + result.votes_against
        if result.votes_for is not None and result.votes_against is not None
        else None
    )
    if eligible and figures.papers_returned is not None:
        papers = figures.papers_returned
        value = 100.0 * papers / eligible
        met = papers * 100 >= minimum * eligible
        spoilt = ""
        if result.spoilt:
            noun = "paper" if result.spoilt == 1 else "papers"
            spoilt = f", counting {count(result.spoilt)} spoilt {noun}"
        line = f"Turnout {pct(value, minimum)} of {count(eligible)} entitled{spoilt}"
        return _threshold_check(met, f"{line} — threshold {need}", f"turnout below {need}")
    if eligible and valid is not None and valid * 100 >= minimum * eligible:
        value = 100.0 * valid / eligible
        return Check(
            Outcome.MET,
            f"Turnout at least {pct(value, minimum)} of {count(eligible)} entitled "
            f"(spoilt papers not known) — threshold {need} ✔",
        )
    reported = result.turnout_pct
    if reported is not None and not result.turnout_approximate:
        line = f"Turnout {reported:g}% (as reported) — threshold {need}"
        return _threshold_check(reported >= minimum, line, f"turnout below {need}")
    if reported is not None and abs(reported - minimum) >= APPROXIMATE_MARGIN_PCT:
        line = f"Turnout around {reported:g}% (as reported) — threshold {need}"
        return _threshold_check(reported >= minimum, line, f"turnout below {need}")
    if reported is not None:
        return Check(
            Outcome.NOT_KNOWN,
            f"Turnout reported only as around {reported:g}% — too close to tell whether the "
            f"{need} threshold was met ?",
            "the turnout is too close to the threshold to tell",
        )
    if eligible and valid is not None:
        value = 100.0 * valid / eligible
        return Check(
            Outcome.NOT_KNOWN,
            f"Turnout at least {pct(value, minimum)} of {count(eligible)} entitled, but spoilt "
            f"papers are not known — cannot tell whether the {need} threshold was met ?",
            "spoilt papers are not known, so the turnout is not known",
        )
    return Check(
        Outcome.NOT_KNOWN,
        f"Turnout not known — cannot tell whether the {need} threshold was met ?",
        "the turnout is not known",
    )


def _threshold_check(met: bool, line: str, shortfall: str) -> Check:
    outcome = Outcome.MET if met else Outcome.NOT_MET
    return Check(outcome, f"{line} {mark(outcome)}", "" if met else shortfall)


def support_check(rule: RuleSet, ballot: Ballot, question: Question) -> Check:
    """In important public services, yes votes from enough of *all* those entitled.

    When the sector flag is unknown the test is worked out as if it applied: a pass then holds
    either way; anything else cannot be decided and the line says so.
    """
    minimum = rule.support_min_pct_of_eligible
    if minimum is None:
        return Check(Outcome.NOT_APPLICABLE, None)
    need = threshold(minimum)
    flag = ballot.important_public_service
    if flag is YesNoUnknown.NO:
        return Check(
            Outcome.NOT_APPLICABLE,
            f"Not an important public service: the {need} support test does not apply",
        )
    where = "important public services" + (f" ({ballot.sector})" if ballot.sector else "")
    yes, eligible = question.result.votes_for, ballot.eligible
    if yes is None or not eligible:
        ceiling = _support_ceiling(question)
        if ceiling is not None and ceiling < minimum:
            outcome = Outcome.NOT_MET if flag is YesNoUnknown.YES else Outcome.NOT_KNOWN
            if outcome is Outcome.NOT_MET:
                return Check(
                    outcome,
                    f"Yes votes at most {ceiling:.1f}% of all entitled (from the reported "
                    f"turnout and yes share) — {need} needed in {where} ✘",
                    f"yes votes below {need} of all entitled",
                )
        if flag is YesNoUnknown.UNKNOWN:
            return Check(
                Outcome.NOT_KNOWN,
                "Not known whether this is an important public service, nor how many of all "
                f"entitled voted yes — cannot decide the {need} support test ?",
                f"the {need} support test cannot be decided",
            )
        return Check(
            Outcome.NOT_KNOWN,
            f"Yes votes as a share of all entitled not known — cannot tell whether the {need} "
            f"needed in {where} was reached ?",
            f"the {need} support test cannot be decided",
        )
    share = pct(100.0 * yes / eligible, minimum)
    met = yes * 100 >= minimum * eligible
    if flag is YesNoUnknown.YES:
        outcome = Outcome.MET if met else Outcome.NOT_MET
        return Check(
            outcome,
            f"Yes votes {share} of all entitled — {need} needed in {where} {mark(outcome)}",
            "" if met else f"yes votes below {need} of all entitled",
        )
    if met:
        return Check(
            Outcome.MET,
            f"Yes votes {share} of all entitled — enough for the {need} test even if this is "
            "an important public service ✔",
        )
    return Check(
        Outcome.NOT_KNOWN,
        f"Yes votes {share} of all entitled — below the {need} needed in important public "
        "services, and it is not known whether this is one: cannot decide the support test ?",
        f"the {need} support test cannot be decided",
    )


def _support_ceiling(question: Question) -> float | None:
    """The most yes votes can be of all entitled, from reported percentages alone.

    Turnout counts spoilt papers, so turnout x yes share can only overstate the yes votes; each
    reported figure is taken half a point high in case the union rounded it to a whole number.
    Below the threshold even then, the test is failed; above it, nothing is proved.
    """
    result = question.result
    if result.turnout_pct is None or result.turnout_approximate:
        return None
    yes, no = result.votes_for, result.votes_against
    if yes is not None and no is not None and yes + no > 0:
        share = 100.0 * yes / (yes + no)
    elif result.for_pct is not None:
        share = result.for_pct + 0.5
    else:
        return None
    return min(100.0, result.turnout_pct + 0.5) * min(100.0, share) / 100.0


@dataclass(frozen=True)
class Assessment:
    """What one rule set makes of one question."""

    rule: RuleSet
    turnout: Check
    majority: Check
    support: Check
    mandate: Mandate
    reason: str
    expires: date | None


def assess(rule: RuleSet, ballot: Ballot, question: Question, figures: Figures) -> Assessment:
    """Apply one rule set: a rejected question has no mandate whatever the turnout."""
    turnout = turnout_check(rule, ballot, question, figures)
    majority = majority_check(question)
    support = support_check(rule, ballot, question)
    checks = (majority, turnout, support)
    failed = [c for c in checks if c.outcome is Outcome.NOT_MET]
    unknown = [c for c in checks if c.outcome is Outcome.NOT_KNOWN]
    if failed:
        mandate, reason = Mandate.NO, failed[0].reason
    elif unknown:
        mandate, reason = Mandate.NOT_KNOWN, "; ".join(c.reason for c in unknown)
    else:
        mandate, reason = Mandate.YES, ""
    expires = mandate_end(rule, ballot.closes) if mandate is Mandate.YES else None
    return Assessment(rule, turnout, majority, support, mandate, reason, expires)
