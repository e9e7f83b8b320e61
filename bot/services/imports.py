"""``ballotbot import``: CSV or JSON in, every row checked, all or nothing stored.

A file with one bad row imports nothing, and the refusal lists every problem with its row and
column, so an organiser fixes the file once. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import records
from bot.announce.model import Announce, AnnouncementStore, Declared
from bot.domain import Ballot
from bot.ports import BallotStore, SaveReport

MAX_BYTES = 20 * 2**20
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    """One problem: where (row or ballot/question) and which column, and why."""

    where: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, column {self.column}: {self.message}"


class ImportRejected(Exception):
    """The file cannot be imported; nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(map(str, errors[:5])))
        self.errors = errors


def _problem(where: str, column: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(where, column, message)])


def _assemble(
    rows: list[tuple[str, dict[str, Any]]], questions_of: str
) -> tuple[list[Ballot], list[RowError]]:
    """Group records by ballot id, parse and check them, and build the ballots."""
    errors: list[RowError] = []
    ballots: dict[str, tuple[str, dict[str, Any], list[Any]]] = {}
    for where, raw in rows:
        ballot_values, problems = records.parse_fields(raw, records.BALLOT_COLUMNS)
        question_values, more = records.parse_fields(raw, records.QUESTION_COLUMNS)
        problems += more
        errors += [RowError(where, column, message) for column, message in problems]
        if problems:
            continue
        question = records.build_question(question_values)
        known = ballots.get(ballot_values["id"])
        if known is None:
            ballots[ballot_values["id"]] = (where, ballot_values, [question])
            continue
        first_where, first_values, questions = known
        for column in records.BALLOT_COLUMNS:
            if ballot_values[column.name] != first_values[column.name]:
                errors.append(
                    RowError(
                        where,
                        column.name,
                        f"differs from {first_where} of the same ballot id "
                        f"{ballot_values['id']!r} ({questions_of} share ballot details)",
                    )
                )
                break
        else:
            questions.append(question)
    built = []
    for where, values, questions in ballots.values():
        ballot = records.build_ballot(values, tuple(questions))
        errors += [RowError(where, c, m) for c, m in records.consistency_problems(ballot)]
        built.append(ballot)
    return built, errors


def parse_csv(text: str) -> list[Ballot]:
    """Parse a CSV export: header row, one row per question, any column order."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames
    if not header:
        raise _problem("row 1", "(header)", "the file is empty: a header row is required")
    header = [h.strip() for h in header]
    reader.fieldnames = header
    unknown = [h for h in header if h not in records.NAMES]
    if unknown:
        raise _problem("row 1", ", ".join(unknown), "unknown column(s); see the README")
    missing = [name for name in records.REQUIRED if name not in header]
    if missing:
        raise _problem("row 1", ", ".join(missing), "required column(s) missing from the header")
    rows: list[tuple[str, dict[str, Any]]] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise _problem(f"row {number}", "(file)", f"more than {MAX_ROWS:,} rows")
        if None in row:
            raise _problem(f"row {number}", "(row)", "more cells than the header has columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append((f"row {number}", {k: v for k, v in row.items() if v is not None}))
    if not rows:
        raise _problem("row 2", "(file)", "no rows after the header")
    ballots, errors = _assemble(rows, "rows")
    if errors:
        raise ImportRejected(errors)
    return ballots


def parse_json(text: str) -> list[Ballot]:
    """Parse the JSON export format: ``{"ballots": [{..., "questions": [{...}]}]}``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _problem(f"line {exc.lineno}", "(file)", f"not valid JSON: {exc.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("ballots"), list):
        raise _problem("top level", "ballots", 'expected {"ballots": [...]}')
    rows: list[tuple[str, dict[str, Any]]] = []
    for b, ballot in enumerate(document["ballots"], start=1):
        if not isinstance(ballot, dict):
            raise _problem(f"ballot {b}", "(ballot)", "expected an object")
        questions = ballot.get("questions")
        if not isinstance(questions, list) or not questions:
            raise _problem(f"ballot {b}", "questions", "at least one question is required")
        fields = {k: v for k, v in ballot.items() if k != "questions"}
        unknown = [k for k in fields if k not in records.NAMES]
        if unknown:
            raise _problem(f"ballot {b}", ", ".join(unknown), "unknown field(s)")
        for q, question in enumerate(questions, start=1):
            if not isinstance(question, dict):
                raise _problem(f"ballot {b} question {q}", "(question)", "expected an object")
            own = {k: v for k, v in question.items() if k not in ("derived", "verdict")}
            unknown = [k for k in own if k not in records.NAMES]
            if unknown:
                raise _problem(f"ballot {b} question {q}", ", ".join(unknown), "unknown field(s)")
            rows.append((f"ballot {b} question {q}", {**fields, **own}))
    if len(rows) > MAX_ROWS:
        raise _problem("top level", "ballots", f"more than {MAX_ROWS:,} questions")
    ballots, errors = _assemble(rows, "questions")
    if errors:
        raise ImportRejected(errors)
    return ballots


def read_ballots(path: Path) -> list[Ballot]:
    """Read and check a .csv or .json file; refuse the whole file on any problem."""
    if path.suffix.lower() not in (".csv", ".json"):
        raise _problem(str(path), "(file)", "the file name must end in .csv or .json")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _problem(str(path), "(file)", f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise _problem(str(path), "(file)", f"larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(str(path), "(file)", f"not UTF-8 text (byte {exc.start})") from None
    return parse_csv(text) if path.suffix.lower() == ".csv" else parse_json(text)


async def import_file(store: BallotStore, path: Path) -> SaveReport:
    """Check the whole file, then store it in one transaction."""
    return await store.save(read_ballots(path))


async def import_announcing(
    announcements: AnnouncementStore, path: Path, who: str, announce: bool = True
) -> Declared:
    """Check the whole file, then store it, audited, in one transaction; with ``announce``,
    results that are new or whose figures changed go to the channels following them in that
    same transaction (``--no-announce`` back-fills history quietly)."""
    policy = Announce.NEW_RESULTS if announce else Announce.NONE
    return await announcements.declare(read_ballots(path), who, "import", policy)
