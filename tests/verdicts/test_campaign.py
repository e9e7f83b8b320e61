"""A disaggregated campaign: which employers' ballots gave a mandate, and which did not."""

from __future__ import annotations

from dataclasses import replace

from bot.cards import ballot_card
from bot.demo import KIRKLEES, SOUTHAMPTON
from bot.domain import Kind
from bot.replies import Tone
from bot.verdicts import Mandate, campaign_summary, rule_table
from bot.verdicts.campaign import ballot_outcome
from bot.verdicts.judge import legal_judge
from tests.verdicts.helpers import ballot

TABLE = rule_table()


def employer(name: str, **figures: object):
    return replace(ballot(opens="2022-10-06", **figures), id=name, employer=name)


def test_campaign_counts_mandates_failures_and_unknowns() -> None:
    passed = employer("Trust A", eligible=100, votes_for=60, votes_against=5, spoilt=0)
    missed = employer("Trust B", eligible=100, votes_for=40, votes_against=5, spoilt=0)
    unknown = employer("Trust C", for_pct=90.0)
    consult = replace(employer("Trust D", kind=Kind.CONSULTATIVE, for_pct=90.0))
    summary = campaign_summary([passed, missed, unknown, consult], TABLE)
    assert [o.ballot.employer for o in summary.mandate] == ["Trust A"]
    assert [o.ballot.employer for o in summary.no_mandate] == ["Trust B"]
    assert [o.ballot.employer for o in summary.unknown] == ["Trust C"]
    assert [o.ballot.employer for o in summary.not_applicable] == ["Trust D"]
    assert summary.headline() == "1 of 3 ballots gave a mandate; 1 did not; 1 not known"


def test_a_ballot_gives_a_mandate_if_any_statutory_question_does() -> None:
    strike_lost = ballot(opens="2022-10-06", eligible=100, votes_for=20, votes_against=40, spoilt=0)
    asos = replace(
        strike_lost.questions[0],
        kind=Kind.ACTION_SHORT_OF_STRIKE,
        result=replace(strike_lost.questions[0].result, votes_for=50, votes_against=10),
    )
    both = replace(strike_lost, questions=(strike_lost.questions[0], asos))
    outcome = ballot_outcome(both, TABLE)
    assert outcome.mandate is Mandate.YES
    assert [v.mandate for v in outcome.verdicts] == [Mandate.NO, Mandate.YES]


def test_campaign_with_no_industrial_action_ballots() -> None:
    assert campaign_summary([SOUTHAMPTON], TABLE).headline() == (
        "No industrial-action ballots in this campaign: no legal threshold applies"
    )


def test_legal_judge_puts_the_verdict_on_the_member_card() -> None:
    card = ballot_card(KIRKLEES, legal_judge(TABLE))
    assert card.tone is Tone.FAILED
    lines = card.sections[0].lines
    assert lines[0] == "No mandate for strike action: a majority voted against ✘"
    assert any(line.startswith("Rules before 1 March 2017: no turnout threshold") for line in lines)
    southampton = ballot_card(SOUTHAMPTON, legal_judge(TABLE))
    assert southampton.tone is Tone.NEUTRAL
    assert southampton.sections[0].lines[0] == (
        "No legal threshold applies to a consultative ballot"
    )
