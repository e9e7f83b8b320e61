"""``ballotbot import``: CSV or JSON in, every row checked, all or nothing stored.

A file with one bad row imports nothing, and the refusal lists every problem with its row and
column, so an organiser fixes the file once. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import parsers, records
from bot.announce.model import Announce, AnnouncementStore, Declared
from bot.domain import Ballot, Question
from bot.ports import BallotStore, SaveReport
from bot.services import formulas

MAX_BYTES = 20 * 2**20
MAX_ROWS = 100_000
MAX_JSON_DEPTH = 12
"""The export nests five deep (document, ballots, ballot, questions, question) and a little
more inside a question's derived figures and verdict; nothing needs more."""

# A cell can be as long as the file; the column's own limit then refuses it with its row and
# column, instead of the csv module's "field larger than field limit".
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))


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
    ballots: dict[str, tuple[str, dict[str, Any], list[tuple[str, Question]]]] = {}
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
            ballots[ballot_values["id"]] = (where, ballot_values, [(where, question)])
            continue
        first_where, first_values, questions = known
        if len(questions) == records.MAX_QUESTIONS:
            message = records.too_many_questions(ballot_values["id"], len(questions) + 1)
            errors.append(RowError(where, "id", message))
            continue
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
            questions.append((where, question))
    built = []
    for where, values, questions in ballots.values():
        ballot = records.build_ballot(values, tuple(q for _, q in questions))
        errors += [RowError(where, c, m) for c, m in records.ballot_problems(ballot)]
        for question_where, question in questions:
            problems = records.question_problems(ballot, question)
            errors += [RowError(question_where, c, m) for c, m in problems]
        built.append(ballot)
    return built, errors


