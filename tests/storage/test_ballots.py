"""The ballot store keeps exactly what an organiser saved, on SQLite and on PostgreSQL.

Each test runs twice (``database_url`` is parametrized), on an empty, migrated database.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

import storage.ballots
from bot.demo import DEMO_BALLOTS, KIRKLEES, SOUTHAMPTON
from bot.domain import (
    Ballot,
    Kind,
    PartialDate,
    Percentage,
    Question,
    ReportedMandate,
    Result,
    SaveReport,
    Status,
    written_decimals,
)
from bot.invariants import InvalidBallot
from storage.ballots import SqlBallotStore
from tests.support.ballots import EVERY_FIELD, NOTHING_KNOWN


def ballot(ballot_id: str, **changes: object) -> Ballot:
    """A small consultative ballot, changed as the test needs."""
    base = Ballot(
        id=ballot_id,
        unions=("Unison",),
        employer=f"Employer of {ballot_id}",
        questions=(Question(text="Accept the offer?", kind=Kind.PAY_OFFER),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def with_result(ballot_id: str, **changes: object) -> Ballot:
    question = Question(text="Strike?", kind=Kind.STRIKE, result=Result(for_pct=70.0))
    return ballot(ballot_id, questions=(question,), **changes)


async def test_an_organiser_gets_back_every_field_they_saved(store: SqlBallotStore) -> None:
    report = await store.save([EVERY_FIELD, NOTHING_KNOWN, *DEMO_BALLOTS])

    assert report == SaveReport(created=5)
    assert await store.get(EVERY_FIELD.id) == EVERY_FIELD
    assert await store.get(NOTHING_KNOWN.id) == NOTHING_KNOWN
    for demo in DEMO_BALLOTS:
        assert await store.get(demo.id) == demo


async def test_dates_keep_the_precision_the_source_gave(store: SqlBallotStore) -> None:
    await store.save([EVERY_FIELD])

    stored = await store.get(EVERY_FIELD.id)

    assert stored is not None
    assert stored.opens is not None and stored.opens.human() == "March 2024"
    assert stored.closes is not None and stored.closes.human() == "12 April 2024"
    assert stored.announced is not None and stored.announced.human() == "2024"


async def test_unknown_figures_stay_unknown(store: SqlBallotStore) -> None:
    await store.save([KIRKLEES, EVERY_FIELD])

    kirklees = await store.get(KIRKLEES.id)
    belfast = await store.get(EVERY_FIELD.id)

    assert kirklees is not None and belfast is not None
    result = kirklees.questions[0].result
    assert (result.votes_for, result.votes_against, result.turnout_pct) == (None, None, None)
    assert result.for_pct == 43.3
    approximate = belfast.questions[1].result
    assert approximate.votes_for is None and approximate.turnout_approximate is True
    assert belfast.questions[2].result == Result()


async def test_the_unions_declaration_and_the_reported_decimals_are_kept(
    store: SqlBallotStore,
) -> None:
    declared = Question(
        "Strike?",
        Kind.STRIKE,
        Result(turnout_pct=Percentage(53.0, 1), for_pct=Percentage(90, 0)),
        reported_mandate=ReportedMandate.PARTIAL,
        reported_by="UNISON press release: a mandate at 14 of 15 employers",
    )
    said_only = Question("Action short?", Kind.ACTION_SHORT_OF_STRIKE)
    said_only = dataclasses.replace(said_only, reported_mandate=ReportedMandate.YES)
    await store.save([ballot("declared", questions=(declared, said_only))])

    stored = await store.get("declared")

    assert stored is not None
    strike, short = stored.questions
    assert (strike.reported_mandate, strike.reported_by) == (
        ReportedMandate.PARTIAL,
        "UNISON press release: a mandate at 14 of 15 employers",
    )
    # 53.0 and 53 are one float; the decimals the union wrote are kept beside it.
    assert written_decimals(strike.result.turnout_pct) == 1  # type: ignore[arg-type]
    assert written_decimals(strike.result.for_pct) == 0  # type: ignore[arg-type]
    assert (short.reported_mandate, short.reported_by, short.result) == (
        ReportedMandate.YES,
        None,
        Result(),
    )


async def test_asking_for_an_unknown_ballot_gives_nothing(store: SqlBallotStore) -> None:
    assert await store.get("no-such-ballot") is None


async def test_saving_the_same_ballots_twice_changes_nothing(store: SqlBallotStore) -> None:
    await store.save(DEMO_BALLOTS)
    version = await store.catalog_version()

    again = await store.save(DEMO_BALLOTS)

    assert again == SaveReport(unchanged=3)
    assert await store.catalog_version() == version
    assert await store.count() == 3


async def test_a_corrected_result_replaces_the_old_one(store: SqlBallotStore) -> None:
    await store.save([SOUTHAMPTON, KIRKLEES])
    version = await store.catalog_version()
    corrected = dataclasses.replace(
        SOUTHAMPTON,
        unions=("Unite", "Unison"),
        questions=(
            dataclasses.replace(
                SOUTHAMPTON.questions[0],
                result=Result(votes_for=1552, votes_against=307, spoilt=4),
            ),
        ),
        aliases=("SCC",),
    )

    report = await store.save([corrected, KIRKLEES])

    assert report == SaveReport(updated=1, unchanged=1)
    assert await store.get(SOUTHAMPTON.id) == corrected
    assert await store.get(KIRKLEES.id) == KIRKLEES
    assert await store.catalog_version() > version


async def test_two_ballots_at_one_employer_keep_their_own_names(store: SqlBallotStore) -> None:
    strike = ballot("kirklees-strike", employer="Kirklees Council", aliases=("KC strike",))
    pay = ballot("kirklees-pay", employer="Kirklees Council", aliases=("KC pay", "Kirklees"))

    await store.save([strike, pay])
    await store.save([dataclasses.replace(strike, branch="Kirklees Unison")])

    assert await store.get_many(["kirklees-strike", "kirklees-pay"]) == [
        dataclasses.replace(strike, branch="Kirklees Unison"),
        pay,
    ]


async def test_a_bad_figure_leaves_the_whole_import_unsaved(store: SqlBallotStore) -> None:
    await store.save([KIRKLEES])
    version = await store.catalog_version()
    negative = Question(text="Strike?", kind=Kind.STRIKE, result=Result(votes_for=-5))
    changed_kirklees = dataclasses.replace(KIRKLEES, eligible=6600)

    with pytest.raises(IntegrityError):
        await store.save(
            [SOUTHAMPTON, changed_kirklees, ballot("bad-votes", questions=(negative,))]
        )

    assert await store.get(SOUTHAMPTON.id) is None
    assert await store.get("bad-votes") is None
    assert await store.get(KIRKLEES.id) == KIRKLEES
    assert await store.count() == 1
    assert await store.catalog_version() == version


@pytest.mark.parametrize(
    "bad",
    [
        ballot("over-100", questions=(Question("Strike?", Kind.STRIKE, Result(for_pct=101)),)),
        ballot("negative-electorate", eligible=-1),
        ballot("same-union-twice", unions=("Unison", "Unison")),
        ballot("empty-alias", aliases=("",)),
        ballot("x" * 201),
    ],
    ids=["percentage over 100", "negative electorate", "union twice", "empty alias", "long id"],
)
async def test_data_the_schema_refuses_is_not_saved(store: SqlBallotStore, bad: Ballot) -> None:
    with pytest.raises(IntegrityError):
        await store.save([SOUTHAMPTON, bad])

    assert await store.count() == 0
    assert await store.catalog_version() == 0


async def test_the_same_id_twice_in_one_save_is_refused(store: SqlBallotStore) -> None:
    with pytest.raises(ValueError, match="kirklees-council-redundancies-strike"):
        await store.save([KIRKLEES, SOUTHAMPTON, dataclasses.replace(KIRKLEES, eligible=1)])

    assert await store.count() == 0


async def test_get_many_answers_in_the_order_asked(store: SqlBallotStore) -> None:
    await store.save(DEMO_BALLOTS)
    asked = [KIRKLEES.id, "missing", SOUTHAMPTON.id, KIRKLEES.id]

    assert await store.get_many(asked) == [KIRKLEES, SOUTHAMPTON, KIRKLEES]
    assert await store.get_many([]) == []


async def test_get_many_reads_more_ballots_than_one_chunk(store: SqlBallotStore) -> None:
    many = [ballot(f"ballot-{i:04d}") for i in range(1200)]
    await store.save(many)

    found = await store.get_many([b.id for b in reversed(many)])

    assert found == list(reversed(many))


async def test_open_ballots_are_those_open_today(store: SqlBallotStore) -> None:
    today = date(2024, 5, 15)
    said_open = ballot("said-open", status=Status.OPEN)
    running = ballot("running", opens=PartialDate(2024, 5, 1), closes=PartialDate(2024, 5, 20))
    scheduled_running = ballot(
        "scheduled-running",
        status=Status.SCHEDULED,
        opens=PartialDate(2024, 5, 15),
        closes=PartialDate(2024, 5, 15),
    )
    await store.save(
        [
            said_open,
            running,
            scheduled_running,
            ballot("not-yet", opens=PartialDate(2024, 5, 16), closes=PartialDate(2024, 6, 1)),
            ballot("over", opens=PartialDate(2024, 4, 1), closes=PartialDate(2024, 5, 14)),
            ballot(
                "closed-early",
                status=Status.CLOSED,
                opens=PartialDate(2024, 5, 1),
                closes=PartialDate(2024, 5, 20),
            ),
            # Known only to the month: whether it is open today is not known, so it is not.
            ballot("month-only", opens=PartialDate(2024, 5), closes=PartialDate(2024, 5, 31)),
            ballot("no-dates"),
        ]
    )

    found = await store.open_ballots(today)

    # Closing soonest first; a ballot said to be open without a closing day comes last.
    assert found == [scheduled_running, running, said_open]


async def test_recent_results_are_newest_first(store: SqlBallotStore) -> None:
    announced = with_result("announced-june", announced=PartialDate(2024, 6, 2))
    closed = with_result("closed-july", closes=PartialDate(2024, 7, 1))
    # "2024" alone sorts at the end of 2024: it may be the latest, it is not shown as a day.
    year_only = with_result("year-only", announced=PartialDate(2024))
    opened_may = with_result("opened-may", opens=PartialDate(2024, 5))
    undated = with_result("undated")
    no_result = ballot("no-result", announced=PartialDate(2030, 1, 1))
    approximate_only = ballot(
        "approximate-flag-only",
        announced=PartialDate(2030, 1, 1),
        questions=(Question("Strike?", Kind.STRIKE, Result(turnout_approximate=True)),),
    )
    await store.save(
        [undated, opened_may, no_result, announced, year_only, closed, approximate_only]
    )

    assert await store.recent_results(10) == [year_only, closed, announced, opened_may, undated]
    assert await store.recent_results(2) == [year_only, closed]
    assert await store.recent_results(0) == []


async def test_all_ballots_are_newest_first(store: SqlBallotStore) -> None:
    ballots = [
        ballot("b-2019", announced=PartialDate(2019, 2)),
        ballot("b-2023", closes=PartialDate(2023, 1, 1)),
        ballot("b-none"),
        with_result("b-2021", opens=PartialDate(2021)),
    ]
    await store.save(ballots)

    found = await store.all_ballots()

    assert [b.id for b in found] == ["b-2023", "b-2021", "b-2019", "b-none"]
    assert found == sorted(ballots, key=lambda b: b.sort_date, reverse=True)


async def test_catalog_version_moves_on_writes_only(store: SqlBallotStore) -> None:
    assert await store.catalog_version() == 0

    await store.save([KIRKLEES])
    after_create = await store.catalog_version()
    await store.get(KIRKLEES.id)
    await store.all_ballots()
    await store.open_ballots(date(2013, 1, 1))
    await store.recent_results(5)
    await store.save([])
    await store.save([KIRKLEES])
    after_reads = await store.catalog_version()
    await store.save([dataclasses.replace(KIRKLEES, notes="Turnout now known: not yet.")])

    assert after_create > 0
    assert after_reads == after_create
    assert await store.catalog_version() > after_create


async def test_count_counts_ballots(store: SqlBallotStore) -> None:
    assert await store.count() == 0
    await store.save(DEMO_BALLOTS)
    assert await store.count() == 3


async def test_a_crash_half_way_through_a_save_leaves_nothing(
    store: SqlBallotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.save([KIRKLEES])

    async def crash(*_args: object) -> None:
        raise RuntimeError("process killed after the rows were written")

    # Runs after every row of the import has been written, before the commit.
    monkeypatch.setattr(storage.ballots, "_drop_orphan_employers", crash)
    with pytest.raises(RuntimeError):
        await store.save([SOUTHAMPTON, dataclasses.replace(KIRKLEES, eligible=7000)])

    assert await store.get_many([SOUTHAMPTON.id, KIRKLEES.id]) == [KIRKLEES]
    assert await store.catalog_version() == 1


async def test_two_organisers_saving_at_once_both_land(store: SqlBallotStore) -> None:
    # Both imports create the union "Unison" and the same employer at the same moment.
    first = [ballot(f"first-{i}", employer="Leeds City Council") for i in range(20)]
    second = [ballot(f"second-{i}", employer="Leeds City Council") for i in range(20)]

    reports = await asyncio.gather(store.save(first), store.save(second))

    assert reports == [SaveReport(created=20), SaveReport(created=20)]
    assert await store.count() == 40
    assert await store.catalog_version() == 2
    assert await store.get_many(["first-3", "second-7"]) == [first[3], second[7]]


async def test_the_catalog_names_every_ballot_as_the_domain_does(database_url: str) -> None:
    """The search index reads names as rows; they must be the ballot's own names."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bot.demo import DEMO_BALLOTS
    from storage.ballots import SqlBallotStore
    from storage.database import create_engine, upgrade

    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        store = SqlBallotStore(async_sessionmaker(engine, expire_on_commit=False))
        await store.save(DEMO_BALLOTS)
        catalog = {entry.ballot_id: entry for entry in await store.catalog()}
        assert catalog == {b.id: b.catalog_entry() for b in DEMO_BALLOTS}
    finally:
        await engine.dispose()


