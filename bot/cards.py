"""Ballots -> Replies: the one place that decides how a ballot reads to a member, and a
campaign balloted employer by employer (:func:`campaign_card`).

Unknown figures read "not known"; reported percentages are labelled "as reported"; derived
ones say what they are derived from. The legal verdict comes from :mod:`bot.verdicts` through
the ``judge`` seam, so this module only lays it out; every line it draws (the majority mark on
the yes bar, the turnout threshold) comes from the verdict's rule set, never from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bot.actions import Action, Verb
from bot.domain import Ballot, Question, Status
from bot.figures import Figures, derive
from bot.percentages import percent
from bot.replies import Bar, Button, Field, Reply, ReplyKind, Section, Tone, error
from bot.search import Match
from bot.shown import (
    NOT_KNOWN,
    result_turnout,
    result_turnout_value,
    share,
    shares,
    turnout_so_far,
)
from bot.verdicts import BallotOutcome, RuleTable, campaign_summary
from bot.verdicts.reported import yes_span
from bot.verdicts.verdict_types import NO_THRESHOLDS, Thresholds, Verdict

NO_TURNOUT_THRESHOLD = "no turnout threshold"


class Judgement:
    """What the verdicts module says about one question, as the card needs it: the tone, the
    lines, and the typed verdict itself (``None`` where no legal verdict is wired in)."""

    def __init__(self, tone: Tone, lines: Sequence[str], verdict: Verdict | None = None) -> None:
        self.tone = tone
        self.lines = tuple(lines)
        self.verdict = verdict

    @property
    def data(self) -> dict[str, Any] | None:
        """The verdict as JSON replies and exports carry it."""
        return self.verdict.to_dict() if self.verdict is not None else None

    @property
    def thresholds(self) -> Thresholds:
        return self.verdict.thresholds if self.verdict is not None else NO_THRESHOLDS


Judge = Callable[[Ballot, Question], Judgement]
Judged = tuple[Judgement, ...]
"""One judgement per question of a ballot, in paper order: a reply judges each question once
and hands the same judgements to the text card, the JSON and the picture."""


def judge_ballot(ballot: Ballot, judge: Judge) -> Judged:
    """Judge every question of ``ballot`` once."""
    return tuple(judge(ballot, question) for question in ballot.questions)


def simple_judge(ballot: Ballot, question: Question) -> Judgement:
    """The outcome by majority alone: used where no legal verdict is wired in."""
    share = derive(ballot, question).for_pct_of_votes
    if share is None:
        return Judgement(Tone.UNKNOWN, ["Result not known yet."], None)
    if share > 50:
        return Judgement(Tone.PASSED, [f"Carried: {percent(share)} of those voting said yes."])
    return Judgement(Tone.FAILED, [f"Lost: {percent(100 - share)} of those voting said no."])


def count(value: int | None) -> str:
    return NOT_KNOWN if value is None else f"{value:,}"


HALF = 50.0
"""More yes than no: what "carried" means for any vote, legal thresholds aside."""


def _majority(question: Question) -> str:
    """Carried or lost by a majority of those voting: the first thing a member asks. A
    reported share decides only when its rounding cannot cross half (50.2%: carried; 50%:
    too close to tell)."""
    span = yes_span(question.result)
    if span is None:
        return NOT_KNOWN
    if span.low > HALF:
        return "carried: a majority voted yes"
    if span.exact and span.value == HALF:
        return "lost: a tie is not a majority"
    if span.high <= HALF:
        return "lost: a majority voted no"
    return "too close to tell from the reported share"


def _of_voting(share: str, note: str) -> str:
    return share if share == NOT_KNOWN else f"{share} of those voting{note}"


def _fraction(pct: float | None) -> float | None:
    return None if pct is None else pct / 100


def question_section(ballot: Ballot, question: Question, judgement: Judgement) -> Section:
    """One question: its counts, its shares, its turnout and what they mean.

    The bars carry the lines of the question's rule set only: none for a Northern Ireland
    ballot's turnout, a ballot before 2017, or a vote with no legal threshold, where the
    turnout bar says "no turnout threshold" instead.
    """
    result = question.result
    figures = derive(ballot, question)
    yes_share, no_share, as_reported = shares(question, figures)
    fields = [
        Field("Result", _majority(question)),
        Field("For", count(result.votes_for)),
        Field("Against", count(result.votes_against)),
        Field("Spoilt", count(result.spoilt)),
        Field("Yes share", _of_voting(yes_share, " (as reported)" if as_reported else "")),
        Field("No share", _of_voting(no_share, " (the rest)" if as_reported else "")),
        Field("Turnout", result_turnout(question, figures, ballot.eligible)),
    ]
    if figures.for_pct_of_eligible is not None:
        fields.append(Field("Yes of all entitled", share(figures.for_pct_of_eligible)))
    yes = figures.for_pct_of_votes
    turnout = result_turnout_value(question, figures)
    caption = "turnout " + result_turnout(question, figures, ballot.eligible)
    running = ballot.running_turnout
    if running is not None and result.is_empty:
        # While it runs: the organisers' figure, as what it is, never as the result's.
        fields[-1] = Field("Turnout", "not known until the result")
        fields.append(Field("Turnout so far", turnout_so_far(running)))
        turnout, caption = running.pct, "turnout so far " + turnout_so_far(running)
    drawn = judgement.thresholds
    if judgement.verdict is not None and drawn.turnout_pct is None:
        caption += f" ({NO_TURNOUT_THRESHOLD})"
    bars = (
        Bar(
            "Yes",
            _fraction(yes),
            f"{yes_share} yes" if yes is not None else NOT_KNOWN,
            threshold=_fraction(drawn.majority_pct),
        ),
        Bar(
            "Turnout",
            _fraction(turnout),
            caption,
            threshold=_fraction(drawn.turnout_pct),
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
    judged: Judged | None = None,
) -> Reply:
    """The card a member sees for one ballot; ``judged`` when its questions are judged already."""
    judgements = judged if judged is not None else judge_ballot(ballot, judge)
    sections = tuple(
        question_section(ballot, q, j) for q, j in zip(ballot.questions, judgements, strict=True)
    )
    tones = {j.tone for j in judgements}
    tone = tones.pop() if len(tones) == 1 else Tone.NEUTRAL
    buttons = (
        Button("History", Action(Verb.HISTORY, ballot.id)),
        Button("Share in channel", Action(Verb.SHARE, ballot.id)),
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
        kind=ReplyKind.BALLOT,
        data=data or {},
    )


QUESTION_SHOWN = 50
"""Characters of a question's text a one-line listing shows (the card shows it whole)."""


