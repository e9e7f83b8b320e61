"""Did this question give a mandate? The verdict, its tests and the working shown.

Each question is judged on its own (s.229). The first explanation line is the headline (a
list of ballots shows only that line); the rest is the working, one test per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from bot.domain import Ballot, Question
from bot.figures import derive
from bot.percentages import percent
from bot.verdicts.checks import Assessment, assess
from bot.verdicts.choice import RuleChoice, choose_rules
from bot.verdicts.explain import Mandate, Outcome, action, mark, no_threshold
from bot.verdicts.mandate import mandate_line, notice_line
from bot.verdicts.report import with_report
from bot.verdicts.reported import reported
from bot.verdicts.rules import RuleSet, RuleTable
from bot.verdicts.verdict_types import Thresholds, Verdict

NO_RULES = "no legal threshold"


def verdict_for(
    ballot: Ballot, question: Question, table: RuleTable, today: date | None = None
) -> Verdict:
    """Judge one question by the rules in force when the ballot opened.

    ``today`` only changes tense ("Mandate ended on …"); without it nothing depends on the
    clock, so the same ballot always gets the same verdict. What the union declared
    (``question.reported_mandate``) is shown beside the working, decides where the figures
    cannot, and is flagged where they disagree (:func:`bot.verdicts.report.with_report`).
    """
    return with_report(_from_figures(ballot, question, table, today), ballot, question)


def _from_figures(
    ballot: Ballot, question: Question, table: RuleTable, today: date | None
) -> Verdict:
    if not question.kind.statutory:
        return _not_statutory(question)
    choice = choose_rules(ballot, table)
    if not choice.candidates:
        return _no_rule_set(ballot, question)
    figures = derive(ballot, question)
    bound = table.plausible_spoilt_pct
    found = [assess(rule, ballot, question, figures, bound) for rule in choice.candidates]
    outcomes = {a.mandate for a in found}
    if len(outcomes) > 1:
        verdict = _uncertain(ballot, question, choice, found)
    else:
        verdict = _settled(ballot, question, choice, found, today)
    return replace(verdict, thresholds=thresholds_of(a.rule for a in found))


def thresholds_of(rules: Iterable[RuleSet]) -> Thresholds:
    """The lines to draw when any of ``rules`` may apply: a test's line where those that have
    it agree on where it lies; none where none has it (or they disagree, which the verdict
    then says in words)."""
    rules = tuple(rules)

    def agreed(values: Iterable[float | None]) -> float | None:
        found = {v for v in values if v is not None}
        return found.pop() if len(found) == 1 else None

    return Thresholds(
        turnout_pct=agreed(r.turnout_min_pct for r in rules),
        majority_pct=agreed(r.majority_pct for r in rules),
        support_pct_of_eligible=agreed(r.support_min_pct_of_eligible for r in rules),
    )


def _not_statutory(question: Question) -> Verdict:
    lines = [no_threshold(question.kind)]
    majority = _majority_note(question)
    if majority:
        lines.append(majority)
    na = Outcome.NOT_APPLICABLE
    return Verdict(NO_RULES, False, False, na, na, na, Mandate.NOT_APPLICABLE, None, tuple(lines))


def _majority_note(question: Question) -> str | None:
    """The plain result of a non-statutory vote, with no marks: nothing was "passed"."""
    result = question.result
    yes, no = result.votes_for, result.votes_against
    if yes is not None and no is not None and yes + no > 0:
        share = 100.0 * yes / (yes + no)
        return f"Yes {percent(share)} of those voting ({yes:,} to {no:,})"
    if result.for_pct is not None:
        return f"Yes {reported(result.for_pct).written} of those voting (as reported)"
    return None


def _no_rule_set(ballot: Ballot, question: Question) -> Verdict:
    unknown = Outcome.NOT_KNOWN
    line = (
        f"No rule set in ballotbot's table covers {ballot.jurisdiction.value} ballots of this "
        "date — cannot say whether it gave a mandate ?"
    )
    return Verdict(
        "not known", False, False, unknown, unknown, unknown, Mandate.NOT_KNOWN, None, (line,)
    )


def _mid(label: str) -> str:
    """A rule set's label inside a sentence: "under the rules before 1 March 2017"."""
    return "rules" + label[len("Rules") :] if label.startswith("Rules ") else label


def _lines(found: Assessment) -> tuple[str | None, ...]:
    return (found.turnout.line, found.majority.line, found.support.line)


