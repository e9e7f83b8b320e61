"""``ballotbot import``: CSV or JSON in, every row checked, all or nothing stored.

A file with one bad row imports nothing, and the refusal lists every problem with its row and
column, so an organiser fixes the file once. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import columns, invariants, parsers
from bot.announce.model import Announce, Declared
from bot.domain import Ballot, Question, SaveReport
from bot.imports import bounded, formulas
from bot.imports.bounded import FILE
from bot.ports import BallotStore, Declarations, Progress

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
        if self.column == FILE:  # the file as a whole: no column to name
            return f"{self.where}: {self.message}"
        return f"{self.where}, column {self.column}: {self.message}"


class ImportRejected(Exception):
    """The file cannot be imported; nothing was stored.

    ``unusual_ids``: ids refused only for not following the rule for new ids; should they be
    ballots stored before the rule, :func:`checked` parses the file again accepting them.
    """

    def __init__(self, errors: list[RowError], unusual_ids: Collection[str] = ()) -> None:
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(map(str, errors[:5])))
        self.errors = errors
        self.unusual_ids = frozenset(unusual_ids)


def _problem(where: str, column: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(where, column, message)])


_BALLOT_NAMES = tuple(column.name for column in columns.BALLOT_COLUMNS)


def _assemble(
    rows: Iterable[tuple[str, dict[str, Any]]], questions_of: str, stored_ids: Collection[str]
) -> list[Ballot]:
    """Group records by ballot id, parse and check them, and build the ballots; or raise
    :class:`ImportRejected` with every problem found.

    Each ballot's fields wait for its last question as a tuple (a tenth of a dict's size),
    repeated cells are parsed once (:class:`bot.columns.Memo`), and a ballot built lets go of
    its parts: a big file is held about once, as ballots."""
    errors: list[RowError] = []
    unusual: set[str] = set()
    memo = columns.Memo()
    ballots: dict[str, tuple[str, tuple[Any, ...], list[tuple[str, Question]]]] = {}
    for where, raw in rows:
        ballot_values, problems = columns.parse_fields(
            raw, columns.BALLOT_COLUMNS, stored_ids, memo
        )
        question_values, more = columns.parse_fields(raw, columns.QUESTION_COLUMNS, (), memo)
        problems += more
        if any(column == "id" for column, _ in problems):
            unusual |= _old_style_id(raw.get("id"))
        errors += [RowError(where, column, message) for column, message in problems]
        if problems:
            continue
        question = columns.build_question(question_values)
        fields = tuple(ballot_values[name] for name in _BALLOT_NAMES)
        known = ballots.get(ballot_values["id"])
        if known is None:
            ballots[ballot_values["id"]] = (where, fields, [(where, question)])
            continue
        first_where, first_fields, questions = known
        if len(questions) == invariants.MAX_QUESTIONS:
            message = invariants.too_many_questions(ballot_values["id"], len(questions) + 1)
            errors.append(RowError(where, "id", message))
            continue
        for name, value, first in zip(_BALLOT_NAMES, fields, first_fields, strict=True):
            if value != first:
                errors.append(
                    RowError(
                        where,
                        name,
                        f"differs from {first_where} of the same ballot id "
                        f"{ballot_values['id']!r} ({questions_of} share ballot details)",
                    )
                )
                break
        else:
            questions.append((where, question))
    pending: list[Any] = list(ballots.values())
    ballots.clear()
    built = []
    for n, (where, fields, questions) in enumerate(pending):
        pending[n] = None  # let go of the parts as each ballot is built
        values = dict(zip(_BALLOT_NAMES, fields, strict=True))
        ballot = columns.build_ballot(values, tuple(q for _, q in questions))
        errors += [RowError(where, c, m) for c, m in invariants.ballot_problems(ballot)]
        for question_where, question in questions:
            problems = invariants.question_problems(ballot, question)
            errors += [RowError(question_where, c, m) for c, m in problems]
        built.append(ballot)
    if errors:
        raise ImportRejected(errors, unusual)
    return built


def _old_style_id(raw: Any) -> set[str]:
    """The id, if it is text the database could hold but breaks the rule for new ids."""
    try:
        text = parsers.text(raw, parsers.MAX_ID)
    except parsers.Invalid:
        return set()
    return {text} if text else set()


def parse_csv(text: str, stored_ids: Collection[str] = ()) -> list[Ballot]:
    """Parse a CSV export: header row, one row per question, any column order.

    Read strictly: a quote opened and never closed, a repeated or unknown header column, a
    row with more cells than the header, or a cell over its column's limit is refused with
    its row (rows are counted as a spreadsheet shows them, the header being row 1). Cells that
    :mod:`bot.imports.formulas` guarded on export are read back as they were. Ids in
    ``stored_ids`` (ballots stored already) are accepted even if they predate the id rule.
    """
    if len(text) > MAX_BYTES:
        raise _problem("row 1", FILE, f"larger than {MAX_BYTES // 2**20} MiB")
    return _assemble(_csv_rows(text), "rows", stored_ids)


def _csv_rows(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each row of a CSV export as (where, cells by column), read as they are checked: a
    50,000-row file is never held as 50,000 dicts at once. A problem with the file itself
    (a quote never closed, an empty file...) raises :class:`ImportRejected` when reached."""
    reader = csv.reader(_lines(text), strict=True)
    rows = 0
    header: list[str] | None = None
    number, line = 0, 1
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = _header(cells)
            elif len(cells) > len(header):
                raise _problem(f"row {number}", "(row)", "more cells than the header has columns")
            elif any(cell.strip() for cell in cells):
                if rows == MAX_ROWS:
                    raise _problem(f"row {number}", FILE, f"more than {MAX_ROWS:,} rows")
                rows += 1
                # Only a cell starting with a quote can be a guarded one (most cells: none).
                cells = [formulas.unguard(c) if c[:1] == "'" else c for c in cells]
                yield f"row {number}", dict(zip(header, cells, strict=False))
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
        raise _problem("row 2", FILE, "no rows after the header")


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _lines(text: str) -> Iterator[str]:
    """``text``'s lines with their endings, split where a file opened with ``newline=""``
    splits them (``\r\n``, ``\r`` or ``\n``), for the csv module to join quoted cells
    across. A ``StringIO`` of the text would copy it (four bytes a character): 35 MB more
    for a 12 MB export."""
    for line in _LINE.finditer(text):
        if line.end() > line.start():
            yield line.group()