def parse_csv(text: str) -> list[Ballot]:
    """Parse a CSV export: header row, one row per question, any column order.

    Read strictly: a quote opened and never closed, a repeated or unknown header column, a
    row with more cells than the header, or a cell over its column's limit is refused with
    its row (rows are counted as a spreadsheet shows them, the header being row 1). Cells that
    :mod:`bot.services.formulas` guarded on export are read back as they were.
    """
    if len(text) > MAX_BYTES:
        raise _problem("row 1", "(file)", f"larger than {MAX_BYTES // 2**20} MiB")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[str, dict[str, Any]]] = []
    header: list[str] | None = None
    number, line = 0, 1
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = _header(cells)
            elif len(cells) > len(header):
                raise _problem(f"row {number}", "(row)", "more cells than the header has columns")
            elif any(cell.strip() for cell in cells):
                if len(rows) == MAX_ROWS:
                    raise _problem(f"row {number}", "(file)", f"more than {MAX_ROWS:,} rows")
                cells = [formulas.unguard(cell) for cell in cells]
                rows.append((f"row {number}", dict(zip(header, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as exc:
        where = f"row {number + 1}"
        if "unexpected end of data" in str(exc):
            raise _problem(
                where, "(row)", f"a quote opened on line {line} is never closed"
            ) from None
        if "expected after" in str(exc):
            raise _problem(
                where,
                "(row)",
                f"a quoted cell that starts on line {line} goes on after its closing quote "
                f'(near line {reader.line_num}): write a quote inside a quoted cell twice ("")',
            ) from None
        message = f"not valid CSV near line {reader.line_num}: {exc}"
        raise _problem(where, "(row)", message) from None
    if header is None:
        raise _problem("row 1", "(header)", "the file is empty: a header row is required")
    if not rows:
        raise _problem("row 2", "(file)", "no rows after the header")
    ballots, errors = _assemble(rows, "rows")
    if errors:
        raise ImportRejected(errors)
    return ballots


def _header(cells: list[str]) -> list[str]:
    header = [cell.strip() for cell in cells]
    if not any(header):
        raise _problem("row 1", "(header)", "the file is empty: a header row is required")
    unknown = [h for h in header if h not in records.NAMES]
    if unknown:
        shown = ", ".join(repr(h[:40]) if not h or h != h.strip() else h[:40] for h in unknown)
        raise _problem("row 1", shown, "unknown column(s); see the README")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise _problem("row 1", ", ".join(repeated), "appears more than once in the header")
    missing = [name for name in records.REQUIRED if name not in header]
    if missing:
        raise _problem("row 1", ", ".join(missing), "required column(s) missing from the header")
    return header


def parse_json(text: str) -> list[Ballot]:
    """Parse the JSON export format: ``{"ballots": [{..., "questions": [{...}]}]}``.

    Numbers are kept as written and go through the same parsers as CSV cells; nesting deeper
    than :data:`MAX_JSON_DEPTH`, a field repeated in one object, and ``NaN``/``Infinity`` are
    refused.
    """
    document = json_document(text)
    if not isinstance(document, dict) or not isinstance(document.get("ballots"), list):
        raise _problem("top level", "ballots", 'expected {"ballots": [...]}')
    rows: list[tuple[str, dict[str, Any]]] = []
    for b, ballot in enumerate(document["ballots"], start=1):
        if not isinstance(ballot, dict):
            raise _problem(f"ballot {b}", "(ballot)", "expected an object")
        questions = ballot.get("questions")
        if not isinstance(questions, list) or not questions:
            raise _problem(f"ballot {b}", "questions", "at least one question is required")
        if len(questions) > records.MAX_QUESTIONS:
            message = records.too_many_questions(str(ballot.get("id"))[:200], len(questions))
            raise _problem(f"ballot {b}", "questions", message)
        fields = {k: v for k, v in ballot.items() if k != "questions"}
        unknown = [k for k in fields if k not in records.NAMES]
        if unknown:
            raise _problem(f"ballot {b}", _names(unknown), "unknown field(s)")
        for q, question in enumerate(questions, start=1):
            if not isinstance(question, dict):
                raise _problem(f"ballot {b} question {q}", "(question)", "expected an object")
            own = {k: v for k, v in question.items() if k not in ("derived", "verdict")}
            unknown = [k for k in own if k not in records.NAMES]
            if unknown:
                raise _problem(f"ballot {b} question {q}", _names(unknown), "unknown field(s)")
            rows.append((f"ballot {b} question {q}", {**fields, **own}))
            if len(rows) > MAX_ROWS:
                raise _problem("top level", "ballots", f"more than {MAX_ROWS:,} questions")
    ballots, errors = _assemble(rows, "questions")
    if errors:
        raise ImportRejected(errors)
    return ballots


def _names(keys: list[str]) -> str:
    return ", ".join(repr(k[:40]) for k in keys[:10])


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _Repeated(key)
        document[key] = value
    return document


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (outside strings), without parsing it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def json_document(text: str) -> Any:
    """``text`` as JSON, bounded: size, nesting, no repeated fields, numbers kept as text
    (:class:`bot.parsers.JsonNumber`). Refusals are :class:`ImportRejected`."""
    if len(text) > MAX_BYTES:
        raise _problem("top level", "(file)", f"larger than {MAX_BYTES // 2**20} MiB")
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise _problem(
            "top level",
            "(file)",
            f"nested {depth:,} levels deep; ballot files nest at most {MAX_JSON_DEPTH}",
        )
    number = parsers.JsonNumber
    try:
        return json.loads(
            text,
            parse_int=number,
            parse_float=number,
            parse_constant=number,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise _problem(f"line {exc.lineno}", "(file)", f"not valid JSON: {exc.msg}") from None
    except _Repeated as repeated:
        raise _problem(
            "top level", repr(repeated.key[:40]), "a field appears twice in one object"
        ) from None
    except RecursionError:  # not reachable within MAX_JSON_DEPTH; kept as the last guard
        raise _problem("top level", "(file)", "nested too deeply") from None


def read_ballots(path: Path) -> list[Ballot]:
    """Read and check a .csv or .json file; refuse the whole file on any problem.

    Only a regular file is read (a FIFO, a device or a folder is refused without opening it
    for long), and its size is checked before it is read.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise _problem(str(path), "(file)", "the file name must end in .csv or .json")
    data = _read_regular_file(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(str(path), "(file)", f"not UTF-8 text (byte {exc.start})") from None
    return parse_csv(text) if suffix == ".csv" else parse_json(text)


def _read_regular_file(path: Path) -> bytes:
    try:
        found = path.stat()
    except OSError as exc:
        raise _problem(str(path), "(file)", f"cannot be read: {exc.strerror}") from None
    _check_regular(path, found)
    try:
        # O_NONBLOCK: should the path become a FIFO since stat, opening it does not wait.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _problem(str(path), "(file)", f"cannot be read: {exc.strerror}") from None
    with open(descriptor, "rb") as file:
        _check_regular(path, os.fstat(file.fileno()))
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _problem(str(path), "(file)", f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise _problem(str(path), "(file)", f"larger than {MAX_BYTES // 2**20} MiB")
    return data


def _check_regular(path: Path, found: os.stat_result) -> None:
    if stat.S_ISDIR(found.st_mode):
        raise _problem(str(path), "(file)", "is a folder, not a file")
    if not stat.S_ISREG(found.st_mode):
        raise _problem(str(path), "(file)", "is not a regular file (a pipe or a device?)")
    if found.st_size > MAX_BYTES:
        raise _problem(
            str(path),
            "(file)",
            f"is {found.st_size / 2**20:,.1f} MiB, larger than {MAX_BYTES // 2**20} MiB",
        )


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
