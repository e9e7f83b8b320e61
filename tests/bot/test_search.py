"""Forgiving search: case, punctuation, Unicode, typos, aliases, unions and other facets,
ranking, ties, no match, autocomplete, subscriptions and the union table."""

from datetime import date
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.demo import COAL_MINING_MUSEUM, DEMO_BALLOTS, KIRKLEES, SOUTHAMPTON
from bot.domain import Ballot, Kind, PartialDate, Question, Status
from bot.search import BUILTIN_TABLE, SearchIndex, Union, normalise
from bot.search.unions import union_table


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


# -- Unicode: one key however a name is typed; displays stay as typed ------------------------


def _at(ident: str, employer: str, union: str = "Unite", **more: object) -> Ballot:
    question = Question("Strike?", Kind.STRIKE)
    return Ballot(ident, (union,), employer, (question,), **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Cyngor Sir Ynys Môn", "cyngor sir ynys mon"),
        ("Cyngor Sir Ynys Mo\u0302n", "cyngor sir ynys mon"),  # decomposed
        ("İZMİR", "izmir"),
        ("ızmır", "izmir"),  # dotless i
        ("Ｋｉｒｋｌｅｅｓ", "kirklees"),  # full-width
        ("Dún Laoghaire", "dun laoghaire"),  # an Irish fada
        ("Tŷ Hywel", "ty hywel"),
        ("St John's Hospital", "st john hospital"),
        ("N.E.U.", "neu"),
        ("Straße", "strasse"),
    ],
)
def test_every_form_of_a_name_has_one_key(typed: str, key: str) -> None:
    assert normalise(typed) == key


@pytest.mark.parametrize("typed", ["İZMİR", "izmir", "Izmir", "ＩＺＭＩＲ", "izmir unite"])
def test_a_turkish_name_is_found_however_it_is_cased(typed: str) -> None:
    index = SearchIndex([_at("izmir", "İzmir Büyükşehir Belediyesi"), _at("leeds", "Leeds")])
    assert index.find(typed).ballot_ids == ("izmir",)


def test_choices_and_closest_names_keep_their_accents() -> None:
    index = SearchIndex(
        [_at("mon", "Cyngor Sir Ynys Môn"), _at("gwynedd", "Cyngor Gwynedd"), _at("x", "Leeds")]
    )
    assert set(index.find("cyngor").choices) == {"Cyngor Sir Ynys Môn", "Cyngor Gwynedd"}
    assert "Cyngor Sir Ynys Môn" in index.find("ynys mxn").closest


# -- Facets ------------------------------------------------------------------------------------


def test_every_union_named_must_have_balloted() -> None:
    index = SearchIndex(DEMO_BALLOTS)
    assert index.find("unison unite").ballot_ids == (SOUTHAMPTON.id,)  # the joint ballot
    assert not index.find("unite kirklees").found


def test_a_union_word_that_is_also_a_name_is_read_as_the_name_when_the_union_finds_nothing() -> (
    None
):
    index = SearchIndex(
        [
            _at("chp", "Community Health Partnerships", union="Unison"),
            _at("steel", "Tata Steel", union="Community"),
        ]
    )
    assert index.find("community").ballot_ids == ("steel",)
    assert index.find("unison community health").ballot_ids == ("chp",)