def _header(cells: list[str]) -> list[str]:
    header = [cell.strip() for cell in cells]
    if not any(header):
        raise _problem("row 1", "(header)", "the file is empty: a header row is required")
    unknown = [h for h in header if h not in columns.NAMES]
    if unknown:
        shown = ", ".join(repr(h[:40]) if not h or h != h.strip() else h[:40] for h in unknown)
        raise _problem("row 1", shown, "unknown column(s); see the README")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise _problem("row 1", ", ".join(repeated), "appears more than once in the header")
    missing = [name for name in columns.REQUIRED if name not in header]
    if missing:
        raise _problem("row 1", ", ".join(missing), "required column(s) missing from the header")
    return header


def parse_json(text: str, stored_ids: Collection[str] = ()) -> list[Ballot]:
    """Parse the JSON export format: ``{"ballots": [{..., "questions": [{...}]}]}``.

    Numbers are kept as written and go through the same parsers as CSV cells; nesting deeper
    than :data:`MAX_JSON_DEPTH`, a field repeated in one object, and ``NaN``/``Infinity`` are
    refused. ``stored_ids`` as for :func:`parse_csv`.
    """
    try:
        document = bounded.load_json(text, MAX_BYTES, MAX_JSON_DEPTH)
    except bounded.Refused as refused:
        raise _problem(refused.where, refused.column, refused.message) from None
    if not isinstance(document, dict) or not isinstance(document.get("ballots"), list):
        raise _problem("top level", "ballots", 'expected {"ballots": [...]}')
    rows: list[tuple[str, dict[str, Any]]] = []
    for b, ballot in enumerate(document["ballots"], start=1):
        if not isinstance(ballot, dict):
            raise _problem(f"ballot {b}", "(ballot)", "expected an object")
        questions = ballot.get("questions")
        if not isinstance(questions, list) or not questions:
            raise _problem(f"ballot {b}", "questions", "at least one question is required")
        if len(questions) > invariants.MAX_QUESTIONS:
            message = invariants.too_many_questions(str(ballot.get("id"))[:200], len(questions))
            raise _problem(f"ballot {b}", "questions", message)
        fields = {k: v for k, v in ballot.items() if k != "questions"}
        unknown = [k for k in fields if k not in columns.NAMES]
        if unknown:
            raise _problem(f"ballot {b}", _names(unknown), "unknown field(s)")
        for q, question in enumerate(questions, start=1):
            if not isinstance(question, dict):
                raise _problem(f"ballot {b} question {q}", "(question)", "expected an object")
            own = {k: v for k, v in question.items() if k not in ("derived", "verdict")}
            unknown = [k for k in own if k not in columns.NAMES]
            if unknown:
                raise _problem(f"ballot {b} question {q}", _names(unknown), "unknown field(s)")
            rows.append((f"ballot {b} question {q}", {**fields, **own}))
            if len(rows) > MAX_ROWS:
                raise _problem("top level", "ballots", f"more than {MAX_ROWS:,} questions")
    return _assemble(rows, "questions", stored_ids)


