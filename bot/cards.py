"""Ballots -> Replies: the one place that decides how a ballot reads to a member.

Unknown figures read "not known"; reported percentages are labelled "as reported"; derived
ones say what they are derived from. The legal verdict comes from :mod:`bot.verdicts` through
the ``judge`` seam, so this module only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.domain import Ballot, Question
from bot.figures import Figures, derive
from bot.replies import Bar, Button, Field, Reply, Section, Tone, error
from bot.search import Match

NOT_KNOWN = "not known"


class Judgement:
    """What the verdicts module says about one question, as the card needs it."""

    def __init__(self, tone: Tone, lines: Sequence[str], data: dict[str, Any] | None) -> None:
        self.tone = tone
        self.lines = tuple(lines)
        self.data = data


Judge = Callable[[Ballot, Question], Judgement]


def simple_judge(ballot: Ballot, question: Question) -> Judgement:
    """The outcome by majority alone: used where no legal verdict is wired in."""
    share = derive(ballot, question).for_pct_of_votes
    if share is None:
        return Judgement(Tone.UNKNOWN, ["Result not known yet."], None)
    if share > 50:
        return Judgement(Tone.PASSED, [f"Carried: {share:.1f}% of those voting said yes."], None)
    return Judgement(Tone.FAILED, [f"Lost: {100 - share:.1f}% of those voting said no."], None)


def count(value: int | None) -> str:
    return NOT_KNOWN if value is None else f"{value:,}"


def pct(value: float | None, suffix: str = "") -> str:
    return NOT_KNOWN if value is None else f"{value:.1f}%{suffix}"


def _turnout_text(question: Question, figures: Figures, eligible: int | None) -> str:
    result = question.result
    if figures.turnout_pct is not None and not figures.turnout_is_minimum:
        return f"{figures.turnout_pct:.1f}% of {eligible:,} entitled"
    if result.turnout_pct is not None:
        around = "around " if result.turnout_approximate else ""
        return f"{around}{result.turnout_pct:g}% (as reported)"
    if figures.turnout_pct is not None:
        return f"at least {figures.turnout_pct:.1f}% (spoilt papers not known)"
    return NOT_KNOWN


def _majority(yes_share: float | None) -> str:
    """Carried or lost by a majority of those voting: the first thing a member asks."""
    if yes_share is None:
        return NOT_KNOWN
    if yes_share > 50:
        return "carried: a majority voted yes"
    if yes_share == 50:
        return "lost: a tie is not a majority"
    return "lost: a majority voted no"


def question_section(ballot: Ballot, question: Question, judgement: Judgement) -> Section:
    """One question: its counts, its shares, its turnout and what they mean."""
    result = question.result
    figures = derive(ballot, question)
    fields = [
        Field("Result", _majority(figures.for_pct_of_votes)),
        Field("For", count(result.votes_for)),
        Field("Against", count(result.votes_against)),
        Field("Spoilt", count(result.spoilt)),
        Field("Yes share", pct(figures.for_pct_of_votes, " of those voting")),
        Field("No share", pct(figures.against_pct_of_votes, " of those voting")),
        Field("Turnout", _turnout_text(question, figures, ballot.eligible)),
    ]
    if figures.for_pct_of_eligible is not None:
        fields.append(Field("Yes of all entitled", pct(figures.for_pct_of_eligible)))
    yes = figures.for_pct_of_votes
    turnout = figures.turnout_pct
    if (turnout is None or figures.turnout_is_minimum) and result.turnout_pct is not None:
        turnout = result.turnout_pct
    bars = (
        Bar("Yes", None if yes is None else yes / 100, pct(yes, " yes"), threshold=0.5),
        Bar(
            "Turnout",
            None if turnout is None else turnout / 100,
            "turnout " + _turnout_text(question, figures, ballot.eligible),
            threshold=0.5 if question.kind.statutory else None,
        ),
    )
    lines = (*judgement.lines, *figures.warnings)
    return Section(title=question.text, fields=tuple(fields), bars=bars, lines=lines)


def ballot_fields(ballot: Ballot) -> tuple[Field, ...]:
    kinds = sorted({q.kind.label for q in ballot.questions})
    fields = [
        Field("Unions", ", ".join(ballot.unions) or NOT_KNOWN),
        Field("Employer", ballot.employer),
        Field("Branch", ballot.branch or NOT_KNOWN),
        Field("Kind", "; ".join(kinds)),
        Field("Method", ballot.method.value if ballot.method else NOT_KNOWN),
        Field("Members balloted", count(ballot.eligible)),
        Field("Opened", ballot.opens.human() if ballot.opens else NOT_KNOWN),
        Field("Closed", ballot.closes.human() if ballot.closes else NOT_KNOWN),
        Field("Announced", ballot.announced.human() if ballot.announced else NOT_KNOWN),
        Field("Status", ballot.effective_status.value),
    ]
    if ballot.area:
        fields.insert(3, Field("Area", ballot.area))
    if ballot.campaign:
        fields.append(Field("Campaign", ballot.campaign))
    return tuple(fields)


def ballot_card(
    ballot: Ballot,
    judge: Judge = simple_judge,
    data: dict[str, Any] | None = None,
    extra_buttons: Sequence[Button] = (),
) -> Reply:
    """The card a member sees for one ballot."""
    judgements = [judge(ballot, q) for q in ballot.questions]
    sections = tuple(
        question_section(ballot, q, j) for q, j in zip(ballot.questions, judgements, strict=True)
    )
    tones = {j.tone for j in judgements}
    tone = tones.pop() if len(tones) == 1 else Tone.NEUTRAL
    buttons = (
        Button("History", f"/ballot {ballot.employer} history"),
        Button("Share in channel", f"/ballot #{ballot.id}", share=True),
        *extra_buttons,
    )
    what = "; ".join(sorted({q.kind.label for q in ballot.questions}))
    return Reply(
        header=ballot.title,
        text=f"{what.capitalize()} of {' and '.join(ballot.unions)} members at {ballot.employer}.",
        fields=ballot_fields(ballot),
        sections=sections,
        buttons=buttons,
        footer=ballot.notes,
        source_url=ballot.source_url,
        tone=tone,
        kind="ballot",
        data=data or {},
    )


QUESTION_SHOWN = 50
"""Characters of a question's text a one-line listing shows (the card shows it whole)."""


