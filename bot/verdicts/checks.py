"""The three legal tests of one question under one rule set, each with the line that shows it.

Comparisons use the counts themselves (``papers * 100 >= 50 * eligible``), not rounded
percentages, so 4,999 papers of 10,000 never passes as "50.0%". A reported percentage decides
a test only when the whole range it may have been rounded from does (:mod:`.reported`). An
unknown input never gives ``met``: where a figure is missing the test is ``not_known`` and
the line says which. The one inference: the 40% test from a reported turnout and yes share,
met when failing it would take implausibly many spoilt papers, and marked ``inferred``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bot.domain import Ballot, Question, YesNoUnknown
from bot.figures import Figures
from bot.percentages import as_reported, percent, trimmed
from bot.verdicts.explain import Mandate, Outcome, count, mark, pct, threshold
from bot.verdicts.mandate import mandate_end
from bot.verdicts.reported import APPROXIMATE_MARGIN_PCT, Span, turnout_span, yes_span
from bot.verdicts.rules import DEFAULT_PLAUSIBLE_SPOILT_PCT, RuleSet


@dataclass(frozen=True)
class Check:
    """One test's outcome and the line of working behind it (``None``: nothing to say)."""

    outcome: Outcome
    line: str | None
    reason: str = ""
    """Why it was not met or not known, as the end of "No mandate: …"."""
    inferred: bool = False
    """Met only because the spoilt papers it would take to fail it are implausibly many."""


def majority_check(question: Question, majority_pct: float) -> Check:
    """More than ``majority_pct`` (the rule set's: half) of those voting said yes; a tie is
    not a majority.

    A reported share decides only when its whole rounding range is on one side: 50.2% is a
    majority (at least 50.15%), a reported 50% is not known (49.5% to 50.5%).
    """
    result = question.result
    yes, no = result.votes_for, result.votes_against
    if yes is not None and no is not None:
        valid = yes + no
        if valid == 0:
            return Check(Outcome.NOT_KNOWN, "No valid votes counted ?", "no votes were counted")
        share = pct(100.0 * yes / valid, majority_pct)
        if yes * 100 > majority_pct * valid:
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
    span = yes_span(result)
    if span is None:
        return Check(
            Outcome.NOT_KNOWN,
            "Yes share not known — cannot tell whether a majority voted yes ?",
            "the yes share is not known",
        )
    if span.low > majority_pct:
        note = _at_least(span, majority_pct)
        return Check(Outcome.MET, f"Yes {span.written} of those voting (as reported{note}) ✔")
    if span.high <= majority_pct:
        return Check(
            Outcome.NOT_MET,
            f"Yes {span.written} of those voting (as reported) — not a majority ✘",
            "a majority voted against",
        )
    return Check(
        Outcome.NOT_KNOWN,
        f"Yes {span.written} of those voting (as reported, so {span.range_text()} at its "
        "rounding) — too close to tell whether it is a majority ?",
        "the vote was too close to call from the reported share",
    )