def _names(keys: list[str]) -> str:
    return ", ".join(repr(k[:40]) for k in keys[:10])


def read_ballots(path: Path, stored_ids: Collection[str] = ()) -> list[Ballot]:
    """Read and check a .csv or .json file; refuse the whole file on any problem.

    Only a regular file is read (a FIFO, a device or a folder is refused without waiting or
    reading), and its size is checked before it is read. ``stored_ids`` as for
    :func:`parse_csv`.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise _problem(str(path), FILE, "the file name must end in .csv or .json")
    try:
        data = bounded.read_regular_file(path, MAX_BYTES)
    except bounded.Refused as refused:
        raise _problem(refused.where, refused.column, refused.message) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(str(path), FILE, f"not UTF-8 text (byte {exc.start})") from None
    del data  # the text is all that is read from here: the bytes need not wait for the parse
    parse = parse_csv if suffix == ".csv" else parse_json
    return parse(text, stored_ids)


async def checked(
    parse: Callable[[Collection[str]], list[Ballot]], store: BallotStore | None
) -> list[Ballot]:
    """``parse(stored_ids)``, accepting the ids of ballots already in ``store`` that predate
    the rule for new ids: a re-import or a union's feed of such ballots keeps working. The
    store is asked only when a file has such ids. Parsing runs in a worker thread: a big
    file does not hold the event loop (members' requests keep their 3 seconds)."""
    try:
        return await asyncio.to_thread(parse, frozenset())
    except ImportRejected as rejected:
        if store is None or not rejected.unusual_ids:
            raise
        found = await store.get_many(sorted(rejected.unusual_ids))
        if not found:
            raise
        return await asyncio.to_thread(parse, frozenset(b.id for b in found))


async def import_file(store: BallotStore, path: Path) -> SaveReport:
    """Check the whole file, then store it in one transaction."""
    return await store.save(await checked(lambda ids: read_ballots(path, ids), store))


async def import_announcing(
    declarations: Declarations,
    path: Path,
    who: str,
    announce: bool = True,
    store: BallotStore | None = None,
    progress: Progress | None = None,
) -> Declared:
    """Check the whole file, then store it, audited, in one transaction; with ``announce``,
    results that are new or whose figures changed go to the channels following them in that
    same transaction (``--no-announce`` back-fills history quietly). With ``store``, ballots
    already stored keep their ids even if those predate the rule for new ids."""
    policy = Announce.NEW_RESULTS if announce else Announce.NONE
    ballots = await checked(lambda ids: read_ballots(path, ids), store)
    return await declarations.declare(ballots, who, "import", policy, progress)