def _counted(ballot_id: str, eligible: int, **result: object) -> Ballot:
    question = Question(text="Strike?", kind=Kind.STRIKE, result=Result(**result))  # type: ignore[arg-type]
    return ballot(ballot_id, eligible=eligible, questions=(question,))


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        (
            _counted("more-votes-than-voters", 2266, votes_for=2000, votes_against=250, spoilt=33),
            "votes_for",
            "2,283 votes counted but only 2,266 entitled",
        ),
        (
            ballot(
                "shut-before-it-opened", opens=PartialDate(2024, 5, 2), closes=PartialDate(2024, 4)
            ),
            "closes",
            "2024-04 is before it opens (2024-05-02)",
        ),
        (
            ballot(
                "result-before-the-close",
                closes=PartialDate(2024, 5, 20),
                announced=PartialDate(2024, 5, 19),
            ),
            "announced",
            "2024-05-19 is before it closes (2024-05-20)",
        ),
        (
            ballot(
                "result-before-it-opened", opens=PartialDate(2024, 5), announced=PartialDate(2024)
            ),
            None,
            None,
        ),
    ],
    ids=["votes over electorate", "closes first", "announced early", "year"],
)
async def test_a_ballot_that_cannot_be_true_is_refused_by_the_store_itself(
    store: SqlBallotStore, bad: Ballot, field: str | None, reason: str | None
) -> None:
    """Whatever path a write comes by (import, feed, organiser, code), the store refuses it."""
    if field is None:  # announced in 2024, opened May 2024: may well be true, so stored
        assert (await store.save([bad])).created == 1
        return
    with pytest.raises(InvalidBallot) as refused:
        await store.save([SOUTHAMPTON, bad])

    assert refused.value.ballot_id == bad.id
    assert refused.value.problems[0] == (field, reason)
    assert f"{field}: {reason}" in str(refused.value)
    assert await store.count() == 0
    assert await store.catalog_version() == 0


async def test_counts_past_the_turnout_reported_so_far_are_stored(store: SqlBallotStore) -> None:
    """Turnout is reported while a ballot runs: the final counts may pass it (a card shows
    the disagreement), so it is not refused."""
    final = _counted("counted-after", 1000, votes_for=400, votes_against=200, turnout_pct=31.5)

    assert (await store.save([final])).created == 1
