"""Invariants no ballot may break, whatever its figures and dates (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Ballot, Jurisdiction, Kind, PartialDate, Question, Result, YesNoUnknown
from bot.verdicts import Mandate, Outcome, rule_table, verdict_for

TABLE = rule_table()
MET = Outcome.MET
RANK = {Mandate.NO: 0, Mandate.NOT_KNOWN: 1, Mandate.YES: 2}

counts = st.none() | st.integers(min_value=0, max_value=5000)
shares = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False).map(
    lambda v: round(v, 1)
)
dates = st.none() | st.builds(
    PartialDate.of,
    st.dates(min_value=PartialDate(2010).earliest, max_value=PartialDate(2030).latest),
)
partial = st.none() | st.builds(PartialDate, st.integers(min_value=2010, max_value=2030))


@st.composite
def ballots(draw: st.DrawFn) -> Ballot:
    result = Result(
        votes_for=draw(counts),
        votes_against=draw(counts),
        spoilt=draw(counts),
        turnout_pct=draw(shares),
        for_pct=draw(shares),
        turnout_approximate=draw(st.booleans()),
    )
    kind = draw(st.sampled_from([Kind.STRIKE, Kind.ACTION_SHORT_OF_STRIKE]))
    return Ballot(
        id="p",
        unions=("Unison",),
        employer="Anywhere",
        questions=(Question("Strike?", kind, result),),
        jurisdiction=draw(st.sampled_from(list(Jurisdiction))),
        important_public_service=draw(st.sampled_from(list(YesNoUnknown))),
        opens=draw(dates | partial),
        closes=draw(dates),
        announced=draw(dates | partial),
        eligible=draw(st.none() | st.integers(min_value=1, max_value=12000)),
    )


def judge(ballot: Ballot):
    return verdict_for(ballot, ballot.questions[0], TABLE)


def with_result(ballot: Ballot, **changes: object) -> Ballot:
    question = ballot.questions[0]
    return replace(
        ballot, questions=(replace(question, result=replace(question.result, **changes)),)
    )


@settings(max_examples=300, deadline=None)
@given(ballots(), st.integers(min_value=1, max_value=3000))
def test_more_yes_votes_never_take_a_mandate_away(ballot: Ballot, extra: int) -> None:
    before = judge(ballot).mandate
    result = ballot.questions[0].result
    if result.votes_for is not None:
        more = with_result(ballot, votes_for=result.votes_for + extra)
    elif result.for_pct is not None:
        more = with_result(ballot, for_pct=min(100.0, result.for_pct + extra / 100))
    else:
        return
    after = judge(more).mandate
    # No < not known < yes: more yes votes may only move a verdict up this ladder.
    assert RANK[after] >= RANK[before]


@settings(max_examples=300, deadline=None)
@given(ballots())
def test_unknown_inputs_never_give_met(ballot: Ballot) -> None:
    verdict = judge(ballot)
    result = ballot.questions[0].result
    if result.for_pct is None and (result.votes_for is None or result.votes_against is None):
        assert verdict.majority_test is not MET
    counted = result.votes_for is not None and result.votes_against is not None
    if result.turnout_pct is None and (ballot.eligible is None or not counted):
        assert verdict.turnout_test is not MET
    without_counts = result.votes_for is None or ballot.eligible is None
    if without_counts and verdict.support_test is MET:
        # Without the counts only an inference from both reported percentages can meet it.
        assert verdict.inferred
        assert result.turnout_pct is not None
        assert result.for_pct is not None or counted
    if verdict.mandate is Mandate.YES:
        assert verdict.majority_test is MET
        assert Outcome.NOT_KNOWN not in (verdict.turnout_test, verdict.support_test)


@settings(max_examples=300, deadline=None)
@given(ballots())
def test_a_rejected_question_never_gives_a_mandate(ballot: Ballot) -> None:
    result = ballot.questions[0].result
    rejected = (
        result.votes_for is not None
        and result.votes_against is not None
        and result.votes_for <= result.votes_against
    ) or (
        (result.votes_for is None or result.votes_against is None)
        and result.for_pct is not None
        and result.for_pct <= 50
    )
    if rejected:
        assert judge(ballot).mandate is not Mandate.YES


@settings(max_examples=200, deadline=None)
@given(ballots(), st.sampled_from([Kind.CONSULTATIVE, Kind.PAY_OFFER, Kind.OTHER]))
def test_no_threshold_ballot_is_never_passed_or_failed(ballot: Ballot, kind: Kind) -> None:
    question = replace(ballot.questions[0], kind=kind)
    verdict = verdict_for(ballot, question, TABLE)
    assert verdict.mandate is Mandate.NOT_APPLICABLE
    assert not any("✘" in line or "✔" in line for line in verdict.explanation)


@settings(max_examples=200, deadline=None)
@given(ballots())
def test_expiry_only_with_an_exact_close_and_a_mandate(ballot: Ballot) -> None:
    verdict = judge(ballot)
    if verdict.mandate_expires is not None:
        assert verdict.mandate is Mandate.YES
        assert ballot.closes is not None and ballot.closes.exact is not None
        assert verdict.mandate_expires >= ballot.closes.exact
    assert verdict.to_dict()["mandate"] == verdict.mandate.value