def ballot_line(ballot: Ballot, judge: Judge = simple_judge) -> str:
    """One line per ballot in a list: when, who, and its headline: each question's result
    (counts or shares, carried or lost), turnout, and the verdict's first line (for a
    statutory ballot, the mandate)."""
    when = ballot.announced or ballot.closes or ballot.opens
    shown = when.human() if when else "date not known"
    return f"{shown} — {ballot.title}: {headline(ballot, judge)}"


def open_line(ballot: Ballot, judge: Judge = simple_judge) -> str:
    """One line per open ballot: who, when it closes, turnout reported so far."""
    closes = ballot.closes.human() if ballot.closes else "closing date not known"
    return f"{ballot.title} — closes {closes}: {headline(ballot, judge)}"


def headline(ballot: Ballot, judge: Judge = simple_judge) -> str:
    """What came of each question, ``" · "`` between questions."""
    parts = []
    for question in ballot.questions:
        text = question.text
        if len(text) > QUESTION_SHOWN:
            text = text[:QUESTION_SHOWN].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
        figures = derive(ballot, question)
        turnout = _turnout_text(question, figures, ballot.eligible)
        verdict = judge(ballot, question).lines[:1]
        if figures.for_pct_of_votes is None:  # no result yet: what organisers reported so far
            turnout = f"so far {turnout}" if turnout != NOT_KNOWN else "so far not reported"
            verdict = ["mandate not known until the result"] if question.kind.statutory else []
        said = [_outcome(question, figures), f"turnout {turnout}", *verdict]
        parts.append(f"“{text}” " + "; ".join(said))
    return " · ".join(parts)


def _outcome(question: Question, figures: Figures) -> str:
    """``carried, 1,552 to 307 (83.5% yes)``; ``lost, 43.3% yes to 56.7% no``."""
    result = question.result
    yes, no = figures.for_pct_of_votes, figures.against_pct_of_votes
    if yes is None or no is None:
        return "result not known yet"
    won = "carried" if yes > 50 else "lost: a tie" if yes == 50 else "lost"
    if result.votes_for is not None and result.votes_against is not None:
        if result.votes_against == 0 and result.votes_for > 0:
            won = "carried unanimously"
        return f"{won}, {result.votes_for:,} to {result.votes_against:,} ({yes:.1f}% yes)"
    if yes == 100:
        return "carried unanimously (100% yes)"
    return f"{won}, {yes:g}% yes to {no:g}% no"


def unresolved(search: str, match: Match) -> Reply | None:
    """What to answer when a search leads to no single subject: a choice, or the closest
    names. None when it does lead somewhere."""
    if match.choices:
        return Reply(
            header=f"Several ballots match “{search}”",
            text="Which one did you mean?",
            buttons=tuple(Button(name, f"/ballot {name}") for name in match.choices),
            kind="choices",
            data={"choices": list(match.choices)},
        )
    if not match.found:
        hint = ", ".join(match.closest) if match.closest else "no ballots stored yet"
        return error(f"No ballot found for “{search}”", f"Closest names: {hint}.")
    return None