def _at_least(span: Span, line: float) -> str:
    """``, so at least 50.15%``: said when the rounding of a report comes near the line."""
    if span.exact or span.value - line >= 1:
        return ""
    return f", so at least {trimmed(span.low)}"


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
    # A reported turnout the counts contradict decides nothing (the card warns of it).
    span = None if figures.turnout_conflict else turnout_span(result)
    if span is not None and span.low >= minimum:
        note = _at_least(span, minimum)
        return Check(
            Outcome.MET, f"Turnout {span.written} (as reported{note}) — threshold {need} ✔"
        )
    if span is not None and span.high < minimum:
        return Check(
            Outcome.NOT_MET,
            f"Turnout {span.written} (as reported) — threshold {need} ✘",
            f"turnout below {need}",
        )
    if span is not None and span.approximate:
        return Check(
            Outcome.NOT_KNOWN,
            f"Turnout reported only as {span.written} — too close to tell whether the "
            f"{need} threshold was met ?",
            "the turnout is too close to the threshold to tell",
        )
    if span is not None:
        return Check(
            Outcome.NOT_KNOWN,
            f"Turnout {span.written} (as reported, so {span.range_text()} at its rounding) — "
            f"too close to tell whether the {need} threshold was met ?",
            "the reported turnout is too close to the threshold to tell",
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


def support_check(
    rule: RuleSet,
    ballot: Ballot,
    question: Question,
    plausible_spoilt_pct: float = DEFAULT_PLAUSIBLE_SPOILT_PCT,
) -> Check:
    """In important public services, yes votes from enough of *all* those entitled.

    When the sector flag is unknown the test is worked out as if it applied: a pass then holds
    either way; anything else cannot be decided and the line says so. Without the counts it is
    worked out from the reported percentages (:func:`_from_percentages`).
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
        found = _from_percentages(minimum, ballot, question, plausible_spoilt_pct)
        if found is not None:
            return found
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


def _from_percentages(
    minimum: float, ballot: Ballot, question: Question, plausible_spoilt_pct: float
) -> Check | None:
    """The support test from a reported turnout and yes share, spoilt papers not known.

    Turnout counts spoilt papers (s.297A) and the yes share is of valid votes, so yes votes
    are at most turnout x yes share of all entitled, and fewer by the share of returned papers
    that were spoilt. Taking both figures at the low end of their rounding, the test fails
    only if more than ``1 - minimum / (yes x turnout)`` of the papers were spoilt: above the
    plausibility bound that is taken as met, and marked inferred; at or below it, not known.
    At the high end of their rounding and with no paper spoilt, below the minimum: failed.
    ``None``: the reports do not give both figures.
    """
    result = question.result
    turnout, share = turnout_span(result), yes_span(result)
    if turnout is None or share is None:
        return None
    need = threshold(minimum)
    flag = ballot.important_public_service
    sure = flag is YesNoUnknown.YES
    ceiling = turnout.high * share.high / 100.0
    if ceiling < minimum:
        if not sure:
            return Check(
                Outcome.NOT_KNOWN,
                f"Yes votes at most {percent(ceiling)} of all entitled (from the reported turnout "
                f"and yes share) — below the {need} needed in important public services, and "
                "it is not known whether this is one: cannot decide the support test ?",
                f"the {need} support test cannot be decided",
            )
        return Check(
            Outcome.NOT_MET,
            f"Yes votes at most {percent(ceiling)} of all entitled (from the reported turnout and "
            f"yes share) — {need} needed in {_sector(ballot)} ✘",
            f"yes votes below {need} of all entitled",
        )
    floor = turnout.low * share.low / 100.0
    if floor < minimum:
        return Check(
            Outcome.NOT_KNOWN,
            f"Yes votes between {percent(floor)} and {percent(ceiling)} of all entitled (from the "
            f"reported turnout and yes share, at their rounding) — too close to the {need} "
            f"needed in {_sector(ballot)} to tell ?",
            f"the {need} support test cannot be decided from the reported percentages",
        )
    spoilt_needed = 100.0 * (1.0 - minimum / floor) if floor > 0 else 100.0
    # Shown rounded down: "met unless over 14.8%" must hold for every share up to 14.8%.
    margin = percent(math.floor(spoilt_needed * 10) / 10)
    working = (
        f"Yes votes about {percent(floor)} of all entitled if none were spoilt "
        f"({_of(share, turnout)})"
    )
    if spoilt_needed > plausible_spoilt_pct:
        unless = f"✔ unless over {margin} of the papers returned were spoilt"
        if sure:
            line = f"{working} — {need} needed in {_sector(ballot)} {unless}"
        else:
            line = (
                f"{working} — enough for the {need} test even if this is an important public "
                f"service {unless}"
            )
        return Check(Outcome.MET, line, inferred=True)
    where = _sector(ballot) if sure else "important public services (if this is one)"
    return Check(
        Outcome.NOT_KNOWN,
        f"{working} — {need} needed in {where}, missed if over {margin} of the papers "
        f"returned were spoilt: the reports do not say how many were, and that many is "
        f"possible (ballotbot rules out only more than {as_reported(plausible_spoilt_pct)}) ?",
        f"the {need} support test cannot be decided from the reported percentages",
    )


def _sector(ballot: Ballot) -> str:
    """``education``: where the test applies, as a member says it."""
    return ballot.sector or "important public services"


def _of(share: Span, turnout: Span) -> str:
    """``89.5% of 52.5%, the reports' lowest rounding``: where the estimate comes from."""
    parts = f"{_low(share)} of {_low(turnout)}"
    notes = []
    if share.exact:
        notes.append("the yes share counted")
    rounded = [s for s in (share, turnout) if s.rounded and not s.approximate]
    if len(rounded) == 2:
        notes.append("the reports' lowest rounding")
    elif rounded:
        notes.append("the report's lowest rounding")
    if turnout.approximate:
        notes.append(
            f"the turnout reported as {turnout.written}, "
            f"taken {APPROXIMATE_MARGIN_PCT:g} points low"
        )
    return ", ".join([parts, *notes])


def _low(span: Span) -> str:
    return percent(span.value) if span.exact else trimmed(span.low)


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

    @property
    def inferred(self) -> bool:
        """A test was met only by inference from reported percentages."""
        return any(c.inferred for c in (self.turnout, self.majority, self.support))


def assess(
    rule: RuleSet,
    ballot: Ballot,
    question: Question,
    figures: Figures,
    plausible_spoilt_pct: float = DEFAULT_PLAUSIBLE_SPOILT_PCT,
) -> Assessment:
    """Apply one rule set: a rejected question has no mandate whatever the turnout."""
    turnout = turnout_check(rule, ballot, question, figures)
    majority = majority_check(question, rule.majority_pct)
    support = support_check(rule, ballot, question, plausible_spoilt_pct)
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