def test_a_status_word_inside_a_name_stays_a_name() -> None:
    today = date(2024, 3, 1)
    running = {"status": Status.OPEN, "opens": PartialDate(2024, 2, 1)}
    index = SearchIndex(
        [
            _at("ou", "The Open University", union="UCU", announced=PartialDate(2023)),
            _at("leeds", "University of Leeds", union="UCU", **running),
        ]
    )
    assert index.find("ucu open university", today).ballot_ids == ("ou",)
    assert index.find("ucu open", today).ballot_ids == ("leeds",)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("close brothers", "close-brothers"),
        ("what happened at close brothers", "close-brothers"),
        ("hello fresh strike", "hello-fresh"),
        ("thanks ltd", "thanks-ltd"),
        ("information services", "information-services"),
        ("brothers pizza", "brothers-pizza"),
        ("what happened at fresh foods", "fresh-foods"),
    ],
)
def test_a_word_members_add_is_kept_where_it_is_part_of_a_name(typed: str, meant: str) -> None:
    index = SearchIndex(
        [
            _at("close-brothers", "Close Brothers"),
            _at("brothers-pizza", "Brothers Pizza"),
            _at("hello-fresh", "Hello Fresh", union="GMB"),
            _at("fresh-foods", "Fresh Foods", union="GMB"),
            _at("thanks-ltd", "Thanks Ltd", union="GMB"),
            _at("other-ltd", "Other Ltd", union="GMB"),
            _at("information-services", "Information Services Ltd"),
            _at("services-direct", "Services Direct"),
        ]
    )
    match = index.find(typed)
    assert match.found and match.ballot_ids == (meant,), match


def test_open_and_closed_follow_the_dates_when_no_status_says() -> None:
    index = SearchIndex(
        [
            _at("now", "Leeds", opens=PartialDate(2024, 3, 1), closes=PartialDate(2024, 3, 20)),
            _at("soon", "York", opens=PartialDate(2024, 4, 1), closes=PartialDate(2024, 4, 20)),
            _at("cancelled", "Hull", status=Status.CANCELLED),
        ]
    )
    assert index.find("unite open", date(2024, 3, 10)).ballot_ids == ("now",)
    assert index.find("unite closed", date(2024, 3, 25)).ballot_ids == ("now",)
    assert index.find("unite upcoming", date(2024, 3, 10)).ballot_ids == ("soon",)
    assert index.find("unite cancelled", date(2024, 3, 10)).ballot_ids == ("cancelled",)


def test_a_ballot_open_across_new_year_belongs_to_both_years() -> None:
    index = SearchIndex(
        [_at("fbu", "Fire", opens=PartialDate(2022, 12, 5), closes=PartialDate(2023, 1, 30))]
    )
    for typed in ("unite 2022", "unite 2023", "unite december 2022", "unite jan 2023"):
        assert index.find(typed).found, typed
    assert not index.find("unite march 2023").found


def test_a_year_in_a_name_counts_as_that_year() -> None:
    """The NJC's 2021 pay claim was balloted on in 2022."""
    index = SearchIndex(
        [_at("njc", "Local government (NJC pay 2021)", announced=PartialDate(2022, 1, 14))]
    )
    assert index.find("unite njc 2021").found and index.find("unite njc 2022").found


def test_a_month_word_that_is_a_town_is_a_name() -> None:
    index = SearchIndex([_at("march", "March Town Council"), _at("ely", "Ely Council")])
    assert index.find("march").ballot_ids == ("march",)


# -- Ranking and deciding --------------------------------------------------------------------


def test_a_card_never_lacks_a_distinctive_word_that_was_typed() -> None:
    index = SearchIndex([_at("a", "Kirklees Council"), _at("b", "Leeds Hospitals NHS Trust")])
    for typed in ("leeds council", "kirklees hospitals", "wakefield council"):
        match = index.find(typed)
        assert not (match.found and set(match.ballot_ids) == {"a"}), typed


def test_the_field_a_word_matched_in_ranks_the_employer_first() -> None:
    index = SearchIndex(
        [_at("council", "Falkirk Council"), _at("college", "Forth Valley College", area="Falkirk")]
    )
    assert index.find("falkirk").ballot_ids == ("council",)


def test_same_employer_ties_go_to_the_newest_ballot() -> None:
    index = SearchIndex(
        [
            _at("old", "Leeds City Council", announced=PartialDate(2019)),
            _at("new", "Leeds City Council", union="GMB", announced=PartialDate(2023)),
        ]
    )
    assert index.find("leeds").ballot_ids == ("new", "old")


