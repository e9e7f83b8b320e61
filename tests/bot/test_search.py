"""Forgiving search: case, punctuation, typos, aliases, unions, ties, no match."""

import pytest

from bot.demo import COAL_MINING_MUSEUM, DEMO_BALLOTS, KIRKLEES, SOUTHAMPTON
from bot.domain import Ballot, Kind, PartialDate, Question
from bot.search import SearchIndex, normalise


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex(DEMO_BALLOTS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kirklees", KIRKLEES),
        ("KIRKLEES!", KIRKLEES),
        ("kirklese", KIRKLEES),
        ("kirklees unison", KIRKLEES),
        ("southampton", SOUTHAMPTON),
        ("Southampton City Council", SOUTHAMPTON),
        ("scc", SOUTHAMPTON),
        ("coal mining museum", COAL_MINING_MUSEUM),
        ("unite", SOUTHAMPTON),
    ],
)
def test_members_find_their_ballot(index: SearchIndex, typed: str, expected: Ballot) -> None:
    assert index.find(typed).ballot_ids[0] == expected.id


def test_a_union_leads_to_all_its_ballots_newest_first(index: SearchIndex) -> None:
    match = index.find("unison")
    assert set(match.ballot_ids) == {SOUTHAMPTON.id, KIRKLEES.id, COAL_MINING_MUSEUM.id}
    # The two 2013 ballots come before the one with no date at all.
    assert match.ballot_ids[-1] == SOUTHAMPTON.id


def test_no_match_gives_the_closest_names(index: SearchIndex) -> None:
    match = index.find("zzzz nowhere")
    assert not match.found
    assert not match.choices
    assert len(match.closest) == 3


def _ballot(ident: str, employer: str, year: int) -> Ballot:
    question = Question("Strike?", Kind.STRIKE)
    return Ballot(ident, ("GMB",), employer, (question,), announced=PartialDate(year))


def test_close_names_for_different_ballots_are_offered_never_guessed() -> None:
    index = SearchIndex(
        [_ballot("a", "Ashford College", 2020), _ballot("b", "Ashford Council", 2021)]
    )
    match = index.find("ashford")
    assert not match.found
    assert set(match.choices) == {"Ashford College", "Ashford Council"}


def test_an_exact_name_wins_over_close_ones() -> None:
    index = SearchIndex(
        [_ballot("a", "Ashford College", 2020), _ballot("b", "Ashford Council", 2021)]
    )
    assert index.find("ashford college").ballot_ids == ("a",)


def test_latest_ballot_of_an_employer_comes_first() -> None:
    index = SearchIndex(
        [_ballot("old", "Leeds Council", 2011), _ballot("new", "Leeds Council", 2019)]
    )
    assert index.find("leeds council").ballot_ids == ("new", "old")


def test_suggestions_start_with_what_was_typed(index: SearchIndex) -> None:
    assert index.suggest("kirk")[0].startswith("Kirklees")
    assert len(index.suggest("", limit=2)) == 2


def test_normalise_ignores_case_and_punctuation() -> None:
    assert normalise("  Kirklees-Council!! ") == "kirklees council"


def test_a_shared_generic_word_is_not_a_match(index: SearchIndex) -> None:
    """ "Leeds Council" is not "Kirklees Council" just because both are councils."""
    assert not index.find("leeds council").found


@pytest.mark.parametrize("typed", ["mining musuem", "coal musuem", "museum", "kirk"])
def test_some_words_of_a_name_with_a_typo(index: SearchIndex, typed: str) -> None:
    assert index.find(typed).found
