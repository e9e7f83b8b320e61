"""Figures a member can trust: computed only from what is known."""

from bot.domain import Ballot, Kind, Question, Result
from bot.figures import derive


def ballot(result: Result, eligible: int | None = None) -> tuple[Ballot, Question]:
    question = Question("Strike?", Kind.STRIKE, result)
    return Ballot("b", ("Unison",), "Employer", (question,), eligible=eligible), question


def test_spoilt_papers_count_towards_turnout() -> None:
    figures = derive(*ballot(Result(votes_for=300, votes_against=190, spoilt=20), eligible=1000))
    assert figures.papers_returned == 510
    assert figures.turnout_pct == 51.0
    assert not figures.turnout_is_minimum
    assert figures.for_pct_of_votes == 100 * 300 / 490  # unrounded: rounded once, when shown
    assert figures.to_dict()["for_pct_of_votes"] == 61.22
    assert figures.for_pct_of_eligible == 30.0


def test_unknown_spoilt_makes_turnout_a_minimum() -> None:
    figures = derive(*ballot(Result(votes_for=300, votes_against=190), eligible=1000))
    assert figures.turnout_pct == 49.0
    assert figures.turnout_is_minimum
    assert figures.papers_returned is None


def test_nothing_known_gives_nothing() -> None:
    figures = derive(*ballot(Result()))
    assert figures.turnout_pct is None
    assert figures.for_pct_of_votes is None
    assert figures.for_pct_of_eligible is None
    assert figures.warnings == ()


def test_reported_share_alone_gives_both_shares() -> None:
    figures = derive(*ballot(Result(for_pct=43.3), eligible=6500))
    assert figures.for_pct_of_votes == 43.3
    assert figures.against_pct_of_votes == 56.7
    assert figures.turnout_pct is None
    assert figures.for_pct_of_eligible is None


def test_counts_and_reported_share_that_disagree_are_flagged() -> None:
    figures = derive(*ballot(Result(votes_for=60, votes_against=40, for_pct=70.0)))
    assert any("does not match" in w for w in figures.warnings)


def test_rounding_is_not_a_disagreement() -> None:
    figures = derive(*ballot(Result(votes_for=1552, votes_against=307, for_pct=83.5)))
    assert figures.warnings == ()


def test_approximate_turnout_is_not_checked_against_counts() -> None:
    result = Result(
        votes_for=1552, votes_against=307, spoilt=0, turnout_pct=60.0, turnout_approximate=True
    )
    assert derive(*ballot(result, eligible=3000)).warnings == ()
