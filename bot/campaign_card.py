"""A campaign balloted employer by employer: how many ballots gave a mandate, and which."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.actions import Action, Verb
from bot.domain import Ballot
from bot.replies import Button, Reply, Section, Tone
from bot.verdicts import BallotOutcome, RuleTable, campaign_summary

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
        kind="campaign",
        data={
            "campaign": name,
            "mandate": [o.ballot.id for o in summary.mandate],
            "no_mandate": [o.ballot.id for o in summary.no_mandate],
            "not_known": [o.ballot.id for o in summary.unknown],
            "not_applicable": [o.ballot.id for o in summary.not_applicable],
            "partial": [o.ballot.id for o in summary.partial],
        },
    )
