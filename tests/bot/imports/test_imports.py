"""An organiser imports a spreadsheet: good files go in whole, bad ones not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain import Kind, PartialDate, ReportedMandate, written_decimals
from bot.imports.exports import export_ballots
from bot.imports.files import ImportRejected, import_file, parse_csv, parse_json
from tests.support.conversation import Conversation

HEADER = "id,unions,employer,kind,question,eligible,votes_for,votes_against,spoilt,opens,closes"
GOOD_ROW = "leeds-1,GMB;Unison,Leeds City Council,strike,Strike?,1000,400,200,10,2024-01-08,2024-02"


def test_columns_in_any_order_and_unknown_cells_empty() -> None:
    text = (
        "question,employer,id,kind,unions,announced,turnout_pct\n"
        "Strike?,Leeds City Council,leeds-1,strike,GMB,2013,\n"
    )
    (ballot,) = parse_csv(text)
    assert ballot.employer == "Leeds City Council"
    assert ballot.announced == PartialDate(2013)
    assert ballot.questions[0].result.turnout_pct is None
    assert ballot.eligible is None


def test_rows_sharing_an_id_are_questions_of_one_ballot() -> None:
    text = (
        f"{HEADER}\n{GOOD_ROW}\n"
        "leeds-1,GMB;Unison,Leeds City Council,action_short_of_strike,Action short?,1000,500,100,"
        "10,2024-01-08,2024-02\n"
    )
    (ballot,) = parse_csv(text)
    assert [q.kind for q in ballot.questions] == [Kind.STRIKE, Kind.ACTION_SHORT_OF_STRIKE]
    assert ballot.unions == ("GMB", "Unison")
    assert ballot.closes == PartialDate(2024, 2)


@pytest.mark.parametrize(
    ("row", "column", "why"),
    [
        (GOOD_ROW.replace(",400,", ",four hundred,"), "votes_for", "not a whole number"),
        (GOOD_ROW.replace(",400,", ",-4,"), "votes_for", "negative"),
        (GOOD_ROW.replace(",1000,", ",100,"), "votes_for", "only 100 entitled"),
        (GOOD_ROW.replace("2024-01-08", "08/01/2024"), "opens", "not a date"),
        (GOOD_ROW.replace("2024-01-08", "2024-02-30"), "opens", "not a real date"),
        (GOOD_ROW.replace(",strike,", ",walkout,"), "kind", "not one of"),
        (GOOD_ROW.replace("2024-01-08", "2024-03-01"), "closes", "before it opens"),
        (GOOD_ROW.replace(",400,200,10,", ",400,590,11,"), "votes_for", "1,001 votes counted"),
        (GOOD_ROW.replace("Strike?", "x" * 600), "question", "too long"),
        (GOOD_ROW.replace("Leeds City Council", ""), "employer", "required"),
    ],
)
def test_every_bad_row_is_named_with_its_column(row: str, column: str, why: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_csv(f"{HEADER}\n{GOOD_ROW.replace('leeds-1', 'ok-1')}\n{row}\n")
    (problem,) = refused.value.errors
    assert problem.where == "row 3"
    assert problem.column == column
    assert why in problem.message


def test_a_result_announced_before_the_ballot_closed_is_refused_with_its_row() -> None:
    text = (
        "id,unions,employer,kind,question,closes,announced\n"
        "leeds-1,GMB,Leeds City Council,strike,Strike?,2024-02-09,2024-02-08\n"
    )
    with pytest.raises(ImportRejected) as refused:
        parse_csv(text)
    (problem,) = refused.value.errors
    assert (problem.where, problem.column) == ("row 2", "announced")
    assert problem.message == "2024-02-08 is before it closes (2024-02-09)"


def test_percentage_over_100_is_refused() -> None:
    with pytest.raises(ImportRejected, match="outside 0 to 100"):
        parse_csv("id,unions,employer,kind,question,turnout_pct\nx,GMB,E,strike,Q?,104\n")


def test_missing_header_column_and_unknown_column() -> None:
    with pytest.raises(ImportRejected, match="required column"):
        parse_csv("id,unions,employer,question\nx,GMB,E,Q?\n")
    with pytest.raises(ImportRejected, match="unknown column"):
        parse_csv("id,unions,employer,kind,question,favourite_colour\nx,GMB,E,strike,Q?,red\n")
    with pytest.raises(ImportRejected, match="header row is required"):
        parse_csv("")


def test_questions_of_one_ballot_must_agree_on_the_ballot() -> None:
    other = GOOD_ROW.replace("Leeds City Council", "York Council")
    with pytest.raises(ImportRejected, match="differs from row 2"):
        parse_csv(f"{HEADER}\n{GOOD_ROW}\n{other}\n")


def test_json_is_checked_like_csv() -> None:
    document = {
        "ballots": [
            {
                "id": "x",
                "unions": ["GMB"],
                "employer": "E",
                "questions": [{"question": "Q?", "kind": "strike", "votes_for": -1}],
            }
        ]
    }
    with pytest.raises(ImportRejected) as refused:
        parse_json(json.dumps(document))
    assert str(refused.value.errors[0]).startswith("ballot 1 question 1, column votes_for")


async def test_a_file_with_one_bad_row_imports_nothing(chat: Conversation, tmp_path: Path) -> None:
    path = tmp_path / "ballots.csv"
    path.write_text(
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW.replace('leeds-1', 'y').replace(',400,', ',-1,')}\n"
    )
    before = await chat.app.store.count()
    with pytest.raises(ImportRejected):
        await import_file(chat.app.store, path)
    assert await chat.app.store.count() == before
    assert not (await chat.say("leeds city council")).ok


async def test_importing_twice_changes_nothing(chat: Conversation, tmp_path: Path) -> None:
    path = tmp_path / "ballots.csv"
    path.write_text(f"{HEADER}\n{GOOD_ROW}\n")
    assert (await import_file(chat.app.store, path)).created == 1
    again = await import_file(chat.app.store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert (await chat.say("leeds city council")).header == "Leeds City Council — GMB and Unison"


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_export_then_import_gives_the_same_ballots(
    chat: Conversation, tmp_path: Path, fmt: str
) -> None:
    text = await export_ballots(chat.app.store, fmt)  # type: ignore[arg-type]
    parsed = parse_csv(text) if fmt == "csv" else parse_json(text)
    assert sorted(parsed, key=lambda b: b.id) == sorted(
        await chat.app.store.all_ballots(), key=lambda b: b.id
    )


async def test_json_export_carries_derived_figures_and_ids(chat: Conversation) -> None:
    document = json.loads(await export_ballots(chat.app.store, "json"))
    by_id = {b["id"]: b for b in document["ballots"]}
    southampton = by_id["southampton-city-council-pay-cuts"]["questions"][0]
    assert southampton["votes_for"] == 1552
    assert southampton["derived"]["for_pct_of_votes"] == 83.49
    assert southampton["derived"]["turnout_pct"] is None  # nobody reported the electorate


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    from bot.imports.files import read_ballots

    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "id,unions,employer,kind,question\nx,GMB,Caf\xe9,strike,Q?\n".encode("latin-1")
    )
    with pytest.raises(ImportRejected, match="not UTF-8"):
        read_ballots(path)


def test_the_unions_declaration_and_the_decimals_written_are_read() -> None:
    text = (
        "id,unions,employer,kind,question,turnout_pct,for_pct,reported_mandate,reported_by\n"
        'neu-1,NEU,Schools in England,strike,Strike?,53.0,90,yes,"NEU press release"\n'
        "neu-1,NEU,Schools in England,action_short_of_strike,Short?,51.30,95%,,\n"
    )
    (ballot,) = parse_csv(text)
    strike, short = ballot.questions
    assert (strike.reported_mandate, strike.reported_by) == (
        ReportedMandate.YES,
        "NEU press release",
    )
    assert (short.reported_mandate, short.reported_by) == (None, None)
    assert [written_decimals(q.result.turnout_pct) for q in ballot.questions] == [1, 2]  # type: ignore[arg-type]
    assert written_decimals(strike.result.for_pct) == 0  # type: ignore[arg-type]


def test_a_declaration_that_is_not_yes_no_or_partial_is_refused() -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_csv(f"{HEADER},reported_mandate\n{GOOD_ROW},probably\n")
    (problem,) = refused.value.errors
    assert problem.column == "reported_mandate"
    assert "yes | no | partial" in problem.message


def test_json_gives_the_declaration_for_the_ballot_or_for_each_question() -> None:
    document = {
        "ballots": [
            {
                "id": "rmt-1",
                "unions": ["RMT"],
                "employer": "Network Rail and 15 operators",
                "reported_mandate": "partial",
                "reported_by": "RMT",
                "questions": [
                    {"question": "Strike?", "kind": "strike", "turnout_pct": 71, "for_pct": 89},
                    {
                        "question": "Short?",
                        "kind": "action_short_of_strike",
                        "reported_mandate": "yes",
                        "turnout_pct": 71.0,
                    },
                ],
            }
        ]
    }
    (ballot,) = parse_json(json.dumps(document))
    assert [q.reported_mandate for q in ballot.questions] == [
        ReportedMandate.PARTIAL,
        ReportedMandate.YES,
    ]
    # A JSON number has no trailing zeros to keep: 71.0 is read as the whole number it is.
    assert [written_decimals(q.result.turnout_pct) for q in ballot.questions] == [0, 0]  # type: ignore[arg-type]


async def test_export_writes_percentages_as_reported_and_the_declaration(
    chat: Conversation, tmp_path: Path
) -> None:
    path = tmp_path / "declared.csv"
    path.write_text(
        "id,unions,employer,kind,question,turnout_pct,for_pct,reported_mandate,reported_by\n"
        "neu-1,NEU,Schools in England,strike,Strike?,53.0,90,yes,NEU press release\n"
    )
    await import_file(chat.app.store, path)

    text = await export_ballots(chat.app.store, "csv")
    row = next(line for line in text.splitlines() if line.startswith("neu-1,"))
    header = text.splitlines()[0].split(",")
    cells = dict(zip(header, row.split(","), strict=True))
    assert (cells["turnout_pct"], cells["for_pct"]) == ("53.0", "90")
    assert (cells["reported_mandate"], cells["reported_by"]) == ("yes", "NEU press release")
    document = json.loads(await export_ballots(chat.app.store, "json"))
    (neu,) = [b for b in document["ballots"] if b["id"] == "neu-1"]
    assert neu["questions"][0]["for_pct"] == 90 and isinstance(neu["questions"][0]["for_pct"], int)
    assert neu["questions"][0]["reported_mandate"] == "yes"


def test_a_bad_cell_repeated_on_many_rows_is_named_on_every_row() -> None:
    # A cell is parsed once per file and remembered, its refusal too: every row still hears.
    rows = [f"b-{n},GMB,Leeds City Council,strike,Strike?,1000,,,,2024-13-01," for n in range(4)]
    with pytest.raises(ImportRejected) as refused:
        parse_csv(f"{HEADER}\n" + "\n".join(rows) + "\n")
    assert [(e.where, e.column) for e in refused.value.errors] == [
        (f"row {n}", "opens") for n in range(2, 6)
    ]
    assert "month 13 is not 01-12" in str(refused.value.errors[-1])


def test_a_number_and_the_same_digits_as_text_are_each_judged_as_they_are() -> None:
    # "employer": "2024" is text; "employer": 2024 a number where text belongs (refused) —
    # whichever of the two a file gives first.
    def ballot(n: int, employer: object) -> dict[str, object]:
        fields = {"id": f"b-{n}", "unions": "GMB", "employer": employer}
        return {**fields, "questions": [{"kind": "strike", "question": "Strike?"}]}

    for order in (["2024", 2024], [2024, "2024"]):
        text = json.dumps({"ballots": [ballot(n, e) for n, e in enumerate(order)]})
        with pytest.raises(ImportRejected) as refused:
            parse_json(text)
        number = order.index(2024) + 1
        assert [(e.where, e.column) for e in refused.value.errors] == [
            (f"ballot {number} question 1", "employer")
        ]


def test_rows_of_a_ballot_far_apart_in_the_file_are_still_one_ballot() -> None:
    far = [f"other-{n},GMB,Employer {n},strike,Strike?,1000,,,,2024-01-08," for n in range(30)]
    first = "leeds-1,GMB,Leeds City Council,strike,Strike?,1000,400,200,10,2024-01-08,2024-02"
    last = "leeds-1,GMB,Leeds City Council,pay_offer,Accept?,1000,600,100,,2024-01-08,2024-02"
    ballots = parse_csv("\n".join([HEADER, first, *far, last]) + "\n")
    assert [b.id for b in ballots] == ["leeds-1", *(f"other-{n}" for n in range(30))]
    assert [q.kind for q in ballots[0].questions] == [Kind.STRIKE, Kind.PAY_OFFER]