def ballot_line(ballot: Ballot, judge: Judge = simple_judge, judged: Judged | None = None) -> str:
    """One line per ballot in a list: when, who, and its headline: each question's result
    (counts or shares, carried or lost), turnout, and the verdict's first line (for a
    statutory ballot, the mandate)."""
    when = ballot.announced or ballot.closes or ballot.opens
    shown = when.human() if when else "date not known"
    return f"{shown} — {ballot.title}: {headline(ballot, judge, judged)}"


def open_line(ballot: Ballot, judge: Judge = simple_judge, judged: Judged | None = None) -> str:
    """One line per open ballot: who, when it closes, turnout reported so far."""
    closes = ballot.closes.human() if ballot.closes else "closing date not known"
    return f"{ballot.title} — closes {closes}: {headline(ballot, judge, judged)}"


_OVER = (Status.DECLARED, Status.CANCELLED)
"""A ballot with no result yet but one of these statuses is not waiting for one."""


def headline(ballot: Ballot, judge: Judge = simple_judge, judged: Judged | None = None) -> str:
    """What came of each question, ``" · "`` between questions; ``judged`` when its questions
    are judged already."""
    judgements = judged if judged is not None else judge_ballot(ballot, judge)
    parts = []
    for question, judgement in zip(ballot.questions, judgements, strict=True):
        text = question.text
        if len(text) > QUESTION_SHOWN:
            text = text[:QUESTION_SHOWN].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
        figures = derive(ballot, question)
        turnout = result_turnout(question, figures, ballot.eligible)
        verdict = list(judgement.lines[:1])
        if not ballot.has_result and ballot.effective_status not in _OVER:
            # No result yet: what organisers reported so far, never as a result's turnout.
            turnout = f"so far {turnout_so_far(ballot.running_turnout)}"
            verdict = ["mandate not known until the result"] if question.kind.statutory else []
        said = [_outcome(question, figures), f"turnout {turnout}", *verdict]
        parts.append(f"“{text}” " + "; ".join(said))
    return " · ".join(parts)