def test_choices_carry_the_ballot_each_stands_for() -> None:
    index = SearchIndex(
        [_ballot("a", "Ashford College", 2020), _ballot("b", "Ashford Council", 2021)]
    )
    match = index.find("ashford")
    assert set(match.options) == {("Ashford College", "a"), ("Ashford Council", "b")}


def test_at_most_five_choices_and_how_many_matched() -> None:
    index = SearchIndex([_ballot(f"c{i}", f"Town{i} Council", 2000 + i) for i in range(8)])
    match = index.find("council")
    assert len(match.choices) == 5 and match.total == 8
    assert match.choice_ids[0] == "c7"  # the newest first


def test_nothing_typed_and_nothing_stored_are_told_apart() -> None:
    assert SearchIndex(DEMO_BALLOTS).find("!!! 🗳️").typed_nothing
    assert SearchIndex(DEMO_BALLOTS).find("the of").typed_nothing
    empty = SearchIndex([]).find("kirklees")
    assert empty.empty and not empty.closest


def test_a_search_among_some_ballots_only_looks_there() -> None:
    index = SearchIndex(DEMO_BALLOTS)
    assert not index.find("kirklees", among=[SOUTHAMPTON.id]).found
    assert index.find("unison", among=[KIRKLEES.id]).ballot_ids == (KIRKLEES.id,)


@pytest.mark.parametrize(
    "typed",
    [
        "falkirk " * 80,
        "unison falkirk " + "zzz " * 100,
        "x" * 500,
        "unison " * 70,
        "2023 " * 100,
        "🗳️" * 200,
    ],
)
def test_a_long_query_is_cut_to_what_a_name_can_be_and_never_guesses(typed: str) -> None:
    index = SearchIndex([_at("f", "Falkirk Council", union="UNISON"), _at("k", "Kirklees")])
    match = index.find(typed[:500])
    assert not match.found or match.ballot_ids == ("f",)
    if "zzz" in typed or "x" * 10 in typed:
        assert not match.found


# -- Autocomplete and subscriptions ------------------------------------------------------------


def test_autocomplete_reads_unions_and_finishes_the_last_word() -> None:
    index = SearchIndex(
        [
            _at("f", "Falkirk Council", union="UNISON"),
            _at("s", "South Lanarkshire Council", union="UNISON"),
            _at("e", "Falkirk Council", union="EIS"),
        ]
    )
    assert index.suggest("unison fal")[0] == "Falkirk Council (UNISON)"
    assert index.suggest("unison fal ") == []  # a finished word "fal" names nothing
    assert index.suggest("royal college of nursing") == []
    assert "UNISON" in index.suggest("unis")
    picked = index.suggest("unison fal")[0]
    assert index.find(picked).ballot_ids == ("f",)  # the name searches for exactly that
    # What a pick submits is that ballot's reference, never the name (which is data).
    assert [(s.name, s.ref) for s in index.suggestions("eis fal")] == [
        ("Falkirk Council (EIS)", "#e")
    ]
    assert ("UNISON", "#s") in [(s.name, s.ref) for s in index.suggestions("unis")]  # newest


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("unison", "union", "unison"),
        ("royal college of nursing", "union", "rcn"),
        ("UNITE", "union", "unite"),
        ("Southampton", "alias", "southampton"),
        ("kirklees council", "employer", "kirklees council"),
        ("coal mining", "alias", "coal mining museum"),
    ],
)
def test_a_subscription_follows_the_one_thing_named(typed: str, kind: str, value: str) -> None:
    named = SearchIndex(DEMO_BALLOTS).filter_of(typed)
    assert named is not None and (named.kind, named.value) == (kind, value)


@pytest.mark.parametrize("typed", ["unisn", "kirklese", "unison kirklees", "council", "2013"])
def test_a_subscription_is_never_a_guess(typed: str) -> None:
    assert SearchIndex(DEMO_BALLOTS).filter_of(typed) is None