def _headline(question: Question, mandate: Mandate, reason: str, inferred: bool = False) -> str:
    what = action(question.kind)
    if mandate is Mandate.YES and inferred:
        return f"Mandate for {what} ✔ — inferred from the reported percentages (see the working)"
    if mandate is Mandate.YES:
        return f"Mandate for {what} ✔"
    if mandate is Mandate.NO:
        return f"No mandate for {what}: {reason} ✘"
    return f"Not known whether this gave a mandate for {what}: {reason} ?"


def _settled(
    ballot: Ballot,
    question: Question,
    choice: RuleChoice,
    found: list[Assessment],
    today: date | None,
) -> Verdict:
    """Every candidate rule set agrees on the mandate: show the primary one's working."""
    main = next((a for a in found if a.rule == choice.primary), None)
    if main is None:
        return _merged(ballot, question, choice, found, uncertain=False)
    lines = [
        _headline(question, main.mandate, main.reason, main.inferred),
        f"{main.rule.label}: {main.rule.summary}",
    ]
    if choice.basis:
        lines.append(choice.basis)
    others = [_mid(a.rule.label) for a in found if a is not main]
    if others:
        lines.append(f"Under the {' and the '.join(others)} the answer would be the same")
    lines += [c.line for c in (main.turnout, main.majority, main.support) if c.line]
    expires = main.expires
    if main.mandate is Mandate.YES:
        if len({a.expires for a in found}) > 1:
            expires = None
            lines.append(
                "How long the mandate lasts depends on the exact opening date, which is not known ?"
            )
        else:
            lines.append(mandate_line(main.rule, ballot, expires, today))
        notice = notice_line(main.rule)
        if notice:
            lines.append(notice)
    return Verdict(
        rules=main.rule.name,
        rules_inferred=choice.inferred,
        uncertain=False,
        turnout_test=main.turnout.outcome,
        majority_test=main.majority.outcome,
        support_test=main.support.outcome,
        mandate=main.mandate,
        mandate_expires=expires,
        explanation=tuple(lines),
        inferred=main.inferred,
    )


def _uncertain(
    ballot: Ballot, question: Question, choice: RuleChoice, found: list[Assessment]
) -> Verdict:
    return _merged(ballot, question, choice, found, uncertain=True)


def _merged(
    ballot: Ballot,
    question: Question,
    choice: RuleChoice,
    found: list[Assessment],
    uncertain: bool,
) -> Verdict:
    """Several rule sets could apply: keep what they agree on, "not known" for the rest."""

    def common(outcomes: set[Outcome]) -> Outcome:
        # A test some rule sets do not have says nothing against the ones that have it.
        applicable = outcomes - {Outcome.NOT_APPLICABLE} or outcomes
        return applicable.pop() if len(applicable) == 1 else Outcome.NOT_KNOWN

    mandates = {a.mandate for a in found}
    mandate = mandates.pop() if len(mandates) == 1 else Mandate.NOT_KNOWN
    if mandate is Mandate.NOT_KNOWN and uncertain:
        reason = "it depends on which rules applied, and the exact opening date is not known"
    else:
        reason = found[0].reason
    names = " or ".join(a.rule.name for a in found)
    support = common({a.support.outcome for a in found})
    inferred = support is Outcome.MET and any(a.inferred for a in found)
    lines = [_headline(question, mandate, reason, inferred)]
    if choice.basis:
        lines.append(choice.basis)
    if uncertain:
        lines.append("The rules changed around then, and the rule sets disagree:")
    for a in found:
        why = f" ({a.reason})" if a.reason else ""
        outcome = {Mandate.YES: "mandate", Mandate.NO: "no mandate"}.get(a.mandate, "not known")
        lines.append(f"Under the {_mid(a.rule.label)}: {outcome}{why} {mark(a.mandate)}")
    for shared in (found[0].turnout, found[0].majority, found[0].support):
        if shared.line and all(shared.line in _lines(a) for a in found):
            lines.append(shared.line)
    majority = found[0].majority
    return Verdict(
        rules=names,
        rules_inferred=True,
        uncertain=uncertain,
        turnout_test=common({a.turnout.outcome for a in found}),
        majority_test=majority.outcome,
        support_test=support,
        mandate=mandate,
        mandate_expires=None,
        explanation=tuple(lines),
        inferred=inferred,
    )