def _outcome(question: Question, figures: Figures) -> str:
    """``carried, 1,552 to 307 (83.5% yes)``; ``lost, 43.3% yes to 56.7% no``. A reported
    share decides only when its rounding cannot cross half, as on the card."""
    result = question.result
    span = yes_span(result)
    if span is None:
        return "result not known yet"
    if span.low > HALF:
        won = "carried unanimously" if span.value == 100 else "carried"
    elif span.exact and span.value == HALF:
        won = "lost: a tie"
    elif span.high <= HALF:
        won = "lost"
    else:
        won = "too close to tell"
    if span.exact and result.votes_for is not None and result.votes_against is not None:
        return f"{won}, {result.votes_for:,} to {result.votes_against:,} ({span.written} yes)"
    if span.value == 100:
        return f"{won} ({span.written} yes)"
    yes_share, no_share, _ = shares(question, figures)
    return f"{won}, {yes_share} yes to {no_share} no"


def unresolved(search: str, match: Match, verb: Verb = Verb.PICK) -> Reply | None:
    """What to answer when a search leads to no single subject: a choice, a hint, or the
    closest names. None when it does lead somewhere. Each choice's button does ``verb`` with
    the ballot it stands for (the one that holds what the query named); the ballot ids of the
    choices are in ``data`` too."""
    read_as = f" Looking for: {', '.join(match.reading)}." if match.reading else ""
    if match.choices:
        more = ""
        if match.total > len(match.choices):
            more = (
                f" {match.total:,} ballots match in all: add a place, a union or a year to "
                "narrow it."
            )
        return Reply(
            header=f"Several ballots match “{search}”",
            text="Which one did you mean?" + more,
            buttons=tuple(
                Button(name[:70], Action(verb, ballot_id))
                for name, ballot_id in zip(match.choices, match.choice_ids, strict=True)
            ),
            kind=ReplyKind.CHOICES,
            data={
                "choices": list(match.choices),
                "choice_ids": list(match.choice_ids),
                "total": match.total,
                "reading": list(match.reading),
            },
        )
    if match.found:
        return None
    if match.typed_nothing:
        return error(
            f"Nothing to search for in “{search}”",
            "Type an employer, branch, union or area: `/ballot kirklees`, "
            "`/ballot unison falkirk`, `/ballot royal college of nursing`.",
        )
    if match.empty:
        return error(f"No ballot found for “{search}”", "There are no ballots stored yet.")
    if match.closest:
        hint = ", ".join(match.closest)
        return error(f"No ballot found for “{search}”", f"Closest names: {hint}.{read_as}")
    return error(
        f"No ballot found for “{search}”",
        f"No ballot has all of what was asked.{read_as} Ask with less: an employer, a union "
        "or a year on its own.",
    )


# -- a campaign's card: balloted employer by employer ----------------------------------

SHOWN_PER_GROUP = 20


def _lines(outcomes: Sequence[BallotOutcome]) -> tuple[str, ...]:
    shown = [f"{o.ballot.title}" for o in outcomes[:SHOWN_PER_GROUP]]
    if len(outcomes) > SHOWN_PER_GROUP:
        shown.append(f"… and {len(outcomes) - SHOWN_PER_GROUP} more")
    return tuple(shown)


def campaign_card(
    name: str, ballots: Sequence[Ballot], table: RuleTable, today: date | None = None
) -> Reply:
    """The tally of a campaign's ballots by verdict, each group listed."""
    summary = campaign_summary(ballots, table, today)
    groups = (
        ("Gave a mandate", summary.mandate),
        ("A mandate at some employers, as the union reported", summary.partial),
        ("No mandate", summary.no_mandate),
        ("Not known", summary.unknown),
        ("No legal threshold applies", summary.not_applicable),
    )
    sections = tuple(
        Section(title=f"{title} ({len(group)})", lines=_lines(group))
        for title, group in groups
        if group
    )
    tone = Tone.NEUTRAL
    if summary.statutory_count and len(summary.mandate) == summary.statutory_count:
        tone = Tone.PASSED
    elif summary.statutory_count and not summary.mandate and not summary.unknown:
        tone = Tone.FAILED
    return Reply(
        header=f"Campaign: {name}",
        text=summary.headline() + ".",
        sections=sections,
        buttons=tuple(Button(b.employer[:70], Action(Verb.CARD, b.id)) for b in ballots[:5]),
        tone=tone,
        kind=ReplyKind.CAMPAIGN,
        data={
            "campaign": name,
            "mandate": [o.ballot.id for o in summary.mandate],
            "no_mandate": [o.ballot.id for o in summary.no_mandate],
            "not_known": [o.ballot.id for o in summary.unknown],
            "not_applicable": [o.ballot.id for o in summary.not_applicable],
            "partial": [o.ballot.id for o in summary.partial],
        },
    )
