"""What must hold across a ballot's figures and dates before it is stored, on every path.

Imports and feeds report these per row, organisers' commands per argument, and the store
checks them once more on every save (:func:`refuse_invalid`), so a ballot that breaks them
cannot enter the catalogue by a path that forgot to ask: an export always re-imports.
Each problem is a ``(field, message)`` pair naming the import column at fault. Ranges of a
single field (a negative count, a percentage over 100) are the parsers' and the schema's.
"""

from __future__ import annotations

from bot.domain import Ballot, Question

MAX_QUESTIONS = 20
"""Questions on one ballot paper. Statutory ballots ask one or two (strike, action short of
a strike); a file with more for one ballot id has lost its ids, and is refused."""

Problem = tuple[str, str]
"""(field, message): the import column at fault and what cannot be true."""


class InvalidBallot(ValueError):
    """A ballot whose figures or dates cannot all be true; nothing of its save was stored.

    ``ballot_id`` and ``problems`` (field, message) say which and why; ``str()`` names both.
    """

    def __init__(self, ballot_id: str, problems: list[Problem]) -> None:
        self.ballot_id = ballot_id
        self.problems = problems
        shown = "; ".join(f"{field}: {message}" for field, message in problems[:3])
        more = f" (and {len(problems) - 3:,} more)" if len(problems) > 3 else ""
        super().__init__(f"ballot {ballot_id!r} cannot be stored: {shown}{more}")


def refuse_invalid(ballots: list[Ballot]) -> None:
    """Raise :class:`InvalidBallot` for the first ballot whose figures or dates cannot all be
    true; else nothing. The cap on questions per ballot (:data:`MAX_QUESTIONS`) is a check on
    what people send (files, forms), not a fact about ballots, so the store leaves it to them:
    the cards are bounded for whatever the database holds."""
    for ballot in ballots:
        found = [p for p in consistency_problems(ballot) if p[0] != "question"]
        if found:
            raise InvalidBallot(ballot.id, found)


def consistency_problems(ballot: Ballot) -> list[Problem]:
    """Figures and dates that cannot all be true together: the ballot's own problems
    (:func:`ballot_problems`), then each question's (:func:`question_problems`)."""
    problems = ballot_problems(ballot)
    for question in ballot.questions:
        problems += question_problems(ballot, question)
    return problems


def ballot_problems(ballot: Ballot) -> list[Problem]:
    """Dates out of order (closing before opening, a result announced before the ballot
    closed or opened, by the widest reading of dates known to a month or a year), and more
    questions than a paper has."""
    problems: list[Problem] = []
    opens, closes, announced = ballot.opens, ballot.closes, ballot.announced
    if opens and closes and opens.earliest > closes.latest:
        problems.append(("closes", f"{closes} is before it opens ({opens})"))
    if announced and closes and closes.earliest > announced.latest:
        problems.append(("announced", f"{announced} is before it closes ({closes})"))
    elif announced and opens and opens.earliest > announced.latest:
        problems.append(("announced", f"{announced} is before it opens ({opens})"))
    if len(ballot.questions) > MAX_QUESTIONS:
        problems.append(("question", too_many_questions(ballot.id, len(ballot.questions))))
    return problems


def too_many_questions(ballot_id: str, questions: int) -> str:
    return (
        f"ballot {ballot_id!r} has {questions} questions, more than the {MAX_QUESTIONS} a "
        "ballot may have (statutory ballots ask one or two): is the id column right?"
    )


_COUNTED = (("votes_for", "votes for"), ("votes_against", "votes against"), ("spoilt", "spoilt"))


def question_problems(ballot: Ballot, question: Question) -> list[Problem]:
    """Counts of one question that the ballot's electorate cannot hold: the first such
    column, or ``votes_for`` when only together they are too many.

    A reported turnout the counts exceed is not refused: ``admin turnout`` records turnout
    *so far* while a ballot is open, so the final counts may well pass it; a reply shows the
    disagreement instead (:func:`bot.figures.derive`)."""
    eligible = ballot.eligible
    if eligible is None or eligible < 0:  # a negative electorate is the schema's to refuse
        return []
    r = question.result
    for column, label in _COUNTED:  # the first count that is too many, by its own column
        value = getattr(r, column)
        if value is not None and value > eligible:
            return [(column, f"{value:,} {label} but only {eligible:,} entitled")]
    counted = sum(v for v in (r.votes_for, r.votes_against, r.spoilt) if v is not None)
    if counted > eligible:
        return [("votes_for", f"{counted:,} votes counted but only {eligible:,} entitled")]
    return []