# -- The union table -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UNISON", "unison"),
        ("Unison Scotland", "unison"),
        ("National Union of Teachers", "neu"),
        ("ATL", "neu"),
        ("Royal College of Nursing", "rcn"),
        ("Unite the Union", "unite"),
        ("TGWU", "unite"),
        ("Fire Brigades Union", "fbu"),
        ("fire brigades", "fbu"),
        ("Union of Shop, Distributive and Allied Workers", "usdaw"),
        ("Some Local Staff Association", "some local staff association"),
    ],
)
def test_every_name_of_a_union_has_its_key(name: str, key: str) -> None:
    assert BUILTIN_TABLE.key_of(name) == key


def test_the_table_holds_the_unions_the_issue_names() -> None:
    named = "RCN BMA NEU NASUWT EIS RMT ASLEF UCU PCS CWU FBU GMB Unite UNISON Usdaw Prospect"
    for name in [*named.split(" "), "Equity", "NUJ", "BFAWU", "Community"]:
        assert normalise(name) in BUILTIN_TABLE.unions, name


def test_the_config_adds_unions_and_names() -> None:
    table = BUILTIN_TABLE.extended(
        [
            Union("Pharmacists' Defence Association Union", "PDAU"),
            Union("UNISON", None, ("The public service union",)),
        ]
    )
    index = SearchIndex(
        [
            _at("boots", "Boots", union="Pharmacists' Defence Association Union"),
            _at("falkirk", "Falkirk Council", union="UNISON"),
        ],
        unions=table,
    )
    assert index.find("pdau").ballot_ids == ("boots",)
    assert index.find("the public service union falkirk").ballot_ids == ("falkirk",)
    assert table.key_of("PDAU") == table.key_of("Pharmacists Defence Association Union")


def test_unions_from_the_config_reach_the_core(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[unions]]\nname = "Pharmacists\' Defence Association Union"\nshort = "PDAU"\n'
        'also = ["PDA Union"]\n',
        encoding="utf-8",
    )
    table = union_table(load_settings(config).unions)
    assert table.key_of("PDA Union") == "pdau" and table.display_of("pdau") == "PDAU"
    assert table.key_of("UNISON") == "unison"  # the built-in table is still there


def test_a_huge_text_is_read_only_as_far_as_a_name_can_go() -> None:
    index = SearchIndex([_at("f", "Falkirk Council", union="UNISON")])
    match = index.find("unison falkirk " * 10_000)
    assert not match.found  # pasted text is not a search: at most a list to pick from


def test_who_balloted_stands_for_their_unions_unless_it_is_a_name() -> None:
    index = SearchIndex(
        [
            _at("neu", "Schools in England", union="NEU", announced=PartialDate(2023)),
            _at("eis", "Scottish schools", union="EIS", announced=PartialDate(2022)),
            _at("tps", "Teachers' Pension Scheme", union="PCS", announced=PartialDate(2021)),
        ]
    )
    assert set(index.find("teachers").choice_ids) == {"neu", "eis"}
    assert index.find("teachers 2023").ballot_ids == ("neu",)
    assert index.find("teachers pension scheme").ballot_ids == ("tps",)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("marhm buses", "Marham Buses"),  # exactly that name, with its typo
        ("gleenminster university", "Glenminster University"),
        ("sldale borough council", "Saldale Borough Council"),  # a dropped letter
        ("cary buses", "Carby Buses"),  # four letters may carry one typo
        ("norham uniiversity", "Norham University"),  # a typo in a generic word
    ],
)
def test_a_typo_still_reaches_the_one_name_it_is_nearest(typed: str, meant: str) -> None:
    names = (
        "Marham Buses", "North Marham Buses", "Glenminster University",
        "West Glenminster University", "Saldale Borough Council", "Eldale Borough Council",
        "Carby Buses", "Norham University", "Upper Norham University", "Norham Borough Council",
    )  # fmt: skip
    index = SearchIndex([_at(str(i), name) for i, name in enumerate(names)])
    match = index.find(typed)
    assert match.found and names[int(match.ballot_ids[0])] == meant
